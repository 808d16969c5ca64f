"""Following the replica change log: what other processes changed, for this one's index.

With the store on PostgreSQL, several processes (bot replicas, `newsdesk ingest`, a poller)
write one archive, but each replica answers from its own local index. Every write
transaction that adds or removes passages also appends them to the ``changes`` table and
sends ``NOTIFY newsdesk_changes`` at its commit (``PgConnection.log_changes``).
``ChangeFollower`` runs in a replica: it replays the log from the position it saved in the
data dir (at start, and after every reconnect, so nothing is missed while it was down), then
waits on ``LISTEN`` for the next commit, polling every ``POLL_S`` as a safety net.

Commit order is id order: writers are serialised by the store's advisory lock, so an id
never becomes visible after a larger one, and a saved position never skips a change. The
follower skips the rows its own process logged (its index already has them) but moves past
them. Applying is idempotent (an add replaces, a remove ignores unknown ids), so a replay
after a crash between applying and saving the position is harmless.

The log keeps ``KEEP_S`` (a week); a replica whose position was pruned away rebuilds its
index from the store (``on_gap``) instead of replaying. Whether it was is checked once per
connection (at start and after a reconnect), not at every wake-up: a follower that stays
connected reads every change before the week is over.

Besides passages, the log carries ``story`` entries (an article moved between stories,
``index.store.stories``), for which a follower calls ``on_stories``: the processes' row
caches then keep stories until one changes instead of for one second.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.store.pg import CHANGES_CHANNEL, PgDatabase, scrub

logger = logging.getLogger(__name__)

#: Seconds between two reads of the log when no notification arrives (a lost one, or a
#: writer on an older version): bounds the propagation delay even without LISTEN.
POLL_S = 1.0
#: How long the log keeps a change (a replica down longer rebuilds its index at start), and
#: how often a follower prunes it (any replica may: the delete is idempotent).
KEEP_S = 7 * 24 * 3600.0
PRUNE_EVERY_S = 3600.0
#: Changes read per query while catching up.
BATCH = 5000
#: Backoff after the connection failed, doubling up to the maximum.
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0

ApplyChanges = Callable[[list[int], list[int]], None]


class ChangeFollower:
    """Applies other processes' changes to this process's index through ``apply``.

    Args:
        db: the PostgreSQL store (its ``origin`` marks this process's own rows).
        position_path: a file in the data dir holding the last change id applied; None
            for a follower that only keeps a cache current (it starts at the newest change
            and keeps its position in memory).
        apply: called with (passage ids removed, passage ids added), in log order.
        on_gap: called instead of replaying when the log was pruned past the position.
        on_stories: called when another process changed stories (``story`` entries).
    """

    def __init__(
        self,
        db: PgDatabase,
        position_path: Path | None,
        apply: ApplyChanges,
        on_gap: Callable[[], None],
        on_stories: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.position_path = position_path
        self._apply = apply
        self._on_gap = on_gap
        self._on_stories = on_stories
        self._check_gap = True  # at the next catch-up: once per connection
        self._next_prune = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.position = self._load_position()
        self.applied = 0

    def _load_position(self) -> int:
        if self.position_path is None:
            return self.latest_id()
        try:
            return int(self.position_path.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            return 0  # replaying from the start is safe (idempotent), only slower

    def _save_position(self) -> None:
        if self.position_path is None:
            return
        partial = self.position_path.with_name(self.position_path.name + ".partial")
        partial.write_text(str(self.position), encoding="ascii")
        os.replace(partial, self.position_path)

    def _pruned_past_position(self) -> bool:
        row = self.db.conn.execute("SELECT MIN(id) FROM changes").fetchone()
        oldest = row[0] if row else None
        if oldest is None:  # an empty log: pruned entirely if it ever went past us
            return self.latest_id() < self.position
        return int(oldest) > self.position + 1

    def latest_id(self) -> int:
        """The newest change logged so far (0 for none)."""
        row = self.db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM changes").fetchone()
        return int(row[0]) if row else 0

    def catch_up(self) -> int:
        """Apply every change logged after the saved position; returns how many applied."""
        applied = 0
        with self._lock:
            check_gap, self._check_gap = self._check_gap, False
            if check_gap and self.position and self._pruned_past_position():
                # Down longer than the log keeps changes (``KEEP_S``): replaying cannot
                # restore what was pruned, so the index is rebuilt from the store.
                logged = self.latest_id()
                logger.warning(
                    "the change log was pruned past this replica's position %d: rebuilding "
                    "the index from the store",
                    self.position,
                )
                self._on_gap()
                self.position = logged
                self._save_position()
            while True:
                rows = self.db.conn.execute(
                    "SELECT id, passage_id, op, origin FROM changes WHERE id > ? "
                    "ORDER BY id LIMIT ?",
                    (self.position, BATCH),
                ).fetchall()
                if not rows:
                    return applied
                last: dict[int, str] = {}  # passage id → its latest op in this batch
                stories = False
                for _, passage_id, op, origin in rows:
                    if origin == self.db.origin:
                        continue
                    if op == "story":
                        stories = True
                    else:
                        last.pop(int(passage_id), None)
                        last[int(passage_id)] = str(op)
                removes = [pid for pid, op in last.items() if op == "remove"]
                adds = [pid for pid, op in last.items() if op == "add"]
                if stories and self._on_stories is not None:
                    self._on_stories()
                if removes or adds:
                    self._apply(removes, adds)
                    applied += len(removes) + len(adds)
                    self.applied += len(removes) + len(adds)
                self.position = int(rows[-1][0])
                self._save_position()

    def start(self) -> None:
        """Catch up now, then follow in a daemon thread until ``stop``."""
        self.catch_up()
        self._thread = threading.Thread(target=self._run, name="newsdesk-changes", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stop.is_set():
            try:
                self._listen()
                delay = RETRY_FIRST_S
            except Exception as exc:  # the server restarted or the network failed
                if self._stop.is_set():
                    return
                reason = scrub(str(exc), self.db.url) or type(exc).__name__
                logger.warning("change log: %s; retrying in %.1f s", reason, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self.db.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANGES_CHANNEL}")
            self._check_gap = True
            self.catch_up()  # what was committed while we were not listening
            while not self._stop.is_set():
                self._wait(conn)
                self.catch_up()
                if time.monotonic() >= self._next_prune:
                    self._next_prune = time.monotonic() + PRUNE_EVERY_S
                    self.db.prune_replica_tables(keep_s=KEEP_S, now=time.time())

    @staticmethod
    def _wait(conn: Any) -> None:
        """Until a notification arrives or ``POLL_S`` passes."""
        started = time.monotonic()
        for _ in conn.notifies(timeout=POLL_S, stop_after=1):
            break
        # Drain a burst (one NOTIFY per ingest transaction) so one catch-up serves them all.
        if time.monotonic() - started < POLL_S:
            for _ in conn.notifies(timeout=0.02):
                pass
