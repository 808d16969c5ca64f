"""``SearchIndex.search(articles=mask)``: the question filters' outlet/language restriction.

The restriction acts inside top-k selection, so it must equal "search everything, keep the
allowed articles' hits, take the first k", across segments (deltas) and tombstones too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.models import DocRecord
from index.search import SearchIndex

N_ARTICLES = 40


def _docs(first_pid: int, n: int, rng: np.random.Generator) -> list[DocRecord]:
    words = ["dam", "flood", "reservoir", "river", "city", "power"]
    return [
        DocRecord(
            pid,
            int(rng.integers(1, N_ARTICLES)),
            int(rng.integers(0, 50)),
            tuple(rng.choice(words, size=int(rng.integers(1, 8))).tolist()),
        )
        for pid in range(first_pid, first_pid + n)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_article_mask_equals_filtering_the_full_ranking(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    index = SearchIndex.build(tmp_path / "index", _docs(1, 300, rng))
    index.add(_docs(1000, 80, rng))  # a delta segment
    index.remove([5, 6, 7, 1001])  # tombstones in both
    mask = rng.random(N_ARTICLES - 10) < 0.3  # shorter than the ids: later ids are excluded
    for terms in (["dam"], ["flood", "reservoir"], ["river", "power", "city"]):
        everything = index.search(terms, index.n_docs)
        allowed = [
            hit
            for hit in everything
            if index.article_of(hit.passage_id) < mask.size
            and mask[index.article_of(hit.passage_id)]
        ]
        for k in (1, 5, 20):
            assert index.search(terms, k, articles=mask) == allowed[:k]
        days = (10, 30)
        in_days = index.search(terms, index.n_docs, day_range=days)
        both = [hit for hit in in_days if hit in allowed]
        assert index.search(terms, 5, day_range=days, articles=mask) == both[:5]
    assert index.search(["dam"], 5, articles=np.zeros(0, dtype=bool)) == []


def test_top_passages_are_the_hits_as_arrays(tmp_path: Path) -> None:
    """``top_passages`` (the ranking layer's read) returns exactly ``search``'s hits."""
    rng = np.random.default_rng(3)
    index = SearchIndex.build(tmp_path / "index", _docs(1, 300, rng))
    index.add(_docs(1000, 80, rng))
    mask = rng.random(N_ARTICLES) < 0.5
    for terms in (["dam"], ["flood", "reservoir"], ["nowhere"], []):
        for kwargs in ({}, {"day_range": (10, 30)}, {"articles": mask}):
            for k in (0, 1, 7, 500):
                ids, scores = index.top_passages(terms, k, **kwargs)
                assert ids.dtype == np.int64 and scores.dtype == np.float64
                hits = index.search(terms, k, **kwargs)
                assert ids.tolist() == [hit.passage_id for hit in hits]
                assert scores.tolist() == [hit.score for hit in hits]
