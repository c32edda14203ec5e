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
    text = detach_following(mapping, key)
    mapping.ca.items.pop(key, None)
    del mapping[key]
    if not text:
        return
    if position + 1 < len(keys):
        _comment_before(mapping, keys[position + 1], text)
    elif position > 0:
        attach_after(mapping, keys[position - 1], text)


def remove_item(items: CommentedSeq, index: int) -> None:
    """Remove `items[index]` with the comments above it, keeping the full-line comments that
    follow it where they are (after the item before, or above the first)."""
    text = detach_following(items, index)
    del items[index]
    if index > 0:
        if text:
            attach_after(items, index - 1, text)
        return
    above = (items.ca.comment or [None, None])[1] or []
    text = "".join(line.lstrip(" ") for line in text.splitlines(keepends=True))
    for token in above:  # about the removed item: their place goes to what followed it
        token.value = text
        text = ""


def _deepest_last(container: Any, at: Any) -> tuple[Any, Any]:
    """Where ruamel keeps the comments that follow `container[at]`: the holder and index of
    its last scalar or flow value."""
    holder = container
    while True:
        value = holder[at]
        if not isinstance(value, CommentedMap | CommentedSeq) or not len(value) or is_flow(value):
            return holder, at
        holder, at = value, (list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)


def _token_slot(holder: Any, at: Any) -> tuple[list[Any], int]:
    if isinstance(holder, CommentedMap):
        return holder.ca.items.setdefault(at, [None, None, None, None]), 2
    return holder.ca.items.setdefault(at, [None, None]), 0


def detach_following(container: Any, at: Any) -> str:
    """Take the full-line comments after `container[at]` (its end-of-line comment stays)."""
    holder, last = _deepest_last(container, at)
    entry = holder.ca.items.get(last)
    if entry is None:
        return ""
    token = entry[2] if isinstance(holder, CommentedMap) else entry[0]
    if not isinstance(token, CommentToken):
        return ""
    head, _, rest = token.value.partition("\n")
    if not rest.strip():
        return ""
    token.value = head + "\n"
    return rest


def attach_after(container: Any, at: Any, text: str) -> None:
    """Write the comment lines `text` after `container[at]`."""
    holder, last = _deepest_last(container, at)
    entry, slot = _token_slot(holder, last)
    token = entry[slot]
    if isinstance(token, CommentToken):
        token.value = (token.value if token.value.endswith("\n") else token.value + "\n") + text
    else:
        entry[slot] = CommentToken("\n" + text, CommentMark(0), None)


def _comment_before(mapping: CommentedMap, key: str, text: str) -> None:
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    before = entry[1] or []
    entry[1] = [CommentToken(text, CommentMark(0), None), *before]


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
