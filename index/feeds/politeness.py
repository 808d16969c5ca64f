"""Per-host politeness: one request at a time per host, ``delay_s`` apart, in every process.

Feeds and their article pages usually share a host, and parallel workers may poll several
sources of one host, so every request takes its host's slot: it waits until ``delay_s`` has
passed since the previous request to that host *finished*, then holds the slot until its own
response is read. Counting from the finish (not from a reserved start time) keeps the gap
real even when a thread wakes late, for example while another thread holds the GIL in
trafilatura.

Another process on the same store (the bot beside ``newsdesk poll``) has its own threads, so
the throttle also reserves the host's slot in the store (``index.store.hosts.HostSlots``)
and waits for it. Between processes the gap counts from the start of the other request: a
finish time would need a second write per fetch, and start-to-start spacing already keeps
the rate at one request per ``delay_s``. The clocks and the sleep are injectable so tests
measure gaps without sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from index.feeds.urls import host_of
from index.store.hosts import HostSlots

logger = logging.getLogger(__name__)


class HostThrottle:
    """Serialises requests per host and spaces them by at least ``delay_s`` seconds.

    Args:
        delay_s: the gap between two requests to one host; 0 turns politeness off.
        clock: a monotonic clock for the gaps within this process.
        sleep: how to wait.
        shared: the store's host slots, shared with other processes; None keeps the
            politeness within this process.
        wall_clock: Unix time, the clock all processes agree on (for ``shared``).
    """

    def __init__(
        self,
        delay_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        shared: HostSlots | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.delay_s = delay_s
        self.shared = shared
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
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
            waited += self._wait_for_other_processes(host)
            try:
                yield waited
            finally:
                self._done_at[host] = self._clock()

    def _wait_for_other_processes(self, host: str) -> float:
        """Reserve the host's slot in the store and wait for it; returns the seconds waited."""
        if self.shared is None or self.delay_s <= 0:
            return 0.0
        now = self._wall_clock()
        start = self.shared.reserve(host, now=now, delay_s=self.delay_s)
        wait = start - now
        if wait <= 0:
            return 0.0
        logger.debug("host %s: waiting %.2f s for another poller's request", host, wait)
        self._sleep(wait)
        return wait
