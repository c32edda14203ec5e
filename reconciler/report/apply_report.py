"""What an apply did, as data: each outcome, the summary and the journal, for
`apply --format json` (pipelines want the new ids without scraping the text)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from assistants.kinds import DEFAULT_KIND
from reconciler.plan.change import Action, Change, Outcome
from reconciler.plan.model import Plan
from reconciler.report.render import outcome_line


@dataclass(frozen=True)
class ApplyResult:
    """The outcomes of one apply (none when cancelled or nothing was pending)."""

    plan: Plan
    outcomes: tuple[Outcome, ...] = ()
    journal: Path | None = None
    cancelled: bool = False
    second_copies: int = 0  # our own copies deleted after a race (`second_copies`)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        done = Counter(o.change.action for o in self.outcomes if o.ok)
        return {
            "format_version": 1,
            "endpoint": self.plan.endpoint,
            "environment": self.plan.environment,
            "owner": self.plan.owner,
            "ok": self.ok,
            "cancelled": self.cancelled,
            "outcomes": [{
                "kind": o.change.kind,
                "action": str(o.change.action),
                "key": o.change.key,
                "id": o.id or o.change.id,
                "ok": o.ok,
                "message": outcome_line(o),
            } for o in self.outcomes],
            "summary": {"created": done[Action.CREATE], "updated": done[Action.UPDATE],
                        "deleted": done[Action.DELETE] + self.second_copies,
                        "second_copies_deleted": self.second_copies,
                        "failed": sum(1 for o in self.outcomes if not o.ok)},
            "journal": str(self.journal) if self.journal else None,
        }


def second_copies(reported: Iterable[Outcome]) -> int:
    """How many of the assistants this apply created it deleted again: when another apply
    created the same key at the same time, the applier keeps the first copy, deletes its own
    and reports the change a second time with the survivor's id."""
    ids: dict[tuple[str, str], set[str]] = {}
    for outcome in reported:
        if outcome.ok and outcome.id and outcome.change.action is Action.CREATE:
            ids.setdefault((outcome.change.kind, outcome.change.key), set()).add(outcome.id)
    return sum(len(found) - 1 for found in ids.values())


def known_ids(plan: Plan, outcomes: Iterable[Outcome]) -> dict[str, str]:
    """`{key: id}` (for `--ids-out`) of every object of the config whose id is known after
    the apply, however far it got: unchanged ones; updated ones unless their update was tried
    and failed (it may have failed because the object is gone), so those skipped by
    `--fail-fast` or never reached keep theirs; created ones that were created. An assistant
    is under its key, an object of another kind under `KIND:key` (`agent:hr-helper`), so that
    an assistant and the agent that replaces it may share a key."""
    outcomes = list(outcomes)
    failed = {ids_key(o.change) for o in outcomes if o.change.action is Action.UPDATE
              and not o.ok and not (o.error or "").startswith(SKIPPED)}
    ids = {ids_key(c): c.id for c in plan.changes if c.id and (
        c.action is Action.NOOP or (c.action is Action.UPDATE and ids_key(c) not in failed))}
    for outcome in outcomes:
        if outcome.ok and outcome.change.action is Action.CREATE and outcome.id:
            ids[ids_key(outcome.change)] = outcome.id
    return dict(sorted(ids.items()))


def ids_key(change: Change) -> str:
    """The default kind's keys stand alone (as before other kinds existed); another kind's
    carry its name."""
    return change.key if change.kind == DEFAULT_KIND else f"{change.kind}:{change.key}"


SKIPPED = "skipped:"
"""How the applier's outcome of a change `--fail-fast` did not start begins."""


def render_apply_json(result: ApplyResult, out: TextIO) -> None:
    out.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
