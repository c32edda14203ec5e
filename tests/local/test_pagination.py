"""Listing: order, cursors both ways, has_more, limits, and exact pages when many assistants
share one `created_at` second."""

from __future__ import annotations

import pytest

from assistants.local.store import Store
from tests.local.helpers import local_client, seed


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    """25 assistants: 10 in one second, 15 in the next (insertion order = creation order)."""
    with local_client(tmp_path_factory.mktemp("pages")) as client:
        store = client.app.state.store
        ids = seed(store, 10, created_at=1_700_000_000) + seed(store, 15, created_at=1_700_000_001)
        yield client, ids


def page(client, **params):
    response = client.get("/assistants", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids_of(body) -> list[str]:
    return [a["id"] for a in body["data"]]


def test_default_is_desc_limit_20(listing):
    client, ids = listing
    body = page(client)
    assert ids_of(body) == ids[::-1][:20]
    assert (body["object"], body["has_more"]) == ("list", True)
    assert (body["first_id"], body["last_id"]) == (ids[-1], ids[-20])


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 3, 7, 10, 25, 100])
def test_after_walks_every_assistant_once(listing, order, limit):
    client, ids = listing
    expected = ids if order == "asc" else ids[::-1]
    seen, after, requests = [], None, 0
    while True:
        params = {"limit": limit, "order": order} | ({"after": after} if after else {})
        body = page(client, **params)
        requests += 1
        seen += ids_of(body)
        if not body["has_more"]:
            break
        after = body["last_id"]
    assert seen == expected
    assert requests == max(1, -(-len(ids) // limit))


def test_before_gives_the_page_nearest_the_cursor(listing):
    client, ids = listing
    desc = ids[::-1]
    body = page(client, order="desc", before=desc[10], limit=3)
    assert ids_of(body) == desc[7:10] and body["has_more"] is True
    body = page(client, order="asc", before=ids[2], limit=5)
    assert ids_of(body) == ids[:2] and body["has_more"] is False


def test_after_and_before_together(listing):
    client, ids = listing
    body = page(client, order="asc", after=ids[3], before=ids[9], limit=100)
    assert ids_of(body) == ids[4:9] and body["has_more"] is False
    body = page(client, order="asc", after=ids[3], before=ids[9], limit=2)
    assert ids_of(body) == ids[4:6] and body["has_more"] is True


def test_end_of_list_is_empty_with_null_ids(listing):
    client, ids = listing
    body = page(client, order="asc", after=ids[-1])
    assert body == {"object": "list", "data": [], "first_id": None, "last_id": None,
                    "has_more": False}


def test_cursor_survives_its_deletion(tmp_path):
    with local_client(tmp_path) as client:
        ids = seed(client.app.state.store, 6)
        assert client.delete(f"/assistants/{ids[2]}").status_code == 200
        assert ids_of(page(client, order="asc", after=ids[2])) == ids[3:]
        assert ids_of(page(client, order="desc")) == [i for i in ids[::-1] if i != ids[2]]


@pytest.mark.parametrize(("params", "param", "code"), [
    ({"limit": 0}, "limit", "integer_below_min_value"),
    ({"limit": 101}, "limit", "integer_above_max_value"),
    ({"limit": -5}, "limit", "integer_below_min_value"),
    ({"limit": "ten"}, "limit", "invalid_type"),
    ({"order": "sideways"}, "order", "invalid_value"),
    ({"after": "asst_nope"}, "after", "invalid_value"),
    ({"before": "asst_nope"}, "before", "invalid_value"),
])
def test_bad_list_parameters_400(listing, params, param, code):
    client, _ = listing
    response = client.get("/assistants", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)


def test_limits_at_the_bounds(listing):
    client, ids = listing
    assert len(page(client, limit=1)["data"]) == 1
    assert len(page(client, limit=100)["data"]) == len(ids)


def test_thousand_assistants_in_ten_requests(serve, tmp_path):
    db = tmp_path / "big.db"
    store = Store(db)
    ids = seed(store, 1000, created_at=1_700_000_000)  # all in one second: order by sequence
    store.close()
    handle = serve(db=db)
    seen: list[str] = []
    with handle.client() as http:
        params: dict[str, object] = {"limit": 100}
        while True:
            body = http.get("/assistants", params=params).raise_for_status().json()
            seen += ids_of(body)
            if not body["has_more"]:
                break
            params["after"] = body["last_id"]
    assert seen == ids[::-1]
    gets = [e for e in handle.log_entries() if e["method"] == "GET"]
    assert len(gets) == 10
    assert all(e["path"] == "/v1/assistants" and e["status"] == 200 for e in gets)
