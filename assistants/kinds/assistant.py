"""The assistant (Assistants API v2, `/assistants`, `OpenAI-Beta: assistants=v2`) as a kind.

Its canonical form keeps the managed fields only and drops every value that means "the API's
default", so that two assistants are equal exactly when their forms are equal (`==`), and a
field is absent from the form exactly when it is at its default (API-FACTS "Semantics"):

- `null` equals empty: `{}`, `[]`, and for name, description and instructions `""`.
- Server defaults equal absence: temperature and top_p 1.0, response_format "auto", function
  `strict: false` and `parameters: {}`, file_search `ranking_options` at its default (score
  threshold 0 with the ranker absent or `auto`), empty per-tool `tool_resources` lists.
- A ranker the user pinned (`default_2024_08_21`) stays in the form, so a server holding
  another one differs; an absent or `auto` ranker accepts the default the server filled in
  (`adopt_live`).
- Numbers in number fields are floats (`1` equals `1.0`); key order never matters.
- Order carries no meaning in `tools` (sorted by type, then function name), `file_ids` and
  `vector_store_ids` (sorted), so reordering them is no change.
- Unknown live fields (`updated_at`, `object`, `created_at`, ...) are ignored, and so are
  unknown keys inside `tool_resources` (a `vector_stores` helper list).
- A live value of the wrong shape (a list where a map belongs, text for a number) is kept as it
  is: it differs from every desired value, so a plan replaces it instead of failing.

`reasoning_effort` is write-only: the server never returns it, so it is not in the form and is
compared through the digest in the ownership marker instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.canonical import (
    canonical_json,
    drop_empty,
    float_or_kept,
    is_map,
)
from assistants.kinds import Kind

MANAGED_FIELDS = (
    "model", "name", "description", "instructions", "tools", "tool_resources", "metadata",
    "temperature", "top_p", "response_format",
)
"""Fields compared and sent, in the order plans list them."""

WRITE_ONLY_FIELDS = ("reasoning_effort",)

RESET_VALUES: dict[str, Any] = {
    "name": None,
    "description": None,
    "instructions": None,
    "temperature": None,
    "top_p": None,
    "response_format": "auto",
    "metadata": {},
    "tools": [],
}

_TEXT_FIELDS = ("name", "description", "instructions")
_UNIT_DEFAULT_FIELDS = ("temperature", "top_p")
DEFAULT_RANKERS = ("auto", "default_2024_08_21")
"""The rankers a server may fill in when the user names none."""
_EMPTY_COLLECTIONS = (None, [], {})
RESOURCE_LISTS = {"code_interpreter": "file_ids", "file_search": "vector_store_ids"}
"""The list each `tool_resources` entry holds; other keys there are ignored."""


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
        out["metadata"] = dict(sorted(metadata.items())) if is_map(metadata) else metadata
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
    return [_tool(t) if is_map(t) else t for t in value]


def _unit_value(value: Any) -> Any:
    """A temperature or top_p: None at the default of 1, a float otherwise (0 included); a
    value that is no number is kept as it is."""
    value = float_or_kept(value)
    return None if value == 1.0 else value


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "code_interpreter":
        return {"type": "code_interpreter"}
    if kind == "file_search":
        settings = tool.get("file_search")
        if not is_map(settings):
            return {"type": kind, "file_search": settings} if settings else {"type": kind}
        settings = drop_empty({**settings, "ranking_options": _ranking_options(
            settings.get("ranking_options"))})
        return {"type": "file_search", "file_search": settings} if settings else {"type": kind}
    if kind == "function" and is_map(tool.get("function")):
        function = dict(tool["function"])
        if function.get("strict") is False:
            del function["strict"]
        return {"type": "function", "function": drop_empty(function)}
    return drop_empty(tool)


def _ranking_options(value: Any) -> Any:
    """None at the default (threshold 0, ranker absent or `auto`); otherwise the options with
    a pinned ranker as written (`auto` counts as absent: it accepts what the server chose)."""
    if not is_map(value):
        return value
    ranker = value.get("ranker")
    threshold = float_or_kept(value.get("score_threshold") or 0.0)
    if ranker in (None, "auto") and threshold == 0.0:
        return None
    out = {"score_threshold": threshold}
    if ranker not in (None, "auto"):
        out["ranker"] = ranker
    return out


def _tool_sort_key(tool: Any) -> tuple[str, str]:
    if not is_map(tool):
        return ("\uffff", canonical_json(tool))  # malformed items last, in a fixed order
    function = tool.get("function")
    name = function.get("name", "") if is_map(function) else ""
    return (str(tool.get("type", "")), str(name))


def _tool_resources(value: Any) -> Any:
    if not is_map(value):
        return value if value not in _EMPTY_COLLECTIONS else {}
    out: dict[str, Any] = {}
    for tool_type, name in RESOURCE_LISTS.items():
        resource = value.get(tool_type)
        if not is_map(resource):
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
    if is_map(value) and value.get("type") == "json_schema" and is_map(value.get("json_schema")):
        schema = dict(value["json_schema"])
        if schema.get("strict") is False:
            del schema["strict"]
        return {"type": "json_schema", "json_schema": drop_empty(schema)}
    if is_map(value):
        return dict(value)
    return value


# -- what the user leaves to the server -----------------------------------------------------


def adopt_default_ranker(want: Mapping[str, Any], live_form: Mapping[str, Any],
                         written: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """`want` with a file_search tool's unpinned ranking read from the live one: a config that
    names no ranker (or `auto`) accepts whichever default the server filled in, at the
    threshold the config asks (0 when it names no ranking options). A pinned ranker is
    compared as written, so a server lacking it, or holding another, differs."""
    want_tool = _file_search(want)
    live_ranking = _ranking_of(live_form)
    if want_tool is None or live_ranking is None:
        return want
    ranker = live_ranking.get("ranker")
    if ranker not in DEFAULT_RANKERS:
        return want
    settings = want_tool.get("file_search")
    settings = settings if is_map(settings) else {}
    ranking = settings.get("ranking_options")
    if ranking is not None and (not is_map(ranking) or "ranker" in ranking):
        return want
    threshold = ranking.get("score_threshold", 0.0) if ranking else 0.0
    if threshold != live_ranking.get("score_threshold"):
        return want
    adopted = {**want_tool, "file_search": {**settings, "ranking_options": dict(live_ranking)}}
    tools = [adopted if t is want_tool else t for t in want["tools"]]
    return {**want, "tools": tools}


def _file_search(form: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tools = form.get("tools")
    for tool in tools if isinstance(tools, list) else ():
        if is_map(tool) and tool.get("type") == "file_search":
            return tool
    return None


def _ranking_of(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The canonical ranking options of `form`'s file_search tool (None: none or malformed)."""
    tool = _file_search(form)
    settings = tool.get("file_search") if tool is not None else None
    ranking = settings.get("ranking_options") if is_map(settings) else None
    return ranking if isinstance(ranking, dict) else None


def complete_tool_resources(written: Any, live_form: Mapping[str, Any]) -> dict[str, Any]:
    """The `tool_resources` a body sends: as written, plus an explicit empty list for each
    entry the live assistant still has (whether the API clears an entry left out is not
    documented, so it is never left to chance)."""
    target = dict(written) if is_map(written) else {}
    resources = live_form.get("tool_resources")
    for tool_type in resources if isinstance(resources, dict) else ():
        if tool_type not in target and tool_type in RESOURCE_LISTS:
            target[tool_type] = {RESOURCE_LISTS[tool_type]: []}
    return target



ASSISTANT = Kind(
    name="assistant",
    plural="assistants",
    path="assistants",
    beta="assistants=v2",
    managed_fields=MANAGED_FIELDS,
    canonical=canonical,
    reset_values=RESET_VALUES,
    write_only_fields=WRITE_ONLY_FIELDS,
    adopt_live=adopt_default_ranker,
    completes={"tool_resources": complete_tool_resources},
)
