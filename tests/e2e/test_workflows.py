"""The example CI workflows, run for real: every `run:` step of examples/.github/workflows, in
order, with bash, in a copy of examples/ (the repository a team copies), against `assistants
serve`; a `uses:` of this repository's Action runs its steps (tests/support/action.py). Only
what cannot run here is faked: other `uses:` steps are skipped (artifacts are the shared
directory, as checkout + download-artifact would leave them), and `gh` and `pip` are stubs on
PATH that record their arguments. The same for every job of examples/.gitlab-ci.yml, with `curl`
stubbed.

The sequence is the one a team lives: a pull request plans (and comments), the merge applies that
plan, the nightly drift finds nothing, someone edits an assistant by hand, drift opens an issue,
apply puts it back and drift closes the issue."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from reconciler.marker import live_marker
from tests.support.action import REPO, read_pairs, run_action
from tests.support.cli import NO_WAIT

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORKFLOWS = EXAMPLES / ".github" / "workflows"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

STUB = """#!/usr/bin/env bash
# Records its arguments; answers from $STUB_REPLIES/<name> when that file exists.
printf '%s\\n' "$(basename "$0") $*" >> "$STUB_LOG"
reply="$STUB_REPLIES/$(basename "$0")"
if [ -f "$reply" ]; then cat "$reply"; fi
"""


@dataclass
class Harness:
    """A copied repository, stub tools, and the values `${{ ... }}` expressions take."""

    repo: Path
    bin: Path
    log: Path
    replies: Path
    context: dict[str, str]
    executed: set[tuple[str, str, int]] = field(default_factory=set)
    runs: int = 0

    def stub_calls(self) -> list[str]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        self.log.write_text("")
        return lines

    def reply(self, tool: str, text: str | None) -> None:
        path = self.replies / tool
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text)

    def evaluate(self, text: str, steps: dict[str, dict[str, str]]) -> str:
        """The few expressions the workflows use: dotted names, 'literals', `a || b`."""

        def term(expr: str) -> str:
            expr = expr.strip()
            if expr.startswith("'") and expr.endswith("'"):
                return expr[1:-1]
            parts = expr.split(".")
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return steps.get(parts[1], {}).get(parts[3], "")
            assert re.fullmatch(r"[a-z_]+(\.[A-Za-z_.-]+)+", expr), f"unsupported: {expr}"
            return self.context.get(expr, "")

        def one(match: re.Match[str]) -> str:
            for alternative in match.group(1).split("||"):
                value = term(alternative)
                if value:
                    return value
            return ""

        return EXPRESSION.sub(one, text)

    def condition(self, text: str | None, steps: dict[str, dict[str, str]]) -> bool:
        if text is None:
            return True
        text = EXPRESSION.sub(lambda m: m.group(1), str(text)).strip()
        if text == "always()":
            return True
        files = re.fullmatch(r"hashFiles\('([^']+)'\) == ''", text)
        if files:
            return not (self.repo / files.group(1)).exists()
        match = re.fullmatch(r"(\S+) (==|!=) '([^']*)'", text)
        assert match, f"unsupported condition: {text}"
        left = self.evaluate("${{ " + match.group(1) + " }}", steps)
        return (left == match.group(3)) == (match.group(2) == "==")

    def run_job(self, workflow: str, job: str, event: str, **extra: str) -> dict:
        """Run every `run:` step of one job in order, as the runner would (bash -eo pipefail,
        GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY); returns what the job left behind."""
        data = yaml.safe_load((WORKFLOWS / workflow).read_text())
        spec = data["jobs"][job]
        context = {**self.context, "github.event_name": event, **extra}
        saved, self.context = self.context, context
        self.runs += 1
        job_dir = self.repo.parent / f"runner-{self.runs}-{workflow}-{job}"
        job_dir.mkdir()
        files = {name: job_dir / name for name in ("output", "env", "summary")}
        for path in files.values():
            path.write_text("")
        env = {
            "PATH": f"{self.bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                    f"{os.environ['PATH']}",
            "HOME": str(job_dir), "STUB_LOG": str(self.log), "STUB_REPLIES": str(self.replies),
            "PYTHONPATH": str(REPO), "RUNNER_TEMP": str(job_dir), **NO_WAIT,
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_EVENT_NAME": event,
            "GITHUB_REPOSITORY": "acme/assistants", "GITHUB_SHA": "0123456789abcdef",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242",
            "GITHUB_ENV": str(files["env"]), "GITHUB_STEP_SUMMARY": str(files["summary"]),
        }
        for scope in (data.get("env") or {}, spec.get("env") or {}):
            env.update({k: self.evaluate(str(v), {}) for k, v in scope.items()})
        steps: dict[str, dict[str, str]] = {}
        results = []
        try:
            for index, step in enumerate(spec["steps"]):
                if "run" not in step and not _is_our_action(step):
                    assert "uses" in step
                    continue
                assert "${{" not in step.get("run", ""), "pass expressions through env:"
                if not self.condition(step.get("if"), steps):
                    continue
                if _is_our_action(step):
                    action_env = {**env, **read_pairs(files["env"])}
                    action_env.update({k: self.evaluate(str(v), steps)
                                       for k, v in (step.get("env") or {}).items()})
                    ran = run_action({k: self.evaluate(str(v), steps)
                                      for k, v in (step.get("with") or {}).items()},
                                     cwd=self.repo, env=action_env, workdir=job_dir)
                    results.extend(ran.steps)
                    self.executed.add((workflow, job, index))
                    if "id" in step:
                        steps[step["id"]] = ran.outputs
                    if not ran.ok and not step.get("continue-on-error"):
                        return {"ok": False, "steps": results, "outputs": steps,
                                "summary": files["summary"].read_text()}
                    continue
                files["output"].write_text("")
                step_env = {**env, **read_pairs(files["env"]), "GITHUB_OUTPUT": str(files["output"])}
                step_env.update({k: self.evaluate(str(v), steps)
                                 for k, v in (step.get("env") or {}).items()})
                proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                       step["run"]], cwd=self.repo, env=step_env,
                                      capture_output=True, text=True, timeout=120)
                results.append((step.get("name", step["run"]), proc))
                self.executed.add((workflow, job, index))
                if "id" in step:
                    steps[step["id"]] = read_pairs(files["output"])
                if proc.returncode != 0 and not step.get("continue-on-error"):
                    return {"ok": False, "steps": results, "outputs": steps,
                            "summary": files["summary"].read_text()}
        finally:
            self.context = saved
        return {"ok": True, "steps": results, "outputs": steps,
                "summary": files["summary"].read_text()}


def _is_our_action(step: dict) -> bool:
    """A `uses:` of this repository's action.yml (`owner/assistants-reconciler@ref`)."""
    return str(step.get("uses", "")).split("@")[0].endswith("/assistants-reconciler")


def describe(result: dict) -> str:
    return "\n".join(f"--- {name} (exit {p.returncode})\n{p.stdout}\n{p.stderr}"
                     for name, p in result["steps"])


@pytest.fixture
def harness(serve, tmp_path):
    handle = serve()
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    bin_dir, replies = tmp_path / "bin", tmp_path / "replies"
    bin_dir.mkdir()
    replies.mkdir()
    for tool in ("gh", "pip", "curl"):
        (bin_dir / tool).write_text(STUB)
        (bin_dir / tool).chmod(0o755)
    context = {
        "vars.ASSISTANTS_ENDPOINT": handle.base_url,
        "secrets.OPENAI_API_KEY": "sk-workflows",
        "github.token": "ghs_stub", "github.run_id": "4242",
        "github.event.pull_request.number": "7",
        "github.event.pull_request.head.sha": "fedcba9876543210",
    }
    return handle, Harness(repo, bin_dir, tmp_path / "stub.log", replies, context)


def managed(handle) -> dict[str, dict]:
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    return {live_marker(a).key: a for a in data if live_marker(a)}


def test_every_run_step_of_the_github_workflows_in_a_teams_sequence(harness):
    handle, h = harness

    # A pull request: validate, plan with --prune, the comment, the artifact left in place.
    pr = h.run_job("plan.yml", "plan", "pull_request")
    assert pr["ok"], describe(pr)
    plan_md = (h.repo / "plan.md").read_text()
    assert plan_md.startswith("### Plan: 5 to create, 0 to update, 0 to delete, 0 unchanged.")
    assert pr["summary"] == plan_md
    assert '"create": 5' in (h.repo / "plan.json").read_text()
    comment = (h.repo / "comment.md").read_text()
    assert comment.startswith("<!-- assistants-plan -->\n### Plan: 5 to create")
    assert "_Plan of fedcba9." in comment
    calls = h.stub_calls()
    assert calls[0] == f"pip install --disable-pip-version-check {REPO}"  # the Action's checkout
    assert calls[1].startswith("gh api repos/acme/assistants/issues/7/comments --paginate")
    assert calls[2] == "gh pr comment 7 --body-file comment.md"
    assert managed(handle) == {}, "planning writes nothing"

    # The same pull request, pushed again: the sticky comment is edited, not added.
    h.reply("gh", "987\n")
    again = h.run_job("plan.yml", "plan", "pull_request")
    assert again["ok"], describe(again)
    assert h.stub_calls()[2] == ("gh api --method PATCH repos/acme/assistants/issues/comments/987 "
                                 "-F body=@comment.md")
    h.reply("gh", None)

    # The merge: apply the reviewed plan (no run found by the stub: plan.json is already here,
    # as download-artifact would leave it), the ids and journal for upload.
    merged = h.run_job("apply.yml", "apply", "push")
    assert merged["ok"], describe(merged)
    assert merged["outputs"]["reviewed"] == {"run-id": ""}
    assert "### Apply: 5 created, 0 updated, 0 deleted, 0 failed." in merged["summary"]
    assert set(managed(handle)) == {"contract-extractor", "data-analyst", "hr-helper",
                                    "it-service-desk"}
    assert (h.repo / "assistant-ids.json").is_file()
    assert list((h.repo / ".assistants" / "history").glob("*.json"))
    calls = h.stub_calls()
    assert calls[0].startswith("gh api repos/acme/assistants/commits/0123456789abcdef/pulls")
    assert calls[1] == f"pip install --disable-pip-version-check {REPO}"

    # The nightly drift: in sync; the close step looks for an open issue and finds none.
    nightly = h.run_job("drift.yml", "drift", "schedule")
    assert nightly["ok"], describe(nightly)
    assert nightly["outputs"]["drift"]["exit-code"] == "0"
    assert (h.repo / "drift.md").read_text().startswith("### No drift: 4 assistants and 1 agent match")
    calls = h.stub_calls()
    assert [c.split()[:3] for c in calls[1:]] == [["gh", "issue", "list"]]

    # Someone edits an assistant by hand: drift opens an issue with the report.
    ident = managed(handle)["hr-helper"]["id"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"temperature": 0.9})
    drifted = h.run_job("drift.yml", "drift", "schedule")
    assert drifted["ok"], describe(drifted)
    assert drifted["outputs"]["drift"]["exit-code"] == "2"
    assert "Drift: 1 changed on the server" in drifted["summary"]
    issue = (h.repo / "issue.md").read_text()
    assert "temperature: 0.9 -> 0.2" in issue and "actions/runs/4242" in issue
    calls = h.stub_calls()
    assert calls[-1] == ("gh issue create --title Assistants drifted from main --label "
                         "assistants-drift --body-file issue.md")
    warnings = [line for _, p in drifted["steps"] for line in p.stderr.splitlines()
                if line.startswith("::warning file=assistants/hr-helper.yaml,line=")]
    assert warnings and "`temperature` differs on the server" in warnings[0]

    # Still drifting the next night: the open issue is updated, not duplicated.
    h.reply("gh", "12\n")
    still = h.run_job("drift.yml", "drift", "schedule")
    assert still["ok"], describe(still)
    calls = h.stub_calls()
    assert "gh issue edit 12 --body-file issue.md" in calls
    assert not any("issue create" in c for c in calls)

    # Run the apply workflow by hand: it plans main again and puts the server back; the next
    # drift closes the issue.
    (h.repo / "plan.json").unlink()
    fixed = h.run_job("apply.yml", "apply", "workflow_dispatch")
    assert fixed["ok"], describe(fixed)
    assert "reviewed" not in fixed["outputs"]
    assert "### Apply: 0 created, 1 updated, 0 deleted, 0 failed." in fixed["summary"]
    closed = h.run_job("drift.yml", "drift", "schedule")
    assert closed["ok"], describe(closed)
    assert closed["outputs"]["drift"]["exit-code"] == "0"
    assert h.stub_calls()[-1].startswith("gh issue close 12 --comment In sync again")
    h.reply("gh", None)

    # A broken config is an error, not drift: the job fails.
    doc = h.repo / "assistants" / "hr-helper.yaml"
    doc.write_text(doc.read_text().replace("model: gpt-4o", "model: [gpt-4o]"))
    broken = h.run_job("drift.yml", "drift", "schedule")
    assert not broken["ok"]
    assert broken["outputs"]["drift"]["exit-code"] == "1"
    assert any("::error file=assistants/hr-helper.yaml" in p.stderr for _, p in broken["steps"])

    every = {(wf.name, job, i) for wf in sorted(WORKFLOWS.glob("*.yml"))
             for job, spec in yaml.safe_load(wf.read_text())["jobs"].items()
             for i, step in enumerate(spec["steps"]) if "run" in step or _is_our_action(step)}
    assert every - h.executed == set(), "every run: step and use of the Action ran"


def run_gitlab_job(h: Harness, handle, name: str, source: str) -> subprocess.CompletedProcess:
    """One job of examples/.gitlab-ci.yml: before_script + script in one bash, as the runner."""
    data = yaml.safe_load((EXAMPLES / ".gitlab-ci.yml").read_text())
    job = data[name]
    lines = [*data["default"]["before_script"], *job["script"]]
    env = {
        "PATH": f"{h.bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(h.repo.parent), "STUB_LOG": str(h.log), "STUB_REPLIES": str(h.replies),
        **{k: str(v) for k, v in data["variables"].items()},
        "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": source, "CI_API_V4_URL": "https://gl/api/v4",
        "CI_PROJECT_ID": "5", "CI_MERGE_REQUEST_IID": "3", "CI_COMMIT_SHORT_SHA": "abc1234",
        "CI_DEFAULT_BRANCH": "main", "CI_PIPELINE_URL": "https://gl/p/1",
        "GITLAB_API_TOKEN": "glpat-stub",
        "ASSISTANTS_ENDPOINT": handle.base_url, "OPENAI_API_KEY": "sk-workflows", **NO_WAIT,
    }
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           "\n".join(lines)], cwd=h.repo, env=env, capture_output=True,
                          text=True, timeout=120)


def test_every_job_of_the_gitlab_pipeline(harness):
    handle, h = harness
    h.reply("curl", "[]")
    for name in ("validate", "plan"):
        job = run_gitlab_job(h, handle, name, "merge_request_event")
        assert job.returncode == 0, job.stdout + job.stderr
    assert (h.repo / "note.md").read_text().startswith("<!-- assistants-plan -->\n### Plan: 5 to")
    calls = h.stub_calls()
    # the tool itself, from where the team gets it (not a package index name it may not own)
    assert calls[0] == ("pip install --disable-pip-version-check assistants-reconciler @ "
                        "git+https://github.com/acme/assistants-reconciler@v0.1.0")
    assert calls[-1].startswith("curl -sSf -X POST --header PRIVATE-TOKEN: glpat-stub "
                                "--data-urlencode body@note.md https://gl/api/v4/projects/5/"
                                "merge_requests/3/notes")
    for name in ("validate", "apply"):
        job = run_gitlab_job(h, handle, name, "push")
        assert job.returncode == 0, job.stdout + job.stderr
    assert "Apply: 5 created" in job.stdout
    assert run_gitlab_job(h, handle, "drift", "schedule").returncode == 0
    ident = managed(handle)["data-analyst"]["id"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"name": "Renamed by hand"})
    h.stub_calls()
    drifted = run_gitlab_job(h, handle, "drift", "schedule")
    assert drifted.returncode == 0, drifted.stdout + drifted.stderr
    assert "assistants drift exited 2" in drifted.stdout
    assert "--data-urlencode labels=assistants-drift" in h.stub_calls()[-1]
    assert "Renamed by hand" in (h.repo / "issue.md").read_text()


def test_the_pre_commit_hook_validates_the_copied_repository(tmp_path):
    hooks = yaml.safe_load((EXAMPLES.parent / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "assistants-validate")
    config = yaml.safe_load((EXAMPLES / ".pre-commit-config.yaml").read_text())
    args = next(h for r in config["repos"] for h in r["hooks"]
                if h["id"] == "assistants-validate")["args"]
    assert hook["pass_filenames"] is False
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    command = " ".join([hook["entry"], *args])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("HR_VECTOR_STORE", None)
    ok = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, "Valid: 4 assistants and 1 agent in .\n"), ok.stderr
    (repo / "prompts" / "contract-extractor.md").unlink()
    bad = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True,
                         text=True)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: assistants/contract-extractor.yaml:")
