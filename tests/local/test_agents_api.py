"""The embedded `/agents` over HTTP, in process: resolved defaults, limits and errors, update
semantics, listing in both orders with paging, the beta header, the shared request pipeline and
store, and the defaults dialects."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from assistants.local import Faults
from tests.support.agents import AGENT_HEADERS, agents_app, resolved, seed_agents

FUNCTION = {"type": "function", "name": "lookup", "description": "Find an order.",
            "parameters": {"type": "object", "properties": {"id": {"type": "string"}}}}
HTTP_MCP = {"type": "mcp", "server_label": "docs",
            "transport": {"type": "http", "server_url": "https://mcp.example/mcp"}}
STDIO_MCP = {"type": "mcp", "server_label": "local",
             "transport": {"type": "stdio", "command": "python", "cwd": "/workspace"}}


def client_for(tmp_path, *, dialect="published", headers=None, **options) -> TestClient:
    app = agents_app(tmp_path / "local.db", dialect=dialect,
                     log_path=tmp_path / "requests.jsonl", **options)
    return TestClient(app, base_url="http://testserver/v1",
                      headers=AGENT_HEADERS if headers is None else headers)


@pytest.fixture
def client(tmp_path):
    with client_for(tmp_path) as client:
        yield client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    return body["error"]


def create(client, **body) -> dict:
    response = client.post("/agents", json={"model": "gpt-5", **body})
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- the Agent object


@pytest.mark.parametrize(("model", "effort"), [
    ("gpt-5", "medium"), ("gpt-5-mini", "medium"), ("o3", "medium"), ("gpt-4o", "none"),
])
def test_create_returns_every_setting_resolved(client, model, effort):
    body = client.post("/agents", json={"model": model}).json()
    assert body.pop("id").startswith("agent_")
    created = body.pop("created_at")
    assert isinstance(created, int) and body.pop("updated_at") == created
    assert body == {
        "object": "agent", "name": None, "model": model, "instructions": None, "tools": [],
        "reasoning": {"effort": effort, "summary": None},
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "service_tier": "auto",
        "multi_agent": {"enabled": False, "max_concurrent_subagents": None},
        "metadata": {},
    }


def test_ids_are_agent_and_random(client):
    ids = {create(client)["id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(len(i) == len("agent_") + 24 and i[6:].isalnum() for i in ids)


def test_each_tool_comes_back_with_its_defaults(client):
    tools = [FUNCTION, {"type": "tool_search"}, {"type": "programmatic_tool_calling"},
             HTTP_MCP, STDIO_MCP, {"type": "web_search"}, {"type": "computer_use"},
             {"type": "automations"}]
    assert create(client, tools=tools)["tools"] == [
        {**FUNCTION, "defer_loading": False},
        {"type": "tool_search"},
        {"type": "programmatic_tool_calling", "enabled": True},
        {**HTTP_MCP, "transport": {**HTTP_MCP["transport"], "headers": {}},
         "allowed_tools": None, "connection_origin": "service", "credential_id": None,
         "request_metadata": {}, "required": False},
        {**STDIO_MCP, "transport": {**STDIO_MCP["transport"], "args": [], "env_vars": []},
         "allowed_tools": None, "connection_origin": "environment", "credential_id": None,
         "request_metadata": {}, "required": False},
        {"type": "web_search", "allowed_domains": None, "context_size": "medium",
         "location": None, "mode": "live"},
        {"type": "computer_use", "include_screenshots": False},
        {"type": "automations"},
    ]


def test_given_values_come_back_as_given(client):
    sent = {
        "model": "gpt-5", "name": "Support", "instructions": "Be brief.\n",
        "metadata": {"team": "support"},
        "tools": [{**FUNCTION, "defer_loading": True},
                  {**HTTP_MCP, "required": True, "allowed_tools": ["search"],
                   "transport": {**HTTP_MCP["transport"], "headers": {"X-Team": "a"}}},
                  {"type": "web_search", "context_size": "high", "mode": "cached",
                   "allowed_domains": ["example.com"],
                   "location": {"city": "Paris", "country": "FR", "region": None,
                                "timezone": "Europe/Paris"}}],
        "reasoning": {"effort": "low", "summary": "auto"},
        "text": {"format": {"type": "json_schema", "schema": {"type": "object"}},
                 "verbosity": "high"},
        "service_tier": "ultrafast",
        "multi_agent": {"enabled": True, "max_concurrent_subagents": 3},
    }
    body = client.post("/agents", json=sent).json()
    tools = body.pop("tools")
    assert {k: body[k] for k in sent if k != "tools"} == {k: v for k, v in sent.items()
                                                           if k != "tools"}
    assert tools[0]["defer_loading"] is True and tools[1]["required"] is True
    assert tools[1]["transport"]["headers"] == {"X-Team": "a"}
    assert tools[2]["location"]["city"] == "Paris" and tools[2]["mode"] == "cached"


def test_multi_agent_enabled_without_a_number_runs_six(client):
    body = create(client, multi_agent={"enabled": True})
    assert body["multi_agent"] == {"enabled": True, "max_concurrent_subagents": 6}
    kept = create(client, multi_agent={"enabled": False, "max_concurrent_subagents": 3})
    assert kept["multi_agent"] == {"enabled": False, "max_concurrent_subagents": 3}


def test_an_omitted_effort_follows_the_current_model(client):
    agent = create(client, model="gpt-4o")
    assert agent["reasoning"]["effort"] == "none"
    moved = client.post(f"/agents/{agent['id']}", json={"model": "gpt-5"}).json()
    assert moved["reasoning"] == {"effort": "medium", "summary": None}


# ---------------------------------------------------------------- validation


LONG = "x" * 1_048_577
METADATA_17 = {f"k{i}": "v" for i in range(17)}


@pytest.mark.parametrize(("body", "param", "message"), [
    ({}, "model", "Missing required parameter: 'model'."),
    ({"model": ""}, "model", "empty string"),
    ({"model": "gpt-5", "name": "n" * 129}, "name", "maximum length 128"),
    ({"model": "gpt-5", "instructions": LONG}, "instructions", "maximum length 1048576"),
    ({"model": "gpt-5", "metadata": METADATA_17}, "metadata", "at most 16 properties"),
    ({"model": "gpt-5", "metadata": {"k" * 65: "v"}}, "metadata", "key too long"),
    ({"model": "gpt-5", "metadata": {"k": "v" * 513}}, "metadata.k", "maximum length 512"),
    ({"model": "gpt-5", "metadata": {"k": 1}}, "metadata.k", "expected a string"),
    ({"model": "gpt-5", "reasoning": {"effort": "extreme"}}, "reasoning.effort",
     "Invalid value: 'extreme'"),
    ({"model": "gpt-5", "reasoning": {"summary": "short"}}, "reasoning.summary",
     "'concise', 'detailed' and 'auto'"),
    ({"model": "gpt-5", "text": {"verbosity": "loud"}}, "text.verbosity", "'loud'"),
    ({"model": "gpt-5", "service_tier": "slow"}, "service_tier", "'ultrafast'"),
    ({"model": "gpt-5", "text": {"format": {"type": "json_schema", "name": "x",
                                            "schema": {}}}},
     "text.format.name", "Unknown parameter: 'text.format.name'."),
    ({"model": "gpt-5", "text": {"format": {"type": "json_schema"}}}, "text.format.schema",
     "Missing required parameter"),
    ({"model": "gpt-5", "text": {"format": {"type": "json_object"}}}, "text.format.type",
     "'json_object'"),
    ({"model": "gpt-5", "tools": [{"type": "file_search"}]}, "tools[0].type", "'file_search'"),
    ({"model": "gpt-5", "tools": [{"type": "code_interpreter"}]}, "tools[0].type",
     "'code_interpreter'"),
    ({"model": "gpt-5", "tools": [{"type": "function", "name": "f", "parameters": {}}]},
     "tools[0].description", "Missing required parameter"),
    ({"model": "gpt-5", "tools": [{"type": "function", "name": "f", "description": "d"}]},
     "tools[0].parameters", "Missing required parameter"),
    ({"model": "gpt-5", "tools": [{**FUNCTION, "parameters": "{}"}]}, "tools[0].parameters",
     "expected an object"),
    ({"model": "gpt-5", "tools": [{**FUNCTION, "name": "has space"}]}, "tools[0].name",
     "does not match pattern"),
    ({"model": "gpt-5", "tools": [{"type": "function", "function": FUNCTION}]},
     "tools[0].function", "Unknown parameter"),
    ({"model": "gpt-5", "tools": [{**HTTP_MCP, "transport": {"type": "http"}}]},
     "tools[0].transport.server_url", "Missing required parameter"),
    ({"model": "gpt-5", "tools": [{**STDIO_MCP, "transport": {"type": "stdio",
                                                             "command": "python"}}]},
     "tools[0].transport.cwd", "Missing required parameter"),
    ({"model": "gpt-5", "tools": [{"type": "mcp", "server_label": "s"}]},
     "tools[0].transport", "Missing required parameter"),
    ({"model": "gpt-5", "tools": [{"type": "web_search", "mode": "offline"}]},
     "tools[0].mode", "'offline'"),
    ({"model": "gpt-5", "tools": [{"type": "computer_use", "include_screenshots": None}]},
     "tools[0].include_screenshots", "expected a boolean"),
    ({"model": "gpt-5", "multi_agent": {"max_concurrent_subagents": 2}},
     "multi_agent.enabled", "Missing required parameter"),
    ({"model": "gpt-5", "multi_agent": {"enabled": True, "max_concurrent_subagents": 0}},
     "multi_agent.max_concurrent_subagents", "below minimum"),
])
def test_invalid_requests_are_openais_400(client, body, param, message):
    error = error_of(client.post("/agents", json=body), 400)
    assert error["param"] == param and message in error["message"], error
    assert client.get("/agents").json()["data"] == []  # nothing was stored


@pytest.mark.parametrize("field", ["temperature", "top_p", "description", "response_format",
                                   "tool_resources", "reasoning_effort", "file_ids"])
def test_assistant_only_fields_are_unrecognized(client, field):
    error = error_of(client.post("/agents", json={"model": "gpt-5", field: None}), 400)
    assert error["message"] == f"Unrecognized request argument supplied: {field}"
    ident = create(client)["id"]
    error = error_of(client.post(f"/agents/{ident}", json={field: 1}), 400)
    assert error["message"] == f"Unrecognized request argument supplied: {field}"


def test_the_sdks_wider_choices_are_accepted(client):
    body = create(client, service_tier="ultrafast", tools=[{"type": "automations"}],
                  compaction={"async": False}, experimental={"time_awareness": True})
    assert body["service_tier"] == "ultrafast" and body["tools"] == [{"type": "automations"}]
    assert body["experimental"] == {"time_awareness": True}


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_agent_is_a_404_naming_it(client, method):
    kwargs = {"json": {"name": "x"}} if method == "POST" else {}
    error = error_of(client.request(method, "/agents/agent_nope", **kwargs), 404)
    assert error["message"] == "No agent found with id 'agent_nope'."


def test_an_assistant_id_is_no_agent(client):
    assistant = client.post("/assistants", json={"model": "gpt-4o"},
                            headers={"OpenAI-Beta": "assistants=v2"}).json()
    error_of(client.get(f"/agents/{assistant['id']}"), 404)
    assert client.get("/agents").json()["data"] == []


def test_delete_answers_agent_deleted(client):
    ident = create(client)["id"]
    assert client.delete(f"/agents/{ident}").json() == {
        "id": ident, "object": "agent.deleted", "deleted": True}
    error_of(client.get(f"/agents/{ident}"), 404)
    error_of(client.delete(f"/agents/{ident}"), 404)


# ---------------------------------------------------------------- update semantics


def test_an_omitted_field_is_left_unchanged(client):
    agent = create(client, name="Support", instructions="Hi", metadata={"a": "1"},
                   tools=[FUNCTION], reasoning={"effort": "low"}, service_tier="flex")
    updated = client.post(f"/agents/{agent['id']}", json={"instructions": "Hello"}).json()
    assert updated["instructions"] == "Hello"
    assert updated["updated_at"] > agent["updated_at"]
    assert updated["created_at"] == agent["created_at"]
    keep = ("updated_at", "instructions")
    assert {k: v for k, v in updated.items() if k not in keep} == \
        {k: v for k, v in agent.items() if k not in keep}
    again = client.post(f"/agents/{agent['id']}", json={}).json()
    assert again["updated_at"] > updated["updated_at"]  # every update moves it


def test_metadata_and_tools_are_replaced_wholesale(client):
    agent = create(client, metadata={"a": "1", "b": "2"}, tools=[FUNCTION, {"type": "tool_search"}])
    updated = client.post(f"/agents/{agent['id']}", json={
        "metadata": {"c": "3"}, "tools": [{"type": "computer_use"}]}).json()
    assert updated["metadata"] == {"c": "3"}
    assert updated["tools"] == [{"type": "computer_use", "include_screenshots": False}]
    assert client.get(f"/agents/{agent['id']}").json() == updated


@pytest.mark.parametrize(("field", "sent", "reset"), [
    ("name", None, None),
    ("instructions", None, None),
    ("metadata", None, {}),
    ("metadata", {}, {}),
    ("tools", None, []),
    ("reasoning", None, {"effort": "medium", "summary": None}),
    ("text", None, {"format": {"type": "text"}, "verbosity": "medium"}),
    ("service_tier", None, "auto"),
    ("multi_agent", None, {"enabled": False, "max_concurrent_subagents": None}),
])
def test_null_resets_a_field(client, field, sent, reset):
    agent = create(client, name="Support", instructions="Hi", metadata={"a": "1"},
                   tools=[FUNCTION], reasoning={"effort": "high", "summary": "auto"},
                   text={"verbosity": "low"}, service_tier="priority",
                   multi_agent={"enabled": True})
    updated = client.post(f"/agents/{agent['id']}", json={field: sent}).json()
    assert updated[field] == reset
    assert client.get(f"/agents/{agent['id']}").json()[field] == reset


def test_a_partial_setting_is_replaced_not_merged(client):
    agent = create(client, text={"format": {"type": "json_schema", "schema": {}},
                                 "verbosity": "low"})
    updated = client.post(f"/agents/{agent['id']}", json={"text": {"verbosity": "high"}})
    assert updated.json()["text"] == {"format": {"type": "text"}, "verbosity": "high"}


def test_an_update_is_validated_before_anything_changes(client):
    agent = create(client, name="kept")
    error = error_of(client.post(f"/agents/{agent['id']}",
                                 json={"name": "n" * 129}), 400)
    assert error["param"] == "name"
    assert client.get(f"/agents/{agent['id']}").json() == agent


# ---------------------------------------------------------------- listing


@pytest.fixture
def seeded(client):
    return client, seed_agents(client.app.state.store, 25)


def walk(client, **params) -> list[str]:
    ids, after = [], None
    while True:
        page = client.get("/agents", params={**params, **({"after": after} if after else {})})
        body = page.json()
        assert page.status_code == 200 and body["object"] == "list"
        ids += [agent["id"] for agent in body["data"]]
        if body["data"]:
            assert (body["first_id"], body["last_id"]) == (body["data"][0]["id"],
                                                           body["data"][-1]["id"])
        if not body["has_more"]:
            return ids
        after = body["last_id"]


def test_listing_defaults_to_newest_first_twenty(seeded):
    client, ids = seeded
    body = client.get("/agents").json()
    assert [a["id"] for a in body["data"]] == ids[::-1][:20] and body["has_more"] is True


@pytest.mark.parametrize(("order", "limit"), [("asc", 7), ("desc", 7), ("asc", 100),
                                              ("desc", 1)])
def test_listing_pages_in_both_orders(seeded, order, limit):
    client, ids = seeded
    expected = ids if order == "asc" else ids[::-1]
    assert walk(client, order=order, limit=limit) == expected


def test_after_cursor_starts_past_the_named_agent(seeded):
    client, ids = seeded
    body = client.get("/agents", params={"order": "asc", "after": ids[9], "limit": 3}).json()
    assert [a["id"] for a in body["data"]] == ids[10:13]
    error = error_of(client.get("/agents", params={"after": "agent_gone"}), 400)
    assert error["param"] == "after" and "no agent found" in error["message"]


def test_before_is_ignored_like_any_unknown_parameter(seeded):
    client, ids = seeded
    plain = client.get("/agents", params={"order": "asc", "limit": 5}).json()
    with_before = client.get("/agents", params={"order": "asc", "limit": 5,
                                                "before": ids[3]}).json()
    assert with_before == plain


@pytest.mark.parametrize(("params", "param"), [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "x"}, "limit"),
    ({"order": "newest"}, "order"),
])
def test_bad_listing_parameters_are_400(client, params, param):
    assert error_of(client.get("/agents", params=params), 400)["param"] == param


def test_a_deleted_cursor_still_marks_its_place(seeded):
    client, ids = seeded
    client.delete(f"/agents/{ids[4]}")
    body = client.get("/agents", params={"order": "asc", "after": ids[4], "limit": 2}).json()
    assert [a["id"] for a in body["data"]] == ids[5:7]


# ---------------------------------------------------------------- the shared pipeline


@pytest.mark.parametrize(("beta", "message"), [
    (None, "You must provide the 'OpenAI-Beta' header to access the Agents API."),
    ("assistants=v2", "Invalid 'OpenAI-Beta' header value for the Agents API."),
    ("agents=v2", "Invalid 'OpenAI-Beta' header value for the Agents API."),
])
def test_every_agents_request_needs_its_beta_header(tmp_path, beta, message):
    headers = {"Authorization": "Bearer sk-test", **({"OpenAI-Beta": beta} if beta else {})}
    with client_for(tmp_path, headers=headers) as client:
        for method, path in (("GET", "/agents"), ("POST", "/agents"),
                             ("GET", "/agents/agent_x"), ("DELETE", "/agents/agent_x")):
            error = error_of(client.request(method, path), 400)
            assert error["code"] == "invalid_beta"
            assert error["message"] == f"{message} Please try again by setting the header " \
                                       "'OpenAI-Beta: agents=v1'."
        ok = client.get("/agents", headers={"OpenAI-Beta": "realtime=v1, agents=v1"})
        assert ok.status_code == 200
        wrong_kind = client.get("/assistants", headers={"OpenAI-Beta": "agents=v1"})
        assert error_of(wrong_kind, 400)["code"] == "invalid_beta"


def test_faults_and_listing_dialects_apply_to_agents(tmp_path):
    with client_for(tmp_path, faults=Faults(reject_desc=True, rate_limit_every=3)) as client:
        assert client.get("/agents", params={"order": "asc"}).status_code == 200
        assert error_of(client.get("/agents"), 400)["param"] == "order"
        assert client.get("/agents/agent_x").status_code == 429
    entries = list(client.app.state.request_log.entries)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/agents", 200), ("GET", "/v1/agents", 400), ("GET", "/v1/agents/agent_x", 429)]


def test_api_key_and_models_apply_to_agents(tmp_path):
    headers = {"OpenAI-Beta": "agents=v1"}
    with client_for(tmp_path, headers=headers, api_key="sk-right",
                    models=frozenset({"gpt-5"})) as client:
        assert error_of(client.get("/agents"), 401)["message"].startswith("You didn't provide")
        keyed = {"Authorization": "Bearer sk-right"}
        unknown = client.post("/agents", json={"model": "gpt-9"}, headers=keyed)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
        assert client.post("/agents", json={"model": "gpt-5"}, headers=keyed).status_code == 200


def test_no_key_is_needed_without_api_key(tmp_path):
    with client_for(tmp_path, headers={"OpenAI-Beta": "agents=v1"}) as client:
        assert client.post("/agents", json={"model": "gpt-5"}).status_code == 200


def test_agents_live_in_the_same_database_as_assistants(tmp_path):
    with client_for(tmp_path) as first:
        made = create(first, name="Shared")
        first.post("/assistants", json={"model": "gpt-4o"},
                   headers={"OpenAI-Beta": "assistants=v2"})
    with client_for(tmp_path) as second:  # another process on the same file (serve, --local)
        assert second.get(f"/agents/{made['id']}").json() == made
        listed = second.get("/assistants", headers={"OpenAI-Beta": "assistants=v2"}).json()
        assert [a["object"] for a in listed["data"]] == ["assistant"]


# ---------------------------------------------------------------- records and dialects


def test_a_stored_agent_lacking_fields_still_reads(client):
    client.app.state.store.agents.insert({"id": "agent_old", "object": "agent",
                                          "created_at": 1_700_000_000, "model": "gpt-5"})
    body = client.get("/agents/agent_old").json()
    assert body["updated_at"] == 1_700_000_000 and body["metadata"] == {}
    assert body["reasoning"]["effort"] == "medium" and body["tools"] == []
    assert client.post("/agents/agent_old", json={"name": "n"}).json()["name"] == "n"
    assert [a["id"] for a in client.get("/agents").json()["data"]] == ["agent_old"]


@pytest.mark.parametrize("dialect", ["shifted", "unresolved"])
def test_other_dialects_resolve_the_same_request_otherwise(tmp_path, dialect):
    with client_for(tmp_path, dialect=dialect) as client:
        agent = create(client, tools=[{"type": "web_search"}, {"type": "computer_use"}])
    settings = {k: agent[k] for k in ("reasoning", "text", "service_tier", "multi_agent")}
    assert settings == resolved("gpt-5", dialect) != resolved("gpt-5", "published")
    if dialect == "shifted":
        assert agent["reasoning"]["effort"] == "high"
        assert agent["tools"][0]["context_size"] == "high"
        assert agent["tools"][1]["include_screenshots"] is True
    else:
        assert agent["reasoning"]["effort"] is None
        assert agent["tools"] == [{"type": "web_search"}, {"type": "computer_use"}]


def test_a_written_value_is_returned_in_every_dialect(tmp_path):
    for dialect in ("published", "shifted", "unresolved"):
        with client_for(tmp_path / dialect, dialect=dialect) as client:
            agent = create(client, reasoning={"effort": "low"}, text={"verbosity": "medium"},
                           service_tier="auto")
        assert (agent["reasoning"]["effort"], agent["text"]["verbosity"],
                agent["service_tier"]) == ("low", "medium", "auto")


def test_skip_paging_makes_an_agents_cursor_skip_as_other_servers_do(tmp_path):
    """`--skip-paging` compares a cursor's id as a string within a second: agents inserted
    with ids sorting against their order are skipped by the next page."""
    with client_for(tmp_path, faults=Faults(skip_paging=True)) as client:
        store = client.app.state.store
        ids = seed_agents(store, 12)
        for index, ident in enumerate(ids):  # ids now sort opposite to insertion order
            record = store.agents.get(ident)
            store.agents.delete(ident)
            record["id"] = f"agent_{99 - index:02d}"
            store.agents.insert(record)
        assert len(walk(client, order="asc", limit=5)) < 12
    with client_for(tmp_path) as honest:
        assert len(walk(honest, order="asc", limit=5)) == 12
