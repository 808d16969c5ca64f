"""The PostgreSQL store: the same ``Database`` interface as ``index.store.db``, over psycopg 3.

Why an adapter and not a second set of store modules: every store module (articles, sources,
hosts, topics, stories, statements) speaks to a ``conn`` with sqlite3's small surface
(``execute`` returning rows, ``executemany``, ``rowcount``, ``in_transaction``) and to the
``Database`` methods ``transaction``, ``snapshot``, ``conn``. This class offers exactly that
over a psycopg connection pool, and ``index.store.dialect`` rewrites each statement's
spelling, so the store modules, the stages above them and the numbered migrations in
``index.store.schema`` are one code for both backends.

Semantics kept from SQLite, on purpose:

- **One writer at a time.** SQLite's ``BEGIN IMMEDIATE`` serialises writers, and the store
  modules rely on it (read-then-write in ``host_slots``, the topic limit, upsert by URL). A
  write transaction here takes ``pg_advisory_xact_lock(WRITE_LOCK)`` first, so two processes
  saving the same URL at once still make one article, as on SQLite.
- **Snapshots.** ``snapshot()`` is ``REPEATABLE READ``: a reindex reads one consistent view.
- **Errors.** The store modules and the CLI catch ``sqlite3``'s DB-API classes. psycopg's
  errors are re-raised as subclasses of those (``PgOperationalError`` and friends, with the
  original as ``__cause__``), so one ``except`` serves both backends.
- **No password in any output.** Every message that names the server uses ``redact(url)``.

Connections: outside a transaction each statement borrows a pooled connection (autocommit)
for its own duration, rows fetched before it goes back; a transaction holds one connection
for the thread until it ends, and ``db.conn`` inside it is that connection. A statement, or
the start of a transaction, that meets a connection the server dropped (a restart) is sent
again on a fresh one (``RETRY_DELAYS_S``).

What only replicas need lives here too, in tables this module creates idempotently rather
than in the shared migrations (SQLite processes share one index and one bot): the change log
each write transaction appends to (``changes``, followed by ``index.store.changes``), the
lead lock (``try_lead``: one replica polls feeds and sends alerts), and the button state and
flood windows the replicas share (``shared_state``, ``flood``).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from index.errors import StoreError, StoreUnavailableError
from index.store.dialect import postgres_ddl, postgres_query
from index.store.schema import MIGRATIONS, Migration, newest_version, refuse_newer

logger = logging.getLogger(__name__)

# Advisory lock keys (any bigint; these spell "newsdesk" and "nd-migr" in ASCII).
WRITE_LOCK = 0x6E65_7773_6465_736B
MIGRATE_LOCK = 0x6E64_2D6D_6967_72
# Held (session-level) by the one process that polls feeds and sends alerts ("nd-lead").
LEAD_LOCK = 0x6E64_2D6C_6561_64
CONNECT_TIMEOUT_S = 5
# Waits before sending a statement again after the connection was lost (a server restart):
# about 6 s in all, then the error reaches the caller.
RETRY_DELAYS_S = (0.0, 0.25, 0.5, 1.0, 2.0, 2.0)
# A read tries a fresh connection once (the pool's were cut by a restart), then gives up.
READ_RETRY_DELAYS_S = (0.0,)
POOL_MAX = 8
# Rows per round trip when a snapshot streams a SELECT (``_Streamed``).
STREAM_BATCH = 2000
# A user's flood window row is dropped after this long without a question.
FLOOD_IDLE_S = 24 * 3600.0
# How long a statement waits for a pooled connection (all busy, or the server down).
POOL_TIMEOUT_S = 10.0
# How long a read waits for a connection while the server is known to be down (the last
# statement failed to reach it; the pool reconnects in the background): questions go on from
# the local index and the row cache.
DOWN_BORROW_S = 0.2
# Each table with an ``id`` identity column (migrations via ``dialect``): their sequences are
# moved past the highest id after rows were inserted with explicit ids (migration 6, copy).
IDENTITY_TABLES = ("articles", "passages", "sources", "topics", "outbox", "stories", "statements")
_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: object) -> bool:
    """Whether a store location is a PostgreSQL URL (anything else is a SQLite path)."""
    return isinstance(location, str) and location.startswith(_SCHEMES)


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (safe for messages and logs)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://***"
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(message: str, url: str) -> str:
    """One line of a driver message, with the URL's password removed if it appears."""
    line = " ".join(str(message).split())
    with suppress(ValueError):
        password = urlsplit(url).password
        if password:
            line = line.replace(password, "***")
    return line


class PgOperationalError(sqlite3.OperationalError):
    """The server is unreachable, restarting, or refused us (sqlite3's class, for callers)."""

    store_unreachable = True  # ``index.errors.is_store_unavailable``


class PgIntegrityError(sqlite3.IntegrityError):
    """A constraint was violated."""


class PgDatabaseError(sqlite3.DatabaseError):
    """Any other server-side error."""


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """Re-raise psycopg and pool errors as the sqlite3 classes the store modules catch."""
    import psycopg
    import psycopg_pool

    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise PgIntegrityError(scrub(str(exc), url)) from exc
    except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
        raise PgOperationalError(scrub(str(exc), url)) from exc
    except psycopg.Error as exc:
        raise PgDatabaseError(scrub(str(exc), url)) from exc


@contextmanager
def _as_store_error() -> Iterator[None]:
    """A failed statement as a ``StoreError`` (for callers above the store, e.g. the bot):
    ``StoreUnavailableError`` when the server could not be reached."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StoreUnavailableError(f"the store cannot be reached right now ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the store cannot be used right now ({exc})") from None


class PgResult:
    """The rows of one statement, fetched at once (the connection may go back to the pool)."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self._rows = rows
        self._pos = 0
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        chunk = self._rows[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk

    def fetchall(self) -> list[tuple[Any, ...]]:
        rest = self._rows[self._pos :]
        self._pos = len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row


def _params(params: Sequence[Any] | Iterable[Any]) -> tuple[Any, ...]:
    # Booleans go in as 0/1 like sqlite3 stores them (the columns are integers).
    return tuple(int(p) if isinstance(p, bool) else p for p in params)


class PgConnection:
    """What store code calls ``conn``: sqlite3's ``execute``/``executemany`` on PostgreSQL."""

    def __init__(self, db: PgDatabase, held: Any | None, *, stream: bool = False) -> None:
        self._db = db
        self._held = held
        # In a snapshot, SELECTs stream through a server-side cursor: a reindex reads every
        # passage, which would not fit in memory at once (``iter_index_rows`` reads batches).
        self._stream = stream
        self.streams: list[_Streamed] = []  # closed when the snapshot ends

    def log_changes(self, passage_ids: Sequence[int], op: str) -> None:
        """Append to the replica change log, inside this write transaction, and notify
        listeners at its commit (``index.store.changes``). ``op`` is ``add`` or ``remove``
        for passages, ``story`` when articles changed story (``passage_ids`` is then ``[0]``)."""
        if not passage_ids:
            return
        origin = self._db.origin
        self.executemany(
            "INSERT INTO changes (passage_id, op, origin) VALUES (?, ?, ?)",
            [(pid, op, origin) for pid in passage_ids],
        )
        self.execute("SELECT pg_notify(?, '')", (CHANGES_CHANNEL,))

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return (
            self._held is not None and self._held.info.transaction_status != TransactionStatus.IDLE
        )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgResult:
        query = postgres_query(sql)
        values = _params(params)
        with _translated(self._db.url):
            if self._held is not None and self._stream and _is_select(query):
                streamed = _Streamed(self._held, query, values, self._db.url)
                self.streams.append(streamed)
                return streamed  # type: ignore[return-value]
            if self._held is not None:
                return _run(self._held, query, values)
            return _retrying(
                self._db,
                lambda timeout: self._db.pool.connection(timeout=timeout),
                lambda c: _run(c, query, values),
                patient=not _is_select(query),
            )

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgResult:
        query = postgres_query(sql)
        rows = [_params(p) for p in seq]
        if not rows:
            return PgResult([], 0)
        with _translated(self._db.url):
            if self._held is not None:
                return _run_many(self._held, query, rows)
            with self._db.pool.connection() as conn:
                return _run_many(conn, query, rows)


def _retrying(
    db: PgDatabase, borrow: Callable[[float], Any], work: Callable[[Any], Any], *, patient: bool
) -> Any:
    """``work`` on a borrowed connection, again on a fresh one if the server dropped it.

    After a server restart every pooled connection is dead, and the pool only finds out when
    one is used (then discards it). A statement outside a transaction is a read or a
    single-statement write, safe to send again, and so is the start of a transaction.

    ``patient`` work (writes) waits for the server with backoff (``RETRY_DELAYS_S``, about
    6 s in all) before the error reaches the caller. Reads are not patient: while the
    server is known to be down (``PgDatabase.is_down``) they wait ``DOWN_BORROW_S`` for a
    connection instead of ``POOL_TIMEOUT_S``, so a question answered from the local index
    and the row cache is not held up by a server that is not there.
    """
    import psycopg
    import psycopg_pool

    delays = RETRY_DELAYS_S if patient else READ_RETRY_DELAYS_S
    if not patient and db.is_down():
        delays = ()
    for delay in (*delays, None):
        timeout = DOWN_BORROW_S if db.is_down() and not patient else POOL_TIMEOUT_S
        if patient and db.is_down():
            timeout = max(delay or 0.0, DOWN_BORROW_S)
        try:
            with borrow(timeout) as conn:
                result = work(conn)
            db.mark_up()
            return result
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout):
            db.mark_down()
            if delay is None:
                raise
            logger.info("the PostgreSQL connection was lost; retrying in %.1f s", delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def _is_select(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT"


class _Streamed:
    """A SELECT read through a server-side cursor, ``STREAM_BATCH`` rows per round trip."""

    def __init__(self, conn: Any, query: str, values: tuple[Any, ...], url: str) -> None:
        self._url = url
        self._cursor = conn.cursor(name=f"newsdesk_{uuid.uuid4().hex[:12]}")
        self._cursor.itersize = STREAM_BATCH
        self._cursor.execute(query, values)
        self.rowcount = -1

    def fetchone(self) -> tuple[Any, ...] | None:
        with _translated(self._url):
            return self._cursor.fetchone()  # type: ignore[no-any-return]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        with _translated(self._url):
            return self._cursor.fetchmany(size)  # type: ignore[no-any-return]

    def fetchall(self) -> list[tuple[Any, ...]]:
        with _translated(self._url):
            return self._cursor.fetchall()  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        with _translated(self._url):
            yield from self._cursor

    def close(self) -> None:
        with suppress(Exception):
            self._cursor.close()


def _run(conn: Any, query: str, values: tuple[Any, ...]) -> PgResult:
    cur = conn.execute(query, values)
    rows = cur.fetchall() if cur.description else []
    return PgResult(rows, cur.rowcount)


def _run_many(conn: Any, query: str, rows: list[tuple[Any, ...]]) -> PgResult:
    with conn.cursor() as cur:
        cur.executemany(query, rows)
        return PgResult([], cur.rowcount)


class _Borrowed:
    """A pool checkout that stays out on success (the caller returns it with ``_returned``)
    and goes back to the pool on failure, where the pool discards a broken connection."""

    def __init__(self, pool: Any, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout
        self._conn: Any = None

    def __enter__(self) -> Any:
        self._conn = self._pool.getconn(timeout=self._timeout)
        return self._conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self._pool.putconn(self._conn)


@contextmanager
def _returned(pool: Any, conn: Any) -> Iterator[None]:
    try:
        yield
    finally:
        pool.putconn(conn)


class PgDatabase:
    """A newsdesk store in a PostgreSQL database; migrations run once at open.

    Args:
        url: ``postgresql://user:password@host:port/dbname``.
        migrations: the ordered migrations to apply (tests may pass their own).

    Raises:
        StoreError: the server is unreachable or refused us (one line, no password), or the
            schema is newer than ours, or a migration failed.
    """

    backend = "postgresql"

    def __init__(self, url: str, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.name = redact(url)
        # Tags this process's change-log rows, so its own follower skips what it indexed.
        self.origin = uuid.uuid4().hex
        self._local = threading.local()
        self._lead_guard = threading.Lock()
        self._lead_conn: Any | None = None
        self._down_at: float | None = None
        try:
            first = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to the PostgreSQL store {self.name} ({scrub(str(exc), url)})"
            ) from None
        try:
            self.schema_version = migrate_postgres(first, migrations, name=self.name, url=url)
        finally:
            first.close()
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            open=True,
            name="newsdesk",
            num_workers=1,
            timeout=POOL_TIMEOUT_S,
        )

    def mark_down(self) -> None:
        """The server could not be reached just now (reads fail fast until one succeeds)."""
        if self._down_at is None:
            logger.warning("the PostgreSQL store %s cannot be reached", self.name)
        self._down_at = time.monotonic()

    def mark_up(self) -> None:
        if self._down_at is not None:
            logger.warning("the PostgreSQL store %s is reachable again", self.name)
            self._down_at = None

    def is_down(self) -> bool:
        """Whether the last statement failed to reach the server."""
        return self._down_at is not None

    @property
    def conn(self) -> PgConnection:
        """This thread's transaction connection, or one that borrows per statement."""
        return PgConnection(self, getattr(self._local, "held", None))

    def _begin(self, begin: str, lock: tuple[int, ...], *, patient: bool = True) -> Any:
        """A pooled connection with ``begin`` run (retried on a dropped connection).

        Write transactions are ``patient`` (they wait for the server with backoff); a read
        snapshot is not, so a question answered from the local index is not held up.
        """

        def start(conn: Any) -> Any:
            conn.execute(begin)
            for key in lock:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            return conn

        def borrow(timeout: float) -> Any:
            return _Borrowed(self.pool, timeout)

        return _retrying(self, borrow, start, patient=patient)

    @contextmanager
    def _holding(
        self, begin: str, *lock: int, stream: bool = False, patient: bool = True
    ) -> Iterator[PgConnection]:
        from psycopg.pq import TransactionStatus

        with _translated(self.url):
            raw = self._begin(begin, lock, patient=patient)
        with _translated(self.url), _returned(self.pool, raw):
            self._local.held = raw
            conn = PgConnection(self, raw, stream=stream)
            try:
                yield conn
                for streamed in conn.streams:
                    streamed.close()
                raw.execute("COMMIT")
            except BaseException:
                for streamed in conn.streams:
                    streamed.close()
                if raw.info.transaction_status != TransactionStatus.IDLE:
                    with suppress(Exception):
                        raw.execute("ROLLBACK")
                raise
            finally:
                self._local.held = None

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """A write transaction, serialised with every other writer (see the module doc)."""
        with self._holding("BEGIN", WRITE_LOCK) as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[PgConnection]:
        """A read transaction with one consistent view; reentrant inside a transaction."""
        held = getattr(self._local, "held", None)
        if held is not None:
            yield PgConnection(self, held)
            return
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        with self._holding(begin, stream=True, patient=False) as conn:
            yield conn

    def read_together(
        self, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """The rows of several SELECTs sent in one round trip (psycopg's pipeline mode).

        Why: on this store a question's cost is mostly round trips, and the reads of one
        question often go together (passages and their articles, articles and their
        passages: ``ArticleStore``). Inside a transaction they run one after another on it.
        """
        queries = [(postgres_query(sql), _params(params)) for sql, params in statements]
        held = getattr(self._local, "held", None)
        with _translated(self.url):
            if held is not None:
                return [_run(held, query, values)._rows for query, values in queries]

            def run(conn: Any) -> list[list[tuple[Any, ...]]]:
                with conn.pipeline():
                    cursors = [conn.execute(query, values) for query, values in queries]
                return [cur.fetchall() for cur in cursors]

            return _retrying(  # type: ignore[no-any-return]
                self, lambda timeout: self.pool.connection(timeout=timeout), run, patient=False
            )

    def try_lead(self) -> bool:
        """Whether this process is (now) the one that polls feeds and sends alerts.

        The first caller to take ``LEAD_LOCK`` holds it on a connection of its own for as
        long as the process lives; when it dies (or its connection does), PostgreSQL frees
        the lock and the next caller anywhere takes it. Never raises: a server that cannot
        be reached means "not the leader now".
        """
        import psycopg

        with self._lead_guard:
            try:
                if self._lead_conn is not None:
                    self._lead_conn.execute("SELECT 1")  # still holding it?
                    return True
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LEAD_LOCK,)).fetchone()
                if row and row[0]:
                    self._lead_conn = conn
                    logger.info("this process now polls feeds and sends alerts (lead lock)")
                    return True
                conn.close()
                return False
            except psycopg.Error as exc:
                logger.warning("lead lock: %s", scrub(str(exc), self.url))
                if self._lead_conn is not None:
                    with suppress(Exception):
                        self._lead_conn.close()
                    self._lead_conn = None
                return False

    def prune_replica_tables(self, *, keep_s: float, now: float) -> None:
        """Drop change-log rows older than ``keep_s``, expired shared state and idle users'
        flood windows (``index.store.changes`` calls it hourly)."""
        with _as_store_error():
            self.conn.execute(
                "DELETE FROM changes WHERE logged_at < now() - make_interval(secs => ?)",
                (keep_s,),
            )
            self.conn.execute("DELETE FROM shared_state WHERE expires_at <= ?", (now,))
            self.conn.execute(
                "DELETE FROM flood WHERE warned_until < ? AND "
                "(cardinality(times) = 0 OR times[cardinality(times)] < ?)",
                (now - FLOOD_IDLE_S, now - FLOOD_IDLE_S),
            )

    def put_shared(self, key: str, value: str, *, now: float, ttl_s: float) -> None:
        """Keep ``value`` under ``key`` for ``ttl_s`` seconds, for every process (one
        statement, no write lock: keys are random and unique)."""
        with _as_store_error(), _translated(self.url):
            _retrying(
                self,
                lambda timeout: self.pool.connection(timeout=timeout),
                lambda conn: conn.execute(PUT_SHARED_SQL, (now, key, value, now + ttl_s)),
                patient=True,
            )

    def flood_check(self, user_id: int, *, now: float, max_events: int, window_s: float) -> str:
        """One question of ``user_id`` through the shared flood guard: ``allow``, ``warn`` or
        ``drop``, with ``bot.guards.FloodGuard``'s rule (a sliding window, warned once).

        One statement, so one round trip (``FLOOD_SQL``): the upsert locks the user's row
        for the read-modify-write, not the store's write lock, so a question never waits
        for an ingest, and two replicas checking one user at once take turns.
        """
        params = flood_params(user_id, now=now, max_events=max_events, window_s=window_s)

        def decide(conn: Any) -> str:
            row = conn.execute(FLOOD_SQL, params).fetchone()
            return str(row[0])

        with _as_store_error(), _translated(self.url):
            return str(
                _retrying(
                    self,
                    lambda timeout: self.pool.connection(timeout=timeout),
                    decide,
                    patient=False,
                )
            )

    def get_shared(self, key: str, *, now: float) -> str | None:
        """The value under ``key``, None when unknown or expired."""
        with _as_store_error():
            row = self.conn.execute(
                "SELECT value FROM shared_state WHERE key = ? AND expires_at > ?", (key, now)
            ).fetchone()
        return str(row[0]) if row else None

    def max_id(self, table: str) -> int:
        """The highest id the table's identity sequence has handed out (0 if none)."""
        row = self.conn.execute(
            "SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() "
            "AND sequencename = ?",
            (f"{table}_id_seq",),
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def integrity_problems(self) -> list[str]:
        """PostgreSQL checks its own pages (checksums, WAL); nothing to add here."""
        return []

    def size_bytes(self) -> int:
        """Bytes the database takes on the server."""
        row = self.conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0

    def sync_sequences(self) -> None:
        """Move each identity sequence past the table's highest id (after explicit ids)."""
        with self.transaction() as conn:
            for table in IDENTITY_TABLES:
                conn.execute(_sync_sql(table))

    def close(self) -> None:
        """Close the pool and its connections (and give up the lead lock, if held)."""
        lead = getattr(self, "_lead_conn", None)
        if lead is not None:
            with suppress(Exception):
                lead.close()
            self._lead_conn = None
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.close()


def _sync_sql(table: str) -> str:
    if not re.fullmatch(r"[a-z_]+", table):
        raise ValueError(table)
    return (
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
        f"GREATEST(COALESCE(MAX(id), 0), 1), MAX(id) IS NOT NULL) FROM {table}"
    )


_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
#: The replica change log (``index.store.changes``): every passage added to or removed from the
#: store, in commit order, so that each replica's local index can follow. Replication state of
#: PostgreSQL deployments only (SQLite processes share one index on disk), so it is created
#: here, idempotently, rather than as a numbered migration both backends would carry.
_CHANGES_DDL = (
    "CREATE TABLE IF NOT EXISTS changes ("
    "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "passage_id BIGINT NOT NULL, "
    "op TEXT NOT NULL CONSTRAINT changes_op_check CHECK (op IN ('add', 'remove', 'story')), "
    "origin TEXT NOT NULL, "
    "logged_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)
#: Short-lived state the replicas of one bot share (button state: a button sent by one
#: replica is pressed on another); expired rows are dropped as new ones are written.
_SHARED_DDL = (
    "CREATE UNLOGGED TABLE IF NOT EXISTS shared_state ("
    "key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)"
)
#: The flood guard's sliding window per user, shared by the replicas (``flood_check``);
#: ``verdict`` is the decision the last question got, which the upsert returns.
_FLOOD_DDL = (
    "CREATE UNLOGGED TABLE IF NOT EXISTS flood ("
    "user_id BIGINT PRIMARY KEY, times DOUBLE PRECISION[] NOT NULL, "
    "warned_until DOUBLE PRECISION NOT NULL)"
)
_FLOOD_VERDICT_DDL = (
    "ALTER TABLE flood ADD COLUMN IF NOT EXISTS verdict TEXT NOT NULL DEFAULT 'allow'"
)
#: Tables of ephemeral state, created UNLOGGED: their writes skip the WAL (about half of a
#: replica's writes per question). The price, acceptable for both: a server crash empties
#: them (buttons older than the crash get the polite "expired" answer, flood windows start
#: afresh), and streaming replicas do not carry them.
EPHEMERAL_TABLES = ("shared_state", "flood")
#: One question through the shared flood guard in one statement. Every expression of the
#: ``DO UPDATE`` reads the row as it was (``f``): ``kept`` is its window without the times
#: that slid out, and the verdict follows ``bot.guards.FloodGuard.check``: room in the
#: window → allow and record; full and already warned → drop; full → warn once, until the
#: oldest time in the window slides out. A new user's first question is allowed.
_KEPT = (
    "ARRAY(SELECT t FROM unnest(f.times) WITH ORDINALITY AS w(t, i) "
    "WHERE t > %(since)s ORDER BY i)"
)
FLOOD_SQL = (
    "INSERT INTO flood AS f (user_id, times, warned_until, verdict) "  # noqa: S608 - constants
    "VALUES (%(user)s, ARRAY[%(now)s]::double precision[], 0, 'allow') "
    "ON CONFLICT (user_id) DO UPDATE SET "
    f"times = CASE WHEN cardinality({_KEPT}) < %(max)s "
    f"THEN {_KEPT} || %(now)s::double precision ELSE {_KEPT} END, "
    f"warned_until = CASE WHEN cardinality({_KEPT}) < %(max)s OR f.warned_until > %(now)s "
    f"THEN f.warned_until ELSE ({_KEPT})[1] + %(window)s END, "
    f"verdict = CASE WHEN cardinality({_KEPT}) < %(max)s THEN 'allow' "
    "WHEN f.warned_until > %(now)s THEN 'drop' ELSE 'warn' END "
    "RETURNING verdict"
)
#: One button state kept for every replica (``put_shared``); expired rows go as it runs.
PUT_SHARED_SQL = (
    "WITH gone AS (DELETE FROM shared_state WHERE expires_at <= %s) "
    "INSERT INTO shared_state (key, value, expires_at) VALUES (%s, %s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
)


def flood_params(user_id: int, *, now: float, max_events: int, window_s: float) -> dict[str, Any]:
    """``FLOOD_SQL``'s parameters for one question of ``user_id`` at ``now``."""
    return {
        "user": user_id,
        "now": now,
        "since": now - window_s,
        "window": window_s,
        "max": max_events,
    }


#: The LISTEN/NOTIFY channel a write transaction that logged changes notifies at commit.
CHANGES_CHANNEL = "newsdesk_changes"


def migrate_postgres(
    conn: Any, migrations: tuple[Migration, ...] = MIGRATIONS, *, name: str = "", url: str = ""
) -> int:
    """``schema.migrate`` for PostgreSQL: the same migrations, each in its own transaction.

    A session advisory lock (``MIGRATE_LOCK``) lets one process migrate while the others
    opening the same database wait, then find the work done.
    """
    newest = newest_version(migrations)
    with _translated(url):
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            conn.execute(_META_DDL)
            version = _version(conn)
            refuse_newer(version, newest, name)
            for migration in migrations:
                if migration.version <= version:
                    continue
                try:
                    with conn.transaction():
                        for statement in migration.statements:
                            conn.execute(postgres_ddl(statement), ())
                        conn.execute(
                            "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            (str(migration.version),),
                        )
                        if migration.version == 6:
                            conn.execute(_sync_sql("stories"), ())
                except Exception as exc:
                    import psycopg

                    if not isinstance(exc, psycopg.Error):
                        raise
                    raise StoreError(
                        f"could not upgrade the store to schema {migration.version} "
                        f"({migration.description}): {scrub(str(exc), url)}",
                        item=name or None,
                    ) from None
                logger.info("store migrated to schema %s (%s)", migration.version, name)
                version = migration.version
            conn.execute(_CHANGES_DDL)
            _allow_story_changes(conn)
            conn.execute(_SHARED_DDL)
            conn.execute(_FLOOD_DDL)
            conn.execute(_FLOOD_VERDICT_DDL)
            _make_unlogged(conn, EPHEMERAL_TABLES)
            conn.execute(
                "CREATE INDEX IF NOT EXISTS shared_state_expires ON shared_state (expires_at)"
            )
            return max(version, _version(conn))
        finally:
            with suppress(Exception):
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))


def _allow_story_changes(conn: Any) -> None:
    """Let a change log made before ``story`` entries existed take them (older newsdesk).

    Checked first, like ``_make_unlogged``: the ``ALTER`` locks the log that every replica
    is following.
    """
    row = conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'changes'::regclass AND contype = 'c' AND conname = 'changes_op_check'"
    ).fetchone()
    if row is not None and "story" in row[0]:
        return
    with conn.transaction():
        conn.execute("ALTER TABLE changes DROP CONSTRAINT IF EXISTS changes_op_check")
        conn.execute(
            "ALTER TABLE changes ADD CONSTRAINT changes_op_check "
            "CHECK (op IN ('add', 'remove', 'story'))"
        )


def _make_unlogged(conn: Any, tables: tuple[str, ...]) -> None:
    """Switch tables created before they were UNLOGGED (older newsdesk) to UNLOGGED.

    Checked first: ``ALTER TABLE`` takes an exclusive lock even when there is nothing to do,
    and every replica's start passes here while the others use these tables.
    """
    rows = conn.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relpersistence = 'p' "
        "AND relnamespace = current_schema()::regnamespace AND relname = ANY(%s)",
        (list(tables),),
    ).fetchall()
    for (table,) in rows:
        if table in tables:  # names from our own tuple, never from input
            conn.execute(f"ALTER TABLE {table} SET UNLOGGED")
            logger.info("store table %s is now UNLOGGED (ephemeral replica state)", table)


def _version(conn: Any) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0
