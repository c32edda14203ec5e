"""`AssistantsClient`: the only code that talks to the server (Assistants API v2 and saved agents).

Each operation takes the `Kind` of object it reads or writes (assistants/kinds/): its collection
path and its `OpenAI-Beta` header; assistants when none is named.

Auth profiles and an endpoint's own credentials come from `assistants.auth`, backoff from
`assistants.retry`, error mapping from `assistants.http_errors`, the listing's two ends from
`assistants.listing`. Every failure is raised from the tree in `assistants.errors`; warnings
(an inconsistent listing) go to `warn`, stderr by default.

Whether a failed write may have taken effect:
- `TransportError.sent` is False only when the request certainly never left this process.
- `create` is retried only when it certainly did not take effect (429, connect failures). A
  `ServerError` (5xx, 408, 412, 446) or a `TransportError` with `.sent` from `create` means the
  outcome is unknown: look for the assistant before creating again (`create_outcome_unknown`).
- `list_all`, `get`, `modify` and `delete` are idempotent and retried on 408, 409, 429, 5xx,
  connection failures and timeouts, up to `RetryPolicy.max_attempts`.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from assistants import __version__
from assistants.auth import (
    DEFAULT_ENDPOINT,
    check_transport_security,
    endpoint_base,
    endpoint_credentials,
    parse_endpoint,
    profile_from_env,
    redact_url,
    resolve_endpoint,
    secret_values,
)
from assistants.errors import (
    APIError,
    AssistantsError,
    ServerError,
    TransportError,
)
from assistants.http_errors import (
    NOT_SENT_RETRYABLE,
    error_from_exception,
    error_from_response,
    parse_json_body,
)
from assistants.kinds import Kind
from assistants.kinds.assistant import ASSISTANT
from assistants.listing import Listing
from assistants.retry import RetryBudget, RetryPolicy, status_is_retryable

__all__ = [
    "DEFAULT_ENDPOINT",
    "AssistantsClient",
    "RetryPolicy",
    "create_outcome_unknown",
    "redact_url",
]

USER_AGENT = f"assistants-reconciler/{__version__} python-httpx/{httpx.__version__}"

# Transport failures an idempotent request may be repeated after (the others are permanent).
_RETRYABLE_EXC = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError,
                  TimeoutError)

Sleep = Callable[[float], Awaitable[None]]


def create_outcome_unknown(exc: BaseException) -> bool:
    """True when a failed `create` may nevertheless have created the assistant."""
    if isinstance(exc, TransportError):
        return exc.sent
    return isinstance(exc, ServerError)


def _answered(response: httpx.Response | None) -> httpx.Response:
    """`_send` returns None only when asked to accept a 404 on retry (delete)."""
    if response is None:  # pragma: no cover - a bug, not a server behaviour
        raise AssertionError("no response where one is required")
    return response


@dataclass(frozen=True)
class _Failed:
    """One attempt that did not succeed: the error to raise if it is the last, whether it may
    be repeated, the headers that may say when (`retry-after`), what the log says of it, and
    whether it may have reached the server."""

    error: AssistantsError
    retryable: bool
    headers: Mapping[str, str] | None
    outcome: str
    sent: bool


class AssistantsClient:
    """Async client for the collections of every kind on one endpoint, with one set of
    credentials."""

    def __init__(
        self,
        endpoint: str,
        headers: Mapping[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen dataclass, safe as a default
        trace_id: str | None = None,
        log: Callable[[str], None] | None = None,
        warn: Callable[[str], None] | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        parts = parse_endpoint(endpoint)
        creds = endpoint_credentials(parts, headers)
        # Nothing leaves the process through an ASGITransport, so the http rule does not apply.
        if creds and not isinstance(transport, httpx.ASGITransport):
            check_transport_security(endpoint)
        base = endpoint_base(parts)
        self.endpoint: str = base
        self.trace_id: str = trace_id or uuid.uuid4().hex
        self.stats: dict[str, int] = {"requests": 0, "retries": 0}
        self.auth: str = "explicit headers"
        self._timeout = timeout
        self._retry = retry
        self._log = log
        self._warn = warn if warn is not None else _stderr_warning
        self._sleep: Sleep = sleep if sleep is not None else asyncio.sleep
        self._rng = rng
        self._secrets = secret_values(creds)
        self._keyless = not creds
        # Query parameters of the endpoint itself (e.g. `api-version`) ride on every request but
        # are never printed: they may be secret.
        self._base_params = parse_qsl(parts.query, keep_blank_values=True)
        self._base_path = parts.path.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=base + "/",
            headers={
                **creds,
                "User-Agent": USER_AGENT,
                "x-portkey-trace-id": self.trace_id,
            },
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def from_env(cls, endpoint: str | None, env: Mapping[str, str], **kw: Any) -> AssistantsClient:
        """Credentials from the environment only (DESIGN.md); raises CredentialError."""
        url = resolve_endpoint(endpoint, env)
        parse_endpoint(url)
        profile = profile_from_env(env, url)
        client = cls(url, profile.headers, **kw)
        client.auth = (f"{profile.name} ({', '.join(profile.variables)})" if profile.variables
                       else "none (no credential variable is set and the endpoint is loopback)")
        return client

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AssistantsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- the five operations -------------------------------------------------------------------

    def listing(self, kind: Kind = ASSISTANT) -> Listing:
        """A new listing of `kind`'s collection from both ends (`assistants.listing`), its
        requests sharing one retry budget."""
        budget = RetryBudget(self._retry.max_attempts - 1)

        async def fetch(params: dict[str, str]) -> Any:
            return await self._list_page(kind, params, budget)

        return Listing(fetch, shape=lambda what: self._shape("GET", kind.path, what),
                       warn=self._warn, log=self._log)

    async def list_all(
        self, *, confirm: Callable[[list[dict[str, Any]]], bool] | None = None,
        kind: Kind = ASSISTANT,
    ) -> list[dict[str, Any]]:
        """Every assistant, oldest first. A caller that will create what it does not find
        passes `confirm`: when `confirm(items)` says something it looks for is missing, a
        listing whose ends met in the middle reads both ends on to their ends first (a
        server's cursor may skip items), and the assistants that finds are added."""
        listing = self.listing(kind)
        items = [item async for page in listing.pages() for item in page]
        if confirm is not None and listing.confirmable and confirm(items):
            items += await listing.confirm()
        return items

    async def _list_page(self, kind: Kind, params: dict[str, str],
                         budget: RetryBudget | None = None) -> Any:
        """One page of the listing, parsed. Nothing here outlives the call but the page: an
        httpx response and its stream refer to each other, so a response still referenced
        when its page is handed on would keep its body (500 KB a page) until the collector
        found the cycle."""
        response = await self._send("GET", kind.path, params=params, collection=True,
                                    budget=budget, beta=kind.beta)
        return self._json(_answered(response), "GET", kind.path)

    async def get(self, assistant_id: str, *, kind: Kind = ASSISTANT) -> dict[str, Any]:
        path = self._item(kind, assistant_id)
        return self._object(await self._send("GET", path, beta=kind.beta), "GET", path)

    async def create(self, body: Mapping[str, Any], *, kind: Kind = ASSISTANT) -> dict[str, Any]:
        """POST to the collection. Not idempotent: see the module docstring for
        outcome-unknown errors."""
        response = await self._send(
            "POST", kind.path, json=dict(body), idempotent=False, collection=True, beta=kind.beta
        )
        return self._object(response, "POST", kind.path)

    async def modify(self, assistant_id: str, body: Mapping[str, Any], *,
                     kind: Kind = ASSISTANT) -> dict[str, Any]:
        path = self._item(kind, assistant_id)
        return self._object(await self._send("POST", path, json=dict(body), beta=kind.beta),
                            "POST", path)

    async def delete(self, assistant_id: str, *, kind: Kind = ASSISTANT) -> None:
        """DELETE; a 404 after an earlier attempt may have reached the server counts as done."""
        path = self._item(kind, assistant_id)
        response = await self._send("DELETE", path, gone_ok_on_retry=True, beta=kind.beta)
        if response is None or not response.content.strip():
            return
        body = self._json(response, "DELETE", path)
        if isinstance(body, dict) and body.get("deleted") is False:
            raise APIError(
                "the server answered `deleted: false`",
                status=response.status_code, method="DELETE", url=self._url(path),
            )

    # -- plumbing ------------------------------------------------------------------------------

    def _item(self, kind: Kind, object_id: str) -> str:
        if not object_id:
            raise ValueError(f"{kind.name} id must be a non-empty string")
        return f"{kind.path}/" + quote(str(object_id), safe="")

    def _url(self, path: str) -> str:
        return f"{self.endpoint}/{path}"

    def _shape(self, method: str, path: str, what: str) -> TransportError:
        return TransportError(f"unexpected answer: {what}", method=method, url=self._url(path),
                              sent=True)

    def _json(self, response: httpx.Response, method: str, path: str) -> Any:
        return parse_json_body(response, method=method, url=self._url(path))

    def _object(self, response: httpx.Response | None, method: str, path: str) -> dict[str, Any]:
        """The object a single answer holds, as plain JSON, once it has an id."""
        obj = self._json(_answered(response), method, path)
        if not isinstance(obj, dict):
            raise self._shape(method, path, f"expected an object, got {type(obj).__name__}")
        ident = obj.get("id")
        if ident is None or ident == "":
            raise self._shape(method, path, "the object has no `id`")
        if not isinstance(ident, str | int | float) or isinstance(ident, bool):  # a number is
            # taken as its text
            raise self._shape(method, path, "the object's `id` is not a string")
        return obj

    def _emit(self, method: str, path: str, params: Mapping[str, str] | None, outcome: str,
              started: float, wait: float | None) -> None:
        if self._log is None:
            return
        shown = f"{self._base_path}/{path}"
        if params:
            shown += "?" + str(httpx.QueryParams(params))
        ms = (time.monotonic() - started) * 1000
        tail = f", retrying in {wait:.2f} s" if wait is not None else ""
        self._log(f"{method} {shown} -> {outcome} ({ms:.0f} ms){tail}")

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool = True,
        collection: bool = False,
        gone_ok_on_retry: bool = False,
        budget: RetryBudget | None = None,
        beta: str = ASSISTANT.beta,
    ) -> httpx.Response | None:
        """One logical request with retries. Returns the 2xx response (None only for a 404 that
        `gone_ok_on_retry` accepts); raises the mapped error otherwise. With `budget`, each
        retry also spends one of the budget's (shared with other requests).

        Each attempt either answers (a 2xx, or that accepted 404) or becomes a `_Failed`;
        `_backoff` alone decides whether and how long to wait before the next one."""
        all_params = httpx.QueryParams([*self._base_params, *(params or {}).items()])
        reached = False  # whether any earlier attempt may have reached the server
        attempts = max(1, self._retry.max_attempts)
        first_started = time.monotonic()
        for attempt in range(1, attempts + 1):
            self.stats["requests"] += 1
            started = time.monotonic()
            try:
                async with asyncio.timeout(self._timeout):
                    response = await self._http.request(method, path, params=all_params, json=json,
                                                        headers={"OpenAI-Beta": beta})
            except (httpx.HTTPError, TimeoutError) as exc:
                failed = self._exception_failed(exc, method, path, idempotent)
            else:
                if response.is_success:
                    self._emit(method, path, params, str(response.status_code), started, None)
                    if budget is not None:
                        budget.refill()
                    return response
                if response.status_code == 404 and gone_ok_on_retry and reached:
                    self._emit(method, path, params, "404, already gone", started, None)
                    return None
                failed = self._response_failed(response, method, path, idempotent, collection)
            wait = self._backoff(attempt, attempt == attempts, failed, budget)
            self._emit(method, path, params, failed.outcome, started, wait)
            if wait is None:
                raise _gave_up(failed.error, attempt, first_started)
            reached = reached or failed.sent
            await self._pause(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _exception_failed(self, exc: Exception, method: str, path: str,
                          idempotent: bool) -> _Failed:
        """An attempt that raised: a request that never left may always be repeated, one that
        may have been sent only when idempotent."""
        err = error_from_exception(exc, method=method, url=self._url(path), timeout=self._timeout,
                                   secrets=self._secrets)
        retryable = isinstance(exc, NOT_SENT_RETRYABLE) or (
            idempotent and isinstance(exc, _RETRYABLE_EXC))
        return _Failed(err, retryable, None, type(exc).__name__, err.sent)

    def _response_failed(self, response: httpx.Response, method: str, path: str,
                         idempotent: bool, collection: bool) -> _Failed:
        """An attempt the server answered with an error (`retry.status_is_retryable`)."""
        err = error_from_response(response, method=method, url=self._url(path),
                                  collection=collection, secrets=self._secrets,
                                  keyless=self._keyless)
        retryable = status_is_retryable(response.status_code, response.headers,
                                        idempotent=idempotent)
        return _Failed(err, retryable, response.headers, str(response.status_code), True)

    def _backoff(self, attempt: int, last: bool, failed: _Failed,
                 budget: RetryBudget | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up: after the last
        attempt, on a failure not worth repeating, or when the shared budget is spent."""
        if last or not failed.retryable:
            return None
        wait = self._retry.delay(attempt, failed.headers, self._rng)
        if budget is not None and not budget.spend():
            return None
        return wait

    async def _pause(self, seconds: float) -> None:
        self.stats["retries"] += 1
        await self._sleep(seconds)


def _stderr_warning(line: str) -> None:
    print(f"warning: {line}", file=sys.stderr, flush=True)


def _gave_up(err: AssistantsError, attempts: int, since: float) -> AssistantsError:
    """`err`, saying so when it ends several attempts: whoever waited for it learns why."""
    if attempts > 1 and err.args:
        err.args = (f"{err.args[0]}; gave up after {attempts} attempts in "
                    f"{time.monotonic() - since:.1f} s", *err.args[1:])
    return err

