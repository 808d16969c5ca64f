"""The ``statements`` table: who said what in each stored article (issue 14).

Rows are written inside the article's save transaction (``ArticleStore.save``) and go with
the article through ``ON DELETE CASCADE``; ``rebuild`` rewrites them all (``reindex``). The
store does not import the extractor: it takes any object with the ``StatementLike`` fields,
so ``index.statements`` stays a layer above the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from index.store.db import Database

# SQL is built only from this module's column list and "?" marks; every value is bound, so
# S608 (string-built SQL) does not apply.
# ruff: noqa: S608


class StatementLike(Protocol):
    """The fields of a statement the store keeps (``index.statements.Statement``)."""

    speaker: str
    speaker_as_written: str
    speaker_key: str
    start: int
    end: int
    kind: str
    said_on: date | None
    date_source: str
    cue_start: int
    cue_end: int


@dataclass(frozen=True, slots=True)
class StoredStatement:
    """One stored statement; its text is ``article.body[start:end]``."""

    statement_id: int
    article_id: int
    speaker: str
    speaker_as_written: str
    speaker_key: str
    start: int
    end: int
    kind: str
    said_on: date | None
    date_source: str
    cue_start: int
    cue_end: int


_COLUMNS = (
    'id, article_id, speaker, speaker_as_written, speaker_key, start, "end", kind, said_on, '
    "date_source, cue_start, cue_end"
)


def write_statements(
    conn: sqlite3.Connection, article_id: int, statements: Iterable[StatementLike]
) -> None:
    """Replace an article's statements (inside the caller's transaction)."""
    conn.execute("DELETE FROM statements WHERE article_id=?", (article_id,))
    conn.executemany(
        "INSERT INTO statements (article_id, speaker, speaker_as_written, speaker_key, start,"
        ' "end", kind, said_on, date_source, cue_start, cue_end) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
        [
            (
                article_id,
                s.speaker,
                s.speaker_as_written,
                s.speaker_key,
                s.start,
                s.end,
                s.kind,
                s.said_on.isoformat() if s.said_on else None,
                s.date_source,
                s.cue_start,
                s.cue_end,
            )
            for s in statements
        ],
    )


def _row(row: Sequence[object]) -> StoredStatement:
    said = row[8]
    return StoredStatement(
        statement_id=int(row[0]),  # type: ignore[call-overload]
        article_id=int(row[1]),  # type: ignore[call-overload]
        speaker=str(row[2]),
        speaker_as_written=str(row[3]),
        speaker_key=str(row[4]),
        start=int(row[5]),  # type: ignore[call-overload]
        end=int(row[6]),  # type: ignore[call-overload]
        kind=str(row[7]),
        said_on=date.fromisoformat(str(said)) if said else None,
        date_source=str(row[9]),
        cue_start=int(row[10]),  # type: ignore[call-overload]
        cue_end=int(row[11]),  # type: ignore[call-overload]
    )


class StatementStore:
    """Reads of the statements table, and the full rebuild."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def by_speaker(
        self,
        keys: Sequence[str],
        *,
        since: date | None = None,
        until: date | None = None,
        days: Sequence[date] = (),
        month_days: Sequence[tuple[int, int]] = (),
        limit: int | None = None,
    ) -> list[StoredStatement]:
        """Statements whose speaker key is one of ``keys``, newest said_on first.

        ``days`` and ``month_days`` (any year) keep statements said on one of those days
        (either matches); ``limit`` caps the rows read, so a much-quoted speaker costs the
        same as a rare one (the ``statements_speaker`` index serves the order).
        """
        if not keys:
            return []
        sql = (
            f"SELECT {_COLUMNS} FROM statements WHERE speaker_key IN ({','.join('?' * len(keys))})"
        )
        params: list[object] = list(keys)
        if since is not None:
            sql += " AND said_on >= ?"
            params.append(since.isoformat())
        if until is not None:
            sql += " AND said_on <= ?"
            params.append(until.isoformat())
        if days or month_days:
            alternatives = []
            if days:
                alternatives.append(f"said_on IN ({','.join('?' * len(days))})")
                params.extend(d.isoformat() for d in days)
            if month_days:
                alternatives.append(
                    f"substr(said_on, 6, 5) IN ({','.join('?' * len(month_days))})"
                )
                params.extend(f"{m:02d}-{d:02d}" for m, d in month_days)
            sql += " AND (" + " OR ".join(alternatives) + ")"
        sql += " ORDER BY said_on DESC, article_id DESC, start"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_row(r) for r in self.db.conn.execute(sql, params)]

    def of_article(self, article_id: int) -> list[StoredStatement]:
        """An article's statements in body order."""
        return [
            _row(r)
            for r in self.db.conn.execute(
                f"SELECT {_COLUMNS} FROM statements WHERE article_id=? ORDER BY start",
                (article_id,),
            )
        ]

    def count(self) -> int:
        """How many statements are stored."""
        return int(self.db.conn.execute("SELECT COUNT(*) FROM statements").fetchone()[0])

    def rebuild(
        self,
        extract: Callable[[str, date | None], Sequence[StatementLike]],
        batch: int = 200,
    ) -> int:
        """Re-extract every article's statements, ``batch`` articles per transaction."""
        last, total = 0, 0
        while True:
            rows = self.db.conn.execute(
                "SELECT id, body, published_at FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return total
            with self.db.transaction() as conn:
                for article_id, body, published in rows:
                    day = datetime.fromisoformat(published).date() if published else None
                    found = extract(str(body), day)
                    write_statements(conn, int(article_id), found)
                    total += len(found)
            last = int(rows[-1][0])
