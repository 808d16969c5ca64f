"""Per-host politeness shared by every process on the store: the ``host_slots`` table.

The bot and a ``newsdesk poll`` run from cron are separate processes; an in-memory throttle
in each would let both hit one host back to back. So each request first *reserves* its
host's next slot in SQLite: one statement reads the host's "not before" time, moves it one
delay past the slot it hands out, and returns that slot. SQLite's write lock makes the
reservation atomic across processes, and a crashed process leaves at most one delay behind.
"""

from __future__ import annotations

from index.store.db import Database

# A stored time further ahead than this is not other pollers queueing (each is one delay
# ahead of the last) but a wall clock that jumped back or a bogus row: waiting for it would
# stall polling for good, so a slot is never more than this far away.
MAX_HOST_WAIT_S = 300.0


class HostSlots:
    """The ``host_slots`` table (schema migration 4): each host's next free request slot."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def reserve(self, host: str, *, now: float, delay_s: float) -> float:
        """Take ``host``'s next request slot; returns when it starts (Unix seconds).

        The slot is ``now`` when the host is free, otherwise the stored "not before" time
        (at most ``MAX_HOST_WAIT_S`` ahead); the next slot is then ``delay_s`` after it.
        One write transaction of one statement: cheap enough for every fetch.

        Args:
            host: the politeness key (``index.feeds.urls.host_of``).
            now: the current Unix time in seconds (wall clock, shared by processes).
            delay_s: the spacing between two requests to the host.
        """
        with self.db.transaction() as conn:
            rows = conn.execute(
                "INSERT INTO host_slots (host, not_before) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET "
                "not_before = LEAST(GREATEST(host_slots.not_before, ?), ?) + ? "
                "RETURNING not_before",
                (host, now + delay_s, now, now + MAX_HOST_WAIT_S, delay_s),
            ).fetchall()
        return float(rows[0][0]) - delay_s

    def not_before(self, host: str) -> float | None:
        """The time before which the host's next request may not start (None: never used)."""
        row = self.db.conn.execute(
            "SELECT not_before FROM host_slots WHERE host = ?", (host,)
        ).fetchone()
        return float(row[0]) if row else None
