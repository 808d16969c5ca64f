"""The store's schema: an ordered list of migrations and the code that applies them.

One list serves both backends: SQLite applies the statements as written, PostgreSQL through
``index.store.dialect.postgres_ddl`` (``index.store.pg.migrate_postgres``), so a migration is
written once, in the common subset plus SQLite's spelling of types and identity columns.

The ``meta`` table records ``schema_version``. Opening a store applies every migration newer
than that version, each in its own transaction, so a crash mid-upgrade leaves the store at
the last completed version. A store written by newer code (a version we do not know) is
refused rather than guessed at. New tables arrive as a new migration appended to
``MIGRATIONS``; a released migration is never edited.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from index.errors import StoreError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: the version it produces and the statements that get there.

    Statements run one by one inside a transaction (``executescript`` would commit early).
    """

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="articles and passages",
        statements=(
            """
            CREATE TABLE articles (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                url TEXT UNIQUE,
                source TEXT,
                title TEXT NOT NULL,
                author TEXT,
                published_at TEXT,
                language TEXT,
                body TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                ingested_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX articles_content_hash ON articles (content_hash)",
            "CREATE INDEX articles_published_at ON articles (published_at)",
            "CREATE INDEX articles_source ON articles (source)",
            """
            CREATE TABLE passages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                kind TEXT NOT NULL DEFAULT 'paragraph',
                UNIQUE (article_id, ordinal)
            )
            """,
        ),
    ),
    Migration(
        version=2,
        description="news sources and seen feed entries",
        statements=(
            """
            CREATE TABLE sources (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL UNIQUE,
                outlet TEXT NOT NULL,
                interval_s INTEGER NOT NULL,
                added_at TEXT NOT NULL,
                language TEXT,
                kind TEXT,
                etag TEXT,
                last_modified TEXT,
                last_polled_at TEXT,
                last_success_at TEXT,
                last_error TEXT,
                failures INTEGER NOT NULL DEFAULT 0,
                articles_ingested INTEGER NOT NULL DEFAULT 0,
                next_poll_at TEXT
            )
            """,
            """
            CREATE TABLE seen_entries (
                source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
                entry_key TEXT NOT NULL,
                url TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
                failures INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                first_seen_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                PRIMARY KEY (source_id, entry_key)
            )
            """,
            "CREATE INDEX seen_entries_url ON seen_entries (url)",
        ),
    ),
    Migration(
        version=3,
        description="index queue (passages committed but not yet in the search index)",
        statements=(
            # Written in the same transaction as the passages it names, cleared once the
            # index holds the change: a process killed in between leaves its work here, and
            # the next ingest (or question) replays it instead of serving a stale index.
            """
            CREATE TABLE index_queue (
                passage_id INTEGER PRIMARY KEY,
                op TEXT NOT NULL CHECK (op IN ('add', 'remove'))
            )
            """,
        ),
    ),
    Migration(
        version=4,
        description="server-requested waits on sources and per-host politeness slots",
        statements=(
            # The time before which a source must not be fetched again because its server
            # answered 429/503 with Retry-After; NULL when the server asked for nothing.
            "ALTER TABLE sources ADD COLUMN retry_after_until TEXT",
            # One row per host: the Unix time (seconds) before which no process may start
            # its next request to that host. Every poller (the bot, `newsdesk poll`) reads
            # and advances it in one statement per fetch, so they share the host's pace.
            """
            CREATE TABLE host_slots (
                host TEXT PRIMARY KEY,
                not_before REAL NOT NULL
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        version=5,
        description="followed topics and the alert outbox",
        statements=(
            """
            CREATE TABLE topics (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                chat_id INTEGER NOT NULL,
                text TEXT NOT NULL,
                mode TEXT NOT NULL DEFAULT 'instant' CHECK (mode IN ('instant', 'daily')),
                daily_hour INTEGER NOT NULL DEFAULT 8,
                lang TEXT NOT NULL DEFAULT 'en',
                created_at TEXT NOT NULL,
                last_alert_at TEXT,
                last_digest_at TEXT,
                paused_at TEXT
            )
            """,
            "CREATE INDEX topics_chat ON topics (chat_id)",
            # One row per (topic, story), written in the same transaction that advances the
            # match mark below, and marked sent only after Telegram accepted the message:
            # at-least-once delivery, and the unique key makes a second match a no-op.
            """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
                story_id INTEGER NOT NULL,
                article_id INTEGER NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                in_digest INTEGER NOT NULL DEFAULT 0,
                UNIQUE (topic_id, story_id)
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (topic_id) WHERE sent_at IS NULL",
            "CREATE INDEX outbox_sent ON outbox (topic_id, sent_at)",
            # Articles up to this id have been matched against the topics; articles stored
            # before topics existed never alert.
            """
            INSERT INTO meta (key, value)
            SELECT 'alerts_matched_up_to', COALESCE(MAX(id), 0) FROM articles
            """,
            "INSERT INTO meta (key, value) VALUES ('topics_version', '0')",
        ),
    ),
    Migration(
        version=6,
        description="stories: reprints grouped, with MinHash signatures and LSH band keys",
        statements=(
            # A story is a set of articles that are one news item (an original and its
            # reprints, wire copies and updated versions). Every article belongs to exactly
            # one; most stories have one member. The id is stable while the story has
            # members, so "once per story" (alerts) survives merges of later reprints.
            "CREATE TABLE stories (id INTEGER PRIMARY KEY AUTOINCREMENT)",
            "ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id)",
            # Articles stored before this migration start as stories of one (same id), and
            # are signed and matched on the next ingest (``index.reprints``).
            "INSERT INTO stories (id) SELECT id FROM articles",
            "UPDATE articles SET story_id = id",
            "CREATE INDEX articles_story ON articles (story_id)",
            # The MinHash signature of each article (little-endian uint32s), its shingle
            # count and its band keys (int64s, to delete its story_bands rows); a missing
            # row means "not yet signed".
            """
            CREATE TABLE story_signatures (
                article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
                size INTEGER NOT NULL,
                signature BLOB NOT NULL,
                bands BLOB NOT NULL
            )
            """,
            # The LSH: one row per band of each signature; candidates share a (band, key).
            # Deleted explicitly with the article (by its signature), so no article index.
            """
            CREATE TABLE story_bands (
                band INTEGER NOT NULL,
                key INTEGER NOT NULL,
                article_id INTEGER NOT NULL,
                PRIMARY KEY (band, key, article_id)
            ) WITHOUT ROWID
            """,
        ),
    ),
    # Issue 14.
    Migration(
        version=7,
        description="statements: who said what, with speaker and date",
        statements=(
            # Written in the article's own save transaction; ON DELETE CASCADE makes a
            # deleted article take its statements with it. Existing articles get theirs at
            # the next ``reindex``.
            """
            CREATE TABLE statements (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                speaker TEXT NOT NULL,
                speaker_as_written TEXT NOT NULL,
                speaker_key TEXT NOT NULL,
                start INTEGER NOT NULL,
                end INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('direct', 'reported')),
                said_on TEXT,
                date_source TEXT NOT NULL CHECK (date_source IN ('text', 'published')),
                cue_start INTEGER NOT NULL,
                cue_end INTEGER NOT NULL
            )
            """,
            "CREATE INDEX statements_speaker ON statements (speaker_key, said_on)",
            "CREATE INDEX statements_article ON statements (article_id)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version

_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def read_schema_version(conn: sqlite3.Connection) -> int:
    """The version recorded in ``meta`` (0 for a store that has never been migrated)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def newest_version(migrations: tuple[Migration, ...]) -> int:
    """The version the migrations lead to, after checking they are numbered in order."""
    check_order(migrations)
    return migrations[-1].version if migrations else 0


def refuse_newer(version: int, newest: int, name: str = "") -> None:
    """Refuse a store migrated by a newer newsdesk (both backends say it the same way)."""
    if version > newest:
        raise StoreError(
            f"the store has schema version {version}, newer than this newsdesk knows "
            f"({newest}); upgrade newsdesk to open it",
            item=name or None,
        )


def migrate(
    conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS, *, name: str = ""
) -> int:
    """Bring the store up to the newest migration; returns the resulting version.

    Each migration runs under ``BEGIN IMMEDIATE`` and re-reads the version first, so two
    processes opening a fresh store at once do not both apply it.

    Args:
        conn: a connection in autocommit mode (``isolation_level=None``).
        migrations: the ordered migrations (tests pass their own lists).
        name: how to name the store in errors.

    Raises:
        StoreError: the store's version is newer than the newest migration we know, or a
            migration failed (it is rolled back; the store stays at the previous version).
    """
    newest = newest_version(migrations)
    conn.execute(_META_DDL)
    version = read_schema_version(conn)
    refuse_newer(version, newest, name)
    for migration in migrations:
        if migration.version <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if read_schema_version(conn) >= migration.version:
                conn.execute("ROLLBACK")
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(migration.version),),
            )
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            conn.execute("ROLLBACK")
            raise StoreError(
                f"could not upgrade the store to schema {migration.version} "
                f"({migration.description}): {exc}",
                item=name or None,
            ) from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        logger.info("store migrated to schema %s (%s)", migration.version, migration.description)
        version = migration.version
    return max(version, read_schema_version(conn))


def check_order(migrations: tuple[Migration, ...]) -> None:
    """Versions must run 1, 2, 3, ... so that a gap or a duplicate is caught at once."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"migrations are not numbered 1..n in order: {versions}")
