"""The one YAML loader: libyaml's parser under PyYAML's Python composer, which counts the nodes
aliases expand to and refuses cycles.

The composer is PyYAML's (not libyaml's) because only it can be extended with the alias bound,
and because it recurses in Python, so a deeply nested text ends in a `RecursionError` the reader
reports, not a C stack overflow. Without libyaml, PyYAML's pure-Python parser does the same job.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

MAX_ALIAS_NODES = 10_000
"""Nodes that aliases may add to one document before it is refused as a possible alias bomb."""


class AliasError(yaml.MarkedYAMLError):
    pass


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _Base(Composer, CParser, Resolver):  # type: ignore[misc]
        """libyaml's parser (8x faster than PyYAML's) with PyYAML's composer before libyaml's."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader  # type: ignore[assignment,misc]


class BoundedLoader(_Base):  # type: ignore[valid-type,misc]
    """Composes documents into nodes; refuses an alias that names a node still being composed
    (a cycle) or that takes the nodes aliases add past `MAX_ALIAS_NODES` (a "billion laughs")."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._alias_nodes = 0
        self._sizes: dict[Node, int] = {}  # nodes hash by identity
        self._open: set[str] = set()  # anchors of the collections being composed

    def compose_document(self) -> Node | None:
        self._alias_nodes = 0
        self._sizes = {}
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """`Composer.compose_node` with the alias checks. Written out, not wrapped: a wrapper
        would be one more Python frame per level and halve the nesting a file may have."""
        if self.check_event(AliasEvent):
            event = self.get_event()
            anchor = event.anchor
            if anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {anchor!r}",
                                    event.start_mark)
            if anchor in self._open:
                raise AliasError(problem=f"recursive alias *{anchor}",
                                 problem_mark=event.start_mark)
            node: Node = self.anchors[anchor]
            self._alias_nodes += self._size(node)
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise AliasError(
                    problem=f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes "
                            f"(at *{anchor}); refusing a possible alias bomb",
                    problem_mark=event.start_mark)
            return node
        event = self.peek_event()
        anchor = event.anchor
        if anchor is not None:
            if anchor in self.anchors:
                raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                    self.anchors[anchor].start_mark, "second occurrence",
                                    event.start_mark)
            self._open.add(anchor)
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):
            node = self.compose_scalar_node(anchor)
        elif self.check_event(SequenceStartEvent):
            node = self.compose_sequence_node(anchor)
        else:
            node = self.compose_mapping_node(anchor)
        self.ascend_resolver()
        self._open.discard(anchor)
        return node

    def _size(self, node: Node) -> int:
        """The nodes `node` stands for, counted once per document (an alias may name a node
        holding aliases)."""
        size = self._sizes.get(node)
        if size is None:
            size = 1
            if isinstance(node, SequenceNode):
                size += sum(self._size(child) for child in node.value)
            elif isinstance(node, MappingNode):
                size += sum(self._size(k) + self._size(v) for k, v in node.value)
            self._sizes[node] = size
        return size
