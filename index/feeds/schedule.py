"""When a source is polled next: its interval with jitter, or exponential backoff on failure."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# A failing source waits interval × 2^failures, but never longer than this (or its own
# interval, if that is longer): six hours keeps a dead feed cheap yet noticed the same day.
MAX_BACKOFF_S = 6 * 3600
# ±10 % spreads sources registered together so they do not hit their hosts in lockstep.
JITTER_FRACTION = 0.1


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
