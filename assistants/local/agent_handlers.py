"""The five saved-agent operations over the store's `agents` collection.

The listing takes `after`, `limit` and `order` as the assistants listing does. It has no
`before` (OpenAI's agents listing names none): a `before` is ignored like any other unknown
query parameter, so the page is the one the same query without it gives.
"""

from __future__ import annotations

from typing import Any

from assistants.local.agent_objects import new_agent, public, updated_agent
from assistants.local.agent_rules import DIALECTS, AgentDefaults
from assistants.local.agent_validate import validate_agent_request
from assistants.local.errors import APIFailure, invalid
from assistants.local.faults import Faults
from assistants.local.handlers import page_limit
from assistants.local.store import Collection, UnknownCursor
from assistants.local.validate import check_choice, check_model_known


def not_found(agent_id: str) -> APIFailure:
    return APIFailure(404, f"No agent found with id '{agent_id}'.")


def defaults_of(faults: Faults) -> AgentDefaults:
    return DIALECTS[faults.agent_defaults]


def create(agents: Collection, body: Any, faults: Faults,
           models: frozenset[str] | None = None) -> dict[str, Any]:
    body = validate_agent_request(body, create=True)
    check_model_known(body, models)
    record = new_agent(body)
    agents.insert(record)
    return public(record, defaults_of(faults))


def retrieve(agents: Collection, agent_id: str, faults: Faults) -> dict[str, Any]:
    record = agents.get(agent_id)
    if record is None:
        raise not_found(agent_id)
    return public(record, defaults_of(faults))


def update(agents: Collection, agent_id: str, body: Any, faults: Faults,
           models: frozenset[str] | None = None) -> dict[str, Any]:
    record = agents.get(agent_id)
    if record is None:
        raise not_found(agent_id)
    body = validate_agent_request(body, create=False)
    check_model_known(body, models)
    record = updated_agent(record, body)
    if not agents.replace(record):  # deleted meanwhile
        raise not_found(agent_id)
    return public(record, defaults_of(faults))


def delete(agents: Collection, agent_id: str) -> dict[str, Any]:
    if not agents.delete(agent_id):
        raise not_found(agent_id)
    return {"id": agent_id, "object": "agent.deleted", "deleted": True}


def list_page(agents: Collection, query: dict[str, str], faults: Faults) -> dict[str, Any]:
    """One page of the listing; `faults` may make it behave as other servers' do."""
    limit = page_limit(query.get("limit"))
    order = query.get("order", "desc")
    check_choice(order, "order", ("asc",) if faults.reject_desc else ("asc", "desc"))
    after = query.get("after") or None
    try:
        page = agents.page(limit=limit, order=order, after=after,
                           cursor_by_id=faults.skip_paging)
    except UnknownCursor:
        raise invalid(f"Invalid 'after': no agent found with id '{after}'.", "after",
                      "invalid_value") from None
    defaults = defaults_of(faults)
    data = [public(record, defaults) for record in page.records]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }
