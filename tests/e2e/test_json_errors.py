"""`--format json` on a failure (issue 22, item 5): every command prints one JSON document
`{"error": {"type", "message", ...}}` on stdout, exits 1, and keeps the human line on
stderr, so a pipeline parsing stdout always gets JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import Run, run_cli


def project(folder: Path, *, name: str = "Bot", bad: bool = False) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text("owner: json-errors\n")
    model = "model: [not, a, string]" if bad else "model: gpt-4o"
    (folder / "bot.yaml").write_text(f"key: bot\n{model}\nname: {name}\n")
    return folder


def error_of(result: Run) -> dict:
    """The error member of the one JSON document on stdout; the human line is on stderr."""
    assert result.exit_code == 1, result.output
    assert any(line.lower().startswith("error: ") for line in result.stderr.splitlines()), \
        result.stderr
    return json.loads(result.stdout)["error"]  # raises if stdout is not one document


def test_validate_puts_the_error_beside_the_verdict(tmp_path):
    project(tmp_path / "cfg", bad=True)
    result = run_cli(["validate", "cfg", "--format", "json"], cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["valid"] is False
    error = error_of(result)
    assert error["type"] == "config_error"
    assert error["problems"][0]["file"].endswith("bot.yaml")
    assert error["problems"][0]["line"] == 2


@pytest.mark.parametrize("fmt_command", [["plan"], ["drift"], ["apply", "--auto-approve"]])
def test_a_bad_config_is_a_config_error(tmp_path, fmt_command):
    project(tmp_path / "cfg", bad=True)
    error = error_of(run_cli([*fmt_command, "cfg", "--local", "--format", "json"], cwd=tmp_path))
    assert error["type"] == "config_error"
    assert "bot.yaml:2" in error["message"]


def test_plan_and_drift_without_credentials(tmp_path):
    project(tmp_path / "cfg")
    for command in ("plan", "drift"):
        error = error_of(run_cli([command, "cfg", "--format", "json"], cwd=tmp_path))
        assert error["type"] == "credential_error", error


def test_a_refused_server_answer_carries_the_request(serve, tmp_path):
    handle = serve(api_key="sk-right")
    project(tmp_path / "cfg")
    result = run_cli(["drift", "cfg", "--endpoint", handle.base_url, "--format", "json"],
                     env={"OPENAI_API_KEY": "sk-wrong"}, cwd=tmp_path)
    error = error_of(result)
    assert error["type"] == "authentication_error"
    assert (error["method"], error["status"]) == ("GET", 401)
    assert "sk-wrong" not in result.output


def test_apply_of_a_stale_plan_and_of_a_refused_plan(tmp_path):
    project(tmp_path / "cfg")
    assert run_cli(["plan", "cfg", "--local", "--out", "p.json"], cwd=tmp_path).exit_code == 0
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    stale = error_of(run_cli(["apply", "--plan", "p.json", "--format", "json"], cwd=tmp_path))
    assert stale["type"] == "stale_plan_error"
    assert any(r.startswith("bot now exists as") for r in stale["reasons"])
    refused = error_of(run_cli(["apply", "--plan", "p.json", "--endpoint",
                                "http://127.0.0.1:9/v1", "--format", "json"], cwd=tmp_path))
    assert refused["type"] == "plan_error"
    assert "made against local:" in refused["message"]
    usage = error_of(run_cli(["apply", "cfg", "--plan", "p.json", "--format", "json"],
                             cwd=tmp_path))
    assert usage["type"] == "usage_error"


def test_too_many_deletes_names_count_and_limit(tmp_path):
    project(tmp_path / "cfg")
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    (tmp_path / "cfg" / "bot.yaml").unlink()
    (tmp_path / "cfg" / "other.yaml").write_text("key: other\nmodel: gpt-4o\n")
    error = error_of(run_cli(["apply", "cfg", "--local", "--auto-approve", "--prune",
                              "--format", "json"], cwd=tmp_path))
    assert error["type"] == "too_many_deletes_error"
    assert (error["count"], error["limit"]) == (1, 0)


def test_show_rollback_and_import(tmp_path):
    (tmp_path / "junk.json").write_text("{}")
    show = error_of(run_cli(["show", "missing.json", "--format", "json"], cwd=tmp_path))
    assert show["type"] == "plan_error" and "missing.json" in show["message"]
    rollback = error_of(run_cli(["rollback", "junk.json", "--out", "r.json", "--local",
                                 "--format", "json"], cwd=tmp_path))
    assert rollback["type"] == "plan_error" and "junk.json" in rollback["message"]
    imported = error_of(run_cli(["import", "--all", "--format", "json"], cwd=tmp_path))
    assert imported["type"] == "credential_error"


def test_import_format_json_lists_what_it_wrote(tmp_path):
    project(tmp_path / "cfg")
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    result = run_cli(["import", "--all", "--local", "--owner", "json-errors", "--out", "back",
                      "--format", "json"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(i["key"], Path(i["path"]).name) for i in document["imported"]] == [("bot",
                                                                                 "bot.yaml")]
    assert document["imported"][0]["id"].startswith("asst_")
    assert "Imported 1 assistant into back" in result.stderr


def test_an_unreachable_server_is_a_transport_error_with_its_request():
    """(The CLI path is the same as above; an unreachable server is not tried here, as the real
    retry backoff would wait for seconds.)"""
    from assistants.errors import TransportError
    from reconciler.report.error_report import error_document

    err = TransportError("could not connect", method="GET", url="http://127.0.0.1:9/v1/x")
    assert error_document(err) == {"error": {
        "type": "transport_error", "message": "GET http://127.0.0.1:9/v1/x: could not connect",
        "method": "GET", "url": "http://127.0.0.1:9/v1/x", "sent": False}}
