"""`python -m bench.fleet` at a small size: the fleet and the files load to the same assistants
(the script asserts it) and both timings are reported (never asserted: the machine is shared)."""

from __future__ import annotations

import pytest

from bench import fleet


@pytest.mark.bench
def test_the_fleet_and_the_files_load_alike_and_both_are_timed(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = fleet.main(["--size", "60", "--reps", "1"])
    assert set(result) == {"fleet_s", "files_s"} and all(v > 0 for v in result.values())
    assert "N = 60: fleet (1 template + CSV)" in capsys.readouterr().out
