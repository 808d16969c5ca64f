"""`kill -9` during `newsdesk ingest FOLDER`: every article is complete or absent, and the
archive recovers by itself (a second ingest finishes the folder and the index catches up)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from tests.cli.corpus import write_many
from tests.killing import kill_after_articles

N_FILES = 400


@pytest.mark.slow
def test_kill_during_folder_ingest_leaves_whole_articles(tmp_path: Path) -> None:
    folder = write_many(tmp_path / "many", N_FILES)
    data_dir = tmp_path / "data"
    store_file = data_dir / "newsdesk.sqlite3"
    command = [sys.executable, "-m", "index", "ingest", str(folder), "--data-dir", str(data_dir)]
    kill_after_articles(command, store_file, 20, timeout_s=60)

    settings = IndexSettings(data_dir=data_dir, _env_file=None)
    with open_archive(settings) as archive:
        stored = archive.stats().articles
        assert 20 <= stored < N_FILES
        assert archive.store.check_integrity() == []
        for summary in archive.list_articles(limit=N_FILES):
            article = archive.get_article(summary.article_id)
            passages = archive.get_passages(summary.article_id)
            assert passages, f"article {summary.article_id} lost its passages"
            assert all(article.body[p.start : p.end] == p.text for p in passages)
        # Nothing is lost or duplicated: finishing the folder stores exactly the rest.
        report = archive.ingest([str(folder)])
        assert report.count("unchanged") == stored
        assert report.count("new") == N_FILES - stored
        assert archive.stats().articles == N_FILES
        # What the killed process committed but never indexed was replayed from the index
        # queue: the index is complete without a reindex.
        assert archive.stats().index_passages == archive.stats().passages
        assert archive.store.pending_index_ops() == ([], [])
