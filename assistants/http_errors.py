"""Turning what came back (an error answer, a garbled body, an httpx exception) into one line of
the project's exception tree. Every message is scrubbed of secrets and kept short."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import httpx

from assistants.auth import origin, redact_url, scrub
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
from assistants.retry import retry_after_seconds

MESSAGE_MAX = 300
BASE_PATH_NOTE = (
    "no {api} answers at {url}: check the base path of --endpoint / "
    "ASSISTANTS_ENDPOINT (the URL before /{collection}, such as …/v1 or …/api/v1)"
)
SUNSET_NOTE = (
    "if the path is right, this endpoint does not serve the Assistants API (OpenAI's hosted "
    "Assistants API was sunset on 2026-08-26): point --endpoint / ASSISTANTS_ENDPOINT at a "
    "Portkey gateway or another Assistants-v2-compatible server, or use --local"
)
AGENTS_NOTE = (
    "if the path is right, this endpoint does not serve saved agents (the Agents API, "
    "OpenAI-Beta: agents=v1): point --endpoint / ASSISTANTS_ENDPOINT at one that does (OpenAI, "
    "or a Portkey gateway in front of it), or use --local"
)
GATEWAY_STATUSES = frozenset({408, 412, 446})

# httpx failures after which the request certainly never reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
            httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# ...and of those, the ones worth another attempt (the others are permanent).
NOT_SENT_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def one_line(text: str, secrets: Iterable[str] = (), limit: int = MESSAGE_MAX) -> str:
    """Collapse whitespace, scrub secrets, truncate."""
    text = scrub(" ".join(text.split()), secrets)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _content_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _looks_html(response: httpx.Response) -> bool:
    if _content_type(response) in ("text/html", "application/xhtml+xml"):
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _html_summary(response: httpx.Response) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title>", response.content[:4096], re.I | re.S)
    title = html.unescape(match.group(1).decode("utf-8", "replace")) if match else ""
    title = " ".join(title.split())[:80]
    said = f" titled {title!r}" if title else ""
    return f"the server answered with an HTML page{said} (probably from a proxy)"


def _fastapi_detail(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc") or [])
                msg = str(item.get("msg") or item.get("message") or item)
                parts.append(f"{loc}: {msg}" if loc else msg)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return json.dumps(detail, sort_keys=True)


def describe_error_body(response: httpx.Response) -> tuple[str, str | None, str | None]:
    """(message, code, param) from whichever error dialect the body speaks."""
    if _looks_html(response):
        return _html_summary(response), None, None
    text = response.content.decode("utf-8", "replace").strip()
    if not text:
        return f"empty answer ({response.reason_phrase or 'no reason given'})", None, None
    try:
        body = json.loads(text)
    except ValueError:
        return f"non-JSON answer ({_content_type(response) or 'no content type'}): {text}", None, None
    gateway = response.headers.get("x-portkey-gateway-exception", "").lower() == "true"
    prefix = "Portkey gateway: " if gateway else ""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            message = str(err.get("message") or err.get("type") or err.get("code") or "error")
            code = err.get("code") or err.get("type")
            param = err.get("param")
            return (prefix + message, str(code) if code else None,
                    str(param) if param is not None else None)
        if isinstance(err, str):
            return prefix + err, None, None
        if "detail" in body:
            return prefix + _fastapi_detail(body["detail"]), None, None
        if body.get("status") == "failure" or "message" in body:
            if body.get("status") == "failure":
                prefix = "Portkey gateway: "
            return prefix + str(body.get("message") or "failure"), None, None
    return prefix + f"unrecognised error body: {text}", None, None


def error_from_response(
    response: httpx.Response,
    *,
    method: str,
    url: str,
    collection: bool,
    secrets: Iterable[str] = (),
    keyless: bool = False,
) -> APIError:
    """The exception for a non-2xx answer. `collection` marks a collection itself (`/assistants`,
    `/agents`: list, create);
    `keyless` says the request carried no credential (a loopback endpoint, no variable set)."""
    status = response.status_code
    where: dict[str, Any] = {"method": method, "url": redact_url(url), "status": status}
    secrets = list(secrets)
    if 300 <= status < 400:
        target = response.headers.get("location", "")
        dest = redact_url(str(response.request.url.join(target))) if target else "nowhere"
        same = target and origin(dest) == origin(url)
        why = ("fix --endpoint to the final URL" if same else
               f"credentials are never sent to another origin ({origin(dest)})")
        # The Location comes from the server: it may echo a key, percent-encoded or not.
        shown = one_line(unquote(dest), secrets, 200)
        return APIError(f"redirected to {shown}, not followed: {why}", **where)
    message, code, param = describe_error_body(response)
    message = one_line(message, secrets)
    # `code` and `param` come from the server too: a hostile or echoing one may put a key there.
    code = one_line(code, secrets, 100) if code else None
    param = one_line(param, secrets, 200) if param else None
    kw: dict[str, Any] = {**where, "code": code, "param": param}
    if status in (400, 422):
        return BadRequestError(message, **kw)
    if status in (401, 403):
        if keyless:
            message += (" (no credential was sent: none of PORTKEY_API_KEY or OPENAI_API_KEY is "
                        "set; set the one this server expects)")
        return AuthenticationError(message, **kw)
    if status == 404:
        if collection and code != "model_not_found":
            said = "" if _looks_html(response) else f" (server said: {message})"
            shown = redact_url(url).split("?")[0]
            agents = shown.rstrip("/").endswith("/agents")
            tried = BASE_PATH_NOTE.format(url=shown, api="Agents API" if agents else
                                          "Assistants API",
                                          collection="agents" if agents else "assistants")
            note = AGENTS_NOTE if agents else SUNSET_NOTE
            return EndpointError(one_line(f"{tried}{said}; {note}", secrets, 3 * MESSAGE_MAX),
                                 **kw)
        if collection:
            return BadRequestError(message, **kw)
        return NotFoundError(message, **kw)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after_seconds(response.headers), **kw)
    if status >= 500 or status in GATEWAY_STATUSES:
        return ServerError(message, **kw)
    return APIError(message, **kw)


def error_from_exception(
    exc: Exception, *, method: str, url: str, timeout: float, secrets: Iterable[str] = ()
) -> TransportError:
    """A TransportError for an httpx (or asyncio) failure, `.sent` False only when the request
    certainly never left this process."""
    name = type(exc).__name__
    detail = one_line(str(exc), secrets, 120)
    sent = not isinstance(exc, NOT_SENT)
    if isinstance(exc, httpx.ConnectTimeout):
        msg = f"timed out connecting after {timeout:g} s"
    elif isinstance(exc, httpx.PoolTimeout):
        msg = f"no free connection within {timeout:g} s"
    elif isinstance(exc, httpx.ConnectError):
        msg = f"could not connect ({detail or name})"
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.ProxyError):
        msg = f"request could not be sent ({name}: {detail})"
    elif isinstance(exc, httpx.TimeoutException | TimeoutError):
        msg = f"no complete answer within {timeout:g} s"
    elif isinstance(exc, httpx.RemoteProtocolError):
        msg = f"the server closed the connection without a complete answer ({detail or name})"
    elif isinstance(exc, httpx.NetworkError):
        msg = f"connection failed mid-request ({name}: {detail or 'no detail'})"
    else:
        msg = f"request failed ({name}: {detail or 'no detail'})"
    if sent:
        msg += "; the request may have taken effect"
    return TransportError(msg, method=method, url=redact_url(url), sent=sent)


def parse_json_body(response: httpx.Response, *, method: str, url: str) -> Any:
    """The JSON of a 2xx answer, or a TransportError(sent=True) saying what was wrong with it."""
    where: dict[str, Any] = {"method": method, "url": redact_url(url), "sent": True}
    if _looks_html(response):
        raise TransportError(f"expected JSON, got {_html_summary(response)}", **where)
    raw = response.content
    if not raw.strip():
        raise TransportError(f"expected JSON, got an empty body (HTTP {response.status_code})", **where)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TransportError("expected JSON, got a body that is not UTF-8", **where) from None
    except json.JSONDecodeError as exc:
        ctype = _content_type(response) or "no content type"
        if exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string"):
            what = f"truncated JSON ({len(raw)} bytes, cut off mid-document)"
        elif "json" not in ctype:
            what = f"a {ctype} body, not JSON"
        else:
            what = f"invalid JSON ({exc.msg} at byte {exc.pos})"
        raise TransportError(f"expected JSON, got {what}", **where) from None
