"""What migrating one assistant document carried, lost and supplied, and the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Lost:
    """A value the agent cannot hold: `field` as the assistant document names it
    (`temperature`, `tools[1]`, `response_format.json_schema.strict`), the value as written,
    and what to do instead, when there is something."""

    field: str
    value: Any
    suggestion: str | None = None


@dataclass(frozen=True)
class Supplied:
    """A value the agent requires and the assistant did not have (a function's description)."""

    field: str
    value: Any
    reason: str


@dataclass
class Findings:
    """What one document's mapping did. `carried` lines read `reasoning_effort -> reasoning.effort`
    or just `model` when the field kept its name; `notes` are neither carried nor lost (an
    assistant `id`, a default value left out)."""

    carried: list[str] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)
    supplied: list[Supplied] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def carry(self, name: str, to: str | None = None) -> None:
        self.carried.append(name if to is None or to == name else f"{name} -> {to}")

    def lose(self, name: str, value: Any, suggestion: str | None = None) -> None:
        self.lost.append(Lost(name, plain(value), suggestion))

    def supply(self, name: str, value: Any, reason: str) -> None:
        self.supplied.append(Supplied(name, plain(value), reason))


@dataclass(frozen=True)
class Migrated:
    """One assistant document and the agent document written for it."""

    key: str
    source: str  # `file:line` of the assistant document, as the user named the file
    out: str  # the file the agent document is written to
    findings: Findings

    @property
    def lossless(self) -> bool:
        return not self.findings.lost


@dataclass(frozen=True)
class Report:
    """Every migrated document, in the order of the files and of the documents in them."""

    migrated: tuple[Migrated, ...]
    files_written: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # documents of another kind, left out: `file:line: why`
    root: str = ""  # the config root the agents load with: PATH (DIR inside it), else DIR

    @property
    def lossy(self) -> bool:
        return any(not m.lossless for m in self.migrated)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (docs/migration.md, "The JSON report")."""
        return {
            "migrated": [_migrated(m) for m in self.migrated],
            "lost": [{"key": m.key, "source": m.source, **_lost(lost)}
                     for m in self.migrated for lost in m.findings.lost],
            "summary": {
                "assistants": len(self.migrated),
                "lossless": sum(m.lossless for m in self.migrated),
                "lossy": sum(not m.lossless for m in self.migrated),
                "files_written": len(self.files_written),
            },
            "root": self.root,
            "files_written": list(self.files_written),
            "skipped": list(self.skipped),
        }


def _migrated(m: Migrated) -> dict[str, Any]:
    f = m.findings
    return {"key": m.key, "source": m.source, "out": m.out, "lossless": m.lossless,
            "carried": list(f.carried), "lost": [_lost(lost) for lost in f.lost],
            "supplied": [{"field": s.field, "value": s.value, "reason": s.reason}
                         for s in f.supplied],
            "notes": list(f.notes)}


def _lost(lost: Lost) -> dict[str, Any]:
    return {"field": lost.field, "value": lost.value, "suggestion": lost.suggestion}


def plain(value: Any) -> Any:
    """`value` as plain JSON data: round-trip YAML's maps, lists and scalar subclasses (a float
    that remembers its width, a string that remembers its quotes) become dict, list, float, str."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)
