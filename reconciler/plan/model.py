"""`Plan`: every change for one config against one live world, frozen, sorted and serialisable.

The same inputs give byte-identical JSON: changes are sorted by key, kind and id, and each
change's own keys are sorted. The values inside `before`, `after` and `body` keep their order:
a body is the exact JSON apply sends, in the user's order (a strict JSON schema's `properties`
are emitted in that order), and a rollback sends `before` back as the server held it. A saved
plan carries the config's sha256 and each target's live sha256 so that apply can refuse a stale
one.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import PlanError
from reconciler.plan.change import Action, Change

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: before changes carried their `kind` (all assistants)


@dataclass(frozen=True)
class Orphan:
    """One of this owner's objects that the config no longer names, and is not deleting."""

    key: str
    id: str
    reason: str
    kind: str = "assistant"


@dataclass(frozen=True)
class Plan:
    endpoint: str
    owner: str
    paths: tuple[str, ...]
    config_sha256: str
    changes: tuple[Change, ...]
    orphans: tuple[Orphan, ...] = ()
    unmanaged: int = 0
    foreign: int = 0
    notes: tuple[str, ...] = field(default=())
    environment: str | None = None  # the config's environment, when it declares any

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {str(a): counts.get(a, 0) for a in Action}

    @property
    def pending(self) -> tuple[Change, ...]:
        """The changes that write something."""
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    def to_json(self) -> str:
        data = {
            "format_version": FORMAT_VERSION,
            "endpoint": self.endpoint,
            "environment": self.environment,
            "owner": self.owner,
            "paths": list(self.paths),
            "config_sha256": self.config_sha256,
            "changes": [change_json(c) for c in self.changes],
            "orphans": [vars(o) for o in self.orphans],
            "unmanaged": self.unmanaged,
            "foreign": self.foreign,
            "notes": list(self.notes),
            "summary": self.summary,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "plan") -> Plan:
        try:
            data = json.loads(text)
            if data.get("format_version") not in READABLE_VERSIONS:
                raise PlanError(
                    f"{source}: plan format {data.get('format_version')!r} is not "
                    f"{FORMAT_VERSION} (or 1); make the plan again with this version of the tool"
                )
            return cls(
                endpoint=data["endpoint"],
                owner=data["owner"],
                paths=tuple(data["paths"]),
                config_sha256=data["config_sha256"],
                changes=tuple(Change.from_dict(c) for c in data["changes"]),
                orphans=tuple(Orphan(**o) for o in data.get("orphans", [])),
                unmanaged=data.get("unmanaged", 0),
                foreign=data.get("foreign", 0),
                notes=tuple(data.get("notes", [])),
                environment=data.get("environment"),  # absent from plans of earlier versions
            )
        except PlanError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise PlanError(f"{source}: not a plan file this tool wrote ({err})") from None


def change_json(change: Change) -> dict[str, Any]:
    """A change as plan JSON: its keys sorted, the values they hold in their own order."""
    return dict(sorted(change.to_dict().items()))


def sorted_keys(value: Any) -> Any:
    """`value` with every mapping's keys sorted, recursively: deterministic JSON."""
    if isinstance(value, dict):
        return {k: sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(v) for v in value]
    return value
