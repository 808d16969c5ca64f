"""`kill -9` in the middle of writing leaves every article either complete or absent."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from index.store import ArticleStore, open_database
from tests.killing import kill_after_articles

# Writes articles of 40 paragraphs each until killed, so most of its time is spent inside a
# transaction and the kill lands mid-article.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.models import ExtractedArticle, PassageSpan
    from index.store import ArticleStore, open_database

    store = ArticleStore(open_database(sys.argv[1]))
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


def test_kill_mid_write_leaves_only_complete_articles(store_location: Path | str) -> None:
    """On both backends (``store_location``: a SQLite file, then a PostgreSQL database)."""
    path = store_location
    kill_after_articles([sys.executable, "-c", WRITER, str(path)], path, 25, timeout_s=30)

    store = ArticleStore(open_database(path))
    assert store.count_articles() >= 25
    assert store.check_integrity() == []
    for (article_id,) in store.db.conn.execute("SELECT id FROM articles"):
        assert len(store.passages_of(article_id)) == 40
    store.db.close()
