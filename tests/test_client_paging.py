"""Listing against scripted servers: query parameters, page dialects, and the two ends of the
listing (assistants/listing.py) on servers whose orders or cursors misbehave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from test_client_fakes import FakeServer, Sleeps, assistant, make_client, reply, run

from assistants.client import RetryPolicy
from assistants.errors import ServerError, TransportError


def _page(ids: range | list[int], **fields: Any) -> dict[str, Any]:
    data = [assistant(i) for i in ids]
    body: dict[str, Any] = {"object": "list", "data": data}
    if data:
        body |= {"first_id": data[0]["id"], "last_id": data[-1]["id"]}
    return body | fields


class Routed:
    """Answers each order from its own script (a step per request, as FakeServer's)."""

    def __init__(self, asc: list[Any], desc: list[Any]) -> None:
        self.scripts = {"asc": list(asc), "desc": list(desc)}

    def __call__(self, request: httpx.Request) -> Any:
        step = self.scripts[request.url.params["order"]].pop(0)
        if isinstance(step, Exception):
            raise step
        return step if isinstance(step, httpx.Response) else step(request)


def world(ids: list[int], *, created: Callable[[int], int] = lambda i: 1,
          desc_ids: list[int] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    """A server listing `ids` ascending and `desc_ids` (default: `ids` reversed) descending,
    with exact `after` cursors."""
    orders = {"asc": ids, "desc": desc_ids if desc_ids is not None else ids[::-1]}

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        seq = orders[params["order"]]
        start = 0
        if "after" in params:
            start = [f"asst_{i}" for i in seq].index(params["after"]) + 1
        chunk = seq[start:start + int(params["limit"])]
        body = _page([], has_more=start + len(chunk) < len(seq))
        body["data"] = [assistant(i, created_at=created(i)) for i in chunk]
        return reply(200, body)

    return answer


def _list(*steps: object, default: object = None, retry: RetryPolicy | None = None
          ) -> tuple[FakeServer, list[dict], list[str]]:
    server = FakeServer(*steps, default=default)  # type: ignore[arg-type]
    warnings: list[str] = []

    async def go() -> list[dict]:
        async with make_client(server, retry=retry, warn=warnings.append) as client:
            return await client.list_all()

    return server, run(go()), warnings


def ids(items: list[dict]) -> list[str]:
    return [a["id"] for a in items]


def test_two_ends_with_exact_query_params() -> None:
    server, items, warnings = _list(default=world(list(range(205))))
    assert ids(items) == [f"asst_{i}" for i in range(205)]
    assert server.queries() == [
        {"limit": "100", "order": "asc"},
        {"limit": "100", "order": "asc", "after": "asst_99"},
        {"limit": "100", "order": "desc"},
    ]
    assert {r.method for r in server.requests} == {"GET"}
    assert {r.url.path for r in server.requests} == {"/v1/assistants"}
    assert warnings == []


def test_last_id_preferred_over_last_item() -> None:
    server, _, _ = _list(default=Routed(
        asc=[reply(200, _page([1, 2], has_more=True, last_id="cursor-x")),
             reply(200, _page([3], has_more=False))],
        desc=[reply(200, _page([3, 2, 1], has_more=False))]))
    assert server.queries()[1]["after"] == "cursor-x"


@pytest.mark.parametrize("last_id", [None, ""])
def test_missing_last_id_falls_back_to_last_item(last_id: str | None) -> None:
    first = _page([1, 2], has_more=True)
    first["last_id"] = last_id
    server, items, warnings = _list(default=Routed(
        asc=[reply(200, first), reply(200, _page([3], has_more=False))],
        desc=[reply(200, _page([3, 2, 1], has_more=False))]))
    assert server.queries()[1]["after"] == "asst_2"
    assert ids(items) == ["asst_1", "asst_2", "asst_3"] and warnings == []


def test_missing_has_more_follows_full_pages_until_short_or_empty() -> None:
    full = {"data": [assistant(i) for i in range(100)]}  # no has_more, no last_id
    server, items, _ = _list(default=Routed(
        asc=[reply(200, full), reply(200, {"data": []})],
        desc=[reply(200, {"data": [assistant(i) for i in range(99, -1, -1)]})]))
    assert len(items) == 100
    assert server.queries()[1] == {"limit": "100", "order": "asc", "after": "asst_99"}

    server, items, _ = _list(reply(200, {"data": [assistant(1)]}))
    assert len(items) == 1 and len(server.requests) == 1


@pytest.mark.parametrize("body", [
    {"object": "list", "data": None, "has_more": False},
    {"object": "list", "data": None, "has_more": None, "first_id": None, "last_id": None},
    {"data": []},
])
def test_null_and_empty_pages(body: dict[str, Any]) -> None:
    _, items, _ = _list(reply(200, body))
    assert items == []


def test_extra_fields_and_items_are_returned_raw() -> None:
    raw = assistant("x", created_at=1.5, updated_at=2, tools=None, vendor={"k": 1})
    _, items, _ = _list(reply(200, {"data": [raw], "has_more": False, "total": 1, "next": None}))
    assert items == [raw]


def test_the_same_id_twice_is_reported_and_both_ends_run_to_the_end() -> None:
    server, items, warnings = _list(default=Routed(
        asc=[reply(200, _page([1, 2], has_more=True)), reply(200, _page([2, 3], has_more=True)),
             reply(200, _page([4], has_more=False))],
        desc=[reply(200, _page([4, 3], has_more=True)), reply(200, _page([2, 1], has_more=False))]))
    assert ids(items) == ["asst_1", "asst_2", "asst_3", "asst_4"]
    assert len(server.requests) == 5
    assert len(warnings) == 1 and "the asc listing returned asst_2 twice" in warnings[0]


def test_a_cursor_that_does_not_advance_stops_that_end_only() -> None:
    page = _page([1, 2], has_more=True)
    server, items, warnings = _list(default=Routed(
        asc=[reply(200, page), reply(200, page)],
        desc=[reply(200, _page([3, 2], has_more=True)), reply(200, _page([1], has_more=False))]))
    assert ids(items) == ["asst_1", "asst_2", "asst_3"]
    assert len(server.requests) == 4  # asc twice (then stopped), desc to its end
    assert len(warnings) == 1 and "cursor 'asst_2' did not advance" in warnings[0]


def test_both_ends_failing_is_an_error_not_a_loop() -> None:
    page = _page([1, 2], has_more=True)
    with pytest.raises(TransportError, match="could not list every assistant: .*did not "
                                             "advance.*empty page with `has_more: true`"):
        _list(default=Routed(asc=[reply(200, page), reply(200, page)],
                             desc=[reply(200, {"data": [], "has_more": True})]))


def test_item_without_id_is_an_error() -> None:
    with pytest.raises(TransportError, match="no `id`"):
        _list(reply(200, {"data": [{"name": "x"}], "has_more": False}))


def test_a_failed_page_is_retried_alone() -> None:
    answer = world(list(range(101)))
    server, items, _ = _list(default=Routed(
        asc=[answer, reply(503, {"error": {"message": "busy"}}), answer],
        desc=[answer]), retry=RetryPolicy(backoff_base=0))
    assert len(items) == 101
    assert sorted((q["order"], q.get("after") or "") for q in server.queries()) == [
        ("asc", ""), ("asc", "asst_99"), ("asc", "asst_99"), ("desc", "")]


def test_a_server_ignoring_order_is_read_with_one_cursor() -> None:
    server, items, warnings = _list(default=world(list(range(250)), desc_ids=list(range(250))))
    assert ids(items) == [f"asst_{i}" for i in range(250)]
    assert [q["order"] for q in server.queries()] == ["asc", "asc", "desc", "asc"]
    assert len(warnings) == 1 and "ignores order=desc" in warnings[0]


def test_a_server_rejecting_desc_is_read_with_one_cursor() -> None:
    answer = world(list(range(250)))
    rejected = reply(400, {"error": {"message": "Invalid 'order'", "param": "order"}})
    server, items, warnings = _list(default=Routed(asc=[answer] * 3, desc=[rejected]))
    assert ids(items) == [f"asst_{i}" for i in range(250)]
    assert len(server.requests) == 4 and warnings == []


def test_ties_broken_differently_in_each_order_read_both_ends_in_full() -> None:
    # One second; ascending by id, descending by another tie order (not the reverse).
    asc_ids = list(range(300))
    desc_ids = [*range(150, 300), *range(150)][::-1]
    server, items, warnings = _list(default=world(asc_ids, desc_ids=desc_ids))
    assert sorted(ids(items)) == sorted(f"asst_{i}" for i in range(300))
    assert len(server.requests) == 6  # 3 pages each way
    assert len(warnings) == 1 and "disagree where they meet" in warnings[0]


def test_a_small_overlap_inside_one_second_reads_one_more_round() -> None:
    # 495 ids: the ends meet after 5 requests with an overlap of 5, all in the same second.
    server, items, warnings = _list(default=world(list(range(495))))
    assert ids(items) == [f"asst_{i}" for i in range(495)]
    assert len(server.requests) == 7 and warnings == []
    # The same world with the ends' last `created_at` apart: the meeting is trusted at once.
    server, items, _ = _list(default=world(list(range(495)), created=lambda i: i))
    assert ids(items) == [f"asst_{i}" for i in range(495)]
    assert len(server.requests) == 5


class YieldingSleeps(Sleeps):
    """Records each delay and lets the other end run meanwhile, as a real wait would."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


def test_the_two_ends_share_one_retry_budget() -> None:
    answer = world(list(range(250)))
    busy = reply(503, {"error": {"message": "busy"}})
    server, sleeps = FakeServer(default=Routed(asc=[answer, busy, busy, answer],
                                               desc=[busy, busy, answer])), YieldingSleeps()

    async def go() -> None:
        async with make_client(server, sleeps=sleeps, retry=RetryPolicy(max_attempts=4)) as c:
            await c.list_all()

    # Alone, each end would retry twice and succeed; failing together, they have three.
    with pytest.raises(ServerError, match="HTTP 503"):
        run(go())
    assert len(sleeps) == 3


def test_a_server_whose_descending_cursor_is_broken_is_read_through_by_the_other_end() -> None:
    """API-FACTS: some servers' `after` cursor is broken in `desc` order (here it is ignored:
    every descending page is the first). The descending end repeats itself and stops; the
    ascending end reads on to its end, so the union is still every assistant, once, with one
    warning naming the inconsistency."""
    exact = world(list(range(350)))

    def broken_desc(request: httpx.Request) -> httpx.Response:
        if request.url.params["order"] == "desc":
            params = dict(request.url.params)
            params.pop("after", None)
            request = httpx.Request("GET", request.url.copy_with(params=params))
        return exact(request)

    server, items, warnings = _list(default=broken_desc)
    assert ids(items) == [f"asst_{i}" for i in range(350)]
    asc_queries = [q for q in server.queries() if q["order"] == "asc"]
    assert len(asc_queries) == 4  # the ascending end read every page
    (warning,) = warnings
    assert "inconsistent" in warning and "did not advance" in warning
    assert "read it to the end in the ascending order" in warning
