"""Ranked articles for a question: engine hits, the optional layer, per-article aggregation.

This is the one ranking path: ``answer_question`` (hence ``newsdesk ask`` and the bot) and
``python -m index.eval retrieval`` both call ``rank_articles``, so the evaluation measures
what users get.

An article's score fuses two pieces of evidence, each divided by the question's best:

    score = ARTICLE_SHARE * A / max A + (1 - ARTICLE_SHARE) * P / max P

``P`` is its best passage's score (MaxP: where the answer sits) and ``A`` its whole-article
BM25Okapi score from the article index (title and body as one document: how much of the
article is about the question), both over the candidates the passage search found; with the
ranking layer both count each question word once (exact before folded, ``ranking.
word_scores``), and the passage side adds RM3 feedback. ARTICLE_SHARE 0.6 was chosen on
the six sets jointly (docs/quality.md): news gains with the article's share, and 0.6 is the
largest that keeps med within its floor's margin (0.65 does not). How the fusion was
chosen (docs/quality.md): MaxP alone lost to whole-document BM25 on the news sets
(realtimeqa-dev 0.749 against 0.758 nDCG@10), and whole-article BM25 alone lost to MaxP with
RM3 on cran and med; the normalised sum beat both on realtimeqa-dev and cisi and kept cran
and med within the floors' margin. Reciprocal rank fusion (k = 10, 60) was 0.01–0.02 worse on
the news sets, and the raw sum ``A + λ P`` depends on the collection's score scale.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple

import numpy as np

from index.analysis.language import lang_or_default
from index.analysis.normalize import HYPHENS
from index.answer.answer_type import AnswerType
from index.answer.evidence import QuestionWord, indexed_question_terms
from index.answer.passage_cache import MAX_CACHED_ARTICLE_IDS, PassageCache
from index.answer.protocols import (
    AnalyzerLike,
    ArticleScorer,
    PassageSource,
    SearchBackend,
    TermSpanLike,
)
from index.answer.question_reads import article_languages
from index.answer.snippets import ANSWER_TYPE_SHARE, best_sentence_coverage
from index.models import Article, Lang, Passage
from index.search.ranking import (
    DEFAULT_LAYER,
    CandidateRows,
    LayerOptions,
    QueryWord,
    SameLanguage,
    TermShares,
    apply_proximity,
    candidate_layer_scores,
    shares_expansion,
    words_of_terms,
)

logger = logging.getLogger(__name__)

_HYPHEN_RE = re.compile(f"[{re.escape(HYPHENS)}]")

# Passages fetched from the engine per question: enough for k=3 articles of up to 2 snippets
# after the evidence filter, and for feedback; callers needing more articles ask for more.
CANDIDATE_PASSAGES = 200
# The article-level evidence's share of an article's score (the rest is its best passage's).
# Chosen on the six evaluation sets jointly (module docstring; 0.5 before).
ARTICLE_SHARE = 0.6
# Relative slack on a passage's coverage ceiling (``order_by_proximity``): float sums of the
# same weights in another order differ in the last bits.
_CEILING_SLACK = 1e-9


class RankedPassage(NamedTuple):
    """A candidate passage with its final score (BM25Okapi, or the layer's).

    ``held``: the question terms the index says it holds, when the ranking read them
    (``evidence.indexed_question_terms`` over the layer's scores); None when not read.

    A named tuple rather than a frozen dataclass (immutable all the same): ranking makes one
    for each of ~120 candidate passages per question, and a frozen dataclass's ``__init__``
    cost ~1.2 µs each (docs/quality.md, ``Archive.ask`` latency).
    """

    passage_id: int
    article_id: int
    score: float
    held: frozenset[str] | None = None


# ``RankedPassage`` from a complete field tuple, in C: the named tuple's own ``__new__`` is a
# Python function, ~1.9 µs a passage against ~0.7 µs, and a question groups ~100.
_new_ranked_passage = partial(tuple.__new__, RankedPassage)


@dataclass(frozen=True, slots=True)
class RankedArticle:
    """An article with its candidate passages, best first.

    Its score is its best passage's, or with the article index the fused score (module
    docstring), in (0, 1].
    """

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
    n_articles: int | None = None,
    articles: ArticleScorer | None = None,
    language: Lang | None = None,
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
        n_articles: return at most this many articles (the best; each still with all its
            candidate passages); None returns all.
        articles: the article index; None ranks articles by their best passage alone.
        language: the question's language: within it a fold-key-only match is a variant
            spelling and yields to the exact name (``ranking.word_scores``); None treats
            every article as in the question's language.

    Returns:
        Articles with at least one positively scored candidate passage. With the layer,
        their passages carry the question terms they hold (``RankedPassage.held``) when
        the index can tell (``evidence.indexed_question_terms``).
    """
    hit_ids, hit_scores = _search(index, terms, n_passages, day_range)
    rows = None
    languages = _Languages(language, passages, cache)
    query_words = ranking_words(terms, words, language) if layer else None
    if query_words is not None and hit_ids.size:

        def passages_in_language(ids: np.ndarray) -> np.ndarray:
            lookup = index.articles_of
            found = cache.articles_of(ids.tolist(), lookup) if cache else lookup(ids.tolist())
            return languages.same(list(found))

        ids, scores, rows = _rescore(
            query_words,
            hit_ids.tolist(),
            index,
            passages,
            cache or analyzer,
            day_range,
            n_passages,
            options,
            passages_in_language if language is not None else None,
        )
    else:
        ids, scores = hit_ids, hit_scores
    positive = scores > 0
    id_list, score_list = ids[positive].tolist(), scores[positive].tolist()
    if cache is None:
        article_ids = index.articles_of(id_list).tolist() if id_list else []
    else:
        article_ids = cache.articles_of(id_list, index.articles_of)
    held = None
    if rows is not None and words:

        def held(ids: list[int]) -> dict[int, frozenset[str]] | None:
            return indexed_question_terms(index, words, ids, rows=rows)

    if articles is None or not id_list:
        return _group_by_article(id_list, score_list, article_ids, n_articles, held)
    # Each article's best passage is its first in the score order.
    positions = np.unique(np.asarray(article_ids, dtype=np.int64), return_index=True)[1]
    positions.sort()
    candidates = [article_ids[i] for i in positions.tolist()]
    best = np.asarray(score_list, dtype=np.float64)[positions]
    fused = _fused_scores(articles, candidates, best, terms, query_words, languages)
    order = np.lexsort((np.arange(fused.size), -fused))[:n_articles]
    ranking = [(candidates[i], float(fused[i])) for i in order.tolist()]
    return _group_by_article(id_list, score_list, article_ids, None, held, ranking=ranking)


def ranking_words(
    terms: Sequence[str], words: Sequence[QuestionWord], language: Lang | None
) -> tuple[QueryWord, ...]:
    """The layer's query words: the question's words, hyphenated ones by their parts.

    The analyzer gives a hyphenated word the terms of all its parts as one stretch of text,
    so the question's words (``evidence.question_words``) hold them as alternatives, and the
    layer counted only the best part: "boundary-layer" scored as "boundary" or "layer". Now
    a compound of common words is one word per part, as BM25Okapi counts them ("shock-wave
    boundary-layer interaction": each part is evidence of its own); a compound of
    capitalised parts is a name, one word scored as the mean of its parts
    (``ranking.word_scores``). Compounds kept joined ("F-16") stay alternatives of one word.
    Measured on the six retrieval sets (docs/quality.md, "Hyphenated words in the
    ranking"): cran MRR@10 0.532 → 0.536, multihop-rag-facts-dev nDCG@10 0.830 → 0.831;
    splitting names into words as well cost multihop 0.005 ("Sam Bankman-Fried" weighed
    three words).
    """
    from index.analysis.analyzer import compound_parts

    lang = lang_or_default(language)
    groups: list[frozenset[str]] = []
    names: list[tuple[frozenset[str], ...]] = []
    for word in words:
        compound = compound_parts(word.text, lang) if _HYPHEN_RE.search(word.text) else None
        parts = [frozenset(part) & word.terms for part in compound.parts] if compound else []
        parts = [part for part in parts if part]
        if len(parts) < 2:
            groups.append(word.terms)
        elif compound is not None and compound.is_name:
            names.append(tuple(parts))
        else:
            groups.extend(parts)
    return words_of_terms(terms, groups, names)


class _Languages:
    """Whether articles are in the question's language, each article read once.

    Asked only about candidates that match a name through its fold key alone, usually a
    handful per question; an archive's ``PassageCache`` keeps the answers between questions.
    """

    def __init__(
        self, language: Lang | None, passages: PassageSource, cache: PassageCache | None
    ) -> None:
        self.language = language
        self._passages = passages
        self._known: dict[int, Lang] = {} if cache is None else cache.article_languages

    def same(self, article_ids: list[int]) -> np.ndarray:
        known = self._known
        missing = [a for a in dict.fromkeys(article_ids) if a not in known]
        if missing and len(known) + len(missing) > MAX_CACHED_ARTICLE_IDS:
            known.clear()
            missing = list(dict.fromkeys(article_ids))
        if missing:
            found = article_languages(self._passages, missing)
            for article_id in missing:
                known[article_id] = lang_or_default(found.get(article_id))
        return np.array([known[a] == self.language for a in article_ids], dtype=bool)


def _fused_scores(
    articles: ArticleScorer,
    article_ids: list[int],
    best: np.ndarray,
    terms: Sequence[str],
    words: Sequence[QueryWord] | None,
    languages: _Languages,
) -> np.ndarray:
    """The fused score (module docstring) of each article, from its best passage's score.

    ``words``: the layer's question words (whole-article scores count each word once,
    exact before folded); None scores plain BM25Okapi over ``terms`` (layer off).
    """
    if words is not None and any(len(word.terms) > 1 for word in words):

        def in_language(ids: np.ndarray) -> np.ndarray:
            return languages.same(ids.tolist())

        whole = candidate_layer_scores(
            CandidateRows(articles.term_scores, article_ids),
            words,
            same_language=in_language if languages.language is not None else None,
        )
    else:
        # No word has alternatives: the word votes are the plain sum (up to a constant
        # factor, which the normalisation below removes), in one engine call.
        whole = np.asarray(articles.score_passages(list(terms), article_ids), dtype=np.float64)
    top_whole, top_best = float(whole.max(initial=0.0)), float(best.max(initial=0.0))
    fused = (1 - ARTICLE_SHARE) * (best / top_best if top_best > 0 else best)
    if top_whole > 0:
        fused += ARTICLE_SHARE * (np.maximum(whole, 0.0) / top_whole)
    return fused


def _search(
    index: SearchBackend, terms: Sequence[str], k: int, day_range: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The engine's top ``k`` passages as int64 ids and float64 scores, best first.

    Through the engine's ``top_passages`` when its class defines one: the layer computes on
    arrays, and ``search`` would build a ``Hit`` per passage (~60 µs for 200) only to be
    read back. Looked up on the class, so a wrapper that forwards unknown attributes
    (``__getattr__``) but overrides ``search`` is asked through its ``search``.
    """
    if hasattr(type(index), "top_passages"):
        ids, scores = index.top_passages(list(terms), k, day_range=day_range)  # type: ignore[attr-defined]
        return ids, scores
    hits = index.search(list(terms), k, day_range=day_range)
    return (
        np.array([hit.passage_id for hit in hits], dtype=np.int64),
        np.array([hit.score for hit in hits], dtype=np.float64),
    )


def _rescore(
    words: Sequence[QueryWord],
    ids: list[int],
    index: SearchBackend,
    passages: PassageSource,
    analyzer: AnalyzerLike | PassageCache,
    day_range: tuple[int, int] | None,
    n_passages: int,
    options: LayerOptions,
    same_language: SameLanguage | None = None,
) -> tuple[np.ndarray, np.ndarray, CandidateRows]:
    """The layer: word-level scores, then RM3 expansion from the best of them.

    Returns the best ``n_passages`` candidates' ids and scores, best first (ties by id,
    positive scores only), and the per-term scores read for the candidates.
    """
    rows = CandidateRows(index.term_scores, ids)
    first = candidate_layer_scores(rows, words, options=options, same_language=same_language)
    if not options.feedback or index.n_docs < options.feedback_min_passages:
        return (*_ordered(rows.passage_ids, first, n_passages), rows)
    top_ids, top_scores = _ordered(rows.passage_ids, first, options.feedback_passages)
    feedback = _feedback(top_ids.tolist(), top_scores.tolist(), passages, analyzer)
    expansion = shares_expansion(feedback, options=options)
    if not expansion:
        return (*_ordered(rows.passage_ids, first, n_passages), rows)
    words_only: np.ndarray | None = first  # the words' part, unless candidates are added
    if len(ids) < n_passages or options.search_expansion_when_full:
        # Too few candidates have the question's words: the expansion finds more.
        pool, _ = _search(index, list(expansion), n_passages, day_range)
        extra = sorted(set(pool.tolist()) - set(ids))
        if extra:
            rows = CandidateRows(index.term_scores, ids + extra)
            words_only = None
    scores = candidate_layer_scores(
        rows,
        words,
        expansion=expansion,
        options=options,
        same_language=same_language,
        words_only=words_only,
    )
    return (*_ordered(rows.passage_ids, scores, n_passages), rows)


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
    score found so far, no later passage can enter (a tie still computes). A passage whose
    question terms are known (``RankedPassage.held``) has a lower ceiling: no sentence of it
    matches more than the whole passage does, so its coverage is at most the held words'
    share (plus the answer-type bonus), and it is skipped when that cannot reach the head.
    The result is exactly the head of the full order, ties by candidate position.
    """
    if options.proximity_weight <= 0 or len(candidates) < 2:
        return list(candidates)[:limit]
    lang = lang_or_default(article.language)
    focus = _words_beyond_title(words, article.title, lang, article.published_at, cache)
    scores = np.array([ranked.score for ranked, _ in candidates])
    unboosted = apply_proximity(scores, np.zeros_like(scores), options=options)
    ceilings = np.maximum(
        unboosted, apply_proximity(scores, np.ones_like(scores), options=options)
    )
    reachable = np.maximum(
        unboosted,
        apply_proximity(
            scores, _coverage_ceilings(candidates, focus, answer_type), options=options
        ),
    )
    wanted = len(candidates) if limit is None else limit
    visited: list[int] = []
    boosted: list[float] = []
    for i in np.lexsort((np.arange(len(scores)), -scores)).tolist():
        if len(boosted) >= wanted:
            head = sorted(boosted, reverse=True)[wanted - 1]
            if ceilings[i] < head:
                break  # ceilings fall with scores: no later passage can enter the head either
            if reachable[i] < head:
                continue  # this one cannot (the head only rises)
        passage = candidates[i][1]
        coverage = best_sentence_coverage(passage.text, spans_of(passage), focus, answer_type)
        boost = apply_proximity(scores[i : i + 1], np.array([coverage]), options=options)
        visited.append(i)
        boosted.append(float(boost[0]))
    positions = np.asarray(visited)
    order = np.lexsort((positions, -np.asarray(boosted)))[:wanted]
    return [candidates[visited[j]] for j in order]


def _coverage_ceilings(
    candidates: Sequence[tuple[RankedPassage, Passage]],
    focus: Sequence[QuestionWord],
    answer_type: AnswerType | None,
) -> np.ndarray:
    """Per candidate, at least ``best_sentence_coverage`` of it (1.0 when not known).

    Its held question terms bound what any one sentence matches; the answer-type bonus is
    assumed present. A hair of slack covers summing the same weights in another order.
    """
    total = sum(word.weight for word in focus)
    out = np.ones(len(candidates))
    if total <= 0:
        return out
    bonus = ANSWER_TYPE_SHARE * total if answer_type is not None else 0.0
    for i, (ranked, _) in enumerate(candidates):
        if ranked.held is not None:
            matched = sum(word.weight for word in focus if word.terms & ranked.held)
            out[i] = min(1.0, (matched + bonus) / total * (1 + _CEILING_SLACK))
    return out


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


def _ordered(ids: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The best ``limit`` ids and their scores, by score, ties by passage id."""
    if limit <= 0:
        return ids[:0], scores[:0]
    if limit < ids.size:
        # Only the top needs sorting: keep every score tied with the limit-th, then sort.
        cut = -np.partition(-scores, limit - 1)[limit - 1]
        candidates = np.flatnonzero(scores >= cut)
    else:
        candidates = np.arange(ids.size)
    order = candidates[np.lexsort((ids[candidates], -scores[candidates]))][:limit]
    return ids[order], scores[order]


def _feedback(
    passage_ids: Sequence[int],
    scores: Sequence[float],
    passages: PassageSource,
    analyzer: AnalyzerLike | PassageCache,
) -> list[tuple[TermShares, float]]:
    """The feedback passages' RM3 term shares (of title + text, as the archive indexes them).

    ``analyzer`` is the analyzer, or a ``PassageCache`` over it, which also keeps each
    passage's shares: a passage met again is neither read from the store nor analysed.
    """
    cache = analyzer if isinstance(analyzer, PassageCache) else None
    kept = {} if cache is None else {pid: cache.term_shares(pid) for pid in passage_ids}
    missing = [pid for pid in passage_ids if kept.get(pid) is None]
    found = passages.passages_by_id(missing) if missing else {}
    articles = (
        passages.articles_by_id(sorted({p.article_id for p in found.values()})) if found else {}
    )
    feedback = []
    for passage_id, score in zip(passage_ids, scores, strict=True):
        shares = kept.get(passage_id)
        if shares is None:
            passage = found.get(passage_id)
            article = articles.get(passage.article_id) if passage else None
            if passage is None or article is None:
                continue
            lang = lang_or_default(article.language)
            doc_terms = [
                *analyzer.document_terms(article.title, lang, article.published_at),
                *analyzer.document_terms(passage.text, lang, article.published_at),
            ]
            if not doc_terms:
                continue
            shares = TermShares.of(doc_terms)
            if cache is not None:
                cache.keep_term_shares(passage_id, shares)
        feedback.append((shares, score))
    return feedback


def _group_by_article(
    passage_ids: Sequence[int],
    scores: Sequence[float],
    article_ids: Sequence[int],
    n_articles: int | None,
    held: Callable[[list[int]], dict[int, frozenset[str]] | None] | None = None,
    *,
    ranking: Sequence[tuple[int, float]] | None = None,
) -> list[RankedArticle]:
    """Group ranked passages (best first) by article (``article_ids``, one per passage).

    Without ``ranking`` an article ranks by its best passage and only the first
    ``n_articles`` articles are kept; with it, exactly its (article id, score) pairs are
    kept, in its order. ``held`` gives the question terms of the kept passages, when it can.
    Only kept articles get objects: the answer stage reads a few of ~100 candidates.
    """
    grouped: dict[int, list[tuple[int, float]]] = {}
    if ranking is not None:
        grouped = {article_id: [] for article_id, _ in ranking}
        for passage_id, score, article_id in zip(passage_ids, scores, article_ids, strict=True):
            kept = grouped.get(article_id)
            if kept is not None:
                kept.append((passage_id, score))
    else:
        limit = len(passage_ids) if n_articles is None else n_articles
        for passage_id, score, article_id in zip(passage_ids, scores, article_ids, strict=True):
            kept = grouped.get(article_id)
            if kept is None:
                if len(grouped) >= limit:
                    continue
                kept = grouped[article_id] = []
            kept.append((passage_id, score))
        ranking = [(article_id, kept[0][1]) for article_id, kept in grouped.items()]
    terms = None
    if held is not None:
        terms = held([pid for kept in grouped.values() for pid, _ in kept])
    new = _new_ranked_passage
    return [
        RankedArticle(
            article_id,
            score,
            tuple(
                [new((pid, article_id, passage_score, None)) for pid, passage_score in kept]
                if terms is None
                else [
                    new((pid, article_id, passage_score, terms[pid]))
                    for pid, passage_score in kept
                ]
            ),
        )
        for article_id, score in ranking
        for kept in (grouped[article_id],)
    ]
