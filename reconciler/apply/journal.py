"""The record of each apply (`.assistants/history/<timestamp>.json`).

A journal holds, per change, its kind, what the plan saw before (the canonical values of the
changed fields; the whole object for a delete), the body sent, in the order it was sent, and
the server's answer. It never holds a credential: none is in a plan, and server answers carry
none. reconciler/plan/rollback.py turns a journal into a plan that undoes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.errors import PlanError
from reconciler.plan.change import Outcome
from reconciler.plan.model import Plan, change_json

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
            **change_json(change),
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
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
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
