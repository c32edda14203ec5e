"""`Action` and `Change`: one planned step, with fixed rules for `None` (Terraform's
`plans.Change`): a create has no `before`, a delete has no `after` and no `body` but a
`reason`, a noop has neither fields nor body. Changes are built by name
(`Change.create(...)`), never positionally; each carries the kind of object it changes."""

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


@dataclass(frozen=True, kw_only=True)
class Change:
    kind: str  # the kind's name: "assistant", "agent"
    action: Action
    key: str
    id: str | None = None
    fields: tuple[str, ...] = ()
    before: dict[str, Any] | None = None  # live values (canonical) of `fields`; all of them for a delete
    after: dict[str, Any] | None = None  # desired values (canonical) of `fields`; all for a create
    body: dict[str, Any] | None = None  # the exact JSON apply sends
    live_sha256: str | None = None  # sha256 of the live canonical form when planned
    source: str | None = None  # "file:line" of the document, when there is one
    reason: str | None = None  # why a delete deletes ("removed from the config", ...)

    @classmethod
    def create(cls, *, kind: str, key: str, after: dict[str, Any], body: dict[str, Any],
               source: str | None) -> Change:
        return cls(kind=kind, action=Action.CREATE, key=key, fields=tuple(after), after=after,
                   body=body, source=source)

    @classmethod
    def update(cls, *, kind: str, key: str, id: str, fields: tuple[str, ...],
               before: dict[str, Any], after: dict[str, Any], body: dict[str, Any],
               live_sha256: str, source: str | None) -> Change:
        return cls(kind=kind, action=Action.UPDATE, key=key, id=id, fields=fields,
                   before=before, after=after, body=body, live_sha256=live_sha256,
                   source=source)

    @classmethod
    def delete(cls, *, kind: str, key: str, id: str, before: dict[str, Any],
               live_sha256: str, reason: str | None = None) -> Change:
        return cls(kind=kind, action=Action.DELETE, key=key, id=id, before=before,
                   live_sha256=live_sha256, reason=reason)

    @classmethod
    def noop(cls, *, kind: str, key: str, id: str, live_sha256: str,
             source: str | None) -> Change:
        return cls(kind=kind, action=Action.NOOP, key=key, id=id, live_sha256=live_sha256,
                   source=source)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `reason` only when there is one (deletes), so other changes read as
        they always have."""
        data = asdict(self)
        data["action"] = str(self.action)
        data["fields"] = list(self.fields)
        if self.reason is None:
            del data["reason"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        """A change read back from a plan file (of format 1, without `kind`: an assistant); a
        wrong shape raises TypeError or ValueError (a saved plan may have been edited by
        hand)."""
        change = cls(**{"kind": "assistant", **data, "action": Action(data["action"]),
                        "fields": tuple(data["fields"])})
        if not isinstance(change.kind, str) or not change.kind:
            raise TypeError("a change's `kind` must be a non-empty string")
        if not isinstance(change.key, str) or not change.key:
            raise TypeError("a change's `key` must be a non-empty string")
        if change.id is not None and (not isinstance(change.id, str) or not change.id):
            raise TypeError(f"{change.key}: `id` must be a non-empty string or null")
        if change.action in (Action.UPDATE, Action.DELETE, Action.NOOP) and change.id is None:
            raise TypeError(f"{change.key}: an {change.action} needs an `id`")
        for name in ("before", "after", "body"):
            if not isinstance(getattr(change, name), dict | None):
                raise TypeError(f"{change.key}: `{name}` must be a mapping or null")
        if not all(isinstance(f, str) for f in change.fields):
            raise TypeError(f"{change.key}: `fields` must be strings")
        for name in ("live_sha256", "source", "reason"):
            if not isinstance(getattr(change, name), str | None):
                raise TypeError(f"{change.key}: `{name}` must be a string or null")
        return change


@dataclass(frozen=True)
class Outcome:
    """What applying one change did."""

    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None
    result: dict[str, Any] | None = None  # canonical form of the server's answer
    note: str | None = None

    @classmethod
    def succeeded(cls, change: Change, *, id: str | None, result: dict[str, Any] | None = None,
                  note: str | None = None) -> Outcome:
        """The change took effect on the assistant `id` (the server's answer in `result`,
        canonical)."""
        return cls(change, True, id, result=result, note=note)

    @classmethod
    def failed(cls, change: Change, *, error: str, id: str | None = None) -> Outcome:
        """The change did not take effect, or may not have (`error` says which and why); `id`
        is the assistant it was about, when one exists."""
        return cls(change, False, id, error=error)
