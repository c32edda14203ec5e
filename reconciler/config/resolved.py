"""`Desired`: one document, resolved once the owner is known, into everything planning compares.

Config reads and validates each document into a spec (its kind's document model); `resolve`
then computes, once per document, what every later step reads: the body a create would send
(the fields as written, with the ownership marker), the write-only values, the canonical form
and its digest, and the marker. Matching and diff only compare these precomputed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistants.canonical import MARKER_KEY, form_sha256
from assistants.kinds import Kind
from reconciler.kinds.controls import DocumentSpec
from reconciler.marker import Marker, resolved_digests, write_only_digest


@dataclass(frozen=True, eq=False)
class Desired:
    """One object of the config: its controls, and what the API should hold for it."""

    kind: Kind
    key: str
    source: str  # "file:line" of its document, as the user named the file
    id: str | None  # `id:` adopts this existing object
    protect: bool
    ignore_changes: tuple[str, ...]
    written: Mapping[str, Any]  # API fields as written (files and variables read), marker in
    write_only: Mapping[str, Any]  # write-only fields set (never returned by a server)
    form: Mapping[str, Any]  # the canonical form of `written`
    form_sha256: str  # its digest: a live object with this digest needs no change
    marker: Marker

    def __repr__(self) -> str:
        return f"Desired({self.kind.name} {self.key!r}, source={self.source!r})"


def resolve(spec: DocumentSpec, source: str, owner: str) -> Desired:
    """The resolved value of a validated document for `owner`."""
    kind = spec.KIND
    write_only = spec.write_only_values()
    written = spec.api_fields()
    marker = Marker(owner, spec.key, spec.protect, write_only_digest(write_only),
                    spec.written_resolved(), resolved_digests(kind.resolved_paths(written)))
    written["metadata"] = {**written.get("metadata", {}), MARKER_KEY: str(marker)}
    form = kind.canonical(written)
    return Desired(kind=kind, key=spec.key, source=source, id=spec.id, protect=spec.protect,
                   ignore_changes=tuple(spec.ignore_changes), written=written,
                   write_only=write_only, form=form, form_sha256=form_sha256(form), marker=marker)


@dataclass(frozen=True, eq=False)
class Document:
    """A validated document of the config, before the owner is known."""

    spec: DocumentSpec
    source: str
    field_lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each top-level key of the document (`instructions_file` as
    `instructions`), so a report can point at the line of a field."""

    @property
    def kind(self) -> Kind:
        return self.spec.KIND

    @property
    def key(self) -> str:
        return self.spec.key

    def __repr__(self) -> str:
        return f"Document({self.kind.name} {self.key!r}, source={self.source!r})"


@dataclass(frozen=True)
class DesiredState:
    """What a plan is made from: the resolved documents and what the plan records of the
    config (its paths, digest and environment)."""

    owner: str
    desired: tuple[Desired, ...]
    paths: tuple[str, ...]
    config_sha256: str
    environment: str | None = None

    def kinds(self) -> tuple[Kind, ...]:
        """The kinds the documents name, each once, in a fixed order."""
        return tuple(sorted({d.kind for d in self.desired}, key=lambda k: k.name))
