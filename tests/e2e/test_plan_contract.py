"""The plan's contract end to end: examples converge, a plan reads the world in ⌈N/100⌉ list
requests and nothing else, the same inputs give byte-identical plan files, and no credential
reaches stdout, stderr or the plan."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def env_for(handle, **extra) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-e2e", "ASSISTANTS_ENDPOINT": handle.base_url, **extra}


def test_examples_apply_then_plan_shows_no_change(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    applied = run_cli(["apply", str(EXAMPLES), "--auto-approve"], env=env)
    assert applied.exit_code == 0, applied.output
    assert "Apply: 5 created, 0 updated, 0 deleted, 0 failed." in applied.stdout
    again = run_cli(["plan", str(EXAMPLES), "--detailed-exitcode"], env=env)
    assert again.exit_code == 0, again.output
    assert "No changes. 4 assistants and 1 agent match the config." in again.stdout


def seed(handle, count: int, owner: str | None = None) -> None:
    """Create `count` assistants directly over HTTP (a quarter unmanaged)."""
    with handle.client(timeout=30) as client:
        for i in range(count):
            metadata = {}
            if owner and i % 4:
                metadata["managed-by"] = f"v1;owner={owner};key=seeded-{i}"
            response = client.post("/assistants", json={"model": "gpt-4o", "name": f"A{i}",
                                                          "metadata": metadata})
            assert response.status_code == 200, response.text


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (99, 1), (100, 1), (250, 6)])
def test_plan_reads_the_world_in_one_list_request_per_hundred(serve, tmp_path, count, pages):
    """Up to 100 assistants, one request. Past that the listing runs from both ends; this plan
    creates the examples, so it first reads both ends on to their ends (3 pages each way). The
    examples' agent costs one request more: the (empty) agents' collection, listed beside."""
    handle = serve()
    seed(handle, count)
    before = len(handle.log_entries())
    result = run_cli(["plan", str(EXAMPLES)], env=env_for(handle))
    assert result.exit_code == 0, result.output
    listed = handle.log_entries()[before:]
    agents = [r for r in listed if r["path"] == "/v1/agents"]
    assert len(agents) == 1 and agents[0]["method"] == "GET"
    requests = [r for r in listed if r not in agents]
    assert all(r["method"] == "GET" and r["path"] == "/v1/assistants" for r in requests)
    assert len(requests) == pages
    assert all("limit=100" in r["query"] for r in requests)
    orders = Counter("asc" if "order=asc" in r["query"] else "desc" for r in requests)
    assert orders == Counter({"asc": pages // 2 + pages % 2, "desc": pages // 2})


def test_same_inputs_give_byte_identical_plan_files(serve, tmp_path):
    handle = serve()
    seed(handle, 30, owner="acme-assistants")
    env = env_for(handle)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli(["plan", str(EXAMPLES), "--prune", "--out", str(first)], env=env).exit_code == 0
    assert run_cli(["plan", str(EXAMPLES), "--prune", "--out", str(second)],
                   env=env).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    plan = json.loads(first.read_text())
    assert plan["summary"] == {"create": 5, "update": 0, "delete": 22, "noop": 0}
    assert plan["endpoint"] == handle.base_url


KEYS = {
    "OPENAI_API_KEY": "sk-openai-SECRET-1d9f7c",
    "PORTKEY_API_KEY": "pk-portkey-SECRET-7a1b2c",
    "PORTKEY_PROVIDER": "openai",
    "PORTKEY_PROVIDER_API_KEY": "sk-provider-SECRET-99e2",
}


@pytest.mark.parametrize("profile", ["openai", "portkey"])
def test_no_credential_in_output_or_plan(serve, tmp_path, profile):
    handle = serve()
    creds = ({"OPENAI_API_KEY": KEYS["OPENAI_API_KEY"]} if profile == "openai"
             else {k: v for k, v in KEYS.items() if k.startswith("PORTKEY")})
    # The endpoint itself carries a query string: it may be neither printed nor stored.
    endpoint = handle.base_url + "?key=SECRET-q"
    env = {**creds, "ASSISTANTS_ENDPOINT": endpoint}
    plan_file = tmp_path / "plan.json"
    runs = [
        run_cli(["plan", str(EXAMPLES), "--out", str(plan_file), "--verbose"], env=env),
        run_cli(["apply", "--plan", str(plan_file), "--verbose"], env=env, cwd=tmp_path),
        run_cli(["plan", str(EXAMPLES), "--format", "json", "--verbose"], env=env),
        run_cli(["drift", str(EXAMPLES), "--format", "markdown", "--verbose"], env=env),
    ]
    assert [r.exit_code for r in runs] == [0, 0, 0, 0], [r.output for r in runs]
    texts = [r.output for r in runs] + [plan_file.read_text()]
    texts += [p.read_text() for p in (tmp_path / ".assistants" / "history").glob("*.json")]
    assert len(texts) == 6, "the apply must have written its journal"
    for text in texts:
        assert "SECRET" not in text


def test_missing_credential_is_one_line_naming_the_variable(tmp_path):
    result = run_cli(["plan", str(EXAMPLES)], env={})
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PORTKEY_API_KEY" in lines[0] and "OPENAI_API_KEY" in lines[0]
    assert "Traceback" not in result.output


def test_another_owners_assistant_is_never_touched_without_takeover(serve, tmp_path):
    handle = serve()
    config = tmp_path / "cfg"
    shutil.copytree(EXAMPLES, config)
    with handle.client() as client:
        foreign = client.post("/assistants", json={
            "model": "gpt-4o", "metadata": {"managed-by": "v1;owner=other-team;key=hr-helper"}
        }).json()
    doc = yaml.safe_load((config / "assistants" / "hr-helper.yaml").read_text())
    doc["id"] = foreign["id"]
    (config / "assistants" / "hr-helper.yaml").write_text(yaml.safe_dump(doc))
    refused = run_cli(["plan", str(config)], env=env_for(handle))
    assert refused.exit_code == 1
    assert "other-team" in refused.stderr and "--takeover" in refused.stderr
    taken = run_cli(["plan", str(config), "--takeover", "--format", "json"], env=env_for(handle))
    assert taken.exit_code == 0, taken.output
    change = next(c for c in json.loads(taken.stdout)["changes"] if c["key"] == "hr-helper")
    assert change["action"] == "update" and change["id"] == foreign["id"]


def test_unmanaged_and_foreign_assistants_are_counted_not_planned(serve):
    handle = serve()
    seed(handle, 8, owner="someone-else")
    result = run_cli(["plan", str(EXAMPLES), "--prune", "--format", "json"], env=env_for(handle))
    plan = json.loads(result.stdout)
    assert plan["summary"]["delete"] == 0
    assert (plan["unmanaged"], plan["foreign"]) == (2, 6)


def test_json_format_prints_the_document_alone(serve):
    handle = serve()
    result = run_cli(["plan", str(EXAMPLES), "--format", "json"], env=env_for(handle))
    assert json.loads(result.stdout)["summary"]["create"] == 5


def test_wrong_endpoint_is_explained(tmp_path):
    transport_error = run_cli(["plan", str(EXAMPLES)],
                              env={"OPENAI_API_KEY": "sk-x",
                                   "ASSISTANTS_ENDPOINT": "http://127.0.0.1:9/v1"})
    assert transport_error.exit_code == 1
    assert transport_error.stderr.startswith("error: ")
    assert "Traceback" not in transport_error.output
    assert "127.0.0.1:9" in transport_error.stderr
