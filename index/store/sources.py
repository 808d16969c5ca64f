"""Sources and seen feed entries in SQL (tables of schema migrations 2 and 4).

Telegram channels allowed as sources are rows too, with kind ``telegram``: they are never
due (``due`` and ``pollable`` leave them out), because Telegram pushes their posts.

A source row carries its polling record (validators for conditional GET, last success and
error, consecutive failures, next poll) so that polling resumes where it left off after a
restart; so does a wait the server asked for (``retry_after_until``). ``seen_entries``
remembers every entry whose page was fetched, keyed by source and GUID (or canonical URL),
with a fingerprint of the fields whose change means "updated".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from index.errors import NotFoundError, SourceError
from index.models import Lang, Source, SourceKind, SourceStatus
from index.store.articles import from_utc_text, to_utc_text
from index.store.db import Database

CHANNEL_KIND = "telegram"  # index.channels.CHANNEL_KIND (the store sits below that stage)
_POLLED = "COALESCE(kind, '') != 'telegram'"
_SOURCE_COLUMNS = (
    "id, name, url, outlet, interval_s, added_at, language, kind, last_polled_at, "
    "last_success_at, last_error, failures, articles_ingested, next_poll_at, retry_after_until"
)


def _ts(value: datetime | None) -> str | None:
    """The store's UTC text, fixed width: sources compare times as text in SQL."""
    return to_utc_text(value, fixed_width=True)


def _refuse_registered(conn: sqlite3.Connection, name: str, url: str) -> None:
    """Raise SourceError when a source (feed or channel) already has this name or URL."""
    for column, value in (("name", name), ("url", url)):
        row = conn.execute(
            f"SELECT name FROM sources WHERE {column} = ?",  # noqa: S608 - fixed names
            (value,),
        ).fetchone()
        if row is not None:
            raise SourceError(f"already registered as source {row[0]!r}", item=value)


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """What is remembered of an entry: its fingerprint, article and failed page fetches."""

    source_id: int
    entry_key: str
    url: str
    fingerprint: str
    article_id: int | None
    failures: int


@dataclass(frozen=True, slots=True)
class Validators:
    """The HTTP validators of a source's last 200 response, for a conditional GET."""

    etag: str | None
    last_modified: str | None


class SourceStore:
    """The ``sources`` and ``seen_entries`` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- sources ----------------------------------------------------------------------------

    def add(
        self,
        *,
        name: str,
        url: str,
        outlet: str,
        interval_s: int,
        language: Lang | None = None,
        now: datetime | None = None,
    ) -> Source:
        """Register a source, due at once.

        Raises:
            SourceError: the name or the URL is already registered.
        """
        now = now or datetime.now(UTC)
        with self.db.transaction() as conn:
            _refuse_registered(conn, name, url)
            cur = conn.execute(
                "INSERT INTO sources (name, url, outlet, interval_s, added_at, language, "
                "next_poll_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (name, url, outlet, interval_s, _ts(now), language, _ts(now)),
            )
            source_id = int(cur.fetchone()[0])
        return self.get(source_id).source

    def get(self, source_id: int) -> SourceStatus:
        """One source with its record; raises NotFoundError."""
        row = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id = ?",  # noqa: S608 - fixed columns
            (source_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError("no such source", item=str(source_id))
        return _status(row)

    def by_name(self, name: str) -> SourceStatus:
        """One source by its name; raises NotFoundError."""
        row = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE name = ?",  # noqa: S608 - fixed columns
            (name,),
        ).fetchone()
        if row is None:
            raise NotFoundError("no source with this name", item=name)
        return _status(row)

    def list_all(self) -> list[SourceStatus]:
        """Every source, in the order they were added."""
        rows = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY id"  # noqa: S608 - fixed columns
        ).fetchall()
        return [_status(row) for row in rows]

    def names(self) -> set[str]:
        """Every registered name (to pick a free default name)."""
        return {row[0] for row in self.db.conn.execute("SELECT name FROM sources")}

    def remove(self, name: str) -> Source:
        """Delete a source and what was seen of it (its articles stay); raises NotFoundError."""
        status = self.by_name(name)
        source_id = status.source.source_id
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM seen_entries WHERE source_id = ?", (source_id,))
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return status.source

    def due(self, now: datetime) -> list[SourceStatus]:
        """Polled sources whose next poll time has come, the most overdue first."""
        rows = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources "  # noqa: S608 - fixed columns
            f"WHERE {_POLLED} AND (next_poll_at IS NULL OR next_poll_at <= ?) "
            "ORDER BY next_poll_at, id",
            (_ts(now),),
        ).fetchall()
        return [_status(row) for row in rows]

    def pollable(self) -> list[SourceStatus]:
        """Every source that is polled (feeds and sitemaps, not Telegram channels)."""
        rows = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE {_POLLED} ORDER BY id"  # noqa: S608
        ).fetchall()
        return [_status(row) for row in rows]

    # -- Telegram channels (index/channels.py) ------------------------------------------------

    def add_channel(self, *, name: str, url: str, outlet: str, now: datetime) -> Source:
        """Allow a Telegram channel: a source row of kind ``telegram`` that is never due.

        Raises:
            SourceError: the name or the URL is already registered.
        """
        with self.db.transaction() as conn:
            _refuse_registered(conn, name, url)
            cur = conn.execute(
                "INSERT INTO sources (name, url, outlet, interval_s, added_at, kind) "
                "VALUES (?, ?, ?, 0, ?, ?) RETURNING id",
                (name, url, outlet, _ts(now), CHANNEL_KIND),
            )
            source_id = int(cur.fetchone()[0])
        return self.get(source_id).source

    def channel_by_urls(self, urls: Sequence[str]) -> SourceStatus | None:
        """The allowed channel stored under one of ``urls`` (by username or by id), or None."""
        if not urls:
            return None
        marks = ", ".join("?" for _ in urls)
        row = self.db.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources "  # noqa: S608 - fixed columns and marks
            f"WHERE kind = ? AND url IN ({marks}) ORDER BY id LIMIT 1",
            (CHANNEL_KIND, *urls),
        ).fetchone()
        return _status(row) if row else None

    def record_channel_post(
        self, source_id: int, *, now: datetime, outlet: str | None, ingested: int
    ) -> None:
        """A post of an allowed channel was stored: count it, learn the channel's title."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_success_at = ?, articles_ingested = articles_ingested "
                "+ ?, outlet = COALESCE(?, outlet) WHERE id = ?",
                (_ts(now), ingested, outlet, source_id),
            )

    def next_due_at(self) -> datetime | None:
        """When the next source falls due (None when there are no sources)."""
        row = self.db.conn.execute("SELECT MIN(next_poll_at) FROM sources").fetchone()
        return from_utc_text(row[0]) if row else None

    def validators(self, source_id: int) -> Validators:
        """The ETag and Last-Modified of the source's last successful fetch."""
        row = self.db.conn.execute(
            "SELECT etag, last_modified FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return Validators(*row) if row else Validators(None, None)

    def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        kind: SourceKind | None,
        validators: Validators | None,
        ingested: int,
    ) -> None:
        """A poll that fetched (or got 304 for) the source: clear the error, count articles.

        ``validators`` None keeps the stored ones (a 304 repeats none of them reliably).
        """
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_polled_at = ?, last_success_at = ?, last_error = NULL, "
                "failures = 0, articles_ingested = articles_ingested + ?, next_poll_at = ?, "
                "retry_after_until = NULL, kind = COALESCE(?, kind) WHERE id = ?",
                (_ts(now), _ts(now), ingested, _ts(next_poll_at), kind, source_id),
            )
            if validators is not None:
                conn.execute(
                    "UPDATE sources SET etag = ?, last_modified = ? WHERE id = ?",
                    (validators.etag, validators.last_modified, source_id),
                )

    def record_failure(
        self,
        source_id: int,
        *,
        now: datetime,
        error: str,
        failures: int,
        next_poll_at: datetime,
        retry_after_until: datetime | None = None,
    ) -> None:
        """A poll that failed: keep the error, the next poll time and any server-asked wait."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_polled_at = ?, last_error = ?, failures = ?, "
                "next_poll_at = ?, retry_after_until = ? WHERE id = ?",
                (
                    _ts(now),
                    error,
                    failures,
                    _ts(next_poll_at),
                    _ts(retry_after_until),
                    source_id,
                ),
            )

    def set_outlet(self, source_id: int, outlet: str) -> None:
        """Replace a source's outlet label (a defaulted label learns the feed's own title)."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE sources SET outlet = ? WHERE id = ?", (outlet, source_id))

    def reschedule(self, source_id: int, next_poll_at: datetime) -> None:
        """Set the next poll time (``poll --all`` and ``/poll`` make every source due)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE sources SET next_poll_at = ? WHERE id = ?",
                (_ts(next_poll_at), source_id),
            )

    # -- seen entries -----------------------------------------------------------------------

    def seen(self, source_id: int, entry_key: str) -> SeenEntry | None:
        """The entry as remembered for this source, or None."""
        row = self.db.conn.execute(
            "SELECT source_id, entry_key, url, fingerprint, article_id, failures "
            "FROM seen_entries WHERE source_id = ? AND entry_key = ?",
            (source_id, entry_key),
        ).fetchone()
        return SeenEntry(*row) if row else None

    def article_for_url(self, url: str) -> int | None:
        """The stored article with this canonical URL, from any source or a manual ingest."""
        row = self.db.conn.execute(
            "SELECT article_id FROM seen_entries WHERE url = ? AND article_id IS NOT NULL "
            "UNION ALL SELECT id FROM articles WHERE url = ? LIMIT 1",
            (url, url),
        ).fetchone()
        return int(row[0]) if row else None

    def mark_seen(
        self,
        source_id: int,
        *,
        entry_key: str,
        url: str,
        fingerprint: str,
        article_id: int | None,
        now: datetime,
    ) -> None:
        """Remember an entry as handled (its page ingested, or unchanged)."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO seen_entries (source_id, entry_key, url, fingerprint, article_id, "
                "failures, last_error, first_seen_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?) "
                "ON CONFLICT (source_id, entry_key) DO UPDATE SET url = excluded.url, "
                "fingerprint = excluded.fingerprint, "
                "article_id = COALESCE(excluded.article_id, seen_entries.article_id), "
                "failures = 0, "
                "last_error = NULL, last_seen_at = excluded.last_seen_at",
                (source_id, entry_key, url, fingerprint, article_id, _ts(now), _ts(now)),
            )

    def mark_failed(
        self,
        source_id: int,
        *,
        entry_key: str,
        url: str,
        fingerprint: str,
        error: str,
        now: datetime,
    ) -> int:
        """Count a failed page fetch or extraction; returns the entry's failures so far."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO seen_entries (source_id, entry_key, url, fingerprint, article_id, "
                "failures, last_error, first_seen_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, NULL, 1, ?, ?, ?) "
                "ON CONFLICT (source_id, entry_key) DO UPDATE SET "
                "fingerprint = excluded.fingerprint, failures = seen_entries.failures + 1, "
                "last_error = excluded.last_error, last_seen_at = excluded.last_seen_at",
                (source_id, entry_key, url, fingerprint, error, _ts(now), _ts(now)),
            )
            row = conn.execute(
                "SELECT failures FROM seen_entries WHERE source_id = ? AND entry_key = ?",
                (source_id, entry_key),
            ).fetchone()
        return int(row[0])

    def count_seen(self, source_id: int) -> int:
        """How many entries of a source are remembered."""
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM seen_entries WHERE source_id = ?", (source_id,)
        ).fetchone()
        return int(row[0])


def _status(row: sqlite3.Row | tuple[object, ...]) -> SourceStatus:
    (
        source_id,
        name,
        url,
        outlet,
        interval_s,
        added_at,
        language,
        kind,
        last_polled_at,
        last_success_at,
        last_error,
        failures,
        articles_ingested,
        next_poll_at,
        retry_after_until,
    ) = row
    source = Source(
        source_id=int(source_id),  # type: ignore[arg-type]
        name=str(name),
        url=str(url),
        outlet=str(outlet),
        interval_s=int(interval_s),  # type: ignore[arg-type]
        added_at=from_utc_text(added_at),  # type: ignore[arg-type]
        language=language,  # type: ignore[arg-type]
    )
    return SourceStatus(
        source=source,
        kind=kind,  # type: ignore[arg-type]
        last_polled_at=from_utc_text(last_polled_at),  # type: ignore[arg-type]
        last_success_at=from_utc_text(last_success_at),  # type: ignore[arg-type]
        last_error=last_error,  # type: ignore[arg-type]
        failures=int(failures),  # type: ignore[arg-type]
        articles_ingested=int(articles_ingested),  # type: ignore[arg-type]
        next_poll_at=from_utc_text(next_poll_at),  # type: ignore[arg-type]
        retry_after_until=from_utc_text(retry_after_until),  # type: ignore[arg-type]
    )
