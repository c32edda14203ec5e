"""Renderers of a plan: text in Terraform's idiom, JSON (the plan file itself) and Markdown for
pull-request comments. Each writes to the stream it is given and nothing else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from assistants.kinds import kind_named
from reconciler.plan.change import Action, Change, Outcome
from reconciler.plan.model import Plan
from reconciler.report.detail import Line, block, field_lines, line, show
from reconciler.report.environment_label import environment_part
from reconciler.words import count, matching, plural

SIGNS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.NOOP: " "}
COLOURS = {"+": "32", "-": "31", "~": "33", "!": "35"}
FOLD_LINES = 20


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (
        f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
        f"{s['noop']} unchanged."
    )


def change_title(change: Change, ident: str | None = None) -> str:
    """`~ hr-helper (asst_1)`, `+ agent support-acme`: the kind is named but for assistants."""
    ident = ident or change.id
    shown = f" ({ident})" if ident else ""
    return f"{SIGNS[change.action]} {kind_named(change.kind).label}{change.key}{shown}"


def change_lines(change: Change) -> list[Line]:
    """What a reviewer reads under one change's title."""
    if change.action is Action.UPDATE:
        before, after = change.before or {}, change.after or {}
        lines: list[Line] = []
        for name in change.fields:
            if name in before and before.get(name) == after.get(name):
                lines.append(line("~", f"{name}: sent again as written (the parts the server "
                                       "fills in that the document sets changed)"))
            elif name in kind_named(change.kind).write_only_fields:
                lines.append(line("~", f"{name}: (write-only, not readable) -> "
                                       f"{show(after.get(name))}"))
            else:
                lines.extend(field_lines(name, before.get(name), after.get(name)))
        return lines
    if change.action is Action.CREATE:  # what is sent: the body as written, in its order
        if change.body:
            return _whole(change.body, "+", as_sent=True)
        return _whole(change.after or {}, "+")
    if change.action is Action.DELETE:
        return _whole(change.before or {}, "-")
    return []


def render_text(plan: Plan, out: TextIO, *, color: bool = False) -> None:
    paint = _painter(color)
    out.write(f"Endpoint {plan.endpoint}{environment_part(plan)}, owner {plan.owner}.\n")
    pending = plan.pending
    if pending:
        out.write("\n")
    for change in pending:
        source = f"  {change.source}" if change.source else ""
        out.write(paint(SIGNS[change.action], f"  {change_title(change)}")
                  + f"{source}{_because(change)}\n")
        for sign, text in change_lines(change):
            out.write(paint(sign, f"      {text}") + "\n")
    for orphan in plan.orphans:
        label = kind_named(orphan.kind).label
        out.write(paint("!", f"  ! {label}{orphan.key} ({orphan.id}): {orphan.reason}") + "\n")
    for note in plan.notes:
        out.write(f"  note: {note}\n")
    out.write("\n")
    out.write(closing_line(plan) + "\n")


def render_markdown(plan: Plan, out: TextIO) -> None:
    out.write(f"### {summary_line(plan)}\n\n")
    out.write(f"Endpoint `{plan.endpoint}`{environment_part(plan, code=True)}, "
              f"owner `{plan.owner}`, config "
              f"`{plan.config_sha256[:12]}`.\n\n")
    pending = plan.pending
    if pending:
        out.write("| | key | id | fields / reason | source |\n|---|---|---|---|---|\n")
        for c in pending:
            fields = (", ".join(c.fields) if c.action is Action.UPDATE
                      else c.reason or "")
            out.write(f"| {SIGNS[c.action]} {c.action} | {kind_named(c.kind).label}`{c.key}` | "
                      f"{_code(c.id)} | {fields} "
                      f"| {_code(c.source)} |\n")
        out.write("\n")
    for c in pending:
        lines = change_lines(c)
        fold = " open" if len(lines) <= FOLD_LINES else ""
        out.write(f"<details{fold}><summary><code>{change_title(c)}</code>{_because(c)}"
                  "</summary>\n\n")
        out.write("```diff\n")
        for sign, text in lines:
            out.write(f"{_diff_sign(sign)}{text[1:]}\n")
        out.write("```\n\n</details>\n\n")
    if plan.orphans:
        out.write("**Not in the config, left alone:**\n\n")
        for o in plan.orphans:
            out.write(f"- {kind_named(o.kind).label}`{o.key}` ({o.id}): {o.reason}\n")
        out.write("\n")
    for note in plan.notes:
        out.write(f"> {note}\n")
    if untouched_note(plan):
        out.write(f"\n_{untouched_note(plan)} on the server, not touched._\n")


def render_json(plan: Plan, out: TextIO) -> None:
    out.write(plan.to_json())


def outcome_line(outcome: Outcome) -> str:
    """One line per applied change, printed as it finishes."""
    change = outcome.change
    ident = outcome.id or change.id
    title = change_title(change, ident)
    if not outcome.ok:
        return f"x {title}: failed: {outcome.error}"
    verb = {Action.CREATE: "created", Action.UPDATE: "updated " + ", ".join(change.fields),
            Action.DELETE: "deleted", Action.NOOP: "unchanged"}[change.action]
    return f"{title}: {verb}" + (f" ({outcome.note})" if outcome.note else "")


def progress_line(done: int, total: int, failed: int = 0) -> str:
    """The compact progress of a long apply, for a terminal: `[120/500] 24%, 1 failed`."""
    percent = done * 100 // total if total else 100
    return f"[{done}/{total}] {percent}%" + (f", {failed} failed" if failed else "")


def outcomes_summary(plan: Plan, outcomes: list[Outcome], second_copies: int = 0) -> str:
    """`Apply: 0 created, 2 updated, 1 deleted, 0 failed.`; `second_copies`: our own copies
    deleted after another apply created the same keys at the same time, counted as deleted."""
    done = Counter(o.change.action for o in outcomes if o.ok)
    failed = sum(1 for o in outcomes if not o.ok)
    copies = (f" ({count(second_copies, 'second copy')} of our own: another apply created "
              f"the same {plural('key', second_copies)} at the same time)"
              if second_copies else "")
    return (f"Apply: {done[Action.CREATE]} created, {done[Action.UPDATE]} updated, "
            f"{done[Action.DELETE] + second_copies} deleted{copies}, {failed} failed.")


RENDERERS: dict[str, Callable[..., None]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}


def closing_line(plan: Plan) -> str:
    if not plan.pending:
        unchanged = [c.kind for c in plan.changes if c.action is Action.NOOP]
        return f"No changes. {matching(unchanged)} the config."
    return summary_line(plan)


def untouched_note(plan: Plan) -> str:
    """"3 unmanaged, 1 managed by other owners", or "" when there are none."""
    extra = []
    if plan.unmanaged:
        extra.append(f"{plan.unmanaged} unmanaged")
    if plan.foreign:
        extra.append(f"{plan.foreign} managed by other owners")
    return ", ".join(extra)


def _whole(values: dict[str, Any], sign: str, *, as_sent: bool = False) -> list[Line]:
    """A created or deleted assistant: each field, nested values as indented blocks."""
    return [one for name, value in values.items()
            for one in block(name, value, sign, as_sent=as_sent)]


def _because(change: Change) -> str:
    """`: why` after a delete's title (a second copy and a removed document look alike)."""
    return f": {change.reason}" if change.reason else ""


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(sign: str, text: str) -> str:
        code = COLOURS.get(sign)
        return f"\x1b[{code}m{text}\x1b[0m" if color and code else text

    return paint


def _diff_sign(sign: str) -> str:
    return {"~": "!", " ": " "}.get(sign, sign)


def _code(value: str | None) -> str:
    return f"`{value}`" if value else ""
