"""Exact top-k evaluation of one query over one segment: MaxScore over CSR postings.

rank_bm25 scores every document for every query term. Here only the query terms' postings
are touched, and the longest of them (very common terms) usually not even in full:

1. Terms come ordered by their upper bound ``weight · (k1 + 1)`` (rarest first). They are
   scored in full, term by term, into a dense accumulator; docs seen so far are candidates.
2. Once the remaining terms' upper bounds sum to less than θ, the k-th best partial score of
   an accepted candidate, no document outside the candidates can still reach the top k. The
   remaining terms are then only looked up for the candidates (``np.searchsorted`` in their
   sorted rows) and candidates that cannot reach θ any more are dropped before each lookup.

Partial scores only grow (all weights are positive on this path), so θ is a lower bound of
the final k-th score and nothing that belongs in the top k is ever pruned: the result is
exact. Every document sums its terms' contributions in the same term order in both phases,
so documents with equal statistics get bit-identical scores and ties stay ties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from index.search.postings import Postings
from index.search.scoring import DEFAULT_PARAMS, BM25Params, term_scores, upper_bound
from index.search.selection import kth_largest

# Relative slack on the pruning test, far above float64 rounding of a sum of a few terms and
# far below any real score gap: pruning stays exact.
_PRUNE_SLACK = 1e-9
# Full scoring of the next term stops being worth it once its postings are this many times
# longer than the candidate list (a lookup costs ~log2(len) comparisons per candidate).
_LOOKUP_RATIO = 2

Accept = Callable[[np.ndarray], np.ndarray]


class QueryTerm(NamedTuple):
    """One distinct query term inside a segment: its local term id and its weight.

    ``weight`` is the global idf times how often the term occurs in the query.
    """

    term_id: int
    weight: float


class Scored(NamedTuple):
    """Documents that may be in the top k, with their exact scores."""

    rows: np.ndarray
    scores: np.ndarray


def evaluate(
    postings: Postings,
    norms: np.ndarray,
    terms: Sequence[QueryTerm],
    k: int,
    accumulator: np.ndarray,
    accept: Accept | None = None,
    params: BM25Params = DEFAULT_PARAMS,
) -> Scored:
    """Score a query over one segment; the segment's top k are among the returned rows.

    Args:
        postings: the segment's postings.
        norms: ``length_norms`` of the segment's rows under the global avgdl.
        terms: distinct terms present in the segment, in the global evaluation order
            (upper bound descending); weights must be non-zero.
        k: how many results the caller will keep.
        accumulator: float64 zeros, at least one per row; left zeroed on return.
        accept: filter on candidate rows (tombstones, date range); None accepts all.
        params: BM25 parameters.
    """
    if any(t.weight < 0 for t in terms):
        return _evaluate_exhaustive(postings, norms, terms, accept, params)
    indptr, doc_rows, tfs = postings.indptr, postings.doc_rows, postings.tf
    bounds = [upper_bound(t.weight, params) for t in terms]
    suffix = np.concatenate([np.cumsum(bounds[::-1])[::-1], [0.0]]).tolist()
    m = len(terms)
    touched: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    n_candidates = 0
    theta = float("-inf")
    filtered = accept is None
    i = 0
    try:
        while i < m:
            term_id, weight = terms[i]
            lo, hi = indptr.item(term_id), indptr.item(term_id + 1)
            rows = doc_rows[lo:hi]
            fresh = rows[accumulator[rows] == 0.0]
            accumulator[rows] += term_scores(weight, tfs[lo:hi], norms[rows], params)
            touched.append(rows)
            parts.append(fresh)
            n_candidates += fresh.size
            filtered = accept is None
            i += 1
            if i == m:
                break
            next_id = terms[i].term_id
            next_len = indptr.item(next_id + 1) - indptr.item(next_id)
            if next_len > _LOOKUP_RATIO * n_candidates:
                candidates = _concat(parts)
                if accept is not None:
                    candidates = candidates[accept(candidates)]
                    filtered = True
                parts = [candidates]
                n_candidates = candidates.size
                theta = kth_largest(accumulator[candidates], k)
                if suffix[i] < theta - _PRUNE_SLACK * abs(theta):
                    break
        candidates = _concat(parts)
        if not filtered and accept is not None:
            candidates = candidates[accept(candidates)]
        scores = accumulator[candidates]
        if i < m:
            candidates, scores = _lookup_remaining(
                postings, norms, terms[i:], suffix[i:], candidates, scores, theta, k, params
            )
        return Scored(candidates, scores)
    finally:
        for rows in touched:
            accumulator[rows] = 0.0


def _lookup_remaining(
    postings: Postings,
    norms: np.ndarray,
    terms: Sequence[QueryTerm],
    suffix: list[float],
    candidates: np.ndarray,
    scores: np.ndarray,
    theta: float,
    k: int,
    params: BM25Params,
) -> tuple[np.ndarray, np.ndarray]:
    """Phase 2: add the remaining (common) terms to the surviving candidates only."""
    order = np.argsort(candidates)
    candidates, scores = candidates[order], scores[order]
    indptr, doc_rows, tfs = postings.indptr, postings.doc_rows, postings.tf
    for j, (term_id, weight) in enumerate(terms):
        keep = scores + suffix[j] >= theta - _PRUNE_SLACK * abs(theta)
        if not keep.all():
            candidates, scores = candidates[keep], scores[keep]
        if candidates.size == 0:
            break
        lo, hi = indptr.item(term_id), indptr.item(term_id + 1)
        if hi == lo:
            continue
        rows = doc_rows[lo:hi]
        pos = np.searchsorted(rows, candidates)
        np.minimum(pos, rows.size - 1, out=pos)
        found = rows[pos] == candidates
        if found.any():
            hit_rows = candidates[found]
            scores[found] += term_scores(weight, tfs[lo:hi][pos[found]], norms[hit_rows], params)
        theta = max(theta, kth_largest(scores, k))
    return candidates, scores


def _evaluate_exhaustive(
    postings: Postings,
    norms: np.ndarray,
    terms: Sequence[QueryTerm],
    accept: Accept | None,
    params: BM25Params,
) -> Scored:
    """Score every posting of every term: the path for negative weights, where partial
    scores are no lower bounds (only tiny corpora with a negative mean idf get here)."""
    indptr, doc_rows, tfs = postings.indptr, postings.doc_rows, postings.tf
    slices = [(indptr.item(t), indptr.item(t + 1)) for t, _ in terms]
    candidates = np.unique(np.concatenate([doc_rows[lo:hi] for lo, hi in slices]))
    if accept is not None:
        candidates = candidates[accept(candidates)]
    scores = np.zeros(candidates.size)
    for (lo, hi), (_, weight) in zip(slices, terms, strict=True):
        rows = doc_rows[lo:hi]
        pos = np.searchsorted(candidates, rows)
        inside = pos < candidates.size
        inside[inside] = candidates[pos[inside]] == rows[inside]
        scores[pos[inside]] += term_scores(weight, tfs[lo:hi][inside], norms[rows[inside]], params)
    return Scored(candidates, scores)


def score_rows(
    postings: Postings,
    norms: np.ndarray,
    terms: Sequence[QueryTerm],
    rows: np.ndarray,
    params: BM25Params = DEFAULT_PARAMS,
) -> np.ndarray:
    """Exact scores of given rows (any order), summed in the same term order as ``evaluate``."""
    scores = np.zeros(rows.size)
    if rows.size == 0:
        return scores
    indptr, doc_rows, tfs = postings.indptr, postings.doc_rows, postings.tf
    for term_id, weight in terms:
        lo, hi = indptr.item(term_id), indptr.item(term_id + 1)
        if hi == lo:
            continue
        postings_rows = doc_rows[lo:hi]
        pos = np.searchsorted(postings_rows, rows)
        np.minimum(pos, hi - lo - 1, out=pos)
        found = postings_rows[pos] == rows
        if found.any():
            hit_rows = rows[found]
            scores[found] += term_scores(weight, tfs[lo:hi][pos[found]], norms[hit_rows], params)
    return scores


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.empty(0, np.int32)
    return np.concatenate(parts)
