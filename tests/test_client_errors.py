"""Every error shape a server, gateway or proxy may answer with, mapped to the exception tree."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_client_fakes import (
    OPENAI_KEY,
    PK,
    FakeServer,
    Sleeps,
    assert_clean,
    make_client,
    reply,
    run,
)

from assistants.client import AssistantsClient, RetryPolicy, create_outcome_unknown
from assistants.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    EndpointError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)

ONCE = RetryPolicy(max_attempts=1)
PAGE = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000


async def _call(client: AssistantsClient, op: str) -> Any:
    if op == "list":
        return await client.list_all()
    if op == "get":
        return await client.get("asst_1")
    if op == "create":
        return await client.create({"model": "gpt-4o"})
    if op == "modify":
        return await client.modify("asst_1", {"name": "x"})
    return await client.delete("asst_1")


URLS = {
    "list": "GET https://gw.example/v1/assistants",
    "get": "GET https://gw.example/v1/assistants/asst_1",
    "create": "POST https://gw.example/v1/assistants",
    "modify": "POST https://gw.example/v1/assistants/asst_1",
    "delete": "DELETE https://gw.example/v1/assistants/asst_1",
}

CASES = [
    # (id, op, response, exception class, substrings the message must hold)
    ("openai-400", "create",
     reply(400, {"error": {"message": "Unrecognized request argument supplied: foo",
                           "type": "invalid_request_error", "param": "foo", "code": None}}),
     BadRequestError, ["HTTP 400", "Unrecognized request argument supplied: foo"]),
    ("fastapi-422-list", "modify",
     reply(422, {"detail": [{"loc": ["body", "temperature"], "msg": "Input should be <= 2",
                             "type": "less_than_equal"}]}),
     BadRequestError, ["HTTP 422", "body.temperature: Input should be <= 2"]),
    ("fastapi-422-str", "create", reply(422, {"detail": "model is required"}),
     BadRequestError, ["model is required"]),
    ("openai-401-echoes-key", "get",
     reply(401, {"error": {"message": f"Incorrect API key provided: {PK}. Or sk-SECR****0005.",
                           "type": "invalid_request_error", "code": "invalid_api_key"}}),
     AuthenticationError, ["HTTP 401", "Incorrect API key provided: ***"]),
    ("portkey-403", "list",
     reply(403, {"status": "failure", "message": "Invalid API Key"},
           headers={"x-portkey-gateway-exception": "true"}),
     AuthenticationError, ["Portkey gateway: Invalid API Key"]),
    ("404-one", "get",
     reply(404, {"error": {"message": "No assistant found with id 'asst_1'.",
                           "type": "invalid_request_error"}}),
     NotFoundError, ["No assistant found with id 'asst_1'"]),
    ("404-modify", "modify", reply(404, {"detail": "Not Found"}), NotFoundError, ["Not Found"]),
    ("404-list", "list", reply(404, {"detail": "Not Found"}),
     EndpointError, ["no Assistants API answers at https://gw.example/v1/assistants: check "
                     "the base path", "does not serve the Assistants API", "2026-08-26",
                     "Not Found"]),
    ("404-create", "create",
     reply(404, {"error": {"message": "Invalid URL (POST /v1/assistants)"}}),
     EndpointError, ["check the base path", "does not serve the Assistants API", "2026-08-26"]),
    ("404-list-html", "list", reply(404, text=PAGE, content_type="text/html"),
     EndpointError, ["does not serve the Assistants API"]),
    ("404-create-model", "create",
     reply(404, {"error": {"message": "The model 'gpt-9' does not exist", "code": "model_not_found"}}),
     BadRequestError, ["The model 'gpt-9' does not exist"]),
    ("429", "create",
     reply(429, {"error": {"message": "Rate limit reached"}}, headers={"retry-after": "7"}),
     RateLimitError, ["HTTP 429", "Rate limit reached"]),
    ("500-openai", "get",
     reply(500, {"error": {"message": "The server had an error", "type": "server_error"}}),
     ServerError, ["HTTP 500", "The server had an error"]),
    ("502-html", "list", reply(502, text=PAGE, content_type="text/html; charset=utf-8"),
     ServerError, ["an HTML page", "probably from a proxy", "502 Bad Gateway"]),
    ("503-empty", "delete", httpx.Response(503), ServerError, ["HTTP 503", "empty answer"]),
    ("408-gateway", "modify",
     reply(408, {"status": "failure", "message": "Request exceeded the timeout"}),
     ServerError, ["HTTP 408", "Portkey gateway: Request exceeded the timeout"]),
    ("412-gateway", "create", reply(412, {"status": "failure", "message": "Budget exhausted"}),
     ServerError, ["HTTP 412", "Budget exhausted"]),
    ("446-gateway", "create",
     reply(446, {"status": "failure", "message": "Guardrail check failed"}),
     ServerError, ["HTTP 446", "Guardrail check failed"]),
    ("405-text", "delete", reply(405, text="Method Not Allowed\nat line 2"),
     APIError, ["HTTP 405", "Method Not Allowed at line 2"]),
    ("long-message", "create", reply(400, {"error": {"message": "bad " * 500}}),
     BadRequestError, ["…"]),
    ("2xx-truncated", "get", reply(200, text='{"id": "asst_1", "name": "He',
                                   content_type="application/json"),
     TransportError, ["expected JSON, got truncated JSON"]),
    ("2xx-html", "list", reply(200, text=PAGE, content_type="text/html"),
     TransportError, ["expected JSON", "HTML page", "probably from a proxy"]),
    ("2xx-wrong-type", "modify", reply(200, text="OK", content_type="text/plain"),
     TransportError, ["a text/plain body, not JSON"]),
    ("2xx-array", "get", reply(200, [1, 2]), TransportError, ["expected an object"]),
    ("2xx-no-id", "create", reply(200, {"object": "assistant"}), TransportError, ["no `id`"]),
    ("2xx-empty-id", "modify", reply(200, {"id": ""}), TransportError, ["no `id`"]),
    ("2xx-null-id", "get", reply(200, {"id": None, "model": "gpt-4o"}),
     TransportError, ["unexpected answer: the object has no `id`"]),
    ("2xx-list-id", "get", reply(200, {"id": [1], "model": "gpt-4o"}),
     TransportError, ["unexpected answer: the object's `id` is not a string"]),
    ("2xx-bad-list", "list", reply(200, {"data": {"a": 1}}), TransportError, ["`data`"]),
]


@pytest.mark.parametrize(("op", "response", "exc_type", "needles"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_error_shapes(op: str, response: httpx.Response, exc_type: type[Exception],
                      needles: list[str]) -> None:
    server = FakeServer(response)
    env = {"PORTKEY_API_KEY": PK, "PORTKEY_CONFIG": "pc-SECRET-config-0002",
           "OPENAI_API_KEY": OPENAI_KEY}

    async def go() -> None:
        async with make_client(server, env=env, retry=ONCE) as client:
            await _call(client, op)

    with pytest.raises(exc_type) as info:
        run(go())
    assert type(info.value) is exc_type
    message = str(info.value)
    assert_clean(message)
    assert message.startswith(URLS[op] + ": "), message
    for needle in needles:
        assert needle in message
    assert "<html" not in message.lower() and "xxxxx" not in message
    assert len(message) < 800


def test_api_error_carries_request_and_envelope_fields() -> None:
    server = FakeServer(reply(400, {"error": {"message": "bad", "type": "invalid_request_error",
                                              "param": "temperature", "code": "invalid_value"}}))

    async def go() -> None:
        async with make_client(server, retry=ONCE) as client:
            await client.modify("asst_1", {"temperature": 9})

    with pytest.raises(BadRequestError) as info:
        run(go())
    err = info.value
    assert (err.status, err.method, err.url) == (400, "POST", "https://gw.example/v1/assistants/asst_1")
    assert (err.code, err.param, err.detail) == ("invalid_value", "temperature", "bad")


def test_rate_limit_error_carries_retry_after() -> None:
    server = FakeServer(reply(429, {"error": {"message": "slow down"}},
                              headers={"retry-after-ms": "2500"}))

    async def go() -> None:
        async with make_client(server, retry=ONCE) as client:
            await client.get("asst_1")

    with pytest.raises(RateLimitError) as info:
        run(go())
    assert info.value.retry_after == 2.5


def test_long_server_message_is_truncated() -> None:
    server = FakeServer(reply(400, {"error": {"message": "word " * 1000}}))

    async def go() -> None:
        async with make_client(server, retry=ONCE) as client:
            await client.create({"model": "m"})

    with pytest.raises(BadRequestError) as info:
        run(go())
    assert len(info.value.detail) <= 300 and info.value.detail.endswith("…")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_not_followed(status: int) -> None:
    server = FakeServer(reply(status, text="", headers={
        "location": "https://evil.example/steal?token=abc123"}))

    async def go() -> None:
        async with make_client(server) as client:
            await client.list_all()

    with pytest.raises(APIError) as info:
        run(go())
    message = str(info.value)
    assert type(info.value) is APIError and info.value.status == status
    assert "https://evil.example" in message and "not followed" in message
    assert "token" not in message and "abc123" not in message
    assert_clean(message)
    assert [r.url.host for r in server.requests] == ["gw.example"]


def test_same_origin_redirect_says_fix_the_endpoint() -> None:
    server = FakeServer(reply(308, text="", headers={"location": "/v2/assistants"}))

    async def go() -> None:
        async with make_client(server) as client:
            await client.get("asst_1")

    with pytest.raises(APIError, match="redirected to https://gw.example/v2/assistants.*fix --endpoint"):
        run(go())
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("exc", "sent", "needle"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), False, "could not connect"),
        (httpx.ConnectTimeout("timed out"), False, "timed out connecting after 30 s"),
        (httpx.PoolTimeout("pool"), False, "no free connection"),
        (httpx.ReadTimeout("timed out"), True, "no complete answer within 30 s"),
        (httpx.WriteTimeout("timed out"), True, "no complete answer"),
        (httpx.ReadError("reset by peer"), True, "connection failed mid-request"),
        (httpx.RemoteProtocolError("Server disconnected"), True, "closed the connection"),
        (httpx.UnsupportedProtocol("bad scheme"), False, "could not be sent"),
    ],
)
def test_transport_failures_say_whether_the_request_was_sent(
    exc: Exception, sent: bool, needle: str
) -> None:
    server = FakeServer(exc)

    async def go() -> None:
        async with make_client(server, retry=ONCE) as client:
            await client.create({"model": "m"})

    with pytest.raises(TransportError) as info:
        run(go())
    err = info.value
    assert err.sent is sent and create_outcome_unknown(err) is sent
    assert needle in str(err)
    assert ("may have taken effect" in str(err)) is sent
    assert str(err).startswith("POST https://gw.example/v1/assistants: ")
    assert_clean(str(err))


def test_transport_message_scrubs_secrets_httpx_might_echo() -> None:
    server = FakeServer(httpx.ConnectError(f"proxy said no to {PK}"))

    async def go() -> None:
        async with make_client(server, retry=ONCE) as client:
            await client.get("asst_1")

    with pytest.raises(TransportError) as info:
        run(go())
    assert_clean(str(info.value))


def test_delete_deleted_false_is_an_error() -> None:
    server = FakeServer(reply(200, {"id": "asst_1", "deleted": False}))

    async def go() -> None:
        async with make_client(server, sleeps=Sleeps()) as client:
            await client.delete("asst_1")

    with pytest.raises(APIError, match="deleted: false"):
        run(go())


@pytest.mark.parametrize("body", [None, {}, {"id": "asst_1", "object": "assistant.deleted",
                                          "deleted": True}])
def test_delete_accepts_empty_and_standard_answers(body: Any) -> None:
    response = httpx.Response(204) if body is None else reply(200, body)
    server = FakeServer(response)

    async def go() -> None:
        async with make_client(server) as client:
            await client.delete("asst_1")

    run(go())


def test_ids_are_path_quoted() -> None:
    server = FakeServer(reply(200, {"id": "a/b?c"}))

    async def go() -> None:
        async with make_client(server) as client:
            await client.get("a/b?c")

    run(go())
    assert server.requests[0].url.raw_path == b"/v1/assistants/a%2Fb%3Fc"


def test_single_answers_in_other_servers_dialects_are_accepted_as_they_are() -> None:
    """API-FACTS: nulls for lists and maps, other timestamps, ids of any shape, extra fields;
    and `[]` for an empty map, as some serialisers write it. A write that succeeded is never
    reported failed over the shape of its answer."""
    dialect = {"id": 1234, "object": None, "created_at": "2026-11-26T00:00:00Z", "model": "gpt-4o",
               "tools": None, "tool_resources": [], "metadata": [], "response_format": None,
               "temperature": 1, "updated_at": 1.7e9, "owner": {"x": 1}}
    server = FakeServer(reply(200, dialect), reply(200, dialect), reply(200, dialect))

    async def go() -> list[dict]:
        async with make_client(server, retry=ONCE) as client:
            return [await client.get("1234"), await client.create({"model": "gpt-4o"}),
                    await client.modify("1234", {"name": None})]

    assert run(go()) == [dialect] * 3
