"""Where the two ends of a listing meet, and whether their union is then complete (pure).

`order=asc` reads a prefix of the server's total order, `order=desc` a prefix of its reverse.
Once they overlap, the union is every assistant, provided the overlap agrees: the last `k`
ids the ascending end read are, reversed, the last `k` the descending end read, `k` being how
many ids both read. Anything else (a skipped or repeated item, two orders that are not
reverses of each other) is an inconsistency, and the caller reads both ends to the end.

Ties: a server sorting by whole-second `created_at` may break ties one way ascending and
another way descending. The two ends can then meet inside one second with a small overlap
that happens to agree while an assistant of that second lies beyond both ends. So a meeting
is trusted when the ends' last `created_at` are apart (every second is then covered by one
end), or when at least `MIN_TIE_OVERLAP` ids agree (two different tie orders agree on so many
by chance with odds below 1 in 3 million); otherwise another page is read from each end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_TIE_OVERLAP = 10


@dataclass(frozen=True)
class End:
    """What one end of the listing has read: its ids in its order, whether the server said
    it was the last page, and the `created_at` of its last item (any JSON value)."""

    order: str
    ids: Sequence[str]
    ended: bool
    last_created: Any = None


@dataclass(frozen=True)
class Verdict:
    complete: bool
    problem: str | None = None  # an inconsistency: read both ends to the end


OPEN = Verdict(False)
COMPLETE = Verdict(True)


def meet(asc: End, desc: End, both: int) -> Verdict:
    """Whether `asc` and `desc`, of which `both` ids were read by both, together hold every
    assistant; or why they cannot be trusted to."""
    if both:
        mine, theirs = list(asc.ids[-both:]), list(desc.ids[-both:])[::-1]
        if mine != theirs:
            at = next(i for i, (a, d) in enumerate(zip(mine, theirs, strict=True)) if a != d)
            return Verdict(False, f"the ascending and descending orders disagree where they "
                           f"meet ({mine[at]} against {theirs[at]}, {both} assistants read "
                           f"by both)")
    for done, other in ((asc, desc), (desc, asc)):
        if done.ended and both < len(other.ids):
            return Verdict(False, f"the {done.order}ending listing ended without "
                           f"{len(other.ids) - both} assistants the {other.order}ending one "
                           f"listed")
    if asc.ended or desc.ended:
        return COMPLETE
    if not both:
        return OPEN
    if both >= MIN_TIE_OVERLAP or _apart(asc.last_created, desc.last_created):
        return COMPLETE
    return OPEN


def _apart(newest_asc: Any, oldest_desc: Any) -> bool:
    """Whether the ascending end stopped in a later second than the descending one."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool)
                  for v in (newest_asc, oldest_desc))
    return numbers and newest_asc > oldest_desc
