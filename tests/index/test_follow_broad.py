"""Broad topics: many alerts per article, decided with per-article bits and kept verdicts.

A broad topic (a few everyday words) is a candidate for many articles and alerts on many of
them, so ``TopicMatcher.decide`` judges it from presence codes and verdicts kept per index
state (``_Verdicts``) rather than from the article's term sets. These tests check that the
decisions are still exactly ``ask``'s article check (``render``, run for every topic without
the reverse index), and that the kept judgement is ``measure_evidence``'s on every set of
matched words.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import MIN_COVERAGE, QuestionWord, measure_evidence
from index.answer.follow import TopicMatcher, _Verdicts
from index.bench.alerts import new_articles
from index.bench.archive_corpus import ingest_generated_archive
from index.bench.corpus import ZipfCorpus

PASSAGES = 800
NEW_ARTICLES = 8


@dataclass(frozen=True)
class _Stored:
    archive: Archive
    article_ids: tuple[int, ...]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Stored]:
    """A generated archive (the alerts bench's corpus) with new articles stored last."""
    folder = tmp_path_factory.mktemp("broad")
    ingest_generated_archive(folder / "data", PASSAGES, folder / "corpus")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    report = archive.ingest_bytes("new.jsonl", new_articles(PASSAGES, NEW_ARTICLES))
    ids = tuple(item.article_id for item in report.items if item.article_id is not None)
    assert len(ids) == NEW_ARTICLES
    yield _Stored(archive, ids)
    archive.close()


@pytest.mark.parametrize("layer", [True, False])
def test_broad_topics_alert_on_exactly_what_asks_check_accepts(
    generated: _Stored, layer: bool
) -> None:
    archive = generated.archive
    corpus = ZipfCorpus(PASSAGES)
    topics = list(enumerate(corpus.questions(3000) + corpus.specific_questions(300), 1))
    matcher = TopicMatcher(archive.keeper.analyzer, layer=layer)
    matcher.load(topics, datetime.now(UTC), version=1)
    index = archive.keeper.current()
    alerts = 0
    for article_id in generated.article_ids:
        article = archive.get_article(article_id)
        passages = archive.get_passages(article_id)
        records = archive.keeper.records_of(article, passages)
        decided = matcher.decide(article, passages, records, index)
        asked = [
            topic_id
            for topic_id, _ in topics
            if matcher.render(topic_id, article, passages, index) is not None
        ]
        assert decided == asked, article.title
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
