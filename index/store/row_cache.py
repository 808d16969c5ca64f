"""Article and passage rows kept in this process, so a question rarely waits on the server.

Why: with the store on PostgreSQL every read is a network round trip (about 0.5–2.5 ms on
the development machine, against 0.015 ms for SQLite), and one ``ask`` reads the rows of the
articles and passages it cites several times. The rows are nearly immutable, so a bounded
cache per process serves most of them:

- a passage never changes: an updated article gets new passage ids (``ArticleStore.save``),
  so a passage row only ever disappears (deleted or replaced);
- an article row changes only together with its passages (an update replaces them all, a
  delete removes them), so every change to it shows in the replica change log as a
  ``remove`` of its passages (``index.store.changes``).

So ``forget_passages`` (called for this process's own updates and deletes, and by the change
follower for everyone else's) drops the passages and the articles they belong to. A row read
from the server while a ``forget`` ran might be the old version: ``fill`` takes the
generation seen before the read and keeps nothing if a ``forget`` happened meanwhile.

Used only with the store on PostgreSQL: SQLite reads are as cheap as a cache, and SQLite
processes do not follow a change log that would invalidate it.

While the server is unreachable the cache is also what lets a replica keep answering the
questions whose articles it has read before (``index.store.articles``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from index.models import Article, Passage, Story

#: Rows kept of each kind. An article row holds its body (a few KB), so 20,000 articles
#: are about 100 MB at most; passages are shorter and more numerous per question.
MAX_ARTICLES = 20_000
MAX_PASSAGES = 100_000
#: How long a story read is served again. Stories change at any ingest (an article joins a
#: story, ``index.reprints`` moves one), also in a transaction after the one the change log
#: reports, so they are kept only this long: long enough for the reads of one question (the
#: articles' stories come with the articles, ``ArticleStore.articles_by_id``), well under the
#: 2 s in which a change must reach every replica.
STORY_TTL_S = 1.0
#: The same while this process follows the change log (``index.store.changes``), which also
#: carries every story change (a ``story`` entry, ``index.store.stories``): the follower
#: drops the stories at once, and the TTL is only a safety net (a writer of an older
#: newsdesk that does not log story changes). With 1 s, a replica under load read a cited
#: article's story again for about one question in three (``docs/postgres.md``).
STORY_TTL_FOLLOWED_S = 60.0

Row = TypeVar("Row", Article, Passage)


class _Lru(Generic[Row]):
    """Rows by id, least recently used dropped first (callers hold the cache's lock)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: OrderedDict[int, Row] = OrderedDict()

    def get(self, ids: Iterable[int]) -> dict[int, Row]:
        found: dict[int, Row] = {}
        for row_id in ids:
            row = self.rows.get(row_id)
            if row is not None:
                self.rows.move_to_end(row_id)
                found[row_id] = row
        return found

    def put(self, rows: dict[int, Row]) -> None:
        self.rows.update(rows)
        for row_id in rows:
            self.rows.move_to_end(row_id)
        while len(self.rows) > self.limit:
            self.rows.popitem(last=False)


class RowCache:
    """Articles and passages by id for one process; thread-safe (the bot asks from workers).

    Args:
        max_articles: article rows kept.
        max_passages: passage rows kept.
    """

    def __init__(self, max_articles: int = MAX_ARTICLES, max_passages: int = MAX_PASSAGES) -> None:
        self._lock = threading.Lock()
        self._articles: _Lru[Article] = _Lru(max_articles)
        self._passages: _Lru[Passage] = _Lru(max_passages)
        self._stories: dict[int, tuple[float, Story | None]] = {}
        self.story_ttl_s = STORY_TTL_S
        self.generation = 0
        self.story_generation = 0
        self.hits = 0
        self.misses = 0

    def articles(self, ids: Sequence[int]) -> dict[int, Article]:
        """The cached ones among ``ids``."""
        with self._lock:
            found = self._articles.get(ids)
            self._count(len(ids), len(found))
            return found

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        """The cached ones among ``ids``."""
        with self._lock:
            found = self._passages.get(ids)
            self._count(len(ids), len(found))
            return found

    def fill(
        self,
        generation: int,
        *,
        articles: dict[int, Article] | None = None,
        passages: dict[int, Passage] | None = None,
    ) -> None:
        """Keep rows read from the server, unless a ``forget`` ran since ``generation``."""
        with self._lock:
            if generation != self.generation:
                return
            if articles:
                self._articles.put(articles)
            if passages:
                self._passages.put(passages)

    def stories(self, ids: Sequence[int], now: float) -> dict[int, Story | None]:
        """The stories read less than ``story_ttl_s`` ago among ``ids`` (None: no story)."""
        with self._lock:
            found = {}
            for article_id in ids:
                kept = self._stories.get(article_id)
                if kept is not None and now - kept[0] < self.story_ttl_s:
                    found[article_id] = kept[1]
            self._count(len(ids), len(found))
            return found

    def fill_stories(
        self, generation: int, stories: dict[int, Story | None], read_at: float
    ) -> None:
        """Keep stories read at ``read_at`` unless they changed since ``generation``."""
        with self._lock:
            if generation != self.story_generation:
                return
            if len(self._stories) > self._articles.limit:
                self._stories.clear()
            for article_id, story in stories.items():
                self._stories[article_id] = (read_at, story)

    def forget_stories(self) -> None:
        """Any story may have changed (an ingest or delete, here or by another process)."""
        with self._lock:
            self.story_generation += 1
            self._stories.clear()

    def forget_passages(self, passage_ids: Iterable[int]) -> None:
        """Passages removed or replaced: drop them and the articles they belong to.

        A removed passage this cache never held names no article, and its article row may
        still be cached (read through another passage): then every article row is dropped,
        which is rare (deletes and updates) and only costs re-reads.
        """
        with self._lock:
            self.generation += 1
            self.story_generation += 1
            self._stories.clear()
            unknown = False
            for passage_id in passage_ids:
                passage = self._passages.rows.pop(passage_id, None)
                if passage is None:
                    unknown = True
                else:
                    self._articles.rows.pop(passage.article_id, None)
            if unknown:
                self._articles.rows.clear()

    def forget_article(self, article_id: int) -> None:
        """An article updated or deleted by this process (its passages follow separately)."""
        with self._lock:
            self.generation += 1
            self.story_generation += 1
            self._stories.clear()
            self._articles.rows.pop(article_id, None)

    def clear(self) -> None:
        """Drop everything (an index rebuild: the store may have changed in any way)."""
        with self._lock:
            self.generation += 1
            self.story_generation += 1
            self._stories.clear()
            self._articles.rows.clear()
            self._passages.rows.clear()

    def _count(self, asked: int, found: int) -> None:
        self.hits += found
        self.misses += asked - found
