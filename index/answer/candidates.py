"""Ranked articles for a question: engine hits, the optional layer, per-article aggregation.

This is the one ranking path: ``answer_question`` (hence ``newsdesk ask`` and the bot) and
``python -m index.eval retrieval`` both call ``rank_articles``, so the evaluation measures
what users get. An article scores as its best passage (MaxP); measured on cran/med/cisi,
summing passage scores or adding a share of the others ranked worse (quality.txt).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from index.answer.answer_type import AnswerType
from index.answer.evidence import QuestionWord
from index.answer.passage_cache import PassageCache
from index.answer.protocols import AnalyzerLike, PassageSource, SearchBackend, TermSpanLike
from index.answer.snippets import best_sentence_coverage
from index.models import Article, Hit, Lang, Passage
from index.search.ranking import (
    DEFAULT_LAYER,
    CandidateRows,
    FeedbackPassage,
    LayerOptions,
    QueryWord,
    apply_proximity,
    candidate_layer_scores,
    expansion_weights,
    words_of_terms,
)

logger = logging.getLogger(__name__)

# Passages fetched from the engine per question: enough for k=3 articles of up to 2 snippets
# after the evidence filter, and for feedback; callers needing more articles ask for more.
CANDIDATE_PASSAGES = 200


@dataclass(frozen=True, slots=True)
class RankedPassage:
    """A candidate passage with its final score (BM25Okapi, or the layer's)."""

    passage_id: int
    article_id: int
    score: float


@dataclass(frozen=True, slots=True)
class RankedArticle:
    """An article with its candidate passages, best first; its score is its best passage's."""

    article_id: int
    score: float
    passages: tuple[RankedPassage, ...]


def rank_articles(
    terms: Sequence[str],
    *,
    index: SearchBackend,
    passages: PassageSource,
    analyzer: AnalyzerLike,
    layer: bool = True,
    day_range: tuple[int, int] | None = None,
    n_passages: int = CANDIDATE_PASSAGES,
    options: LayerOptions = DEFAULT_LAYER,
    words: Sequence[QuestionWord] = (),
    cache: PassageCache | None = None,
) -> list[RankedArticle]:
    """Rank articles for the question terms, best first.

    Args:
        terms: the question's BM25 terms.
        index: the engine.
        passages: the store (feedback passages' texts, for the layer).
        analyzer: re-analyses feedback passages exactly as they were indexed.
        layer: apply the ranking layer (``index.search.ranking``); off means pure BM25Okapi.
        day_range: restrict to passages published in these days since 1970-01-01.
        n_passages: how many passages to consider.
        options: layer parameters.
        words: the question's words with their alternative terms (for the layer; without
            them each distinct term is a word).
        cache: passage terms and articles kept between questions (an archive's own cache,
            over this ``index``, ``passages`` and ``analyzer``); None asks afresh.

    Returns:
        Articles with at least one positively scored candidate passage.
    """
    hits = index.search(list(terms), n_passages, day_range=day_range)
    if layer and hits:
        query_words = words_of_terms(terms, [word.terms for word in words])
        hits = _rescore(
            query_words, hits, index, passages, cache or analyzer, day_range, n_passages, options
        )
    hits = [hit for hit in hits if hit.score > 0]
    ids = [hit.passage_id for hit in hits]
    if cache is None:
        return _group_by_article(hits, index.articles_of(ids).tolist())
    return _group_by_article(hits, cache.articles_of(ids, index.articles_of))


def _rescore(
    words: Sequence[QueryWord],
    hits: list[Hit],
    index: SearchBackend,
    passages: PassageSource,
    analyzer: AnalyzerLike | PassageCache,
    day_range: tuple[int, int] | None,
    n_passages: int,
    options: LayerOptions,
) -> list[Hit]:
    """The layer: word-level scores, then RM3 expansion from the best of them."""
    ids = [hit.passage_id for hit in hits]
    rows = CandidateRows(index.term_scores, ids)
    first = candidate_layer_scores(rows, words, options=options)
    ranked = _ordered(ids, first, n_passages)
    if not options.feedback or index.n_docs < options.feedback_min_passages:
        return ranked
    feedback = _feedback(ranked[: options.feedback_passages], passages, analyzer)
    expansion = expansion_weights(feedback, options=options)
    if not expansion:
        return ranked
    if len(hits) < n_passages or options.search_expansion_when_full:
        # Too few candidates have the question's words: the expansion finds more.
        pool = index.search(list(expansion), n_passages, day_range=day_range)
        extra = sorted({hit.passage_id for hit in pool} - set(ids))
        if extra:
            ids = ids + extra
            rows = CandidateRows(index.term_scores, ids)
    scores = candidate_layer_scores(rows, words, expansion=expansion, options=options)
    return _ordered(ids, scores, n_passages)


def order_by_proximity(
    candidates: Sequence[tuple[RankedPassage, Passage]],
    spans_of: Callable[[Passage], Sequence[TermSpanLike]],
    words: Sequence[QuestionWord],
    article: Article,
    cache: PassageCache,
    *,
    answer_type: AnswerType | None = None,
    options: LayerOptions = DEFAULT_LAYER,
    limit: int | None = None,
) -> list[tuple[RankedPassage, Passage]]:
    """An article's candidate passages ordered by score boosted by sentence proximity.

    The layer's third part (``index.search.ranking``): it picks which passage of an article
    to show; the article's rank is left alone.

    Only the first ``limit`` passages of the order are returned (all when None), and spans
    (``spans_of``, the costly part) are computed only for passages that can reach them: the
    boost at most multiplies a score by ``1 + proximity_weight`` (coverage is clipped to 1),
    so once the next-best unboosted score, fully boosted, is below the ``limit``-th boosted
    score found so far, no later passage can enter (a tie still computes). The result is
    exactly the head of the full order, ties by candidate position.
    """
    if options.proximity_weight <= 0 or len(candidates) < 2:
        return list(candidates)[:limit]
    lang = article.language or "en"
    focus = _words_beyond_title(words, article.title, lang, article.published_at, cache)
    scores = np.array([ranked.score for ranked, _ in candidates])
    ceilings = np.maximum(
        apply_proximity(scores, np.zeros_like(scores), options=options),
        apply_proximity(scores, np.ones_like(scores), options=options),
    )
    wanted = len(candidates) if limit is None else limit
    visited: list[int] = []
    boosted: list[float] = []
    for i in np.lexsort((np.arange(len(scores)), -scores)).tolist():
        if len(boosted) >= wanted and ceilings[i] < sorted(boosted, reverse=True)[wanted - 1]:
            break  # ceilings fall with scores: no later passage can enter the head either
        passage = candidates[i][1]
        coverage = best_sentence_coverage(passage.text, spans_of(passage), focus, answer_type)
        boost = apply_proximity(scores[i : i + 1], np.array([coverage]), options=options)
        visited.append(i)
        boosted.append(float(boost[0]))
    positions = np.asarray(visited)
    order = np.lexsort((positions, -np.asarray(boosted)))[:wanted]
    return [candidates[visited[j]] for j in order]


def _words_beyond_title(
    words: Sequence[QuestionWord],
    title: str,
    lang: Lang,
    published_at: datetime | None,
    cache: PassageCache,
) -> Sequence[QuestionWord]:
    """The question words the article's title does not match (all of them if it matches all).

    Every passage of an article shares its title, so the words the title already answers
    say which article, not which passage; the rest say which passage answers.
    """
    title_terms = cache.terms(title, lang, published_at)
    rest = [word for word in words if not word.terms & title_terms]
    return rest or words


def _ordered(ids: Sequence[int], scores: np.ndarray, limit: int) -> list[Hit]:
    """Hits by score, ties by passage id, positive scores only."""
    id_array = np.asarray(ids, dtype=np.int64)
    order = np.lexsort((id_array, -scores))[:limit]
    order = order[scores[order] > 0]
    return [
        Hit(passage_id=passage_id, score=score)
        for passage_id, score in zip(id_array[order].tolist(), scores[order].tolist(), strict=True)
    ]


def _feedback(
    hits: Sequence[Hit], passages: PassageSource, analyzer: AnalyzerLike | PassageCache
) -> list[FeedbackPassage]:
    """The feedback passages' index terms (title + text, as the archive indexes them).

    ``analyzer`` is the analyzer, or a ``PassageCache`` over it (the same terms, kept).
    """
    found = passages.passages_by_id([hit.passage_id for hit in hits])
    articles = passages.articles_by_id(sorted({p.article_id for p in found.values()}))
    feedback = []
    for hit in hits:
        passage = found.get(hit.passage_id)
        article = articles.get(passage.article_id) if passage else None
        if passage is None or article is None:
            continue
        lang = article.language or "en"
        doc_terms = [
            *analyzer.document_terms(article.title, lang, article.published_at),
            *analyzer.document_terms(passage.text, lang, article.published_at),
        ]
        feedback.append(FeedbackPassage(terms=doc_terms, score=hit.score))
    return feedback


def _group_by_article(hits: Sequence[Hit], article_ids: Sequence[int]) -> list[RankedArticle]:
    """Group positively scored hits (best first) by article (``article_ids``, one per hit);
    an article ranks by its best passage."""
    grouped: dict[int, list[RankedPassage]] = {}
    for hit, article_id in zip(hits, article_ids, strict=True):
        grouped.setdefault(article_id, []).append(
            RankedPassage(passage_id=hit.passage_id, article_id=article_id, score=hit.score)
        )
    return [
        RankedArticle(article_id=article_id, score=ranked[0].score, passages=tuple(ranked))
        for article_id, ranked in grouped.items()
    ]
