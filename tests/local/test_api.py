"""Behaviour of the embedded API in process: defaults, modify semantics, auth, the beta
header, error envelopes, routing and the request log."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from assistants.local import create_app
from tests.local.helpers import HEADERS, local_client


@pytest.fixture
def client(tmp_path):
    with local_client(tmp_path) as client:
        yield client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_create_fills_openai_defaults(client):
    response = client.post("/assistants", json={"model": "gpt-4o"})
    assert response.status_code == 200
    body = response.json()
    assert body.pop("id").startswith("asst_")
    assert isinstance(body.pop("created_at"), int)
    assert body == {
        "object": "assistant", "name": None, "description": None, "model": "gpt-4o",
        "instructions": None, "tools": [], "tool_resources": {}, "metadata": {},
        "temperature": 1.0, "top_p": 1.0, "response_format": "auto",
    }


def test_id_shape(client):
    ident = client.post("/assistants", json={"model": "m"}).json()["id"]
    assert len(ident) == len("asst_") + 24 and ident[5:].isalnum() and ident.isascii()


def test_tool_defaults(client):
    body = client.post("/assistants", json={"model": "gpt-4o", "tools": [
        {"type": "code_interpreter"}, {"type": "file_search"},
        {"type": "function", "function": {"name": "lookup"}},
        {"type": "file_search", "file_search": {"max_num_results": 8}},
    ]}).json()
    assert body["tools"] == [
        {"type": "code_interpreter"},
        {"type": "file_search", "file_search": {"ranking_options": {
            "ranker": "default_2024_08_21", "score_threshold": 0.0}}},
        {"type": "function", "function": {"name": "lookup", "parameters": {}, "strict": False}},
        {"type": "file_search", "file_search": {"max_num_results": 8, "ranking_options": {
            "ranker": "default_2024_08_21", "score_threshold": 0.0}}},
    ]
    assert body["tool_resources"] == {"code_interpreter": {"file_ids": []},
                                      "file_search": {"vector_store_ids": []}}


def test_given_values_come_back(client):
    sent = {
        "model": "gpt-4o", "name": "HR", "description": "d", "instructions": "be kind\n",
        "tools": [{"type": "function", "function": {
            "name": "f", "description": "x", "parameters": {"type": "object"}, "strict": True}}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}},
        "metadata": {"team": "people"}, "temperature": 0.2, "top_p": 0.5,
        "response_format": {"type": "json_object"},
    }
    body = client.post("/assistants", json=sent).json()
    assert {k: body[k] for k in sent} == sent


def test_reasoning_effort_stored_not_returned(client):
    body = client.post("/assistants", json={"model": "o3", "reasoning_effort": "high"}).json()
    assert "reasoning_effort" not in body
    assert client.app.state.store.get(body["id"])["reasoning_effort"] == "high"
    client.post(f"/assistants/{body['id']}", json={"reasoning_effort": "low"})
    assert client.app.state.store.get(body["id"])["reasoning_effort"] == "low"
    assert "reasoning_effort" not in client.get(f"/assistants/{body['id']}").json()


def test_nulls_reset_to_defaults(client):
    ident = client.post("/assistants", json={
        "model": "gpt-4o", "name": "n", "instructions": "i", "temperature": 0.3, "top_p": 0.3,
        "response_format": {"type": "text"}, "metadata": {"a": "b"},
        "tool_resources": {"code_interpreter": {"file_ids": ["f"]}},
    }).json()["id"]
    body = client.post(f"/assistants/{ident}", json={
        "name": None, "instructions": None, "temperature": None, "top_p": None,
        "response_format": None, "metadata": None, "tool_resources": None,
    }).json()
    assert (body["name"], body["instructions"]) == (None, None)
    assert (body["temperature"], body["top_p"], body["response_format"]) == (1.0, 1.0, "auto")
    assert (body["metadata"], body["tool_resources"]) == ({}, {})


def test_modify_changes_only_fields_sent_and_replaces_wholesale(client):
    created = client.post("/assistants", json={
        "model": "gpt-4o", "name": "old", "instructions": "keep", "temperature": 0.5,
        "metadata": {"a": "1", "b": "2"}, "tools": [{"type": "code_interpreter"}],
    }).json()
    renamed = client.post(f"/assistants/{created['id']}", json={"name": "new"}).json()
    assert renamed == {**created, "name": "new"}
    replaced = client.post(f"/assistants/{created['id']}", json={"metadata": {"c": "3"}}).json()
    assert replaced["metadata"] == {"c": "3"}
    retooled = client.post(f"/assistants/{created['id']}",
                           json={"tools": [{"type": "file_search"}]}).json()
    assert [t["type"] for t in retooled["tools"]] == ["file_search"]
    assert retooled["tool_resources"]["file_search"] == {"vector_store_ids": []}
    assert client.post(f"/assistants/{created['id']}", json={}).json() == retooled
    assert client.get(f"/assistants/{created['id']}").json() == retooled


def test_delete_then_not_found(client):
    ident = client.post("/assistants", json={"model": "m"}).json()["id"]
    assert client.delete(f"/assistants/{ident}").json() == {
        "id": ident, "object": "assistant.deleted", "deleted": True}
    for method in ("GET", "POST", "DELETE"):
        kwargs = {"json": {"name": "x"}} if method == "POST" else {}
        error = error_of(client.request(method, f"/assistants/{ident}", **kwargs), 404)
        assert error["message"] == f"No assistant found with id '{ident}'."
        assert error["type"] == "invalid_request_error"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"},
])
def test_no_key_is_accepted_unless_a_key_is_configured(tmp_path, headers):
    """`serve` without `--api-key` answers requests with or without a key (issue 22);
    with `--api-key`, a request that carries none is a 401."""
    plain = {"OpenAI-Beta": "assistants=v2", **headers}
    with local_client(tmp_path, headers=plain) as client:
        assert client.get("/assistants").status_code == 200
    with local_client(tmp_path, api_key="sk-right", headers=plain) as client:
        error = error_of(client.get("/assistants"), 401)
        assert "API key" in error["message"]


@pytest.mark.parametrize("auth", [
    {"Authorization": "Bearer sk-right"}, {"x-portkey-api-key": "sk-right"},
    {"Authorization": "Bearer provider-key", "x-portkey-api-key": "sk-right"},
])
def test_configured_key_accepted_in_either_header(tmp_path, auth):
    with local_client(tmp_path, api_key="sk-right",
                      headers={"OpenAI-Beta": "assistants=v2", **auth}) as client:
        assert client.get("/assistants").status_code == 200


def test_wrong_key_401_without_echoing_it(tmp_path):
    with local_client(tmp_path, api_key="sk-right", headers=HEADERS) as client:
        error = error_of(client.get("/assistants"), 401)
        assert error["code"] == "invalid_api_key" and "sk-test" not in error["message"]


@pytest.mark.parametrize(("beta", "ok"), [
    (None, False), ("assistants=v1", False), ("realtime=v1", False), ("", False),
    ("assistants=v2", True), ("realtime=v1, assistants=v2", True),
])
def test_beta_header_required(tmp_path, beta, ok):
    headers = {"Authorization": "Bearer k"} | ({} if beta is None else {"OpenAI-Beta": beta})
    with local_client(tmp_path, headers=headers) as client:
        response = client.get("/assistants")
        if ok:
            assert response.status_code == 200
        else:
            error = error_of(response, 400)
            assert error["code"] == "invalid_beta"
            assert "OpenAI-Beta: assistants=v2" in error["message"]


@pytest.mark.parametrize("raw", [b"{bad", b'{"model": NaN}', b"[1", b'{"model": "m",}'])
def test_malformed_json_400(client, raw):
    error = error_of(client.post("/assistants", content=raw), 400)
    assert "could not parse the JSON body" in error["message"]


@pytest.mark.parametrize("body", [[], "gpt-4o", 1, None])
def test_body_not_an_object_400(client, body):
    error_of(client.post("/assistants", content=json.dumps(body)), 400)


def test_unknown_field_400(client):
    error = error_of(client.post("/assistants", json={"model": "m", "foo": 1}), 400)
    assert error["message"] == "Unrecognized request argument supplied: foo"
    ident = client.post("/assistants", json={"model": "m"}).json()["id"]
    error = error_of(client.post(f"/assistants/{ident}", json={"id": "asst_x"}), 400)
    assert error["message"] == "Unrecognized request argument supplied: id"


def test_routes_without_v1_prefix(tmp_path):
    with local_client(tmp_path) as client:
        client.base_url = "http://testserver"
        ident = client.post("/assistants", json={"model": "m"}).json()["id"]
        assert client.get(f"/assistants/{ident}").status_code == 200
        assert client.get("/v1/assistants").json()["data"][0]["id"] == ident


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/models"), ("PUT", "/assistants"), ("DELETE", "/assistants"),
    ("PATCH", "/assistants/asst_x"), ("GET", "/assistants/a/b"),
])
def test_unknown_url_404(client, method, path):
    error = error_of(client.request(method, path), 404)
    assert error["message"].startswith("Invalid URL")


def test_request_log_lines_without_headers(tmp_path):
    with local_client(tmp_path, api_key="sk-secret-value",
                      headers={**HEADERS, "Authorization": "Bearer sk-secret-value"}) as client:
        client.post("/assistants", json={"model": "m"})
        client.get("/assistants?limit=5&order=asc")
        client.post("/assistants", content=b"{bad")
    text = (tmp_path / "requests.jsonl").read_text()
    assert "sk-secret-value" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert entries == [
        {"method": "POST", "path": "/v1/assistants", "query": "", "body": {"model": "m"},
         "status": 200},
        {"method": "GET", "path": "/v1/assistants", "query": "limit=5&order=asc", "body": None,
         "status": 200},
        {"method": "POST", "path": "/v1/assistants", "query": "", "body": None, "status": 400},
    ]
    assert list(client.app.state.request_log.entries) == entries


def test_works_through_httpx_asgi_transport_without_lifespan(tmp_path):
    app = create_app(tmp_path / "sub" / "dir" / "local.db")

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local/v1",
                                     headers=HEADERS) as http:
            created = await http.post("/assistants", json={"model": "m", "name": "a"})
            results = await asyncio.gather(*[
                http.post("/assistants", json={"model": "m"}) for _ in range(20)])
            listed = await http.get("/assistants", params={"limit": 100})
            assert len(listed.json()["data"]) == 21
            return [created.status_code, *[r.status_code for r in results]]

    assert set(asyncio.run(scenario())) == {200}
    assert (tmp_path / "sub" / "dir" / "local.db").exists()


def test_a_stored_record_lacking_fields_is_answered_with_their_defaults(client):
    """A row written by an older version (no `response_format`, no `top_p`, no
    `reasoning_effort`) reads, lists and updates without a 500 (issue 22)."""
    old = {"id": "asst_old", "object": "assistant", "created_at": 1_700_000_000,
           "name": "Old", "model": "gpt-4o", "instructions": None, "tools": [],
           "metadata": {}, "temperature": 1.0}
    client.app.state.store.insert(old)
    fetched = client.get("/assistants/asst_old")
    assert fetched.status_code == 200, fetched.text
    body = fetched.json()
    assert (body["response_format"], body["top_p"], body["description"]) == ("auto", 1.0, None)
    assert body["tool_resources"] == {} and "reasoning_effort" not in body
    listed = client.get("/assistants").json()["data"]
    assert listed == [body]
    updated = client.post("/assistants/asst_old", json={"name": "Renewed"})
    assert updated.status_code == 200
    assert updated.json() == {**body, "name": "Renewed"}
