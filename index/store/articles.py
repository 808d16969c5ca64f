"""Articles and passages in SQL: upsert by URL or content hash, reads, delete, statistics.

Identity rules (issue 2): an article with a URL is identified by that URL, so re-ingesting it
updates the row in place (same id, passages replaced); an article without one is identified
by its content hash, so the same text ingested twice is stored once. Each save is one
transaction holding the article and all its passages: a killed process leaves an article
either complete or absent, never without passages.
"""

# SQL text here is built only from the column constants below and "?" placeholders; every value
# is bound, so S608 (string-built SQL) does not apply.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from index.errors import (
    DiskFullError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    is_disk_full,
    is_store_unavailable,
)
from index.models import (
    Article,
    ArticleSummary,
    ExtractedArticle,
    Outcome,
    Passage,
    PassageSpan,
)
from index.store.db import Database
from index.store.row_cache import RowCache
from index.store.statements import StatementLike, write_statements

logger = logging.getLogger(__name__)

_ARTICLE_COLUMNS = (
    "id, url, source, title, author, published_at, language, body, content_hash, ingested_at"
)
_SUMMARY_COLUMNS = "id, title, url, source, author, published_at, language"
# The fields of ``Passage`` in order (``_passage`` passes a row positionally).
_PASSAGE_COLUMNS = 'id, article_id, ordinal, text, start, "end", kind'
_NEWEST_FIRST = "ORDER BY published_at IS NULL, published_at DESC, ingested_at DESC, id DESC"
# SQLite's default limit on bound parameters is 999 in old builds; stay under it.
# Reads that return several rows say ORDER BY: SQLite returns rowid order unasked, PostgreSQL
# returns heap order, and callers (the alert matcher's first match per story) see the order.
_MAX_PARAMS = 900
_Row = TypeVar("_Row", Article, ArticleSummary, Passage)
# Passages read with each article when a row cache is on (PostgreSQL): a question reads the
# lead and the ranked passages of the articles it cites, nearly always among the first ones.
PREFETCH_PASSAGES = 40


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What one save did: the outcome and what the search index must drop and add."""

    outcome: Outcome
    article: Article
    removed_passage_ids: tuple[int, ...] = ()
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexRow:
    """A passage with the article fields the analyser needs, for building the index."""

    passage_id: int
    article_id: int
    text: str
    title: str
    language: str | None
    published_at: datetime | None
    source: str | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """The store's share of ``StoreStats`` (the facade adds sizes on disk)."""

    articles: int
    passages: int
    languages: dict[str, int]
    sources: dict[str, int]
    first_published: datetime | None
    last_published: datetime | None


def content_hash(title: str, body: str) -> str:
    """SHA-256 of title and body with whitespace runs collapsed.

    Whitespace is normalised because two extractions of the same page may differ only in
    line breaks, and that should not make a duplicate.
    """
    normalized = " ".join(title.split()) + "\x00" + " ".join(body.split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def to_utc_text(value: datetime | None, *, fixed_width: bool = False) -> str | None:
    """A datetime as UTC ISO 8601 text (naive values are taken as UTC): the store's one format.

    Args:
        value: the time, or None (stored as NULL).
        fixed_width: always write the microseconds, so that every value has the same length
            and text order is time order in SQL comparisons beyond doubt. The sources tables
            have been written this way from the start; articles keep ``isoformat``'s shorter
            form, which their stored rows already use.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds" if fixed_width else "auto")


def from_utc_text(value: str | None) -> datetime | None:
    """The inverse of ``to_utc_text``: a tz-aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def summary_from_row(row: Sequence) -> ArticleSummary:
    """An ``ArticleSummary`` from a row whose columns are ``_SUMMARY_COLUMNS``, in order."""
    return ArticleSummary(
        article_id=int(row[0]),
        title=row[1],
        url=row[2],
        source=row[3],
        author=row[4],
        published_at=from_utc_text(row[5]),
        language=row[6],
    )


class ArticleStore:
    """Articles and their passages; implements the answer stage's ``PassageSource``."""

    def __init__(self, db: Database, cache: RowCache | None = None) -> None:
        if cache is not None and db.backend != "postgresql":
            raise ValueError("the row cache serves a PostgreSQL store only")
        self.db = db
        # Rows kept in this process (PostgreSQL only; ``index.store.row_cache``).
        self.cache = cache

    # -- writes -----------------------------------------------------------------------------

    def save(
        self,
        extracted: ExtractedArticle,
        spans: Sequence[PassageSpan],
        *,
        source: str | None = None,
        now: datetime | None = None,
        statements: Sequence[StatementLike] = (),
    ) -> SaveResult:
        """Insert or update one article with its passages, in one transaction.

        Args:
            extracted: the article as extraction found it.
            spans: its passages; each ``span.text`` must equal ``body[start:end]``.
            source: an outlet label that overrides the extracted one (``--source``).
            now: the ingestion time (tests pin it).
            statements: the article's statements (issue 14), written in the same transaction.

        Returns:
            new, updated or unchanged, with the passages the index must drop and add.

        Raises:
            StoreError: the article has no body, or a passage does not match its offsets.
        """
        body = extracted.body
        if not body.strip():
            raise StoreError("the article has no body text")
        if not spans:
            raise StoreError("the article has no passages")
        for span in spans:
            if body[span.start : span.end] != span.text:
                raise StoreError(f"passage {span.ordinal} does not match its body offsets")
        digest = content_hash(extracted.title, body)
        fields = {
            "url": extracted.url or None,
            "source": source or extracted.source,
            "title": extracted.title,
            "author": extracted.author,
            "published_at": to_utc_text(extracted.published_at),
            "language": extracted.language,
            "body": body,
            "content_hash": digest,
        }
        ingested_at = to_utc_text(now or datetime.now(UTC))
        try:
            with self.db.transaction() as conn:
                existing = self._find_existing(conn, fields["url"], digest)
                if existing is None:
                    # A story of one; index.reprints moves it when it proves a reprint.
                    story = conn.execute(
                        "INSERT INTO stories DEFAULT VALUES RETURNING id"
                    ).fetchone()[0]
                    cur = conn.execute(
                        "INSERT INTO articles (url, source, title, author, published_at, "
                        "language, body, content_hash, ingested_at, story_id) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                        (*fields.values(), ingested_at, story),
                    )
                    article_id = int(cur.fetchone()[0])
                    passages = self._insert_passages(conn, article_id, spans)
                    write_statements(conn, article_id, statements)
                    outcome: Outcome = "new"
                    removed: tuple[int, ...] = ()
                    _queue(conn, (p.passage_id for p in passages), "add")
                else:
                    article_id = int(existing["id"])
                    merged = {
                        key: (value if value is not None else existing[key])
                        for key, value in fields.items()
                    }
                    if fields["url"] is None or all(
                        merged[key] == existing[key] for key in fields
                    ):
                        return SaveResult("unchanged", self._get(conn, article_id))
                    conn.execute(
                        "UPDATE articles SET url=?, source=?, title=?, author=?, published_at=?,"
                        " language=?, body=?, content_hash=?, ingested_at=? WHERE id=?",
                        (*merged.values(), ingested_at, article_id),
                    )
                    removed = tuple(
                        int(row[0])
                        for row in conn.execute(
                            "SELECT id FROM passages WHERE article_id=? ORDER BY ordinal",
                            (article_id,),
                        )
                    )
                    conn.execute("DELETE FROM passages WHERE article_id=?", (article_id,))
                    passages = self._insert_passages(conn, article_id, spans)
                    write_statements(conn, article_id, statements)
                    outcome = "updated"
                    _queue(conn, removed, "remove")
                    self._forget(article_id, removed)
                    _queue(conn, (p.passage_id for p in passages), "add")
                article = self._get(conn, article_id)
        except sqlite3.DatabaseError as exc:
            if is_disk_full(exc):
                raise DiskFullError("the disk is full: the store could not save it") from None
            if is_store_unavailable(exc):
                reason = f"the store cannot be reached right now ({exc})"
                raise StoreUnavailableError(reason) from None
            raise StoreError(f"could not write to the store ({exc})") from None
        return SaveResult(outcome, article, removed, passages)

    @staticmethod
    def _find_existing(
        conn: sqlite3.Connection, url: str | None, digest: str
    ) -> dict[str, object] | None:
        """The article this one replaces: same URL, else same content (URL-less) article."""
        if url is not None:
            row = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE url=?", (url,)
            ).fetchone()
            if row is None:
                # The same text ingested earlier from a file without its URL: adopt it.
                row = conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles "
                    "WHERE content_hash=? AND url IS NULL ORDER BY id LIMIT 1",
                    (digest,),
                ).fetchone()
        else:
            row = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE content_hash=? "
                "ORDER BY id LIMIT 1",
                (digest,),
            ).fetchone()
        if row is None:
            return None
        names = [c.strip() for c in _ARTICLE_COLUMNS.split(",")]
        return dict(zip(names, row, strict=True))

    @staticmethod
    def _insert_passages(
        conn: sqlite3.Connection, article_id: int, spans: Sequence[PassageSpan]
    ) -> tuple[Passage, ...]:
        passages = []
        for ordinal, span in enumerate(spans):
            cur = conn.execute(
                'INSERT INTO passages (article_id, ordinal, text, start, "end", kind) '
                "VALUES (?,?,?,?,?,?) RETURNING id",
                (article_id, ordinal, span.text, span.start, span.end, span.kind),
            )
            passages.append(
                Passage(
                    int(cur.fetchone()[0]),
                    article_id,
                    ordinal,
                    span.text,
                    span.start,
                    span.end,
                    span.kind,
                )
            )
        return tuple(passages)

    def delete(self, article_id: int) -> tuple[Article, tuple[int, ...]]:
        """Delete an article and its passages; returns it and its former passage ids.

        The article leaves its story in the same transaction (``stories.leave_story``).

        Raises:
            NotFoundError: no article has this id.
        """
        from index.store.stories import leave_story

        with self.db.transaction() as conn:
            article = self._get(conn, article_id)
            passage_ids = tuple(
                int(row[0])
                for row in conn.execute(
                    "SELECT id FROM passages WHERE article_id=? ORDER BY ordinal", (article_id,)
                )
            )
            leave_story(conn, article_id)
            conn.execute("DELETE FROM passages WHERE article_id=?", (article_id,))
            conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
            _queue(conn, passage_ids, "remove")
            self._forget(article_id, passage_ids)
        return article, passage_ids

    def _forget(self, article_id: int, passage_ids: Sequence[int]) -> None:
        """Drop an article this process is changing from the row cache (inside the write
        transaction, so a reader that fills the cache meanwhile keeps nothing stale)."""
        if self.cache is not None:
            self.cache.forget_article(article_id)
            self.cache.forget_passages(passage_ids)

    def stories_changed_elsewhere(self) -> None:
        """Another process moved articles between stories (a ``story`` change-log entry)."""
        if self.cache is not None:
            self.cache.forget_stories()

    def changed_elsewhere(self, removed: Sequence[int], added: Sequence[int]) -> None:
        """Passages another process removed or added (the change log): removed rows leave
        the row cache, and stories are read again (an added article may join one)."""
        if self.cache is None:
            return
        if removed:
            self.cache.forget_passages(removed)
        if added:
            self.cache.forget_stories()

    # -- the index queue --------------------------------------------------------------------

    def pending_index_ops(self) -> tuple[list[int], list[int]]:
        """Passage ids the index has not caught up with: (to remove, to add), in id order."""
        removes: list[int] = []
        adds: list[int] = []
        for passage_id, op in self.db.conn.execute(
            "SELECT passage_id, op FROM index_queue ORDER BY passage_id"
        ):
            (adds if op == "add" else removes).append(int(passage_id))
        return removes, adds

    def clear_index_ops(self, removed: Sequence[int], added: Sequence[int]) -> None:
        """Forget queue entries the index now reflects (only those with the op applied).

        Matching the op too keeps an entry another writer changed meanwhile (an "add" that
        became a "remove" when the article was updated again).
        """
        pairs = [(pid, "remove") for pid in removed] + [(pid, "add") for pid in added]
        if not pairs:
            return
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM index_queue WHERE passage_id=? AND op=?", pairs)

    def clear_index_ops_up_to(self, passage_id: int) -> None:
        """Forget every queue entry up to ``passage_id`` (a rebuild read the store since)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM index_queue WHERE passage_id <= ?", (passage_id,))

    # -- reads ------------------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        """One article; raises NotFoundError."""
        return self._get(self.db.conn, article_id)

    @staticmethod
    def _get(conn: sqlite3.Connection, article_id: int) -> Article:
        row = conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("no article with this id", item=str(article_id))
        return _article(row)

    def articles_by_id(self, ids: Sequence[int]) -> dict[int, Article]:
        """Articles by id; ids that do not exist are absent from the result.

        With a row cache (PostgreSQL), the passages of the articles read (their first
        ``PREFETCH_PASSAGES``) and their stories come in the same round trip: a question
        reads them next.
        """
        wanted = list(dict.fromkeys(ids))
        if self.cache is None:
            return _by_id(
                {
                    int(row[0]): _article(row)
                    for row in self._rows_by_id("articles", _ARTICLE_COLUMNS, wanted)
                }
            )
        cached = self.cache.articles(wanted)
        missing = [i for i in wanted if i not in cached]
        if not missing:
            return _by_id(cached)
        from index.store.stories import stories_from_rows, stories_sql

        generation, story_generation = self.cache.generation, self.cache.story_generation
        read_at = time.monotonic()
        together = self._read_or_cached(
            [
                (f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ANY(?)", (missing,)),
                (
                    f"SELECT {_PASSAGE_COLUMNS} FROM passages "
                    "WHERE article_id = ANY(?) AND ordinal < ?",
                    (missing, PREFETCH_PASSAGES),
                ),
                (stories_sql("SELECT unnest(?::bigint[])"), (missing,)),
            ],
            cached,
        )
        if together is None:
            return _by_id(cached)
        article_rows, passage_rows, story_rows = together
        read = {int(row[0]): _article(row) for row in article_rows}
        prefetched = {int(row[0]): _passage(row) for row in passage_rows}
        self.cache.fill(generation, articles=read, passages=prefetched)
        stories = stories_from_rows(story_rows)
        self.cache.fill_stories(story_generation, {i: stories.get(i) for i in read}, read_at)
        return _by_id({**cached, **read})

    def article_summaries_by_id(
        self, ids: Sequence[int]
    ) -> dict[int, ArticleSummary] | dict[int, Article]:
        """Articles by id without their bodies (title, citation fields, date, language): what
        answering a question reads of an article, at about half the cost of whole articles.

        With a row cache (PostgreSQL) these are ``articles_by_id``'s whole articles: the
        cache keeps whole rows, and reading them prefetches the passages a question reads
        next, in the same round trip.
        """
        if self.cache is not None:
            return self.articles_by_id(ids)
        return _by_id(
            {
                int(row[0]): summary_from_row(row)
                for row in self._rows_by_id("articles", _SUMMARY_COLUMNS, list(dict.fromkeys(ids)))
            }
        )

    def article_languages(self, ids: Sequence[int]) -> dict[int, str | None]:
        """Article id → language (None when unknown) of the articles that exist: a light
        read for the ranking (``index.answer.candidates``), without the bodies."""
        wanted = list(dict.fromkeys(ids))
        cached = self.cache.articles(wanted) if self.cache is not None else {}
        found = {i: a.language for i, a in cached.items()}
        missing = [i for i in wanted if i not in cached]
        if missing:
            try:
                for row in self._rows_by_id("articles", "id, language", missing):
                    found[int(row[0])] = row[1]
            except sqlite3.OperationalError:
                if self.cache is None or not found:
                    raise
                logger.info("store unreachable: languages of cached articles only")
        return found

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, Passage]:
        """Passages by id; ids that do not exist (deleted, replaced) are absent.

        With a row cache (PostgreSQL), the articles of the passages read, their stories and
        their other passages (the first ``PREFETCH_PASSAGES``) come in the same round trip,
        cached or not (which are cached is only known once the passages are read): a
        question reads them next.
        """
        wanted = list(dict.fromkeys(ids))
        if self.cache is None:
            return _by_id(
                {
                    int(row[0]): _passage(row)
                    for row in self._rows_by_id("passages", _PASSAGE_COLUMNS, wanted)
                }
            )
        cached = self.cache.passages(wanted)
        missing = [i for i in wanted if i not in cached]
        if not missing:
            return _by_id(cached)
        from index.store.stories import stories_from_rows, stories_sql

        generation, story_generation = self.cache.generation, self.cache.story_generation
        read_at = time.monotonic()
        of_passages = "SELECT article_id FROM passages WHERE id = ANY(?)"
        together = self._read_or_cached(
            [
                (
                    f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE article_id IN "
                    "(SELECT article_id FROM passages WHERE id = ANY(?)) "
                    "AND (ordinal < ? OR id = ANY(?))",
                    (missing, PREFETCH_PASSAGES, missing),
                ),
                (
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({of_passages})",
                    (missing,),
                ),
                (stories_sql(of_passages), (missing,)),
            ],
            cached,
        )
        if together is None:
            return _by_id(cached)
        passage_rows, article_rows, story_rows = together
        prefetched = {int(row[0]): _passage(row) for row in passage_rows}
        articles = {int(row[0]): _article(row) for row in article_rows}
        self.cache.fill(generation, articles=articles, passages=prefetched)
        stories = stories_from_rows(story_rows)
        self.cache.fill_stories(story_generation, {i: stories.get(i) for i in articles}, read_at)
        read = {i: prefetched[i] for i in missing if i in prefetched}
        return _by_id({**cached, **read})

    def _read_or_cached(
        self, statements: list[tuple[str, Sequence[object]]], cached: dict[int, _Row]
    ) -> list[list[Sequence]] | None:
        """The rows of a pipelined read, or None when the server cannot be reached and
        ``cached`` holds some of the rows asked for: a question is then answered from those
        (the others are left out, as deleted ones are) rather than not at all.

        Raises:
            StoreUnavailableError: the server cannot be reached and none of the rows is
                cached.
        """
        try:
            return self.db.read_together(statements)  # type: ignore[attr-defined,no-any-return]
        except sqlite3.OperationalError as exc:
            if not cached:
                raise StoreUnavailableError(
                    f"the store cannot be reached right now ({exc})"
                ) from None
            logger.info("store unreachable: %d rows served from the row cache", len(cached))
            return None

    def _rows_by_id(self, table: str, columns: str, ids: list[int]) -> Iterator[Sequence]:
        """``SELECT columns FROM table`` for these ids: one statement whatever the count on
        PostgreSQL (``= ANY``, one text the server prepares once), ``IN`` chunks on SQLite."""
        if self.db.backend == "postgresql":
            yield from self.db.conn.execute(
                f"SELECT {columns} FROM {table} WHERE id = ANY(?)",
                (ids,),
            )
            return
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            yield from self.db.conn.execute(
                f"SELECT {columns} FROM {table} WHERE id IN ({marks})",
                chunk,
            )

    def passages_of(self, article_id: int) -> list[Passage]:
        """An article's passages in order (empty when the article does not exist)."""
        return [
            _passage(row)
            for row in self.db.conn.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE article_id=? ORDER BY ordinal",
                (article_id,),
            )
        ]

    def list_articles(
        self,
        *,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 20,
        sources: Sequence[str] = (),
        languages: Sequence[str] = (),
    ) -> list[ArticleSummary]:
        """Newest first by publication date; undated articles last, newest ingested first.

        ``since`` keeps articles published on or after that day (UTC) and ``until`` those
        published on or before it, so with either undated ones drop out: we cannot say
        when they were published. ``sources`` and ``languages`` keep articles from any of
        those outlets or in any of those languages (a question's filters).
        """
        where, params = [], []
        if source is not None:
            where.append("source = ?")
            params.append(source)
        for column, values in (("source", sources), ("language", languages)):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if since is not None:
            where.append("published_at >= ?")
            params.append(datetime(since.year, since.month, since.day, tzinfo=UTC).isoformat())
        if until is not None:
            after = until + timedelta(days=1)
            where.append("published_at < ?")
            params.append(datetime(after.year, after.month, after.day, tzinfo=UTC).isoformat())
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM articles {clause} {_NEWEST_FIRST} LIMIT ?",
            (*params, max(0, limit)),
        )
        return [summary_from_row(row) for row in rows]

    def counts(self) -> StoreCounts:
        """Counts, languages, sources and the publication date range."""
        with self.db.snapshot() as conn:
            articles, first, last = conn.execute(
                "SELECT COUNT(*), MIN(published_at), MAX(published_at) FROM articles"
            ).fetchone()
            (passages,) = conn.execute("SELECT COUNT(*) FROM passages").fetchone()
            languages = dict(
                conn.execute(
                    "SELECT COALESCE(language, 'unknown'), COUNT(*) FROM articles "
                    "GROUP BY 1 ORDER BY 2 DESC, 1"
                ).fetchall()
            )
            sources = dict(
                conn.execute(
                    "SELECT COALESCE(source, 'unknown'), COUNT(*) FROM articles "
                    "GROUP BY 1 ORDER BY 2 DESC, 1"
                ).fetchall()
            )
        return StoreCounts(
            int(articles),
            int(passages),
            languages,
            sources,
            from_utc_text(first),
            from_utc_text(last),
        )

    def daily_counts(self, days: int, today: date) -> list[tuple[date, str, int]]:
        """Articles per publication day and outlet over the ``days`` days up to the archive's
        newest publication day that is not after ``today``; one query.

        The window ends there rather than at ``today`` so that an archive of older news
        still shows its last month instead of an empty one. Undated articles are left out.
        """
        tomorrow = (today + timedelta(days=1)).isoformat()
        # Stored times are UTC ISO text, so the first ten characters are the UTC day, and
        # text order is time order: no date function, the same SQL on both backends.
        (newest,) = self.db.conn.execute(
            "SELECT MAX(published_at) FROM articles WHERE published_at < ?", (tomorrow,)
        ).fetchone()
        if newest is None:
            return []
        last = date.fromisoformat(str(newest)[:10])
        rows = self.db.conn.execute(
            "SELECT substr(published_at, 1, 10), COALESCE(source, 'unknown'), COUNT(*) "
            "FROM articles WHERE published_at >= ? AND published_at < ? "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            (
                (last - timedelta(days=days - 1)).isoformat(),
                (last + timedelta(days=1)).isoformat(),
            ),
        ).fetchall()
        return [(date.fromisoformat(day), str(source), int(n)) for day, source, n in rows]

    def outlet_names(self) -> list[str]:
        """The distinct outlet names of the stored articles, sorted (read off their index)."""
        rows = self.db.conn.execute(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY source"
        )
        return [row[0] for row in rows]

    def article_ids_where(
        self, *, sources: Sequence[str] = (), languages: Sequence[str] = ()
    ) -> list[int]:
        """Ids of the articles from any of ``sources`` and in any of ``languages``.

        An empty sequence does not restrict; both empty is every article. For a question's
        outlet and language filters (``index.answer.restrict``).
        """
        where, params = [], []
        for column, values in (("source", sources), ("language", languages)):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.conn.execute(f"SELECT id FROM articles {clause} ORDER BY id", params)
        return [int(row[0]) for row in rows]

    def count_passages(self) -> int:
        """How many passages the store holds (what a complete index holds)."""
        return int(self.db.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def count_articles(self) -> int:
        """How many articles the store holds."""
        return int(self.db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def max_passage_id(self) -> int:
        """The highest passage id ever handed out (0 for a fresh store)."""
        return self.db.max_id("passages")

    def iter_index_rows(
        self, *, after_id: int = 0, up_to: int | None = None, batch: int = 2000
    ) -> Iterator[IndexRow]:
        """Every passage (``after_id`` < id <= ``up_to``) with its article's title, language, date.

        Reads in one snapshot, in passage id order, ``batch`` rows at a time, so a reindex of
        a million passages keeps memory flat while ingests keep committing.
        """
        with self.db.snapshot() as conn:
            cursor = conn.execute(
                "SELECT p.id, p.article_id, p.text, a.title, a.language, a.published_at, "
                "a.source, a.author "
                "FROM passages p JOIN articles a ON a.id = p.article_id "
                "WHERE p.id > ? AND p.id <= ? ORDER BY p.id",
                (after_id, up_to if up_to is not None else 2**63 - 1),
            )
            while rows := cursor.fetchmany(batch):
                for row in rows:
                    yield _index_row(row)

    def index_rows_by_id(self, passage_ids: Sequence[int]) -> list[IndexRow]:
        """``IndexRow`` of the given passages that still exist, in passage id order."""
        rows: list[IndexRow] = []
        for chunk in _chunks(sorted(set(passage_ids))):
            marks = ",".join("?" * len(chunk))
            for row in self.db.conn.execute(
                "SELECT p.id, p.article_id, p.text, a.title, a.language, a.published_at, "
                "a.source, a.author "
                "FROM passages p JOIN articles a ON a.id = p.article_id "
                f"WHERE p.id IN ({marks}) ORDER BY p.id",
                chunk,
            ):
                rows.append(_index_row(row))
        return rows

    def existing_passage_ids(self, passage_ids: Sequence[int]) -> set[int]:
        """Which of ``passage_ids`` the store still holds (the rest were deleted or replaced)."""
        found: set[int] = set()
        for chunk in _chunks(sorted(set(passage_ids))):
            marks = ",".join("?" * len(chunk))
            found.update(
                int(row[0])
                for row in self.db.conn.execute(
                    f"SELECT id FROM passages WHERE id IN ({marks})", chunk
                )
            )
        return found

    def passage_ids_up_to(self, last_id: int) -> array[int]:
        """Ids of the stored passages up to ``last_id``, ascending (compact for millions)."""
        ids: array[int] = array("q")
        cursor = self.db.conn.execute(
            "SELECT id FROM passages WHERE id <= ? ORDER BY id", (last_id,)
        )
        while rows := cursor.fetchmany(10_000):
            ids.extend(row[0] for row in rows)
        return ids

    def recent_articles(self, limit: int) -> list[Article]:
        """The newest articles with their bodies (for example questions)."""
        rows = self.db.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles {_NEWEST_FIRST} LIMIT ?",
            (limit,),
        )
        return [_article(row) for row in rows]

    def check_integrity(self) -> list[str]:
        """Problems found in the store: SQLite's own check, then passages against bodies.

        Returns an empty list for a healthy store; used by tests after a killed ingest.
        """
        problems = self.db.integrity_problems()
        for (article_id,) in self.db.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN passages p ON p.article_id = a.id "
            "WHERE p.id IS NULL"
        ):
            problems.append(f"article {article_id} has no passages")
        for passage_id, text, start, end, body in self.db.conn.execute(
            'SELECT p.id, p.text, p.start, p."end", a.body FROM passages p '
            "JOIN articles a ON a.id = p.article_id"
        ):
            if body[start:end] != text:
                problems.append(f"passage {passage_id} does not match its article body")
        return problems


def _queue(conn: sqlite3.Connection, passage_ids: Iterable[int], op: str) -> None:
    """Record in the index queue, inside the caller's transaction, what the index must do.

    On PostgreSQL the same ids also go to the replica change log (``index.store.changes``),
    which the other processes' local indexes follow.
    """
    passage_ids = list(passage_ids)
    log_changes = getattr(conn, "log_changes", None)
    if log_changes is not None:
        log_changes(passage_ids, op)
    conn.executemany(
        "INSERT INTO index_queue (passage_id, op) VALUES (?, ?) "
        "ON CONFLICT (passage_id) DO UPDATE SET op = excluded.op",
        ((pid, op) for pid in passage_ids),
    )


def _index_row(row: Sequence) -> IndexRow:
    """An ``IndexRow`` from ``SELECT p.id, p.article_id, p.text, a.title, a.language,
    a.published_at, a.source, a.author``."""
    return IndexRow(
        int(row[0]),
        int(row[1]),
        row[2],
        row[3],
        row[4],
        from_utc_text(row[5]),
        row[6],
        row[7],
    )


def _by_id(rows: dict[int, _Row]) -> dict[int, _Row]:
    """Rows in id order, as the reads always returned them (callers may iterate)."""
    return dict(sorted(rows.items()))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _MAX_PARAMS):
        yield ids[i : i + _MAX_PARAMS]


def _article(row: Sequence[object]) -> Article:
    return Article(
        article_id=int(row[0]),  # type: ignore[arg-type]
        url=row[1],  # type: ignore[arg-type]
        source=row[2],  # type: ignore[arg-type]
        title=row[3],  # type: ignore[arg-type]
        author=row[4],  # type: ignore[arg-type]
        published_at=from_utc_text(row[5]),  # type: ignore[arg-type]
        language=row[6],  # type: ignore[arg-type]
        body=row[7],  # type: ignore[arg-type]
        content_hash=row[8],  # type: ignore[arg-type]
        ingested_at=from_utc_text(row[9]) or datetime.now(UTC),  # type: ignore[arg-type]
    )


def _passage(row: Sequence[object]) -> Passage:
    """A ``Passage`` from a row whose columns are ``_PASSAGE_COLUMNS``, which are its fields in
    order. Positional and unconverted (both backends return the integer columns as ``int``):
    keyword arguments and ``int()`` calls took twice as long, and a question reads ~30."""
    return Passage(*row)  # type: ignore[arg-type]
