"""The topic weights of a new index state, computed on arrays, equal the per-topic ones.

Under each new index state the matcher weighs its candidate topics again. It did so topic by
topic (``follow._weigh``, then ``TopicWeights.fill``); ``TopicWeights.weigh`` does it for
many rows at once from the frequencies the reverse index read. The batch judges on those
floats against ``MIN_COVERAGE``, so they must be the same bits, not merely close, and the
same holds for the idf signs read by frequency (``TopicWeights.signs``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from index.answer.follow import _ReverseIndex, _topic_table, _TopicQuery, _weigh
from index.answer.topic_batch import TopicWeights
from index.search.scoring import floored_idf
from tests.index.test_follow_drift import _drifted, _Frequencies, _random_topic


class _Scored(_Frequencies):
    """``_Frequencies`` with BM25 idfs, the floor given (what ``SearchIndex`` offers)."""

    def __init__(self, state: _Frequencies, floor: float) -> None:
        super().__init__(state.n_docs, state.df, state.generation())
        self.floor = floor

    def idf(self, term: str) -> float:
        return self.idf_of_df(self.df.get(term, 0))

    def idf_of_df(self, df: int) -> float:
        # The drift's shrink may leave a frequency above the passage count: a real index
        # never has one.
        return floored_idf(min(df, self.n_docs), self.n_docs, self.floor)


def _topic(rng: random.Random, topic_id: int, vocabulary: int) -> _TopicQuery:
    """``_random_topic`` whose names have 1, 2 or 4 fold keys (the batch takes up to 8
    words of up to 4 terms)."""
    return _random_topic(rng, topic_id, vocabulary, spellings=(1, 1, 1, 2, 4))


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint8)


def _same(a: TopicWeights, b: TopicWeights, rows: Sequence[int]) -> None:
    for name in ("weights", "total", "keys", "compound", "n_words", "filled"):
        left, right = getattr(a, name)[rows], getattr(b, name)[rows]
        assert _bits(left).tolist() == _bits(right).tolist(), name


def test_weights_on_arrays_are_the_per_topic_weights_bit_for_bit_under_random_drift() -> None:
    rng = random.Random(412)
    compared = 0
    signs: set[int] = set()
    for trial in range(25):
        vocabulary = rng.choice([30, 150, 400])
        topics = [_topic(rng, n, vocabulary) for n in range(250)]
        reverse = _ReverseIndex.build(topics)
        table = _topic_table(topics, reverse.term_ids)
        terms = list(reverse.terms)
        n0 = rng.choice([1, 20, 300, 5_000, 1_000_000])
        state = _Frequencies(
            n0,
            {t: min(n0, rng.choice([0, 1, 2, rng.randint(1, n0)])) for t in terms},
            f"state-{trial}",
        )
        rows = np.flatnonzero(table.batched)
        assert 0 < rows.size < len(topics)  # longer topics are left to the per-topic rule
        for _ in range(4):
            state = _drifted(rng, state, terms)
            reverse.reweigh(state)
            expected = TopicWeights(len(topics), len(terms))
            for row in rows.tolist():
                expected.fill(row, _weigh(topics[row].shapes, state, {}))
            found = TopicWeights(len(topics), len(terms))
            some = rows[np.asarray([rng.random() < 0.5 for _ in rows.tolist()], dtype=bool)]
            found.weigh(table, some, reverse.padded_frequencies(), max(state.n_docs, 1))
            rest = np.setdiff1d(rows, some)
            found.weigh(table, rest, reverse.padded_frequencies(), max(state.n_docs, 1))
            _same(found, expected, rows.tolist())
            compared += rows.size
            # The idf signs, read term by term and by distinct frequency.
            scored = _Scored(state, rng.choice([0.0, 0.25, -0.25, math.ulp(0.0)]))
            ids = np.arange(len(terms) + 1)
            by_term, by_df = TopicWeights(0, len(terms)), TopicWeights(0, len(terms))
            by_term.signs(ids, scored.idf, terms)
            by_df.signs(ids, scored.idf, terms, (scored.idf_of_df, reverse.padded_frequencies()))
            assert by_df.idf_sign.tolist() == by_term.idf_sign.tolist()
            signs.update(by_term.idf_sign.tolist())
    assert compared > 15_000
    assert signs == {-1, 0, 1}
