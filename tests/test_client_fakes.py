"""Shared fakes for the client tests: a scripted network boundary (httpx.MockTransport) that
records every request, a sleep that records instead of waiting, and distinctive fake keys."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import httpx

from assistants.client import AssistantsClient, RetryPolicy

ENDPOINT = "https://gw.example/v1"

# Distinctive fake credentials: none may ever appear in an error message or a log line.
PK = "pk-SECRET-portkey-0001"
CFG = "pc-SECRET-config-0002"
VK = "vk-SECRET-virtual-0003"
PROVIDER_KEY = "sk-SECRET-provider-0004"
OPENAI_KEY = "sk-SECRET-openai-0005"
SECRETS = (PK, CFG, VK, PROVIDER_KEY, OPENAI_KEY, "SECRET")

PORTKEY_ENV = {"PORTKEY_API_KEY": PK, "PORTKEY_CONFIG": CFG}

Step = httpx.Response | Exception | Callable[[httpx.Request], Any]


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def reply(status: int = 200, body: Any = None, *, headers: Mapping[str, str] | None = None,
          text: str | None = None, content_type: str | None = None) -> httpx.Response:
    """A canned answer: JSON `body` by default, or raw `text` with `content_type`."""
    hdrs = dict(headers or {})
    if text is not None:
        hdrs.setdefault("content-type", content_type or "text/plain")
        return httpx.Response(status, content=text.encode(), headers=hdrs)
    if body is None:
        body = {}
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json", **hdrs})


def assistant(i: int | str, **extra: Any) -> dict[str, Any]:
    return {"id": f"asst_{i}", "object": "assistant", "model": "gpt-4o", **extra}


class FakeServer:
    """Answers requests from a script, in order; each step is a Response, an exception to raise,
    or a callable (sync or async) taking the request. Records every request it sees."""

    def __init__(self, *steps: Step, default: Step | None = None) -> None:
        self.steps = list(steps)
        self.default = default
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if self.steps else self.default
        if step is None:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            result = step(request)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        return step

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def queries(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests]


class Sleeps(list[float]):
    """An injectable sleep that records the delays instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(server: FakeServer, *, env: Mapping[str, str] | None = None,
                endpoint: str | None = ENDPOINT, sleeps: Sleeps | None = None,
                retry: RetryPolicy | None = None, **kw: Any) -> AssistantsClient:
    return AssistantsClient.from_env(
        endpoint, dict(PORTKEY_ENV if env is None else env), transport=server.transport,
        sleep=sleeps if sleeps is not None else Sleeps(), retry=retry or RetryPolicy(), **kw,
    )


def assert_clean(text: str) -> None:
    """One line, and no credential in it."""
    assert "\n" not in text, text
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {text!r}"
