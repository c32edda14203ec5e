"""A small HTTP/1.1 chaos proxy for end-to-end fault tests: loopback only, bounded, scriptable per
request. It sits in front of an `assistants serve` server (or answers by itself) and, for each
request, takes the action a script names:

    proxy = ChaosProxy(upstream=handle.base_url).start()
    proxy.script = nth({3: "html-502"})             # the 3rd request gets an HTML 502 page
    proxy.script = lambda n, method, path: "reset" if method == "POST" else None
    run_cli([...], env={"ASSISTANTS_ENDPOINT": proxy.base_url, ...})
    proxy.log                                       # [(n, method, path, action), ...]
    proxy.stop()

Actions (None or "pass" forwards the request untouched):
    reset               close the connection with a TCP RST before forwarding anything
    reset-after         forward, then close with a RST instead of answering (the write happened)
    truncate            forward; answer with the upstream's headers but only half its body,
                        then close the connection
    truncate-json       forward; a complete 200 answer whose JSON body is cut in half
    content-type:T      forward; answer with `Content-Type: T`
    html-502            answer 502 with a proxy's HTML error page, not forwarded
    html-502-after      forward, then answer 502 with a proxy's HTML error page
    status:N            answer N with an OpenAI error envelope (429 with `Retry-After: 0`)
    status-after:N      forward, then answer N
    slow:S              forward at once, answer S seconds later
    slow-before:S       wait S seconds, then forward (even if the client has given up)
    sort-by-id          forward; in a 200 listing, order items of the same second by id
    redirect:URL        answer 307 with `Location: URL` (`redirect-301:URL` for another status)
    delay:S             wait S seconds, then forward and answer
    barrier-second:K    as barrier, released just after the next second starts
    barrier:K           hold the request until K requests have reached the barrier, then
                        forward it (concurrent clients all read the world before any writes)
    echo:N              answer N (`Retry-After: 0`) with a JSON body and a header echoing
                        every request header

The proxy records each request's headers in `headers_seen` so that tests can check what was
sent, and never binds anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.support.server import ServerHandle, start_server

Script = Callable[[int, str, str], str | None]
MAX_HEAD = 64 * 1024
MAX_BODY = 4 * 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host",
              "content-encoding", "upgrade", "proxy-connection", "te", "trailer"}
HTML_502 = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>"
            b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")


def nth(table: Mapping[int, str]) -> Script:
    """Request number (1-based, counted across connections) -> action."""
    return lambda n, method, path: table.get(n)


def first(count: int, action: str) -> Script:
    """The first `count` requests get `action`."""
    return lambda n, method, path: action if n <= count else None


def when(action: str, *, method: str | None = None, path: str | None = None,
         times: int | None = None) -> Script:
    """`action` for requests matching `method` and `path` (a prefix), at most `times` times."""
    used = [0]

    def script(n: int, m: str, p: str) -> str | None:
        if (method is None or m == method) and (path is None or p.startswith(path)):
            if times is None or used[0] < times:
                used[0] += 1
                return action
        return None

    return script


def every(k: int, action: str) -> Script:
    """Every k-th request gets `action`."""
    return lambda n, method, path: action if n % k == 0 else None


@dataclass
class _Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class ChaosProxy:
    upstream: str | None = None  # base URL of the upstream server (scheme://host:port/...)
    script: Script = field(default=lambda n, method, path: None)
    log: list[tuple[int, str, str, str]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    current_headers: dict[str, str] = field(default_factory=dict)  # of the request being scripted

    def __post_init__(self) -> None:
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._barrier = asyncio.Event()
        self._barrier_count = 0

    @property
    def base_url(self) -> str:
        path = urlsplit(self.upstream).path if self.upstream else "/v1"
        return f"http://127.0.0.1:{self.port}{path}"

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every request still travelling (`slow-before`) has reached the upstream."""
        if self._loop is None:
            return

        async def drain() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

        asyncio.run_coroutine_threadsafe(drain(), self._loop).result(timeout)

    def reset(self, script: Script | None = None) -> None:
        """Count requests from 1 again, with a new script (default: forward everything)."""
        self._count = 0
        self._barrier = asyncio.Event()
        self._barrier_count = 0
        self.current_headers = {}
        self.log.clear()
        self.headers_seen.clear()
        self.script = script or (lambda n, method, path: None)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> ChaosProxy:
        self._thread = threading.Thread(target=self._run, name="chaos-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("chaos proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> ChaosProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._client = httpx.AsyncClient(timeout=30, follow_redirects=False)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, limit=MAX_HEAD))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            pending = asyncio.all_tasks(loop)  # connections still open, late forwards
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(self._client.aclose())
            loop.close()

    # -- one connection ---------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                self._count += 1
                n = self._count
                path = urlsplit(request.target).path
                self.current_headers = {k.lower(): v for k, v in request.headers}
                action = self.script(n, request.method, path) or "pass"
                self.log.append((n, request.method, path, action))
                self.headers_seen.append({k.lower(): v for k, v in request.headers})
                keep = await self._act(action, request, writer)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    async def _forward(self, request: _Request) -> httpx.Response:
        if not self.upstream:
            raise RuntimeError("no upstream to forward to")
        base = urlsplit(self.upstream)
        url = f"{base.scheme}://{base.netloc}{request.target}"
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        assert self._client is not None
        return await self._client.request(request.method, url, headers=headers,
                                          content=request.body)

    def _background_forward(self, request: _Request, delay: float) -> None:
        async def later() -> None:
            await asyncio.sleep(delay)
            await self._forward(request)

        task = asyncio.ensure_future(later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _act(self, action: str, request: _Request, writer: asyncio.StreamWriter) -> bool:
        """Carry out `action`; False when the connection is to be closed."""
        name, _, arg = action.partition(":")
        if name == "reset":
            _rst(writer)
            return False
        if name == "delay":
            await asyncio.sleep(float(arg))
            name = "pass"
        if name in ("barrier", "barrier-second"):
            # Hold this request until `arg` requests have reached the barrier (10 s at most),
            # so that concurrent clients all see the world as it was before any of them wrote.
            self._barrier_count += 1
            if self._barrier_count >= int(arg):
                self._barrier.set()
            try:
                await asyncio.wait_for(self._barrier.wait(), 10)
            except TimeoutError:
                pass
            if name == "barrier-second":  # release just after a second starts
                await asyncio.sleep(1.05 - time.time() % 1.0)
            name = "pass"
        if name == "slow-before":
            # The upstream gets it late, whatever the client does meanwhile.
            self._background_forward(request, float(arg))
            await asyncio.sleep(float(arg) + 0.5)
            _rst(writer)
            return False
        if name in ("html-502", "status", "echo") or name.startswith("redirect"):
            return await self._answer_alone(name, arg, request, writer)

        response = await self._forward(request)
        body = response.content
        status = response.status_code
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        if name == "reset-after":
            _rst(writer)
            return False
        if name == "truncate":
            await _write(writer, status, headers, body[: len(body) // 2], length=len(body))
            writer.close()
            return False
        if name == "truncate-json":
            await _write(writer, status, headers, body[: len(body) // 2])
            return True
        if name == "content-type":
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            await _write(writer, status, [*headers, ("content-type", arg)], body)
            return True
        if name == "html-502-after":
            await _write(writer, 502, [("content-type", "text/html")], HTML_502)
            return True
        if name == "status-after":
            await _write(writer, int(arg), [("content-type", "application/json")],
                         _envelope(int(arg)))
            return True
        if name == "sort-by-id" and status == 200:
            # A server whose `created_at` has one-second resolution and which orders ties by id
            # (as SQL servers ordering by (created_at, id) do): same-second items sorted by id.
            page = json.loads(body)
            if isinstance(page, dict) and isinstance(page.get("data"), list):
                page["data"].sort(key=lambda a: (int(a.get("created_at") or 0), str(a.get("id"))))
                body = json.dumps(page).encode()
        elif name == "slow":
            await asyncio.sleep(float(arg))
        elif name not in ("pass", "sort-by-id"):
            raise ValueError(f"unknown chaos action {action!r}")
        await _write(writer, status, headers, body)
        return True

    async def _answer_alone(self, name: str, arg: str, request: _Request,
                            writer: asyncio.StreamWriter) -> bool:
        if name == "html-502":
            await _write(writer, 502, [("content-type", "text/html; charset=utf-8")], HTML_502)
        elif name == "status":
            status = int(arg)
            extra = [("retry-after", "0")] if status == 429 else []
            await _write(writer, status, [("content-type", "application/json"), *extra],
                         _envelope(status))
        elif name.startswith("redirect"):
            status = int(name.partition("-")[2] or 307)
            await _write(writer, status, [("location", arg), ("content-type", "text/plain")],
                         b"moved\n")
        else:  # echo: a hostile server repeating every header back, in the body and a header
            seen = {k: v for k, v in request.headers}
            body = json.dumps({"error": {"message": f"rejected; you sent {seen}",
                                         "type": "invalid_request_error",
                                         "param": json.dumps(seen), "code": str(seen)}})
            echoed = "; ".join(f"{k}={v}" for k, v in request.headers)
            await _write(writer, int(arg), [("content-type", "application/json"),
                                            ("retry-after", "0"), ("x-echo", echoed[:4000])],
                         body.encode())
        return True


@contextlib.contextmanager
def proxied_server(workdir: Path, **options: Any) -> Iterator[tuple[ServerHandle, ChaosProxy]]:
    """`assistants serve` (with `options`) behind a `ChaosProxy`; both stopped on exit."""
    handle = start_server(workdir, **options)
    proxy = ChaosProxy(upstream=handle.base_url).start()
    try:
        yield handle, proxy
    finally:
        proxy.stop()
        handle.stop()


def _envelope(status: int) -> bytes:
    return json.dumps({"error": {"message": f"chaos proxy says {status}",
                                 "type": "server_error" if status >= 500 else "rate_limit",
                                 "param": None, "code": None}}).encode()


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as err:
        if err.partial.strip():
            raise
        return None
    except asyncio.LimitOverrunError as err:
        raise ValueError("request head too large") from err
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    if length > MAX_BODY:
        raise ValueError("request body too large")
    body = await reader.readexactly(length) if length else b""
    return _Request(method, target, headers, body)


async def _write(writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]],
                 body: bytes, *, length: int | None = None) -> None:
    reason = httpx.codes.get_reason_phrase(status) or "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"content-length: {len(body) if length is None else length}", "connection: keep-alive"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


def _rst(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashing proxy or a middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()
