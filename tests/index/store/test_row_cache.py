"""The row cache in front of a PostgreSQL store (replicas): served rows, never stale ones."""

from __future__ import annotations

import pytest

from index.store import ArticleStore, Database
from index.store.db import open_database
from index.store.row_cache import RowCache
from tests.index.store.conftest import make_article

pytestmark = pytest.mark.slow


@pytest.fixture
def db(pg_url: str) -> Database:
    """A fresh PostgreSQL store (the cache is refused on SQLite)."""
    database = open_database(pg_url)
    yield database
    database.close()


def test_the_cache_is_refused_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = open_database(tmp_path / "store.sqlite3")
    with pytest.raises(ValueError, match="PostgreSQL"):
        ArticleStore(database, RowCache())
    database.close()


def _cached_store(db: Database) -> ArticleStore:
    return ArticleStore(db, RowCache(max_articles=2, max_passages=3))


def test_reads_fill_the_cache_and_come_back_the_same(db: Database) -> None:
    store = _cached_store(db)
    saved = store.save(*make_article(url="https://a.example/1"))
    ids = [p.passage_id for p in saved.passages]
    first = store.passages_by_id(ids)
    article = store.articles_by_id([saved.article.article_id])
    # The article came with its passages, in the same round trip.
    assert store.cache is not None and store.cache.misses == 2 and store.cache.hits == 1
    assert store.passages_by_id(ids) == first
    assert store.articles_by_id([saved.article.article_id]) == article
    assert store.article_languages([saved.article.article_id]) == {
        saved.article.article_id: saved.article.language
    }
    assert store.cache.hits == 5 and store.cache.misses == 2
    assert list(store.passages_by_id(list(reversed(ids)))) == sorted(ids)  # id order kept
    assert store.passages_by_id([ids[0], 10**9]) == {ids[0]: first[ids[0]]}


def test_an_update_or_delete_by_this_process_is_never_served_from_the_cache(
    db: Database,
) -> None:
    store = _cached_store(db)
    old = store.save(*make_article(url="https://a.example/1", title="Old"))
    old_ids = [p.passage_id for p in old.passages]
    store.passages_by_id(old_ids)
    store.articles_by_id([old.article.article_id])
    new = store.save(*make_article("New text only.", url="https://a.example/1", title="New"))
    assert new.outcome == "updated"
    assert store.passages_by_id(old_ids) == {}
    assert store.articles_by_id([old.article.article_id])[old.article.article_id].title == "New"
    store.delete(old.article.article_id)
    assert store.articles_by_id([old.article.article_id]) == {}
    assert store.passages_by_id([p.passage_id for p in new.passages]) == {}


def test_passages_removed_by_another_process_leave_the_cache(db: Database) -> None:
    reader, writer = _cached_store(db), ArticleStore(db)
    saved = writer.save(*make_article(url="https://a.example/1"))
    article_id = saved.article.article_id
    ids = [p.passage_id for p in saved.passages]
    reader.passages_by_id(ids)
    reader.articles_by_id([article_id])
    writer.delete(article_id)
    # Until the change log says so, the reader serves what it read (as its index would).
    assert reader.articles_by_id([article_id])
    reader.changed_elsewhere(ids, [])  # what ``Archive._apply_changes`` does for the change log
    assert reader.articles_by_id([article_id]) == {} and reader.passages_by_id(ids) == {}


def test_the_cache_is_bounded_and_a_read_racing_a_forget_keeps_nothing() -> None:
    cache = RowCache(max_articles=2, max_passages=2)
    from index.store.articles import _passage

    rows = {i: _passage((i, 1, i, "text", 0, 4, "body")) for i in range(1, 4)}
    cache.fill(cache.generation, passages=rows)
    assert set(cache.passages([1, 2, 3])) == {2, 3}  # the least recently used went first
    stale = cache.generation
    cache.forget_passages([2])
    cache.fill(stale, passages={9: _passage((9, 1, 0, "old", 0, 3, "body"))})
    assert cache.passages([9]) == {}


def test_stories_are_kept_briefly_and_dropped_by_a_story_write(db: Database) -> None:
    from index.store import StoryStore

    cache = RowCache()
    store, stories = ArticleStore(db, cache), StoryStore(db, cache)
    article_id = store.save(*make_article(url="https://a.example/1")).article.article_id
    first = stories.stories_of([article_id])
    assert list(first) == [article_id]
    misses = cache.misses
    assert stories.stories_of([article_id]) == first and cache.misses == misses  # kept
    with stories.batch():  # any story write (a reprint moved, here or by this process)
        pass
    assert stories.stories_of([article_id]) == first and cache.misses == misses + 1
    cache.story_ttl_s = 0.0  # as RowCache starts with row_cache.STORY_TTL_S
    assert stories.stories_of([article_id]) == first and cache.misses == misses + 2  # expired
