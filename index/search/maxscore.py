"""Exact top-k evaluation of one query over one segment: MaxScore over CSR postings, in numpy.

rank_bm25 scores every document for every query term. Here only the query terms' postings
are touched, and the longest of them (very common terms) usually only in part:

1. Terms come ordered by document frequency (shortest postings first). They are merged in
   full, term by term, into a compact candidate list (rows + partial scores; a
   per-thread ``marks`` array maps a row to its candidate slot, so no dense score array is
   cleared per query).
2. After each full merge a threshold θ is raised: a few of the most promising candidates are
   completed exactly (looked up in the remaining terms) and θ is the k-th best of these exact
   scores, a lower bound of the final k-th score.
3. Once the remaining terms' upper bounds sum to less than θ, no document outside the
   candidates can reach the top k. The remaining terms are then only looked up for the
   candidates (``searchsorted`` for few candidates, a ``marks`` gather for many), and
   candidates whose partial score plus the remaining bounds falls below θ are dropped first.

Nothing that belongs in the top k is ever dropped (bounds are strict, with a slack far above
rounding), so the result is exact. Every document sums its terms' contributions in the same
term order in all phases, so documents with equal statistics get bit-identical scores and
ties stay ties, broken later by passage id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from index.search.postings import Postings
from index.search.scoring import DEFAULT_PARAMS, BM25Params, term_scores
from index.search.selection import kth_largest

# Relative slack on the pruning tests, far above float64 rounding of a sum of a few terms and
# far below any real score gap: pruning stays exact.
_PRUNE_SLACK = 1e-9
# Candidates completed exactly to raise θ; from at most _SAMPLE candidates (a strided sample
# of larger lists: any k exact scores give a valid θ, the sample only has to be good).
_COMPLETE_MIN = 128
# θ is raised again only when the remaining bounds are within this factor of it (far above,
# one more full merge is needed anyway); the first time it is always computed.
_RETRY_RATIO = 1.5
_SAMPLE = 65_536
# Below this many remaining postings a full merge is cheaper than raising θ.
_SMALL_REST = 4_096
# A lookup by binary search beats a gather over the term's rows when the candidates are
# fewer than rows / _SEARCH_RATIO.
_SEARCH_RATIO = 16

Accept = Callable[[np.ndarray], np.ndarray]


class QueryTerm(NamedTuple):
    """One postings run of a query term inside a segment (see ``postings.tier_postings``).

    ``lo:hi`` are positions in the segment's postings; the rows there are sorted. ``unit``
    says every tf in the run is 1. ``weight`` is the global idf times how often the term
    occurs in the query; ``bound`` an upper bound of its contribution to any row of the run.
    """

    lo: int
    hi: int
    weight: float
    bound: float
    unit: bool


class Scored(NamedTuple):
    """Documents that may be in the top k, with their exact scores."""

    rows: np.ndarray
    scores: np.ndarray


class _Segment(NamedTuple):
    """What the evaluation reads of a segment."""

    doc_rows: np.ndarray
    tfs: np.ndarray
    norms: np.ndarray
    unit_parts: np.ndarray
    params: BM25Params

    def parts(self, term: QueryTerm, positions: np.ndarray | slice, rows: np.ndarray):
        """Contributions of ``term`` at postings ``positions`` (whose rows are ``rows``).

        A tf = 1 run reads the per-document ``unit_parts``; the values are the same bits
        ``term_scores`` computes.
        """
        if term.unit:
            out = np.take(self.unit_parts, rows)
            out *= term.weight
            return out
        return term_scores(
            term.weight, self.tfs[positions], np.take(self.norms, rows), self.params
        )


def evaluate(
    postings: Postings,
    norms: np.ndarray,
    unit_parts: np.ndarray,
    terms: Sequence[QueryTerm],
    k: int,
    marks: np.ndarray,
    accept: Accept | None = None,
    params: BM25Params = DEFAULT_PARAMS,
) -> Scored:
    """Score a query over one segment; the segment's top k are among the returned rows.

    Args:
        postings: the segment's postings.
        norms: ``length_norms`` of the segment's rows under the global avgdl.
        unit_parts: ``scoring.unit_tf_parts`` of the same rows (the tf part when tf is 1).
        terms: the query's runs in the segment, in the global evaluation order; weights
            must be non-zero.
        k: how many results the caller will keep.
        marks: int32 scratch, at least one per row, all -1; left all -1 on return (callers
            drop it when this raises).
        accept: filter on candidate rows (tombstones, date range); None accepts all.
        params: BM25 parameters.
    """
    seg = _Segment(postings.doc_rows, postings.tf, norms, unit_parts, params)
    if any(t.weight < 0 for t in terms):
        return _evaluate_exhaustive(seg, terms, accept)
    m = len(terms)
    bounds = [t.bound for t in terms]
    suffix = np.concatenate([np.cumsum(bounds[::-1])[::-1], [0.0]]).tolist()
    lengths = [t.hi - t.lo for t in terms]
    rest = np.concatenate([np.cumsum(lengths[::-1])[::-1], [0]]).tolist()
    cand = np.empty(0, np.int32)
    scores = np.empty(0, np.float64)
    theta = float("-inf")
    tried = False
    j = 0
    try:
        while j < m:
            if j and suffix[j] < theta - _PRUNE_SLACK * abs(theta):
                break
            term = terms[j]
            positions = slice(term.lo, term.hi)
            rows = seg.doc_rows[positions]
            contrib = seg.parts(term, positions, rows)
            if cand.size:
                slots = np.take(marks, rows)
                hit = slots >= 0
                scores[slots[hit]] += contrib[hit]
                new = ~hit
                new_rows, new_scores = rows[new], contrib[new]
            else:
                new_rows, new_scores = rows, contrib
            if theta > float("-inf") and new_rows.size:
                # Documents first seen here that cannot reach θ even with every remaining
                # run never become candidates (should one come back with a later run, its
                # score then lacks this run's part and stays below θ: still never top k).
                floor = theta - _PRUNE_SLACK * abs(theta) - suffix[j + 1]
                keep = new_scores >= floor
                new_rows, new_scores = new_rows[keep], new_scores[keep]
            if accept is not None and new_rows.size:
                keep = accept(new_rows)
                new_rows, new_scores = new_rows[keep], new_scores[keep]
            if new_rows.size:
                marks[new_rows] = np.arange(cand.size, cand.size + new_rows.size, dtype=np.int32)
                if cand.size:
                    cand = np.concatenate([cand, new_rows])
                    scores = np.concatenate([scores, new_scores])
                else:
                    cand, scores = np.array(new_rows, dtype=np.int32), new_scores
            j += 1
            if (
                j < m
                and rest[j] > _SMALL_REST
                and cand.size >= k
                and (not tried or suffix[j] < _RETRY_RATIO * theta)
            ):
                tried = True
                theta = max(theta, _completed_theta(seg, terms[j:], cand, scores, k))
        if j < m:
            cand, scores = _lookup_remaining(
                seg, terms[j:], suffix[j:], cand, scores, marks, theta, k
            )
        return Scored(cand, scores)
    finally:
        marks[cand] = -1


def _add_found(seg: _Segment, term: QueryTerm, rows: np.ndarray, scores: np.ndarray) -> None:
    """Add ``term``'s part to ``scores`` of ``rows`` (any order) that are in its run."""
    run = seg.doc_rows[term.lo : term.hi]
    pos = np.searchsorted(run, rows)
    np.minimum(pos, run.size - 1, out=pos)
    found = run[pos] == rows
    if found.any():
        hit = np.flatnonzero(found)
        scores[hit] += seg.parts(term, pos[hit] + term.lo, rows[hit])


def _completed_theta(
    seg: _Segment, rest: Sequence[QueryTerm], cand: np.ndarray, scores: np.ndarray, k: int
) -> float:
    """k-th best exact score among the most promising candidates: a lower bound of the
    final k-th score (any k documents' exact scores are)."""
    pool = np.arange(cand.size)
    if cand.size > _SAMPLE:
        pool = pool[:: cand.size // _SAMPLE + 1]
    size = min(pool.size, max(4 * k, _COMPLETE_MIN))
    if pool.size > size:
        pool = pool[np.argpartition(scores[pool], pool.size - size)[pool.size - size :]]
    docs = cand[pool]
    order = np.argsort(docs)
    docs, exact = docs[order], scores[pool][order]
    for term in rest:
        if term.hi > term.lo:
            _add_found(seg, term, docs, exact)
    return kth_largest(exact, k)


def _lookup_remaining(
    seg: _Segment,
    terms: Sequence[QueryTerm],
    suffix: list[float],
    cand: np.ndarray,
    scores: np.ndarray,
    marks: np.ndarray,
    theta: float,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Phase 3: add the remaining (long) runs to the surviving candidates only."""
    for j, term in enumerate(terms):
        keep = scores + suffix[j] >= theta - _PRUNE_SLACK * abs(theta)
        if not keep.all():
            marks[cand[~keep]] = -1
            cand, scores = cand[keep], scores[keep]
            marks[cand] = np.arange(cand.size, dtype=np.int32)
        if cand.size == 0:
            break
        length = term.hi - term.lo
        if length == 0:
            continue
        if cand.size * _SEARCH_RATIO < length:
            _add_found(seg, term, cand, scores)
        else:
            rows = seg.doc_rows[term.lo : term.hi]
            slots = np.take(marks, rows)
            hit = np.flatnonzero(slots >= 0)
            if hit.size:
                scores[slots[hit]] += seg.parts(term, hit + term.lo, rows[hit])
        theta = max(theta, kth_largest(scores, k))
    return cand, scores


def _evaluate_exhaustive(
    seg: _Segment, terms: Sequence[QueryTerm], accept: Accept | None
) -> Scored:
    """Score every posting of every run: the path for negative weights, where partial
    scores are no lower bounds (only tiny corpora with a negative mean idf get here)."""
    runs = [seg.doc_rows[t.lo : t.hi] for t in terms]
    candidates = np.unique(np.concatenate(runs)) if runs else np.empty(0, np.int32)
    if accept is not None:
        candidates = candidates[accept(candidates)]
    scores = np.zeros(candidates.size)
    if candidates.size:
        for term in terms:
            if term.hi > term.lo:
                _add_found(seg, term, candidates, scores)
    return Scored(candidates, scores)


def score_rows(
    postings: Postings,
    norms: np.ndarray,
    unit_parts: np.ndarray,
    terms: Sequence[QueryTerm],
    rows: np.ndarray,
    params: BM25Params = DEFAULT_PARAMS,
) -> np.ndarray:
    """Exact scores of given rows (any order), summed in the same run order as ``evaluate``."""
    seg = _Segment(postings.doc_rows, postings.tf, norms, unit_parts, params)
    scores = np.zeros(rows.size)
    if rows.size:
        for term in terms:
            if term.hi > term.lo:
                _add_found(seg, term, rows, scores)
    return scores
