"""What a plan keeps of each live object: a small immutable record, made as its page arrives.

A large workspace lists some 50 MB of JSON. Matching reads an object's id, marker and
`created_at`; the diff compares digests and, only where they differ, canonical forms. So each
listed object becomes a `LiveRecord` at once, and the rest of it is let go. Its canonical form
is kept only where a document may need it (`FormNeed`): an object that no document can pair
with is only counted or named, and one whose digest already equals the document with its key
is a noop whatever matching decides (a second copy with that digest has that very form).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from assistants.canonical import form_sha256
from assistants.kinds import Kind
from reconciler.config.resolved import Desired
from reconciler.marker import Marker, live_marker


@dataclass(frozen=True, eq=False)
class LiveRecord:
    """One listed object of one kind, as planning sees it."""

    kind: Kind
    id: str
    marker: Marker | None  # parsed ownership marker; None when absent or not ours to read
    created_at: float | None  # for "the oldest copy of a key is the match"
    sha256: str  # digest of its canonical form (assistants.canonical.form_sha256)
    form: Mapping[str, Any] | None = None  # its canonical form, where a document may need it

    @classmethod
    def of(cls, kind: Kind, obj: Mapping[str, Any]) -> LiveRecord:
        """The record of an API object, its form kept. A malformed object (a list where a map
        belongs, ...) has a form too: the canonical form keeps a value of the wrong shape as it
        is, so it differs from every desired value and a plan replaces it."""
        form = kind.canonical(obj)
        return cls(kind, str(obj.get("id")), live_marker(obj), _number(obj.get("created_at")),
                   form_sha256(form), form)

    def kept_form(self) -> Mapping[str, Any]:
        """Its canonical form (FormNeed keeps every form a change can need)."""
        if self.form is None:
            raise AssertionError(f"the canonical form of {self.id} was not kept")
        return self.form


class FormNeed:
    """Which live objects of one kind keep their canonical form: every one a document names by
    `id:`, and every one of the owner's whose digest is not exactly what the document with its
    key asks for (an update, an orphan, a document with `ignore_changes`)."""

    def __init__(self, kind: Kind, desired: Iterable[Desired], owner: str) -> None:
        self.kind = kind
        self._owner = owner
        self._named_ids: set[str] = set()
        self._wanted: dict[str, str | None] = {}  # key -> the digest that makes it a noop
        for item in desired:
            if item.kind is not kind:
                continue
            if item.id:
                self._named_ids.add(item.id)
            self._wanted[item.key] = None if item.ignore_changes else item.form_sha256

    def record(self, obj: Mapping[str, Any]) -> LiveRecord:
        live = LiveRecord.of(self.kind, obj)
        return live if self._needs_form(live) else replace(live, form=None)

    def _needs_form(self, live: LiveRecord) -> bool:
        if live.id in self._named_ids:
            return True
        marker = live.marker
        if marker is None or marker.owner != self._owner:
            return False
        return self._wanted.get(marker.key) != live.sha256


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
