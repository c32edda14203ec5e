"""The five Assistants operations over a `Store`: plain functions from request data to JSON."""

from __future__ import annotations

from typing import Any

from assistants import limits
from assistants.local.errors import invalid, not_found
from assistants.local.faults import Faults
from assistants.local.objects import apply_changes, new_assistant, public
from assistants.local.store import Store, UnknownCursor
from assistants.local.validate import check_choice, check_model_known, validate_request


def create(store: Store, body: Any, models: frozenset[str] | None = None) -> dict[str, Any]:
    body = validate_request(body, create=True)
    check_model_known(body, models)
    record = new_assistant(body)
    store.insert(record)
    return public(record)


def retrieve(store: Store, assistant_id: str) -> dict[str, Any]:
    record = store.get(assistant_id)
    if record is None:
        raise not_found(assistant_id)
    return public(record)


def modify(store: Store, assistant_id: str, body: Any,
           models: frozenset[str] | None = None) -> dict[str, Any]:
    record = store.get(assistant_id)
    if record is None:
        raise not_found(assistant_id)
    body = validate_request(body, create=False)
    check_model_known(body, models)
    record = apply_changes(record, body)
    if not store.replace(record):  # deleted meanwhile
        raise not_found(assistant_id)
    return public(record)


def delete(store: Store, assistant_id: str) -> dict[str, Any]:
    if not store.delete(assistant_id):
        raise not_found(assistant_id)
    return {"id": assistant_id, "object": "assistant.deleted", "deleted": True}


def list_page(store: Store, query: dict[str, str], *, faults: Faults | None = None
              ) -> dict[str, Any]:
    """One page of the listing; `faults` may make it behave as other servers' do."""
    faults = faults or Faults()
    limit = page_limit(query.get("limit"))
    order = query.get("order", "desc")
    check_choice(order, "order", ("asc",) if faults.reject_desc else ("asc", "desc"))
    after, before = query.get("after") or None, query.get("before") or None
    try:
        page = store.page(limit=limit, order=order, after=after, before=before,
                          cursor_by_id=faults.skip_paging)
    except UnknownCursor as err:
        param = "after" if err.args[0] == after else "before"
        raise invalid(f"Invalid '{param}': no assistant found with id '{err.args[0]}'.",
                      param, "invalid_value") from None
    data = [public(record) for record in page.records]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }


def page_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return limits.LIST_LIMIT_DEFAULT
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"Invalid 'limit': expected an integer, but got '{raw}' instead.",
                      "limit", "invalid_type") from None
    if value < 1:
        raise invalid(f"Invalid 'limit': integer below minimum value. Expected a value >= 1, "
                      f"but got {value} instead.", "limit", "integer_below_min_value")
    if value > limits.LIST_LIMIT_MAX:
        raise invalid(f"Invalid 'limit': integer above maximum value. Expected a value <= "
                      f"{limits.LIST_LIMIT_MAX}, but got {value} instead.", "limit",
                      "integer_above_max_value")
    return value
