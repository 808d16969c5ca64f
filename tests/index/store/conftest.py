"""Store fixtures: a fresh database and a helper that builds articles with exact passages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from index.models import ExtractedArticle, PassageSpan
from index.store import ArticleStore, Database
from index.store.db import open_database


@pytest.fixture
def db(store_location: Path | str) -> Database:
    """A fresh store on each backend (``store_location`` is parametrised in tests/conftest)."""
    database = open_database(store_location)
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> ArticleStore:
    return ArticleStore(db)


def paragraph_spans(body: str) -> list[PassageSpan]:
    """One passage per blank-line paragraph, offsets exact (independent of index.extract)."""
    spans, pos = [], 0
    for block in body.split("\n\n"):
        start = body.index(block, pos)
        if block.strip():
            spans.append(PassageSpan(len(spans), block, start, start + len(block)))
        pos = start + len(block)
    return spans


def make_article(
    body: str = "First paragraph about Kyiv.\n\nSecond paragraph about NATO.",
    *,
    title: str = "A title",
    url: str | None = None,
    published_at: datetime | None = None,
    **fields: object,
) -> tuple[ExtractedArticle, list[PassageSpan]]:
    article = ExtractedArticle(
        title=title, body=body, url=url, published_at=published_at, **fields
    )
    return article, paragraph_spans(body)
