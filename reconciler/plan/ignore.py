"""Pure: `ignore_changes`, applied to the values a body is built from.

A path names a part the way plans print it: a top-level field (`temperature`), a metadata key
(`metadata.owner`: everything after `metadata.` is the key, dots included), a part of
`tool_resources` or `response_format` (`tool_resources.file_search.vector_store_ids`), or a tool
and a part inside it (`tools.function:lookup_order.function.description`,
`tools.file_search.file_search.ranking_options`). The ignored part takes the live value
wherever the desired values carry it, and is absent where the live assistant lacks it, so that
a body that carries it for another reason sends back what the server holds and never reverts a
human's edit. Maps emptied that way are dropped, not sent as `{}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistants.canonical import tool_ident


def split_path(path: str) -> list[str]:
    """The parts of an ignore path; a metadata key is one part whatever it holds."""
    head, sep, rest = path.partition(".")
    if not sep:
        return [head]
    if head == "metadata":
        return [head, rest]
    if head == "tools":
        ident, _, inner = rest.partition(".")  # a function name holds no dot
        return [head, ident, *inner.split(".")] if inner else [head, ident]
    return [head, *rest.split(".")]


def keep_ignored(want: Mapping[str, Any], live: Mapping[str, Any],
                 paths: Iterable[str]) -> dict[str, Any]:
    """`want` (API-shaped) with every ignored part replaced by the live one."""
    out = dict(want)
    for path in paths:
        parts = split_path(path)
        if parts[0] == "tools" and len(parts) > 1:
            _keep_in_tools(out, live.get("tools"), parts[1:])
        else:
            _copy_path(live, out, parts)
    return out


def _keep_in_tools(out: dict[str, Any], live_tools: Any, parts: list[str]) -> None:
    """Tools are addressed by `tool_ident`, not position: the list is seen as a map from
    ident to tool, in order (a tool only the live assistant has goes at the end)."""
    want_tools = out.get("tools")
    source = _by_ident(live_tools)
    target = _by_ident(want_tools)
    if len(parts) > 1 and parts[0] not in source:
        return  # a tool the live object lacks is added whole: it has no live part to keep
    _copy_path(source, target, parts)
    if target or want_tools is not None:
        out["tools"] = list(target.values())


def _by_ident(tools: Any) -> dict[str, Any]:
    if not isinstance(tools, list):
        return {}
    return {tool_ident(tool): tool for tool in tools}


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    """Make `target` hold at `parts` what `source` holds there (absent stays absent); the
    maps on the way are copied, never changed, and dropped when left empty."""
    head, rest = parts[0], parts[1:]
    if not rest:
        if head in source:
            target[head] = source[head]
        else:
            target.pop(head, None)
        return
    sub_source = source.get(head)
    sub_target = target.get(head)
    if not isinstance(sub_source, Mapping):
        sub_source = {}
    sub_target = dict(sub_target) if isinstance(sub_target, Mapping) else {}
    _copy_path(sub_source, sub_target, rest)
    if sub_target:
        target[head] = sub_target
    else:
        target.pop(head, None)
