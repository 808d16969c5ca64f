"""The kernels over the answer stage's Python objects (``term_shares``, ``add_votes``,
``span_tuples``) against the Python code they replaced, kept here as the reference."""

from __future__ import annotations

import random
from collections import Counter
from functools import partial
from itertools import repeat
from operator import itemgetter, truediv

import numpy as np
import pytest

from index.analysis.analyzer import TermSpan
from index.search.kernels import (
    add_votes,
    add_weighted_rows,
    span_tuples,
    strongest_votes,
    term_shares,
)
from index.search.ranking import (
    _NOT_EXPANDED_STARTS,
    _SKIPPED,
    LayerOptions,
    TermShares,
    shares_expansion,
)


def _shares_reference(terms: list[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``TermShares.of`` before the kernel (third cut)."""
    length = len(terms)
    counts = Counter(terms)
    kept = [term for term in counts if term[:1] not in _NOT_EXPANDED_STARTS]
    tfs = counts.values() if len(kept) == len(counts) else map(counts.__getitem__, kept)
    return tuple(kept), tuple(map(truediv, tfs, repeat(length)))


def _votes_reference(feedback: list[tuple[TermShares, float]]) -> dict[str, float]:
    """``shares_expansion``'s vote loop before the kernel."""
    votes: dict[str, float] = {}
    get = votes.get
    for passage, score in feedback:
        if score <= 0:
            continue
        for term, share in zip(passage.terms, passage.shares, strict=True):
            votes[term] = get(term, 0.0) + share * score
    return votes


_WORDS = ["war", "kyiv", "@2023-03", "~zelensk", "", "@", "~", "ціна", "peace", "a", "talk"]


def _random_terms(rng: random.Random) -> list[str]:
    pool = _WORDS + [f"t{rng.randrange(400)}" for _ in range(30)]
    return [rng.choice(pool) for _ in range(rng.randrange(0, 120))]


def test_term_shares_are_the_counters_shares_bit_for_bit() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        terms = _random_terms(rng)
        kept, shares = term_shares(terms, _SKIPPED)
        want_kept, want_shares = _shares_reference(terms)
        assert kept == want_kept
        assert [s.hex() for s in shares] == [s.hex() for s in want_shares]


def test_term_shares_keep_the_first_equal_string_met() -> None:
    first, second = "".join(["wa", "r"]), "".join(["w", "ar"])
    kept, shares = term_shares([first, "peace", second], _SKIPPED)
    assert kept == ("war", "peace") and kept[0] is first
    assert shares == (2 / 3, 1 / 3)


def test_term_shares_of_a_tuple_and_of_nothing() -> None:
    assert TermShares.of(("war", "@2023", "war")) == TermShares(("war",), (2 / 3,))
    assert TermShares.of([]) == TermShares((), ())
    assert TermShares.of(["@2023", "~key"]) == TermShares((), ())


def test_term_shares_refuse_what_is_not_a_list_of_str() -> None:
    with pytest.raises(TypeError):
        term_shares(("war",), _SKIPPED)
    with pytest.raises(TypeError):
        term_shares(["war", 3], _SKIPPED)
    with pytest.raises(TypeError):
        term_shares(["war"], None)


def test_votes_are_the_loops_votes_bit_for_bit_in_its_order() -> None:
    rng = random.Random(11)
    for _ in range(500):
        feedback = []
        for _ in range(rng.randrange(0, 12)):
            shares = TermShares(*_shares_reference(_random_terms(rng)))
            score = rng.choice([0.0, -1.5, rng.uniform(0, 40), rng.uniform(0, 1e-3)])
            feedback.append((shares, score))
        votes: dict[str, float] = {}
        for passage, score in feedback:
            if score > 0:
                add_votes(votes, passage.terms, passage.shares, score)
        want = _votes_reference(feedback)
        assert list(votes) == list(want)
        assert [v.hex() for v in votes.values()] == [v.hex() for v in want.values()]


def test_votes_refuse_mismatched_or_wrong_arguments() -> None:
    with pytest.raises(ValueError):
        add_votes({}, ("a", "b"), (0.5,), 1.0)
    with pytest.raises(TypeError):
        add_votes([], ("a",), (0.5,), 1.0)
    with pytest.raises(TypeError):
        add_votes({}, ("a",), ("x",), 1.0)
    with pytest.raises(TypeError):
        add_votes({"a": "x"}, ("a",), (0.5,), 1.0)


def test_span_tuples_are_the_named_tuples_the_zip_built() -> None:
    new = partial(tuple.__new__, TermSpan)
    rng = random.Random(3)
    for n in (0, 1, 5, 64):
        terms = tuple(rng.choice(_WORDS) for _ in range(n))
        starts = tuple(rng.randrange(1000) for _ in range(n))
        ends = tuple(s + rng.randrange(1, 9) for s in starts)
        built = span_tuples(TermSpan, terms, starts, ends)
        want = tuple(map(new, zip(terms, starts, ends, strict=True)))
        assert built == want
        assert all(type(span) is TermSpan for span in built)
        fields = [(s.term, s.start, s.end) for s in built]
        assert fields == list(zip(terms, starts, ends, strict=True))


def test_span_tuples_refuse_wrong_arguments() -> None:
    with pytest.raises(TypeError):
        span_tuples(tuple, ("a",), (0,), (1,))
    with pytest.raises(TypeError):
        span_tuples(list, ("a",), (0,), (1,))
    with pytest.raises(TypeError):
        span_tuples(TermSpan, ["a"], (0,), (1,))
    with pytest.raises(ValueError):
        span_tuples(TermSpan, ("a", "b"), (0,), (1, 2))


def test_weighted_rows_are_numpys_sums_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 200):
        for n_rows in (0, 1, 3, 20):
            rows = [
                rng.choice([0.0, -0.0, 1e-300, 3.5, 1e300], n) * rng.random(n)
                for _ in range(n_rows)
            ]
            rows += [rng.random(n) * 40 for _ in range(n_rows)]
            weights = [float(w) for w in rng.random(len(rows))] + []
            weights[: len(rows) // 3] = [1 / 3] * (len(rows) // 3)
            want = np.zeros(n)
            for row, weight in zip(rows, weights, strict=True):
                want += weight * row
            out = np.zeros(n)
            add_weighted_rows(out, rows, weights)
            assert out.tobytes() == want.tobytes()


def test_weighted_rows_refuse_wrong_arguments_before_writing() -> None:
    out = np.zeros(3)
    with pytest.raises(ValueError):
        add_weighted_rows(out, [np.ones(3), np.ones(2)], [1.0, 1.0])
    with pytest.raises(TypeError):
        add_weighted_rows(out, [np.ones(3), np.ones(3, dtype=np.float32)], [1.0, 1.0])
    with pytest.raises(TypeError):
        add_weighted_rows(out, [np.ones(3)], ["x"])
    with pytest.raises(ValueError):
        add_weighted_rows(out, [np.ones(3)], [1.0, 2.0])
    with pytest.raises(ValueError):
        add_weighted_rows(np.zeros(3)[::-1], [np.ones(3)], [1.0])
    assert out.tolist() == [0.0, 0.0, 0.0]


def test_strongest_votes_are_the_stable_sorts_head() -> None:
    rng = random.Random(13)
    for _ in range(2000):
        size = rng.randrange(0, 60)
        pool = [0.0, -0.0, 0.5, 1.0, 1.0, 2.5, rng.random(), -rng.random(), 1e-300]
        votes = {f"t{i}": rng.choice(pool) for i in range(size)}
        for n in (0, 1, 5, 20, 100, -1):
            want = sorted(votes.items(), key=itemgetter(1), reverse=True)[: max(n, 0)]
            got = strongest_votes(votes, n)
            assert got == want
            assert [(k, v.hex()) for k, v in got] == [(k, v.hex()) for k, v in want]
            assert all(a[0] is b[0] for a, b in zip(got, want, strict=True))


def test_strongest_votes_decline_what_only_sorted_orders() -> None:
    assert strongest_votes({"a": 1.0, "b": float("nan")}, 1) is None
    assert strongest_votes({"a": 1.0, "b": 2}, 1) is None
    assert strongest_votes({"a": 1.0, "b": np.float64(2.0)}, 1) is None
    with pytest.raises(TypeError):
        strongest_votes([("a", 1.0)], 1)


def test_shares_expansion_with_and_without_the_kernels_choice() -> None:
    feedback = [(TermShares(("war", "peace", "kyiv"), (0.5, 0.25, 0.25)), 2.0)]
    weights = shares_expansion(feedback, options=LayerOptions(expansion_terms=2))
    assert list(weights) == ["war", "peace"]
    assert weights == {"war": 1.0 / 1.5, "peace": 0.5 / 1.5}
    # A NaN vote: the kernel declines, the sort chooses, and the NaN mass gives nothing.
    odd = [(TermShares(("war", "peace"), (float("nan"), 0.5)), 1.0)]
    assert strongest_votes({"war": float("nan"), "peace": 0.5}, 2) is None
    assert shares_expansion(odd, options=LayerOptions(expansion_terms=2)) == {}
