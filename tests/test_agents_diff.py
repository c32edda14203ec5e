"""What is sent for a saved agent, row by row (DESIGN "Kinds"): a setting or tool part the
document omits accepts what the server resolved; one it writes is compared as written; one it
removes is reset (a setting: `null`; a part of a tool or setting: the field sent again as
written, for the server to resolve anew). Each row is a document, a live agent as a server holds
it, and the exact body (None: a noop)."""

from __future__ import annotations

from typing import Any

import pytest

from assistants.canonical import MARKER_KEY
from assistants.kinds.agent import AGENT
from reconciler.config.resolved import resolve
from reconciler.kinds.agent import AgentSpec
from reconciler.plan.change import Action
from reconciler.plan.diff import plan_create, plan_update
from reconciler.plan.live import LiveRecord

OWNER = "acme"
PARAMS = {"type": "object", "properties": {"q": {"type": "string"}}}
FUNC = {"type": "function", "name": "lookup", "description": "Find.", "parameters": PARAMS}
SEARCH = {"type": "web_search"}


def doc(**fields: Any) -> Any:
    return resolve(AgentSpec(key="k", model="gpt-5", **fields), "k.yaml:1", OWNER)


def marker_of(**fields: Any) -> str:
    return doc(**fields).written["metadata"][MARKER_KEY]


def live(written_as: dict[str, Any] | None = None, **fields: Any) -> LiveRecord:
    """A live agent as a published server returns it, created from a document with
    `written_as` (its marker) and holding `fields`."""
    obj = {"id": "agent_1", "object": "agent", "created_at": 1, "updated_at": 2,
           "model": "gpt-5", "name": None, "instructions": None,
           "metadata": {MARKER_KEY: marker_of(**(written_as or {}))},
           "tools": [], "reasoning": {"effort": "medium", "summary": None},
           "text": {"format": {"type": "text"}, "verbosity": "medium"},
           "service_tier": "auto", "multi_agent": {"enabled": False,
                                                   "max_concurrent_subagents": None},
           **fields}
    return LiveRecord.of(AGENT, obj)


ROWS: list[tuple[str, dict[str, Any], LiveRecord, dict[str, Any] | None]] = [
    ("omitted settings accept what the server resolved", {},
     live(reasoning={"effort": "high", "summary": "auto"}, service_tier="flex",
          text={"format": {"type": "text"}, "verbosity": "low"},
          multi_agent={"enabled": True, "max_concurrent_subagents": 4}), None),
    ("a written effort is compared as written", {"reasoning": {"effort": "low"}},
     live({"reasoning": {"effort": "low"}}, reasoning={"effort": "high"}),
     {"reasoning": {"effort": "low"}}),
    ("an omitted effort inside written reasoning accepts the model's default",
     {"reasoning": {"summary": "auto"}},
     live({"reasoning": {"summary": "auto"}}, reasoning={"effort": "xhigh", "summary": "auto"}),
     None),
    ("a removed setting is reset with null", {},
     live({"service_tier": "flex"}, service_tier="flex"),
     {"service_tier": None, "metadata": {MARKER_KEY: marker_of()}}),
    ("the published defaults equal a document that writes them",
     {"service_tier": "auto", "text": {"verbosity": "medium"}},
     live({"service_tier": "auto", "text": {"verbosity": "medium"}}), None),
    ("tool defaults a server fills in are accepted", {"tools": [FUNC, SEARCH]},
     live({"tools": [FUNC, SEARCH]},
          tools=[{**FUNC, "defer_loading": False},
                 {**SEARCH, "context_size": "high", "mode": "cached", "location": None,
                  "allowed_domains": None}]), None),
    ("a written tool part is compared as written",
     {"tools": [{**SEARCH, "context_size": "low"}]},
     live({"tools": [{**SEARCH, "context_size": "low"}]},
          tools=[{**SEARCH, "context_size": "high"}]),
     {"tools": [{**SEARCH, "context_size": "low"}]}),
    ("a removed tool part sends the tools again as written", {"tools": [SEARCH]},
     live({"tools": [{**SEARCH, "context_size": "low"}]},
          tools=[{**SEARCH, "context_size": "low"}]),
     {"tools": [SEARCH], "metadata": {MARKER_KEY: marker_of(tools=[SEARCH])}}),
    ("no allowed tool differs from every tool allowed",
     {"tools": [{"type": "mcp", "server_label": "d", "allowed_tools": [],
                 "transport": {"type": "http", "server_url": "https://d"}}]},
     live({"tools": [{"type": "mcp", "server_label": "d", "allowed_tools": [],
                      "transport": {"type": "http", "server_url": "https://d"}}]},
          tools=[{"type": "mcp", "server_label": "d", "allowed_tools": None,
                  "transport": {"type": "http", "server_url": "https://d"}}]),
     {"tools": [{"type": "mcp", "server_label": "d", "allowed_tools": [],
                 "transport": {"type": "http", "server_url": "https://d"}}]}),
    ("tool order is no change", {"tools": [FUNC, SEARCH]},
     live({"tools": [FUNC, SEARCH]}, tools=[SEARCH, FUNC]), None),
    ("a written part equal to the published default is enforced (a tool)",
     {"tools": [{**SEARCH, "context_size": "medium"}]},
     live({"tools": [{**SEARCH, "context_size": "medium"}]},
          tools=[{**SEARCH, "context_size": "high"}]),
     {"tools": [{**SEARCH, "context_size": "medium"}]}),
    ("a written defer_loading false is enforced",
     {"tools": [{**FUNC, "defer_loading": False}]},
     live({"tools": [{**FUNC, "defer_loading": False}]},
          tools=[{**FUNC, "defer_loading": True}]),
     {"tools": [{**FUNC, "defer_loading": False}]}),
    ("a written default verbosity is enforced", {"text": {"verbosity": "medium"}},
     live({"text": {"verbosity": "medium"}},
          text={"format": {"type": "text"}, "verbosity": "high"}),
     {"text": {"verbosity": "medium"}}),
    ("a written default subagent count is enforced",
     {"multi_agent": {"enabled": True, "max_concurrent_subagents": 6}},
     live({"multi_agent": {"enabled": True, "max_concurrent_subagents": 6}},
          multi_agent={"enabled": True, "max_concurrent_subagents": 4}),
     {"multi_agent": {"enabled": True, "max_concurrent_subagents": 6}}),
    ("a setting written with no part accepts every part the server resolved",
     {"reasoning": {}}, live({"reasoning": {}}, reasoning={"effort": "medium"}), None),
    ("a removed name is sent as null", {},
     live(name="Support"), {"name": None}),
    ("removed metadata keeps the marker", {},
     live(metadata={"team": "x", MARKER_KEY: marker_of()}),
     {"metadata": {MARKER_KEY: marker_of()}}),
]


@pytest.mark.parametrize("fields,live_agent,body", [r[1:] for r in ROWS],
                         ids=[r[0] for r in ROWS])
def test_update_body(fields, live_agent, body):
    change = plan_update(doc(**fields), live_agent)
    if body is None:
        assert change.action is Action.NOOP, change.body
        return
    assert change.action is Action.UPDATE and change.kind == "agent"
    assert change.body == body
    assert set(change.fields) == set(body)


def test_a_create_sends_what_was_written_in_the_users_order():
    created = plan_create(doc(tools=[SEARCH, FUNC], reasoning={"effort": "high"},
                              metadata={"team": "x"}))
    assert created.kind == "agent" and created.action is Action.CREATE
    assert created.body["tools"] == [SEARCH, FUNC]
    assert list(created.body["tools"][1]["parameters"]["properties"]) == ["q"]
    assert created.body["reasoning"] == {"effort": "high"}
    assert created.body["metadata"] == {"team": "x", MARKER_KEY: marker_of(
        tools=[SEARCH, FUNC], reasoning={"effort": "high"}, metadata={"team": "x"})}


def test_the_marker_says_which_resolved_settings_and_parts_were_written():
    marker = doc(reasoning={"effort": "high"}, tools=[{**SEARCH, "mode": "live"}]).marker
    assert marker.written == ("reasoning",)
    assert dict(marker.resolved).keys() == {"reasoning", "tools"}
    assert doc().marker.written == () and doc().marker.resolved == ()


def test_only_names_a_key_of_every_kind_or_of_one_kind():
    """`--only KEY` selects the assistant and the agent sharing KEY; `--only agent:KEY` the
    agent alone; a name neither in the config nor on the server is refused."""
    from reconciler.config.loader import Config
    from reconciler.config.resolved import Document
    from reconciler.config.settings import ProjectSettings
    from reconciler.errors import PlanError
    from reconciler.kinds.assistant import AssistantSpec
    from tests.support.planning import plan_of

    config = Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                    documents=(Document(AssistantSpec(key="k", model="gpt-4o"), "a.yaml:1"),
                               Document(AgentSpec(key="k", model="gpt-5"), "b.yaml:1")),
                    config_sha256="0" * 64)
    both = plan_of(config, [], OWNER, only=["k"])
    assert sorted(c.kind for c in both.changes) == ["agent", "assistant"]
    (one,) = plan_of(config, [], OWNER, only=["agent:k"]).changes
    assert (one.kind, one.key) == ("agent", "k")
    with pytest.raises(PlanError, match="assistant:x"):
        plan_of(config, [], OWNER, only=["assistant:x"])


def _adopted(**fields: Any) -> LiveRecord:
    """A live agent without our marker: adopted by `id:`, or another owner's."""
    obj = {"id": "agent_1", "model": "gpt-5", "tools": [], "metadata": {},
           "reasoning": {"effort": "medium"}, "service_tier": "auto", **fields}
    return LiveRecord.of(AGENT, obj)


def test_an_adopted_agent_is_set_as_written_in_one_apply():
    """No marker yet: the settings the document writes, defaults included, are compared."""
    change = plan_update(doc(id="agent_1", service_tier="auto"), _adopted(service_tier="flex"))
    assert change.body["service_tier"] == "auto"


def test_another_owners_marker_says_nothing_of_this_documents_history():
    """Taken over: the other owner's `set=` is not ours, so a setting this document omits
    accepts what the server holds instead of being reset."""
    theirs = "v1;owner=other;key=k;set=multi_agent,service_tier"
    change = plan_update(doc(id="agent_1"), _adopted(
        service_tier="flex", multi_agent={"enabled": True, "max_concurrent_subagents": 3},
        metadata={MARKER_KEY: theirs}))
    assert set(change.fields) == {"metadata"}


def test_a_rollback_resets_a_resolved_setting_the_update_had_set():
    from reconciler.plan.rollback import rollback_plan

    journal = {"endpoint": "e", "owner": OWNER, "entries": [{
        "kind": "agent", "action": "update", "key": "k", "id": "agent_1", "ok": True,
        "before": {"service_tier": None}, "after": {"service_tier": "flex"}}]}
    now = {"id": "agent_1", "model": "gpt-5", "service_tier": "flex",
           "metadata": {MARKER_KEY: marker_of(service_tier="flex")}}
    (change,) = rollback_plan(journal, {"agent": [now]}).changes
    assert change.body["service_tier"] is None
