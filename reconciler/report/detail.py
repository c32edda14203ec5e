"""The lines that show what changes inside one field, for people reading a plan.

Each line is `(sign, text)` with sign `+`, `-`, `~` or ` `; the text starts with that sign and is
indented by depth, Terraform-style (`~ metadata:` then `    + region: "eu"`), so the text renderer
prints and colours it as is and the Markdown renderer swaps the sign for a `diff` block's. Multi-line strings get a unified line diff
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


def line(sign: str, body: str, depth: int = 0) -> Line:
    return (sign, f"{sign} {'    ' * depth}{body}")


def field_lines(field: str, before: Any, after: Any) -> list[Line]:
    """Lines for one changed field; `None` on either side means absent (the API's default)."""
    if _multiline(before) or _multiline(after):
        return [line("~", f"{field}:")] + text_diff(before or "", after or "", depth=1)
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return [line("~", f"{field}:")] + structure_diff(before, after, depth=1)
    return [line("~", f"{field}: {show(before)} -> {show(after)}")]


def text_diff(before: str, after: str, depth: int = 0) -> list[Line]:
    diff = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "before", "after", n=3, lineterm=""
    )
    out: list[Line] = []
    for text in list(diff)[2:]:  # the ---/+++ header says nothing here
        if text.startswith("@@"):
            out.append(line(" ", text, depth))
        else:
            out.append(line(text[:1] if text[:1] in "+-" else " ", text[1:], depth))
    if before and after and before.rstrip("\n") == after.rstrip("\n"):
        out.append(line("~", "(only the trailing newline differs)", depth))
    return out


def structure_diff(before: Any, after: Any, depth: int = 0) -> list[Line]:
    """One line per nested difference between two JSON values."""
    from deepdiff import DeepDiff  # imported here: only plans with changes pay for it

    old, new = _keyed(before), _keyed(after)
    diff = DeepDiff(old, new, verbose_level=2, view="tree")
    found: list[tuple[str, list[Line]]] = []
    for kind, items in diff.items():
        for item in items:
            path = _path(item.path(output_format="list"))
            if kind.endswith("_added"):
                lines = [line("+", text, depth) for text in leaves(path, item.t2)]
            elif kind.endswith("_removed"):
                lines = [line("-", text, depth) for text in leaves(path, item.t1)]
            else:
                lines = [line("~", f"{path}: {show(item.t1)} -> {show(item.t2)}", depth)]
            found.append((path, lines))
    return [one for _, lines in sorted(found, key=lambda pair: pair[0]) for one in lines]


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
