"""Saved agents as the server stores and returns them.

A stored record holds what the requests asked for (an omitted setting is null), and `public()`
resolves it when it is read, by the defaults of a dialect (`agent_rules.DIALECTS`): so an
omitted effort follows the agent's current model, and a record written before a field existed
still reads. Bodies reaching this module were already checked by `agent_validate.py`.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from assistants.local.agent_rules import DIALECTS, AgentDefaults, model_effort
from assistants.local.objects import new_id

PUBLISHED = DIALECTS["published"]


def new_agent(body: dict[str, Any], *, created_at: int | None = None) -> dict[str, Any]:
    """The record a create request makes: a fresh id, the body's fields, null elsewhere."""
    now = int(time.time()) if created_at is None else created_at
    record: dict[str, Any] = {
        "id": new_id("agent_"), "object": "agent", "created_at": now, "updated_at": now,
        "model": body["model"], "name": None, "instructions": None, "metadata": {},
        "tools": [], "reasoning": None, "text": None, "service_tier": None,
        "multi_agent": None,
    }
    return _set_fields(record, body)


def updated_agent(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A copy of `record` with the fields of `body` set: an omitted field unchanged, whole
    values replaced (`metadata` and `tools` too), null resetting to the default.
    `updated_at` moves on every update (a second past the last one when updates come faster
    than the clock ticks), so it always tells two versions apart."""
    out = _set_fields(copy.deepcopy(record), body)
    previous = int(record.get("updated_at") or record.get("created_at") or 0)
    out["updated_at"] = max(int(time.time()), previous + 1)
    return out


def _set_fields(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    for key, value in copy.deepcopy(body).items():
        if key == "compaction":  # accepted for compatibility, ignored (the SDK says so)
            continue
        if key == "experimental":  # merged by key
            record["experimental"] = {**(record.get("experimental") or {}), **value}
        elif key == "metadata":
            record[key] = value or {}
        elif key == "tools":
            record[key] = value or []
        else:
            record[key] = value
    return record


def public(record: dict[str, Any], defaults: AgentDefaults = PUBLISHED) -> dict[str, Any]:
    """The Agent object: every setting resolved, tools with their defaults filled."""
    model = record.get("model") or ""
    reasoning = record.get("reasoning") or {}
    text = record.get("text") or {}
    multi = record.get("multi_agent") or {"enabled": False}
    enabled = bool(multi.get("enabled"))
    subagents = multi.get("max_concurrent_subagents")
    agent = {
        "id": record["id"],
        "object": "agent",
        "created_at": record.get("created_at", 0),
        "updated_at": record.get("updated_at", record.get("created_at", 0)),
        "name": record.get("name"),
        "model": model,
        "instructions": record.get("instructions"),
        "tools": [tool_out(tool, defaults) for tool in record.get("tools") or []],
        "reasoning": {
            "effort": reasoning.get("effort") or model_effort(model, defaults),
            "summary": reasoning.get("summary"),
        },
        "text": {
            "format": text.get("format") or {"type": "text"},
            "verbosity": text.get("verbosity") or defaults.verbosity,
        },
        "service_tier": record.get("service_tier") or defaults.service_tier,
        "multi_agent": {
            "enabled": enabled,
            "max_concurrent_subagents": subagents if subagents is not None
            else (defaults.subagents if enabled else None),
        },
        "metadata": record.get("metadata") or {},
    }
    if record.get("experimental") is not None:
        agent["experimental"] = {"time_awareness": False, **record["experimental"]}
    return agent


def tool_out(tool: dict[str, Any], defaults: AgentDefaults) -> dict[str, Any]:
    """A stored tool as returned: what was sent, each omitted or null option at its default."""
    if not defaults.fill_tools:
        return copy.deepcopy(tool)
    kind = tool.get("type")
    filled = dict(defaults.tools.get(kind, {}))
    if kind == "mcp" and (tool.get("transport") or {}).get("type") == "stdio":
        filled["connection_origin"] = "environment"  # a stdio server runs in the environment
    out = {"type": kind, **{k: v for k, v in copy.deepcopy(tool).items() if k != "type"}}
    for key, value in filled.items():
        if out.get(key) is None:
            out[key] = copy.deepcopy(value)
    if kind == "mcp" and isinstance(out.get("transport"), dict):
        out["transport"] = transport_out(out["transport"])
    return out


def transport_out(transport: dict[str, Any]) -> dict[str, Any]:
    """An MCP transport with its lists and maps present (`{}` headers, `[]` args and
    env_vars), as the SDK's response types require."""
    out = dict(transport)
    empties: dict[str, Any] = ({"headers": {}} if out.get("type") == "http"
                               else {"args": [], "env_vars": []})
    for key, empty in empties.items():
        if out.get(key) is None:
            out[key] = empty
    return out
