"""The listing from both ends (assistants/listing.py) against `assistants serve` over a real
socket: the ids it returns and the requests the server logged, on a well-behaved server, under
the skip-paging fault, without `order=desc`, with faults on one end only, and with a delete
between pages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from assistants.client import AssistantsClient, RetryPolicy
from tests.local.helpers import seed_store


def list_with(handle: Any, *, transport: httpx.AsyncBaseTransport | None = None,
              retry: RetryPolicy | None = None, confirm: bool = False
              ) -> tuple[list[str], list[str]]:
    """The ids `list_all` returns, in order, and the warnings it gave; with `confirm`, as a
    caller about to create something lists."""
    warnings: list[str] = []

    async def go() -> list[dict[str, Any]]:
        async with AssistantsClient(handle.base_url, {"Authorization": "Bearer sk-test"},
                                    transport=transport, warn=warnings.append,
                                    retry=retry or RetryPolicy()) as client:
            return await client.list_all(confirm=(lambda items: True) if confirm else None)

    return [a["id"] for a in asyncio.run(go())], warnings


def list_requests(handle: Any) -> list[tuple[str, str, int]]:
    """(order, after, status) of each listing request the server logged."""
    out = []
    for entry in handle.log_entries():
        if entry["method"] == "GET" and entry["path"] == "/v1/assistants":
            query = dict(httpx.QueryParams(entry["query"]))
            out.append((query.get("order", ""), query.get("after", ""), entry["status"]))
    return out


@pytest.mark.parametrize(("count", "requests"), [
    (0, 1), (1, 1), (99, 1), (100, 1), (101, 3), (250, 3), (10_000, 101),
])
def test_union_is_exact_with_every_assistant_in_one_second(serve, tmp_path, count, requests):
    ids = seed_store(tmp_path / "n.db", count)
    handle = serve(db=tmp_path / "n.db")
    seen, warnings = list_with(handle)
    assert seen == ids  # every assistant once, oldest first
    logged = list_requests(handle)
    assert len(logged) == requests and {status for *_, status in logged} == {200}
    assert warnings == []
    if count > 100:  # both ends ran; they stopped where they met
        assert {order for order, *_ in logged} == {"asc", "desc"}


def walk(handle: Any, order: str) -> tuple[list[str], list[str]]:
    """A bare cursor walk in one order: the ids it read, and the cursors it sent."""
    seen: list[str] = []
    cursors = [""]
    with handle.client() as http:
        while True:
            params = {"limit": 100, "order": order} | ({"after": cursors[-1]} if cursors[-1] else {})
            body = http.get("/assistants", params=params).raise_for_status().json()
            seen += [a["id"] for a in body["data"]]
            if not body["has_more"]:
                return seen, cursors
            cursors.append(body["last_id"])


def test_skip_paging_fault_confirmed_by_both_ends_in_full(serve, tmp_path):
    """The ascending cursor skips 5 assistants where the ends do not overlap, so the meeting
    agrees: a plain listing cannot see it. A caller about to create confirms: both ends read
    on to their ends, and the union has every assistant."""
    ids = seed_store(tmp_path / "s.db", 250, per_second=7, id_seed=14)
    handle = serve(db=tmp_path / "s.db", skip_paging=True)
    seen, warnings = list_with(handle, confirm=True)
    logged = list_requests(handle)
    asc_walk, asc_cursors = walk(handle, "asc")
    desc_walk, desc_cursors = walk(handle, "desc")
    assert set(asc_walk) != set(ids) and set(desc_walk) != set(ids), "the fault must skip"
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    # Exactly one full walk each way, nothing more.
    assert sorted((o, a) for o, a, _ in logged) == sorted(
        [("asc", c) for c in asc_cursors] + [("desc", c) for c in desc_cursors])
    assert len(warnings) == 1 and "skips items" in warnings[0] and "found 5" in warnings[0]


def test_skip_paging_fault_where_the_ends_meet_is_an_inconsistency(serve, tmp_path):
    """All in one second: the ascending cursor repeats and skips assistants inside the
    overlap, so both ends run to the end at once, with one warning."""
    ids = seed_store(tmp_path / "t.db", 250, id_seed=16)
    handle = serve(db=tmp_path / "t.db", skip_paging=True)
    seen, warnings = list_with(handle)
    logged = list_requests(handle)
    asc_walk, asc_cursors = walk(handle, "asc")
    desc_walk, desc_cursors = walk(handle, "desc")
    assert set(asc_walk) != set(ids), "the fault must skip"
    assert sorted((o, a) for o, a, _ in logged) == sorted(
        [("asc", c) for c in asc_cursors] + [("desc", c) for c in desc_cursors])
    assert set(seen) == set(asc_walk) | set(desc_walk) and len(seen) == len(set(seen))
    assert len(warnings) == 1 and "the server's listing is inconsistent" in warnings[0]


def stream_with(handle: Any) -> tuple[list[list[str]], list[str]]:
    """The pages a plan's listing hands on (`oldest_first` off), as ids, and the warnings."""
    warnings: list[str] = []

    async def go() -> list[list[str]]:
        async with AssistantsClient(handle.base_url, {"Authorization": "Bearer sk-test"},
                                    warn=warnings.append) as client:
            return [[a["id"] for a in page]
                    async for page in client.listing().pages(oldest_first=False)]

    return asyncio.run(go()), warnings


@pytest.mark.parametrize(("count", "skip"), [(250, False), (10_000, False), (250, True)])
def test_a_plans_listing_hands_on_each_end_as_it_arrives(serve, tmp_path, count, skip):
    """A plan orders a key's copies by `created_at` itself, so its listing holds nothing back:
    the descending end's pages are handed on as they arrive (not after the ends meet), each
    assistant exactly once, the same set as the ordered listing, with the same requests."""
    ids = seed_store(tmp_path / "p.db", count, id_seed=16 if skip else None)
    handle = serve(db=tmp_path / "p.db", skip_paging=skip)
    pages, warnings = stream_with(handle)
    streamed = [ident for page in pages for ident in page]
    assert len(streamed) == len(set(streamed))  # never one assistant twice
    ordered, ordered_warnings = list_with(handle)
    assert set(streamed) == set(ordered) and warnings == ordered_warnings
    if not skip:
        assert set(streamed) == set(ids)
        # The second page already holds the newest assistants (the descending end's first).
        assert ids[-1] in pages[1]
    requests = list_requests(handle)
    assert len(requests) == 2 * len(requests[: len(requests) // 2])  # both listings alike


def test_a_server_without_desc_is_read_with_one_cursor(serve, tmp_path):
    ids = seed_store(tmp_path / "d.db", 250)
    handle = serve(db=tmp_path / "d.db", reject_desc=True)
    seen, warnings = list_with(handle)
    assert seen == ids and warnings == []
    assert list_requests(handle) == [("asc", "", 200), ("asc", ids[99], 200),
                                     ("desc", "", 400), ("asc", ids[199], 200)]


def test_429s_on_the_descending_end_only(serve, tmp_path):
    ids = seed_store(tmp_path / "r.db", 1000)
    handle = serve(db=tmp_path / "r.db", rate_limit_every=2, retry_after_ms=1,
                   faults_only="order=desc")
    seen, warnings = list_with(handle)
    assert seen == ids and warnings == []
    logged = list_requests(handle)
    # 6 pages up, 5 down; every second descending request answered 429 and repeated.
    assert [s for o, _, s in logged if o == "desc"] == [200, 429, 200, 429, 200, 429, 200, 429, 200]
    assert [s for o, _, s in logged if o == "asc"] == [200] * 6


def test_500s_on_the_descending_end_only(serve, tmp_path):
    ids = seed_store(tmp_path / "f.db", 1000)
    handle = serve(db=tmp_path / "f.db", fail_rate=0.4, seed=3, faults_only="order=desc")
    seen, warnings = list_with(handle, retry=RetryPolicy(max_attempts=10, backoff_base=0.001))
    assert seen == ids and warnings == []
    logged = list_requests(handle)
    failed = [o for o, _, s in logged if s == 500]
    assert failed and set(failed) == {"desc"}
    assert len(logged) == 11 + len(failed)  # 6 pages up, 5 down, and one retry per 500


class DeleteAfterFirstPage(httpx.AsyncHTTPTransport):
    """Runs `hook` once, when the first ascending page has arrived and before the listing
    asks for anything more."""

    def __init__(self, hook: Callable[[], None]) -> None:
        super().__init__()
        self.hook: Callable[[], None] | None = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.hook is not None and request.url.params.get("order") == "asc":
            hook, self.hook = self.hook, None
            hook()
        return response


def test_a_delete_between_pages(serve, tmp_path):
    ids = seed_store(tmp_path / "x.db", 250)
    handle = serve(db=tmp_path / "x.db")

    def delete_two() -> None:
        with handle.client() as http:
            for gone in (ids[50], ids[180]):  # one read already, one not yet read
                http.delete(f"/assistants/{gone}").raise_for_status()

    seen, warnings = list_with(handle, transport=DeleteAfterFirstPage(delete_two))
    assert seen == [i for i in ids if i != ids[180]] and warnings == []
    assert [(o, a) for o, a, _ in list_requests(handle)] == [
        ("asc", ""), ("asc", ids[99]), ("desc", "")]
