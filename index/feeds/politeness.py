"""Per-host politeness: one request at a time per host, ``delay_s`` apart.

Feeds and their article pages usually share a host, and parallel workers may poll several
sources of one host, so every request takes its host's slot: it waits until ``delay_s`` has
passed since the previous request to that host *finished*, then holds the slot until its own
response is read. Counting from the finish (not from a reserved start time) keeps the gap
real even when a thread wakes late, for example while another thread holds the GIL in
trafilatura. The clock and the sleep are injectable so tests measure gaps without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from index.feeds.urls import host_of


class HostThrottle:
    """Serialises requests per host and spaces them by at least ``delay_s`` seconds."""

    def __init__(
        self,
        delay_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._sleep = sleep
        self._done_at: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, url: str) -> Iterator[float]:
        """Hold ``url``'s host for one request; yields the seconds waited for it."""
        host = host_of(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            waited = 0.0
            done_at = self._done_at.get(host)
            if done_at is not None:
                waited = max(0.0, done_at + self.delay_s - self._clock())
                if waited > 0:
                    self._sleep(waited)
            try:
                yield waited
            finally:
                self._done_at[host] = self._clock()
