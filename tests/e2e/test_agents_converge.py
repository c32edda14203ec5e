"""Saved agents converge end to end against `assistants serve` in each defaults dialect
(`published`, `shifted`, `unresolved`: assistants/local/agent_rules.py): plan, apply, and the
next plan has nothing to do, for an agent with every tool type and setting and for one that
omits everything the server resolves; removing a resolved setting from a document sends `null`
for it, and the plan after that has nothing to do either. One server per dialect, each test
its own owner."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.agent_docs import (
    SETTINGS,
    agent_writes,
    bare_agent,
    by_key,
    env_for,
    full_agent,
    live_agents,
    project,
    write_doc,
)
from tests.support.agents import AGENT_DIALECTS
from tests.support.cli import run_cli
from tests.support.server import ServerHandle, start_server

_owners = itertools.count()


@pytest.fixture(scope="module", params=AGENT_DIALECTS)
def dialect_server(request, tmp_path_factory) -> Iterator[ServerHandle]:
    """`assistants serve --agent-defaults DIALECT`, shared by the module's tests."""
    handle = start_server(tmp_path_factory.mktemp(f"serve-{request.param}"),
                          agent_defaults=request.param)
    yield handle
    handle.stop()


@pytest.fixture
def owner() -> str:
    return f"conv{next(_owners)}"


def plan(folder: Path, env: dict[str, str], *args: str):
    return run_cli(["plan", str(folder), "--detailed-exitcode", *args], env=env, cwd=folder)


def apply(folder: Path, env: dict[str, str], *args: str) -> None:
    done = run_cli(["apply", str(folder), "--auto-approve", *args], env=env, cwd=folder)
    assert done.exit_code == 0, done.output


def assert_converged(folder: Path, env: dict[str, str], matching: str) -> None:
    again = plan(folder, env)
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == f"No changes. {matching} the config.", again.stdout


def test_an_agent_with_every_tool_and_setting_converges(dialect_server, owner, tmp_path):
    env = env_for(dialect_server, owner)
    folder = project(tmp_path / "cfg")
    write_doc(folder, "support.yaml", full_agent("support-acme"))
    first = plan(folder, env)
    assert first.exit_code == 2, first.output
    assert "+ agent support-acme" in first.stdout
    apply(folder, env)
    live = by_key(live_agents(dialect_server), owner)["support-acme"]
    assert [t["type"] for t in live["tools"]] == [
        "function", "tool_search", "programmatic_tool_calling", "mcp", "mcp", "web_search",
        "computer_use"]
    assert live["text"]["format"]["type"] == "json_schema"
    assert (live["service_tier"], live["reasoning"]["effort"]) == ("flex", "high")
    assert_converged(folder, env, "1 agent matches")


def test_an_agent_that_omits_the_resolved_settings_converges(dialect_server, owner, tmp_path):
    env = env_for(dialect_server, owner)
    folder = project(tmp_path / "cfg")
    write_doc(folder, "bare.yaml", bare_agent("bare-reasoner"),
              bare_agent("bare-plain", model="gpt-4.1", tools=False))
    apply(folder, env)
    created = agent_writes(dialect_server.log_entries())
    sent = [e["body"] for e in created if e["body"] and "bare" in json.dumps(e["body"])]
    assert sent and all(not set(SETTINGS) & set(body) for body in sent), sent
    assert_converged(folder, env, "2 agents match")


def test_settings_written_in_part_converge(dialect_server, owner, tmp_path):
    """Each setting written without the part the server fills in: an effort, a verbosity, a
    number of subagents."""
    env = env_for(dialect_server, owner)
    folder = project(tmp_path / "cfg")
    write_doc(folder, "partial.yaml", {
        **bare_agent("partial", tools=False),
        "reasoning": {"summary": "concise"},
        "text": {"format": {"type": "json_schema", "schema_file": "schemas/answer.json"}},
        "multi_agent": {"enabled": True},
    })
    apply(folder, env)
    assert_converged(folder, env, "1 agent matches")


def with_setting_removed(doc: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != field}


@pytest.mark.parametrize("field", SETTINGS)
def test_removing_a_resolved_setting_sends_null_and_converges(dialect_server, owner, tmp_path,
                                                              field):
    env = env_for(dialect_server, owner)
    folder = project(tmp_path / "cfg")
    doc = with_setting_removed(full_agent("resetting"), "tools")  # tools: tested above
    write_doc(folder, "a.yaml", doc)
    apply(folder, env)
    write_doc(folder, "a.yaml", with_setting_removed(doc, field))
    saved = folder / "plan.json"
    planned = run_cli(["plan", str(folder), "--out", str(saved), "--detailed-exitcode"],
                      env=env, cwd=folder)
    assert planned.exit_code == 2, planned.output
    assert "~ agent resetting" in planned.stdout
    (change,) = json.loads(saved.read_text())["changes"]
    assert (change["kind"], change["body"].get(field, "absent")) == ("agent", None)
    before = len(dialect_server.log_entries())
    done = run_cli(["apply", "--plan", str(saved)], env=env, cwd=folder)
    assert done.exit_code == 0, done.output
    (update,) = [e for e in agent_writes(dialect_server.log_entries()[before:])
                 if e["method"] == "POST"]
    assert field in update["body"] and update["body"][field] is None, update["body"]
    live = by_key(live_agents(dialect_server), owner)["resetting"]
    assert "set=" in live["metadata"]["managed-by"]
    assert field not in live["metadata"]["managed-by"].partition("set=")[2].split(",")
    assert_converged(folder, env, "1 agent matches")
