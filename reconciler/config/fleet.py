"""Fleets: one document expanded into one assistant per item of `for_each` (a list of maps) or
`for_each_file` (CSV with a header row, or a YAML/JSON list of maps, relative to the document
and inside the config root).

The template is read once: `${VAR}` is substituted in it (document.py), and `template` finds
the parts each item must copy. Then, per item, `${each.FIELD}` is replaced in every string of
the document, keys included, before the `*_file` keys are read (so never inside the files they
name; nor is `${VAR}` looked for in the items' values: they are data). Each copy keeps the
marks of the template, so an item's errors name the template's `file:line` and the item.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.config.file_refs import PathCache, locate_ref, parse_structured
from reconciler.config.variables import retype
from reconciler.config.yaml_marks import DataPath, Located
from reconciler.config.yaml_source import YamlDocument, display_path, read_text
from reconciler.errors import Problem

FLEET_KEYS = ("for_each", "for_each_file")
_EACH = re.compile(r"\$\$\{|\$\{each\.([^}]*)\}")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Item:
    """One item of a fleet: what `${each.FIELD}` stands for, and how messages name it."""

    label: str  # "row 3 of tenants.csv" (its line in the file), "item 2 of for_each"
    values: dict[str, str]


def fleet_items(doc: YamlDocument, root: Path,
                cache: PathCache) -> tuple[list[Item] | None, set[Path], list[Problem]]:
    """Remove `for_each`/`for_each_file` from `doc.data` and return their items (None: the
    document is no fleet), the resolved files read as data, and the problems found."""
    data: dict[str, Any] = doc.data
    if not any(k in data for k in FLEET_KEYS):
        return None, set(), []
    if all(k in data for k in FLEET_KEYS):
        return [], set(), [doc.problem(("for_each_file",), "give `for_each` or `for_each_file`, "
                                                           "not both", key=True)]
    if "for_each" in data:
        raw = data.pop("for_each")
        items, problems = _items(doc, ("for_each",), raw, "for_each", 1)
        return items, set(), problems
    ref = data.pop("for_each_file")
    at: DataPath = ("for_each_file",)
    if not isinstance(ref, str) or not ref:
        return [], set(), [doc.problem(at, "`for_each_file` must be a relative file path")]
    found = locate_ref(doc, root, ref, at, "for_each_file", cache)
    if isinstance(found, Problem):
        return [], set(), [found]
    target, real = found
    display = display_path(target)
    text, errors = read_text(target, display)
    if text is None:
        return [], {real}, errors
    where = f" (for_each_file at {doc.path}:{doc.mark(at).line})"
    if target.suffix.lower() == ".csv":
        items, problems = _csv_items(text, display)
    else:
        raw, problems = parse_structured(text, display, target,
                                         "one YAML document (a list of maps)")
        items = []
        if not problems:
            items, problems = _items(None, (), raw, display, 1)
            problems = [Problem(display, 1, 1, p.message) for p in problems]
    problems = [Problem(p.path, p.line, p.col, p.message + where) for p in problems]
    return items, {real}, problems


@dataclass(frozen=True)
class Template:
    """A fleet's document, read once: the paths each item copies (those holding `${each.` or
    a `$${` to unescape, and the mappings holding a `*_file` key, which the loader changes in
    place); the rest is shared by every item. `in_keys`: a key holds `${each.` (then each
    item's marks are rebuilt under the new keys)."""

    doc: YamlDocument
    dynamic: frozenset[DataPath]
    in_keys: bool


def template(doc: YamlDocument) -> Template:
    dynamic: set[DataPath] = set()
    in_keys = False

    def visit(value: Any, path: DataPath) -> bool:
        nonlocal in_keys
        found = False
        if isinstance(value, dict):
            for k, v in value.items():
                if "${each." in k:
                    in_keys = found = True
                found = visit(v, (*path, k)) or k.endswith("_file") or found
        elif isinstance(value, list):
            for i, v in enumerate(value):
                found = visit(v, (*path, i)) or found
        else:
            found = isinstance(value, str) and ("${each." in value or "$${" in value)
        if found:
            dynamic.add(path)
        return found

    visit(doc.data, ())
    return Template(doc, frozenset(dynamic), in_keys)


def expand(fleet: Template, item: Item) -> tuple[YamlDocument, list[Problem]]:
    """A copy of the template with `${each.FIELD}` replaced from `item` in every string and
    key, and `$${` unescaped in strings. Parts outside `Template.dynamic` are the template's
    own objects, shared by every item: nothing may change them in place."""
    doc = fleet.doc
    marks: dict[DataPath, Located] | None = {} if fleet.in_keys else None
    problems: list[Problem] = []
    data = _walk(fleet, doc.data, (), (), item, marks, problems)
    return YamlDocument(doc.path, doc.file, data, doc.start,
                        dict(doc.marks) if marks is None else marks), problems


def _walk(fleet: Template, value: Any, old: DataPath, new: DataPath, item: Item,
          marks: dict[DataPath, Located] | None, problems: list[Problem]) -> Any:
    doc = fleet.doc
    if marks is not None:
        located = doc.marks.get(old)
        if located is not None:
            marks[new] = located
        if old not in fleet.dynamic:  # still walked: its marks move under the new keys
            for path, mark in doc.marks.items():
                if path[:len(old)] == old and path != old:
                    marks[(*new, *path[len(old):])] = mark
            return value
    elif old not in fleet.dynamic:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            name = _sub(doc, k, (*old, k), item, problems, key=True) if "${" in k else k
            if name in out:
                problems.append(doc.problem((*old, k), f"key `{name}` appears twice once "
                                                       f"`${{each...}}` is replaced", key=True))
            out[name] = _walk(fleet, v, (*old, k), (*new, name), item, marks, problems)
        return out
    if isinstance(value, list):
        return [_walk(fleet, v, (*old, i), (*new, i), item, marks, problems)
                for i, v in enumerate(value)]
    text = _sub(doc, value, old, item, problems)
    located = doc.marks.get(old)
    return retype(text) if located is not None and located.plain else text


def _sub(doc: YamlDocument, text: str, path: DataPath, item: Item, problems: list[Problem],
         *, key: bool = False) -> str:
    def replace(match: re.Match[str]) -> str:
        field = match.group(1)
        if field is None:  # `$${`: a literal `${` in a value; keys are never unescaped
            return match.group(0) if key else "${"
        if field not in item.values:
            known = ", ".join(item.values) or "none"
            problems.append(doc.problem(path, f"unknown `${{each.{field}}}` (fields: {known})",
                                        key=key))
            return match.group(0)
        return item.values[field]

    return _EACH.sub(replace, text)


def _items(doc: YamlDocument | None, at: DataPath, raw: Any, what: str,
           first: int) -> tuple[list[Item], list[Problem]]:
    """Items from a list of maps of scalars (`for_each`, or a YAML/JSON file)."""
    def problem(path: DataPath, message: str) -> Problem:
        return doc.problem(path, message) if doc else Problem(what, 1, 1, message)

    if not isinstance(raw, list) or not raw:
        return [], [problem(at, f"`{what}` must be a non-empty list of maps "
                                f"(one per assistant)")]
    items: list[Item] = []
    problems: list[Problem] = []
    for i, entry in enumerate(raw):
        label = f"item {i + first} of {what}"
        if not isinstance(entry, dict) or not entry:
            problems.append(problem((*at, i), f"{label} must be a map of fields"))
            continue
        values: dict[str, str] = {}
        for name, value in entry.items():
            if not isinstance(name, str) or not _FIELD.fullmatch(name):
                problems.append(problem((*at, i), f"{label}: bad field name `{name}`"))
            elif isinstance(value, bool):
                values[name] = "true" if value else "false"
            elif isinstance(value, str | int | float):
                values[name] = str(value)
            else:
                problems.append(problem((*at, i, name), f"{label}: `{name}` must be a string "
                                                        f"or a number"))
        items.append(Item(label, values))
    return items, problems


def _csv_items(text: str, display: str) -> tuple[list[Item], list[Problem]]:
    """Items from CSV text with a header row; each labelled by its line in the file."""
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as err:
        return [], [Problem(display, reader.line_num, 1, f"invalid CSV: {err}")]
    if len(rows) < 2:
        return [], [Problem(display, 1, 1, "empty: a header row and at least one row needed")]
    (_, header), body = rows[0], rows[1:]
    problems = [Problem(display, 1, 1, f"bad column name `{h}` in the header row")
                for h in header if not _FIELD.fullmatch(h)]
    if len(set(header)) != len(header):
        problems.append(Problem(display, 1, 1, "a column name appears twice in the header row"))
    items: list[Item] = []
    for line, row in body:
        if len(row) != len(header):
            problems.append(Problem(display, line, 1, f"row {line} has {len(row)} value"
                                                       f"{'s' if len(row) != 1 else ''}; the "
                                                       f"header has {len(header)} columns"))
            continue
        items.append(Item(f"row {line} of {display}", dict(zip(header, row, strict=True))))
    return items, problems
