"""The SQLite connection: WAL mode, one connection per thread, explicit transactions.

``open_database`` picks the backend: a path is this SQLite store, a ``postgresql://`` URL is
``index.store.pg.PgDatabase``, which offers the same interface (``conn``, ``transaction``,
``snapshot``, ``max_id``, ``integrity_problems``, ``size_bytes``, ``close``), so the store
modules above never ask which one runs.

SQLite connections must not be shared between threads (``check_same_thread`` stays on), and
the bot answers questions from worker threads while an ingest runs in another, so each
thread lazily opens its own connection. WAL lets those readers proceed while one writer
commits; ``busy_timeout`` makes a second writer (another process) wait instead of failing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import StoreError
from index.store.schema import MIGRATIONS, Migration, migrate

if TYPE_CHECKING:
    from index.store.pg import PgDatabase

logger = logging.getLogger(__name__)

STORE_FILENAME = "newsdesk.sqlite3"
# How long a writer waits for another process's transaction before giving up. Ingest
# transactions are one article each (milliseconds), so 30 s only trips on a stuck process.
BUSY_TIMEOUT_MS = 30_000
# What to do when the store file is damaged (README, "Reliability").
RESTORE_HINT = (
    "stop the bot and run `newsdesk restore BACKUP` with your latest `newsdesk backup` "
    "(it keeps the damaged store aside and reindexes; README, 'Reliability')"
)


def _greatest(*values: object) -> object:
    """PostgreSQL's GREATEST (NULLs ignored), so store SQL can use one spelling on both."""
    present = [v for v in values if v is not None]
    return max(present) if present else None  # type: ignore[type-var]


def _least(*values: object) -> object:
    """PostgreSQL's LEAST (NULLs ignored)."""
    present = [v for v in values if v is not None]
    return min(present) if present else None  # type: ignore[type-var]


def open_database(
    location: Path | str, migrations: tuple[Migration, ...] = MIGRATIONS
) -> Database | PgDatabase:
    """The store at ``location``: a ``postgresql://`` URL, else a SQLite file path.

    Raises:
        StoreError: as ``Database`` and ``PgDatabase`` do (one line, never a password).
    """
    from index.store.pg import PgDatabase, is_postgres_url

    if is_postgres_url(location):
        return PgDatabase(str(location), migrations)
    return Database(Path(location), migrations)


class Database:
    """A store file with a connection per thread; migrations run once at open.

    Args:
        path: the SQLite file; its folder is created.
        migrations: the ordered migrations to apply (tests may pass their own).

    Raises:
        StoreError: the file is not a SQLite database or its schema is newer than ours.
    """

    backend = "sqlite"

    def __init__(self, path: Path, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
        self.path = path
        self.name = str(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data folder ({exc.strerror or type(exc).__name__})",
                item=str(path.parent),
            ) from None
        try:
            self.schema_version = migrate(self.conn, migrations, name=path.name)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(
                f"the store is not a readable SQLite database ({exc}): {RESTORE_HINT}",
                item=str(path),
            ) from None
        except StoreError:
            self.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError("the store is closed", item=str(self.path))
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode survives a killed process (not a power cut) and is much faster
            # than FULL for many small transactions.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.create_function("greatest", -1, _greatest, deterministic=True)
            conn.create_function("least", -1, _least, deterministic=True)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot open the store ({exc})", item=str(self.path)) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"the store is not a readable SQLite database ({exc}): {RESTORE_HINT}",
                item=str(self.path),
            ) from None
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together or not at all.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so two writers queue on
        ``busy_timeout`` instead of failing halfway with "database is locked".
        """
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk does that, and COMMIT itself
            # can fail there): a second ROLLBACK would hide the real error behind "no
            # transaction is active", and a transaction left open would break the next BEGIN.
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: a consistent view while other connections keep writing.

        Reentrant: inside an open transaction (a rebuild still reading, when its progress
        callback asks for statistics) it reads within that one.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def try_lead(self) -> bool:
        """Always: a SQLite store has one bot (pollers beside it share the host slots); with
        PostgreSQL, ``index.store.pg`` elects one process among the replicas."""
        return True

    def max_id(self, table: str) -> int:
        """The highest id AUTOINCREMENT has handed out in ``table`` (0 if none yet)."""
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
        found = row.fetchone()
        return int(found[0]) if found else 0

    def integrity_problems(self) -> list[str]:
        """SQLite's own page and index check (empty when sound)."""
        return [row[0] for row in self.conn.execute("PRAGMA integrity_check") if row[0] != "ok"]

    def size_bytes(self) -> int:
        """Bytes on disk of the store file and its WAL side files."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            part = self.path.with_name(self.path.name + suffix)
            if part.exists():
                total += part.stat().st_size
        return total

    def close(self) -> None:
        """Close every connection this object opened (each thread's, where allowed)."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except sqlite3.ProgrammingError:
                # Opened in another thread: SQLite refuses to close it from here; it closes
                # when that thread's local storage is collected.
                logger.debug("connection of another thread left to its owner")
        self._local = threading.local()
