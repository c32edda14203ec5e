"""Drift: a plan that reports instead of proposing.

Three classes are drift (exit 2): live fields that differ from the config, assistants of the
config missing on the server (deleted by hand, or never applied), and this owner's assistants the
config no longer names. Unmanaged assistants and other owners' are counted, never drift.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TextIO

from reconciler.change import Action, Change
from reconciler.plan import Orphan, Plan, sorted_keys
from reconciler.render import change_lines, untouched_note


@dataclass(frozen=True)
class DriftReport:
    plan: Plan

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
            return f"No drift: {self.in_sync} assistants match the config."
        return (f"Drift: {len(self.changed)} changed on the server, {len(self.missing)} missing "
                f"from the server, {len(self.extra)} not in the config; {self.in_sync} in sync.")

    def to_dict(self) -> dict:
        return {
            "format_version": 1,
            "endpoint": self.plan.endpoint,
            "owner": self.plan.owner,
            "drift": self.drifted,
            "changed": [sorted_keys(c.to_dict()) for c in self.changed],
            "missing": [{"key": c.key, "source": c.source} for c in self.missing],
            "not_in_config": [vars(o) for o in self.extra],
            "in_sync": self.in_sync,
            "unmanaged": self.plan.unmanaged,
            "foreign": self.plan.foreign,
        }


def render_drift_text(report: DriftReport, out: TextIO) -> None:
    out.write(f"Endpoint {report.plan.endpoint}, owner {report.plan.owner}.\n\n")
    for change in report.changed:
        out.write(f"  ~ {change.key} ({change.id}) differs from {change.source} "
                  "(server -> config):\n")
        out.writelines(f"      {text}\n" for _, text in change_lines(change))
    for change in report.missing:
        out.write(f"  ? {change.key} ({change.source}) is missing from the server\n")
    for orphan in report.extra:
        out.write(f"  ! {orphan.key} ({orphan.id}) is not in the config\n")
    if report.drifted:
        out.write("\n")
    out.write(report.headline() + _others(report) + "\n")


def render_drift_markdown(report: DriftReport, out: TextIO) -> None:
    out.write(f"### {report.headline()}\n\nEndpoint `{report.plan.endpoint}`, owner "
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
        out.writelines(f"- `{c.key}` ({c.source})\n" for c in report.missing)
        out.write("\n")
    if report.extra:
        out.write("#### Not in the config\n\n")
        out.writelines(f"- `{o.key}` ({o.id})\n" for o in report.extra)
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


def github_annotations(report: DriftReport, env: dict[str, str]) -> list[str]:
    """`::warning` lines for drifted keys when running on GitHub Actions."""
    if env.get("GITHUB_ACTIONS") != "true":
        return []
    lines = []
    for change in report.changed + report.missing:
        path, _, line = (change.source or "").rpartition(":")
        what = "missing from the server" if change.action is Action.CREATE else (
            "changed on the server: " + ", ".join(change.fields))
        lines.append(f"::warning file={path},line={line or 1}::{change.key} {what}")
    return lines


def append_step_summary(report: DriftReport, env: dict[str, str]) -> None:
    """Append the Markdown report to $GITHUB_STEP_SUMMARY when it is set."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with open(os.path.expanduser(target), "a", encoding="utf-8") as handle:
        render_drift_markdown(report, handle)


def _others(report: DriftReport) -> str:
    note = untouched_note(report.plan)
    return f" ({note}, not drift.)" if note else ""
