"""What reviewers read: Terraform's signs, line diffs for prompts, digests for long values,
colour only where it belongs, and Markdown that folds long diffs."""

from __future__ import annotations

import io
import json

from reconciler.cli.context import RunContext
from reconciler.plan.change import Change
from reconciler.plan.model import Orphan, Plan
from reconciler.report.render import render_json, render_markdown, render_text

PROMPT = "".join(f"Line {i} of the prompt.\n" for i in range(1, 31))


def a_plan(**overrides) -> Plan:
    changes = (
        Change.update(kind="assistant", key="hr-helper", id="asst_1",
                      fields=("instructions", "metadata", "temperature"),
               before={"instructions": PROMPT, "metadata": {"team": "hr", "tier": "1"},
                       "temperature": None},
               after={"instructions": PROMPT.replace("Line 15 of", "Line fifteen of"),
                      "metadata": {"team": "people", "region": "eu"}, "temperature": 0.2},
               body={"instructions": "…", "metadata": {}, "temperature": 0.2},
               live_sha256="0" * 64, source="configs/hr.yaml:1"),
        Change.create(kind="assistant", key="onboarding",
                      after={"model": "gpt-4o", "description": "x" * 300},
                      body={"model": "gpt-4o", "description": "x" * 300},
                      source="configs/on.yaml:1"),
        Change.delete(kind="assistant", key="old-bot", id="asst_9", before={"model": "gpt-4o"},
                      live_sha256="1" * 64),
        Change.noop(kind="assistant", key="same", id="asst_5", live_sha256="2" * 64, source=None),
    )
    fields = dict(endpoint="https://api.portkey.ai/v1", owner="acme", paths=("configs",),
                  config_sha256="c" * 64, changes=changes,
                  orphans=(Orphan("legacy", "asst_7", "not in the config; --prune deletes it"),),
                  unmanaged=3)
    fields.update(overrides)
    return Plan(**fields)


def text_of(plan: Plan, color: bool = False) -> str:
    out = io.StringIO()
    render_text(plan, out, color=color)
    return out.getvalue()


def test_text_uses_terraform_signs_and_summary():
    text = text_of(a_plan())
    assert "  ~ hr-helper (asst_1)  configs/hr.yaml:1\n" in text
    assert "  + onboarding  configs/on.yaml:1\n" in text
    assert "  - old-bot (asst_9)\n" in text
    assert "  ! legacy (asst_7): not in the config; --prune deletes it\n" in text
    assert text.rstrip().endswith("Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.")
    assert "same" not in text  # unchanged assistants are counted, not listed


def test_multiline_strings_get_a_unified_line_diff_with_three_lines_of_context():
    text = text_of(a_plan())
    assert "      ~ instructions:\n" in text
    assert "            @@ -12,7 +12,7 @@\n" in text
    assert "      -     Line 15 of the prompt.\n" in text
    assert "      +     Line fifteen of the prompt.\n" in text
    assert "Line 11 of" not in text and "Line 12 of" in text and "Line 18 of" in text
    assert "Line 19 of" not in text


def test_nested_changes_each_get_a_sign_and_defaults_are_named():
    text = text_of(a_plan())
    assert '      ~     team: "hr" -> "people"\n' in text
    assert '      +     region: "eu"\n' in text
    assert '      -     tier: "1"\n' in text
    assert "      ~ temperature: 1.0 (default) -> 0.2\n" in text


def test_long_single_line_values_are_shown_by_length_and_digest():
    text = text_of(a_plan())
    assert "description: (300 chars, sha256 " in text
    assert "x" * 200 not in text


def test_colour_only_when_asked():
    assert "\x1b[" not in text_of(a_plan(), color=False)
    coloured = text_of(a_plan(), color=True)
    assert "\x1b[33m  ~ hr-helper" in coloured and "\x1b[32m  + onboarding" in coloured


def test_no_changes_message():
    plan = a_plan(changes=(Change.noop(kind="assistant", key="same", id="asst_5",
                                       live_sha256="2" * 64, source=None),),
                  orphans=())
    assert text_of(plan).rstrip().endswith("No changes. 1 assistant match the config.")


def test_markdown_folds_long_diffs_and_keeps_short_ones_open():
    out = io.StringIO()
    render_markdown(a_plan(), out)
    md = out.getvalue()
    assert md.startswith("### Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.")
    assert "| ~ update | `hr-helper` | `asst_1` | instructions, metadata, temperature |" in md
    assert "<details open><summary><code>+ onboarding</code></summary>" in md
    assert "```diff\n! instructions:\n" in md
    assert "\n-     Line 15 of the prompt.\n" in md  # the diff sign in column 0, for GitHub
    assert "`legacy` (asst_7): not in the config" in md
    assert "_3 unmanaged on the server, not touched._" in md
    long_plan = a_plan(changes=(Change.create(
        kind="assistant", key="big", after={"metadata": {f"k{i}": "v" for i in range(40)}},
        body={}, source=None),))
    out = io.StringIO()
    render_markdown(long_plan, out)
    assert "<details><summary><code>+ big</code></summary>" in out.getvalue()


def test_json_is_the_plan_file():
    out = io.StringIO()
    render_json(a_plan(), out)
    data = json.loads(out.getvalue())
    assert data["summary"] == {"create": 1, "update": 1, "delete": 1, "noop": 1}
    assert Plan.from_json(out.getvalue()) == a_plan()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color():
    assert RunContext(env={}).color(Terminal()) is True
    assert RunContext(env={}).color(io.StringIO()) is False
    assert RunContext(env={"NO_COLOR": ""}).color(Terminal()) is False
    assert RunContext(env={}, no_color=True).color(Terminal()) is False


def test_apply_progress_is_drawn_on_a_terminal_for_many_changes_only():
    screen = Terminal()
    progress = RunContext(env={}).apply_progress(25, screen)
    for i in range(25):
        progress.step(ok=i != 3)
    progress.close()
    assert "[25/25] 100%, 1 failed" in screen.getvalue()
    for stream, total in ((io.StringIO(), 25), (Terminal(), 5)):
        quiet = RunContext(env={}).apply_progress(total, stream)
        for _ in range(total):
            quiet.step()
        quiet.close()
        assert stream.getvalue() == ""
