"""Fault injection for the embedded API: latency, 500s before or after the work, 429s, and
the listing dialects of other servers (a cursor that skips items, no `order=desc`), and the
defaults dialect of saved agents (`agent_defaults`: a name in `agent_rules.DIALECTS`).

`only_query` aims the 429s and 500s at the requests whose query string holds it (say
`order=desc`: one end of a listing); the others are never failed and draw nothing.

Every decision comes from one `random.Random(seed)` drawn a fixed number of times per request,
so the same request sequence against the same seed fails at the same places.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from enum import Enum

from assistants.local.agent_rules import DIALECTS


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    fail_rate: float = 0.0
    fail_after_rate: float = 0.0
    rate_limit_every: int = 0
    retry_after_ms: int = 1000
    seed: int | None = None
    only_query: str | None = None
    skip_paging: bool = False
    reject_desc: bool = False
    agent_defaults: str = "published"

    def __post_init__(self) -> None:
        if self.agent_defaults not in DIALECTS:
            raise ValueError(f"agent_defaults must be one of {', '.join(DIALECTS)}, "
                             f"not {self.agent_defaults!r}")

    @property
    def retry_after_seconds(self) -> int:
        """`Retry-After` is whole seconds, rounded up so a client never retries too early."""
        return math.ceil(self.retry_after_ms / 1000)


class Verdict(Enum):
    PASS = "pass"
    RATE_LIMIT = "rate_limit"  # answer 429 without doing anything
    FAIL_BEFORE = "fail_before"  # answer 500 without doing anything
    FAIL_AFTER = "fail_after"  # do the work, then answer 500


WRITE_METHODS = frozenset({"POST", "DELETE"})


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, faults: Faults):
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._count = 0
        self._lock = threading.Lock()

    def decide(self, method: str, query: str = "") -> Verdict:
        f = self.faults
        if f.only_query is not None and f.only_query not in query:
            return Verdict.PASS
        with self._lock:
            self._count += 1
            # Two draws per request whatever the outcome, so one fault never shifts the others.
            fail_draw, after_draw = self._rng.random(), self._rng.random()
            count = self._count
        if f.rate_limit_every > 0 and count % f.rate_limit_every == 0:
            return Verdict.RATE_LIMIT
        if fail_draw < f.fail_rate:
            return Verdict.FAIL_BEFORE
        if method.upper() in WRITE_METHODS and after_draw < f.fail_after_rate:
            return Verdict.FAIL_AFTER
        return Verdict.PASS
