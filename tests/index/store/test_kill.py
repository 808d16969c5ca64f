"""`kill -9` in the middle of writing leaves every article either complete or absent."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from index.store import ArticleStore, Database
from tests.conftest import PROJECT_ROOT

# Writes articles of 40 paragraphs each until killed, so most of its time is spent inside a
# transaction and the kill lands mid-article.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.models import ExtractedArticle, PassageSpan
    from index.store import ArticleStore, Database

    store = ArticleStore(Database(Path(sys.argv[1])))
    for n in range(100_000):
        paragraphs = [f"Article {n} paragraph {i} " + "word " * 30 for i in range(40)]
        body = "\\n\\n".join(paragraphs)
        spans, pos = [], 0
        for i, text in enumerate(paragraphs):
            start = body.index(text, pos)
            spans.append(PassageSpan(i, text, start, start + len(text)))
            pos = start + len(text)
        store.save(ExtractedArticle(title=f"Article {n}", body=body), spans)
    """
)


def _count(path: Path) -> int:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_kill_mid_write_leaves_only_complete_articles(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=PROJECT_ROOT, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while _count(path) < 25:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    store = ArticleStore(Database(path))
    assert store.count_articles() >= 25
    assert store.check_integrity() == []
    for (article_id,) in store.db.conn.execute("SELECT id FROM articles"):
        assert len(store.passages_of(article_id)) == 40
    store.db.close()
