"""The lines that show what changes inside one field, for people reading a plan.

Each line is `(sign, text)` with sign `+`, `-`, `~` or ` `, so the text renderer can colour it and
the Markdown renderer can put it in a `diff` block. Multi-line strings get a unified line diff
(3 lines of context); other long strings are shown by length and sha256; maps and lists get one
line per nested difference, found with deepdiff, with tools addressed by type and function name
rather than by position.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

Line = tuple[str, str]
LONG_TEXT = 160
DEFAULT = "(default)"


def field_lines(field: str, before: Any, after: Any) -> list[Line]:
    """Lines for one changed field; `None` on either side means absent (the API's default)."""
    if _multiline(before) or _multiline(after):
        return [("~", f"{field}:")] + [
            (sign, "    " + text) for sign, text in text_diff(before or "", after or "")
        ]
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        nested = structure_diff(before, after)
        return [("~", f"{field}:")] + [(sign, "    " + text) for sign, text in nested]
    return [("~", f"{field}: {show(before)} -> {show(after)}")]


def text_diff(before: str, after: str) -> list[Line]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "before", "after", n=3, lineterm=""
    )
    out: list[Line] = []
    for line in list(lines)[2:]:  # the ---/+++ header says nothing here
        sign = line[:1] if line[:1] in "+-" else " "
        out.append((sign if sign != " " else ("~" if line.startswith("@@") else " "), line))
    if before and after and before.rstrip("\n") == after.rstrip("\n"):
        out.append(("~", "(only the trailing newline differs)"))
    return out


def structure_diff(before: Any, after: Any) -> list[Line]:
    """One line per nested difference between two JSON values."""
    from deepdiff import DeepDiff  # imported here: only plans with changes pay for it

    old, new = _keyed(before), _keyed(after)
    diff = DeepDiff(old, new, verbose_level=2, view="tree")
    out: list[Line] = []
    for kind, items in sorted(diff.items()):
        for item in sorted(items, key=lambda i: i.path()):
            path = _path(item.path(output_format="list"))
            if kind.endswith("_added"):
                out += [("+", text) for text in leaves(path, item.t2)]
            elif kind.endswith("_removed"):
                out += [("-", text) for text in leaves(path, item.t1)]
            else:
                out.append(("~", f"{path}: {show(item.t1)} -> {show(item.t2)}"))
    return out


def leaves(path: str, value: Any) -> list[str]:
    """`path: value` for every leaf under `value` (tools addressed by type and name), so a
    reviewer sees a whole new structure, not a digest of it."""
    value = _keyed(value) if isinstance(value, list) else value
    if isinstance(value, dict) and value:
        return [line for k, v in value.items() for line in leaves(_join(path, k), v)]
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return [line for i, v in enumerate(value) for line in leaves(f"{path}[{i}]", v)]
    return [f"{path}: {show(value)}"]


def show(value: Any) -> str:
    """A short, exact-enough rendering of one value."""
    if value is None:
        return DEFAULT
    if isinstance(value, str) and len(value) > LONG_TEXT:
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"({len(value)} chars, sha256 {digest})"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > LONG_TEXT:
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return f"({type(value).__name__}, {len(text)} chars of JSON, sha256 {digest})"
    return text


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def _keyed(value: Any) -> Any:
    """Tools lists become maps keyed `function:name`, `file_search`, ...: readable paths, and
    a reordering is no difference (the canonical form already sorts them)."""
    if isinstance(value, list) and all(isinstance(v, dict) and "type" in v for v in value):
        keyed = {}
        for tool in value:
            function = tool.get("function") if isinstance(tool.get("function"), dict) else None
            name = f"{tool['type']}:{function.get('name')}" if function else str(tool["type"])
            keyed[name] = tool
        return keyed
    return {} if value is None else value


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text = _join(text, part)
    return text or "(all)"
