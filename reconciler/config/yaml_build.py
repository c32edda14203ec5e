"""Building plain values from composed YAML nodes: duplicate keys refused, only plain scalar
tags accepted (timestamps stay strings), merge keys expanded, and each value's marks recorded
for `path:line:col` errors."""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.yaml_marks import SCALAR_TAGS, STR_TAG, TAG, DataPath, Located, mark_of
from reconciler.errors import Problem

_TIMESTAMP_TAG = f"{TAG}timestamp"
_SEQ_TAG = f"{TAG}seq"
_MAP_TAG = f"{TAG}map"
_MERGE_TAG = f"{TAG}merge"


class Builder:
    """Builds plain values from composed nodes, recording marks and collecting problems."""

    def __init__(self, display: str):
        self.display = display
        self.marks: dict[DataPath, Located] = {}
        self.problems: list[Problem] = []
        # The constructor alone: a whole SafeLoader would be a reference cycle (its parser holds
        # bound methods of itself) left for the garbage collector, once per document.
        self._constructor = SafeConstructor()

    def _error(self, node: Node, message: str) -> None:
        mark = mark_of(node.start_mark)
        self.problems.append(Problem(self.display, mark.line, mark.col, message))

    def build(self, node: Node, path: DataPath, key: Node | None) -> Any:
        """The value of `node` (at `path`, the value of `key` in its mapping), its marks
        recorded. The composer refused cyclic aliases, so this ends."""
        key_mark = mark_of(key.start_mark) if key is not None else None
        if isinstance(node, ScalarNode):
            plain = not node.style  # None (Python parser) or "" (libyaml)
            self.marks[path] = Located(mark_of(node.start_mark), key_mark, node.value, plain)
            return self._scalar(node)
        self.marks[path] = Located(mark_of(node.start_mark), key_mark)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                self._error(node, _tag_message(node.tag))
            return [self.build(item, (*path, i), None) for i, item in enumerate(node.value)]
        if node.tag != _MAP_TAG:
            self._error(node, _tag_message(node.tag))
        return self._mapping(node, path)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == STR_TAG or tag == _TIMESTAMP_TAG:
            return node.value
        if tag not in SCALAR_TAGS:
            self._error(node, _tag_message(tag))
            return None
        return self._constructor.construct_object(node)

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first: dict[Any, Node] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self._error(key_node, "mapping keys must be plain scalars")
                continue
            key = self._scalar(key_node)
            if key in first:
                line = first[key].start_mark.line + 1
                if type(key) is type(self._scalar(first[key])):
                    self._error(key_node, f"duplicate key `{key}` (first defined at line {line})")
                else:  # `1` and `true` (or `1` and `1.0`) are one key to Python
                    self._error(key_node, f"key `{key_node.value}` is the same as "
                                          f"`{first[key].value}` (line {line}) once read; "
                                          f"mapping keys must be strings: quote them")
                continue
            first[key] = key_node
            out[key] = self.build(value_node, (*path, key), key_node)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self._error(merge, "`<<` merges only mappings")
                    continue
                for key_node, value_node in source.value:
                    if isinstance(key_node, ScalarNode):
                        key = self._scalar(key_node)
                        if key not in out:
                            first[key] = key_node
                            out[key] = self.build(value_node, (*path, key), key_node)
        return out


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(TAG) if tag.startswith(TAG) else tag
    return f"unsupported tag `{shown}`: only plain YAML values are allowed"
