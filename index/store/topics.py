"""Followed topics and the alert outbox in SQL (issue 12, "Follow a topic").

Durability: matching a batch of new articles ends in one transaction (``record_matches``)
that inserts its alerts into ``outbox`` and advances the ``alerts_matched_up_to`` mark, so a
process killed before it leaves the articles to be matched again, and one killed after it
leaves the alerts waiting. An alert is marked sent only after Telegram accepted it
(at-least-once), and ``UNIQUE (topic_id, story_id)`` makes a repeated match a no-op, so a
topic is never alerted twice about one story.

``topics_version`` in ``meta`` grows with every add and remove, so a process holding an
in-memory reverse index (``index.answer.follow``) notices topics another process changed.
"""

# SQL text here is built only from the column constants below and "?" placeholders; every value
# is bound, so S608 (string-built SQL) does not apply.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from index.errors import TopicError
from index.models import Topic, TopicMode
from index.store.articles import from_utc_text, to_utc_text
from index.store.db import Database

_TOPIC_COLUMNS = (
    "t.id, t.chat_id, t.text, t.mode, t.daily_hour, t.created_at, t.last_alert_at, "
    "t.last_digest_at, t.paused_at, t.lang"
)
_MARK = "alerts_matched_up_to"
_VERSION = "topics_version"


#: The payload of an alert decided at match time whose cited snippets are built at delivery
#: (``Archive.pending_alerts``), then stored in its place.
UNBUILT = ""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One stored alert: its topic, story and article, and the serialised answer (``UNBUILT``
    until delivery builds it)."""

    alert_id: int
    topic: Topic
    story_id: int
    article_id: int
    payload: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert the matcher found, before it is stored."""

    topic_id: int
    story_id: int
    article_id: int
    payload: str


class TopicStore:
    """Topics per chat, the outbox, and the mark of articles already matched."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- topics -------------------------------------------------------------------------------

    def add(
        self,
        chat_id: int,
        text: str,
        *,
        mode: TopicMode,
        daily_hour: int,
        lang: str,
        now: datetime,
        max_topics: int,
    ) -> Topic:
        """Store a topic for ``chat_id``; raises TopicError ``too_many`` at the chat's limit."""
        with self._db.transaction() as conn:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM topics WHERE chat_id = ?", (chat_id,)
            ).fetchone()
            if count >= max_topics:
                raise TopicError(
                    f"this chat already follows {count} topics, the limit is {max_topics}",
                    "too_many",
                )
            cursor = conn.execute(
                "INSERT INTO topics (chat_id, text, mode, daily_hour, lang, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (chat_id, text, mode, daily_hour, lang, to_utc_text(now, fixed_width=True)),
            )
            topic_id = int(cursor.fetchone()[0])
            _bump_version(conn)
            return _topic(conn.execute(_select_topic("t.id = ?"), (topic_id,)).fetchone())

    def list(self, chat_id: int | None = None) -> list[Topic]:
        """A chat's topics (every topic when ``chat_id`` is None), oldest first."""
        if chat_id is None:
            rows = self._db.conn.execute(_select_topic("1 = 1") + " ORDER BY t.id").fetchall()
        else:
            rows = self._db.conn.execute(
                _select_topic("t.chat_id = ?") + " ORDER BY t.id", (chat_id,)
            ).fetchall()
        return [_topic(row) for row in rows]

    def texts(self) -> list[tuple[int, str]]:
        """(topic id, text) of every topic: what the matcher's reverse index is built from."""
        rows = self._db.conn.execute("SELECT id, text FROM topics ORDER BY id").fetchall()
        return [(int(row[0]), str(row[1])) for row in rows]

    def remove(self, chat_id: int, topic_id: int) -> Topic:
        """Delete one of the chat's topics (its pending alerts go with it).

        Raises:
            TopicError: ``unknown_id`` when the chat has no topic with that id.
        """
        with self._db.transaction() as conn:
            row = conn.execute(
                _select_topic("t.id = ? AND t.chat_id = ?"), (topic_id, chat_id)
            ).fetchone()
            if row is None:
                raise TopicError(f"this chat follows no topic {topic_id}", "unknown_id")
            conn.execute("DELETE FROM topics WHERE id = ?", (topic_id,))
            _bump_version(conn)
            return _topic(row)

    def version(self) -> int:
        """Grows with every add and remove, in any process."""
        return int(_meta(self._db.conn, _VERSION) or 0)

    def pause_chat(self, chat_id: int, now: datetime) -> int:
        """Pause a chat's topics (it blocked the bot); returns how many were newly paused."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE topics SET paused_at = ? WHERE chat_id = ? AND paused_at IS NULL",
                (to_utc_text(now, fixed_width=True), chat_id),
            )
            return cursor.rowcount

    def resume_chat(self, chat_id: int) -> int:
        """Resume a paused chat's topics (it wrote to the bot again); returns how many."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE topics SET paused_at = NULL WHERE chat_id = ? AND paused_at IS NOT NULL",
                (chat_id,),
            )
            return cursor.rowcount

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Move a group's topics to the supergroup it became; returns how many moved."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE topics SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            return cursor.rowcount

    # -- matching -----------------------------------------------------------------------------

    def matched_up_to(self) -> int:
        """Articles with an id up to this one have been matched against the topics."""
        return int(_meta(self._db.conn, _MARK) or 0)

    def articles_after(self, article_id: int, limit: int) -> list[int]:
        """Ids of stored articles after ``article_id``, oldest first."""
        rows = self._db.conn.execute(
            "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (article_id, limit)
        ).fetchall()
        return [int(row[0]) for row in rows]

    def articles_ingested_since(self, since: datetime, limit: int) -> list[int]:
        """Ids of articles stored at or after ``since``, oldest first (``alerts --dry-run``)."""
        rows = self._db.conn.execute(
            "SELECT id FROM articles WHERE ingested_at >= ? ORDER BY id LIMIT ?",
            (to_utc_text(since), limit),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def max_article_id(self) -> int:
        """The newest article id (0 for an empty store)."""
        (value,) = self._db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()
        return int(value)

    def record_matches(self, up_to: int, alerts: Sequence[NewAlert], now: datetime) -> int:
        """Store a batch's alerts and advance the mark to ``up_to``, in one transaction.

        Returns how many alerts were new (a topic already alerted about a story is skipped).
        """
        created = to_utc_text(now, fixed_width=True)
        added = 0
        with self._db.transaction() as conn:
            for alert in alerts:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO outbox "
                    "(topic_id, story_id, article_id, payload, created_at) "
                    "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM topics WHERE id = ?)",
                    (
                        alert.topic_id,
                        alert.story_id,
                        alert.article_id,
                        alert.payload,
                        created,
                        alert.topic_id,
                    ),
                )
                added += cursor.rowcount
            conn.execute(
                "UPDATE meta SET value = GREATEST(CAST(value AS INTEGER), ?) WHERE key = ?",
                (up_to, _MARK),
            )
        return added

    # -- delivery -----------------------------------------------------------------------------

    def pending(self, limit: int = 500) -> list[OutboxRow]:
        """Unsent alerts of topics that are not paused, oldest first."""
        rows = self._db.conn.execute(
            _alert_row_sql("o.sent_at IS NULL AND t.paused_at IS NULL") + " ORDER BY o.id LIMIT ?",
            (limit,),
        ).fetchall()
        return [_outbox_row(row) for row in rows]

    def alert(self, alert_id: int) -> OutboxRow | None:
        """One stored alert (sent or not), None when it or its topic is gone."""
        row = self._db.conn.execute(_alert_row_sql("o.id = ?"), (alert_id,)).fetchone()
        return _outbox_row(row) if row else None

    def get(self, topic_id: int) -> Topic | None:
        """One topic, None when it is gone."""
        row = self._db.conn.execute(_select_topic("t.id = ?"), (topic_id,)).fetchone()
        return _topic(row) if row else None

    def sent_alone_since(self, topic_id: int, since: datetime) -> int:
        """Alerts of a topic sent on their own (not in a digest) at or after ``since``."""
        (count,) = self._db.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE topic_id = ? AND in_digest = 0 AND sent_at >= ?",
            (topic_id, to_utc_text(since, fixed_width=True)),
        ).fetchone()
        return int(count)

    def set_payload(self, alert_id: int, payload: str) -> None:
        """Keep an alert's text once built (at delivery), so a resend after a crash is the
        same message."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (payload, alert_id))

    def discard(self, alert_id: int, now: datetime) -> None:
        """Take an alert out of the outbox without sending it (its article is gone).

        It is stamped as sent in a digest, so it neither counts against the hourly cap nor
        moves its topic's last alert or digest time.
        """
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET sent_at = ?, in_digest = 1 WHERE id = ?",
                (to_utc_text(now, fixed_width=True), alert_id),
            )

    def mark_sent(self, alert_ids: Sequence[int], now: datetime, *, digest: bool) -> None:
        """Record that Telegram accepted these alerts (alone, or together as one digest)."""
        if not alert_ids:
            return
        stamp = to_utc_text(now, fixed_width=True)
        # A digest stamps both columns; an alert alone only last_alert_at (naming one column
        # twice in SET is an error on PostgreSQL).
        columns = "last_digest_at = ?, last_alert_at = ?" if digest else "last_alert_at = ?"
        stamps = (stamp, stamp) if digest else (stamp,)
        marks = ",".join("?" * len(alert_ids))
        with self._db.transaction() as conn:
            conn.execute(
                f"UPDATE outbox SET sent_at = ?, in_digest = ? WHERE id IN ({marks})",
                (stamp, int(digest), *alert_ids),
            )
            conn.execute(
                f"UPDATE topics SET {columns} WHERE id IN "
                f"(SELECT topic_id FROM outbox WHERE id IN ({marks}))",
                (*stamps, *alert_ids),
            )


def _select_topic(where: str) -> str:
    return f"SELECT {_TOPIC_COLUMNS} FROM topics t WHERE {where}"


def _topic(row: Sequence[object]) -> Topic:
    created = from_utc_text(str(row[5]))
    assert created is not None  # noqa: S101 (NOT NULL column)
    return Topic(
        topic_id=int(row[0]),  # type: ignore[call-overload]
        chat_id=int(row[1]),  # type: ignore[call-overload]
        text=str(row[2]),
        mode="daily" if row[3] == "daily" else "instant",
        daily_hour=int(row[4]),  # type: ignore[call-overload]
        created_at=created,
        last_alert_at=from_utc_text(row[6]),  # type: ignore[arg-type]
        last_digest_at=from_utc_text(row[7]),  # type: ignore[arg-type]
        paused_at=from_utc_text(row[8]),  # type: ignore[arg-type]
        lang=row[9] if row[9] in ("en", "uk", "ru") else "en",  # type: ignore[arg-type]
    )


def _outbox_row(row: Sequence[object]) -> OutboxRow:
    created = from_utc_text(str(row[4]))
    assert created is not None  # noqa: S101 (NOT NULL column)
    return OutboxRow(
        alert_id=int(row[0]),  # type: ignore[call-overload]
        story_id=int(row[1]),  # type: ignore[call-overload]
        article_id=int(row[2]),  # type: ignore[call-overload]
        payload=str(row[3]),
        created_at=created,
        sent_at=from_utc_text(row[5]),  # type: ignore[arg-type]
        topic=_topic(row[6:]),
    )


def _alert_row_sql(where: str) -> str:
    return (
        f"SELECT o.id, o.story_id, o.article_id, o.payload, o.created_at, o.sent_at, "
        f"{_TOPIC_COLUMNS} FROM outbox o JOIN topics t ON t.id = o.topic_id WHERE {where}"
    )


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def _bump_version(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?", (_VERSION,))
