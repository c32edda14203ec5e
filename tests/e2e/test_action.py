"""The GitHub Action (action.yml), run step by step in bash against `assistants serve`: what a
workflow sees in the outputs, the step summary and the files, through a team's sequence (plan,
apply the reviewed plan, drift, a hand edit). `pip` is a stub that records its arguments (the
wheel test installs for real); the `assistants` it would install is this repository's."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from reconciler.marker import live_marker
from tests.support.action import REPO, load_action, run_action

EXAMPLES = REPO / "examples"
PIP_STUB = '#!/usr/bin/env bash\nprintf \'%s\\n\' "pip $*" >> "$PIP_LOG"\n'


@pytest.fixture
def job(serve, tmp_path):
    """(server, repository copy, run(inputs) -> ActionRun, pip log) for one job."""
    handle = serve()
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pip").write_text(PIP_STUB)
    (bin_dir / "pip").chmod(0o755)
    pip_log = tmp_path / "pip.log"
    runner = tmp_path / "runner"
    env = {
        "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                 os.environ["PATH"]]),
        "PYTHONPATH": str(REPO), "HOME": str(tmp_path), "PIP_LOG": str(pip_log),
        "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "ASSISTANTS_ENDPOINT": handle.base_url, "OPENAI_API_KEY": "sk-action-test",
    }

    def run(**inputs: str):
        summary = runner / "summary"
        if summary.exists():
            summary.write_text("")
        return run_action({k.replace("_", "-"): v for k, v in inputs.items()}, cwd=repo,
                          env=env, workdir=runner)

    return handle, repo, run, pip_log


def summary_of(job_dir: Path) -> str:
    return (job_dir / "runner" / "summary").read_text()


def managed(handle) -> dict[str, dict]:
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    return {live_marker(a).key: a for a in data if live_marker(a)}


def test_the_action_declares_its_inputs_and_outputs_and_installs_from_its_checkout():
    spec = load_action()
    assert spec["runs"]["using"] == "composite"
    assert {"command", "path", "env", "args", "plan-file"} <= set(spec["inputs"])
    assert spec["inputs"]["command"]["required"] is True
    assert {"exit-code", "changes", "plan-file"} <= set(spec["outputs"])
    scripts = "\n".join(s.get("run", "") for s in spec["runs"]["steps"])
    assert 'pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"' in scripts
    assert "${{" not in scripts


def test_plan_apply_and_drift_through_the_action(job, tmp_path):
    handle, repo, run, pip_log = job

    valid = run(command="validate")
    assert valid.ok, valid.log()
    assert valid.outputs == {"exit-code": "0", "changes": "false", "plan-file": "", "report": ""}
    assert pip_log.read_text().splitlines() == [f"pip install --disable-pip-version-check {REPO}"]

    planned = run(command="plan", args="--prune")
    assert planned.ok, planned.log()
    assert planned.outputs == {"exit-code": "2", "changes": "true", "plan-file": "plan.json",
                               "report": "plan.md"}
    assert json.loads((repo / "plan.json").read_text())["summary"]["create"] == 5
    assert summary_of(tmp_path).startswith("### Plan: 5 to create, 0 to update")
    assert (repo / "plan.md").read_text() == summary_of(tmp_path)
    assert "Plan: 5 to create" in planned.steps[-1][1].stdout  # the text plan, in the log
    assert len(pip_log.read_text().splitlines()) == 1, "installed once per job"
    assert managed(handle) == {}

    applied = run(command="apply", plan_file="plan.json", args="--ids-out ids.json")
    assert applied.ok, applied.log()
    assert applied.outputs == {"exit-code": "0", "changes": "true", "plan-file": "plan.json",
                               "report": ""}
    keys = {"contract-extractor", "data-analyst", "hr-helper", "it-service-desk"}
    assert set(managed(handle)) == keys
    assert set(json.loads((repo / "ids.json").read_text())) == {*keys, "agent:it-triage"}
    summary = summary_of(tmp_path)
    assert summary.startswith("### Apply: 5 created, 0 updated, 0 deleted, 0 failed.")
    assert "Journal: `.assistants/history/" in summary

    again = run(command="plan")
    assert again.outputs["exit-code"] == "0" and again.outputs["changes"] == "false"

    in_sync = run(command="drift")
    assert in_sync.ok and in_sync.outputs["changes"] == "false", in_sync.log()
    ident = managed(handle)["hr-helper"]["id"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"temperature": 0.9})
    drifted = run(command="drift")
    assert drifted.ok, drifted.log()
    assert drifted.outputs == {"exit-code": "2", "changes": "true", "plan-file": "",
                               "report": "drift.md"}
    assert "Drift: 1 changed on the server" in summary_of(tmp_path)
    assert "temperature: 0.9 -> 0.2" in (repo / "drift.md").read_text()

    fresh = run(command="apply")  # no plan-file: the config, applied afresh
    assert fresh.ok and fresh.outputs["changes"] == "true", fresh.log()
    assert "### Apply: 0 created, 1 updated" in summary_of(tmp_path)
    assert run(command="drift").outputs["exit-code"] == "0"


def test_errors_fail_the_step_and_still_set_the_exit_code(job):
    _, repo, run, _ = job
    wrong = run(command="destroy")
    assert not wrong.ok
    assert wrong.outputs["exit-code"] == "1"
    assert "::error::the command input must be plan, apply, drift or validate" in \
        wrong.steps[-1][1].stdout

    doc = repo / "assistants" / "hr-helper.yaml"
    doc.write_text(doc.read_text().replace("model: gpt-4o", "model: [gpt-4o]"))
    broken = run(command="plan")
    assert not broken.ok
    assert broken.outputs == {"exit-code": "1", "changes": "false", "plan-file": "plan.json",
                              "report": "plan.md"}
    assert "::error file=assistants/hr-helper.yaml" in broken.steps[-1][1].stderr


def test_the_env_input_selects_the_environment(job):
    _, repo, run, _ = job
    doc = repo / "assistants" / "hr-helper.yaml"
    doc.write_text(doc.read_text().replace("metadata:\n", "metadata:\n  stage: ${ASSISTANTS_ENV}\n",
                                           1))
    assert "stage: ${ASSISTANTS_ENV}" in doc.read_text()
    without = run(command="validate")
    assert without.outputs["exit-code"] == "1"
    assert "ASSISTANTS_ENV" in without.steps[-1][1].stderr
    staging = run(command="validate", env="staging")
    assert staging.ok and staging.outputs["exit-code"] == "0", staging.log()


def test_the_workflow_in_docs_ci_uses_the_action_in_under_20_lines():
    text = (REPO / "docs" / "ci.md").read_text()
    section = text.split("## The GitHub Action", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert len(block.splitlines()) < 20
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["plan"]["steps"]
    ours = [s for s in steps if s["uses"].split("@")[0].endswith("/assistants-reconciler")]
    assert len(ours) == 1
    assert set(ours[0]["with"]) <= set(load_action()["inputs"])
    assert ours[0]["with"]["command"] == "plan"
