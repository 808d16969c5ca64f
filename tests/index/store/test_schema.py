"""Schema versions and migrations: applied in order, once, and a newer store is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.errors import StoreError
from index.store import MIGRATIONS, SCHEMA_VERSION, Database, Migration
from index.store.schema import migrate, read_schema_version


def test_fresh_store_is_at_the_newest_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    assert db.schema_version == SCHEMA_VERSION
    assert read_schema_version(db.conn) == SCHEMA_VERSION
    tables = {row[0] for row in db.conn.execute("SELECT name FROM sqlite_master")}
    assert {"meta", "articles", "passages"} <= tables
    db.close()


def test_migrations_are_numbered_from_one_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == SCHEMA_VERSION


def test_an_older_store_is_migrated_forward_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    old = Database(path, migrations=MIGRATIONS[:1])
    old.conn.execute(
        "INSERT INTO articles (title, body, content_hash, ingested_at) "
        "VALUES ('kept', 'body', 'h', '2024-01-01T00:00:00+00:00')"
    )
    old.close()
    extra = Migration(
        len(MIGRATIONS) + 1,
        "test table",
        ("CREATE TABLE extra (id INTEGER PRIMARY KEY)", "CREATE INDEX extra_id ON extra (id)"),
    )
    new = Database(path, migrations=(*MIGRATIONS, extra))
    assert new.schema_version == extra.version
    assert new.conn.execute("SELECT title FROM articles").fetchone()[0] == "kept"
    assert new.conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 0
    new.close()


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Database(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn) == SCHEMA_VERSION
    conn.close()


def test_a_failing_migration_rolls_back_and_keeps_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Database(path).close()
    broken = Migration(
        len(MIGRATIONS) + 1, "broken", ("CREATE TABLE half (id INTEGER)", "NOT SQL AT ALL")
    )
    with pytest.raises(StoreError, match="could not upgrade the store to schema"):
        Database(path, migrations=(*MIGRATIONS, broken))
    conn = sqlite3.connect(path)
    assert read_schema_version(conn) == SCHEMA_VERSION
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    conn.close()


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"schema version 999, newer .*upgrade newsdesk"):
        Database(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        Database(path)


def test_migrations_out_of_order_are_rejected(tmp_path: Path) -> None:
    gap = (MIGRATIONS[0], Migration(len(MIGRATIONS) + 2, "gap", ("SELECT 1",)))
    with pytest.raises(StoreError, match="numbered"):
        Database(tmp_path / "s.sqlite3", migrations=gap)


def test_a_data_dir_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        Database(blocker / "sub" / "s.sqlite3")


# -- the same migrations on PostgreSQL (index.store.pg) --------------------------------------


def test_postgres_store_is_migrated_once_to_the_newest_version(pg_url: str) -> None:
    from index.store.pg import PgDatabase

    db = PgDatabase(pg_url)
    assert db.schema_version == SCHEMA_VERSION
    assert read_schema_version(db.conn) == SCHEMA_VERSION
    tables = {
        row[0]
        for row in db.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    }
    assert {"meta", "articles", "passages", "topics", "statements", "story_bands"} <= tables
    db.close()
    again = PgDatabase(pg_url)  # a second open applies nothing
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_postgres_failing_migration_rolls_back_and_newer_schema_is_refused(pg_url: str) -> None:
    from index.store.pg import PgDatabase

    PgDatabase(pg_url).close()
    broken = Migration(
        len(MIGRATIONS) + 1, "broken", ("CREATE TABLE half (id INTEGER)", "NOT SQL AT ALL")
    )
    with pytest.raises(StoreError, match="could not upgrade the store to schema"):
        PgDatabase(pg_url, migrations=(*MIGRATIONS, broken))
    db = PgDatabase(pg_url)
    assert db.schema_version == SCHEMA_VERSION
    assert db.conn.execute("SELECT to_regclass('half')").fetchone()[0] is None
    with db.transaction() as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(StoreError, match=r"schema version 999, newer .*upgrade newsdesk"):
        PgDatabase(pg_url)
