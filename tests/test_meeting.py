"""`meeting.meet`: when the two ends of a listing together hold every assistant."""

from __future__ import annotations

import pytest

from assistants.meeting import MIN_TIE_OVERLAP, End, meet


def up(ids: str, *, ended: bool = False, last: object = 1) -> End:
    return End("asc", list(ids), ended, last)


def down(ids: str, *, ended: bool = False, last: object = 1) -> End:
    return End("desc", list(ids), ended, last)


def both_of(asc: End, desc: End) -> int:
    return len(set(asc.ids) & set(desc.ids))


@pytest.mark.parametrize(("asc", "desc", "complete", "problem"), [
    # Nothing read by both yet: read on.
    (up("abc"), down("zyx"), False, None),
    # The ascending end alone reached the last page: nothing else exists.
    (up("abc", ended=True), down(""), True, None),
    # Overlap agrees, created_at apart: complete even with one id in common.
    (up("abcd", last=5), down("zyxd", last=4), True, None),
    # Overlap agrees inside one second, too few ids to trust the tie order: read on.
    (up("abcd", last=4), down("zyxd", last=4), False, None),
    # created_at missing: the same.
    (up("abcd", last=None), down("zyxd", last=None), False, None),
    # Overlap in the wrong order: the orders are not reverses of each other.
    (up("abcde"), down("zyxde"), False, "disagree where they meet (d against e"),
    # A skipped item inside the overlap: the ascending end has `c`, the descending end not.
    (up("abcd"), down("zdb"), False, "disagree"),
    # An end that ended without ids the other listed.
    (up("abc", ended=True), down("zc"), False, "ascending listing ended without 1"),
    (up("ab"), down("cba", ended=True), True, None),
])
def test_meet(asc: End, desc: End, complete: bool, problem: str | None) -> None:
    verdict = meet(asc, desc, both_of(asc, desc))
    assert verdict.complete is complete
    if problem is None:
        assert verdict.problem is None
    else:
        assert verdict.problem is not None and problem in verdict.problem


def test_a_large_overlap_inside_one_second_is_trusted() -> None:
    ids = [f"i{n:03}" for n in range(100)]
    asc = End("asc", ids[:60], False, 7)
    desc = End("desc", ids[::-1][:60 - 20 + MIN_TIE_OVERLAP], False, 7)
    assert meet(asc, desc, both_of(asc, desc)).complete
    short = End("desc", ids[::-1][:40 + MIN_TIE_OVERLAP - 1], False, 7)
    assert not meet(asc, short, both_of(asc, short)).complete
