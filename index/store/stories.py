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

import sqlite3
from array import array
from collections.abc import Sequence

from index.errors import StoreError
from index.models import ArticleSummary, Story
from index.store.articles import from_utc_text
from index.store.db import Database

# Members in story order: the original (earliest published; undated last) first.
_MEMBER_ORDER = "ORDER BY published_at IS NULL, published_at, id"
_MAX_PARAMS = 900


class StoryStore:
    """Story membership and the LSH tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the LSH ----------------------------------------------------------------------------

    def candidates(self, keys: Sequence[int], exclude: int) -> list[tuple[int, int, bytes]]:
        """Articles sharing any band key with ``keys`` (band i is ``keys[i]``), but ``exclude``.

        Returns (article_id, shingle count, signature bytes) of those still signed, by id.
        """
        pairs = [value for band, key in enumerate(keys) for value in (band, key)]
        if not pairs:
            return []
        values = ",".join("(?,?)" for _ in keys)
        rows = self.db.conn.execute(
            f"WITH wanted (band, key) AS (VALUES {values}) "
            "SELECT s.article_id, s.size, s.signature FROM story_signatures s "
            "WHERE s.article_id != ? AND s.article_id IN ("
            "SELECT b.article_id FROM story_bands b JOIN wanted w "
            "ON b.band = w.band AND b.key = w.key) ORDER BY s.article_id",
            (*pairs, exclude),
        ).fetchall()
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in rows]

    def save_signature(
        self, article_id: int, size: int, signature: bytes, keys: Sequence[int]
    ) -> None:
        """Store an article's signature and band keys, replacing any earlier ones."""
        with self.db.transaction() as conn:
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

    def join(self, article_id: int, reprint_of: Sequence[int]) -> int:
        """Put ``article_id`` in one story with the articles it reprints; returns the story id.

        Stories of the matched articles are merged into the oldest (lowest id) of them, so a
        story's id stays what the first alert named. With no match, an article that shares
        a story with others (an updated text that no longer matches them) gets a story of
        its own.

        Raises:
            StoreError: the article is not stored (deleted meanwhile).
        """
        try:
            with self.db.transaction() as conn:
                own = _story_id(conn, article_id)
                if own is None:
                    raise StoreError("no article with this id", item=str(article_id))
                matched = {sid for sid in (_story_id(conn, other) for other in reprint_of) if sid}
                if not matched:
                    others = conn.execute(
                        "SELECT COUNT(*) FROM articles WHERE story_id = ? AND id != ?",
                        (own, article_id),
                    ).fetchone()[0]
                    if others:
                        own = int(conn.execute("INSERT INTO stories DEFAULT VALUES").lastrowid)
                        conn.execute(
                            "UPDATE articles SET story_id = ? WHERE id = ?", (own, article_id)
                        )
                    return own
                target = min(matched)
                conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (target, article_id))
                for sid in (matched | {own}) - {target}:
                    conn.execute(
                        "UPDATE articles SET story_id = ? WHERE story_id = ?", (target, sid)
                    )
                    _drop_if_empty(conn, sid)
                return target
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"could not write to the store ({exc})") from None

    # -- reads ------------------------------------------------------------------------------

    def story_of(self, article_id: int) -> Story | None:
        """The story an article belongs to; None when no such article is stored."""
        return self.stories_of([article_id]).get(article_id)

    def stories_of(self, article_ids: Sequence[int]) -> dict[int, Story]:
        """The story of each stored article among ``article_ids`` (absent ones left out).

        Two queries whatever the count: the articles' story ids, then those stories' members.
        """
        ids = list(dict.fromkeys(article_ids))
        story_ids: dict[int, int] = {}
        with self.db.snapshot() as conn:
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                for aid, sid in conn.execute(
                    f"SELECT id, story_id FROM articles WHERE id IN ({marks}) "
                    "AND story_id IS NOT NULL",
                    chunk,
                ):
                    story_ids[int(aid)] = int(sid)
            members: dict[int, list[ArticleSummary]] = {}
            for chunk in _chunks(sorted(set(story_ids.values()))):
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    "SELECT story_id, id, title, url, source, author, published_at, language "
                    f"FROM articles WHERE story_id IN ({marks}) {_MEMBER_ORDER}",
                    chunk,
                ):
                    members.setdefault(int(row[0]), []).append(
                        ArticleSummary(
                            article_id=int(row[1]),
                            title=row[2],
                            url=row[3],
                            source=row[4],
                            author=row[5],
                            published_at=from_utc_text(row[6]),
                            language=row[7],
                        )
                    )
        return {
            aid: Story(sid, tuple(members[sid]))
            for aid, sid in story_ids.items()
            if sid in members
        }


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
