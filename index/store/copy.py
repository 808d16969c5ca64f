"""``newsdesk migrate --to postgresql://…``: copy a SQLite store into PostgreSQL, verified.

Every table is copied with its ids, in foreign-key order, ``COPY_BATCH`` rows per
transaction, with ``ON CONFLICT DO NOTHING`` on each table's primary key: a copy that was
interrupted resumes, and a second run finds every row already there and inserts nothing.
Ids are kept so that the local search index built from the SQLite store (which names
passages by id) stays valid against the PostgreSQL copy, and so that re-runs can tell a row
already copied from a new one. Afterwards each identity sequence is moved past the highest
id, and every table's row count is compared with the source's: ``verified`` is false when a
table differs (the destination held other rows, or a writer was still adding to the source).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.errors import StoreError
from index.models import Progress
from index.store.db import Database
from index.store.pg import PgDatabase

COPY_BATCH = 2000
# Foreign-key order: a row's parents are copied before it. ``meta`` is merged separately.
TABLES: tuple[tuple[str, str], ...] = (
    ("stories", "id"),
    ("articles", "id"),
    ("passages", "id"),
    ("index_queue", "passage_id"),
    ("sources", "id"),
    ("seen_entries", "source_id, entry_key"),
    ("host_slots", "host"),
    ("topics", "id"),
    ("outbox", "id"),
    ("story_signatures", "article_id"),
    ("story_bands", "band, key, article_id"),
    ("statements", "id"),
)
# ``meta`` keys the destination keeps its own of (its schema is written by its migrations).
_OWN_META = ("schema_version",)


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table: rows in the source, rows newly inserted, rows in the destination after."""

    table: str
    source_rows: int
    inserted: int
    destination_rows: int


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What a copy did; ``verified`` when every table has as many rows as the source."""

    destination: str
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def verified(self) -> bool:
        return all(t.source_rows == t.destination_rows for t in self.tables)

    @property
    def inserted(self) -> int:
        return sum(t.inserted for t in self.tables)


def copy_store(
    source: Path, url: str, progress: Callable[[Progress], None] | None = None
) -> CopyReport:
    """Copy the SQLite store at ``source`` into the PostgreSQL database at ``url``.

    Raises:
        StoreError: the source is missing or unreadable, or the server unreachable or
            refusing us (one line, never the password).
    """
    if not source.is_file():
        raise StoreError("no SQLite store to copy", item=str(source))
    started = time.monotonic()
    src = Database(source)
    dest = PgDatabase(url)
    try:
        src_conn = src.conn
        totals = {
            table: int(src_conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
            for table, _ in TABLES
        }
        grand_total = sum(totals.values())
        done = 0
        copies: list[TableCopy] = []
        for table, key in TABLES:
            before = _count(dest, table)
            columns = [row[1] for row in src_conn.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in columns)
            insert = (
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) "  # noqa: S608
                f"ON CONFLICT ({key}) DO NOTHING"
            )
            cursor = src_conn.execute(f"SELECT {names} FROM {table} ORDER BY {key}")  # noqa: S608
            while rows := cursor.fetchmany(COPY_BATCH):
                with dest.transaction() as conn:
                    conn.executemany(insert, rows)
                done += len(rows)
                if progress is not None:
                    progress(
                        Progress(table, done, grand_total, "rows", time.monotonic() - started)
                    )
            after = _count(dest, table)
            copies.append(TableCopy(table, totals[table], after - before, after))
        _merge_meta(src_conn, dest)
        dest.sync_sequences()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the copy stopped ({exc})", item=dest.name) from None
    finally:
        src.close()
        dest.close()
    return CopyReport(dest.name, tuple(copies), time.monotonic() - started)


def _count(db: PgDatabase, table: str) -> int:
    return int(db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608


def _merge_meta(src_conn: sqlite3.Connection, dest: PgDatabase) -> None:
    """The source's marks (alerts matched, topics version) win: they describe its rows."""
    rows = [
        (key, value)
        for key, value in src_conn.execute("SELECT key, value FROM meta ORDER BY key")
        if key not in _OWN_META
    ]
    with dest.transaction() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rows,
        )
