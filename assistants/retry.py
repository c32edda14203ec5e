"""When to retry and how long to wait: a bounded, jittered exponential backoff that defers to the
server's own `retry-after-ms` / `Retry-After`, and to `x-should-retry`."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses worth another attempt for an idempotent request (as the official SDK does).
RETRYABLE_STATUSES = frozenset({408, 409, 429})
# For `create`, only an answer that says "not processed" is safe to repeat blindly.
CREATE_RETRYABLE_STATUSES = frozenset({429})


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts every attempt, the first included. Delays are in seconds."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    jitter: float = 0.25  # each backoff is shortened by up to this fraction, at random

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Delay before retry number `retry` (1 for the first retry) without server guidance."""
        base = min(self.backoff_max, self.backoff_base * (2.0 ** max(0, retry - 1)))
        r = rng.random() if rng is not None else random.random()
        return max(0.0, base * (1.0 - self.jitter * r))

    def delay(self, retry: int, headers: Mapping[str, str] | None, rng: random.Random | None = None) -> float:
        """The server's requested wait (capped by `retry_after_max`) or else our backoff."""
        asked = retry_after_seconds(headers) if headers is not None else None
        if asked is not None:
            return min(asked, self.retry_after_max)
        return self.backoff(retry, rng)


class RetryBudget:
    """Retries shared by the requests of one listing. Its two ends are one listing: a server
    failing both at once gets no more retries in a row than one cursor would give it. Each
    request keeps its own `max_attempts` too; an answer refills the budget."""

    def __init__(self, retries: int) -> None:
        self.retries = max(0, retries)
        self._left = self.retries

    def spend(self) -> bool:
        """Take one retry; False when none is left."""
        if self._left <= 0:
            return False
        self._left -= 1
        return True

    def refill(self) -> None:
        self._left = self.retries


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """`retry-after-ms` first, then `Retry-After` as seconds or an HTTP date; None if absent/bad."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = -1.0
        if ms >= 0 and ms == ms and ms != float("inf"):
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
        return max(0.0, seconds)
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        return None
    return seconds


def server_says(headers: Mapping[str, str]) -> bool | None:
    """`x-should-retry: true|false`, or None when the server said nothing."""
    value = (headers.get("x-should-retry") or "").strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def status_is_retryable(status: int, headers: Mapping[str, str], *, idempotent: bool) -> bool:
    """Whether an error answer may be repeated. `x-should-retry: false` always wins; `true` is
    trusted only for idempotent requests (a create must not be repeated on a proxy's word)."""
    said = server_says(headers)
    if said is False:
        return False
    if not idempotent:
        return status in CREATE_RETRYABLE_STATUSES
    if said is True:
        return True
    return status in RETRYABLE_STATUSES or status >= 500
