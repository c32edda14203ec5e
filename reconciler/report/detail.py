"""The lines that show what changes inside one field, for people reading a plan.

Each line is `(sign, text)` with sign `+`, `-`, `~` or ` `; the text starts with that sign and is
indented by depth, Terraform-style (`~ metadata:` then `    + region: "eu"`), so the text renderer
prints and colours it as is and the Markdown renderer swaps the sign for a `diff` block's.
Multi-line strings get a unified line diff (3 lines of context); other long strings are shown by
length and sha256; maps and lists get one line per nested difference, found with deepdiff, with
tools addressed as `ignore_changes` names them (`function:NAME`, `file_search`) rather than by
position. A nested value created or removed whole is an indented block, never one dotted path per
leaf. A value reset to the API's default reads as that default (`1.0 (default)`), and a
response format as its kind (`json_schema contract_record -> auto (default)`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

from assistants.canonical import tool_ident

Line = tuple[str, str]
LONG_TEXT = 160
DEFAULT = "(default)"
DEFAULTS = {"temperature": "1.0 (default)", "top_p": "1.0 (default)",
            "response_format": "auto (default)", "name": "null (default)",
            "description": "null (default)", "instructions": "null (default)"}
"""How a field at the API's default reads (what a reset sends, or what the server fills)."""
TOOL_TYPES = ("function", "file_search", "code_interpreter")
"""A list of maps with these types is a tools list (not, say, a JSON schema's `anyOf`)."""


def line(sign: str, body: str, depth: int = 0) -> Line:
    return (sign, f"{sign} {'    ' * depth}{body}")


def field_lines(field: str, before: Any, after: Any) -> list[Line]:
    """Lines for one changed field; `None` on either side means absent (the API's default)."""
    if _multiline(before) or _multiline(after):
        return [line("~", f"{field}:")] + text_diff(before or "", after or "", depth=1)
    if field == "response_format" and not _same_schema(before, after):
        return _format_lines(before, after)
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return [line("~", f"{field}:")] + structure_diff(before, after, depth=1)
    return [line("~", f"{field}: {shown(field, before)} -> {shown(field, after)}")]


def shown(field: str, value: Any) -> str:
    """`show(value)`, with an absent value read as the field's default."""
    return DEFAULTS.get(field, DEFAULT) if value is None else show(value)


def block(label: str, value: Any, sign: str, depth: int = 0, *,
          as_sent: bool = False) -> list[Line]:
    """A whole value as an indented block under `label`, Terraform-style: maps (and tools,
    keyed as plans name them) one key a line, lists of maps one item a block, multi-line text
    one line a line; other values on the label's line. `as_sent`: the value as a request body
    holds it (a create's), tools a list in the config's order and shape, not keyed."""
    value = _keyed(value) if isinstance(value, list) and not as_sent else value
    if isinstance(value, dict) and value:
        return [line(sign, f"{label}:", depth)] + [
            one for k, v in value.items()
            for one in block(str(k), v, sign, depth + 1, as_sent=as_sent)]
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return [line(sign, f"{label}:", depth)] + [
            one for i, v in enumerate(value)
            for one in block(f"[{i}]", v, sign, depth + 1, as_sent=as_sent)]
    if _multiline(value):
        return [line(sign, f"{label}: ({len(value.splitlines())} lines)", depth)] + [
            line(sign, text, depth + 1) for text in value.splitlines()]
    return [line(sign, f"{label}: {show(value)}", depth)]


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
    if type(old) is not type(new) or not (old and new):  # one side whole: no path to show
        return _bare(old, "-", depth) + _bare(new, "+", depth)
    diff = DeepDiff(old, new, verbose_level=2, view="tree")
    found: list[tuple[str, list[Line]]] = []
    for kind, items in diff.items():
        for item in items:
            path = _path(item.path(output_format="list"))
            if kind.endswith("_added"):
                lines = block(path, item.t2, "+", depth)
            elif kind.endswith("_removed"):
                lines = block(path, item.t1, "-", depth)
            elif _nested(item.t1) or _nested(item.t2):
                lines = block(path, item.t1, "-", depth) + block(path, item.t2, "+", depth)
            else:
                lines = [line("~", f"{path}: {show(item.t1)} -> {show(item.t2)}", depth)]
            found.append((path, lines))
    return [one for _, lines in sorted(found, key=lambda pair: pair[0]) for one in lines]


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


def _bare(value: Any, sign: str, depth: int) -> list[Line]:
    """A value's block without a label: a map's keys, else the value itself (none: nothing)."""
    if isinstance(value, dict):
        return [one for k, v in value.items() for one in block(str(k), v, sign, depth)]
    if value in (None, []):
        return []
    return [line(sign, show(value), depth)]


def _nested(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _same_schema(before: Any, after: Any) -> bool:
    """Both are the json_schema format of one name: worth a nested diff."""
    return all(isinstance(v, dict) and v.get("type") == "json_schema"
               and isinstance(v.get("json_schema"), dict) for v in (before, after)) and (
        before["json_schema"].get("name") == after["json_schema"].get("name"))


def _format_lines(before: Any, after: Any) -> list[Line]:
    """`~ response_format: json_schema contract_record -> auto (default)`, and the new
    schema as a block."""
    lines = [line("~", f"response_format: {_format_kind(before)} -> {_format_kind(after)}")]
    schema = after.get("json_schema") if isinstance(after, dict) else None
    if isinstance(schema, dict) and schema:
        lines += [one for k, v in schema.items() for one in block(k, v, "+", 1)]
    return lines


def _format_kind(value: Any) -> str:
    if value is None:
        return DEFAULTS["response_format"]
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        schema = value.get("json_schema")
        name = schema.get("name") if isinstance(schema, dict) else None
        return f"{value['type']} {name}" if name else value["type"]
    return show(value)


def _keyed(value: Any) -> Any:
    """Tools lists become maps keyed `function:name`, `file_search`, ... (`tool_ident`, as
    `ignore_changes` names them): readable paths, and a reordering is no difference (the
    canonical form already sorts them)."""
    if isinstance(value, list) and value and all(
            isinstance(v, dict) and v.get("type") in TOOL_TYPES for v in value):
        return {tool_ident(tool): tool for tool in value}
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
