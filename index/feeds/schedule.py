"""When a source is polled next: its interval with jitter, or backoff on failure.

A failure backs off exponentially, unless the server said how long to wait: a 429 or 503
with Retry-After (RFC 9110 §10.2.3) is honoured instead, since the server knows better than
our guess when it will take requests again.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from index.errors import HttpStatusError

# A failing source waits interval × 2^failures, but never longer than this (or its own
# interval, if that is longer): six hours keeps a dead feed cheap yet noticed the same day.
MAX_BACKOFF_S = 6 * 3600
# ±10 % spreads sources registered together so they do not hit their hosts in lockstep.
JITTER_FRACTION = 0.1
# The statuses whose Retry-After means "come back then" (429 Too Many Requests, 503 Service
# Unavailable); on a redirect it means something else, on other errors nothing.
RETRY_AFTER_STATUSES = (429, 503)
# A Retry-After is honoured up to a day: a server asking for longer is misconfigured or
# gone for good, and a daily attempt keeps the source's failure visible.
MAX_RETRY_AFTER_S = 24 * 3600
_DELTA_SECONDS = re.compile(r"[0-9]+")


def backoff_delay_s(interval_s: float, failures: int) -> float:
    """Seconds to wait after the ``failures``-th consecutive failure (failures ≥ 1).

    Doubles with each failure: 2×, 4×, 8× the interval, capped at ``MAX_BACKOFF_S``.
    """
    cap = max(float(MAX_BACKOFF_S), float(interval_s))
    return min(interval_s * 2.0 ** max(failures, 1), cap)


def next_poll_at(
    now: datetime,
    interval_s: float,
    *,
    failures: int = 0,
    rng: random.Random | None = None,
    jitter: float = JITTER_FRACTION,
) -> datetime:
    """The next poll time: ``now`` plus the interval (or backoff), jittered by ±``jitter``."""
    delay = backoff_delay_s(interval_s, failures) if failures > 0 else float(interval_s)
    if jitter > 0:
        delay *= 1.0 + (rng or random).uniform(-jitter, jitter)
    return now + timedelta(seconds=delay)


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks to wait, capped at ``MAX_RETRY_AFTER_S``.

    Args:
        value: the header: delta-seconds ("120") or an HTTP-date
            ("Wed, 21 Oct 2026 07:28:00 GMT").
        now: the current time, for an HTTP-date.

    Returns:
        The wait in seconds (0 for a date already past), or None when the header is missing
        or garbled, so that the caller falls back to its backoff.
    """
    text = (value or "").strip()
    if not text:
        return None
    if _DELTA_SECONDS.fullmatch(text):
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000": UTC with no claim about local time
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER_S))


def requested_wait_s(error: Exception, now: datetime) -> float | None:
    """The wait a failed fetch's server asked for: a 429/503 with a readable Retry-After."""
    if not isinstance(error, HttpStatusError) or error.status not in RETRY_AFTER_STATUSES:
        return None
    return retry_after_s(error.retry_after, now)


def retry_poll_at(now: datetime, interval_s: float, wait_s: float) -> datetime:
    """The next poll after a server asked to wait ``wait_s``: then, or one interval on.

    Never sooner than the source's own interval: a short Retry-After must not make a
    failing source polled more often than a working one.
    """
    return now + timedelta(seconds=max(wait_s, float(interval_s)))
