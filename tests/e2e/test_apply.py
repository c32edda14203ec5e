"""Apply end to end against `assistants serve`: convergence under injected faults with one
assistant per key, stale saved plans refused, delete limits, protect, the empty-config guard,
rollback, an apply killed midway, and the ids map."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from assistants.kinds.assistant import canonical
from reconciler.marker import live_marker
from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_KEYS = {"contract-extractor", "data-analyst", "hr-helper", "it-service-desk"}


def env_for(handle) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-apply", "ASSISTANTS_ENDPOINT": handle.base_url}


def live_by_key(handle) -> dict[str, list[dict]]:
    """Every assistant by marker key, read past any injected fault."""
    with handle.client() as client:
        for _ in range(50):
            response = client.get("/assistants", params={"limit": 100, "order": "asc"})
            if response.status_code == 200:
                break
        data = response.json()["data"]
    keys: dict[str, list[dict]] = {}
    for assistant in data:
        marker = live_marker(assistant)
        keys.setdefault(marker.key if marker else "(unmanaged)", []).append(assistant)
    return keys


def copy_examples(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLES, config)
    return config


def writes(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["method"] in ("POST", "DELETE")]


def many_bots(folder: Path, count: int, owner: str) -> Path:
    folder.mkdir()
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n")
    for i in range(count):
        (folder / f"bot-{i:02}.yaml").write_text(f"key: bot-{i:02}\nmodel: gpt-4o\nname: Bot {i}\n")
    return folder


def test_apply_converges_under_faults_with_one_assistant_per_key(serve, tmp_path):
    handle = serve(rate_limit_every=3, retry_after_ms=20, fail_rate=0.2, fail_after_rate=0.5,
                   latency_ms=5, seed=11)
    env = env_for(handle)
    config = many_bots(tmp_path / "bots", 12, "faults")
    runs = []
    for _ in range(4):
        runs.append(run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path))
        if runs[-1].exit_code == 0:
            break
    assert runs[-1].exit_code == 0, [r.output for r in runs]
    counts = {k: len(v) for k, v in live_by_key(handle).items()}
    assert counts == {f"bot-{i:02}": 1 for i in range(12)}
    log = handle.log_entries()
    statuses = Counter(e["status"] for e in log)
    assert statuses[429] > 0 and statuses[500] > 0, "the faults must really have happened"
    uncertain = [e for e in log if (e["method"], e["path"], e["status"]) ==
                 ("POST", "/v1/assistants", 500)]
    assert uncertain, "some creates must have had an unknown outcome"
    final = run_cli(["plan", str(config), "--detailed-exitcode"], env=env)
    assert final.exit_code == 0, final.output


def test_saved_plan_is_refused_after_a_hand_edit_and_writes_nothing(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    assert run_cli(["apply", str(EXAMPLES), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    config = copy_examples(tmp_path)
    doc_path = config / "assistants" / "hr-helper.yaml"
    doc_path.write_text(doc_path.read_text().replace("temperature: 0.2", "temperature: 0.4"))
    plan_file = tmp_path / "plan.json"
    assert run_cli(["plan", str(config), "--out", str(plan_file)], env=env).exit_code == 0
    target = live_by_key(handle)["hr-helper"][0]
    with handle.client() as client:
        client.post(f"/assistants/{target['id']}", json={"name": "Edited by hand"})
    before = len(handle.log_entries())
    refused = run_cli(["apply", "--plan", str(plan_file)], env=env, cwd=tmp_path)
    assert refused.exit_code == 1
    assert f"hr-helper ({target['id']}) changed on the server since the plan" in refused.stderr
    assert writes(handle.log_entries()[before:]) == []


def test_saved_plan_is_refused_when_the_config_changed(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    config = copy_examples(tmp_path)
    plan_file = tmp_path / "plan.json"
    assert run_cli(["plan", str(config), "--out", str(plan_file)], env=env).exit_code == 0
    (config / "prompts" / "contract-extractor.md").write_text("Changed after review.\n")
    refused = run_cli(["apply", "--plan", str(plan_file)], env=env, cwd=tmp_path)
    assert refused.exit_code == 1
    assert "changed since the plan" in refused.stderr
    assert writes(handle.log_entries()) == []


def test_deletes_need_prune_and_stop_at_max_deletes_before_any_write(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    assert run_cli(["apply", str(EXAMPLES), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    config = copy_examples(tmp_path)
    for key in ("data-analyst", "contract-extractor", "it-service-desk"):
        (config / "assistants" / f"{key}.yaml").unlink()
    doc_path = config / "assistants" / "hr-helper.yaml"
    doc_path.write_text(doc_path.read_text().replace("temperature: 0.2", "temperature: 0.1"))

    no_prune = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert no_prune.exit_code == 0
    assert "not in the config; --prune deletes it" in no_prune.stdout
    assert set(live_by_key(handle)) == EXAMPLE_KEYS

    before = len(handle.log_entries())
    too_many = run_cli(["apply", str(config), "--auto-approve", "--prune"], env=env,
                       cwd=tmp_path)
    assert too_many.exit_code == 1
    assert "deletes 3 assistants but --max-deletes is 2" in too_many.stderr  # settings say 2
    assert writes(handle.log_entries()[before:]) == []

    allowed = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "3"],
                      env=env, cwd=tmp_path)
    assert allowed.exit_code == 0, allowed.output
    assert set(live_by_key(handle)) == {"hr-helper"}


def test_protected_assistant_survives_prune(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    config = copy_examples(tmp_path)
    doc_path = config / "assistants" / "hr-helper.yaml"
    doc = yaml.safe_load(doc_path.read_text())
    doc["protect"] = True
    doc_path.write_text(yaml.safe_dump(doc))
    assert run_cli(["apply", str(config), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    doc_path.unlink()
    result = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "9"],
                     env=env, cwd=tmp_path)
    assert result.exit_code == 0
    assert "hr-helper" in live_by_key(handle)
    assert "protected: never deleted" in result.stdout


def test_empty_config_never_deletes(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    assert run_cli(["apply", str(EXAMPLES), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(EXAMPLES / "assistants.project.yaml", empty)
    result = run_cli(["apply", str(empty), "--auto-approve", "--prune", "--max-deletes", "99"],
                     env=env, cwd=tmp_path)
    assert result.exit_code == 0
    assert "the config holds no documents: nothing is deleted" in result.stdout
    assert set(live_by_key(handle)) == EXAMPLE_KEYS


def test_unreadable_config_never_deletes(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    assert run_cli(["apply", str(EXAMPLES), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    config = copy_examples(tmp_path)
    (config / "assistants" / "hr-helper.yaml").write_text("key: [unclosed\n")
    before = len(handle.log_entries())
    result = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "9"],
                     env=env, cwd=tmp_path)
    assert result.exit_code == 1
    assert "hr-helper.yaml:" in result.stderr
    assert handle.log_entries()[before:] == []


def test_apply_off_a_terminal_needs_auto_approve(serve, tmp_path):
    handle = serve()
    result = run_cli(["apply", str(EXAMPLES)], env=env_for(handle), cwd=tmp_path)
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert handle.log_entries() == []


def test_ids_out_maps_every_key_to_its_id(serve, tmp_path):
    handle = serve()
    ids_file = tmp_path / "ids.json"
    result = run_cli(["apply", str(EXAMPLES), "--auto-approve", "--ids-out", str(ids_file)],
                     env=env_for(handle), cwd=tmp_path)
    assert result.exit_code == 0
    ids = json.loads(ids_file.read_text())
    with handle.client() as client:
        agents = client.get("/agents", params={"limit": 100},
                            headers={"OpenAI-Beta": "agents=v1"}).json()["data"]
    assert ids == {**{key: found[0]["id"] for key, found in live_by_key(handle).items()},
                   **{f"agent:{live_marker(a).key}": a["id"] for a in agents}}
    assert ids["agent:it-triage"].startswith("agent_")


def snapshot(handle) -> dict[str, dict]:
    return {key: canonical(found[0]) for key, found in live_by_key(handle).items()}


def test_rollback_restores_every_field_of_every_touched_assistant(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    config = copy_examples(tmp_path)
    assert run_cli(["apply", str(config), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    before = snapshot(handle)

    hr = config / "assistants" / "hr-helper.yaml"
    doc = yaml.safe_load(hr.read_text())
    doc.update(name="HR Bot", temperature=0.9, metadata={"team": "hr"})
    doc.pop("description")
    doc["tools"] = [{"type": "code_interpreter"}]
    doc.pop("tool_resources")
    hr.write_text(yaml.safe_dump(doc))
    (config / "assistants" / "data-analyst.yaml").unlink()
    (config / "assistants" / "new-bot.yaml").write_text("key: new-bot\nmodel: gpt-4o-mini\n")
    changed = run_cli(["apply", str(config), "--auto-approve", "--prune"], env=env, cwd=tmp_path)
    assert changed.exit_code == 0, changed.output
    assert "Apply: 1 created, 1 updated, 1 deleted, 0 failed." in changed.stdout
    journal = sorted((tmp_path / ".assistants" / "history").glob("*.json"))[-1]

    plan_file = tmp_path / "rollback.json"
    planned = run_cli(["rollback", str(journal), "--out", str(plan_file)], env=env, cwd=tmp_path)
    assert planned.exit_code == 0, planned.output
    assert "data-analyst is created again: its id changes" in planned.stdout
    undone = run_cli(["apply", "--plan", str(plan_file), "--max-deletes", "1"], env=env,
                     cwd=tmp_path)
    assert undone.exit_code == 0, undone.output
    assert snapshot(handle) == before


def test_apply_killed_midway_then_rerun_converges_without_duplicates(serve, tmp_path):
    handle = serve(latency_ms=150)
    config = many_bots(tmp_path / "many", 12, "kill-test")
    env = {**os.environ, **env_for(handle)}
    command = [sys.executable, "-m", "reconciler.cli.main", "apply", str(config), "--auto-approve",
               "--concurrency", "1"]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if sum(1 for e in handle.log_entries() if e["method"] == "POST") >= 3:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = live_by_key(handle)
    assert 0 < len(partial) < 12, "the kill must land midway"

    rerun = run_cli(["apply", str(config), "--auto-approve"], env=env_for(handle), cwd=tmp_path)
    assert rerun.exit_code == 0, rerun.output
    counts = {k: len(v) for k, v in live_by_key(handle).items()}
    assert counts == {f"bot-{i:02}": 1 for i in range(12)}
