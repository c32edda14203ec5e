"""Run the composite steps of action.yml as the GitHub runner would, on a machine without
GitHub: each `run:` in `bash --noprofile --norc -eo pipefail`, with `GITHUB_ACTION_PATH` at the
repository, `GITHUB_OUTPUT` per step, the step summary shared, `${{ inputs.x }}` replaced by the
inputs (their declared defaults filled in) and the action's outputs read from its steps'.
`uses:` steps (actions/setup-python) are skipped: Python is already here."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.support.cli import NO_WAIT

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


@dataclass
class ActionRun:
    ok: bool
    outputs: dict[str, str]
    steps: list[tuple[str, subprocess.CompletedProcess[str]]] = field(default_factory=list)

    def log(self) -> str:
        return "\n".join(f"--- {name} (exit {p.returncode})\n{p.stdout}\n{p.stderr}"
                         for name, p in self.steps)


def read_pairs(path: Path) -> dict[str, str]:
    """`name=value` lines, as the runner reads GITHUB_OUTPUT."""
    pairs = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep:
            pairs[name] = value
    return pairs


def _evaluate(text: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        parts = match.group(1).split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return steps.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"unsupported expression: {match.group(0)}")

    return EXPRESSION.sub(one, text)


def _condition(text: str | None, inputs: dict[str, str]) -> bool:
    if text is None:
        return True
    match = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", str(text).strip())
    assert match, f"unsupported condition: {text}"
    return (inputs[match.group(1)] == match.group(3)) == (match.group(2) == "==")


def run_action(with_: dict[str, str], *, cwd: Path, env: dict[str, str],
               workdir: Path) -> ActionRun:
    """Run action.yml with these inputs in `cwd`; `env` is the job's environment (it may set
    GITHUB_STEP_SUMMARY; else one is made under `workdir`). Nothing waits on the clock
    (`tests.support.cli.NO_WAIT`) unless `env` says otherwise."""
    spec = load_action()
    declared = spec["inputs"]
    unknown = set(with_) - set(declared)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    inputs = {name: str(d.get("default", "")) for name, d in declared.items()}
    inputs.update({k: str(v) for k, v in with_.items()})
    missing = [n for n, d in declared.items() if d.get("required") and not inputs[n]]
    assert not missing, f"required inputs not given: {missing}"
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / "action-output"
    env = {"GITHUB_STEP_SUMMARY": str(workdir / "summary"), "RUNNER_TEMP": str(workdir),
           **NO_WAIT, **env, "GITHUB_ACTION_PATH": str(REPO)}
    Path(env["GITHUB_STEP_SUMMARY"]).touch()
    steps: dict[str, dict[str, str]] = {}
    run = ActionRun(True, {})
    for step in spec["runs"]["steps"]:
        if "run" not in step:
            assert "uses" in step
            continue
        assert "${{" not in step["run"], "inputs reach scripts through env:, never pasted in"
        if not _condition(step.get("if"), inputs):
            continue
        assert step.get("shell") == "bash"
        output.write_text("")
        step_env = {**env, "GITHUB_OUTPUT": str(output)}
        step_env.update({k: _evaluate(str(v), inputs, steps)
                         for k, v in (step.get("env") or {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=cwd, env=step_env, capture_output=True,
                              text=True, timeout=120)
        run.steps.append((step.get("name", "step"), proc))
        if "id" in step:
            steps[step["id"]] = read_pairs(output)
        if proc.returncode != 0:
            run.ok = False
            break
    run.outputs = {name: _evaluate(str(o["value"]), inputs, steps)
                   for name, o in spec["outputs"].items()}
    return run
