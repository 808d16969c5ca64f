"""Top-k selection: both the short-list sort and the partition path, ties by passage id."""

from __future__ import annotations

import numpy as np
import pytest

from index.search.selection import merge_top_k, select_top_k


@pytest.mark.parametrize("n", [1, 9, 300, 512, 513, 5000])
def test_select_top_k_orders_by_score_then_passage_id(n: int) -> None:
    rng = np.random.default_rng(n)
    ids = rng.permutation(10 * n)[:n].astype(np.int64)
    scores = rng.integers(0, max(n // 4, 2), n).astype(np.float64)  # many ties
    order = sorted(range(n), key=lambda i: (-scores[i], ids[i]))
    for k in (1, 10, n + 3):
        top = select_top_k(ids, scores, k)
        assert top.passage_ids.tolist() == [int(ids[i]) for i in order[:k]]
        assert top.scores.tolist() == [float(scores[i]) for i in order[:k]]


def test_merge_top_k_keeps_the_tie_rule_across_parts() -> None:
    a = select_top_k(np.array([5, 1, 9]), np.array([2.0, 1.0, 2.0]), 2)
    b = select_top_k(np.array([3, 4]), np.array([2.0, 0.5]), 2)
    top = merge_top_k([a, b], 3)
    assert top.passage_ids.tolist() == [3, 5, 9]
    assert select_top_k(np.array([1]), np.array([1.0]), 0).passage_ids.size == 0
