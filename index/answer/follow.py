"""Matching new articles against followed topics with the answer gate of ``ask``.

A topic is a question. An article alerts a topic when ``ask``'s own article check accepts
it: the same analyzer turns the topic into question words (``evidence.question_words``),
the article's passages are scored with exact BM25 (``SearchIndex.score_passages``), and
``assemble._answer_from_article`` (the evidence threshold, the unknown-name rule, the
cross-language rule, snippet choice) decides and builds the cited snippets. So a topic
alerts on an article exactly when ``ask`` would cite that article if it ranked among the
answers shown; what ``ask`` adds on top is only the cut to the best ``k`` articles.

Cost: with many topics, scoring every topic per article is what made other bots drop
keyword alerts. Two steps keep it proportional to the article's terms:

1. A reverse index maps a term to the topics that can only pass when an article holds it.
   A topic passes only when its matched words carry at least ``MIN_COVERAGE`` of its
   weight, so some word among its heaviest ones must match: the fewest heaviest words
   whose weights exceed the rest's ``1 - MIN_COVERAGE`` share (its *signature*; words that
   cross languages, names, dates, numbers, are added for the cross-language rule). A topic
   is listed only under its signature's terms; common words rarely enter a signature.
2. Each candidate is measured on the union of the article's terms (title, passages, day)
   with ``measure_evidence``: evidence only grows with terms, so a failing union means no
   passage can pass. Only the few that pass run the real ``question_words`` and
   ``_answer_from_article``.

Weights come from document frequencies, which move as the archive grows, so signatures are
recomputed when the index's passage count moved by more than ``RESIGN_SHARE`` (and when
topics change); step 2 always uses the current frequencies.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from index.analysis.language import lang_or_default
from index.answer.answer_type import answer_type_of
from index.answer.assemble import (
    PASSAGES_CHECKED_PER_ARTICLE,
    _answer_from_article,
    _day_terms,
)
from index.answer.candidates import RankedArticle, RankedPassage
from index.answer.evidence import (
    COMMON_UNKNOWN_DF_SHARE,
    MAX_COMMON_UNKNOWN,
    MIN_COVERAGE,
    MIN_KNOWN_FOR_DISCOUNT,
    QuestionWord,
    _is_common_word,
    evidence_idf,
    measure_evidence,
    question_words,
)
from index.answer.passage_cache import PassageCache
from index.answer.protocols import AnalyzerLike, SearchBackend
from index.models import (
    Article,
    ArticleAnswer,
    Citation,
    DocRecord,
    Passage,
    Snippet,
)

logger = logging.getLogger(__name__)

# Signatures are recomputed when the index's passage count moved by more than this share
# since they were computed (document frequencies move with it).
RESIGN_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class _Shape:
    """A question word without its weight: what does not depend on the index."""

    text: str
    terms: frozenset[str]
    is_date: bool
    is_name: bool
    transferable: bool
    common: bool  # an all-lowercase everyday word (may be discounted when unknown)


@dataclass(slots=True)
class _TopicQuery:
    topic_id: int
    text: str
    question: object  # index.analysis.analyzer.AnalyzedQuestion
    shapes: tuple[_Shape, ...]


class _NoIndex:
    """An empty index: ``question_words`` then only groups the terms into words."""

    n_docs = 1

    def document_frequency(self, term: str) -> int:
        return 0


class TopicMatcher:
    """Topics as analysed questions, with a reverse index from signature terms to topics.

    Args:
        analyzer: the index's analyzer (``IndexKeeper.analyzer``), as ``ask`` uses.
        layer: apply the ranking layer to snippet order (``IndexSettings.ranking_layer``).
    """

    def __init__(self, analyzer: AnalyzerLike, *, layer: bool) -> None:
        self.analyzer = analyzer
        self.layer = layer
        self._topics: dict[int, _TopicQuery] = {}
        self._reverse: dict[str, list[int]] = {}
        self._signed_at_docs = -1.0
        self.version = -1
        self._cache = PassageCache(analyzer)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._topics)

    def load(self, topics: Iterable[tuple[int, str]], now: datetime, version: int) -> None:
        """Replace the topics (id, text); the reverse index is rebuilt on the next match."""
        self._topics = {}
        for topic_id, text in topics:
            query = self.analyse(topic_id, text, now)
            if query is not None:
                self._topics[topic_id] = query
        self._signed_at_docs = -1.0
        self.version = version

    def analyse(self, topic_id: int, text: str, now: datetime) -> _TopicQuery | None:
        """A topic's question and word shapes; None when it has no searchable word."""
        question = self.analyzer.question(text, now)  # type: ignore[attr-defined]
        if not question.terms:
            return None
        words = question_words(
            question.text,
            question.language,
            question.terms,
            question.date_terms,
            analyzer=self.analyzer,
            index=_NoIndex(),  # type: ignore[arg-type]
        )
        dates = set(question.date_terms)
        shapes = tuple(
            _Shape(
                text=w.text,
                terms=w.terms,
                is_date=w.is_date,
                is_name=w.is_name,
                transferable=w.transferable,
                common=_is_common_word(w.text, set(w.terms), dates),
            )
            for w in words
        )
        return _TopicQuery(topic_id, text, question, shapes)

    # -- the reverse index --------------------------------------------------------------------

    def _ensure_signed(self, index: SearchBackend) -> None:
        n = index.n_docs
        if self._signed_at_docs >= 0 and abs(n - self._signed_at_docs) <= RESIGN_SHARE * max(
            self._signed_at_docs, 1
        ):
            return
        df: dict[str, int] = {}
        reverse: dict[str, list[int]] = {}
        for query in self._topics.values():
            words = _weigh(query.shapes, index, df)
            for term in _signature_terms(words):
                reverse.setdefault(term, []).append(query.topic_id)
        self._reverse = reverse
        self._signed_at_docs = float(n)

    def candidates(self, terms: Iterable[str], index: SearchBackend) -> set[int]:
        """Topics listed under any of ``terms`` in the reverse index."""
        self._ensure_signed(index)
        found: set[int] = set()
        reverse = self._reverse
        for term in terms:
            listed = reverse.get(term)
            if listed is not None:
                found.update(listed)
        return found

    # -- matching -----------------------------------------------------------------------------

    def match(
        self,
        article: Article,
        passages: Sequence[Passage],
        records: Sequence[DocRecord],
        index: SearchBackend,
        *,
        topic_ids: Iterable[int] | None = None,
    ) -> list[tuple[int, ArticleAnswer]]:
        """The topics ``article`` answers, with the cited snippets ``ask`` would show.

        Args:
            article: the stored article.
            passages: its passages.
            records: its passages' index records (title and passage terms), as indexed.
            index: the search index that already holds the article.
            topic_ids: check only these topics (default: the reverse index's candidates).
        """
        held = set(_day_terms(article))
        for record in records:
            held.update(record.terms)
        if topic_ids is None:
            topic_ids = self.candidates(held, index)
        lang = lang_or_default(article.language)
        df: dict[str, int] = {}
        frozen_held = frozenset(held)
        found = []
        for topic_id in sorted(topic_ids):
            query = self._topics.get(topic_id)
            if query is None:
                continue
            words = _weigh(query.shapes, index, df)
            cross = lang != query.question.language  # type: ignore[attr-defined]
            if not measure_evidence(words, frozen_held, cross_language=cross).enough:
                continue
            answer = self._answer(query, article, passages, index)
            if answer is not None:
                found.append((topic_id, answer))
        return found

    def _answer(
        self,
        query: _TopicQuery,
        article: Article,
        passages: Sequence[Passage],
        index: SearchBackend,
    ) -> ArticleAnswer | None:
        """``ask``'s check and snippets for one article, with the current weights."""
        question = query.question
        words: Sequence[QuestionWord] = question_words(
            question.text,  # type: ignore[attr-defined]
            question.language,  # type: ignore[attr-defined]
            question.terms,  # type: ignore[attr-defined]
            question.date_terms,  # type: ignore[attr-defined]
            analyzer=self.analyzer,
            index=index,
        )
        ids = [p.passage_id for p in passages]
        scores = index.score_passages(question.terms, ids)  # type: ignore[attr-defined]
        ranked = sorted(
            (
                RankedPassage(pid, article.article_id, float(score))
                for pid, score in zip(ids, scores.tolist(), strict=True)
                if score > 0
            ),
            key=lambda p: (-p.score, p.passage_id),
        )[:PASSAGES_CHECKED_PER_ARTICLE]
        if not ranked:
            return None
        ranked_article = RankedArticle(article.article_id, ranked[0].score, tuple(ranked))
        return _answer_from_article(
            ranked_article,
            article,
            {p.passage_id: p for p in passages},
            words,
            question,  # type: ignore[arg-type]
            self._cache,
            present=None,
            wanted_type=answer_type_of(query.text),
            layer=self.layer,
        )


def _weigh(
    shapes: Sequence[_Shape], index: SearchBackend, df: dict[str, int]
) -> tuple[QuestionWord, ...]:
    """Question words with the weights ``evidence.question_words`` gives them today.

    The same rules in the same order (rarest known term's idf; an unknown word at the weight
    of a term seen once, one unknown everyday word beside enough known ones discounted);
    ``df`` caches document frequencies across the topics of one match.
    """
    n_docs = max(index.n_docs, 1)
    known_dfs = []
    for shape in shapes:
        found = []
        for term in shape.terms:
            value = df.get(term)
            if value is None:
                value = df[term] = index.document_frequency(term)
            if value > 0:
                found.append(value)
        known_dfs.append(found)
    unknown_common = [i for i, s in enumerate(shapes) if not known_dfs[i] and s.common]
    n_known = sum(1 for found in known_dfs if found)
    discounted = (
        set(unknown_common)
        if len(unknown_common) <= MAX_COMMON_UNKNOWN and n_known >= MIN_KNOWN_FOR_DISCOUNT
        else set()
    )
    unknown_weight = evidence_idf(1, n_docs)
    common_weight = evidence_idf(max(1, math.ceil(COMMON_UNKNOWN_DF_SHARE * n_docs)), n_docs)
    words = []
    for i, shape in enumerate(shapes):
        found = known_dfs[i]
        if found:
            weight = evidence_idf(min(found), n_docs)
        elif i in discounted:
            weight = common_weight
        else:
            weight = unknown_weight
        words.append(
            QuestionWord(
                text=shape.text,
                terms=shape.terms,
                weight=weight,
                known=bool(found),
                is_date=shape.is_date,
                is_name=shape.is_name,
                transferable=shape.transferable,
            )
        )
    return tuple(words)


def _signature_terms(words: Sequence[QuestionWord]) -> set[str]:
    """Terms of which an article must hold one for the topic to be able to pass.

    The heaviest words until the rest weigh less than ``MIN_COVERAGE`` of the total: a
    matched set without any of them covers too little. Transferable words (names, dates,
    numbers) are added, since across languages only they and matched words are counted.
    """
    total = sum(w.weight for w in words)
    order = sorted(range(len(words)), key=lambda i: -words[i].weight)
    rest = total
    terms: set[str] = set()
    for i in order:
        terms |= words[i].terms
        rest -= words[i].weight
        if rest < MIN_COVERAGE * total:
            break
    for word in words:
        if word.transferable:
            terms |= word.terms
    return terms


def answer_to_json(answer: ArticleAnswer) -> str:
    """An alert's cited snippets and citation as JSON (the outbox payload)."""
    citation = answer.citation
    return json.dumps(
        {
            "citation": {
                "article_id": citation.article_id,
                "title": citation.title,
                "source": citation.source,
                "author": citation.author,
                "published_at": citation.published_at.isoformat()
                if citation.published_at
                else None,
                "url": citation.url,
            },
            "snippets": [
                {
                    "text": s.text,
                    "highlights": [list(h) for h in s.highlights],
                    "passage_id": s.passage_id,
                    "passage_ordinal": s.passage_ordinal,
                    "score": s.score,
                }
                for s in answer.snippets
            ],
            "score": answer.score,
        },
        ensure_ascii=False,
    )


def answer_from_json(payload: str) -> ArticleAnswer:
    """The inverse of ``answer_to_json``."""
    data = json.loads(payload)
    c = data["citation"]
    published = c.get("published_at")
    return ArticleAnswer(
        citation=Citation(
            article_id=int(c["article_id"]),
            title=str(c["title"]),
            source=c.get("source"),
            author=c.get("author"),
            published_at=datetime.fromisoformat(published) if published else None,
            url=c.get("url"),
        ),
        snippets=tuple(
            Snippet(
                text=s["text"],
                highlights=tuple((int(a), int(b)) for a, b in s["highlights"]),
                passage_id=int(s["passage_id"]),
                passage_ordinal=int(s["passage_ordinal"]),
                score=float(s["score"]),
            )
            for s in data["snippets"]
        ),
        score=float(data["score"]),
    )


__all__ = ["TopicMatcher", "answer_from_json", "answer_to_json"]
