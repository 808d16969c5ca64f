"""What the answer stage keeps between questions about passages: term sets, spans, articles.

Answering one question checks ~20 candidate articles. Which question terms a candidate holds
comes from the index (``evidence.indexed_question_terms``), so most candidates are never
analysed; when the index cannot tell, the set of a passage's terms
(``Analyzer.document_terms``, ~10 µs: one cache lookup per whitespace chunk) is used. Spans
(``Analyzer.term_spans``, ~145 µs per 60-word passage) are asked only for the passages the
answer may show. Both are kept here in bounded LRU caches, with the term shares of feedback
passages (RM3, by passage id, so a kept one is not even read from the store), so a passage
met again (the next page, a popular topic, a repeated question) is not analysed again.

Entries are keyed by the text itself with its language and publication time, i.e. exactly the
analyzer's inputs, so an entry can never go stale: a re-ingested article gets new passage ids
and new text, and the cache belongs to one analyzer (the archive's), whose output depends on
nothing else. ``functools.lru_cache`` is used because it is thread-safe and implemented in C
(the bot answers from worker threads).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import filterfalse

import numpy as np

from index.analysis.analyzer import TermSpan
from index.answer.protocols import AnalyzerLike
from index.models import Lang
from index.search.kernels import span_tuples
from index.search.ranking import TermShares

# A span as a plain (term, start, end) tuple, in C (a generator cost ~2 µs a span).
_SPAN_FIELDS = operator.attrgetter("term", "start", "end")
# Measured with tracemalloc on the bench corpus (60-word passages), text included: spans took
# ~3.7 KB per passage as a tuple per span; as columns (``_pack_spans``) the containers take
# ~1.1 KB instead of ~2.7 KB (36 spans), so ~2.1 KB and 4,096 passages ≈ 9 MB (the passages
# shown for the last ~500 questions).
MAX_CACHED_SPANS = 4096
# A term set with its term list takes ~3.3 KB: 8,192 passages ≈ 27 MB, the candidates of the
# last ~50-150 questions (each checks ~20 articles of up to 10 candidate passages).
MAX_CACHED_TERM_SETS = 8192
# Texts whose spans are also kept built (as span objects, which the collector tracks): a
# question asks the spans of the passages it shows two or three times (snippet choice, the
# evidence check, the title). Every hit of the bench's 300 cold questions was such a repeat
# inside one question: 1,732 hits with 8, 16 or 64 kept. 64 kept ~2.5k span objects alive
# across questions, which young collections promoted to the oldest generation, and those
# promotions set off a full collection every ~150 questions (2 in the cold round, ~75 ms
# each on a loaded machine); with 16, one (docs/quality.md, "Third round").
MAX_BUILT_SPANS = 16
# Passage → article ids: a plain dict (~100 B per entry, so ≤ ~20 MB), cleared when full.
MAX_CACHED_ARTICLE_IDS = 200_000
# Passage → RM3 term shares (title + text terms with tf / length): ~2 KB per 60-word passage,
# so 4,096 passages ≈ 8 MB, the feedback passages of the last ~400 questions; cleared when full.
MAX_CACHED_SHARES = 4096


class PassageCache:
    """Term lists and spans of texts analysed by one analyzer (LRU-bounded), passage articles.

    Entries are kept as plain tuples of strings and ints, which CPython's garbage collector
    stops tracking after one pass: caching span objects (or frozensets) instead put ~250k
    more tracked objects in every full collection and doubled its pause (19 → 40 ms, measured
    on the bench archive), which is what a bot's p99 latency sees.

    Args:
        analyzer: the analyzer the index was built with.
        max_spans: texts whose spans are kept.
        max_term_sets: texts whose term lists are kept.
    """

    def __init__(
        self,
        analyzer: AnalyzerLike,
        *,
        max_spans: int = MAX_CACHED_SPANS,
        max_term_sets: int = MAX_CACHED_TERM_SETS,
    ) -> None:
        self.analyzer = analyzer
        self._packed_spans = functools.lru_cache(maxsize=max_spans)(self._pack_spans)
        self._built_spans = functools.lru_cache(maxsize=min(MAX_BUILT_SPANS, max_spans))(
            self._build_spans
        )
        self.document_terms: Callable[[str, Lang, datetime | None], tuple[str, ...]] = (
            functools.lru_cache(maxsize=max_term_sets)(self._document_terms)
        )
        self._article_ids: dict[int, int] = {}
        # article id → language, for the layer's exact-before-folded rule (small: only
        # articles that matched a name through its fold key alone are looked up).
        self.article_languages: dict[int, Lang] = {}
        self._shares: dict[int, tuple[tuple[str, ...], tuple[float, ...]]] = {}

    def term_spans(self, text: str, lang: Lang, published_at: datetime | None) -> list[TermSpan]:
        """``Analyzer.term_spans`` of a text (rebuilt from the kept tuples unless asked lately)."""
        return list(self._built_spans(text, lang, published_at))

    def terms(self, text: str, lang: Lang, published_at: datetime | None) -> frozenset[str]:
        """The set of a text's terms: the terms of its spans, from ``document_terms``.

        ``Analyzer.term_spans`` yields the same terms as ``document_terms`` (its contract;
        ``tests/index/answer/test_passage_cache.py`` checks it on real text), at a tenth of
        the cost.
        """
        return frozenset(self.document_terms(text, lang, published_at))

    def _build_spans(
        self, text: str, lang: Lang, published_at: datetime | None
    ) -> tuple[TermSpan, ...]:
        # One C call (``kernels.span_tuples``) instead of a zip tuple and a ``partial`` call
        # per span: 0.26 ms of the bench's cold question (8 texts of ~40 spans) was this
        # line (docs/performance.md, "Archive.ask CPU, fourth cut").
        return span_tuples(TermSpan, *self._packed_spans(text, lang, published_at))

    def _pack_spans(
        self, text: str, lang: Lang, published_at: datetime | None
    ) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
        """A text's spans as three columns: the terms, their starts and their ends.

        Columns rather than a tuple per span: the collector counts every new tuple until a
        collection untracks it, and an entry is four tuples instead of one a span (36-65 for
        a bench passage). With the columns the bench's 300 cold questions at 100k passages
        ran 190 young collections instead of 255-274 (docs/quality.md, "Third round").
        """
        # ``Analyzer.span_columns`` builds the columns directly; any other analyzer's spans
        # are taken apart.
        span_columns = getattr(self.analyzer, "span_columns", None)
        if span_columns is not None:
            terms, starts, ends = span_columns(text, lang, published_at)
            return tuple(terms), tuple(starts), tuple(ends)
        spans = self.analyzer.term_spans(text, lang, published_at)
        if not spans:
            return (), (), ()
        terms, starts, ends = zip(*map(_SPAN_FIELDS, spans), strict=True)
        return terms, starts, ends

    def _document_terms(
        self, text: str, lang: Lang, published_at: datetime | None
    ) -> tuple[str, ...]:
        """``Analyzer.document_terms`` as a tuple (cached entries are shared, so immutable)."""
        return tuple(self.analyzer.document_terms(text, lang, published_at))

    def article_of(self, passage_id: int, lookup: Callable[[int], int]) -> int:
        """The article of a passage, asking ``lookup`` (the engine's) once per passage.

        Only for an archive's own cache: passage ids are never reused by the store (SQLite
        AUTOINCREMENT; a re-ingested article gets new passages), so a passage's article never
        changes.
        """
        article_id = self._article_ids.get(passage_id)
        if article_id is None:
            article_id = lookup(passage_id)
            if len(self._article_ids) >= MAX_CACHED_ARTICLE_IDS:
                self._article_ids.clear()
            self._article_ids[passage_id] = article_id
        return article_id

    def articles_of(
        self, passage_ids: Sequence[int], lookup: Callable[[list[int]], np.ndarray]
    ) -> list[int]:
        """``article_of`` for many passages: one ``lookup`` (the engine's ``articles_of``)
        for all the passages not seen before, instead of one engine call each."""
        known = self._article_ids
        # ``filterfalse`` and ``map`` over the ~100-200 ids run in C, without a Python
        # comprehension's loop.
        missing = list(filterfalse(known.__contains__, dict.fromkeys(passage_ids)))
        if not missing:
            return list(map(known.__getitem__, passage_ids))
        fresh = dict(zip(missing, lookup(missing).tolist(), strict=True))
        if len(known) + len(fresh) > MAX_CACHED_ARTICLE_IDS:
            result = [known[pid] if pid in known else fresh[pid] for pid in passage_ids]
            known.clear()
            known.update(fresh)
            return result
        known.update(fresh)
        return list(map(known.__getitem__, passage_ids))

    def term_shares(self, passage_id: int) -> TermShares | None:
        """A passage's RM3 term shares kept by ``keep_term_shares``, or None.

        Keyed by passage id, as ``article_of``: a passage's title, text, language and date
        never change under one id (the store gives an updated article new passages).
        """
        kept = self._shares.get(passage_id)
        return None if kept is None else TermShares(*kept)

    def keep_term_shares(self, passage_id: int, shares: TermShares) -> None:
        """Keep a passage's term shares (as plain tuples, see the class docstring)."""
        if len(self._shares) >= MAX_CACHED_SHARES:
            self._shares.clear()
        self._shares[passage_id] = (shares.terms, shares.shares)

    def clear(self) -> None:
        """Forget everything (tests; a new analysis version)."""
        self._packed_spans.cache_clear()
        self._built_spans.cache_clear()
        self.document_terms.cache_clear()  # type: ignore[attr-defined]
        self._article_ids.clear()
        self.article_languages.clear()
        self._shares.clear()
