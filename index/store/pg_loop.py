"""A replica's per-question statements sent from the bot's event loop (issue 15).

Every chat question costs a replica two statements on the shared store: the flood check
before answering and the button state after (``PgDatabase.flood_check``, ``put_shared``).
Through the pool they run in a thread (``asyncio.to_thread``), and the hop to the thread and
back cost the bot process more CPU than the statement itself. Measured from an event loop
against a loopback server on the shared 2-core machine (load average ~8), 500 flood checks
in a row, three rounds: a bare ``execute`` on a connection of the loop's thread 127-177 µs of
CPU, the same through ``asyncio.to_thread`` 380-477 µs, on an ``AsyncConnection`` 285-362 µs;
and ``Archive.flood_check`` through ``asyncio.to_thread``, as the bot ran it, 469-539 µs
(``docs/postgres.md``, "Bot CPU per update, fourth round"). So the bot process sends these two
statements over one ``psycopg.AsyncConnection`` of its own, on its event loop: no thread
and no pool checkout, and the loop serves other updates while the server answers.

The pool path stays the authority on faults: whenever this connection cannot serve a call
(not connected yet, busy with another question's statement, broken, or the store marked
down by the pool), the call goes through the pool in a thread exactly as before, with its
retries, its fast failure while the server is down and its ``StoreError``. After a failure
here the loop connection is given up for ``RECONNECT_AFTER_S``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from index.store.pg import CONNECT_TIMEOUT_S, FLOOD_SQL, PUT_SHARED_SQL, flood_params

if TYPE_CHECKING:
    from index.store.pg import PgDatabase

logger = logging.getLogger(__name__)

# After a statement or a connect failed on the loop connection, calls take the pool's thread
# path for this long before a new loop connection is tried.
RECONNECT_AFTER_S = 30.0


class LoopStatements:
    """The flood check and the button-state write over one ``AsyncConnection``.

    Each method returns what the pool's method returns, or raises what it raises
    (``StoreError`` when the store cannot be reached); which path served the call is not
    visible to the caller. The connection belongs to the event loop that made it: a call
    from another loop (tests run one loop per test) starts a new one.
    """

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._conn: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = False
        self._retry_at = 0.0

    async def flood_check(self, user_id: int, *, max_events: int, window_s: float) -> str:
        """``PgDatabase.flood_check`` of this question (now)."""
        now = time.time()
        params = flood_params(user_id, now=now, max_events=max_events, window_s=window_s)
        row = await self._fetch_one(FLOOD_SQL, params)
        if row is not None:
            return str(row[0])
        return await asyncio.to_thread(
            self._db.flood_check, user_id, now=now, max_events=max_events, window_s=window_s
        )

    async def put_shared(self, key: str, value: str, *, ttl_s: float) -> None:
        """``PgDatabase.put_shared`` of ``value`` under ``key`` for ``ttl_s`` seconds."""
        now = time.time()
        if await self._fetch_one(PUT_SHARED_SQL, (now, key, value, now + ttl_s)) is not None:
            return
        await asyncio.to_thread(self._db.put_shared, key, value, now=now, ttl_s=ttl_s)

    async def _fetch_one(self, sql: str, params: Any) -> tuple[Any, ...] | None:
        """The statement's first row (``()`` when it returns none) sent on the loop
        connection, or None when that connection cannot serve it (then nothing was run, or
        what was sent failed: the caller takes the pool's path)."""
        import psycopg

        if self._busy or self._db.is_down():
            return None
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self.close()
        if self._conn is None and time.monotonic() < self._retry_at:
            return None
        self._busy = True
        try:
            if self._conn is None:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._db.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
                self._loop = loop
            cursor = await self._conn.execute(sql, params)
            row = await cursor.fetchone() if cursor.description else None
            return tuple(row) if row is not None else ()
        except psycopg.Error as exc:
            logger.info(
                "the event loop's store connection failed (%s); the pool serves for %g s",
                type(exc).__name__,
                RECONNECT_AFTER_S,
            )
            self.close()
            self._retry_at = time.monotonic() + RECONNECT_AFTER_S
            return None
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            self.close()
            raise
        finally:
            self._busy = False

    def close(self) -> None:
        """Close the loop connection (from any thread; nothing must be in flight on it)."""
        conn, self._conn, self._loop = self._conn, None, None
        if conn is not None and not conn.closed:
            conn.pgconn.finish()  # what ``AsyncConnection.close`` does, without a loop
