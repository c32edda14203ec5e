"""The one canonical form in which desired and live assistants are compared.

Both sides are API-shaped JSON (a create body, or a server's assistant object). `canonical`
keeps the managed fields only and drops every value that means "the API's default", so that two
assistants are equal exactly when their canonical forms are equal (`==`), and a field is absent
from the canonical form exactly when it is at its default. The rules (API-FACTS "Semantics"):

- `null` equals empty: `{}`, `[]`, and for name, description and instructions `""`.
- Server defaults equal absence: temperature and top_p 1.0, response_format "auto", function
  `strict: false` and `parameters: {}`, file_search `ranking_options` at its default (ranker
  `auto` or `default_2024_08_21`, score_threshold 0), empty per-tool `tool_resources` lists.
- Numbers in number fields are floats (`1` equals `1.0`); key order never matters.
- Order carries no meaning in `tools` (sorted by type, then function name), `file_ids` and
  `vector_store_ids` (sorted), so reordering them is no change.
- Unknown live fields (`updated_at`, `object`, `created_at`, ...) are ignored.

Write-only fields (`reasoning_effort`) are not in the canonical form: the server never returns
them, so they are compared through the digest in the ownership marker instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

MANAGED_FIELDS = (
    "model", "name", "description", "instructions", "tools", "tool_resources", "metadata",
    "temperature", "top_p", "response_format",
)
"""Fields compared and sent, in the order plans list them."""

WRITE_ONLY_FIELDS = ("reasoning_effort",)

_TEXT_FIELDS = ("name", "description", "instructions")
_UNIT_DEFAULT_FIELDS = ("temperature", "top_p")
_DEFAULT_RANKERS = (None, "auto", "default_2024_08_21")


def canonical(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of an API-shaped assistant: managed, non-default fields only."""
    out: dict[str, Any] = {}
    model = obj.get("model")
    if model:
        out["model"] = model
    for field in _TEXT_FIELDS:
        value = obj.get(field)
        if value:
            out[field] = value
    tools = [_tool(t) for t in obj.get("tools") or ()
             if type(t) is dict or isinstance(t, Mapping)]
    if tools:
        out["tools"] = sorted(tools, key=_tool_sort_key)
    resources = _tool_resources(obj.get("tool_resources"))
    if resources:
        out["tool_resources"] = resources
    metadata = obj.get("metadata")
    if metadata:
        out["metadata"] = dict(sorted(metadata.items()))
    for field in _UNIT_DEFAULT_FIELDS:
        value = obj.get(field)
        if value is not None and float(value) != 1.0:
            out[field] = float(value)
    response_format = _response_format(obj.get("response_format"))
    if response_format is not None:
        out["response_format"] = response_format
    return out


_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, UTF-8 kept."""
    # One encoder for every call: `json.dumps` with options builds a new one each time.
    return _CANONICAL_ENCODER.encode(value)


def sha256_of(value: Any) -> str:
    return text_sha256(canonical_json(value))


def text_sha256(text: str) -> str:
    # A lone surrogate (JSON allows "\ud800") is hashed, not refused.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_EMPTY = (None, "", [], {})  # compared with `in`, never changed
_EMPTY_COLLECTIONS = (None, [], {})


def _drop_empty(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in _EMPTY}


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "code_interpreter":
        return {"type": "code_interpreter"}
    if kind == "file_search":
        settings = dict(tool.get("file_search") or {})
        ranking = _ranking_options(settings.pop("ranking_options", None))
        if ranking:
            settings["ranking_options"] = ranking
        settings = _drop_empty(settings)
        return {"type": "file_search", "file_search": settings} if settings else {"type": kind}
    if kind == "function":
        function = dict(tool.get("function") or {})
        if function.get("strict") is False:
            del function["strict"]
        return {"type": "function", "function": _drop_empty(function)}
    return _drop_empty(tool)


def _ranking_options(value: Any) -> dict[str, Any] | None:
    if not (type(value) is dict or isinstance(value, Mapping)):
        return None
    ranker = value.get("ranker")
    threshold = float(value.get("score_threshold") or 0.0)
    if ranker in _DEFAULT_RANKERS and threshold == 0.0:
        return None
    return {"ranker": "auto" if ranker in _DEFAULT_RANKERS else ranker, "score_threshold": threshold}


def _tool_sort_key(tool: Mapping[str, Any]) -> tuple[str, str]:
    function = tool.get("function")
    is_mapping = type(function) is dict or isinstance(function, Mapping)
    name = function.get("name", "") if is_mapping else ""
    return (str(tool.get("type", "")), str(name))


def _tool_resources(value: Any) -> dict[str, Any]:
    if not (type(value) is dict or isinstance(value, Mapping)):
        return {}
    out: dict[str, Any] = {}
    for tool_type, resource in sorted(value.items()):
        if not (type(resource) is dict or isinstance(resource, Mapping)):
            continue
        kept = {
            k: sorted(v) if isinstance(v, list) else v
            for k, v in sorted(resource.items())
            if v not in _EMPTY_COLLECTIONS
        }
        if kept:
            out[tool_type] = kept
    return out


def _response_format(value: Any) -> Any:
    if value in (None, "auto"):
        return None
    is_mapping = type(value) is dict or isinstance(value, Mapping)
    if is_mapping and value.get("type") == "json_schema":
        schema = dict(value.get("json_schema") or {})
        if schema.get("strict") is False:
            del schema["strict"]
        return {"type": "json_schema", "json_schema": _drop_empty(schema)}
    if is_mapping:
        return dict(value)
    return value
