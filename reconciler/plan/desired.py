"""`DesiredAssistant`: one assistant the config asks for, as its document validated, and where
that document is. What planning reads of it (key, id, marker, digest) is derived from the spec,
so there is one source of truth per assistant."""

from __future__ import annotations

from dataclasses import dataclass

from assistants.canonical import canonical, core_sha256, marked_sha256
from assistants.models import AssistantSpec
from reconciler.plan.marker import Marker, write_only_digest, write_only_values


@dataclass(frozen=True)
class DesiredAssistant:
    """One assistant of the config, and `source`: the "file:line" of its document as the user
    named the file."""

    spec: AssistantSpec
    source: str

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def id(self) -> str | None:
        return self.spec.id

    @property
    def protect(self) -> bool:
        return self.spec.protect

    @property
    def ignore_changes(self) -> tuple[str, ...]:
        return tuple(self.spec.ignore_changes)

    @property
    def write_only_digest(self) -> str | None:
        """The digest of the write-only fields, which the marker carries (the API never
        returns those fields)."""
        return write_only_digest(write_only_values(self.spec))

    def marker(self, owner: str) -> Marker:
        return Marker(owner, self.key, self.protect, self.write_only_digest)

    def form_sha256(self, owner: str) -> str:
        """The digest (assistants.canonical.form_sha256) of what the API should hold for this assistant:
        a live assistant with this digest needs no change."""
        core = core_sha256(canonical(self.spec.api_fields()))
        return marked_sha256(core, str(self.marker(owner)))

    def __hash__(self) -> int:  # the spec holds lists and dicts, which do not hash
        return hash((self.source, self.key))

    def __repr__(self) -> str:
        return f"DesiredAssistant(key={self.key!r}, source={self.source!r})"
