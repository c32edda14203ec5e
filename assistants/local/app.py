"""The embedded Assistants API as a Starlette app (`create_app`).

One catch-all route runs every request through the same pipeline, so faults, auth and the
request log apply uniformly to both collections (`/assistants`, `/agents`), unknown URLs
included:
latency -> fault verdict (429 / 500 before) -> credentials -> route -> beta header (the
collection's own) -> handler -> 500 after a performed write (fault) -> log.

The store opens at construction, not in a lifespan handler: `httpx.ASGITransport` runs none.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistants.local import agent_handlers, handlers
from assistants.local.errors import APIFailure, invalid, server_error
from assistants.local.faults import FaultInjector, Faults, Verdict
from assistants.local.gate import authenticate, check_beta
from assistants.local.requestlog import RequestLog
from assistants.local.store import Store

log = logging.getLogger(__name__)

METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]
ROUTE = re.compile(r"^(?:/v1)?/(?P<collection>assistants|agents)(?:/(?P<id>[^/]+))?$")
BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
    "was not valid JSON.)"
)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The body as JSON; an empty body is an empty object. NaN and Infinity are not JSON."""
    if not raw.strip():
        return {}
    return json.loads(raw, parse_constant=_reject_constant)


def json_body(raw: bytes) -> Any:
    """The body of a write, or OpenAI's 400 when it is not JSON."""
    try:
        return parse_json(raw)
    except ValueError:
        raise invalid(BAD_JSON) from None


class AssistantsAPI:
    """The request pipeline, holding the store, the fault injector and the log."""

    def __init__(self, store: Store, api_key: str | None, faults: Faults, log: RequestLog,
                 models: frozenset[str] | None = None):
        self.store, self.api_key, self.faults, self.log = store, api_key, faults, log
        self.models = models
        self.injector = FaultInjector(faults)

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = parse_json(raw) if raw else None
        except ValueError:
            body = None
        try:
            response = await self._answer(request, raw)
        except APIFailure as failure:
            response = failure.response()
        except Exception:  # a bug: answer like OpenAI, keep the traceback in the server log
            log.exception("unhandled error in %s %s", request.method, request.url.path)
            response = server_error().response()
        self.log.record(request.method, request.url.path, request.url.query, body,
                        response.status_code)
        return response

    async def _answer(self, request: Request, raw: bytes) -> Response:
        if self.faults.latency_ms > 0:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        verdict = self.injector.decide(request.method, request.url.query)
        if verdict is Verdict.RATE_LIMIT:
            raise self._rate_limited()
        if verdict is Verdict.FAIL_BEFORE:
            raise server_error()
        authenticate(request.headers, self.api_key)
        match = ROUTE.match(request.url.path)
        if match is None or not self._allowed(request.method, match["id"]):
            raise APIFailure(404, f"Invalid URL ({request.method} {request.url.path})")
        check_beta(request.headers, match["collection"])
        if match["collection"] == "agents":
            payload = self._dispatch_agents(request, match["id"], raw)
        else:
            payload = self._dispatch(request, match["id"], raw)
        if verdict is Verdict.FAIL_AFTER:  # the write happened; the client cannot know
            raise server_error()
        return JSONResponse(payload)

    @staticmethod
    def _allowed(method: str, assistant_id: str | None) -> bool:
        if assistant_id is None:
            return method in ("GET", "POST")
        return method in ("GET", "POST", "DELETE")

    def _dispatch(self, request: Request, assistant_id: str | None, raw: bytes) -> Any:
        method = request.method
        if method == "GET":
            if assistant_id is None:
                return handlers.list_page(self.store, dict(request.query_params),
                                          faults=self.faults)
            return handlers.retrieve(self.store, assistant_id)
        if method == "DELETE":
            return handlers.delete(self.store, assistant_id or "")
        body = json_body(raw)
        if assistant_id is None:
            return handlers.create(self.store, body, self.models)
        return handlers.modify(self.store, assistant_id, body, self.models)

    def _dispatch_agents(self, request: Request, agent_id: str | None, raw: bytes) -> Any:
        agents, faults = self.store.agents, self.faults
        if request.method == "GET":
            if agent_id is None:
                return agent_handlers.list_page(agents, dict(request.query_params), faults)
            return agent_handlers.retrieve(agents, agent_id, faults)
        if request.method == "DELETE":
            return agent_handlers.delete(agents, agent_id or "")
        body = json_body(raw)
        if agent_id is None:
            return agent_handlers.create(agents, body, faults, self.models)
        return agent_handlers.update(agents, agent_id, body, faults, self.models)

    def _rate_limited(self) -> APIFailure:
        seconds = self.faults.retry_after_seconds
        return APIFailure(
            429,
            f"Rate limit reached for requests. Please try again in "
            f"{wait_text(self.faults.retry_after_ms)}.",
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(seconds),
                     "retry-after-ms": str(self.faults.retry_after_ms)},
        )


def wait_text(ms: int) -> str:
    """The wait a 429 message names, as OpenAI words it ("20ms", "1.5s"): the same figure as
    `retry-after-ms` (`Retry-After` is that rounded up to whole seconds)."""
    return f"{ms}ms" if ms < 1000 else f"{ms / 1000:g}s"


def create_app(
    db_path: str | os.PathLike[str],
    *,
    api_key: str | None = None,
    faults: Faults | None = None,
    log_path: str | os.PathLike[str] | None = None,
    models: frozenset[str] | None = None,
) -> Starlette:
    """The embedded Assistants API over the SQLite file `db_path` (created when missing).

    `app.state.store` is the `Store`, `app.state.request_log` the `RequestLog` (its `entries`
    hold the last requests in memory, also without `log_path`). `models`, when given, are the
    only models a create or modify may name. Without `api_key`, requests need no key."""
    store = Store(db_path)
    request_log = RequestLog(log_path)
    api = AssistantsAPI(store, api_key, faults or Faults(), request_log, models)
    app = Starlette(routes=[Route("/{path:path}", api.handle, methods=METHODS)])
    app.state.store = store
    app.state.request_log = request_log
    app.state.api = api
    return app
