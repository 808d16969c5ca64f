"""RM3's strongest votes (``ranking.shares_expansion``) are ``heapq.nlargest``'s selection,
ties in first-vote order, for any number of expansion terms."""

from __future__ import annotations

import heapq
import random
from dataclasses import replace
from operator import itemgetter

import pytest

from index.search.ranking import DEFAULT_LAYER, TermShares, shares_expansion


def _reference(feedback: list[tuple[TermShares, float]], n_terms: int) -> dict[str, float]:
    """``shares_expansion`` as it was written with ``heapq.nlargest``."""
    votes: dict[str, float] = {}
    for passage, score in feedback[: DEFAULT_LAYER.feedback_passages]:
        if score <= 0:
            continue
        for term, share in zip(passage.terms, passage.shares, strict=True):
            votes[term] = votes.get(term, 0.0) + share * score
    strongest = heapq.nlargest(n_terms, votes.items(), key=itemgetter(1))
    mass = sum(weight for _, weight in strongest)
    return {term: weight / mass for term, weight in strongest} if mass > 0 else {}


@pytest.mark.parametrize("n_terms", [-1, 0, 1, 5, 20, 500])
def test_the_strongest_votes_are_nlargests(n_terms: int) -> None:
    rng = random.Random(n_terms)
    options = replace(DEFAULT_LAYER, expansion_terms=n_terms)
    vocabulary = [f"t{i}" for i in range(120)]
    for _ in range(300):
        feedback = []
        for _ in range(rng.randint(0, 12)):
            terms = tuple(dict.fromkeys(rng.choices(vocabulary, k=rng.randint(1, 40))))
            # few distinct shares and scores, so many votes tie
            shares = tuple(rng.choice((0.25, 0.5, 1 / 3)) for _ in terms)
            feedback.append((TermShares(terms, shares), rng.choice((0.0, 1.0, 2.0, 0.5))))
        got = shares_expansion(feedback, options=options)
        want = _reference(feedback, n_terms)
        assert list(got.items()) == list(want.items())
