"""The answer stage's shortcuts change no answer: term sets, lazy spans, the proximity head."""

from __future__ import annotations

import gc
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from index.analysis.analyzer import Analyzer
from index.answer import answer_question, passage_cache
from index.answer.candidates import RankedPassage, order_by_proximity
from index.answer.evidence import QuestionWord
from index.answer.passage_cache import PassageCache
from index.extract.passages import split_passages
from index.models import Passage
from tests.index.answer.fakes import (
    MemoryArchive,
    SimpleAnalyzer,
    random_passage_text,
    random_question_words,
)
from tests.index.answer.test_answer_question import ARTICLES

QA_SAMPLE = Path(__file__).resolve().parents[3] / "index" / "eval" / "qa_sample.jsonl"
QUESTIONS = [
    "What did Stoltenberg say on 14 July?",
    "Poland air defence",
    "When did the museum reopen?",
    "Did Russia plan to block WhatsApp over Poland?",
    "grain harvest prices",
    "Tusk missiles allies",
]


def _qa_texts() -> list[tuple[str, str]]:
    texts = []
    for line in QA_SAMPLE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for document in record.get("documents", []):
            texts.append((document["title"], record["lang"]))
            texts.extend((span.text, record["lang"]) for span in split_passages(document["text"]))
    return list(dict.fromkeys(texts))


def test_term_sets_are_the_terms_of_the_spans_on_real_passages():
    """The evidence pre-check reads term sets; it is exact only if they equal span terms."""
    analyzer = Analyzer()
    cache = PassageCache(analyzer)
    published = datetime(2024, 7, 14, 9, tzinfo=UTC)
    texts = _qa_texts()
    assert len(texts) > 50
    for text, lang in texts:
        for when in (None, published):
            spans = analyzer.term_spans(text, lang, when)
            assert cache.terms(text, lang, when) == {span.term for span in spans}
            assert cache.term_spans(text, lang, when) == spans


class CountingAnalyzer(SimpleAnalyzer):
    def __init__(self) -> None:
        self.analysed: list[str] = []

    def term_spans(self, text, lang, published_at):
        self.analysed.append(text)
        return super().term_spans(text, lang, published_at)


def test_cached_results_are_reused_and_bounded():
    analyzer = CountingAnalyzer()
    cache = PassageCache(analyzer, max_spans=2, max_term_sets=2)
    first = cache.term_spans("Tusk said so", "en", None)
    assert [(s.term, s.start, s.end) for s in first] == [
        ("tusk", 0, 4),
        ("said", 5, 9),
        ("so", 10, 12),
    ]
    assert cache.term_spans("Tusk said so", "en", None) == first
    assert analyzer.analysed == ["Tusk said so"]
    cache.term_spans("one", "en", None)
    cache.term_spans("two", "en", None)
    cache.term_spans("Tusk said so", "en", None)  # evicted: analysed again
    assert analyzer.analysed == ["Tusk said so", "one", "two", "Tusk said so"]
    assert cache.terms("Tusk said so", "en", None) == frozenset({"tusk", "said", "so"})
    assert cache.document_terms("Tusk said so", "en", None) == ("tusk", "said", "so")


def test_cached_entries_are_not_tracked_by_the_garbage_collector():
    """Full collections must not grow with the cache (they pause every question: p99)."""
    cache = PassageCache(SimpleAnalyzer())
    cache.term_spans("Tusk said so on 14 July", "en", None)
    cache.document_terms("Tusk said so on 14 July", "en", None)
    gc.collect()
    gc.collect()  # a tuple is untracked once its items are: inner tuples first, then outer
    packed = cache._packed_spans("Tusk said so on 14 July", "en", None)
    terms = cache.document_terms("Tusk said so on 14 July", "en", None)
    assert not gc.is_tracked(packed)
    assert not any(gc.is_tracked(span) for span in packed)
    assert not gc.is_tracked(terms)


def test_article_of_asks_the_engine_once_per_passage():
    cache = PassageCache(SimpleAnalyzer())
    asked = []

    def lookup(passage_id: int) -> int:
        asked.append(passage_id)
        return passage_id // 10

    assert [cache.article_of(p, lookup) for p in (11, 12, 11, 25, 12)] == [1, 1, 1, 2, 1]
    assert asked == [11, 12, 25]


def test_articles_of_asks_the_engine_once_for_all_new_passages(monkeypatch):
    cache = PassageCache(SimpleAnalyzer())
    asked = []

    def lookup(passage_ids: list[int]) -> np.ndarray:
        asked.append(list(passage_ids))
        return np.asarray(passage_ids, dtype=np.int64) // 10

    assert cache.articles_of([11, 12, 11], lookup) == [1, 1, 1]
    assert cache.articles_of([25, 12, 25, 31], lookup) == [2, 1, 2, 3]
    assert cache.articles_of([31, 11], lookup) == [3, 1]
    assert asked == [[11, 12], [25, 31]]
    # A full memo is emptied, yet the answer still covers the passages it already knew.
    monkeypatch.setattr(passage_cache, "MAX_CACHED_ARTICLE_IDS", 4)
    assert cache.articles_of([11, 40], lookup) == [1, 4]
    assert asked[-1] == [40]


@pytest.mark.parametrize("seed", range(40))
def test_proximity_head_is_the_head_of_the_full_order(seed):
    """Spans are computed only for passages that can reach the shown head; same head."""
    rng = random.Random(seed)
    analyzer = SimpleAnalyzer()
    archive = MemoryArchive(ARTICLES, analyzer)
    article = archive.articles[1]
    words = random_question_words(rng)
    candidates = []
    for i in range(rng.randint(2, 10)):
        text = random_passage_text(rng)
        score = rng.choice([1.0, 2.0, 2.5, rng.uniform(0.1, 5)])  # ties included
        candidates.append((RankedPassage(i, 1, score), Passage(i, 1, i, text, 0, len(text))))
    candidates.sort(key=lambda c: -c[0].score)
    cache = PassageCache(analyzer)
    computed: list[int] = []

    def spans_of(passage: Passage):
        computed.append(passage.passage_id)
        return cache.term_spans(passage.text, "en", None)

    full = order_by_proximity(candidates, spans_of, words, article, cache)
    assert sorted(computed) == sorted(p.passage_id for _, p in candidates)
    computed.clear()
    head = order_by_proximity(candidates, spans_of, words, article, cache, limit=2)
    assert head == full[:2]


def test_answers_are_the_same_with_a_shared_cache_as_without():
    analyzer = SimpleAnalyzer()
    archive = MemoryArchive(ARTICLES, analyzer)
    cache = PassageCache(analyzer)
    for layer in (True, False):
        for text in QUESTIONS * 2:
            question = analyzer.question(text)
            for k, offset in ((3, 0), (1, 1)):
                common = {"index": archive, "passages": archive, "analyzer": analyzer}
                plain = answer_question(question, k=k, offset=offset, layer=layer, **common)
                cached = answer_question(
                    question, k=k, offset=offset, layer=layer, cache=cache, **common
                )
                assert cached == plain


def test_passages_that_cannot_reach_the_head_are_not_analysed():
    analyzer = SimpleAnalyzer()
    archive = MemoryArchive(ARTICLES, analyzer)
    words = [QuestionWord("tusk", frozenset(["tusk"]), 1.0, True, False, False)]
    candidates = [
        (RankedPassage(i, 1, score), Passage(i, 1, i, "Tusk spoke.", 0, 11))
        for i, score in enumerate([10.0, 9.0, 1.0, 1.0])
    ]
    cache = PassageCache(analyzer)
    computed: list[int] = []

    def spans_of(passage: Passage):
        computed.append(passage.passage_id)
        return cache.term_spans(passage.text, "en", None)

    head = order_by_proximity(candidates, spans_of, words, archive.articles[1], cache, limit=2)
    assert [ranked.passage_id for ranked, _ in head] == [0, 1]
    assert computed == [0, 1]
