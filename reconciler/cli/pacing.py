"""How long a run waits between retries and before settling its creates: the real defaults,
unless the test-only variable `ASSISTANTS_TEST_NO_WAIT` is set.

TEST-ONLY: the test suite sets `ASSISTANTS_TEST_NO_WAIT=1` for the commands it runs, so that a
retried request waits at most 10 ms (whatever `Retry-After` asks) and `apply` does not wait the
1.1 s before settling races with another apply (`Applier.settle_seconds`). The number of
attempts is unchanged. Never set it for real use: a server that asks for a pause is then
hammered, and two applies of one config at the same time may leave two assistants for a key.
This is the one place that reads it; tests that call Python directly pass a `RetryPolicy` to
the client and `settle_seconds` to the `Applier` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assistants.retry import RetryPolicy

NO_WAIT_VARIABLE = "ASSISTANTS_TEST_NO_WAIT"
NO_WAIT_RETRY = RetryPolicy(backoff_base=0.001, backoff_max=0.01, retry_after_max=0.01)


@dataclass(frozen=True)
class Pacing:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    settle_seconds: float | None = None  # None: the Applier's own (SETTLE_SECONDS)


def pacing(env: Mapping[str, str]) -> Pacing:
    """The real waits, or the test suite's (see the module docstring)."""
    if env.get(NO_WAIT_VARIABLE):
        return Pacing(NO_WAIT_RETRY, 0.0)
    return Pacing()
