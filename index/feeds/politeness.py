"""Per-host politeness: at least ``delay_s`` between two requests to the same host.

Feeds and their article pages usually share a host, so the poller waits here before every
request. The clock and the sleep are injectable so tests measure gaps without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from index.feeds.urls import host_of


class HostThrottle:
    """Spaces requests to one host by at least ``delay_s`` seconds (thread-safe)."""

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
        self._next_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> float:
        """Block until a request to ``url``'s host is allowed; returns the seconds waited.

        The slot is reserved before sleeping, so two threads polling the same host queue
        one ``delay_s`` apart instead of both waking at once.
        """
        host = host_of(url)
        with self._lock:
            now = self._clock()
            at = max(now, self._next_at.get(host, now))
            self._next_at[host] = at + self.delay_s
        waited = at - now
        if waited > 0:
            self._sleep(waited)
        return waited
