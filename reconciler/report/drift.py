"""Drift: a plan that reports instead of proposing.

Three classes are drift (exit 2): live fields that differ from the config, objects of the
config missing on the server (deleted by hand, or never applied), and this owner's objects the
config no longer names. Unmanaged objects and other owners' are counted, never drift. The
renderers write to the stream they are given; the CLI decides where (stdout, `--out`, the
GitHub step summary).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from assistants.kinds import kind_named
from reconciler.plan.change import Action, Change
from reconciler.plan.model import Orphan, Plan, change_json
from reconciler.report.annotations import github_command
from reconciler.report.environment_label import environment_part
from reconciler.report.render import change_lines, untouched_note
from reconciler.words import matching


@dataclass(frozen=True)
class DriftReport:
    plan: Plan
    declared_ids: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """`{(kind, key): id}` for the documents that name an `id:`: a missing one was deleted by
    hand."""
    field_lines: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    """`{(kind, key): {field: line}}`: where each document sets each field."""

    def missing_id(self, change: Change) -> str | None:
        return self.declared_ids.get((change.kind, change.key))

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.plan.changes if c.action is Action.UPDATE)

    @property
    def missing(self) -> tuple[Change, ...]:
        return tuple(c for c in self.plan.changes if c.action is Action.CREATE)

    @property
    def extra(self) -> tuple[Orphan, ...]:
        return self.plan.orphans

    @property
    def in_sync(self) -> int:
        return self.plan.summary["noop"]

    @property
    def drifted(self) -> bool:
        return bool(self.changed or self.missing or self.extra)

    def headline(self) -> str:
        if not self.drifted:
            noops = [c.kind for c in self.plan.changes if c.action is Action.NOOP]
            return f"No drift: {matching(noops)} the config."
        return (f"Drift: {len(self.changed)} changed on the server, {len(self.missing)} missing "
                f"from the server, {len(self.extra)} not in the config; {self.in_sync} in sync.")

    def to_dict(self) -> dict:
        return {
            "format_version": 1,
            "endpoint": self.plan.endpoint,
            "environment": self.plan.environment,
            "owner": self.plan.owner,
            "drift": self.drifted,
            "changed": [change_json(c) for c in self.changed],
            "missing": [{"key": c.key, "id": self.missing_id(c), "source": c.source}
                        for c in self.missing],
            "not_in_config": [vars(o) for o in self.extra],
            "in_sync": self.in_sync,
            "unmanaged": self.plan.unmanaged,
            "foreign": self.plan.foreign,
            "notes": list(self.plan.notes),
        }


def _title(change: Change) -> str:
    return f"{kind_named(change.kind).label}{change.key}"


def render_drift_text(report: DriftReport, out: TextIO) -> None:
    out.write(f"Endpoint {report.plan.endpoint}{environment_part(report.plan)}, owner "
              f"{report.plan.owner}.\n\n")
    for change in report.changed:
        out.write(f"  ~ {_title(change)} ({change.id}) differs from {change.source} "
                  "(server -> config):\n")
        out.writelines(f"      {text}\n" for _, text in change_lines(change))
    for change in report.missing:
        out.write(f"  ? {_title(change)} ({change.source}) is missing from the server"
                  f"{_gone(report, change)}\n")
    for orphan in report.extra:
        label = kind_named(orphan.kind).label
        out.write(f"  ! {label}{orphan.key} ({orphan.id}) is not in the config\n")
    out.writelines(f"  note: {note}\n" for note in report.plan.notes)
    if report.drifted or report.plan.notes:
        out.write("\n")
    out.write(report.headline() + _others(report) + "\n")


def render_drift_markdown(report: DriftReport, out: TextIO) -> None:
    out.write(f"### {report.headline()}\n\nEndpoint `{report.plan.endpoint}`"
              f"{environment_part(report.plan, code=True)}, owner "
              f"`{report.plan.owner}`.\n\n")
    if report.changed:
        out.write("#### Changed on the server\n\n")
        for change in report.changed:
            out.write(f"<details><summary><code>{change.key}</code> ({change.id}): "
                      f"{', '.join(change.fields)}</summary>\n\n```diff\n")
            out.writelines(f"{text}\n" for _, text in change_lines(change))
            out.write("```\n\n</details>\n\n")
    if report.missing:
        out.write("#### Missing from the server\n\n")
        out.writelines(f"- `{c.key}` ({c.source}){_gone(report, c)}\n" for c in report.missing)
        out.write("\n")
    if report.extra:
        out.write("#### Not in the config\n\n")
        out.writelines(f"- `{o.key}` ({o.id})\n" for o in report.extra)
        out.write("\n")
    if report.plan.notes:
        out.writelines(f"> {note}\n" for note in report.plan.notes)
        out.write("\n")
    if _others(report):
        out.write(f"_{_others(report).strip()}_\n")


def render_drift_json(report: DriftReport, out: TextIO) -> None:
    out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")


DRIFT_RENDERERS = {
    "text": render_drift_text,
    "markdown": render_drift_markdown,
    "json": render_drift_json,
}


def github_annotations(report: DriftReport, env: Mapping[str, str]) -> list[str]:
    """`::warning` lines when running on GitHub Actions: one per drifted key, at the line of
    that key in its file when the file says it (else the document's first line); one per
    assistant missing from the server, at its document."""
    if env.get("GITHUB_ACTIONS") != "true":
        return []
    lines = []
    for change in report.changed:
        path, line = _split_source(change.source)
        where = report.field_lines.get((change.kind, change.key), {})
        for name in change.fields:
            lines.append(github_command(
                "warning", f"{change.key} ({change.id}): `{name}` differs on the server "
                           "(drift: apply to put it back, or edit the config to keep it)",
                path, where.get(name, line)))
    for change in report.missing:
        path, line = _split_source(change.source)
        lines.append(github_command(
            "warning", f"{change.key} is missing from the server{_gone(report, change)}",
            path, line))
    return lines


def _others(report: DriftReport) -> str:
    note = untouched_note(report.plan)
    return f" ({note}, not drift.)" if note else ""


def _gone(report: DriftReport, change: Change) -> str:
    ident = report.missing_id(change)
    return f" (its `id: {ident}` is gone: deleted by hand?)" if ident else ""


def _split_source(source: str | None) -> tuple[str | None, int | None]:
    """`file:line`, also of a fleet's assistant (`file:line[row 3]`: the template's line)."""
    path, _, line = (source or "").split("[", 1)[0].rpartition(":")
    if not path or not line.isdigit():
        return (source or None), None
    return path, int(line)
