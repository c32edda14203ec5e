"""The saved agent (Agents API, `/agents`, `OpenAI-Beta: agents=v1`) as a kind (AGENTS-FACTS).

Its canonical form follows the assistant's rules (null equals empty, key and tool order carry
no meaning, unknown live fields such as `updated_at` are ignored, a value of the wrong shape is
kept so that it differs) with the agent's own defaults dropped: each tool's (`defer_loading`
false, `enabled` true, `required` false, `context_size` medium, `mode` live, ...), `text` at
format text and verbosity medium, `service_tier` auto, `multi_agent` disabled (and 6
subagents when enabled without a number).

Four settings are resolved by the server (`resolved_fields`): a document that omits one
accepts what the server holds; one that writes it is compared as written; one that removes it
resets it (sends null). Inside a written setting and inside each tool, the parts a server
resolves (`RESOLVED_PARTS`, `RESOLVED_TOOL_PARTS`: an effort, a verbosity, a tool's
`context_size`, ...) follow the same rule: an omitted one accepts the live value
(`adopt_resolved`). Which of those parts a document wrote is recorded, as a digest of their
paths (`resolved_paths`), in the ownership marker, so that removing one is seen and the setting
or tools are sent again as written, for the server to resolve the part anew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.canonical import drop_empty, is_map, tool_ident
from assistants.kinds import Kind

MANAGED_FIELDS = (
    "model", "name", "instructions", "tools", "metadata", "reasoning", "text", "service_tier",
    "multi_agent",
)
RESOLVED_FIELDS = ("reasoning", "text", "service_tier", "multi_agent")
RESET_VALUES: dict[str, Any] = {
    "name": None, "instructions": None, "metadata": {}, "tools": [], "reasoning": None,
    "text": None, "service_tier": None, "multi_agent": None,
}
DEFAULT_SUBAGENTS = 6

RESOLVED_PARTS: dict[str, tuple[str, ...]] = {
    "reasoning": ("effort", "summary"),
    "text": ("format", "verbosity"),
    "multi_agent": ("max_concurrent_subagents",),
}
"""The parts of a written setting that a server fills in when the document omits them."""
RESOLVED_TOOL_PARTS: dict[str, tuple[str, ...]] = {
    "function": ("defer_loading",),
    "programmatic_tool_calling": ("enabled",),
    "mcp": ("allowed_tools", "connection_origin", "credential_id", "request_metadata",
            "required"),
    "web_search": ("allowed_domains", "context_size", "location", "mode"),
    "computer_use": ("include_screenshots",),
}
"""The optional parts of each tool type, which a server fills in when the document omits
them."""

TOOL_DEFAULTS: dict[str, dict[str, Any]] = {
    "function": {"defer_loading": False},
    "programmatic_tool_calling": {"enabled": True},
    "mcp": {"required": False},
    "web_search": {"context_size": "medium", "mode": "live"},
    "computer_use": {"include_screenshots": False},
}
"""Each tool type's defaults, which a server fills in and the canonical form drops."""


def canonical(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of an API-shaped agent: managed, non-default fields only."""
    out: dict[str, Any] = {}
    for field in ("model", "name", "instructions"):
        value = obj.get(field)
        if value:
            out[field] = value
    tools = obj.get("tools")
    if isinstance(tools, list):
        tools = sorted((_tool(t) if is_map(t) else t for t in tools), key=tool_ident)
    if tools:
        out["tools"] = tools
    metadata = obj.get("metadata")
    if metadata:
        out["metadata"] = dict(sorted(metadata.items())) if is_map(metadata) else metadata
    settings = {
        "reasoning": _reasoning(obj.get("reasoning")),
        "text": _text(obj.get("text")),
        "service_tier": None if obj.get("service_tier") == "auto" else obj.get("service_tier"),
        "multi_agent": _multi_agent(obj.get("multi_agent")),
    }
    out.update(drop_empty(settings))
    return out


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    defaults = TOOL_DEFAULTS.get(str(tool.get("type")), {})
    out = {k: v for k, v in tool.items() if k not in defaults or v != defaults[k]}
    transport = out.get("transport")
    if is_map(transport):
        out["transport"] = drop_empty(transport)
    location = out.get("location")
    if is_map(location):
        out["location"] = drop_empty(location)
    kept = drop_empty(out)
    if out.get("allowed_tools") == []:  # no tool allowed, unlike null (every tool)
        kept["allowed_tools"] = []
    return kept


def _reasoning(value: Any) -> Any:
    return drop_empty(value) if is_map(value) else value


def _text(value: Any) -> Any:
    if not is_map(value):
        return value
    out = dict(value)
    if out.get("format") == {"type": "text"}:
        del out["format"]
    if out.get("verbosity") == "medium":
        del out["verbosity"]
    return drop_empty(out)


def _multi_agent(value: Any) -> Any:
    if not is_map(value):
        return value
    if value.get("enabled") is False or value.get("enabled") is None:
        return None
    out = dict(value)
    if out.get("max_concurrent_subagents") in (None, DEFAULT_SUBAGENTS):
        out.pop("max_concurrent_subagents", None)
    return out


def adopt_resolved(want: Mapping[str, Any], live_form: Mapping[str, Any],
                   written: Mapping[str, Any]) -> Mapping[str, Any]:
    """`want` with each resolvable part the document (`written`, its API fields) omits,
    inside a setting it writes or a tool it has, read from the live agent (the model's default
    effort, a tool's context size, ...: what the server resolved). A part it writes is kept as
    written, even one equal to the published default; a setting it writes with no part at all
    (`reasoning: {}`) takes every part from the server."""
    paths = set(resolved_paths(written))
    out = dict(want)
    for field, parts in RESOLVED_PARTS.items():
        mine = out.get(field, {} if field in written else None)
        omitted = tuple(p for p in parts if f"{field}.{p}" not in paths)
        out[field] = _adopt_parts(mine, live_form.get(field), omitted)
    tools, live_tools = out.get("tools"), live_form.get("tools")
    if isinstance(tools, list) and isinstance(live_tools, list):
        live_by_ident = {tool_ident(t): t for t in live_tools if is_map(t)}
        out["tools"] = [_adopt_tool(t, live_by_ident.get(tool_ident(t)), paths)
                        if is_map(t) else t for t in tools]
    return canonical({k: v for k, v in out.items() if v is not None})


def _adopt_tool(tool: Mapping[str, Any], live: Any, paths: set[str]) -> Any:
    ident = tool_ident(tool)
    parts = RESOLVED_TOOL_PARTS.get(str(tool.get("type")), ())
    return _adopt_parts(tool, live, tuple(p for p in parts if f"tools.{ident}.{p}" not in paths))


def _adopt_parts(mine: Any, theirs: Any, parts: tuple[str, ...]) -> Any:
    if not (is_map(mine) and is_map(theirs)):
        return mine
    extra = {p: theirs[p] for p in parts if p not in mine and p in theirs}
    return {**mine, **extra} if extra else mine


def resolved_paths(written: Mapping[str, Any]) -> list[str]:
    """The resolvable parts `written` (an agent's API fields) sets, as sorted paths
    (`reasoning.effort`, `tools.mcp:docs.required`)."""
    paths = [f"{field}.{part}" for field, parts in RESOLVED_PARTS.items()
             if is_map(written.get(field)) for part in parts if part in written[field]]
    tools = written.get("tools")
    for tool in tools if isinstance(tools, list) else ():
        if is_map(tool):
            parts = RESOLVED_TOOL_PARTS.get(str(tool.get("type")), ())
            paths += [f"tools.{tool_ident(tool)}.{part}" for part in parts if part in tool]
    return sorted(paths)


AGENT = Kind(
    name="agent",
    plural="agents",
    path="agents",
    beta="agents=v1",
    managed_fields=MANAGED_FIELDS,
    canonical=canonical,
    reset_values=RESET_VALUES,
    resolved_fields=RESOLVED_FIELDS,
    adopt_live=adopt_resolved,
    resolved_paths=resolved_paths,
)
