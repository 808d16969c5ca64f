"""Stories in SQL: membership, MinHash signatures and LSH band keys (schema version 5).

Every article belongs to one story (``articles.story_id``); ``ArticleStore.save`` opens a
story of one for each new article in the same transaction, so no article is ever without
one. This module moves articles between stories when ``index.reprints`` finds a reprint,
keeps each article's signature and band keys (the LSH state, shared by every process that
ingests and kept across restarts), and reads stories back with the original first.

Membership changes run in one transaction each. The original is not stored: it is the
earliest published member, computed when a story is read, so deleting it promotes the next
member with nothing to update.
"""

# SQL text here is built only from "?" placeholders; every value is bound (S608).
# ruff: noqa: S608

from __future__ import annotations

import logging
import sqlite3
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from index.errors import (
    DiskFullError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    is_disk_full,
    is_store_unavailable,
)
from index.models import ArticleSummary, Story
from index.store.articles import summary_from_row
from index.store.db import Database
from index.store.row_cache import RowCache

_MAX_PARAMS = 900
logger = logging.getLogger(__name__)

# The newest articles read per LSH band key (see ``StoryStore.candidates``).
CANDIDATES_PER_BAND = 8


class StoryStore:
    """Story membership and the LSH tables."""

    def __init__(self, db: Database, cache: RowCache | None = None) -> None:
        self.db = db
        # Stories read lately (PostgreSQL replicas; ``index.store.row_cache``).
        self.cache = cache

    # -- the LSH ----------------------------------------------------------------------------

    def candidates(
        self, keys: Sequence[int], exclude: int, per_band: int = CANDIDATES_PER_BAND
    ) -> list[tuple[int, int, bytes]]:
        """Articles sharing a band key with ``keys`` (band i is ``keys[i]``), but ``exclude``.

        At most the ``per_band`` newest articles per band key: a flood of one template
        (thousands of reports differing only in figures) shares every key, and without the
        cap each new report would be compared with all the earlier ones. Each band is one
        primary-key range read.

        Returns (article_id, shingle count, signature bytes) of those still signed, by id.
        """
        if not keys:
            return []
        arm = (
            "SELECT * FROM (SELECT article_id FROM story_bands WHERE band = ? AND key = ? "
            "AND article_id != ? ORDER BY article_id DESC LIMIT ?) AS band_hits"
        )
        params = [v for band, key in enumerate(keys) for v in (band, key, exclude, per_band)]
        rows = self.db.conn.execute(
            "SELECT s.article_id, s.size, s.signature FROM story_signatures s "
            f"WHERE s.article_id IN ({' UNION '.join([arm] * len(keys))}) "
            "ORDER BY s.article_id",
            params,
        ).fetchall()
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in rows]

    @contextmanager
    def batch(self) -> Iterator[sqlite3.Connection]:
        """One transaction around several ``file`` calls (each one a savepoint inside it).

        Raises:
            DiskFullError: the disk is full (at a write or at the commit).
            StoreError: another failure to write.
        """
        try:
            with self.db.transaction() as conn:
                yield conn
        except sqlite3.DatabaseError as exc:
            raise _write_error(exc) from None
        finally:
            self._forget()

    def _forget(self) -> None:
        if self.cache is not None:
            self.cache.forget_stories()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A savepoint inside an open ``batch``, else a transaction of its own.

        A failure rolls back only this article's changes, and the batch goes on.
        """
        conn = self.db.conn
        if not conn.in_transaction:
            try:
                with self.db.transaction() as conn:
                    yield conn
            finally:
                self._forget()
            return
        conn.execute("SAVEPOINT story_file")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT story_file")
            conn.execute("RELEASE SAVEPOINT story_file")
            raise
        conn.execute("RELEASE SAVEPOINT story_file")

    def unsigned_article_ids(self) -> list[int]:
        """Articles with no signature yet (stored before schema 5, or by a killed ingest)."""
        return [
            int(row[0])
            for row in self.db.conn.execute(
                "SELECT a.id FROM articles a LEFT JOIN story_signatures s "
                "ON s.article_id = a.id WHERE s.article_id IS NULL ORDER BY a.id"
            )
        ]

    # -- membership -------------------------------------------------------------------------

    def file(
        self,
        article_id: int,
        reprint_of: Sequence[int],
        *,
        size: int,
        signature: bytes,
        keys: Sequence[int],
    ) -> int:
        """Put an article in one story with the articles it reprints; returns the story id.

        In the same transaction its signature and band keys are stored (replacing earlier
        ones), so the next article finds it. Stories of the matched articles are merged
        into the oldest (lowest id) of them, so a story's id stays what the first alert
        named. With no match, an article that shares a story with others (an updated text
        that no longer matches them) gets a story of its own.

        Raises:
            StoreError: the article is not stored (deleted meanwhile).
        """
        try:
            with self._writing() as conn:
                own = _story_id(conn, article_id)
                if own is None:
                    raise NotFoundError("no article with this id", item=str(article_id))
                _drop_signature(conn, article_id)
                conn.execute(
                    "INSERT INTO story_signatures (article_id, size, signature, bands) "
                    "VALUES (?,?,?,?)",
                    (article_id, size, signature, array("q", keys).tobytes()),
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO story_bands (band, key, article_id) VALUES (?,?,?)",
                    ((band, key, article_id) for band, key in enumerate(keys)),
                )
                matched = {sid for sid in (_story_id(conn, other) for other in reprint_of) if sid}
                if not matched:
                    others = conn.execute(
                        "SELECT COUNT(*) FROM articles WHERE story_id = ? AND id != ?",
                        (own, article_id),
                    ).fetchone()[0]
                    if others:
                        own = int(
                            conn.execute(
                                "INSERT INTO stories DEFAULT VALUES RETURNING id"
                            ).fetchone()[0]
                        )
                        conn.execute(
                            "UPDATE articles SET story_id = ? WHERE id = ?", (own, article_id)
                        )
                        _log_story_change(conn)
                    return own
                target = min(matched)
                conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (target, article_id))
                for sid in (matched | {own}) - {target}:
                    conn.execute(
                        "UPDATE articles SET story_id = ? WHERE story_id = ?", (target, sid)
                    )
                    _drop_if_empty(conn, sid)
                _log_story_change(conn)
                return target
        except sqlite3.DatabaseError as exc:
            raise _write_error(exc) from None

    # -- reads ------------------------------------------------------------------------------

    def story_of(self, article_id: int) -> Story | None:
        """The story an article belongs to; None when no such article is stored."""
        return self.stories_of([article_id]).get(article_id)

    def stories_of(self, article_ids: Sequence[int]) -> dict[int, Story]:
        """The story of each stored article among ``article_ids`` (absent ones left out).

        One indexed query (a self-join on ``story_id``) per 900 ids: ``Archive.ask`` calls
        this for each article it cites, so it must stay a small fraction of a question.
        With a cache (PostgreSQL), a story read within the cache's ``story_ttl_s`` is not read
        again (``ArticleStore.articles_by_id`` reads the stories of the articles it reads).
        """
        ids = list(dict.fromkeys(article_ids))
        kept: dict[int, Story | None] = {}
        if self.cache is not None:
            kept = self.cache.stories(ids, time.monotonic())
            generation, read_at = self.cache.story_generation, time.monotonic()
        missing = [i for i in ids if i not in kept]
        read: dict[int, Story] = {}
        try:
            for chunk in _chunks(missing):
                marks = ",".join("?" * len(chunk))
                read.update(stories_from_rows(self.db.conn.execute(stories_sql(marks), chunk)))
        except sqlite3.OperationalError:
            if self.cache is None:
                raise
            # The server is unreachable: the answer goes on without the stories not kept.
            logger.info("store unreachable: %d stories left out of an answer", len(missing))
            missing = []
        if self.cache is not None and missing:
            self.cache.fill_stories(generation, {i: read.get(i) for i in missing}, read_at)
        found = {i: story for i, story in kept.items() if story is not None}
        return {i: s for i in ids if (s := found.get(i) or read.get(i)) is not None}


def stories_sql(marks: str) -> str:
    """The stories of the articles whose ids are ``IN (marks)``: ``?,?,…`` or a subquery."""
    where = f"a.id IN ({marks})"
    return (
        "SELECT a.id, m.story_id, m.id, m.title, m.url, m.source, m.author, "
        "m.published_at, m.language FROM articles a "
        "JOIN articles m ON m.story_id = a.story_id "
        f"WHERE {where} "
        "ORDER BY a.id, m.published_at IS NULL, m.published_at, m.id"
    )


def stories_from_rows(rows: Iterable[Sequence[Any]]) -> dict[int, Story]:
    """Rows of ``stories_sql`` as each asked article's story."""
    members: dict[int, list[ArticleSummary]] = {}
    story_of: dict[int, int] = {}
    for row in rows:
        asked, story_id = int(row[0]), int(row[1])
        story_of[asked] = story_id
        members.setdefault(asked, []).append(summary_from_row(row[2:]))
    return {asked: Story(story_of[asked], tuple(found)) for asked, found in members.items()}


def _write_error(exc: sqlite3.DatabaseError) -> StoreError:
    """A failed write as the store reports it: a full disk apart, since an ingest stops there."""
    if is_disk_full(exc):
        return DiskFullError("the disk is full: stories could not be saved")
    if is_store_unavailable(exc):
        return StoreUnavailableError(f"the store cannot be reached right now ({exc})")
    return StoreError(f"could not write to the store ({exc})")


def leave_story(conn: sqlite3.Connection, article_id: int) -> None:
    """Inside a delete's transaction: drop the article's LSH rows, and its story if emptied.

    The other members stay in the story; its original is recomputed when it is next read.
    """
    story = _story_id(conn, article_id)
    _drop_signature(conn, article_id)
    if story is None:
        return
    remaining = conn.execute(
        "SELECT COUNT(*) FROM articles WHERE story_id = ? AND id != ?", (story, article_id)
    ).fetchone()[0]
    if not remaining:
        conn.execute("UPDATE articles SET story_id = NULL WHERE id = ?", (article_id,))
        conn.execute("DELETE FROM stories WHERE id = ?", (story,))


def _story_id(conn: sqlite3.Connection, article_id: int) -> int | None:
    row = conn.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _drop_if_empty(conn: sqlite3.Connection, story_id: int) -> None:
    conn.execute(
        "DELETE FROM stories WHERE id = ? AND NOT EXISTS "
        "(SELECT 1 FROM articles WHERE story_id = ?)",
        (story_id, story_id),
    )


def _drop_signature(conn: sqlite3.Connection, article_id: int) -> None:
    """Remove an article's band rows (by the keys stored with its signature) and signature."""
    row = conn.execute(
        "SELECT bands FROM story_signatures WHERE article_id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return
    keys = array("q")
    keys.frombytes(bytes(row[0]))
    conn.executemany(
        "DELETE FROM story_bands WHERE band = ? AND key = ? AND article_id = ?",
        ((band, key, article_id) for band, key in enumerate(keys)),
    )
    conn.execute("DELETE FROM story_signatures WHERE article_id = ?", (article_id,))


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _MAX_PARAMS] for i in range(0, len(ids), _MAX_PARAMS)]


def _log_story_change(conn: sqlite3.Connection) -> None:
    """Tell the other processes, inside the caller's transaction, that stories changed.

    On PostgreSQL a ``story`` entry in the replica change log (``index.store.changes``):
    their row caches drop the stories they read (``RowCache.forget_stories``). Nothing on
    SQLite, whose processes keep no row cache. The entry names passage 0, which no passage
    has: a follower of an older newsdesk (a rolling upgrade) that takes it for a passage
    change cannot mistake it for another change of a real passage in the same batch.
    """
    log_changes = getattr(conn, "log_changes", None)
    if log_changes is not None:
        log_changes([0], "story")
