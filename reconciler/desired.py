"""`DesiredAssistant`: one assistant the config asks for, kept small.

A plan holds the whole config while the live assistants arrive. A validated `AssistantSpec`
costs some 8 KB of Python objects besides its prompt, and most assistants of a plan are
unchanged: planning one of those looks at its key, id, protection and ignored paths, and at
the digest its live twin must have (`form_sha256`), never at its fields. So a desired
assistant keeps those, plus its spec's fields as compact JSON, and `spec` validates them again
when something needs the whole spec (a change, `ignore_changes`). Instructions read from a
file are not kept: the file is read again then (`FileText`). A spec that JSON would not give
back as it is (see `load_file._plain`) is kept whole instead.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistants.canonical import canonical, text_sha256
from assistants.errors import ConfigError
from assistants.models import AssistantSpec
from reconciler.identity import (
    Marker,
    core_sha256,
    marked_sha256,
    write_only_digest,
    write_only_values,
)
from reconciler.yaml_source import display_path, read_text


class _Unset(enum.Enum):
    UNSET = "unset"  # an enum member: the same object again once pickled to another process


UNSET: Any = _Unset.UNSET
"""`instructions` not set at all (unlike `None`, set to null)."""


@dataclass(frozen=True)
class FileText:
    """The text of a file read (and hashed) while loading, to be read again when needed."""

    path: str  # resolved
    sha256: str  # canonical.text_sha256 of the text

    def read(self) -> str:
        """The text, when the file still holds it."""
        shown = display_path(Path(self.path))
        text, _ = read_text(Path(self.path), shown)
        if text is None or text_sha256(text) != self.sha256:
            raise ConfigError(f"{shown}: changed (or went) while the plan was being made; "
                              f"make the plan again")
        return text


def summary_of(spec: AssistantSpec) -> dict[str, Any]:
    """What planning needs of `spec` for every assistant, as JSON (the load cache keeps it):
    the digest `core` is of the canonical form of its API fields, the marker left out."""
    return {
        "key": spec.key,
        "id": spec.id,
        "protect": spec.protect,
        "ignore": list(spec.ignore_changes),
        "wo": write_only_digest(write_only_values(spec)),
        "core": core_sha256(canonical(spec.api_fields())),
    }


class DesiredAssistant:
    """One assistant of the config and `source`, the "file:line" of its document as the user
    named the file."""

    __slots__ = ("source", "key", "id", "protect", "ignore_changes", "write_only_digest",
                 "core_sha256", "_spec", "_fields", "_instructions")

    def __init__(self, spec: AssistantSpec, source: str) -> None:
        self._spec: AssistantSpec | None = spec
        self._fields: str | None = None
        self._instructions: Any = UNSET
        self._summarise(summary_of(spec), source)

    @classmethod
    def compact(cls, summary: dict[str, Any], fields: str, instructions: Any,
                source: str) -> DesiredAssistant:
        """A desired assistant from `summary_of` its spec, the JSON of the fields its document
        set (instructions left out) and its instructions (a string, None, `UNSET`, or the
        `FileText` they were read from)."""
        self = cls.__new__(cls)
        self._spec = None
        self._fields = fields
        self._instructions = instructions
        self._summarise(summary, source)
        return self

    def _summarise(self, summary: dict[str, Any], source: str) -> None:
        self.source = source
        self.key: str = summary["key"]
        self.id: str | None = summary["id"]
        self.protect: bool = summary["protect"]
        self.ignore_changes: tuple[str, ...] = tuple(summary["ignore"])
        self.write_only_digest: str | None = summary["wo"]
        self.core_sha256: str = summary["core"]

    @property
    def spec(self) -> AssistantSpec:
        """The validated spec (validated again from its JSON the first time it is asked for)."""
        if self._spec is None:
            assert self._fields is not None
            data = json.loads(self._fields)
            instructions = self._instructions
            if isinstance(instructions, FileText):
                instructions = instructions.read()
            if instructions is not UNSET:
                data["instructions"] = instructions
            self._spec = AssistantSpec.model_validate(data)
        return self._spec

    def marker(self, owner: str) -> Marker:
        return Marker(owner, self.key, self.protect, self.write_only_digest)

    def form_sha256(self, owner: str) -> str:
        """The digest (identity.form_sha256) of what the API should hold for this assistant:
        a live assistant with this digest needs no change."""
        return marked_sha256(self.core_sha256, str(self.marker(owner)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DesiredAssistant):
            return NotImplemented
        return (self.source, self.spec) == (other.source, other.spec)

    def __hash__(self) -> int:
        return hash((self.source, self.key))

    def __repr__(self) -> str:
        return f"DesiredAssistant(key={self.key!r}, source={self.source!r})"
