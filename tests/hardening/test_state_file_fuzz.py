"""Plan files and journals are inputs too (hand-edited, truncated, from another version): `apply
--plan FILE` and `rollback JOURNAL` on generated damage exit 1 with an `error:` line, never a
traceback or an "internal error" (run_cli fails on those). Against the embedded API (`--local`)
in a temporary directory, so that nothing leaves the machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hardening.hypothesis_profile import HARDENING
from tests.support.cli import run_cli

LOCAL = "local:.assistants/local.db"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["create", "update", "delete", "noop", LOCAL]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=10)
CHANGE_KEYS = ["action", "key", "id", "fields", "before", "after", "body", "live_sha256",
               "source"]


@st.composite
def damaged_plans(draw: st.DrawFn) -> Any:
    # Mostly well-formed changes with one or two fields damaged, so that the damage reaches
    # the checks and the apply, not only the parser.
    change: dict[str, Any] = {
        "action": draw(st.sampled_from(["create", "update", "delete", "noop"])),
        "key": draw(st.sampled_from(["k", "", 5, None])), "id": draw(st.sampled_from(
            [None, "asst_missing", "", 7, "../x"])),
        "fields": draw(st.sampled_from([[], ["name"], "name", [1]])),
        "before": None, "after": None,
        "body": draw(st.sampled_from([None, {}, {"model": "m"}, {"name": 1}, "x", [1]])),
        "live_sha256": draw(st.sampled_from([None, "0" * 64, 3])), "source": None}
    for key in draw(st.sets(st.sampled_from(CHANGE_KEYS), max_size=2)):
        change[key] = draw(json_values)
    plan: dict[str, Any] = {"format_version": draw(st.sampled_from([1, 1, 2, "1", None])),
                            "endpoint": draw(st.sampled_from([LOCAL, LOCAL, "x", None])),
                            "owner": draw(st.sampled_from(["o", "", None, 3])),
                            "paths": draw(st.sampled_from([[], [], ["nowhere"], "x", None])),
                            "config_sha256": draw(st.sampled_from(["0" * 64, None])),
                            "changes": draw(st.sampled_from([[change], [change, change], {}, None,
                                                             "x"]))}
    for key in draw(st.sets(st.sampled_from(sorted(plan)))):
        if draw(st.booleans()):
            del plan[key]
        else:
            plan[key] = draw(json_values)
    return plan


@st.composite
def damaged_journals(draw: st.DrawFn) -> Any:
    entry = {k: draw(json_values) for k in draw(st.sets(st.sampled_from(
        [*CHANGE_KEYS, "ok", "error", "note", "result"])))}
    journal: dict[str, Any] = {"format_version": 1, "kind": "apply-journal",
                               "endpoint": draw(st.sampled_from([LOCAL, LOCAL, None, 5])),
                               "entries": draw(st.sampled_from([[entry], [entry, entry], None,
                                                                {}]))}
    for key in draw(st.sets(st.sampled_from(sorted(journal)))):
        if draw(st.booleans()):
            del journal[key]
        else:
            journal[key] = draw(json_values)
    return journal


def check(run, what: str) -> None:
    assert run.exit_code in (0, 1), run.output
    assert "Traceback" not in run.output, run.output
    if run.exit_code == 1:
        assert any(line.startswith("error: ") for line in run.stderr.splitlines()) or \
            "failed" in run.stdout, f"{what}: exit 1 without a message\n{run.output}"


def write(tmp: Path, name: str, value: Any) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    (tmp / name).write_bytes(data)
    return name


@settings(HARDENING, max_examples=120)
@given(damaged_plans() | json_values | st.binary(max_size=80))
def test_damaged_plan_files(tmp_path, plan):
    name = write(tmp_path, "plan.json", plan)
    check(run_cli(["apply", "--plan", name, "--local"], cwd=tmp_path), "apply --plan")


@settings(HARDENING, max_examples=120)
@given(damaged_journals() | json_values | st.binary(max_size=80))
def test_damaged_journals(tmp_path, journal):
    name = write(tmp_path, "journal.json", journal)
    check(run_cli(["rollback", name, "--out", "rollback.json", "--local"], cwd=tmp_path),
          "rollback")
