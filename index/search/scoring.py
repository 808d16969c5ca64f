"""rank_bm25's BM25Okapi formulas, vectorized, in float64.

Each function mirrors one step of ``rank_bm25.BM25Okapi`` (rank-bm25 0.2.2) so that our scores
equal its scores: the Robertson idf ``log(N - n + 0.5) - log(n + 0.5)``, its floor that
replaces a negative idf by ``epsilon`` times the mean idf over the whole vocabulary, and the
saturated term-frequency part ``tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``. The
arithmetic is written in the same order as rank_bm25 writes it, so the per-term parts are
bit-identical; only the order of summation over query terms may differ (well under 1e-12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class BM25Params:
    """BM25Okapi's parameters; the defaults are rank_bm25's."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


DEFAULT_PARAMS = BM25Params()


def raw_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Robertson idf before the epsilon floor: ``log(N - n + 0.5) - log(n + 0.5)``."""
    df = np.asarray(df, dtype=np.float64)
    return np.log(n_docs - df + 0.5) - np.log(df + 0.5)


def raw_idf_one(df: int, n_docs: int) -> float:
    """Scalar ``raw_idf`` with ``math.log``, exactly as rank_bm25 computes it per word."""
    return math.log(n_docs - df + 0.5) - math.log(df + 0.5)


def idf_floor(live_df: np.ndarray, n_docs: int, params: BM25Params = DEFAULT_PARAMS) -> float:
    """The value that replaces a negative idf: epsilon × mean raw idf over the vocabulary.

    rank_bm25 takes the mean over every word of the corpus, negative ones included, before
    flooring; ``live_df`` must therefore hold the document frequency of every term that occurs
    in at least one live document (zeros are ignored here, so callers may pass a df array in
    which removed terms have dropped to 0).
    """
    df = live_df[live_df > 0]
    if df.size == 0:
        return 0.0
    return params.epsilon * float(np.sum(raw_idf(df, n_docs)) / df.size)


def floored_idf(df: int, n_docs: int, floor: float) -> float:
    """BM25Okapi's idf of one term with document frequency ``df`` (0 for an unknown term)."""
    if df <= 0:
        return 0.0
    idf = raw_idf_one(df, n_docs)
    return floor if idf < 0 else idf


def length_norms(doc_len: np.ndarray, avgdl: float, params: BM25Params = DEFAULT_PARAMS):
    """Per-document denominator part ``k1 * (1 - b + b * dl / avgdl)``.

    This is per document, not per posting, so it is recomputed in a few milliseconds whenever
    avgdl changes and the postings never hold stale statistics.
    """
    if avgdl <= 0:
        # Every live document is empty: no posting exists, any finite value will do.
        avgdl = 1.0
    dl = np.asarray(doc_len, dtype=np.float64)
    return params.k1 * (1 - params.b + params.b * dl / avgdl)


def unit_tf_parts(norms: np.ndarray, params: BM25Params = DEFAULT_PARAMS) -> np.ndarray:
    """Per document, the tf part for tf = 1: ``1·(k1+1) / (1 + norm)``, the same bits as
    rank_bm25 computes for such a posting. Most postings have tf 1, so a query reads this
    instead of recomputing it (it is per document, like ``norms``, not per posting)."""
    return (1.0 * (params.k1 + 1)) / (1.0 + norms)


def term_scores(
    weight: float, tf: np.ndarray, row_norms: np.ndarray, params: BM25Params = DEFAULT_PARAMS
) -> np.ndarray:
    """Contributions ``idf · tf·(k1+1) / (tf + norm)`` of one query term to its postings.

    Computed in place in two scratch arrays (this is the inner loop of every query); the
    operations and their order are rank_bm25's, so the values are bit-identical to its.

    Args:
        weight: the term's idf times how many times it occurs in the query.
        tf: term frequencies of the postings.
        row_norms: ``length_norms`` of the same postings' documents, as a fresh array (it is
            overwritten: callers pass ``norms[rows]``).
    """
    out = tf.astype(np.float64)
    np.add(out, row_norms, out=row_norms)
    out *= params.k1 + 1
    out /= row_norms
    out *= weight
    return out


def max_tf_part(
    max_tf: int, min_dl: int, avgdl: float, params: BM25Params = DEFAULT_PARAMS
) -> float:
    """An upper bound of a term's tf part over its postings, from its largest tf and its
    shortest document (the tf part grows with tf and shrinks with length); never above
    ``k1 + 1``. Used for pruning only, so a relative slack absorbs its rounding."""
    if avgdl <= 0:
        return params.k1 + 1
    norm = params.k1 * (1 - params.b + params.b * min_dl / avgdl)
    return min(max_tf * (params.k1 + 1) / (max_tf + norm), params.k1 + 1)
