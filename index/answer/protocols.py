"""The interfaces the answer stage reads through: store, engine and analyzer, structurally typed.

The store (``index.store``), the engine (``index.search``) and the analyzer (``index.analysis``)
implement these; tests may pass small in-memory fakes. Only the methods listed here are used,
so the answer stage cannot grow hidden dependencies on another stage's internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

import numpy as np

from index.models import ArticleSummary, Hit, Lang, Passage, Story


class ArticleHead(Protocol):
    """What the answer stage reads of an article: its citation fields, date and language,
    never its body (``Article`` and the store's bodiless ``ArticleSummary`` both are one)."""

    @property
    def article_id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def source(self) -> str | None: ...

    @property
    def author(self) -> str | None: ...

    @property
    def published_at(self) -> datetime | None: ...

    @property
    def language(self) -> Lang | None: ...


class PassageSource(Protocol):
    """Passages and articles by id (implemented by the article store)."""

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, Passage]:
        """The passages with these ids; unknown ids are left out."""
        ...

    def articles_by_id(self, ids: Sequence[int]) -> Mapping[int, ArticleHead]:
        """The articles with these ids (whole, or without bodies); unknown ids are left out."""
        ...

    def passages_of(self, article_id: int) -> list[Passage]:
        """An article's passages in order."""
        ...

    def list_articles(
        self, *, since: date | None = None, until: date | None = None, limit: int = 20
    ) -> list[ArticleSummary]:
        """Articles published in [since, until] (days, inclusive), newest first."""
        ...

    def counts(self) -> DateCoverage:
        """The store's counts; only the publication date range is read here."""
        ...


class StorySource(Protocol):
    """Stories by article id (implemented by ``index.store.StoryStore``)."""

    def stories_of(self, article_ids: Sequence[int]) -> dict[int, Story]:
        """The story of each known article among ``article_ids``."""
        ...


class DateCoverage(Protocol):
    """The oldest and newest publication times in the store (``StoreCounts``)."""

    @property
    def first_published(self) -> datetime | None: ...

    @property
    def last_published(self) -> datetime | None: ...


class ArticleScorer(Protocol):
    """The article index (``IndexKeeper.articles``): whole-article BM25Okapi by article id."""

    def score_passages(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """BM25Okapi scores of the given articles (their ids) for ``terms``."""
        ...

    def term_scores(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """Row i: ``score_passages([terms[i]], ids)``, shape (len(terms), len(ids))."""
        ...


class SearchBackend(Protocol):
    """The part of ``index.search.SearchIndex`` the answer stage uses."""

    @property
    def n_docs(self) -> int:
        """Number of passages in the index."""
        ...

    def search(
        self, terms: Sequence[str], k: int, *, day_range: tuple[int, int] | None = None
    ) -> list[Hit]:
        """Pure BM25Okapi top-k, best first.

        An engine may also offer ``top_passages`` (same arguments): the same top-k as two
        arrays, int64 ids and float64 scores, which the ranking uses when its class has it
        (``candidates._search``); a wrapper that filters ``search`` must filter it too.
        """
        ...

    def score_passages(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """BM25Okapi scores of the given passages for ``terms``."""
        ...

    def term_scores(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """Row i: ``score_passages([terms[i]], passage_ids)``, shape (len(terms), len(ids))."""
        ...

    def article_of(self, passage_id: int) -> int:
        """The article a passage belongs to."""
        ...

    def articles_of(self, passage_ids: Sequence[int]) -> np.ndarray:
        """``article_of`` of each passage, in order (int64)."""
        ...

    def document_frequency(self, term: str) -> int:
        """In how many passages ``term`` occurs."""
        ...

    def document_frequencies(self, terms: Sequence[str]) -> np.ndarray:
        """``document_frequency`` of each of ``terms``, in order (int64). The topic matcher
        asks it for the same sequence under every index state; an engine may keep what it
        looked up for that sequence."""
        ...


class TermSpanLike(Protocol):
    """A term and the character span it came from (``index.analysis.analyzer.TermSpan``)."""

    @property
    def term(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


class AnalyzerLike(Protocol):
    """The part of ``index.analysis.analyzer.Analyzer`` the answer stage uses."""

    def document_terms(self, text: str, lang: Lang, published_at: datetime | None) -> list[str]:
        """Index terms of a text, as the engine stores them."""
        ...

    def term_spans(
        self, text: str, lang: Lang, published_at: datetime | None
    ) -> Sequence[TermSpanLike]:
        """The same terms as ``document_terms`` with their character spans."""
        ...
