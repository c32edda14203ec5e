"""Pure: the rollback plan of an apply journal (reconciler/apply/journal.py), against the live
world as it is now: a created object is deleted, an updated one gets its earlier values back,
a deleted one is created again (with a new id: ids cannot be chosen). A rollback plan names no
config paths, so applying it checks the live hashes but not a config.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistants.kinds import Kind, kind_named
from reconciler.plan.change import Action, Change
from reconciler.plan.diff import plan_delete, update_between
from reconciler.plan.live import LiveRecord
from reconciler.plan.model import Plan


def rollback_plan(journal: Mapping[str, Any],
                  live: Mapping[str, Iterable[Mapping[str, Any]]]) -> Plan:
    """Pure: the plan that puts every object the journal touched back as it was; `live` holds
    the live objects of each kind the journal names (journal_kinds), by kind name."""
    by_id = {(name, str(a.get("id"))): a for name, objs in live.items() for a in objs}
    changes: list[Change] = []
    notes: list[str] = []
    for entry in journal["entries"]:
        if not entry.get("ok"):
            continue
        action, key, ident = Action(entry["action"]), entry["key"], entry.get("id")
        kind = kind_named(entry.get("kind", "assistant"))
        current = by_id.get((kind.name, str(ident)))
        if action is Action.CREATE:
            if current is None:
                notes.append(f"{key}: created as {ident}, already gone")
            else:
                changes.append(plan_delete(
                    LiveRecord.of(kind, current),
                    reason=f"created by the apply being rolled back "
                           f"({journal.get('started_at', 'its journal')})"))
        elif action is Action.UPDATE:
            if current is None:
                notes.append(f"{key} ({ident}) no longer exists; its update cannot be undone")
                continue
            live_form = kind.canonical(current)
            want = dict(live_form)
            for name, value in (entry.get("before") or {}).items():
                if name in kind.write_only_fields:
                    notes.append(f"{key}: {name} is write-only; its earlier value is unknown "
                                 "and stays as it is")
                elif value is None:
                    want.pop(name, None)
                else:
                    want[name] = value
            pinned = tuple(n for n in entry.get("before") or {} if n in kind.resolved_fields)
            change = update_between(kind, key, str(ident), want, live_form, pinned=pinned)
            if change.action is Action.UPDATE:
                changes.append(change)
        elif action is Action.DELETE:
            before = entry.get("before") or {}
            changes.append(Change.create(kind=kind.name, key=key, after=before, body=before,
                                         source=None))
            notes.append(f"{key} is created again: its id changes from {ident}; update what "
                         "holds the old id")
    return Plan(
        endpoint=journal["endpoint"],
        owner=journal["owner"],
        paths=(),
        config_sha256="",
        changes=tuple(sorted(changes, key=lambda c: (c.key, c.kind, c.id or ""))),
        notes=tuple(notes),
        environment=journal.get("environment"),
    )


def journal_kinds(journal: Mapping[str, Any]) -> list[Kind]:
    """The kinds of the entries a rollback would undo, each once."""
    names = {e.get("kind", "assistant") for e in journal["entries"] if e.get("ok")}
    return [kind_named(name) for name in sorted(names)]
