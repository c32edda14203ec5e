"""The migration report as text (a terminal), Markdown (a pull request) or JSON (a pipeline),
written to the stream it is given."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from reconciler.migrate.findings import Lost, Migrated, Report

VALUE_MAX = 72
"""Characters of a lost value shown in text and Markdown (JSON has it whole)."""


def value_text(field: str, value: Any) -> str:
    """`0.2`, `"Answers…"`, `file_search {"max_num_results": 8}`: a value on one line, cut to
    `VALUE_MAX` characters; a tool is named by its type first."""
    if isinstance(value, dict) and isinstance(value.get("type"), str) and "tools[" in field:
        rest = {k: v for k, v in value.items() if k != "type"}
        shown = value["type"] + (" " + _json(rest) if rest else "")
    else:
        shown = _json(value)
    return shown if len(shown) <= VALUE_MAX else shown[:VALUE_MAX - 1] + "…"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def summary_line(report: Report) -> str:
    n = len(report.migrated)
    lossy = sum(not m.lossless for m in report.migrated)
    lost = sum(len(m.findings.lost) for m in report.migrated)
    written = len(report.files_written)
    return (f"Migrated {n} assistant{'s' if n != 1 else ''} to agents: {n - lossy} lossless, "
            f"{lossy} lossy ({lost} value{'s' if lost != 1 else ''} lost); wrote {written} "
            f"file{'s' if written != 1 else ''}.")


def render_text(report: Report, out: TextIO) -> None:
    for m in report.migrated:
        verdict = "lossless" if m.lossless else "lossy"
        out.write(f"{m.key}  {m.source} -> {m.out}  ({verdict})\n")
        f = m.findings
        if f.carried:
            out.write(f"    carried: {', '.join(f.carried)}\n")
        for lost in f.lost:
            out.write(f"    - lost {lost.field} {value_text(lost.field, lost.value)}\n")
            if lost.suggestion:
                out.write(f"        {lost.suggestion}\n")
        for s in f.supplied:
            out.write(f"    + supplied {s.field} {value_text(s.field, s.value)}: {s.reason}\n")
        for note in f.notes:
            out.write(f"    note: {note}\n")
    for line in report.skipped:
        out.write(f"skipped: {line}\n")
    out.write(summary_line(report) + "\n")


def render_markdown(report: Report, out: TextIO) -> None:
    out.write(f"### {summary_line(report)}\n\n")
    if report.migrated:
        out.write("| assistant | agent document | lost | supplied |\n|---|---|---|---|\n")
        for m in report.migrated:
            lost = ", ".join(f"`{_cell(x.field)}`" for x in m.findings.lost) or "nothing"
            supplied = ", ".join(f"`{_cell(s.field)}`" for s in m.findings.supplied) or ""
            out.write(f"| `{_cell(m.key)}` | `{_cell(m.out)}` | {lost} | {supplied} |\n")
        out.write("\n")
    for m in report.migrated:
        _markdown_one(m, out)
    for line in report.skipped:
        out.write(f"> skipped: {line}\n")


def _markdown_one(m: Migrated, out: TextIO) -> None:
    f = m.findings
    out.write(f"#### `{m.key}` ({'lossless' if m.lossless else 'lossy'})\n\n")
    out.write(f"`{m.source}` → `{m.out}`\n\n")
    if f.carried:
        out.write("Carried: " + ", ".join(f"`{c}`" for c in f.carried) + "\n\n")
    if f.lost:
        out.write("Lost:\n\n")
        for lost in f.lost:
            out.write(_markdown_lost(lost))
        out.write("\n")
    if f.supplied:
        out.write("Supplied:\n\n")
        for s in f.supplied:
            out.write(f"- `{s.field}` `{value_text(s.field, s.value)}`: {s.reason}\n")
        out.write("\n")
    for note in f.notes:
        out.write(f"> {note}\n")
    if f.notes:
        out.write("\n")


def _markdown_lost(lost: Lost) -> str:
    tail = f": {lost.suggestion}" if lost.suggestion else ""
    return f"- `{lost.field}` `{value_text(lost.field, lost.value)}`{tail}\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def render_json(report: Report, out: TextIO) -> None:
    out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")


RENDERERS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json}
