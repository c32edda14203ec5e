"""Auth profiles, the https-or-loopback rule, endpoint handling and the per-client trace id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_client_fakes import (
    CFG,
    ENDPOINT,
    OPENAI_KEY,
    PK,
    PROVIDER_KEY,
    VK,
    FakeServer,
    assert_clean,
    make_client,
    reply,
    run,
)

from assistants import __version__
from assistants.client import DEFAULT_ENDPOINT, AssistantsClient, redact_url
from assistants.errors import CredentialError, EndpointURLError

# Headers every request carries that are not credentials (checked separately).
STANDARD = {"host", "accept", "accept-encoding", "connection", "user-agent", "openai-beta",
            "x-portkey-trace-id"}

EVERYTHING = {
    "PORTKEY_API_KEY": PK, "PORTKEY_CONFIG": CFG, "PORTKEY_VIRTUAL_KEY": VK,
    "PORTKEY_PROVIDER": "openai", "PORTKEY_PROVIDER_API_KEY": PROVIDER_KEY,
    "PORTKEY_CUSTOM_HOST": "https://llm.internal/v1", "OPENAI_API_KEY": OPENAI_KEY,
}


def _without(*names: str) -> dict[str, str]:
    return {k: v for k, v in EVERYTHING.items() if k not in names}


@pytest.mark.parametrize(
    ("env", "endpoint", "expected"),
    [
        pytest.param(EVERYTHING, ENDPOINT,
                     {"x-portkey-api-key": PK, "x-portkey-config": CFG}, id="config-wins"),
        pytest.param(_without("PORTKEY_CONFIG"), ENDPOINT,
                     {"x-portkey-api-key": PK, "x-portkey-virtual-key": VK}, id="virtual-key"),
        pytest.param(_without("PORTKEY_CONFIG", "PORTKEY_VIRTUAL_KEY"), ENDPOINT,
                     {"x-portkey-api-key": PK, "x-portkey-provider": "openai",
                      "authorization": f"Bearer {PROVIDER_KEY}",
                      "x-portkey-custom-host": "https://llm.internal/v1"},
                     id="provider-custom-host"),
        pytest.param({"PORTKEY_API_KEY": PK, "PORTKEY_PROVIDER": "openai",
                      "PORTKEY_PROVIDER_API_KEY": PROVIDER_KEY, "OPENAI_API_KEY": OPENAI_KEY},
                     ENDPOINT,
                     {"x-portkey-api-key": PK, "x-portkey-provider": "openai",
                      "authorization": f"Bearer {PROVIDER_KEY}"}, id="provider-bearer"),
        pytest.param({"PORTKEY_API_KEY": PK, "PORTKEY_PROVIDER": "@openai-prod",
                      "PORTKEY_CUSTOM_HOST": "  "}, DEFAULT_ENDPOINT,
                     {"x-portkey-api-key": PK, "x-portkey-provider": "@openai-prod"},
                     id="provider-slug"),
        pytest.param({"OPENAI_API_KEY": OPENAI_KEY, "PORTKEY_API_KEY": "",
                      "PORTKEY_CONFIG": CFG}, "https://assistants.example/v1",
                     {"authorization": f"Bearer {OPENAI_KEY}"}, id="plain-openai"),
        pytest.param({}, "http://127.0.0.1:8080/api/v1", {}, id="keyless-loopback"),
        pytest.param({"PORTKEY_API_KEY": " ", "OPENAI_API_KEY": ""}, "http://localhost:9/v1", {},
                     id="keyless-localhost-blank-vars"),
        pytest.param({}, "http://[::1]:8080/v1", {}, id="keyless-ipv6-loopback"),
    ],
)
def test_profile_sends_exactly_its_headers(env: dict[str, str], endpoint: str,
                                           expected: dict[str, str]) -> None:
    server = FakeServer(reply(200, {"object": "list", "data": [], "has_more": False}))

    async def go() -> None:
        async with make_client(server, env=env, endpoint=endpoint) as client:
            await client.list_all()

    run(go())
    (request,) = server.requests
    sent = {k: v for k, v in request.headers.items() if k not in STANDARD}
    assert sent == expected
    assert request.headers["openai-beta"] == "assistants=v2"
    assert f"assistants-reconciler/{__version__}" in request.headers["user-agent"]
    assert len(request.headers["x-portkey-trace-id"]) == 32


@pytest.mark.parametrize(
    ("env", "endpoint", "must_name"),
    [
        pytest.param({}, ENDPOINT, ["PORTKEY_API_KEY", "OPENAI_API_KEY"], id="nothing"),
        pytest.param({}, "http://127.example.com/v1", ["PORTKEY_API_KEY", "OPENAI_API_KEY"],
                     id="nothing-not-loopback"),
        pytest.param({"PORTKEY_API_KEY": "   ", "OPENAI_API_KEY": ""}, ENDPOINT,
                     ["PORTKEY_API_KEY", "OPENAI_API_KEY"], id="blank-is-unset"),
        pytest.param({"PORTKEY_API_KEY": PK, "PORTKEY_PROVIDER_API_KEY": PROVIDER_KEY}, ENDPOINT,
                     ["PORTKEY_CONFIG", "PORTKEY_VIRTUAL_KEY", "PORTKEY_PROVIDER"],
                     id="portkey-without-route"),
        pytest.param({"OPENAI_API_KEY": OPENAI_KEY}, None, ["PORTKEY_API_KEY", "ASSISTANTS_ENDPOINT"],
                     id="openai-key-at-portkey"),
        pytest.param({"PORTKEY_API_KEY": PK + "\n", "PORTKEY_CONFIG": CFG + "\nx"}, ENDPOINT,
                     ["PORTKEY_CONFIG", "line break"], id="newline-in-value"),
    ],
)
def test_missing_credential_is_one_line_naming_the_variable(
    env: dict[str, str], endpoint: str | None, must_name: list[str]
) -> None:
    with pytest.raises(CredentialError) as info:
        AssistantsClient.from_env(endpoint, env)
    message = str(info.value)
    assert_clean(message)
    for name in must_name:
        assert name in message


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("http://gw.example/v1", False),
        ("http://10.0.0.5:8787/v1", False),
        ("http://127.example.com/v1", False),
        ("http://localhost:8080/v1", True),
        ("http://127.0.0.2:8080/v1", True),
        ("http://[::1]:8080/v1", True),
        ("https://gw.example/v1", True),
        ("HTTPS://GW.EXAMPLE/v1", True),
    ],
)
def test_credentials_only_over_https_or_loopback(endpoint: str, allowed: bool) -> None:
    server = FakeServer(default=reply(200, {"data": [], "has_more": False}))
    if allowed:
        run(_list_once(server, endpoint))
        assert len(server.requests) == 1
        return
    with pytest.raises(CredentialError) as info:
        make_client(server, endpoint=endpoint)
    assert "plain http" in str(info.value) and "loopback" in str(info.value)
    assert_clean(str(info.value))
    assert server.requests == []


async def _list_once(server: FakeServer, endpoint: str) -> AssistantsClient:
    async with make_client(server, endpoint=endpoint) as client:
        await client.list_all()
    return client


def test_explicit_headers_are_held_to_the_same_rule() -> None:
    with pytest.raises(CredentialError):
        AssistantsClient("http://gw.example/v1", {"Authorization": "Bearer x"})


@pytest.mark.parametrize("endpoint", ["ftp://gw.example/v1", "not a url", "https:///v1"])
def test_malformed_endpoint_is_a_config_error(endpoint: str) -> None:
    with pytest.raises(EndpointURLError) as info:
        AssistantsClient.from_env(endpoint, {"OPENAI_API_KEY": OPENAI_KEY})
    assert "--endpoint" in str(info.value)


def test_endpoint_from_env_trailing_slash_and_query() -> None:
    server = FakeServer(reply(200, {"data": [], "has_more": False}))
    env = {"ASSISTANTS_ENDPOINT": "https://gw.example/base/v1/?api-version=2024-05&sig=SECRETsig",
           "OPENAI_API_KEY": OPENAI_KEY}
    lines: list[str] = []

    async def go() -> AssistantsClient:
        async with make_client(server, env=env, endpoint=None, log=lines.append) as client:
            await client.list_all()
        return client

    client = run(go())
    assert client.endpoint == "https://gw.example/base/v1"
    (request,) = server.requests
    assert request.url.path == "/base/v1/assistants"
    assert dict(request.url.params) == {"api-version": "2024-05", "sig": "SECRETsig",
                                        "limit": "100", "order": "asc"}
    assert lines and lines[0].startswith("GET /base/v1/assistants?limit=100&order=asc -> 200 (")
    assert_clean(lines[0])


def test_default_endpoint_is_portkey() -> None:
    client = AssistantsClient.from_env(None, {"PORTKEY_API_KEY": PK, "PORTKEY_VIRTUAL_KEY": VK})
    assert client.endpoint == DEFAULT_ENDPOINT == "https://api.portkey.ai/v1"
    run(client.aclose())


def test_userinfo_becomes_basic_auth_and_is_never_printed() -> None:
    server = FakeServer(reply(200, assistant_body := {"id": "asst_1"}))

    async def go() -> AssistantsClient:
        async with AssistantsClient("https://bob:SECRETpw@gw.example/v1", {"x-portkey-api-key": PK,
                                    "x-portkey-config": CFG}, transport=server.transport) as c:
            assert await c.get("asst_1") == assistant_body
        return c

    client = run(go())
    assert client.endpoint == "https://gw.example/v1"
    assert server.requests[0].headers["authorization"].startswith("Basic ")
    assert "SECRETpw" not in str(server.requests[0].url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@gw.example:8443/v1/?key=abc#frag", "https://gw.example:8443/v1/"),
        ("https://api.portkey.ai/v1", "https://api.portkey.ai/v1"),
        ("http://[::1]:8080/v1?x=1", "http://[::1]:8080/v1"),
        ("http://token@localhost/v1", "http://localhost/v1"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_trace_id_constant_per_client_and_distinct_between_clients() -> None:
    server = FakeServer(default=lambda r: reply(200, {"id": "asst_1"}))

    async def two_calls(**kw: object) -> AssistantsClient:
        async with make_client(server, **kw) as client:  # type: ignore[arg-type]
            await client.get("asst_1")
            await client.get("asst_1")
        return client

    first = run(two_calls())
    second = run(two_calls(trace_id="run-42"))
    ids = [r.headers["x-portkey-trace-id"] for r in server.requests]
    assert ids == [first.trace_id] * 2 + ["run-42"] * 2
    assert first.trace_id != second.trace_id == "run-42"


def test_auth_description_names_variables_not_values() -> None:
    client = AssistantsClient.from_env(ENDPOINT, {"PORTKEY_API_KEY": PK, "PORTKEY_CONFIG": CFG})
    assert client.auth == "portkey-config (PORTKEY_API_KEY, PORTKEY_CONFIG)"
    run(client.aclose())


def test_local_transport_is_exempt_from_the_http_rule() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("not called")

    client = AssistantsClient("http://local.invalid/v1", {"Authorization": "Bearer local"},
                              transport=httpx.ASGITransport(app=app))
    assert client.endpoint == "http://local.invalid/v1"
    run(client.aclose())
