"""A question's filters applied where the answer stage reads: the engine's search and listings.

``answer_question`` reads candidates only through ``SearchBackend.search`` (ranked passages)
and, for a period-only question, ``PassageSource.list_articles``. Wrapping those two with the
filters (``RestrictedIndex``, ``RestrictedPassages``) restricts every answer path, including
the ranking layer's expansions and paging, without the answer stage knowing filters exist.

Efficiency: the restriction acts inside the engine's top-k selection (``SearchIndex.search``'s
``day_range`` and ``articles``), on the per-passage publication days and article ids the
index already holds. No article is read to filter it and no answer is lost to a too-small
candidate pool: the k best passages that pass are returned. Outlet and language are not in
the index, so the store names the articles that pass (one query on the indexed ``source``
column, or a scan of ``language`` for ``lang:`` alone), as a boolean mask by article id. A
question without filters is not wrapped at all.

Scoring is unchanged: BM25 statistics stay the whole archive's, so a filtered answer ranks
its articles exactly as the unfiltered one would, minus those the filters exclude.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from index.models import ArticleSummary, Hit, QuestionFilters

_EPOCH = date(1970, 1, 1)
# Beyond any publication day (days since 1970-01-01), for an open ``until``.
_LAST_DAY = 10**7


class RestrictedIndex:
    """A search engine whose ``search`` returns only passages that pass the filters.

    Everything else (scores, document frequencies, article ids) is the wrapped engine's.

    Args:
        index: the engine (``index.search.SearchIndex``).
        filters: the question's filters.
        articles: bool by article id, True for the articles the outlet and language filters
            keep; None when neither is set.
    """

    def __init__(self, index: Any, filters: QuestionFilters, articles: np.ndarray | None) -> None:
        self._index = index
        self._articles = articles
        self._days = day_range_of(filters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def search(
        self, terms: Sequence[str], k: int, *, day_range: tuple[int, int] | None = None
    ) -> list[Hit]:
        """The engine's top k among the passages that pass the filters (and ``day_range``)."""
        days = _intersect(self._days, day_range)
        if days is not None and days[0] > days[1]:
            return []
        if self._articles is not None and not self._articles.any():
            return []
        return self._index.search(terms, k, day_range=days, articles=self._articles)

    def top_passages(
        self, terms: Sequence[str], k: int, *, day_range: tuple[int, int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``search`` as arrays (the engine's ``top_passages``), the filters applied alike.

        Defined here, not left to ``__getattr__``: the engine's own would ignore the filters.
        """
        days = _intersect(self._days, day_range)
        if (days is not None and days[0] > days[1]) or (
            self._articles is not None and not self._articles.any()
        ):
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return self._index.top_passages(terms, k, day_range=days, articles=self._articles)


class RestrictedPassages:
    """The article store, whose ``list_articles`` (period listings) obeys the filters."""

    def __init__(self, store: Any, filters: QuestionFilters) -> None:
        self._store = store
        self._filters = filters

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def list_articles(
        self, *, since: date | None = None, until: date | None = None, limit: int = 20
    ) -> list[ArticleSummary]:
        """Articles in [since, until] and the filters' window, outlets and languages."""
        f = self._filters
        if f.since is not None:
            since = f.since if since is None else max(since, f.since)
        if f.until is not None:
            until = f.until if until is None else min(until, f.until)
        if since is not None and until is not None and since > until:
            return []
        return self._store.list_articles(
            since=since, until=until, limit=limit, sources=f.outlets, languages=f.languages
        )


def article_mask(store: Any, filters: QuestionFilters) -> np.ndarray | None:
    """Bool by article id: the articles from the filters' outlets in their languages.

    None when the filters name neither (dates alone need no mask: the index has the days).
    """
    if not filters.outlets and not filters.languages:
        return None
    ids = np.asarray(
        store.article_ids_where(sources=filters.outlets, languages=filters.languages),
        dtype=np.int64,
    )
    mask = np.zeros(int(ids.max()) + 1 if ids.size else 0, dtype=bool)
    mask[ids] = True
    return mask


def day_range_of(filters: QuestionFilters) -> tuple[int, int] | None:
    """``since``..``until`` as the engine's inclusive days since 1970-01-01, or None."""
    if filters.since is None and filters.until is None:
        return None
    # Never below day 0: -1 marks undated passages, which a date filter excludes.
    first = max(0, (filters.since - _EPOCH).days) if filters.since is not None else 0
    last = (filters.until - _EPOCH).days if filters.until is not None else _LAST_DAY
    return first, last


def _intersect(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a[0], b[0]), min(a[1], b[1])
