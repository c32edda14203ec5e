"""Round-trip YAML for migrate (ruamel.yaml): a document is read with its comments, key order,
quotes and flow style, edited in place, and written back the same way. The project's own reader
(reconciler/config/yaml_source.py) has validated every file before this one reads it.

Comments: ruamel keeps a comment that follows a value with that value's key, so a comment
written above a key belongs, in its model, to the key before. Removing a key therefore hands
the full-line comments that follow it to the next key (they are about that key), and keeps
only its own end-of-line comment out.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken


def round_trip(text: str) -> tuple[YAML, list[Any]]:
    """A YAML instance set up to write as `text` is indented, and the documents of `text`."""
    mapping, offset = guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the user wrote on one
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml, list(yaml.load_all(text))


_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int]:
    """How `text` indents a mapping under its key, and a list's dash under its key (the first
    of each found; 2 and 0 when none is)."""
    mapping = offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, after in zip(lines, lines[1:], strict=False):
        found = _KEY_LINE.match(line)
        if not found:
            continue
        base = len(found.group(1))
        inner = len(after) - len(after.lstrip(" "))
        if inner < base:
            continue
        if after.lstrip(" ").startswith("- "):
            offset = inner - base if offset is None else offset
        elif inner > base:
            mapping = inner - base if mapping is None else mapping
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset or 0


def replace_key(mapping: CommentedMap, old: str, new: str, value: Any) -> None:
    """Put `new: value` where `old` is, with `old`'s comments."""
    position = list(mapping).index(old)
    comments = mapping.ca.items.pop(old, None)
    del mapping[old]
    mapping.insert(position, new, value)
    if comments is not None:
        mapping.ca.items[new] = comments


def remove_key(mapping: CommentedMap, key: str) -> None:
    """Remove `key` with the comments above it (they are about it), handing the full-line
    comments that follow its value to the next key (they are about that one)."""
    keys = list(mapping)
    position = keys.index(key)
    following = _following_comment(mapping, key)
    mapping.ca.items.pop(key, None)
    del mapping[key]
    text = following
    if not text:
        return
    if position + 1 < len(keys):
        _comment_before(mapping, keys[position + 1], text)
    elif position > 0:
        _comment_after(mapping, keys[position - 1], text)


def _following_comment(mapping: CommentedMap, key: str) -> str:
    """The full-line comments after `key`'s value (its end-of-line comment left out): held by
    the key itself for a scalar or flow value, else by the last item of the nested value."""
    holder: Any = mapping
    at: Any = key
    while True:
        value = holder[at]
        if not isinstance(value, CommentedMap | CommentedSeq) or not len(value) or is_flow(value):
            break
        holder, at = value, (list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)
    entry = holder.ca.items.get(at)
    token = None
    if entry is not None:
        token = entry[2] if isinstance(holder, CommentedMap) else entry[0]
    if not isinstance(token, CommentToken):
        return ""
    _, _, rest = token.value.partition("\n")
    if rest.strip() and holder is not mapping:
        token.value = token.value[:len(token.value) - len(rest)]  # it moves, not copies
    return rest if rest.strip() else ""


def _comment_before(mapping: CommentedMap, key: str, text: str) -> None:
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    before = entry[1] or []
    entry[1] = [CommentToken(text, CommentMark(0), None), *before]


def _comment_after(mapping: CommentedMap, key: str, text: str) -> None:
    value = mapping[key]
    if isinstance(value, CommentedMap | CommentedSeq):
        return  # a nested value's comments live inside it: left out rather than misplaced
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    if entry[2] is None:
        entry[2] = CommentToken("\n" + text, CommentMark(0), None)


def new_map(*pairs: tuple[str, Any], flow: bool = False) -> CommentedMap:
    """A mapping of `pairs`, in that order; written `{...}` when `flow`."""
    mapping = CommentedMap(pairs)
    if flow:
        mapping.fa.set_flow_style()
    return mapping


def is_flow(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq) and value.fa.flow_style()


_YAML11_TRUE = frozenset({"yes", "Yes", "YES", "on", "On", "ON"})


def is_true(value: Any) -> bool:
    """Whether the project's reader (PyYAML, YAML 1.1) reads `value` as true: ruamel reads YAML
    1.2, where a plain `yes` or `on` is a string, and writes it back plain (so still true)."""
    return value is True or (isinstance(value, str) and value in _YAML11_TRUE)
