"""The store as one question reads it: passages and articles by id, each row read once.

Answering a question reads the store twice over the same rows: the ranking layer reads its
feedback passages and their articles (RM3), then the evidence check reads the candidate
articles and the passages of those that can answer, and the best passages and articles are
usually the same in both. ``QuestionReads`` wraps the store for one question and keeps what
it read, so the second stage asks the store only for rows it has not seen. It lives for one
question only: between questions the store may change (ingest, delete). Articles are read
without their bodies when the store can (``article_summaries_by_id``): a body is most of an
article row, and only a snippet whose context comes from a neighbouring passage reads one
(``body_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from index.answer.protocols import ArticleHead, DateCoverage, PassageSource
from index.models import ArticleSummary, Passage

Row = TypeVar("Row", Passage, ArticleHead)


class QuestionReads:
    """A ``PassageSource`` that reads each passage and article of one question once.

    Args:
        store: the article store.
    """

    def __init__(self, store: PassageSource) -> None:
        self.store = store
        self._passages: dict[int, Passage | None] = {}
        self._articles: dict[int, ArticleHead | None] = {}
        self._bodies: dict[int, str | None] = {}
        self._read_articles: Callable[[Sequence[int]], Mapping[int, ArticleHead]] = getattr(
            store, "article_summaries_by_id", store.articles_by_id
        )

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, Passage]:
        """The passages with these ids; unknown ids are left out (and not asked again)."""
        return _read(ids, self._passages, self.store.passages_by_id)

    def articles_by_id(self, ids: Sequence[int]) -> dict[int, ArticleHead]:
        """The articles with these ids, without bodies when the store can read them so;
        unknown ids are left out (and not asked again)."""
        return _read(ids, self._articles, self._read_articles)

    def body_of(self, article_id: int) -> str | None:
        """An article's body (read whole from the store, once per question), or None when
        the store has no such article or reads none.

        Only a snippet that takes its context from a neighbouring passage needs it: the text
        between two passages (a paragraph break, a dropped heading) is the body's.
        """
        if article_id not in self._bodies:
            article = self.store.articles_by_id([article_id]).get(article_id)
            self._bodies[article_id] = getattr(article, "body", None)
        return self._bodies[article_id]

    def article_languages(self, ids: Sequence[int]) -> dict[int, str | None]:
        """Article id → language (from the articles read already, else the store)."""
        found = {i: a.language for i in ids if (a := self._articles.get(i)) is not None}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(article_languages(self.store, missing))
        return found

    def passages_of(self, article_id: int) -> list[Passage]:
        """An article's passages in order (from the store)."""
        return self.store.passages_of(article_id)

    def list_articles(
        self, *, since: date | None = None, until: date | None = None, limit: int = 20
    ) -> list[ArticleSummary]:
        """Articles published in [since, until], newest first (from the store)."""
        return self.store.list_articles(since=since, until=until, limit=limit)

    def counts(self) -> DateCoverage:
        """The store's counts (from the store)."""
        return self.store.counts()


def article_languages(source: PassageSource, ids: Sequence[int]) -> dict[int, str | None]:
    """Languages of articles: the source's light read when it has one, else its articles."""
    light = getattr(source, "article_languages", None)
    if light is not None:
        return light(ids)
    return {i: a.language for i, a in source.articles_by_id(ids).items()}


def _read(
    ids: Sequence[int],
    kept: dict[int, Row | None],
    fetch: Callable[[Sequence[int]], Mapping[int, Row]],
) -> dict[int, Row]:
    """``fetch`` the ids not in ``kept`` (recording misses as None); the found ones, in order."""
    missing = [i for i in dict.fromkeys(ids) if i not in kept]
    if missing:
        found = fetch(missing)
        kept.update((i, found.get(i)) for i in missing)
    return {i: row for i in ids if (row := kept[i]) is not None}
