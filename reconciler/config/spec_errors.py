"""Pydantic validation errors, turned into `path:line:col: message` problems a person can act on.

Each error's `loc` is walked through the model's types alongside the YAML data: union branch tags
(`function`, `tagged-union[...]`, `literal['auto']`) are consumed without moving in the data, so
the remaining keys and indexes lead to the offending value, whose line and column the YAML reader
recorded. The same walk finds the keys allowed at that level for a did-you-mean suggestion and a
field's bounds for a range message.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from reconciler.config.yaml_marks import DataPath
from reconciler.config.yaml_source import YamlDocument
from reconciler.errors import Problem

_MISSING = object()
_PATTERNS = {
    r"^[A-Za-z0-9._-]{1,64}$": "1 to 64 letters, digits, `.`, `_` or `-`",
    r"^[a-zA-Z0-9_-]{1,64}$": "1 to 64 letters, digits, `_` or `-`",
}
_CHOICE_KINDS = ("literal_error", "union_tag_invalid", "union_tag_not_found")
_EXPECTED = {
    "string_type": "a string", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
}


@dataclass
class _Where:
    path: DataPath
    is_key: bool = False
    model: type[BaseModel] | None = None  # the model owning the last key
    field: FieldInfo | None = None
    tags: tuple[str, ...] = ()  # discriminator values of a union at the final position
    branch: str | None = None  # "literal" / "tagged" when the loc went through a plain union
    branch_at: DataPath = ()
    alt_tags: tuple[str, ...] = ()


def validation_problems(err: ValidationError, root: type[BaseModel], doc: YamlDocument,
                        origins: dict[DataPath, str] | None = None) -> list[Problem]:
    """One problem per pydantic error, located in `doc`. `origins` names the file a value was
    read from (`instructions` read from `instructions_file`)."""
    problems: list[Problem] = []
    for error in err.errors():
        where = _resolve(root, error["loc"])
        if where.branch is not None:
            is_map = isinstance(_get(doc.data, where.branch_at), dict)
            if (where.branch == "literal") == is_map:
                continue
        try:
            problem = _problem(error, where, doc, origins or {})
        except Exception:  # a message we did not foresee: still located, never a traceback
            problem = doc.problem(where.path, f"`{_label(where.path)}`: {error['msg']}")
        if problem not in problems:
            problems.append(problem)
    return problems


def _problem(error: Any, where: _Where, doc: YamlDocument,
             origins: dict[DataPath, str]) -> Problem:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    path = where.path
    label = _label(path)
    q = f"`{label}`" + (f" (read from `{origins[path]}`)" if path in origins else "")
    value = _get(doc.data, path)
    located = doc.marks.get(path)

    if kind in ("missing", "extra_forbidden"):
        return _missing_or_unknown_key(kind, where, doc)
    if where.is_key:
        return _key_problem(kind, ctx, path, doc)
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        got = _describe(value, located.text if located else None)
        hint = ""
        if kind == "string_type" and isinstance(value, bool | int | float) and located:
            hint = f"; quote it: \"{located.text}\""
        return doc.problem(path, f"{q} must be {expected}, got {got}{hint}")
    if kind == "string_too_long":
        return doc.problem(path, f"{q} is {len(value):,} characters long; the limit is "
                                 f"{ctx['max_length']:,}")
    if kind == "string_too_short":
        return doc.problem(path, f"{q} must not be empty")
    if kind == "too_long":
        return doc.problem(path, f"{q} has {ctx['actual_length']} items; the limit is "
                                 f"{ctx['max_length']}", key=True)
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        low, high = _bounds(where.field)
        if low is not None and high is not None:
            rule = f"between {_num(low)} and {_num(high)}"
        else:
            rule = {"less_than_equal": "at most", "greater_than_equal": "at least",
                    "less_than": "less than", "greater_than": "greater than"}[kind]
            rule = f"{rule} {_num(next(iter(ctx.values())))}"
        return doc.problem(path, f"{q} must be {rule}, got {_num(value)}")
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(ctx.get("pattern", ""), f"match `{ctx.get('pattern')}`")
        return doc.problem(path, f"{q} must be {rule}, got \"{value}\"")
    if kind in _CHOICE_KINDS:
        got = _describe(value, located.text if located else None)
        return _choice_problem(kind, ctx, where, doc, q=q, value=value, got=got)
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        reserved = _reserved_key(value, message)
        if reserved is not None:
            return doc.problem((*path, reserved), message, key=True)
        return doc.problem(path, message, key=bool(path))
    return doc.problem(path, f"{q}: {error['msg']}" if label else str(error["msg"]))


def _missing_or_unknown_key(kind: str, where: _Where, doc: YamlDocument) -> Problem:
    """A required key absent, or a key the model does not know (with a did-you-mean)."""
    path = where.path
    if kind == "missing":
        parent, name = path[:-1], path[-1]
        inside = f" in `{_label(parent)}`" if parent else ""
        return doc.problem(parent, f"missing required key `{name}`{inside}")
    name = str(path[-1])
    foreign = getattr(where.model, "FOREIGN_KEYS", {}).get(name)
    if foreign:
        return doc.problem(path, f"unknown key `{name}`: {foreign}", key=True)
    allowed = _allowed(where.model)
    close = closest(name, allowed)
    hint = (f" — did you mean `{close}`?" if close
            else f" (expected one of: {', '.join(allowed)})" if allowed else "")
    return doc.problem(path, f"unknown key `{name}`{hint}", key=True)


def _choice_problem(kind: str, ctx: dict[str, Any], where: _Where, doc: YamlDocument, *,
                    q: str, value: Any, got: str) -> Problem:
    """A value outside its choices: a literal, or the `type` tag of a union of mappings."""
    path = where.path
    if kind == "literal_error":
        options = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        if where.branch == "literal":
            tags = ", ".join(where.alt_tags)
            return doc.problem(path, f"{q} must be \"{options}\" or a mapping with a "
                                     f"`type` of {tags}, got {got}")
        return doc.problem(path, f"{q} must be one of {options}, got {got}")
    if kind == "union_tag_invalid":
        tags = ", ".join(where.tags) or ctx.get("expected_tags", "").replace("'", "")
        return doc.problem((*path, "type"), f"`{_label(path)}.type` must be one of {tags}, "
                                            f"got \"{ctx.get('tag')}\"")
    tags = ", ".join(where.tags)  # union_tag_not_found
    if not isinstance(value, dict):
        return doc.problem(path, f"{q} must be a mapping with a `type` of {tags}, got {got}")
    return doc.problem(path, f"{q} needs a `type`: one of {tags}")


def closest(name: str, allowed: list[str]) -> str | None:
    """The allowed name `name` is most likely a typo of, for a did-you-mean (unknown keys,
    unknown environments)."""
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def _key_problem(kind: str, ctx: dict[str, Any], path: DataPath, doc: YamlDocument) -> Problem:
    key = path[-1]
    parent = _label(path[:-1])
    if kind == "string_too_long":
        return doc.problem(path, f"`{parent}` key `{key}` is {len(str(key)):,} characters long; "
                                 f"the limit is {ctx['max_length']:,}", key=True)
    if kind == "string_too_short":
        return doc.problem(path, f"`{parent}` keys must not be empty", key=True)
    return doc.problem(path, f"`{parent}` keys must be strings, got {_describe(key, None)}; "
                             f"quote it: \"{key}\"", key=True)


def _reserved_key(value: Any, message: str) -> str | None:
    if isinstance(value, dict) and "reserved" in message:
        for key in value:
            if f"`{key}`" in message:
                return str(key)
    return None


# --- walking a loc through the model's types ------------------------------------------------

def _resolve(root: type[BaseModel], loc: tuple[int | str, ...]) -> _Where:
    where = _Where(path=())
    path: list[str | int] = []
    tp: Any = root
    for element in loc:
        if element == "[key]":  # pydantic's marker after a dict key that failed
            where.is_key = True
            break
        tp, disc = _unwrap(tp)
        members = _union_members(tp)
        if members:
            chosen, branch, alt = _choose(members, disc, element)
            if chosen is not None:
                if branch is not None:
                    where.branch, where.branch_at, where.alt_tags = branch, tuple(path), alt
                tp = chosen
                continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            where.model = tp
            field = _field(tp, str(element))
            where.field = field
            tp = field.annotation if field is not None else None
            if field is not None and field.metadata:
                tp = Annotated[(tp, *field.metadata)]
            if field is not None and isinstance(field.discriminator, str):  # merged by pydantic
                tp = Annotated[tp, FieldInfo(discriminator=field.discriminator)]
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            tp = None
        path.append(element)
    where.path = tuple(path)
    tp, disc = _unwrap(tp)
    members = _union_members(tp)
    if members and disc:
        where.tags = tuple(t for m in members for t in _tags(m, disc))
    return where


def _unwrap(tp: Any) -> tuple[Any, str | None]:
    disc: str | None = None
    while True:
        if get_origin(tp) is Annotated:
            base, *meta = get_args(tp)
            for item in meta:
                if isinstance(item, FieldInfo) and isinstance(item.discriminator, str):
                    disc = item.discriminator
            tp = base
            continue
        members = _union_members(tp)
        if members and type(None) in members:
            rest = [m for m in members if m is not type(None)]
            tp = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007
            continue
        return tp, disc


def _union_members(tp: Any) -> tuple[Any, ...]:
    origin = get_origin(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        return get_args(tp)
    return ()


def _choose(members: tuple[Any, ...], disc: str | None,
            element: str | int) -> tuple[Any, str | None, tuple[str, ...]]:
    text = str(element)
    if disc:
        for member in members:
            if text in _tags(member, disc):
                return member, None, ()
        return None, None, ()
    for member in members:
        inner, inner_disc = _unwrap(member)
        if text.startswith("literal[") and get_origin(inner) is Literal:
            alt = tuple(t for m in members if m is not member
                        for mm in [_unwrap(m)] for x in _union_members(mm[0])
                        for t in _tags(x, mm[1] or "type"))
            return member, "literal", alt
        if text.startswith("tagged-union[") and inner_disc:
            return member, "tagged", ()
        if isinstance(inner, type) and inner.__name__ == text:
            return member, None, ()
    return None, None, ()


def _tags(member: Any, disc: str) -> tuple[str, ...]:
    if isinstance(member, type) and issubclass(member, BaseModel):
        field = member.model_fields.get(disc)
        if field is not None and get_origin(field.annotation) is Literal:
            return tuple(str(a) for a in get_args(field.annotation))
    return ()


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            return field
    return None


def _allowed(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _bounds(field: FieldInfo | None) -> tuple[float | None, float | None]:
    low = high = None
    for item in field.metadata if field is not None else ():
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Le):
            high = item.le
    return low, high  # type: ignore[return-value]


# --- words -----------------------------------------------------------------------------------

def _label(path: DataPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _get(data: Any, path: DataPath) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _describe(value: Any, text: str | None) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({text or str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({text or value})"
    if isinstance(value, float):
        return f"a number ({text or value})"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"a string (\"{short}\")"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
