"""Assistant objects as the server stores and returns them, with OpenAI's server-filled defaults.

A stored record is the public object plus the write-only fields (`reasoning_effort`), which
`public()` strips. Bodies reaching this module were already checked by `validate.py`.
"""

from __future__ import annotations

import copy
import secrets
import string
import time
from typing import Any

ID_ALPHABET = string.ascii_letters + string.digits
DEFAULT_RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}
PUBLIC_FIELDS = (
    "id", "object", "created_at", "name", "description", "model", "instructions", "tools",
    "tool_resources", "metadata", "temperature", "top_p", "response_format",
)


def new_id(prefix: str = "asst_") -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(24))


DEFAULTS: dict[str, Any] = {
    "object": "assistant", "created_at": 0, "name": None, "description": None, "model": "",
    "instructions": None, "tools": [], "tool_resources": {}, "metadata": {},
    "temperature": 1.0, "top_p": 1.0, "response_format": "auto", "reasoning_effort": None,
}
"""Each field's value when a stored record lacks it (one written by an older version)."""


def new_assistant(body: dict[str, Any], *, created_at: int | None = None) -> dict[str, Any]:
    """The record a create request makes: a fresh id, the body's fields, defaults elsewhere."""
    record: dict[str, Any] = {
        "id": new_id(), "created_at": int(time.time()) if created_at is None else created_at,
    }
    return apply_changes(record, body)


def apply_changes(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A copy of `record` with the fields of `body` set (whole values replaced, never merged)
    and the defaults filled in again (also for fields the stored record lacks)."""
    out = copy.deepcopy({**DEFAULTS, **record})
    for key, value in copy.deepcopy(body).items():
        if key in ("temperature", "top_p"):
            out[key] = 1.0 if value is None else float(value)
        elif key == "response_format":
            out[key] = "auto" if value is None else value
        elif key in ("metadata", "tool_resources"):
            out[key] = value or {}
        elif key == "tools":
            out[key] = [_tool(tool) for tool in value or []]
        else:
            out[key] = value
    out["tool_resources"] = _tool_resources(out["tool_resources"], out["tools"])
    return out


def public(record: dict[str, Any]) -> dict[str, Any]:
    """What the API returns: write-only fields left out, fields in OpenAI's order, a field the
    stored record lacks at its default."""
    return {key: copy.deepcopy(record[key] if key in record else DEFAULTS[key])
            for key in PUBLIC_FIELDS}


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool["type"] == "function":
        function = dict(tool["function"])
        if function.get("parameters") is None:
            function["parameters"] = {}
        if function.get("strict") is None:
            function["strict"] = False
        if function.get("description") is None:
            function.pop("description", None)
        return {"type": "function", "function": function}
    if tool["type"] == "file_search":
        settings = {k: v for k, v in (tool.get("file_search") or {}).items() if v is not None}
        ranking = settings.get("ranking_options") or {}
        settings["ranking_options"] = {
            "ranker": ranking.get("ranker") or DEFAULT_RANKING["ranker"],
            "score_threshold": float(ranking.get("score_threshold", 0.0)),
        }
        return {"type": "file_search", "file_search": settings}
    return {"type": tool["type"]}


def _tool_resources(resources: dict[str, Any], tools: list[dict[str, Any]]) -> dict[str, Any]:
    """Per enabled tool, an empty resource list unless one was given."""
    out = {key: value for key, value in resources.items() if value is not None}
    search = out.get("file_search")
    if search is not None:
        if "vector_stores" in search:  # the create-time helper: "make" a store per entry
            search = {"vector_store_ids": [new_id("vs_") for _ in search["vector_stores"]]}
        out["file_search"] = {"vector_store_ids": list(search.get("vector_store_ids") or [])}
    if "code_interpreter" in out:
        out["code_interpreter"] = {"file_ids": list(out["code_interpreter"].get("file_ids") or [])}
    kinds = {tool["type"] for tool in tools}
    if "file_search" in kinds and "file_search" not in out:
        out["file_search"] = {"vector_store_ids": []}
    if "code_interpreter" in kinds and "code_interpreter" not in out:
        out["code_interpreter"] = {"file_ids": []}
    return out
