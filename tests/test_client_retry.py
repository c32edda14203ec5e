"""Retries: what is retried, how long we wait, when we stop, and why create is special."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from test_client_fakes import (
    FakeServer,
    Sleeps,
    assert_clean,
    assistant,
    make_client,
    reply,
    run,
)

from assistants.client import RetryPolicy, create_outcome_unknown
from assistants.errors import (
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from assistants.retry import retry_after_seconds

OK = reply(200, assistant(1))
BUSY = {"error": {"message": "busy"}}


def _get_with(*steps: object, retry: RetryPolicy | None = None) -> tuple[FakeServer, Sleeps]:
    server, sleeps = FakeServer(*steps), Sleeps()  # type: ignore[arg-type]

    async def go() -> None:
        async with make_client(server, sleeps=sleeps, retry=retry) as client:
            assert await client.get("asst_1") == assistant(1)

    run(go())
    return server, sleeps


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "200", "retry-after": "9"}, 0.2),
        ({"retry-after-ms": "nonsense", "retry-after": "4"}, 4.0),
        ({"retry-after": "3600"}, 60.0),
        ({"retry-after-ms": "120000"}, 60.0),
    ],
)
def test_429_honours_server_wait(headers: dict[str, str], expected: float) -> None:
    server, sleeps = _get_with(reply(429, BUSY, headers=headers), OK)
    assert sleeps == [expected]
    assert len(server.requests) == 2


def test_retry_after_http_date() -> None:
    now = datetime(2026, 11, 26, 0, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=12), usegmt=True)
    assert retry_after_seconds({"retry-after": header}, now=now) == 12.0
    assert retry_after_seconds({"retry-after": format_datetime(now - timedelta(seconds=5),
                                                               usegmt=True)}, now=now) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_retry_after_date_end_to_end_is_capped() -> None:
    far = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    server, sleeps = _get_with(reply(503, BUSY, headers={"retry-after": far}), OK,
                               retry=RetryPolicy(retry_after_max=10.0))
    assert sleeps == [10.0]


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(max_attempts=6, backoff_base=0.5, backoff_max=2.0)
    server, sleeps = _get_with(*[reply(503, BUSY)] * 5, OK, retry=policy)
    assert len(server.requests) == 6 and len(sleeps) == 5
    for got, full in zip(sleeps, [0.5, 1.0, 2.0, 2.0, 2.0], strict=True):
        assert full * 0.75 <= got <= full


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_idempotent_requests_retry_these_statuses(status: int) -> None:
    server, sleeps = _get_with(reply(status, BUSY), OK, retry=RetryPolicy(backoff_base=0))
    assert len(server.requests) == 2 and sleeps == [0.0]


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("t"), httpx.ConnectError("c"),
                                 httpx.RemoteProtocolError("r"), httpx.ReadError("reset")])
def test_idempotent_requests_retry_transport_failures(exc: Exception) -> None:
    server, _ = _get_with(exc, OK)
    assert len(server.requests) == 2


def test_retries_are_bounded_then_the_error_is_raised() -> None:
    server, sleeps = FakeServer(default=reply(503, BUSY)), Sleeps()

    async def go() -> dict[str, int]:
        async with make_client(server, sleeps=sleeps, retry=RetryPolicy(max_attempts=3)) as c:
            with pytest.raises(ServerError, match=r"HTTP 503: busy; gave up after 3 attempts in "
                                                   r"\d+\.\d s$"):
                await c.list_all()
            return c.stats

    stats = run(go())
    assert len(server.requests) == 3 and len(sleeps) == 2
    assert stats == {"requests": 3, "retries": 2}


def test_a_connection_that_keeps_failing_says_how_often_it_was_tried() -> None:
    server = FakeServer(default=httpx.ConnectError("[Errno 111] Connection refused"))

    async def go() -> None:
        async with make_client(server, sleeps=Sleeps(), retry=RetryPolicy(max_attempts=4)) as c:
            await c.list_all()

    with pytest.raises(TransportError) as caught:
        run(go())
    assert str(caught.value).endswith(" s")
    assert ("could not connect ([Errno 111] Connection refused); gave up after 4 attempts in "
            in str(caught.value))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 412, 422, 446])
def test_client_errors_are_not_retried(status: int) -> None:
    server = FakeServer(default=reply(status, BUSY))

    async def go() -> None:
        async with make_client(server) as client:
            await client.get("asst_1")

    with pytest.raises(Exception) as caught:  # noqa: B017 - test_client_errors checks the class
        run(go())
    assert len(server.requests) == 1
    assert "gave up" not in str(caught.value)  # one attempt: nothing to say about retries


def test_x_should_retry_false_stops_retries() -> None:
    server = FakeServer(default=reply(503, BUSY, headers={"x-should-retry": "false"}))

    async def go() -> None:
        async with make_client(server) as client:
            await client.modify("asst_1", {"name": "n"})

    with pytest.raises(ServerError):
        run(go())
    assert len(server.requests) == 1


def test_x_should_retry_true_retries_an_idempotent_4xx() -> None:
    server, _ = _get_with(reply(400, BUSY, headers={"x-should-retry": "true"}), OK)
    assert len(server.requests) == 2


# -- create: never repeated unless it certainly did not take effect ----------------------------


def _create_with(*steps: object) -> tuple[FakeServer, BaseException | dict[str, object]]:
    server = FakeServer(*steps)  # type: ignore[arg-type]

    async def go() -> dict[str, object]:
        async with make_client(server, sleeps=Sleeps()) as client:
            return await client.create({"model": "gpt-4o", "name": "n"})

    try:
        return server, run(go())
    except Exception as exc:  # noqa: BLE001 - returned for the test to inspect
        return server, exc


@pytest.mark.parametrize(
    ("step", "exc_type"),
    [
        (reply(500, BUSY), ServerError),
        (reply(502, text="<html><title>Bad Gateway</title></html>", content_type="text/html"),
         ServerError),
        (reply(408, {"status": "failure", "message": "timeout"}), ServerError),
        (reply(409, BUSY), Exception),
        (reply(500, BUSY, headers={"x-should-retry": "true"}), ServerError),
        (httpx.ReadTimeout("t"), TransportError),
        (httpx.ReadError("reset"), TransportError),
        (httpx.RemoteProtocolError("closed"), TransportError),
        (httpx.WriteError("broken pipe"), TransportError),
    ],
)
def test_create_not_retried_when_it_may_have_taken_effect(step: object, exc_type: type) -> None:
    server, outcome = _create_with(step, OK)
    assert isinstance(outcome, exc_type)
    assert len(server.requests) == 1
    if not isinstance(outcome, ServerError | TransportError):
        return
    assert create_outcome_unknown(outcome)
    assert_clean(str(outcome))


@pytest.mark.parametrize("step", [
    reply(429, BUSY, headers={"retry-after": "1"}),
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("t"),
    httpx.PoolTimeout("t"),
])
def test_create_retried_when_it_certainly_did_not_take_effect(step: object) -> None:
    server, outcome = _create_with(step, OK)
    assert outcome == assistant(1)
    assert len(server.requests) == 2
    bodies = [json.loads(r.content) for r in server.requests]
    assert bodies == [{"model": "gpt-4o", "name": "n"}] * 2


def test_create_429_exhausted_is_rate_limit_and_certainly_not_created() -> None:
    server, outcome = _create_with(*[reply(429, BUSY)] * 5)
    assert isinstance(outcome, RateLimitError) and not create_outcome_unknown(outcome)
    assert len(server.requests) == 5


def test_create_outcome_unknown_for_other_errors() -> None:
    assert not create_outcome_unknown(BadRequestError("x", status=400))
    assert not create_outcome_unknown(TransportError("x", sent=False))


def test_modify_retried_after_read_timeout_with_the_same_body() -> None:
    server = FakeServer(httpx.ReadTimeout("t"), reply(200, assistant(1, name="n")))

    async def go() -> None:
        async with make_client(server) as client:
            await client.modify("asst_1", {"name": "n", "metadata": {"a": "b"}})

    run(go())
    assert [r.content for r in server.requests] == [server.requests[0].content] * 2
    assert json.loads(server.requests[0].content) == {"name": "n", "metadata": {"a": "b"}}


# -- delete: a 404 after an attempt that may have landed means done ----------------------------


@pytest.mark.parametrize("first", [reply(500, BUSY), reply(429, BUSY), httpx.ReadTimeout("t"),
                                   httpx.RemoteProtocolError("closed")])
def test_delete_404_on_retry_counts_as_deleted(first: object) -> None:
    server = FakeServer(first, reply(404, {"error": {"message": "No assistant found"}}))  # type: ignore[arg-type]

    async def go() -> None:
        async with make_client(server) as client:
            await client.delete("asst_1")

    run(go())
    assert len(server.requests) == 2


@pytest.mark.parametrize("steps", [
    [reply(404, {"error": {"message": "No assistant found"}})],
    [httpx.ConnectError("refused"), reply(404, {"error": {"message": "No assistant found"}})],
])
def test_delete_404_when_nothing_reached_the_server_is_not_found(steps: list[object]) -> None:
    server = FakeServer(*steps)  # type: ignore[arg-type]

    async def go() -> None:
        async with make_client(server) as client:
            await client.delete("asst_1")

    with pytest.raises(NotFoundError, match="No assistant found"):
        run(go())


# -- timeouts, stats and the log ---------------------------------------------------------------


def test_total_timeout_per_request() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return OK  # pragma: no cover

    server = FakeServer(slow)

    async def go() -> None:
        async with make_client(server, timeout=0.05) as client:
            await client.create({"model": "m"})

    with pytest.raises(TransportError, match="no complete answer within 0.05 s") as info:
        run(go())
    assert info.value.sent and len(server.requests) == 1


def test_stats_and_log_lines() -> None:
    server = FakeServer(reply(503, BUSY), httpx.ConnectError("refused"), OK,
                        reply(200, {"data": [assistant(1)], "has_more": False}))
    lines: list[str] = []

    async def go() -> dict[str, int]:
        async with make_client(server, log=lines.append,
                               retry=RetryPolicy(backoff_base=0.0)) as client:
            await client.get("asst_1")
            await client.list_all()
            return client.stats

    assert run(go()) == {"requests": 4, "retries": 2}
    assert [line.split(" (")[0] for line in lines] == [
        "GET /v1/assistants/asst_1 -> 503",
        "GET /v1/assistants/asst_1 -> ConnectError",
        "GET /v1/assistants/asst_1 -> 200",
        "GET /v1/assistants?limit=100&order=asc -> 200",
    ]
    assert lines[0].endswith("ms), retrying in 0.00 s")
    for line in lines:
        assert_clean(line)
        assert "x-portkey" not in line.lower() and "authorization" not in line.lower()
