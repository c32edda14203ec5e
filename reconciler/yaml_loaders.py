"""Which loader composes a YAML text into nodes, and the bound on alias expansion.

libyaml's own composer is fastest, but has neither a recursion guard nor an alias bound, so it
only gets texts with no anchors or aliases and a nesting depth surely within its limit
(`c_composable`). Every other text goes to `BoundedLoader`: libyaml's parser under PyYAML's
Python composer, which counts the nodes aliases expand to and refuses cycles. Both resolve
scalar tags through a small cache.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_ALIAS_NODES = 10_000
"""Nodes that aliases may add to one document before it is refused as a possible alias bomb."""


# The nesting depth the C composer may recurse to (it has no recursion guard: far deeper input
# overflows the C stack; 20,000 levels were measured safe on the main thread).
_C_DEPTH_LIMIT = 2000


def c_composable(text: str) -> bool:
    """Whether libyaml's own composer may build the nodes: no anchors or aliases (so no alias
    bomb to bound) and a nesting depth surely within `_C_DEPTH_LIMIT`. A block level needs a
    deeper indent or one more `- `/`? ` prefix, a flow level one more bracket."""
    if FastLoader is None or "&" in text or "*" in text:
        return False
    flow = text.count("[") + text.count("{")
    if flow > _C_DEPTH_LIMIT:
        return False
    # 2 * block + flow + 4 <= limit, block being the longest prefix: refused when some line's
    # prefix is longer than `room` (one search, not one match per line).
    room = (_C_DEPTH_LIMIT - 4 - flow) // 2
    if room < 0:
        return False
    return _block_prefix_longer_than(room).search(text) is None


@functools.lru_cache(maxsize=64)
def _block_prefix_longer_than(room: int) -> re.Pattern[str]:
    return re.compile(rf"^[ ?-]{{{room + 1}}}", re.MULTILINE)


class AliasError(yaml.MarkedYAMLError):
    pass


class _PyBase(yaml.SafeLoader):
    pass


_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 4096


def _resolve(resolver: Resolver, kind: Any, value: Any, implicit: Any,
             _cached: Any = _RESOLVED.get) -> Any:
    """`Resolver.resolve`, remembering the tag of short plain scalars (keys, enum-like values):
    without path resolvers (SafeLoader has none) a plain scalar's tag depends on its text
    alone, and a quoted one is always a string."""
    if not resolver.yaml_path_resolvers:
        if kind is ScalarNode:
            if not implicit[0]:  # quoted, or a plain scalar that may not be resolved
                return resolver.DEFAULT_SCALAR_TAG
            tag = _cached(value)
            if tag is None:
                tag = Resolver.resolve(resolver, kind, value, implicit)
                if len(value) <= 64 and len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        # What `Resolver.resolve` returns for a collection when there are no path resolvers.
        if kind is MappingNode:
            return resolver.DEFAULT_MAPPING_TAG
        if kind is SequenceNode:
            return resolver.DEFAULT_SEQUENCE_TAG
    return Resolver.resolve(resolver, kind, value, implicit)


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _CBase(Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml's parser (8x faster) under PyYAML's Python composer, which we extend."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        resolve = _resolve

    class _CFast(CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml's parser and composer, for texts `c_composable` admits."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        resolve = _resolve

    _Base: type = _CBase
    FastLoader: type | None = _CFast
else:  # pragma: no cover - PyYAML built without libyaml
    _Base = _PyBase
    FastLoader = None


class BoundedLoader(_Base):  # type: ignore[valid-type,misc]
    """A SafeLoader whose composer counts the nodes aliases expand to and refuses cycles."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}
        self._open: list[int] = []

    def compose_document(self) -> Node | None:
        self._alias_nodes = 0
        self._sizes = {}
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                if id(node) in self._open or node is parent:
                    raise AliasError(problem=f"recursive alias *{event.anchor}",
                                      problem_mark=event.start_mark)
                self._alias_nodes += self._size(node)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise AliasError(
                        problem=f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes "
                                f"(at *{event.anchor}); refusing a possible alias bomb",
                        problem_mark=event.start_mark)
        self._open.append(id(parent))
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.pop()

    def _size(self, node: Node) -> int:
        cached = self._sizes.get(id(node))
        if cached is not None:
            return cached
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._size(k) + self._size(v) for k, v in node.value)
        self._sizes[id(node)] = size
        return size
