"""`python -m bench.kinds` at a small size: a plan over agents and assistants makes exactly the
list requests the two collections need from both ends, each collection's listing alone makes
the same, and the section is recorded between its markers (timings reported, never asserted:
the machine is shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import kinds
from bench.listing import BEGIN as LISTING_BEGIN
from bench.listing import END as LISTING_END
from bench.run import NOTES_BEGIN, NOTES_END, kept_sections


@pytest.mark.bench
def test_a_plan_of_both_kinds_lists_each_collection_from_both_ends(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = kinds.main(["--agents", "150", "--assistants", "150", "--latency-ms", "5",
                         "--reps", "1", "--startup-reps", "1", "--once",
                         "--workdir", str(tmp_path), "--out", str(out)])
    # 150 of each: the ascending end alone, then both ends once (they meet).
    assert (result["min_agent"], result["min_assistant"], result["requests_min"]) == (3, 3, 6)
    assert result["requests"] == {"all": 6, "agent": 3, "assistant": 3}
    assert kinds.met(result)["requests"]
    # Each collection alone, read as the plan reads it, and by a single cursor.
    assert (result["listing_agent_count"], result["listing_assistant_count"]) == (150, 150)
    assert (result["listing_agent_requests"], result["listing_assistant_requests"]) == (3, 3)
    assert (result["floor_agent_requests"], result["floor_assistant_requests"]) == (2, 2)
    assert result["both_requests"] == 6  # both at once on one client, as the plan reads them
    for name in ("plan", "listing_agent", "listing_assistant", "floor_agent",
                 "floor_assistant", "both", "make_plan", "load"):
        assert len(result[name]["runs"]) == 1 and result[name]["best"] > 0
    assert result["bound"]["best"] > result["startup"]["plan_one"]["best"] > 0
    report = (out / "kinds.md").read_text(encoding="utf-8")
    assert report.startswith(kinds.BEGIN) and report.rstrip().endswith(kinds.END)
    assert "plan of 150 agents and 150 assistants" in report
    assert "Where the plan's " in report
    assert "| list requests <= both collections from both ends | 6 / 6; 6 requests in all " \
           "(all list) | met |" in report


def test_records_keep_each_others_sections(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    results.write_text(f"# Benchmark results\n\n{NOTES_BEGIN}\nnotes\n{NOTES_END}\n\n"
                       f"{LISTING_BEGIN}\nlisting\n{LISTING_END}\n", encoding="utf-8")
    first = f"{kinds.BEGIN}\nfirst\n{kinds.END}\n"
    kinds.record_between(first, results, kinds.BEGIN, kinds.END)
    kinds.record_between(f"{kinds.BEGIN}\nsecond\n{kinds.END}\n", results, kinds.BEGIN,
                         kinds.END)
    text = results.read_text(encoding="utf-8")
    assert "second" in text and "first" not in text and text.count(kinds.BEGIN) == 1
    kept = kept_sections(results)  # what `bench.run --record` writes back
    for part in ("notes", "listing", "second"):
        assert part in kept
