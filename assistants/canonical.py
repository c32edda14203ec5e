"""The one canonical form in which desired and live assistants are compared.

Both sides are API-shaped JSON (a create body, or a server's assistant object). `canonical`
keeps the managed fields only and drops every value that means "the API's default", so that two
assistants are equal exactly when their canonical forms are equal (`==`), and a field is absent
from the canonical form exactly when it is at its default. The rules (API-FACTS "Semantics"):

- `null` equals empty: `{}`, `[]`, and for name, description and instructions `""`.
- Server defaults equal absence: temperature and top_p 1.0, response_format "auto", function
  `strict: false` and `parameters: {}`, file_search `ranking_options` at its default (score
  threshold 0 and ranker absent, `auto` or `default_2024_08_21`; any other ranking options keep
  their ranker as written), empty per-tool `tool_resources` lists.
- Numbers in number fields are floats (`1` equals `1.0`); key order never matters.
- Order carries no meaning in `tools` (sorted by type, then function name), `file_ids` and
  `vector_store_ids` (sorted), so reordering them is no change.
- Unknown live fields (`updated_at`, `object`, `created_at`, ...) are ignored, and so are
  unknown keys inside `tool_resources` (a `vector_stores` helper list).
- A live value of the wrong shape (a list where a map belongs, text for a number) is kept as it
  is: it differs from every desired value, so a plan replaces it instead of failing.

The canonical form is for comparing only: bodies are built from the values as the user wrote
them (reconciler/plan/diff.py), tools in the config's order and a pinned ranker as pinned.

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

MARKER_KEY = "managed-by"
"""The metadata key of the ownership marker (reconciler/plan/marker.py)."""

_TEXT_FIELDS = ("name", "description", "instructions")
_UNIT_DEFAULT_FIELDS = ("temperature", "top_p")
DEFAULT_RANKERS = (None, "auto", "default_2024_08_21")
"""The rankers that, with a score threshold of 0, mean the default ranking options."""


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
    tools = canonical_tools(obj.get("tools"))
    if tools:
        out["tools"] = sorted(tools, key=_tool_sort_key) if isinstance(tools, list) else tools
    resources = _tool_resources(obj.get("tool_resources"))
    if resources:
        out["tool_resources"] = resources
    metadata = obj.get("metadata")
    if metadata:
        out["metadata"] = dict(sorted(metadata.items())) if _is_map(metadata) else metadata
    for field in _UNIT_DEFAULT_FIELDS:
        value = _unit_value(obj.get(field))
        if value is not None:
            out[field] = value
    response_format = _response_format(obj.get("response_format"))
    if response_format is not None:
        out["response_format"] = response_format
    return out


def canonical_tools(value: Any) -> Any:
    """The tools in canonical form, in the order given (`canonical` sorts them; import keeps
    the server's order); a value that is not a list is kept as it is."""
    if not isinstance(value, list):
        return value
    return [_tool(t) if _is_map(t) else t for t in value]


def tool_ident(tool: Any) -> str:
    """How plans and `ignore_changes` name a tool: `function:<name>`, or its type."""
    if not _is_map(tool):
        return canonical_json(tool)
    function = tool.get("function")
    if tool.get("type") == "function" and _is_map(function):
        return f"function:{function.get('name')}"
    return str(tool.get("type"))


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
RESOURCE_LISTS = {"code_interpreter": "file_ids", "file_search": "vector_store_ids"}
"""The list each `tool_resources` entry holds; other keys there are ignored."""


def _is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _drop_empty(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in _EMPTY}


def _unit_value(value: Any) -> Any:
    """A temperature or top_p: None at the default of 1, a float otherwise (0 included); a
    value that is no number is kept as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value  # None (absent) included
    return None if float(value) == 1.0 else float(value)


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "code_interpreter":
        return {"type": "code_interpreter"}
    if kind == "file_search":
        settings = tool.get("file_search")
        if not _is_map(settings):
            return {"type": kind, "file_search": settings} if settings else {"type": kind}
        settings = _drop_empty({**settings, "ranking_options": _ranking_options(
            settings.get("ranking_options"))})
        return {"type": "file_search", "file_search": settings} if settings else {"type": kind}
    if kind == "function" and _is_map(tool.get("function")):
        function = dict(tool["function"])
        if function.get("strict") is False:
            del function["strict"]
        return {"type": "function", "function": _drop_empty(function)}
    return _drop_empty(tool)


def _ranking_options(value: Any) -> Any:
    """None at the default; otherwise the options with the ranker as written (absent stays
    absent: the diff lets it equal whichever default ranker the server filled in)."""
    if not _is_map(value):
        return value
    ranker = value.get("ranker")
    threshold = value.get("score_threshold") or 0.0
    if isinstance(threshold, int | float) and not isinstance(threshold, bool):
        threshold = float(threshold)
    if ranker in DEFAULT_RANKERS and threshold == 0.0:
        return None
    out = {"score_threshold": threshold}
    if ranker is not None:
        out["ranker"] = ranker
    return out


def _tool_sort_key(tool: Any) -> tuple[str, str]:
    if not _is_map(tool):
        return ("\uffff", canonical_json(tool))  # malformed items last, in a fixed order
    function = tool.get("function")
    name = function.get("name", "") if _is_map(function) else ""
    return (str(tool.get("type", "")), str(name))


def _tool_resources(value: Any) -> Any:
    if not _is_map(value):
        return value if value not in _EMPTY_COLLECTIONS else {}
    out: dict[str, Any] = {}
    for tool_type, name in RESOURCE_LISTS.items():
        resource = value.get(tool_type)
        if not _is_map(resource):
            if resource not in _EMPTY_COLLECTIONS:
                out[tool_type] = resource
            continue
        ids = resource.get(name)
        if ids not in _EMPTY_COLLECTIONS:
            out[tool_type] = {name: _sorted_ids(ids)}
    return dict(sorted(out.items()))


def _sorted_ids(ids: Any) -> Any:
    if not isinstance(ids, list):
        return ids
    if all(isinstance(i, str) for i in ids):
        return sorted(ids)
    return sorted(ids, key=canonical_json)


def _response_format(value: Any) -> Any:
    if value in (None, "auto"):
        return None
    if _is_map(value) and value.get("type") == "json_schema" and _is_map(value.get("json_schema")):
        schema = dict(value["json_schema"])
        if schema.get("strict") is False:
            del schema["strict"]
        return {"type": "json_schema", "json_schema": _drop_empty(schema)}
    if _is_map(value):
        return dict(value)
    return value


# -- digests: what plans record of a canonical form ------------------------------------------


def form_sha256(form: Mapping[str, Any]) -> str:
    """The digest a plan records of a canonical form (`reconciler.plan.diff.live_sha256`): the sha256 of the
    form without the ownership marker, joined with the marker (`marked_sha256`). Equal digests
    mean equal forms; and the digest of a desired assistant needs no form of its marker: the
    marker-less part is worked out from its spec (reconciler/plan/desired.py)."""
    form = form if type(form) is dict else dict(form)
    metadata = form.get("metadata")
    if not isinstance(metadata, Mapping) or MARKER_KEY not in metadata:
        return marked_sha256(core_sha256(form), None)
    rest = {k: v for k, v in metadata.items() if k != MARKER_KEY}
    core = {k: v for k, v in form.items() if k != "metadata"}
    if rest:
        core["metadata"] = rest
    return marked_sha256(core_sha256(core), metadata[MARKER_KEY])


def core_sha256(form: Mapping[str, Any]) -> str:
    """The digest of a canonical form without its marker: the sha256 of its JSON with the
    instructions left out, joined with the sha256 of the instructions. (The instructions are
    most of an assistant, a few KB; hashing their text is a third of the cost of writing them
    out as JSON first, and a plan digests every live assistant.)"""
    form = form if type(form) is dict else dict(form)
    instructions = form.get("instructions")
    if not isinstance(instructions, str):  # none, or a server's odd value: part of the JSON
        return text_sha256(f"{canonical_json(form)}\n")
    rest = {k: v for k, v in form.items() if k != "instructions"}
    # JSON text holds no raw line break, so the line break separates the two parts.
    return text_sha256(f"{canonical_json(rest)}\n{text_sha256(instructions)}")


def marked_sha256(core_sha256: str, marker: Any) -> str:
    """The digest of a form whose marker-less part has digest `core_sha256` and whose marker
    value is `marker` (None: it has none)."""
    tail = "" if marker is None else canonical_json(marker)  # "" is no JSON text: no clash
    return text_sha256(f"{core_sha256}\n{tail}")
