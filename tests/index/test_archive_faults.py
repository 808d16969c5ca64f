"""Faults the archive recovers from by itself: a full disk, an article deleted while an ingest
is writing, and an index that disagrees with the store (issue 10, faults 3 and 5).

The full disk is real where it can be without root: SQLite's ``max_page_count`` makes the
store's own connection answer "database or disk is full" exactly as on a full filesystem.
An index write that runs out of space is injected as ``OSError(ENOSPC)`` halfway through a
segment, so a partial segment really is on disk when the error is raised.
``tests/index/test_disk_full_tmpfs.py`` runs the same on a real, full tmpfs as root.
"""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import numpy as np
import pytest

from index import Archive, IndexSettings, open_archive
from index.models import Progress
from index.search import segments
from tests.cli.corpus import N_ARTICLES, write_corpus, write_many

pytest.importorskip("index.analysis.analyzer", reason="the analyser (issue 3) has not landed")
pytest.importorskip("index.search.engine", reason="the search engine (issue 3) has not landed")


@pytest.fixture
def archive(settings: IndexSettings, tmp_path: Path) -> Archive:
    with open_archive(settings) as opened:
        report = opened.ingest([str(write_corpus(tmp_path / "corpus"))])
        assert report.count("new") == N_ARTICLES and report.index_error is None
        yield opened


def _fill_the_store(archive: Archive, spare_pages: int) -> None:
    """Let the store grow by only ``spare_pages`` pages: then it is "database or disk is full"."""
    conn = archive.store.db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def _consistent(settings: IndexSettings) -> tuple[int, int]:
    """(passages, indexed) as a fresh process sees them, with its queue empty afterwards."""
    with open_archive(settings) as fresh:
        stats = fresh.stats()
        assert fresh.store.pending_index_ops() == ([], [])
        return stats.passages, stats.index_passages


# -- fault 3: the disk is full ----------------------------------------------------------------


def test_a_full_store_stops_the_ingest_at_the_first_article_it_cannot_save(
    archive: Archive, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_many(tmp_path / "many", 300)
    _fill_the_store(archive, spare_pages=4)
    with caplog.at_level(logging.WARNING):
        report = archive.ingest([str(folder)])
    assert report.stopped == "the disk is full"
    stored = report.count("new")
    assert 0 < stored < 300
    [failed] = report.failed  # one failure, not one per remaining article
    assert failed.reason.startswith("the disk is full")
    assert len(report.not_read) == 300 - stored - 1
    assert report.not_read[0] == str(folder / f"item-{stored + 1:04d}.txt")
    assert "database or disk is full" not in caplog.text
    assert archive.stats().articles == N_ARTICLES + stored


def test_a_full_disk_during_an_index_write_leaves_no_partial_segment_and_heals(
    settings: IndexSettings, archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = segments._save_array
    written: list[str] = []

    def disk_full_after_three(directory: Path, name: str, array: np.ndarray) -> dict:
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(name)
        return real_save(directory, name, array)

    index_dir = settings.data_dir / "index"
    before = sorted(index_dir.rglob("*"))
    monkeypatch.setattr(segments, "_save_array", disk_full_after_three)
    folder = write_many(tmp_path / "many", 5)
    report = archive.ingest([str(folder)])
    assert written  # the segment was half written when the disk ran out
    assert report.count("new") == 5
    assert report.index_error is not None and report.index_error.startswith("the disk is full")
    assert sorted(index_dir.rglob("*")) == before  # nothing half-written is left
    assert archive.store.pending_index_ops()[1]  # the update stays queued

    monkeypatch.undo()  # space is freed
    passages, indexed = _consistent(settings)  # the next ordinary command replays the queue
    assert indexed == passages
    with open_archive(settings) as fresh:
        answer = fresh.ask("council meeting number 3 road repairs")
        assert answer.found
        assert answer.articles[0].citation.title == "Council meeting number 3"


def test_a_long_lived_reader_retries_the_catch_up_once_the_disk_has_space(
    settings: IndexSettings,
    archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The bot: its first question finds the disk still full, a later one catches up."""
    from index import indexing

    def no_space(*_args: object) -> dict:
        raise OSError(errno.ENOSPC, "No space left on device")

    real_save = segments._save_array
    monkeypatch.setattr(indexing, "CATCH_UP_RETRY_S", 0.0)  # the retry is due at once
    monkeypatch.setattr(segments, "_save_array", no_space)
    archive.ingest([str(write_many(tmp_path / "many", 2))])
    with open_archive(settings) as bot, caplog.at_level(logging.WARNING):
        assert bot.ask("What did Marchenko say about the budget?").found  # the old index
        assert "the index could not catch up with the store: the disk is full" in caplog.text
        assert "Traceback" not in caplog.text
        monkeypatch.setattr(segments, "_save_array", real_save)  # space is freed
        answer = bot.ask("council meeting number 1")
        assert answer.articles[0].citation.title == "Council meeting number 1"
        assert bot.store.pending_index_ops() == ([], [])


def test_a_segment_left_by_a_failed_write_is_replaced(tmp_path: Path) -> None:
    """An old partial ``delta-…`` (from before writes went through a temporary name)."""
    from index.search import SearchIndex
    from index.search.building import segment_from_docs

    index = SearchIndex.empty(tmp_path / "index")
    gen_dir = next((tmp_path / "index").glob("gen-*"))
    stale = gen_dir / "delta-000001"
    stale.mkdir()
    (stale / "indptr.npy").write_bytes(b"half")
    data = segment_from_docs([], None)
    segments.write_segment(stale, data, "delta")
    assert segments.read_segment(stale).n_docs == 0
    assert index.n_docs == 0


def test_a_failed_small_file_write_leaves_neither_the_file_nor_its_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(segments.os, "fsync", no_space)
    dead = segments.DeadRows(np.arange(3), np.arange(2), np.ones(2, np.int64))
    with pytest.raises(OSError):
        segments.write_dead(tmp_path / "dead-base-000001.npz", dead)
    with pytest.raises(OSError):
        segments.write_current(tmp_path, segments.Pointer("gen-000001", 1))
    assert list(tmp_path.iterdir()) == []


# -- fault 5: an article deleted while an ingest is writing ------------------------------------


def test_an_article_deleted_while_the_ingest_flushes_stays_out_of_the_index(
    settings: IndexSettings, archive: Archive, tmp_path: Path
) -> None:
    folder = write_many(tmp_path / "many", 3)
    deleted: list[int] = []

    def delete_from_another_process(tick: Progress) -> None:
        # After the last file is stored and before the ingest writes its delta.
        if tick.stage == "files" and tick.done == tick.total and not deleted:
            with open_archive(settings) as other:
                [summary] = [
                    a
                    for a in other.list_articles(limit=100)
                    if a.title == "Council meeting number 2"
                ]
                other.delete(summary.article_id)
                deleted.append(summary.article_id)

    report = archive.ingest([str(folder)], progress=delete_from_another_process)
    assert report.index_error is None and deleted
    stats = archive.stats()
    assert stats.index_passages == stats.passages
    titles = [a.citation.title for a in archive.ask("council meeting number 2").articles]
    assert "Council meeting number 2" not in titles
    assert _consistent(settings) == (stats.passages, stats.passages)


def test_an_index_that_holds_deleted_passages_heals_on_the_next_command(
    settings: IndexSettings, archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    """What the old flush left behind: passages in the index that the store deleted."""
    doomed = archive.ask("What did Marchenko say about the budget?").articles[0].citation
    _, passage_ids = archive.store.delete(doomed.article_id)
    archive.store.clear_index_ops(passage_ids, ())  # the delete's own index update is lost
    assert archive.stats().index_passages == archive.stats().passages + len(passage_ids)

    with caplog.at_level(logging.WARNING):
        passages, indexed = _consistent(settings)
    assert indexed == passages
    assert "reindex" not in caplog.text


def test_an_index_missing_stored_passages_heals_on_the_next_command(
    settings: IndexSettings, archive: Archive, tmp_path: Path
) -> None:
    folder = write_many(tmp_path / "many", 2)
    with open_archive(settings) as other:
        other.keeper.apply = lambda *_args: None  # an index write that was lost
        other.ingest([str(folder)])
        removes, adds = other.store.pending_index_ops()
        other.store.clear_index_ops(removes, adds)  # and its queue entries with it
    passages, indexed = _consistent(settings)
    assert indexed == passages
    with open_archive(settings) as fresh:
        assert fresh.ask("council meeting number 1").articles[0].citation.title == (
            "Council meeting number 1"
        )


def test_an_article_the_store_lost_is_logged_by_id_not_dumped(
    archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    citation = archive.ask("What did Marchenko say about the budget?").articles[0].citation
    archive.store.delete(citation.article_id)  # the index is not told
    with caplog.at_level(logging.WARNING):
        archive.ask("What did Marchenko say about the budget?")
    assert f"article {citation.article_id} is in the index but not in the store" in caplog.text
    assert "RankedArticle" not in caplog.text


def test_a_reader_keeps_answering_when_the_index_on_disk_turns_unreadable(
    settings: IndexSettings, archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process damaged ``CURRENT`` under a running reader (the bot)."""
    assert archive.ask("What did Marchenko say about the budget?").found
    (settings.data_dir / "index" / "CURRENT").write_text("{ not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert archive.ask("What did Marchenko say about the budget?").found
    assert "the index on disk is unreadable" in caplog.text
