"""The record of each apply (`.assistants/history/<timestamp>.json`) and the rollback plan made
from it.

A journal holds, per change, what the plan saw before (the canonical values of the changed
fields; the whole assistant for a delete), the body sent and the server's answer. It never holds
a credential: none is in a plan, and server answers carry none. `rollback_plan` turns a journal
into an ordinary plan against the live world as it is now: a created assistant is deleted, an
updated one gets its earlier values back, a deleted one is created again (with a new id: ids
cannot be chosen). A rollback plan names no config paths, so applying it checks the live
hashes but not a config.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistants.canonical import WRITE_ONLY_FIELDS, canonical
from assistants.errors import PlanError
from reconciler.plan.change import Action, Change, Outcome
from reconciler.plan.diff import plan_delete, update_between
from reconciler.plan.live import LiveAssistant
from reconciler.plan.model import Plan

HISTORY_DIR = Path(".assistants") / "history"
JOURNAL_VERSION = 1


def write_journal(plan: Plan, outcomes: Sequence[Outcome], started: datetime,
                  directory: Path = HISTORY_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S.%fZ")
    path = directory / f"{stamp}.json"
    entries = []
    for outcome in outcomes:
        change = outcome.change
        entries.append({
            **change.to_dict(),
            "id": outcome.id or change.id,
            "ok": outcome.ok,
            "error": outcome.error,
            "note": outcome.note,
            "result": outcome.result,
        })
    data = {
        "format_version": JOURNAL_VERSION,
        "kind": "apply-journal",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "endpoint": plan.endpoint,
        "environment": plan.environment,
        "owner": plan.owner,
        "paths": list(plan.paths),
        "config_sha256": plan.config_sha256,
        "entries": entries,
    }
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def read_journal(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise PlanError(f"{path}: {err.strerror or err}") from None
    except ValueError:  # undecodable or not JSON
        raise PlanError(f"{path}: not an apply journal written by this tool") from None
    if not isinstance(data, dict) or data.get("kind") != "apply-journal":
        raise PlanError(f"{path}: not an apply journal written by this tool")
    return data


def rollback_plan(journal: Mapping[str, Any], live: Iterable[Mapping[str, Any]]) -> Plan:
    """Pure: the plan that puts every assistant the journal touched back as it was."""
    by_id = {str(a.get("id")): a for a in live}
    changes: list[Change] = []
    notes: list[str] = []
    for entry in journal["entries"]:
        if not entry.get("ok"):
            continue
        action, key, ident = Action(entry["action"]), entry["key"], entry.get("id")
        current = by_id.get(str(ident))
        if action is Action.CREATE:
            if current is None:
                notes.append(f"{key}: created as {ident}, already gone")
            else:
                changes.append(replace(plan_delete(LiveAssistant.of(current)),
                                       reason=f"created by the apply being rolled back "
                                              f"({journal.get('started_at', 'its journal')})"))
        elif action is Action.UPDATE:
            if current is None:
                notes.append(f"{key} ({ident}) no longer exists; its update cannot be undone")
                continue
            live_form = canonical(current)
            want = dict(live_form)
            for name, value in (entry.get("before") or {}).items():
                if name in WRITE_ONLY_FIELDS:
                    notes.append(f"{key}: {name} is write-only; its earlier value is unknown "
                                 "and stays as it is")
                elif value is None:
                    want.pop(name, None)
                else:
                    want[name] = value
            change = update_between(key, str(ident), want, live_form)
            if change.action is Action.UPDATE:
                changes.append(change)
        elif action is Action.DELETE:
            before = entry.get("before") or {}
            changes.append(Change(Action.CREATE, key, None, tuple(before), None, before, before))
            notes.append(f"{key} is created again: its id changes from {ident}; update what "
                         "holds the old id")
    return Plan(
        endpoint=journal["endpoint"],
        owner=journal["owner"],
        paths=(),
        config_sha256="",
        changes=tuple(sorted(changes, key=lambda c: (c.key, c.id or ""))),
        notes=tuple(notes),
        environment=journal.get("environment"),
    )
