"""`newsdesk check` and `newsdesk backup` (issue 10, operator commands), end to end."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from tests.cli.conftest import Run
from tests.cli.corpus import N_ARTICLES
from tests.cli.test_faults import damage_tables


def test_check_on_a_healthy_archive_exits_0(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    result = newsdesk("check")
    assert result.code == 0, result.out
    assert "store:      ok (SQLite integrity check passed)" in result.out
    assert f"articles:   {N_ARTICLES}" in result.out
    assert result.out.rstrip().endswith("all good")
    report = newsdesk("check", "--json").json()
    assert report["ok"] is True  # type: ignore[index]
    assert report["passages"] == report["indexed_passages"] > 0  # type: ignore[index]
    assert report["store_bytes"] > 0 and report["index_bytes"] > 0  # type: ignore[index]


def test_check_names_reindex_when_the_index_is_behind_the_store(
    newsdesk: Run, corpus: Path, data_dir: Path
) -> None:
    newsdesk("ingest", str(corpus))
    shutil.rmtree(data_dir / "index")
    result = newsdesk("check")
    assert result.code == 1
    assert "problem: the index holds 0 passages, the store" in result.out
    assert "fix: run `newsdesk reindex`" in result.out
    assert newsdesk("reindex").code == 0
    assert newsdesk("check").code == 0


def test_check_reports_a_damaged_store_with_the_restore_fix(
    newsdesk: Run, corpus: Path, data_dir: Path
) -> None:
    newsdesk("ingest", str(corpus))
    damage_tables(data_dir / "newsdesk.sqlite3")
    result = newsdesk("check")
    assert result.code == 1
    assert "store:      DAMAGED" in result.out
    assert "problem: the store is damaged" in result.out
    assert "newsdesk restore BACKUP" in result.out
    assert "Traceback" not in result.err
    payload = newsdesk("check", "--json").json()
    assert payload["ok"] is False and payload["store_problems"]  # type: ignore[index]


def _keep_ingesting(data_dir: Path, stop: threading.Event, stored: list[int]) -> None:
    """Another writer (as the running bot would be): one small article after another."""
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:  # type: ignore[call-arg]
        number = 0
        while not stop.is_set() or number < 5:
            number += 1
            text = (
                f"Harbour bulletin number {number}\n\nThe harbour master reported ship "
                f"arrivals for bulletin {number} on a calm morning with light winds.\n"
            )
            report = archive.ingest_bytes(f"bulletin-{number}.txt", text.encode())
            stored += [i.article_id or 0 for i in report.items if i.outcome == "new"]


def test_backup_while_writing_is_consistent_and_restores_with_reindex(
    newsdesk: Run, corpus: Path, data_dir: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    stop = threading.Event()
    stored: list[int] = []
    writer = threading.Thread(target=_keep_ingesting, args=(data_dir, stop, stored))
    writer.start()
    try:
        while len(stored) < 3:  # the writer is under way
            threading.Event().wait(0.01)
        backups = tmp_path / "backups"
        backups.mkdir()
        result = newsdesk("backup", str(backups), "--json")
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.code == 0, result.err
    report = result.json()
    copy = Path(report["path"])  # type: ignore[index]
    assert copy.parent == backups and copy.name.startswith("newsdesk-")
    assert not list(backups.glob("*.partial"))
    # One consistent moment: the copy is sound, every article has all its passages.
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    orphans = conn.execute(
        "SELECT count(*) FROM articles a WHERE NOT EXISTS "
        "(SELECT 1 FROM passages p WHERE p.article_id = a.id)"
    ).fetchone()[0]
    conn.close()
    assert articles == report["articles"] >= N_ARTICLES + 3  # type: ignore[index]
    assert orphans == 0
    # The live archive went on: the writer stored more after the copy was taken.
    assert newsdesk("stats", "--json").json()["articles"] > report["articles"]  # type: ignore[index]

    # Restore = copy it back + reindex.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copyfile(copy, restored / "newsdesk.sqlite3")
    assert newsdesk("reindex", "--data-dir", str(restored), data=False).code == 0
    check = newsdesk("check", "--json", "--data-dir", str(restored), data=False)
    assert check.code == 0
    assert check.json()["articles"] == report["articles"]  # type: ignore[index]
    found = newsdesk("ask", "harbour bulletin", "--json", "--data-dir", str(restored), data=False)
    assert found.json()["found"] is True  # type: ignore[index]


def test_backup_text_says_what_was_copied_and_how_to_restore(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    dest = tmp_path / "copy.sqlite3"
    result = newsdesk("backup", str(dest))
    assert result.code == 0
    assert result.out.startswith(f"backed up {N_ARTICLES} articles, ")
    assert f"to {dest} in " in result.out
    assert f"restore: stop the bot, then `newsdesk restore {dest}`" in result.out
    again = newsdesk("backup", str(dest))
    assert again.code == 1
    assert again.err == f"error: {dest}: already exists; choose a new name\n"


@pytest.mark.parametrize("argv", [["check"], ["backup", "x.sqlite3"]], ids=" ".join)
def test_check_and_backup_need_an_archive(newsdesk: Run, data_dir: Path, argv: list[str]) -> None:
    result = newsdesk(*argv)
    assert result.code == 2
    assert "no archive at" in result.err
    assert not data_dir.exists()


def test_restore_puts_a_backup_over_a_damaged_store_and_reindexes(
    newsdesk: Run, corpus: Path, data_dir: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    backup = tmp_path / "good.sqlite3"
    assert newsdesk("backup", str(backup)).code == 0
    damage_tables(data_dir / "newsdesk.sqlite3")
    assert newsdesk("stats").code == 2  # damaged: one line, exit 2
    result = newsdesk("restore", str(backup))
    assert result.code == 0, result.err
    assert result.out.startswith(f"restored {N_ARTICLES} articles and ")
    [kept] = data_dir.glob("newsdesk.sqlite3.before-restore-*")
    assert "the replaced store is kept as" in result.out and kept.name in result.out
    assert not (data_dir / "newsdesk.sqlite3.partial").exists()
    check = newsdesk("check", "--json")
    assert check.code == 0, check.out
    assert check.json()["articles"] == N_ARTICLES  # type: ignore[index]
    answer = newsdesk("ask", "storm Odesa power", "--json").json()
    assert answer["found"] is True  # type: ignore[index]


def test_restore_into_a_new_data_dir_creates_the_archive(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    backup = tmp_path / "b.sqlite3"
    newsdesk("backup", str(backup))
    fresh = tmp_path / "fresh"
    result = newsdesk("restore", str(backup), "--json", "--data-dir", str(fresh), data=False)
    assert result.code == 0
    payload = result.json()
    assert payload["restored"]["replaced"] is None  # type: ignore[index]
    assert payload["reindex"]["passages"] > 0  # type: ignore[index]
    assert newsdesk("check", "--data-dir", str(fresh), data=False).code == 0


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100], ids=["empty", "junk"])
def test_restore_refuses_a_file_that_is_no_backup(
    newsdesk: Run, corpus: Path, data_dir: Path, tmp_path: Path, content: bytes
) -> None:
    newsdesk("ingest", str(corpus))
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(content)
    before = (data_dir / "newsdesk.sqlite3").read_bytes()
    result = newsdesk("restore", str(bogus))
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert "not a newsdesk store backup" in result.err or "damaged" in result.err
    assert (data_dir / "newsdesk.sqlite3").read_bytes() == before  # untouched
