"""Listing: `limit=100&order=asc`, `after` cursors, and the dialects of list pages."""

from __future__ import annotations

from typing import Any

import pytest
from test_client_fakes import FakeServer, assistant, make_client, reply, run

from assistants.client import RetryPolicy
from assistants.errors import TransportError


def _page(ids: range | list[int], **fields: Any) -> dict[str, Any]:
    data = [assistant(i) for i in ids]
    body: dict[str, Any] = {"object": "list", "data": data}
    if data:
        body |= {"first_id": data[0]["id"], "last_id": data[-1]["id"]}
    return body | fields


def _list(*steps: object, retry: RetryPolicy | None = None) -> tuple[FakeServer, list[dict]]:
    server = FakeServer(*steps)  # type: ignore[arg-type]

    async def go() -> list[dict]:
        async with make_client(server, retry=retry) as client:
            return await client.list_all()

    return server, run(go())


def test_three_pages_with_exact_query_params() -> None:
    server, items = _list(
        reply(200, _page(range(0, 100), has_more=True)),
        reply(200, _page(range(100, 200), has_more=True)),
        reply(200, _page(range(200, 205), has_more=False)),
    )
    assert [a["id"] for a in items] == [f"asst_{i}" for i in range(205)]
    assert server.queries() == [
        {"limit": "100", "order": "asc"},
        {"limit": "100", "order": "asc", "after": "asst_99"},
        {"limit": "100", "order": "asc", "after": "asst_199"},
    ]
    assert {r.method for r in server.requests} == {"GET"}
    assert {r.url.path for r in server.requests} == {"/v1/assistants"}


def test_last_id_preferred_over_last_item() -> None:
    server, _ = _list(reply(200, _page([1, 2], has_more=True, last_id="cursor-x")),
                      reply(200, _page([3], has_more=False)))
    assert server.queries()[1]["after"] == "cursor-x"


@pytest.mark.parametrize("last_id", [None, ""])
def test_missing_last_id_falls_back_to_last_item(last_id: str | None) -> None:
    first = _page([1, 2], has_more=True)
    first["last_id"] = last_id
    server, items = _list(reply(200, first), reply(200, _page([3], has_more=False)))
    assert server.queries()[1]["after"] == "asst_2"
    assert len(items) == 3


def test_missing_has_more_follows_full_pages_until_short_or_empty() -> None:
    full = {"data": [assistant(i) for i in range(100)]}  # no has_more, no last_id
    server, items = _list(reply(200, full), reply(200, {"data": []}))
    assert len(items) == 100
    assert server.queries()[1] == {"limit": "100", "order": "asc", "after": "asst_99"}

    server, items = _list(reply(200, {"data": [assistant(1)]}))
    assert len(items) == 1 and len(server.requests) == 1


@pytest.mark.parametrize("body", [
    {"object": "list", "data": None, "has_more": False},
    {"object": "list", "data": None, "has_more": None, "first_id": None, "last_id": None},
    {"data": []},
])
def test_null_and_empty_pages(body: dict[str, Any]) -> None:
    _, items = _list(reply(200, body))
    assert items == []


def test_extra_fields_and_items_are_returned_raw() -> None:
    raw = assistant("x", created_at=1.5, updated_at=2, tools=None, vendor={"k": 1})
    _, items = _list(reply(200, {"data": [raw], "has_more": False, "total": 1, "next": None}))
    assert items == [raw]


def test_duplicate_ids_across_pages_are_kept_once() -> None:
    _, items = _list(reply(200, _page([1, 2], has_more=True)),
                     reply(200, _page([2, 3], has_more=False)))
    assert [a["id"] for a in items] == ["asst_1", "asst_2", "asst_3"]


def test_repeated_cursor_is_an_error_not_a_loop() -> None:
    page = _page([1, 2], has_more=True)
    with pytest.raises(TransportError, match="repeats the cursor 'asst_2'"):
        _list(reply(200, page), reply(200, page), reply(200, page))


def test_has_more_without_cursor_is_an_error() -> None:
    with pytest.raises(TransportError, match="no cursor"):
        _list(reply(200, {"data": [], "has_more": True}))


def test_item_without_id_is_an_error() -> None:
    with pytest.raises(TransportError, match="no `id`"):
        _list(reply(200, {"data": [{"name": "x"}], "has_more": False}))


def test_a_failed_page_is_retried_alone() -> None:
    server, items = _list(
        reply(200, _page(range(0, 100), has_more=True)),
        reply(503, {"error": {"message": "busy"}}),
        reply(200, _page(range(100, 101), has_more=False)),
        retry=RetryPolicy(backoff_base=0),
    )
    assert len(items) == 101
    assert [q.get("after") for q in server.queries()] == [None, "asst_99", "asst_99"]
