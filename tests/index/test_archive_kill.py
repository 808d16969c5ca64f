"""`kill -9` during `newsdesk ingest FOLDER`: every article is complete or absent, and the
archive recovers by itself (a second ingest finishes the folder and the index catches up)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from tests.cli.corpus import write_many
from tests.conftest import PROJECT_ROOT

N_FILES = 400


def _stored(path: Path) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_during_folder_ingest_leaves_whole_articles(tmp_path: Path) -> None:
    folder = write_many(tmp_path / "many", N_FILES)
    data_dir = tmp_path / "data"
    store_file = data_dir / "newsdesk.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "index", "ingest", str(folder), "--data-dir", str(data_dir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while _stored(store_file) < 20:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

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
