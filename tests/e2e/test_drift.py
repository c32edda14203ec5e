"""`drift` end to end against `assistants serve`: each class of drift with its exit code (a field
changed by hand, with its diff; an assistant deleted by hand, with and without `id:`; this
owner's assistant absent from the config), unmanaged and foreign assistants counted but not
drift, errors exit 1; the JSON and Markdown reports, --output, the GitHub step summary and the
workflow annotations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistants.canonical import MARKER_KEY
from reconciler.marker import live_marker
from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def env_for(handle, **extra: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-drift", "ASSISTANTS_ENDPOINT": handle.base_url, **extra}


def ids_by_key(handle) -> dict[str, str]:
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    return {live_marker(a).key: a["id"] for a in data if live_marker(a)}


@pytest.fixture
def applied(serve, tmp_path):
    """The examples copied to tmp_path/config and applied to a fresh server."""
    handle = serve()
    config = tmp_path / "config"
    shutil.copytree(EXAMPLES, config)
    result = run_cli(["apply", "config", "--auto-approve"], env=env_for(handle), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return handle, tmp_path


def drift(tmp_path, handle, *args: str, **env: str):
    return run_cli(["drift", "config", *args], env=env_for(handle, **env), cwd=tmp_path)


def test_in_sync_exits_0_and_counts_unmanaged_and_foreign_without_drift(applied):
    handle, tmp_path = applied
    with handle.client() as client:
        client.post("/assistants", json={"model": "gpt-4o", "name": "Made by hand"})
        client.post("/assistants", json={"model": "gpt-4o", "metadata": {
            MARKER_KEY: "v1;owner=other-team;key=theirs"}})
    result = drift(tmp_path, handle)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "No drift: 4 assistants and 1 agent match the config. (1 unmanaged, 1 managed by other owners, "
        "not drift.)")
    as_json = drift(tmp_path, handle, "--format", "json")
    assert as_json.exit_code == 0
    doc = json.loads(as_json.stdout)
    assert (doc["drift"], doc["in_sync"], doc["unmanaged"], doc["foreign"]) == (False, 5, 1, 1)
    assert doc["changed"] == doc["missing"] == doc["not_in_config"] == []


def test_a_field_changed_by_hand_is_drift_with_its_diff(applied):
    handle, tmp_path = applied
    ident = ids_by_key(handle)["hr-helper"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"temperature": 0.9,
                                                  "instructions": "Be brief.\n"})
    result = drift(tmp_path, handle)
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert (f"  ~ hr-helper ({ident}) differs from config/assistants/hr-helper.yaml:2 "
            "(server -> config):") in out
    assert "temperature: 0.9 -> 0.2" in out
    assert "-     Be brief." in out
    assert "+     You are Acme's HR assistant. Answer questions about leave, benefits, expenses and" in out
    assert out.splitlines()[-1] == ("Drift: 1 changed on the server, 0 missing from the server, "
                                    "0 not in the config; 4 in sync.")
    doc = json.loads(drift(tmp_path, handle, "--format", "json").stdout)
    assert [c["key"] for c in doc["changed"]] == ["hr-helper"]
    assert doc["changed"][0]["fields"] == ["instructions", "temperature"]
    assert doc["changed"][0]["before"]["temperature"] == 0.9


def test_deleted_by_hand_is_drift_without_and_with_id(applied):
    handle, tmp_path = applied
    ids = ids_by_key(handle)
    # it-service-desk is matched by its marker; data-analyst is adopted with an explicit id:
    doc = tmp_path / "config/assistants/data-analyst.yaml"
    doc.write_text(doc.read_text() + f"id: {ids['data-analyst']}\n")
    assert drift(tmp_path, handle).exit_code == 0
    with handle.client() as client:
        for key in ("it-service-desk", "data-analyst"):
            assert client.delete(f"/assistants/{ids[key]}").status_code == 200
    result = drift(tmp_path, handle)
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()
    assert ("  ? it-service-desk (config/assistants/it-service-desk.yaml:2) is missing from the "
            "server") in lines
    assert (f"  ? data-analyst (config/assistants/data-analyst.yaml:2) is missing from the server "
            f"(its `id: {ids['data-analyst']}` is gone: deleted by hand?)") in lines
    assert lines[-1] == ("Drift: 0 changed on the server, 2 missing from the server, 0 not in "
                         "the config; 3 in sync.")
    report = json.loads(drift(tmp_path, handle, "--format", "json").stdout)
    assert report["missing"] == [
        {"key": "data-analyst", "id": ids["data-analyst"],
         "source": "config/assistants/data-analyst.yaml:2"},
        {"key": "it-service-desk", "id": None,
         "source": "config/assistants/it-service-desk.yaml:2"}]


def test_this_owners_assistant_absent_from_the_config_is_drift(applied):
    handle, tmp_path = applied
    ids = ids_by_key(handle)
    (tmp_path / "config/assistants/data-analyst.yaml").unlink()
    (tmp_path / "config/assistants/hr-helper.yaml").unlink()  # protected: still drift
    result = drift(tmp_path, handle)
    assert result.exit_code == 2, result.output
    assert f"  ! data-analyst ({ids['data-analyst']}) is not in the config" in result.stdout
    assert f"  ! hr-helper ({ids['hr-helper']}) is not in the config" in result.stdout
    md = drift(tmp_path, handle, "--format", "markdown")
    assert md.exit_code == 2
    assert md.stdout.startswith("### Drift: 0 changed on the server, 0 missing from the server, "
                                "2 not in the config; 3 in sync.\n")
    assert "#### Not in the config\n\n" in md.stdout
    assert f"- `data-analyst` ({ids['data-analyst']})\n" in md.stdout


def test_errors_exit_1_with_error_annotations_on_github(applied):
    handle, tmp_path = applied
    doc = tmp_path / "config/assistants/hr-helper.yaml"
    doc.write_text(doc.read_text().replace("temperature: 0.2", "temperature: 2.5"))
    result = drift(tmp_path, handle, GITHUB_ACTIONS="true")
    assert result.exit_code == 1
    assert result.stdout == ""
    line = next(i for i, text in enumerate(doc.read_text().splitlines(), 1)
                if text.startswith("temperature"))
    assert (f"::error file=config/assistants/hr-helper.yaml,line={line}::`temperature` must be "
            "between 0 and 2, got 2.5") in result.stderr.splitlines()
    unreachable = run_cli(["drift", "config"], cwd=tmp_path, env={
        "OPENAI_API_KEY": "sk-drift", "ASSISTANTS_ENDPOINT": "http://127.0.0.1:9/v1"})
    assert unreachable.exit_code == 1
    assert unreachable.stderr.startswith("error: ")
    no_key = run_cli(["drift", "config"], cwd=tmp_path,
                     env={"ASSISTANTS_ENDPOINT": handle.base_url})
    assert no_key.exit_code == 1


def test_json_output_file_step_summary_and_warning_annotations(applied):
    handle, tmp_path = applied
    ident = ids_by_key(handle)["it-service-desk"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"temperature": 1.5, "name": "Renamed"})
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    report = tmp_path / "drift.json"
    result = drift(tmp_path, handle, "--format", "json", "--output", str(report),
                   GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)  # stdout holds the document alone
    assert json.loads(report.read_text()) == doc
    assert doc["drift"] is True and doc["changed"][0]["fields"] == ["name", "temperature"]
    text = summary.read_text()
    assert text.startswith("# earlier step\n### Drift: 1 changed on the server")
    assert "<code>it-service-desk</code>" in text and "```diff" in text
    source = (tmp_path / "config/assistants/it-service-desk.yaml").read_text().splitlines()
    name_line = source.index("name: IT Service Desk") + 1
    temp_line = source.index("temperature: 0.3") + 1
    warnings = [x for x in result.stderr.splitlines() if x.startswith("::warning")]
    assert warnings == [
        f"::warning file=config/assistants/it-service-desk.yaml,line={name_line}::"
        f"it-service-desk ({ident}): `name` differs on the server (drift: apply to put it back, "
        "or edit the config to keep it)",
        f"::warning file=config/assistants/it-service-desk.yaml,line={temp_line}::"
        f"it-service-desk ({ident}): `temperature` differs on the server (drift: apply to put it "
        "back, or edit the config to keep it)",
    ]
    # Off GitHub Actions: no annotations, no summary.
    quiet = drift(tmp_path, handle, "--format", "json")
    assert "::warning" not in quiet.stderr


def test_ignore_changes_is_not_drift(applied):
    handle, tmp_path = applied
    ident = ids_by_key(handle)["it-service-desk"]
    with handle.client() as client:
        client.post(f"/assistants/{ident}", json={"description": "Tuned in the dashboard."})
    assert drift(tmp_path, handle).exit_code == 0
