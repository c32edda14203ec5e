"""What a pipeline reads from the tool, against `assistants serve`: JSON documents alone on
stdout (`validate`, `apply`, `rollback`, `show`), a saved plan shown again without a request,
a keyless loopback server, a wrong base path named as such, and each command offering only the
options it uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reconciler.marker import live_marker
from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEYS = {"contract-extractor", "data-analyst", "hr-helper", "it-service-desk"}


def env_for(handle, **extra: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-pipelines", "ASSISTANTS_ENDPOINT": handle.base_url, **extra}


def live(handle) -> dict[str, dict]:
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    return {live_marker(a).key: a for a in data if live_marker(a)}


def test_validate_json_holds_the_verdict_and_every_problem(tmp_path):
    good = run_cli(["validate", str(EXAMPLES), "--format", "json"])
    assert good.exit_code == 0
    assert json.loads(good.stdout) == {"valid": True, "assistants": 4, "agents": 1,
                                       "problems": []}

    (tmp_path / "bad.yaml").write_text("key: a\nmodel: [x]\ninstruction: hi\n")
    bad = run_cli(["validate", ".", "--format", "json"], cwd=tmp_path)
    assert bad.exit_code == 1
    doc = json.loads(bad.stdout)  # stdout is the document alone
    assert doc["valid"] is False and doc["assistants"] == 0
    assert [(p["file"], p["line"], p["column"], p["env"]) for p in doc["problems"]] == [
        ("bad.yaml", 2, 8, None), ("bad.yaml", 3, 1, None)]
    assert "did you mean `instructions`" in doc["problems"][1]["message"]
    assert bad.stderr.startswith("error: bad.yaml:2:8: ")  # the log still says it


def test_apply_json_gives_outcomes_ids_summary_and_journal(serve, tmp_path):
    handle = serve()
    shutil.copytree(EXAMPLES, tmp_path / "config")
    result = run_cli(["apply", "config", "--auto-approve", "--format", "json"],
                     env=env_for(handle), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    ids = {key: a["id"] for key, a in live(handle).items()}
    assert {(o["action"], o["key"], o["id"], o["ok"]) for o in doc["outcomes"]
            if o["id"].startswith("asst_")} == {
        ("create", key, ident, True) for key, ident in ids.items()}
    assert set(ids) == KEYS
    assert [(o["kind"], o["key"], o["id"][:6]) for o in doc["outcomes"]
            if not o["id"].startswith("asst_")] == [("agent", "it-triage", "agent_")]
    assert {o["kind"] for o in doc["outcomes"] if o["id"].startswith("asst_")} == {"assistant"}
    assert doc["summary"] == {"created": 5, "updated": 0, "deleted": 0, "second_copies_deleted": 0,
                              "failed": 0}
    assert doc["ok"] is True and doc["endpoint"] == handle.base_url
    journal = json.loads((tmp_path / doc["journal"]).read_text())
    assert journal["kind"] == "apply-journal"
    assert "Plan: 5 to create" in result.stderr and "Apply: 5 created" in result.stderr

    rollback = run_cli(["rollback", doc["journal"], "--out", "back.json", "--format", "json"],
                       env=env_for(handle), cwd=tmp_path)
    assert rollback.exit_code == 0, rollback.stderr
    assert rollback.stdout == (tmp_path / "back.json").read_text()
    assert json.loads(rollback.stdout)["summary"]["delete"] == 5
    assert "Saved the rollback plan to back.json" in rollback.stderr


def test_apply_json_reports_a_failed_change_and_exits_1(serve, tmp_path):
    handle = serve(models="gpt-4o,gpt-4o-mini")  # the examples also name o3-mini and another
    shutil.copytree(EXAMPLES, tmp_path / "config")
    result = run_cli(["apply", "config", "--auto-approve", "--format", "json"],
                     env=env_for(handle), cwd=tmp_path)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    failed = {o["key"]: o["message"] for o in doc["outcomes"] if not o["ok"]}
    assert set(failed) == {"contract-extractor", "data-analyst", "it-triage"}  # gpt-5-mini too
    assert "The model `o3-mini` does not exist or you do not have access to it." in \
        failed["data-analyst"]
    assert doc["summary"]["failed"] == 3 and doc["ok"] is False


def test_show_renders_a_saved_plan_again_without_a_request(serve, tmp_path):
    handle = serve()
    shutil.copytree(EXAMPLES, tmp_path / "config")
    env = env_for(handle)
    text = run_cli(["plan", "config", "--out", "plan.json", "--no-color"], env=env, cwd=tmp_path)
    markdown = run_cli(["plan", "config", "--format", "markdown"], env=env, cwd=tmp_path)
    requests = len(handle.log_entries())
    shown = {fmt: run_cli(["show", "plan.json", "--format", fmt], cwd=tmp_path)
             for fmt in ("text", "json", "markdown")}
    assert all(r.exit_code == 0 for r in shown.values())
    # The same lines; a created assistant's fields come in the plan file's (sorted) key order.
    assert sorted(shown["text"].stdout.splitlines()) == sorted(
        text.stdout.rsplit("Saved the plan", 1)[0].splitlines())
    assert shown["text"].stdout.endswith("\nPlan: 5 to create, 0 to update, 0 to delete, "
                                         "0 unchanged.\n")
    assert shown["json"].stdout == (tmp_path / "plan.json").read_text()
    assert sorted(shown["markdown"].stdout.splitlines()) == sorted(markdown.stdout.splitlines())
    assert len(handle.log_entries()) == requests, "show reads no server"

    (tmp_path / "not-a-plan.json").write_text("[]")
    bad = run_cli(["show", "not-a-plan.json"], cwd=tmp_path)
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: not-a-plan.json: not a plan file")


def test_a_keyless_loopback_server_needs_no_credential(serve, tmp_path):
    keyless = serve(keyless=True)
    shutil.copytree(EXAMPLES, tmp_path / "config")
    result = run_cli(["plan", "config", "--verbose"],
                     env={"ASSISTANTS_ENDPOINT": keyless.base_url}, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "Plan: 5 to create" in result.stdout
    assert "credentials: none (no credential variable is set and the endpoint is loopback)" \
        in result.stderr

    keyed = serve(api_key="sk-keyed")  # wants a key: the answer says that none was sent
    refused = run_cli(["plan", "config"], env={"ASSISTANTS_ENDPOINT": keyed.base_url},
                      cwd=tmp_path)
    assert refused.exit_code == 1
    assert "HTTP 401" in refused.stderr and "no credential was sent" in refused.stderr

    remote = run_cli(["plan", "config", "--endpoint", "https://gateway.example/v1"],
                     cwd=tmp_path)
    assert remote.exit_code == 1
    assert "no credentials: set PORTKEY_API_KEY" in remote.stderr


def test_a_wrong_base_path_names_the_url_tried_before_any_sunset(serve, tmp_path):
    handle = serve()
    shutil.copytree(EXAMPLES, tmp_path / "config")
    wrong = handle.base_url.replace("/v1", "/api/v1")
    result = run_cli(["plan", "config", "--endpoint", wrong],
                     env={"OPENAI_API_KEY": "sk-pipelines"}, cwd=tmp_path)
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line
    tried = line.index(f"no Assistants API answers at {wrong}/assistants")
    assert tried < line.index("check the base path") < line.index("sunset")


def test_drift_writes_its_report_with_out_and_still_takes_output(serve, tmp_path):
    handle = serve()
    shutil.copytree(EXAMPLES, tmp_path / "config")
    env = env_for(handle)
    assert run_cli(["apply", "config", "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    new = run_cli(["drift", "config", "--format", "json", "--out", "drift.json"], env=env,
                  cwd=tmp_path)
    assert new.exit_code == 0
    assert json.loads((tmp_path / "drift.json").read_text())["drift"] is False
    old = run_cli(["drift", "config", "--output", "drift.txt"], env=env, cwd=tmp_path)
    assert old.exit_code == 0
    assert (tmp_path / "drift.txt").read_text().startswith("Endpoint ")
    assert "warning: --output is deprecated; use --out" in old.stderr
    assert "--output" not in run_cli(["drift", "--help"]).stdout


def test_each_command_lists_only_the_options_it_uses():
    validate = run_cli(["validate", "--help"]).stdout
    for option in ("--endpoint", "--local", "--timeout", "--owner", "--db"):
        assert option not in validate
    assert "--format [text|json]" in validate
    show = run_cli(["show", "--help"]).stdout
    assert "--endpoint" not in show and "--format [text|json|markdown]" in show
    serve = run_cli(["serve", "--help"]).stdout
    assert "--owner" not in serve and "--endpoint" not in serve and "--db" in serve
    plain, testing = serve.split("Testing options:")
    for option in ("--latency-ms", "--fail-rate", "--fail-after-rate", "--rate-limit-every",
                   "--retry-after-ms", "--seed", "--agent-defaults"):
        assert option in testing and option not in plain
    assert "--models" in plain and "--port" in plain
    for command in ("plan", "apply", "drift", "import"):
        assert "--owner" in run_cli([command, "--help"]).stdout
    assert "--out " in run_cli(["rollback", "--help"]).stdout
