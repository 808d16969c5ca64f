"""Broad topics: many alerts per article, decided together in numpy or one by one.

A broad topic (a few everyday words) is a candidate for many articles and alerts on many of
them, so ``TopicMatcher.decide`` judges an article's candidates together
(``index.answer.topic_batch``) and the rest one by one from presence codes and verdicts kept
per index state (``_Verdicts``). These tests check that the decisions are still exactly
``ask``'s article check (``render``, run without the reverse index for every topic that has
a term scoring on the article: ``tests.index.follow_oracle.asked``), that the batch decides
topic by topic what the per-topic rule decides, and that both judgements are
``measure_evidence``'s on every set of matched words.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import MIN_COVERAGE, QuestionWord, measure_evidence
from index.answer.follow import TopicMatcher, _ArticleView, _mask, _Verdicts
from index.answer.topic_batch import WORDS, ArticleBits, TopicWeights, judge
from index.bench.alerts import _NewState, new_articles
from index.bench.archive_corpus import ingest_generated_archive
from index.bench.corpus import ZipfCorpus
from tests.index.follow_oracle import SharedAnalyses, asked

PASSAGES = 800
NEW_ARTICLES = 8


@dataclass(frozen=True)
class _Stored:
    archive: Archive
    article_ids: tuple[int, ...]
    analyses: SharedAnalyses  # the topics' analyses, made once for the module's matchers


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Stored]:
    """A generated archive (the alerts bench's corpus) with new articles stored last."""
    folder = tmp_path_factory.mktemp("broad")
    ingest_generated_archive(folder / "data", PASSAGES, folder / "corpus")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    report = archive.ingest_bytes("new.jsonl", new_articles(PASSAGES, NEW_ARTICLES))
    ids = tuple(item.article_id for item in report.items if item.article_id is not None)
    assert len(ids) == NEW_ARTICLES
    yield _Stored(archive, ids, SharedAnalyses(archive.keeper.analyzer))
    archive.close()


@pytest.mark.parametrize("layer", [True, False])
def test_broad_topics_alert_on_exactly_what_asks_check_accepts(
    generated: _Stored, layer: bool
) -> None:
    archive = generated.archive
    corpus = ZipfCorpus(PASSAGES)
    topics = list(enumerate(corpus.questions(3000) + corpus.specific_questions(300), 1))
    matcher = generated.analyses.matcher(layer=layer)
    matcher.load(topics, datetime.now(UTC), version=1)
    index = archive.keeper.current()
    alerts = 0
    for article_id in generated.article_ids:
        article = archive.get_article(article_id)
        passages = archive.get_passages(article_id)
        records = archive.keeper.records_of(article, passages)
        decided = matcher.decide(article, passages, records, index)
        every = [topic_id for topic_id, _ in topics]
        assert decided == asked(matcher, every, article, passages, index), article.title
        # The verdicts kept from the articles before give the same decisions again.
        assert matcher.decide(article, passages, records, index) == decided
        alerts += len(decided)
    assert alerts >= 3 * NEW_ARTICLES  # broad topics: several alerts per article


def _words(rng: random.Random, n: int) -> tuple[QuestionWord, ...]:
    """``n`` question words with disjoint terms and a mix of the flags the gate reads."""
    words = []
    for i in range(n):
        is_name = rng.random() < 0.3
        known = rng.random() < 0.8
        words.append(
            QuestionWord(
                text=f"Word{i}" if is_name else f"word{i}",
                terms=frozenset({f"t{i}", f"~t{i}"} if is_name else {f"t{i}"}),
                weight=rng.choice([0.5, 1.0, 2.0, 3.0])
                if rng.random() < 0.3
                else rng.uniform(0.1, 9),
                known=known,
                is_date=rng.random() < 0.1,
                is_name=is_name,
                transferable=rng.random() < 0.3,
            )
        )
    return tuple(words)


def _at_the_threshold(weights: tuple[float, ...]) -> tuple[QuestionWord, ...]:
    """Known everyday words whose first one covers exactly ``MIN_COVERAGE`` of the weight."""
    return tuple(
        QuestionWord(f"word{i}", frozenset({f"t{i}"}), weight, True, False, False)
        for i, weight in enumerate(weights)
    )


def test_kept_verdicts_are_measure_evidences_on_every_set_of_matched_words() -> None:
    rng = random.Random(12)
    checked = 0
    exact = [_at_the_threshold((0.45, 0.55)), _at_the_threshold((0.9, 0.3, 0.8))]
    random_sizes = list(range(1, 11)) * 30  # past the 8 words judged without measure_evidence
    for words in exact + [_words(rng, n) for n in random_sizes]:
        n = len(words)
        order = tuple(sorted({t for w in words for t in w.terms}))
        word_bits = tuple(
            sum(1 << j for j, term in enumerate(order) if term in w.terms) for w in words
        )
        verdicts = _Verdicts(None, word_bits, words)
        for matched in itertools.product([False, True], repeat=n):
            present = [t for w, on in zip(words, matched, strict=True) if on for t in w.terms]
            code = sum(1 << order.index(t) for t in present)
            for cross in (False, True):
                expected = measure_evidence(words, present, cross_language=cross).enough
                assert verdicts.enough(code, cross) == expected, (words, matched, cross)
                checked += 1
    assert checked > 100_000
    assert all(measure_evidence(w, ["t0"]).coverage == MIN_COVERAGE for w in exact)


class _Counting(TopicMatcher):
    """A matcher that counts the topics left to the per-topic rule."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.one_by_one = 0

    def _decide_one(self, *args: object, **kwargs: object) -> bool:  # type: ignore[override]
        self.one_by_one += 1
        return super()._decide_one(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("new_state", [False, True])
def test_the_batch_decides_what_the_per_topic_rule_decides(
    generated: _Stored, new_state: bool
) -> None:
    """``topic_batch`` against ``_decide_one`` on every candidate, topic by topic: broad,
    specific and long topics, under one index state and under a new state per article."""
    archive = generated.archive
    corpus = ZipfCorpus(PASSAGES)
    some = corpus.questions(600)
    long_topics = [" ".join(some[i : i + 3]) for i in range(0, 600, 3)]  # over 8 words
    topics = list(
        enumerate(corpus.questions(3000) + corpus.specific_questions(300) + long_topics, 1)
    )
    batched = generated.analyses.matcher(_Counting, layer=True)
    reference = generated.analyses.matcher(_Counting, layer=True)
    reference.batch = False
    for matcher in (batched, reference):
        matcher.load(topics, datetime.now(UTC), version=1)
    shared = archive.keeper.current()
    decided = 0
    for number, article_id in enumerate(generated.article_ids):
        index = _NewState(shared, number) if new_state else shared
        article = archive.get_article(article_id)
        passages = archive.get_passages(article_id)
        records = archive.keeper.records_of(article, passages)
        expected = reference.decide(article, passages, records, index)
        assert batched.decide(article, passages, records, index) == expected, article.title
        decided += len(expected)
    assert decided >= 3 * NEW_ARTICLES
    # The batch judged most candidates itself (the long topics go one by one).
    assert batched.one_by_one < reference.one_by_one / 2


def test_the_reverse_index_in_one_pass_keeps_the_per_record_candidates(
    generated: _Stored,
) -> None:
    archive = generated.archive
    corpus = ZipfCorpus(PASSAGES)
    matcher = generated.analyses.matcher(layer=True)
    matcher.load(enumerate(corpus.questions(3000), 1), datetime.now(UTC), version=1)
    index = archive.keeper.current()
    matcher.candidates((), index)
    reverse, bits = matcher._reverse, matcher._bits
    for article_id in generated.article_ids:
        article = archive.get_article(article_id)
        passages = archive.get_passages(article_id)
        records = archive.keeper.records_of(article, passages)
        view = _ArticleView(article, passages, records, matcher._cache, layer=True)
        for lang in ("en", "uk", None):
            expected = reverse.candidate_rows_in(view.record_term_sets(), lang)
            ids = bits.ids_of({t for s in view.record_term_sets() for t in s})
            where = np.asarray(
                [_mask(i for i, s in enumerate(view.record_term_sets()) if t in s)
                 for t in (matcher._table_terms[i] for i in ids.tolist())],
                dtype=np.uint64,
            )  # fmt: skip
            found = reverse.candidate_rows(ids, where, len(records), lang)
            assert found.tolist() == expected.tolist()
            assert found.size


def test_the_batch_judgement_is_measure_evidences_on_every_set_of_matched_words() -> None:
    rng = random.Random(13)
    exact = [_at_the_threshold((0.45, 0.55)), _at_the_threshold((0.9, 0.3, 0.8))]
    topics = exact + [_words(rng, n) for n in list(range(1, WORDS + 1)) * 40]
    weights = TopicWeights(len(topics), 0)
    rows, matched, expected = [], [], []
    for row, words in enumerate(topics):
        weights.fill(row, words)
        for on in itertools.product([False, True], repeat=len(words)):
            present = [t for w, hit in zip(words, on, strict=True) if hit for t in w.terms]
            rows.append(row)
            matched.append(list(on) + [False] * (WORDS - len(words)))
            expected.append(measure_evidence(words, present).enough)
    verdicts = judge(weights, np.asarray(rows), np.asarray(matched, dtype=bool))
    assert verdicts.tolist() == expected
    assert len(expected) > 10_000 and 0 < sum(expected) < len(expected)


def test_article_bits_are_cleared_for_the_next_article() -> None:
    bits = ArticleBits({"a": 0, "b": 1, "c": 2}, 3)
    first = bits.of({"a": 0b101, "z": 1})
    assert first.tolist() == [0b101, 0, 0, 0]
    flagged = bits.flags(["c"])
    assert flagged.tolist() == [0, 0, 2**64 - 1, 0]
    bits.release()
    again, other = bits.of({"b": 0b10}), bits.of({})
    assert again.tolist() == [0, 0b10, 0, 0]
    assert other.tolist() == [0, 0, 0, 0]
    assert {id(again), id(other)} == {id(first), id(flagged)}  # reused, cleared
