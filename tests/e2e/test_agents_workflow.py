"""Saved agents through every command end to end against one `assistants serve` (published
defaults), each test its own owner: plan text and JSON name the kind, saved plans apply and a
stale one is refused, drift sees an out-of-band edit, prune deletes exactly one agent and no
assistant, a fleet from a CSV, the same key as an assistant and as an agent side by side;
import then plan only adds the marker (on a server of its own, as `import --all` takes
everything)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from reconciler.marker import live_marker
from tests.support.agent_docs import (
    agent_writes,
    agents_client,
    by_key,
    env_for,
    full_agent,
    live_agents,
    project,
    update_agent,
    write_doc,
)
from tests.support.cli import Run, run_cli
from tests.support.server import ServerHandle, start_server

_owners = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerHandle]:
    handle = start_server(tmp_path_factory.mktemp("serve-agents"))
    yield handle
    handle.stop()


@pytest.fixture
def owner() -> str:
    return f"flow{next(_owners)}"


def cli(folder: Path, env: dict[str, str], *args: str) -> Run:
    return run_cli(list(args), env=env, cwd=folder)


def applied(folder: Path, env: dict[str, str], *args: str) -> Run:
    done = cli(folder, env, "apply", ".", "--auto-approve", *args)
    assert done.exit_code == 0, done.output
    return done


def agent(key: str, **fields: object) -> dict[str, object]:
    return {"kind": "agent", "key": key, "model": "gpt-4.1", "name": f"Agent {key}", **fields}


def assistant(key: str, **fields: object) -> dict[str, object]:
    return {"key": key, "model": "gpt-4o", "name": f"Assistant {key}", **fields}


def test_plan_text_and_json_name_the_kind(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "support.yaml", full_agent("support-acme"), assistant("hr-helper"))
    text = cli(folder, env, "plan", ".")
    assert text.exit_code == 0, text.output
    assert "  + agent support-acme  support.yaml:1" in text.stdout
    assert "  + hr-helper  support.yaml:" in text.stdout  # the default kind is not named
    as_json = cli(folder, env, "plan", ".", "--format", "json")
    changes = {c["key"]: c for c in json.loads(as_json.stdout)["changes"]}
    assert (changes["support-acme"]["kind"], changes["hr-helper"]["kind"]) == (
        "agent", "assistant")
    body = changes["support-acme"]["body"]
    assert [t["type"] for t in body["tools"]] == [  # sent in the user's order
        "function", "tool_search", "programmatic_tool_calling", "mcp", "mcp", "web_search",
        "computer_use"]
    assert body["text"]["format"]["schema"]["required"] == ["answer"]  # from schema_file
    markdown = cli(folder, env, "plan", ".", "--format", "markdown").stdout
    assert "| + create | agent `support-acme` |" in markdown
    assert "<summary><code>+ agent support-acme</code></summary>" in markdown


def test_a_saved_plan_of_agents_applies_and_a_stale_one_is_refused(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "a.yaml", agent("saved-one"), agent("saved-two"))
    assert cli(folder, env, "plan", ".", "--out", "plan.json").exit_code == 0
    done = cli(folder, env, "apply", "--plan", "plan.json")
    assert done.exit_code == 0, done.output
    assert "Apply: 2 created, 0 updated, 0 deleted, 0 failed." in done.stdout
    assert cli(folder, env, "plan", ".", "--detailed-exitcode").exit_code == 0

    write_doc(folder, "a.yaml", agent("saved-one", instructions="Be brief."),
              agent("saved-two"))
    assert cli(folder, env, "plan", ".", "--out", "plan.json").exit_code == 0
    target = by_key(live_agents(server), owner)["saved-one"]
    update_agent(server, target["id"], {"name": "Edited by hand"})
    before = len(server.log_entries())
    refused = cli(folder, env, "apply", "--plan", "plan.json")
    assert refused.exit_code == 1, refused.output
    assert f"agent saved-one ({target['id']}) changed on the server since the plan" in (
        refused.stderr), refused.stderr
    assert agent_writes(server.log_entries()[before:]) == []


def test_a_moved_updated_at_alone_does_not_make_a_saved_plan_stale(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "a.yaml", agent("touched"))
    applied(folder, env)
    write_doc(folder, "a.yaml", agent("touched", instructions="Be brief."))
    assert cli(folder, env, "plan", ".", "--out", "plan.json").exit_code == 0
    target = by_key(live_agents(server), owner)["touched"]
    touched = update_agent(server, target["id"], {"name": target["name"]})  # same values
    assert touched["updated_at"] > target["updated_at"]
    done = cli(folder, env, "apply", "--plan", "plan.json")
    assert done.exit_code == 0, done.output
    assert "Apply: 0 created, 1 updated, 0 deleted, 0 failed." in done.stdout


def test_drift_sees_an_agent_edited_out_of_band(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "a.yaml", agent("drifty", instructions="Answer briefly."),
              agent("steady"))
    applied(folder, env)
    assert cli(folder, env, "drift", ".").exit_code == 0
    target = by_key(live_agents(server), owner)["drifty"]
    sdk = OpenAI(base_url=server.base_url, api_key="sk-agents", max_retries=0)
    sdk.beta.agents.update(target["id"], name="Renamed by hand",
                           instructions="Answer at length.")
    drift = cli(folder, env, "drift", ".")
    assert drift.exit_code == 2, drift.output
    assert (f"  ~ agent drifty ({target['id']}) differs from a.yaml:1 (server -> config):"
            in drift.stdout), drift.stdout
    assert 'name: "Renamed by hand" -> "Agent drifty"' in drift.stdout
    assert drift.stdout.splitlines()[-1].startswith(  # (other tests' owners follow)
        "Drift: 1 changed on the server, 0 missing from the server, 0 not in the config; "
        "1 in sync.")
    report = json.loads(cli(folder, env, "drift", ".", "--format", "json").stdout)
    (changed,) = report["changed"]
    assert (changed["kind"], changed["key"], changed["fields"]) == (
        "agent", "drifty", ["name", "instructions"])


def test_prune_deletes_exactly_one_agent_and_no_assistant(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "assistants.yaml", assistant("shared"), assistant("solo"))
    write_doc(folder, "keep.yaml", agent("shared"), agent("keeper"))
    write_doc(folder, "gone.yaml", agent("retired"))
    applied(folder, env)
    retired = by_key(live_agents(server), owner)["retired"]
    (folder / "gone.yaml").unlink()
    kept = cli(folder, env, "plan", ".")
    assert (f"  ! agent retired ({retired['id']}): not in the config; --prune deletes it"
            in kept.stdout), kept.stdout
    kept_md = cli(folder, env, "plan", ".", "--format", "markdown")
    assert f"- agent `retired` ({retired['id']}): not in the config" in kept_md.stdout
    planned = cli(folder, env, "plan", ".", "--prune")
    assert f"  - agent retired ({retired['id']})" in planned.stdout, planned.stdout
    assert "Plan: 0 to create, 0 to update, 1 to delete, 4 unchanged." in planned.stdout
    before = len(server.log_entries())
    applied(folder, env, "--prune", "--max-deletes", "1")
    deletes = [e for e in server.log_entries()[before:] if e["method"] == "DELETE"]
    assert [e["path"] for e in deletes] == [f"/v1/agents/{retired['id']}"]
    assert set(by_key(live_agents(server), owner)) == {"shared", "keeper"}
    with server.client() as client:
        live = client.get("/assistants", params={"limit": 100}).json()["data"]
    assert sorted(m.key for a in live if (m := live_marker(a)) and m.owner == owner) == [
        "shared", "solo"]
    assert cli(folder, env, "plan", ".", "--prune", "--detailed-exitcode").exit_code == 0


def test_a_fleet_of_agents_from_a_csv_is_created_then_unchanged(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    rows = ["tenant,region,tier"] + [f"t{i:02},{'eu' if i % 2 else 'us'},"
                                     f"{'flex' if i % 3 else 'priority'}" for i in range(12)]
    (folder / "tenants.csv").write_text("\n".join(rows) + "\n")
    write_doc(folder, "fleet.yaml", {
        "kind": "agent", "key": "support-${each.tenant}", "for_each_file": "tenants.csv",
        "model": "gpt-5", "name": "Support (${each.tenant})",
        "metadata": {"tenant": "${each.tenant}", "region": "${each.region}"},
        "service_tier": "${each.tier}",
        "tools": [{"type": "web_search", "location": {"country": "${each.region}"}}]})
    first = cli(folder, env, "plan", ".")
    assert "Plan: 12 to create, 0 to update, 0 to delete, 0 unchanged." in first.stdout, (
        first.output)
    assert "  + agent support-t03  fleet.yaml:1[row 5]" in first.stdout
    applied(folder, env)
    live = by_key(live_agents(server), owner)
    assert sorted(live) == [f"support-t{i:02}" for i in range(12)]
    assert (live["support-t03"]["service_tier"], live["support-t03"]["metadata"]["region"]) == (
        "priority", "eu")
    again = cli(folder, env, "plan", ".", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "No changes. 12 agents match the config."


def test_one_key_as_an_assistant_and_as_an_agent_lives_side_by_side(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "twins.yaml", assistant("support-acme"), agent("support-acme"))
    done = applied(folder, env, "--ids-out", "ids.json")
    assert "Apply: 2 created, 0 updated, 0 deleted, 0 failed." in done.stdout, done.stdout
    ids = json.loads((folder / "ids.json").read_text())
    assert sorted(ids) == ["agent:support-acme", "support-acme"]
    assert ids["agent:support-acme"].startswith("agent_")
    assert ids["support-acme"].startswith("asst_")
    assert by_key(live_agents(server), owner)["support-acme"]["id"] == ids["agent:support-acme"]
    again = cli(folder, env, "plan", ".", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == (
        "No changes. 1 assistant and 1 agent match the config.")
    rerun = applied(folder, env, "--ids-out", "ids2.json")
    assert json.loads((folder / "ids2.json").read_text()) == ids, rerun.output


def test_import_then_plan_only_adds_the_marker(serve, tmp_path):
    handle = serve()
    sdk = OpenAI(base_url=handle.base_url, api_key="sk-agents", max_retries=0)
    made = [
        sdk.beta.agents.create(model="gpt-5", name="Imported one", instructions="Hi.\n",
                               tools=[{"type": "web_search", "location": {"city": "Oslo"}},
                                      {"type": "mcp", "server_label": "t", "transport": {
                                          "type": "http", "server_url": "https://x.test/mcp"}},
                                      {"type": "computer_use"}],
                               reasoning={"effort": "low"}, service_tier="flex"),
        sdk.beta.agents.create(model="gpt-4.1", metadata={"team": "x"}),
        sdk.beta.agents.create(model="gpt-5", name="Structured", text={
            "format": {"type": "json_schema", "schema": {"type": "object"}},
            "verbosity": "low"}, multi_agent={"enabled": True}),
    ]
    with agents_client(handle) as client:  # and an assistant, which --kind agent leaves out
        client.post("/assistants", json={"model": "gpt-4o", "name": "Not an agent"},
                    headers={"OpenAI-Beta": "assistants=v2"})
    env = env_for(handle, "importer")
    imported = run_cli(["import", "--kind", "agent", "--all", "--out", "imp"], env=env,
                       cwd=tmp_path)
    assert imported.exit_code == 0, imported.output
    assert "Imported 3 agents into imp." in imported.stdout
    assert cli(tmp_path, env, "validate", "imp").exit_code == 0
    planned = cli(tmp_path, env, "plan", "imp", "--format", "json")
    assert planned.exit_code == 0, planned.output
    changes = json.loads(planned.stdout)["changes"]
    assert sorted(c["id"] for c in changes) == sorted(a.id for a in made)
    assert {(c["kind"], c["action"], tuple(c["fields"])) for c in changes} == {
        ("agent", "update", ("metadata",))}
    applied(tmp_path / "imp", env)
    assert cli(tmp_path, env, "plan", "imp", "--detailed-exitcode").exit_code == 0


def test_a_plan_reads_only_the_collections_its_documents_or_prune_need(server, owner, tmp_path):
    env = env_for(server, owner)
    folder = project(tmp_path)
    write_doc(folder, "a.yaml", agent("lonely"))

    def listed(*args: str) -> list[str]:
        before = len(server.log_entries())
        assert cli(folder, env, "plan", ".", *args).exit_code == 0
        return sorted({e["path"] for e in server.log_entries()[before:]})

    assert listed() == ["/v1/agents"]
    assert listed("--prune") == ["/v1/agents", "/v1/assistants"]
    write_doc(folder, "a.yaml", assistant("lonely"))
    assert listed() == ["/v1/assistants"]
