"""Printing a plan in the format asked for: `show PLAN` renders a saved plan again (as
`terraform show plan.out` does), and `plan` and `rollback` print theirs the same way.

A saved plan stores its keys sorted, so `show` lists a created or deleted assistant's fields
alphabetically where `plan` kept the config's order; the lines are the same."""

from __future__ import annotations

import shlex
from typing import TextIO

from reconciler.apply.saved import read_plan
from reconciler.cli.context import RunContext
from reconciler.plan.model import Plan
from reconciler.report.render import RENDERERS

PLAN_FORMATS = ("text", "json", "markdown")


def render_plan(run: RunContext, plan: Plan, fmt: str, out: TextIO) -> None:
    """Text is coloured on a terminal (never with --no-color or NO_COLOR)."""
    if fmt == "text":
        RENDERERS[fmt](plan, out, color=run.color(out))
    else:
        RENDERERS[fmt](plan, out)


def show_saved(run: RunContext, plan_file: str, fmt: str, out: TextIO) -> None:
    """Render a saved plan (from `plan --out` or `rollback --out`); nothing is contacted."""
    render_plan(run, read_plan(plan_file, flag=None), fmt, out)


def apply_hint(plan: Plan, plan_file: str, limit: int) -> str:
    """The command that applies a saved plan, to be pasted as printed: with `--max-deletes`
    when the plan deletes more than `limit` (what apply would allow without the flag); the
    deletes are in the plan just printed above it."""
    deletes = plan.summary["delete"]
    extra = f" --max-deletes {deletes}" if deletes > limit else ""
    return f"assistants apply --plan {shlex.quote(plan_file)}{extra}"
