"""`Action` and `Change`: one planned step, with fixed rules for `None` (Terraform's
`plans.Change`): a create has no `before`, a delete has no `after` and no `body`, a noop has
neither fields nor body."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"


APPLY_ORDER = (Action.CREATE, Action.UPDATE, Action.DELETE)


@dataclass(frozen=True)
class Change:
    action: Action
    key: str
    id: str | None = None
    fields: tuple[str, ...] = ()
    before: dict[str, Any] | None = None  # live values (canonical) of `fields`; all of them for a delete
    after: dict[str, Any] | None = None  # desired values (canonical) of `fields`; all for a create
    body: dict[str, Any] | None = None  # the exact JSON apply sends
    live_sha256: str | None = None  # sha256 of the live canonical form when planned
    source: str | None = None  # "file:line" of the document, when there is one

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["action"] = str(self.action)
        data["fields"] = list(self.fields)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(**{**data, "action": Action(data["action"]), "fields": tuple(data["fields"])})


@dataclass(frozen=True)
class Outcome:
    """What applying one change did."""

    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None
    result: dict[str, Any] | None = None  # canonical form of the server's answer
    note: str | None = None
