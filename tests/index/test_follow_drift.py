"""The reverse index's filter under document frequencies that moved since its build.

Until this test was written the reverse index (``follow._ReverseIndex``) kept the weights of
its build, rebuilt when the index grew by 5%, and kept a topic whose words an article held
0.4 of that weight, a margin under the gate's ``MIN_COVERAGE`` (0.45). A burst of articles
on a new name moves that word's document frequency within the 5%, its weight falls, and the
topic's other words carry more of the topic than the build's weights say: the topic missed
an alert ``ask`` gives. The filter must keep every topic ``ask``'s article check accepts,
whatever moved since the build.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import (
    MIN_COVERAGE,
    QuestionWord,
    evidence_idf,
    measure_evidence,
    question_words,
)
from index.answer.follow import TopicMatcher, _ReverseIndex, _Shape, _TopicQuery, _weigh
from index.bench.alerts import new_articles
from index.bench.archive_corpus import ingest_generated_archive
from index.bench.corpus import ZipfCorpus

CHAT = 7
# Filler vocabulary: made-up everyday words, so no real word's frequency is in play.
_FILLER = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in ("al", "en", "ir", "os") for c in "kmt"]
TOPIC = "harbour dredging Quorvath"
FILLERS = 400  # single-passage articles stored before the topic is followed
# Each of the topic's everyday words is in this many filler articles (never both in one).
COMMON = 80
BURST = 18  # articles naming Quorvath after the build: under 5% of the index
# What the reverse index did before: rebuilt every 5% of growth, a candidate at 0.4.
OLD_RESIGN_SHARE = 0.05
OLD_FILTER_COVERAGE = 0.4


def _article(number: int, words: list[str], rng: random.Random, tag: str) -> dict[str, str]:
    filler = rng.sample(_FILLER, 30)
    body = " ".join(filler[:15] + words + filler[15:])
    return {
        "url": f"https://drift.example.org/{tag}/{number}",
        "title": " ".join(filler[:4]),
        "text": body + ".",
        "published": "2024-07-19T08:00:00Z",
        "language": "en",
    }


def _jsonl(articles: list[dict[str, str]]) -> bytes:
    return ("\n".join(json.dumps(a) for a in articles) + "\n").encode()


@dataclass(frozen=True)
class _Drifted:
    archive: Archive
    target: int  # the article holding "harbour dredging" after the burst
    burst: tuple[int, ...]


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Drifted]:
    """An archive where a topic's name was rare when the reverse index was built and is
    common (a burst) when an article holding the topic's two other words arrives."""
    folder: Path = tmp_path_factory.mktemp("drift")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    rng = random.Random(12)
    fillers = []
    for number in range(FILLERS):
        words = []
        if number < COMMON:
            words = ["harbour"]
        elif number < 2 * COMMON:
            words = ["dredging"]
        elif number == 2 * COMMON:
            words = ["Quorvath"]
        fillers.append(_article(number, words, rng, "filler"))
    assert archive.ingest_bytes("fillers.jsonl", _jsonl(fillers)).failed == ()
    archive.follow(CHAT, TOPIC)
    # The first match after the follow builds the reverse index, with Quorvath in 1 passage.
    opener = [_article(0, ["lighthouse"], rng, "opener")]
    assert archive.ingest_bytes("opener.jsonl", _jsonl(opener)).failed == ()
    built_at = archive.keeper.current().n_docs
    burst = [_article(n, ["Quorvath"], rng, "burst") for n in range(BURST)]
    report = archive.ingest_bytes("burst.jsonl", _jsonl(burst))
    target = _article(0, ["harbour", "dredging"], rng, "target")
    last = archive.ingest_bytes("target.jsonl", _jsonl([target]))
    # Inside the old window: the reverse index was not rebuilt.
    assert archive.keeper.current().n_docs - built_at <= OLD_RESIGN_SHARE * built_at
    ids = tuple(item.article_id for item in report.items if item.article_id is not None)
    (target_id,) = (item.article_id for item in last.items if item.article_id is not None)
    yield _Drifted(archive, target_id, ids)
    archive.close()


def test_the_scenario_is_a_burst_the_build_weights_hide(drifted: _Drifted) -> None:
    """The build's weights put the target's two words under the old filter's bar; today's
    put them over the gate's (so the test is about drift, not about the gate)."""
    n_then = FILLERS + 1  # the fillers and the opener when the reverse index was built
    name_then, common_then = evidence_idf(1, n_then), evidence_idf(COMMON, n_then)
    assert 2 * common_then < OLD_FILTER_COVERAGE * (name_then + 2 * common_then)
    index = drifted.archive.keeper.current()
    question = drifted.archive.keeper.analyzer.question(TOPIC, datetime.now(UTC))
    words = question_words(
        question.text,
        question.language,
        question.terms,
        question.date_terms,
        analyzer=drifted.archive.keeper.analyzer,
        index=index,
    )
    weights = {word.text: word.weight for word in words}
    assert weights["Quorvath"] == evidence_idf(1 + BURST, index.n_docs)
    held = weights["harbour"] + weights["dredging"]
    assert held >= MIN_COVERAGE * sum(weights.values())


def test_a_burst_on_a_name_does_not_hide_an_alert_ask_gives(drifted: _Drifted) -> None:
    archive = drifted.archive
    cited = {a.citation.article_id for a in archive.ask(TOPIC, k=100).articles}
    assert drifted.target in cited  # ask answers the topic from the target article
    alerted = {a.answer.citation.article_id for a in archive.pending_alerts()}
    assert drifted.target in alerted
    # Exactly ask's answers among the articles stored after the follow.
    assert alerted == cited & {drifted.target, *drifted.burst}


class _Frequencies:
    """An index state as the matcher reads it: passage count and document frequencies."""

    def __init__(self, n_docs: int, df: dict[str, int], generation: str) -> None:
        self.n_docs = n_docs
        self.df = df
        self._generation = generation

    def document_frequency(self, term: str) -> int:
        return self.df.get(term, 0)

    def document_frequencies(self, terms: Sequence[str]) -> np.ndarray:
        return np.asarray([self.df.get(t, 0) for t in terms], dtype=np.int64)

    def generation(self) -> str:
        return self._generation


def _random_topic(
    rng: random.Random, topic_id: int, vocabulary: int, spellings: Sequence[int] = ()
) -> _TopicQuery:
    """1-10 words (long ones for the compound rule) with the flags ``_weigh`` reads: names
    with a fold key (with ``spellings``, a number of fold keys drawn from it), everyday
    words that may be discounted when unknown, dates."""
    shapes = []
    for number in rng.sample(range(vocabulary), rng.randint(1, 10)):
        kind = rng.random()
        if kind < 0.25:
            text = f"Name{number}"
            if spellings:
                keys = {f"~name{number}-{k}" for k in range(rng.choice(spellings))}
            else:
                keys = {f"~name{number}"}
            terms = {f"name{number}", *keys}
        elif kind < 0.3:
            text, terms = f"{number}", {f"@{number}"}
        else:
            text, terms = f"word{number}", {f"word{number}"}
        shapes.append(
            _Shape(
                text=text,
                terms=frozenset(terms),
                is_date=text.isdigit(),
                is_name=text[0].isupper(),
                transferable=text.isdigit() or text[0].isupper(),
                common=text.islower(),
            )
        )
    terms = frozenset().union(*(s.terms for s in shapes))
    question = SimpleNamespace(language="en" if rng.random() < 0.8 else "uk", terms=terms)
    return _TopicQuery(topic_id, "", question, tuple(shapes), terms=terms)


def _drifted(rng: random.Random, before: _Frequencies, terms: list[str]) -> _Frequencies:
    """The index some ingests and removals later: growth up to just under the old 5% window
    (or past it, or a shrink), bursts on a few terms, new terms, terms gone, small moves."""
    n0 = before.n_docs
    growth = rng.choice([0.0, 0.0499, rng.uniform(0, 0.05), rng.uniform(0.05, 0.5), -0.03])
    n_docs = max(1, round(n0 * (1 + growth)))
    added = max(n_docs - n0, 0)
    df = dict(before.df)
    for term in rng.sample(terms, rng.randint(0, 6)):  # bursts: up to every new passage
        df[term] = min(n_docs, df.get(term, 0) + rng.randint(0, max(added, 1)))
    for term in rng.sample(terms, rng.randint(0, 6)):  # new to the index, or gone from it
        df[term] = 0 if df.get(term, 0) else rng.randint(1, max(added, 1))
    for term in rng.sample(terms, rng.randint(0, 40)):  # the ordinary moves of growth
        df[term] = max(0, min(n_docs, df.get(term, 0) + rng.randint(-2, max(added // 20, 2))))
    return _Frequencies(n_docs, df, f"{before.generation()}+drift")


def _rows_by_term(topics: Sequence[_TopicQuery]) -> dict[str, list[int]]:
    """The topics (rows) each term is a term of.

    ``measure_evidence`` passes a record only when one of the topic's words matches it (its
    ``bool(matched)``; ``_check_needs_a_match`` holds it to that), so the brute-force oracle
    below measures a record against the topics it shares a term with, not against all 300:
    the same verdicts at a fraction of the cost, which was nearly all of these tests' time.
    """
    rows: dict[str, list[int]] = {}
    for row, topic in enumerate(topics):
        for term in topic.terms:
            rows.setdefault(term, []).append(row)
    return rows


def _sharing(rows: dict[str, list[int]], record: set[str]) -> set[int]:
    """The topics that have a term in ``record``: the only ones the gate may pass on it."""
    return {row for term in record for row in rows.get(term, ())}


def _check_needs_a_match(words: Sequence[Sequence[QuestionWord]], record: set[str]) -> None:
    """The oracle's shortcut holds: no topic passes the gate on a record without its terms."""
    for topic_words in words:
        apart = record - frozenset().union(*(word.terms for word in topic_words))
        for cross in (False, True):
            assert not measure_evidence(topic_words, apart, cross_language=cross).enough


def test_the_filter_keeps_every_topic_the_gate_passes_whatever_drifted() -> None:
    """Random topics under random drift since the reverse index was built: every topic
    whose words ``measure_evidence`` (``ask``'s article check on one passage with the title
    and day) finds enough on some record of an article, under today's weights, is kept by
    the per-record filter (``_keep``) and by the one-pass one (``candidate_rows``)."""
    rng = random.Random(2026)
    checked = passing = 0
    for trial in range(30):
        vocabulary = rng.choice([40, 150, 400])
        topics = [_random_topic(rng, n, vocabulary) for n in range(300)]
        reverse = _ReverseIndex.build(topics)
        terms = list(reverse.terms)
        rows_of = _rows_by_term(topics)
        n0 = rng.choice([20, 300, 5_000, 1_000_000])
        built = _Frequencies(
            n0,
            {t: rng.choice([0, 1, 2, rng.randint(1, max(n0 // 3, 1))]) for t in terms},
            f"state-{trial}",
        )
        reverse.reweigh(built)  # the build's weights, then the drift's
        now = built
        for round_ in range(3):
            now = _drifted(rng, now, terms)
            reverse.reweigh(now)
            words = [_weigh(topic.shapes, now, {}) for topic in topics]
            if round_ == 0:
                _check_needs_a_match(words, set(terms))
            for _ in range(15):
                lang = rng.choice(["en", "en", "uk", None])
                records = [
                    set(rng.sample(terms, rng.randint(1, min(25, len(terms)))))
                    for _ in range(rng.randint(1, 6))
                ]
                expected = {
                    row
                    for record in records
                    for row in _sharing(rows_of, record)
                    if measure_evidence(
                        words[row],
                        record,
                        cross_language=lang is not None and lang != topics[row].question.language,
                    ).enough
                    or (
                        lang is None
                        and measure_evidence(words[row], record, cross_language=True).enough
                    )
                }
                kept = set(reverse.candidate_rows_in(records, lang).tolist())
                ids = np.asarray(sorted({reverse.term_ids[t] for r in records for t in r}))
                where = np.asarray(
                    [sum(1 << i for i, r in enumerate(records) if t in r) for t in
                     (terms[i] for i in ids.tolist())],
                    dtype=np.uint64,
                )  # fmt: skip
                one_pass = set(reverse.candidate_rows(ids, where, len(records), lang).tolist())
                assert expected <= kept, (trial, sorted(expected - kept))
                assert kept == one_pass
                checked += len(topics)
                passing += len(expected)
    assert checked > 400_000 and passing > 1_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The alerts bench's generated archive, small."""
    folder = tmp_path_factory.mktemp("drift-generated")
    ingest_generated_archive(folder / "data", PASSAGES, folder / "corpus")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    yield archive
    archive.close()


PASSAGES = 800


def test_under_random_bursts_the_matcher_decides_what_asks_check_accepts(
    generated: Archive,
) -> None:
    """Random bursts after the reverse index was built (the first round under 5% of the
    index), then new articles: the matcher decides, for each, exactly the topics for which
    ``ask``'s article check (``render``, run for every topic) gives an answer.

    Besides the bench's broad and specific topics, each new article has topics made of two
    of its words and a rare word of the corpus that a burst before it names many times."""
    archive = generated
    rng = random.Random(7)
    corpus = ZipfCorpus(PASSAGES)
    topics = corpus.questions(1000) + corpus.specific_questions(200)
    rare = sorted({w for text in corpus.specific_questions(300) for w in text.split()})
    fresh = new_articles(PASSAGES, 9).decode().splitlines()
    before = archive.keeper.current()
    n0 = before.n_docs
    rare = [w for w in rare if before.document_frequency(w) > 0]
    weight = {w: evidence_idf(before.document_frequency(w), n0) for w in rare}
    sizes = [rng.randint(10, 13) for _ in range(3)]  # burst articles, one passage each
    named: list[list[str]] = []
    for number, line in enumerate(fresh):
        # One or two words of the article's first passage and a rare name, drawn among those whose
        # weights put those words under 0.4 of the topic now and, once the burst names
        # the name, over the gate's 0.45 (the window the old filter missed).
        own = {w for w in json.loads(line)["text"].split("\n\n")[0].split() if w.isalpha()}
        known = sorted(w for w in own if before.document_frequency(w) > 0)
        own_weight = {w: evidence_idf(before.document_frequency(w), n0) for w in known}
        pairs = [*itertools.combinations(known, 1), *itertools.combinations(known, 2)]
        round_ = number // 3
        grown = n0 + sum(sizes[: round_ + 1]) + 24 * (round_ + 1)
        names = []
        for name in rng.sample(rare, len(rare)):
            after = evidence_idf(before.document_frequency(name) + sizes[round_], grown)
            held = [(pair, sum(own_weight[w] for w in pair)) for pair in pairs]
            fits = [
                pair
                for pair, s in held
                if MIN_COVERAGE * (s + after) <= s < 0.4 * (s + weight[name])
            ]
            if fits:
                topics.append(" ".join([*rng.choice(fits), name]))
                names.append(name)
            if len(names) == 3:
                break
        named.append(names)
    topics_by_id = list(enumerate(topics, 1))
    matcher = TopicMatcher(archive.keeper.analyzer, layer=True)
    matcher.load(topics_by_id, datetime.now(UTC), version=1)
    matcher.candidates((), archive.keeper.current())  # built under the state before
    alerts = 0
    for round_ in range(3):
        burst_names = [name for names in named[3 * round_ : 3 * round_ + 3] for name in names]
        burst = [
            {
                "url": f"https://drift.example.org/burst/{round_}/{n}",
                "title": " ".join(rng.sample(rare, 3)),
                "text": " ".join([*burst_names, *rng.sample(rare, 12)]) + ".",
                "published": "2024-07-19T08:00:00Z",
                "language": "en",
            }
            for n in range(sizes[round_])
        ]
        assert archive.ingest_bytes(f"burst-{round_}.jsonl", _jsonl(burst)).failed == ()
        lines = "\n".join(fresh[3 * round_ : 3 * round_ + 3]) + "\n"
        report = archive.ingest_bytes(f"new-{round_}.jsonl", lines.encode())
        index = archive.keeper.current()
        for item in report.items:
            assert item.article_id is not None
            article = archive.get_article(item.article_id)
            passages = archive.get_passages(item.article_id)
            records = archive.keeper.records_of(article, passages)
            decided = matcher.decide(article, passages, records, index)
            asked = [
                topic_id
                for topic_id, _ in topics_by_id
                if matcher.render(topic_id, article, passages, index) is not None
            ]
            assert decided == asked, (round_, article.title)
            alerts += len(decided)
    assert alerts >= 9 and all(len(names) == 3 for names in named)


def _nudged(rng: random.Random, before: _Frequencies, terms: list[str]) -> _Frequencies:
    """The index after an ingest of a few articles: a few passages more, a few hundred
    frequencies moved by a little (rare terms too: seen for the first time, or once more),
    sometimes a removal."""
    n0 = before.n_docs
    n_docs = max(1, n0 + rng.choice([0, 1, 8, 24, -3, rng.randint(0, max(n0 // 150, 1))]))
    df = dict(before.df)
    for term in rng.sample(terms, min(len(terms), rng.randint(0, 60))):
        df[term] = max(0, min(n_docs, df.get(term, 0) + rng.choice([-1, 1, 1, 2, 8])))
    return _Frequencies(n_docs, df, f"{before.generation()}+nudge")


def _gate_passes(words: list, records: list[set[str]], lang: str | None, topic) -> bool:
    cross = lang is not None and lang != topic.question.language
    return any(
        measure_evidence(words, record, cross_language=cross).enough
        or (lang is None and measure_evidence(words, record, cross_language=True).enough)
        for record in records
    )


def _check_bounds(reverse: _ReverseIndex, words: list) -> None:
    """Every posting weighs at least its word today, every bar is at most the gate's."""
    table = reverse.words
    n_terms = np.diff(table.term_start)
    word_of_entry = np.repeat(np.arange(n_terms.size), n_terms)
    topic = table.topic_of[word_of_entry]
    exact = np.asarray(
        [words[t][w - table.word_start[t]].weight for t, w in
         zip(topic.tolist(), word_of_entry.tolist(), strict=True)]
    )  # fmt: skip
    held = reverse.weights[table.entry_posting]
    assert np.all(held >= exact * (1 - 1e-12)), np.flatnonzero(held < exact)[:5]
    for row, topic_words in enumerate(words):
        weights = [w.weight for w in topic_words]
        bar = MIN_COVERAGE * sum(weights)
        if len(weights) > 6:
            bar = min(bar, sum(sorted(weights, reverse=True)[:3]))
        assert reverse.needed[row] <= bar, row


def test_the_filter_weighed_for_a_window_keeps_every_topic_the_gate_passes_in_it() -> None:
    """Many small ingests one after the other, each under its own state: the reverse index
    weighs again only the topics of terms that left their windows (or everything, when the
    passage count leaves its own), and every topic the gate passes on a record is kept."""
    rng = random.Random(99)
    checked = passing = 0
    partial = full = 0
    for trial in range(12):
        vocabulary = rng.choice([150, 400])
        topics = [_random_topic(rng, n, vocabulary) for n in range(300)]
        reverse = _ReverseIndex.build(topics)
        terms = list(reverse.terms)
        rows_of = _rows_by_term(topics)
        n0 = rng.choice([2_000, 60_000, 1_000_000])
        now = _Frequencies(
            n0,
            {t: rng.choice([0, 1, 2, 40, rng.randint(1, max(n0 // 3, 1))]) for t in terms},
            f"state-{trial}",
        )
        reverse.reweigh(now)
        for step in range(25):
            now = _nudged(rng, now, terms)
            reverse.reweigh(now)
            words = [_weigh(topic.shapes, now, {}) for topic in topics]
            _check_bounds(reverse, words)
            if step == 0:
                _check_needs_a_match(words, set(terms))
            for _ in range(4):
                lang = rng.choice(["en", "en", "uk", None])
                records = [
                    set(rng.sample(terms, rng.randint(1, min(25, len(terms)))))
                    for _ in range(rng.randint(1, 4))
                ]
                expected = {
                    row
                    for record in records
                    for row in _sharing(rows_of, record)
                    if _gate_passes(list(words[row]), [record], lang, topics[row])
                }
                kept = set(reverse.candidate_rows_in(records, lang).tolist())
                assert expected <= kept, (trial, sorted(expected - kept))
                checked += len(topics)
                passing += len(expected)
        partial += reverse.partial_weighings
        full += reverse.full_weighings
    assert checked > 80_000 and passing > 1_000
    assert partial > 100 and full < partial / 4  # mostly within the windows
