"""Exact top-k evaluation of one query over one segment: MaxScore over CSR postings, in numpy.

rank_bm25 scores every document for every query term. Here only the query terms' postings
are touched, and the longest of them (very common terms) usually only in part:

1. Runs come ordered by document frequency (shortest postings first; see ``QueryTerm``).
   They are merged, run by run, into a compact candidate list (rows, partial scores and
   unit parts in per-thread buffers; a ``marks`` array maps a row to its candidate slot,
   see ``Scratch``). The short runs ahead of the first long one are merged in one pass.
2. A threshold θ is raised along the way: a few of the most promising candidates are
   completed exactly (looked up in the remaining runs) and θ is the k-th best of these exact
   scores, a lower bound of the final k-th score. Once θ is known, a document first seen in
   a run becomes a candidate only if its bound can still reach θ. For a tf = 1 run that
   bound depends on the document's length only, so it is evaluated per length and most
   rows are ruled out by their length (one byte, see ``RowStats``); the candidates already
   known are found in the run by binary search when they are few.
3. Once the remaining runs' upper bounds sum to less than θ, no document outside the
   candidates can reach the top k. The remaining runs are then only looked up for the
   candidates (``searchsorted`` for few candidates, a ``marks`` gather for many), and
   candidates whose own bound (partial score plus unit part times the remaining weights,
   ``_Rest.reach``) falls below θ are dropped first: that drops most of them.

At a million passages numpy's per-call cost and random reads into per-row arrays weigh as
much as the arithmetic, so the phases are written for few calls and few cache lines, and
the loops over postings (the merges of tf = 1 runs, the first short runs and the tf ≥ 2 runs
merged once θ is known, the lookups of known candidates) are compiled (``kernels``, which
says why and what it costs).

Nothing that belongs in the top k is ever dropped (bounds are strict, with a slack far above
rounding), so the result is exact. Every document sums its terms' contributions in the same
run order in all phases, so documents with equal statistics get bit-identical scores and
ties stay ties, broken later by passage id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from index.search import kernels
from index.search.packed import PackedRows
from index.search.postings import Postings
from index.search.scoring import (
    DEFAULT_PARAMS,
    BM25Params,
    length_norms,
    term_scores,
    unit_tf_parts,
)
from index.search.selection import kth_largest

# Relative slack on the pruning tests, far above float64 rounding of a sum of a few terms and
# far below any real score gap: pruning stays exact.
_PRUNE_SLACK = 1e-9
# Candidates completed exactly to raise θ; from at most _SAMPLE candidates (a strided sample
# of larger lists: any k exact scores give a valid θ, the sample only has to be good).
_COMPLETE_MIN = 40
_SAMPLE = 65_536
# θ is raised (from the candidates so far) before a run at least this long is merged, where
# it decides which of the run's rows become candidates, and when the remaining bounds come
# within _RETRY_RATIO of θ, where it may end the full merges. Shorter runs are merged in
# full without it: completing candidates costs about as much as merging a short run.
_RETRY_POSTINGS = 4_096
_RETRY_RATIO = 3.0
# Below this many remaining postings a full merge is cheaper than raising θ.
_SMALL_REST = 4_096
# A lookup by binary search beats a gather over the term's rows when the candidates are
# fewer than rows / _SEARCH_RATIO. A gather sweeps per-row arrays (``marks``, ``lengths``) as
# long as the segment, so in segments of _LARGE_ROWS rows or more it costs more and
# _SEARCH_RATIO_LARGE applies. With numpy's gathers 2 was best at 10M rows (40 MB of marks);
# with the compiled kernels 16 is: -11% CPU at p50 and -4% at p99 against 2, 8 between
# (one 10M index, one process, questions interleaved; docs/performance.md, "The search
# ratio at 10M with the kernels").
_SEARCH_RATIO = 16
_SEARCH_RATIO_LARGE = 16
_LARGE_ROWS = 4_000_000
# Block bounds are used in segments of _LARGE_ROWS rows or more only: at 1M rows the bench's
# CPU p50 was 10% higher with them (selecting blocks costs more than it saves there).

# A row's mark in ``Scratch.marks`` holds the low 16 bits of its candidate slot.
_MARK_SPAN = 1 << 16

Accept = Callable[[np.ndarray], np.ndarray]
_NO_BLOCKS = np.zeros(0, np.uint8)


class QueryTerm(NamedTuple):
    """One postings run of a query term inside a segment (see ``postings.tier_postings``).

    ``lo:hi`` are positions in the segment's postings; the rows there are sorted. ``unit``
    says every tf in the run is 1. ``weight`` is the global idf times how often the term
    occurs in the query; ``bound`` an upper bound of its contribution to any row of the run.
    The tf of the posting at position ``p`` is ``tfs[p + tf_shift]``: segments on disk keep
    the tfs of tf ≥ 2 runs only (``segments``), and a unit run never reads its tfs.
    ``block`` is the run's first block when the segment's rows are packed (``packed``;
    -1: found from ``lo`` when needed).
    """

    lo: int
    hi: int
    weight: float
    bound: float
    unit: bool
    tf_shift: int = 0
    block: int = -1


class Scored(NamedTuple):
    """Documents that may be in the top k, with their exact scores."""

    rows: np.ndarray
    scores: np.ndarray


class RowStats(NamedTuple):
    """Per-row values a query reads, as tables over document lengths.

    A row's ``length_norms`` value and its tf part for tf = 1 (``unit_tf_parts``) depend on
    its length alone, so they are kept per length, ``norms[n]`` and ``unit_parts[n]``, and a
    row's values are read through its length: ``unit_parts[lengths[row]]`` is the same
    float64, bit for bit, as the per-row array would hold (the same operations on the same
    length). The random reads of a query then hit ``lengths`` (one or two bytes per row,
    mostly in cache) instead of two float64 arrays of 8 MB each at 1M rows.
    """

    lengths: np.ndarray  # per row: its length, in the smallest unsigned type that fits
    norms: np.ndarray  # float64 per length 0..max
    unit_parts: np.ndarray  # float64 per length 0..max

    @classmethod
    def of(
        cls, doc_len: np.ndarray, avgdl: float, params: BM25Params = DEFAULT_PARAMS
    ) -> RowStats:
        """The statistics of rows with lengths ``doc_len`` under ``avgdl``."""
        longest = int(doc_len.max()) if doc_len.size else 0
        dtype = np.uint8 if longest < 1 << 8 else np.uint16 if longest < 1 << 16 else np.uint32
        norms = length_norms(np.arange(longest + 1), avgdl, params)
        return cls(doc_len.astype(dtype, copy=False), norms, unit_tf_parts(norms, params))

    @property
    def n_rows(self) -> int:
        """How many rows the segment has."""
        return int(self.lengths.shape[0])

    def norms_of(self, rows: np.ndarray) -> np.ndarray:
        """``length_norms`` of ``rows``, as a new array."""
        return self.norms.take(self.lengths.take(rows))

    def units_of(self, rows: np.ndarray) -> np.ndarray:
        """``unit_tf_parts`` of ``rows``, as a new array."""
        return self.unit_parts.take(self.lengths.take(rows))


class Blocks(NamedTuple):
    """Per-block bounds of a segment's postings: ``min_len[b]`` is at most the length of the
    document of every posting ``b * size`` to ``(b + 1) * size - 1``
    (``postings.block_min_lengths``), so ``unit_parts[min_len[b]]`` bounds the tf part of
    each tf = 1 posting in block ``b``."""

    min_len: np.ndarray
    size: int


class _Segment(NamedTuple):
    """What the evaluation reads of a segment."""

    doc_rows: np.ndarray | PackedRows
    tfs: np.ndarray
    stats: RowStats
    params: BM25Params
    blocks: Blocks | None = None

    def run(self, term: QueryTerm) -> np.ndarray | tuple:
        """``term``'s rows as the kernels take them: an int32 slice, or the packed run
        (read in place, a block at a time)."""
        rows = self.doc_rows
        if isinstance(rows, PackedRows):
            return rows.run(term.lo, term.hi, self._block(term))
        return rows[term.lo : term.hi]

    def rows(self, term: QueryTerm) -> np.ndarray:
        """``term``'s rows as int32 (a slice, or decoded in one C call when packed)."""
        rows = self.doc_rows
        if isinstance(rows, PackedRows):
            return rows.decode(term.lo, term.hi, self._block(term))
        return rows[term.lo : term.hi]

    def _block(self, term: QueryTerm) -> int:
        return term.block if term.block >= 0 else self.doc_rows.block_of(term.lo)

    def bounds(self, terms: Sequence[QueryTerm], *columns: str) -> np.ndarray:
        """Per run: its ``lo``, ``hi`` and the named fields, then its first block when the
        rows are packed (``kernels.merge_first``, ``kernels.find_in_runs``)."""
        if isinstance(self.doc_rows, PackedRows):
            table = [
                (t.lo, t.hi, *(getattr(t, c) for c in columns), self._block(t)) for t in terms
            ]
            return np.array(table, dtype=np.int64).reshape(len(terms), 3 + len(columns))
        table = [(t.lo, t.hi, *(getattr(t, c) for c in columns)) for t in terms]
        return np.array(table, dtype=np.int64).reshape(len(terms), 2 + len(columns))

    @property
    def postings_rows(self) -> np.ndarray | tuple:
        """All rows as ``kernels.merge_first`` and ``kernels.find_in_runs`` take them."""
        rows = self.doc_rows
        return rows.pair if isinstance(rows, PackedRows) else rows

    def parts(self, term: QueryTerm, positions: np.ndarray | slice, rows: np.ndarray):
        """Contributions of ``term`` at postings ``positions`` (whose rows are ``rows``).

        A tf = 1 run reads the unit parts per length; the values are the same bits
        ``term_scores`` computes.
        """
        if term.unit:
            out = self.stats.units_of(rows)
            out *= term.weight
            return out
        shift = term.tf_shift
        if shift:
            if isinstance(positions, slice):
                positions = slice(positions.start + shift, positions.stop + shift)
            else:
                positions = positions + shift
        return term_scores(
            term.weight, self.tfs[positions], self.stats.norms_of(rows), self.params
        )


class Scratch:
    """Per-thread buffers reused by every query: the row → candidate slot map and the
    candidate arrays (rows, partial scores, unit parts), grown on demand, never cleared.

    ``marks`` is a sparse set (Briggs & Torczon): ``marks[row]`` holds a slot written for the
    row at some point (or any stale non-negative value), and a row is a candidate exactly
    when that slot, clipped to the slots in use, holds the row. Stale entries from earlier
    queries, segments or an aborted query are therefore harmless, and dropping candidates
    costs nothing. ``bits`` has a bit per row, set for every candidate the kernels may
    look up (``kernels.mark``) and cleared after each evaluation (``kernels.unmark``): the
    kernels read a row's mark only when its bit is set (a set bit of a row that is no
    candidate only costs that read), which spares the sweep of ``marks`` and the check at a
    random slot that were most of their time.

    A mark holds a slot's low 16 bits (``_MARK_SPAN``) and names every slot equal to it modulo
    65,536, so a lookup probes one slot while there are at most 65,536 candidates and one
    more per 65,536 beyond (``_slots_of``, ``kernels``). Every row's mark is written over a
    few hundred questions, so ``marks`` is resident in full: 2 bytes a row instead of an
    int32's 4 is 1.9 MiB less at 1M rows (docs/performance.md, "Issue 16: query RSS at 1M,
    third round").
    """

    __slots__ = ("bits", "marks", "rows", "scores", "units")

    def __init__(self) -> None:
        self.marks = np.zeros(0, np.uint16)
        self.bits = np.zeros(0, np.uint8)
        self.rows = np.zeros(0, np.int32)
        self.scores = np.zeros(0, np.float64)
        self.units = np.zeros(0, np.float64)

    def reserve(self, n_rows: int, n_candidates: int) -> None:
        """Make room for a segment of ``n_rows`` rows and up to ``n_candidates`` candidates."""
        if self.marks.shape[0] < n_rows:
            self.marks = np.zeros(n_rows, np.uint16)
            self.bits = np.zeros((n_rows + 7) // 8, np.uint8)
        # one slot more: the kernels write each row at the next free slot before they
        # know whether it becomes a candidate (``kernels.merge_unit``)
        n_candidates += 1
        if self.rows.shape[0] < n_candidates:
            size = max(n_candidates, 2 * self.rows.shape[0])
            self.rows = np.zeros(size, np.int32)
            self.scores = np.zeros(size, np.float64)
            self.units = np.zeros(size, np.float64)


class _Rest(NamedTuple):
    """Suffix sums over the runs, for bounds of what runs ``j:`` can still add to a document.

    ``bound[j]`` bounds it for any document (the sum of the runs' bounds). A tf = 1 run adds
    exactly ``weight · unit_parts[row]`` to a row it holds, so for a known row the tighter
    ``unit_parts[row] · unit_weight[j] + multi_bound[j]`` holds too: most documents are far
    longer than the shortest one behind a run's bound.
    """

    bound: list[float]
    unit_weight: list[float]
    multi_bound: list[float]
    postings: list[int]

    @classmethod
    def of(cls, terms: Sequence[QueryTerm]) -> _Rest:
        m = len(terms)
        bound, unit_weight = [0.0] * (m + 1), [0.0] * (m + 1)
        multi_bound, postings = [0.0] * (m + 1), [0] * (m + 1)
        for j in range(m - 1, -1, -1):
            t = terms[j]
            bound[j] = bound[j + 1] + t.bound
            unit_weight[j] = unit_weight[j + 1] + (t.weight if t.unit else 0.0)
            multi_bound[j] = multi_bound[j + 1] + (0.0 if t.unit else t.bound)
            postings[j] = postings[j + 1] + (t.hi - t.lo)
        return cls(bound, unit_weight, multi_bound, postings)

    def reach(self, j: int, scores: np.ndarray, units: np.ndarray) -> np.ndarray:
        """Upper bounds of the final scores of rows with partial scores ``scores`` and unit
        parts ``units``, to which runs ``j:`` may still add.

        The operations are elementwise, so applied to the table of unit parts per length
        (with ``scores`` its parts for one run) they give, per length, the bits every row of
        that length would get.
        """
        out = units * self.unit_weight[j]
        out += scores
        if self.multi_bound[j]:
            out += self.multi_bound[j]
        return out


def _lowered(theta: float) -> float:
    """θ less the pruning slack: what a document's upper bound must reach to be kept."""
    return theta - _PRUNE_SLACK * abs(theta)


class _Candidates(NamedTuple):
    """Candidate rows with their partial scores and ``unit_parts``, slot by slot."""

    rows: np.ndarray
    scores: np.ndarray
    units: np.ndarray

    def select(self, index: np.ndarray) -> _Candidates:
        """The candidates at ``index`` (a mask or slots), as new arrays."""
        return _Candidates(self.rows[index], self.scores[index], self.units[index])


class _Evaluation:
    """One query over one segment: the candidate buffers and θ, phase by phase."""

    __slots__ = (
        "accept",
        "bits",
        "cand",
        "marked",
        "marks",
        "n",
        "rest",
        "scores",
        "search_ratio",
        "seg",
        "terms",
        "theta",
        "units",
    )

    def __init__(
        self, seg: _Segment, terms: Sequence[QueryTerm], scratch: Scratch, accept: Accept | None
    ) -> None:
        self.seg = seg
        self.terms = terms
        self.rest = _Rest.of(terms)
        self.accept = accept
        n_rows = seg.stats.n_rows
        self.search_ratio = _SEARCH_RATIO_LARGE if n_rows >= _LARGE_ROWS else _SEARCH_RATIO
        scratch.reserve(n_rows, min(self.rest.postings[0], n_rows))
        self.marks, self.bits, self.cand = scratch.marks, scratch.bits, scratch.rows
        self.scores, self.units = scratch.scores, scratch.units
        self.n = 0
        self.marked = 0
        self.theta = float("-inf")

    def run(self, k: int) -> Scored:
        terms, rest = self.terms, self.rest
        m = len(terms)
        if not m:
            return Scored(np.empty(0, np.int32), np.empty(0, np.float64))
        # θ is first needed before a long run: the short runs ahead of it are merged as one.
        j = 1
        while j < m and terms[j].hi - terms[j].lo < _RETRY_POSTINGS:
            j += 1
        if j > 1:
            self._merge_first(j)
        else:
            self._merge(0)
        theta_at = 0
        while j < m:
            n = self.n
            if (
                rest.postings[j] > _SMALL_REST
                and n >= k
                and (
                    (terms[j].hi - terms[j].lo >= _RETRY_POSTINGS and n > theta_at)
                    or rest.bound[j] < _RETRY_RATIO * self.theta
                )
            ):
                theta_at = n
                partial = kth_largest(self.scores[:n], k)
                if rest.bound[j] < _lowered(partial):
                    self.theta = max(self.theta, partial)
                else:
                    self.theta = max(self.theta, self._completed_theta(j, k))
            if rest.bound[j] < _lowered(self.theta):
                break
            if self.theta == float("-inf"):
                self._merge(j)
            elif terms[j].unit:
                self._merge_unit(j)
            else:
                self._merge_gated(j)
            j += 1
        n = self.n
        if j < m:
            cands = _Candidates(self.cand[:n], self.scores[:n], self.units[:n])
            return self._lookup_remaining(j, cands, k)
        return Scored(self.cand[:n], self.scores[:n])

    def _merge_first(self, end: int) -> None:
        """Merge runs ``:end`` (no candidates yet, θ unknown) in one pass instead of one
        pass per run (``kernels.merge_first``): each row's parts are summed in posting
        order, that is in run order, as the run-by-run merge would (same bits)."""
        self._merge_runs(0, end)

    def _merge_runs(self, start: int, end: int, gates: np.ndarray | None = None) -> None:
        """Merge runs ``start:end`` in one kernel call (``kernels.merge_first``); with
        ``gates``, a row first seen in a run becomes a candidate only if it can still reach
        θ (``_merge_gated``)."""
        seg, terms, n = self.seg, self.terms[start:end], self.n
        stats = seg.stats
        bounds = seg.bounds(terms, "tf_shift")
        self._mark()
        added = kernels.merge_first(
            seg.postings_rows,
            bounds,
            np.array([t.unit for t in terms]),
            np.array([t.weight for t in terms]),
            seg.tfs,
            stats.lengths,
            stats.norms,
            stats.unit_parts,
            seg.params.k1 + 1,
            self.marks,
            self.bits,
            self.cand,
            self.scores,
            self.units,
            n,
            gates,
        )
        if added:
            self._accept_added(n, n + _checked(added))

    def _merge_gated(self, j: int) -> None:
        """Merge tf ≥ 2 run ``j`` once θ is known, in one kernel call: a known candidate
        gets its part, a row first seen here becomes one only if its bound
        (``_Rest.reach`` of the runs after ``j``, its own part and unit part) reaches θ, the
        same operations and verdicts as the numpy merge this replaced, whose gathers and
        temporaries cost ~104 ns a posting at 10M rows (1.54 ms a question; with the first
        merges, 1.90 → 0.64 ms; docs/performance.md, "Issue 16: 10M latency")."""
        rest = self.rest
        gate = np.array([[rest.unit_weight[j + 1], rest.multi_bound[j + 1], _lowered(self.theta)]])
        self._merge_runs(j, j + 1, gate)

    def _mark(self) -> None:
        """Point ``marks`` at the slots of the candidates added since the last call."""
        if self.marked < self.n:
            kernels.mark(self.marks, self.bits, self.cand, self.marked, self.n)
            self.marked = self.n

    def _merge(self, j: int) -> None:
        """Merge run ``j`` in full while θ is unknown: every row gets its part, every new
        row becomes a candidate."""
        seg, term, n = self.seg, self.terms[j], self.n
        if not term.unit:
            self._merge_runs(j, j + 1)
            return
        self._mark()
        stats = seg.stats
        added = kernels.merge_unit_all(
            seg.run(term),
            stats.lengths,
            stats.unit_parts,
            term.weight,
            self.marks,
            self.bits,
            self.cand,
            self.scores,
            self.units,
            n,
        )
        if added:
            self._accept_added(n, n + _checked(added))

    def _merge_unit(self, j: int) -> None:
        """Merge tf = 1 run ``j`` once θ is known, reading unit parts only where needed
        (``kernels.merge_unit``).

        A row new here has the partial score ``weight · unit``, so its bound (``_Rest.reach``)
        depends on its length alone: the bound is evaluated once per length (the same
        operations on the same values as per row, so the same verdict), and a row is a new
        candidate exactly when its length passes and it is no candidate yet. Candidates
        already known get their part from their stored unit parts, found by binary search
        when they are few. With block bounds, only the blocks whose shortest document passes
        are then read for new rows: a block that fails holds no row that passes.
        """
        seg, term, rest, n = self.seg, self.terms[j], self.rest, self.n
        stats, weight = seg.stats, term.weight
        rows = seg.run(term)
        length_ok = rest.reach(j + 1, stats.unit_parts * weight, stats.unit_parts)
        length_ok = length_ok >= _lowered(self.theta)
        # θ is only known once there are k ≥ 1 candidates, so n ≥ 1 here.
        search = n * self.search_ratio < term.hi - term.lo
        blocks = self.seg.blocks
        if blocks is None:
            block_min, block_size, block_start = _NO_BLOCKS, 0, 0
        else:
            block_size = blocks.size
            first, end = term.lo // block_size, (term.hi - 1) // block_size + 1
            block_min = blocks.min_len[first:end]
            block_start = first * block_size - term.lo
        self._mark()
        added = kernels.merge_unit(
            rows,
            stats.lengths,
            length_ok,
            stats.unit_parts,
            weight,
            self.marks,
            self.bits,
            self.cand,
            self.scores,
            self.units,
            n,
            search,
            block_min,
            block_size,
            block_start,
        )
        if added:
            self._accept_added(n, n + _checked(added))

    def _accept_added(self, start: int, end: int) -> None:
        """Keep the candidates in slots ``start:end``, just written and marked by a
        kernel, that the acceptance filter accepts."""
        self.marked = end
        if self.accept is not None:
            accepted = self.accept(self.cand[start:end])
            keep = np.flatnonzero(accepted)
            if keep.size < end - start:
                rejected = self.cand[start:end][~accepted]
                kernels.unmark(self.bits, rejected, rejected.size)
                for buffer in (self.cand, self.scores, self.units):
                    buffer[start : start + keep.size] = buffer[start:end][keep]
                end = start + keep.size
                self.marked = start  # the kept ones moved: marked again when needed
        self.n = end

    def _completed_theta(self, j: int, k: int) -> float:
        """k-th best exact score among the most promising candidates: a lower bound of the
        final k-th score (any k documents' exact scores are)."""
        n = self.n
        # the strided sample as a view: slot ``i`` of it is candidate ``i * step`` (an index
        # array and a gather of up to 300k slots cost ~0.3 ms a question at 10M rows)
        step = n // _SAMPLE + 1 if n > _SAMPLE else 1
        scores = self.scores[:n]
        sample = scores[::step]
        size = min(sample.size, max(4 * k, _COMPLETE_MIN))
        if sample.size > size:
            pool = np.argpartition(sample, sample.size - size)[sample.size - size :]
            if step > 1:
                pool *= step
        else:
            pool = np.arange(0, n, step)
        # Rows in order: numpy's binary search reuses its bounds across sorted keys.
        pool = pool[np.argsort(self.cand[pool])]
        docs, exact, units = self.cand[pool], scores[pool], self.units[pool]
        for term in self.terms[j:]:
            if term.hi <= term.lo:
                continue
            if term.unit:
                _add_unit_found(self.seg, term, docs, exact, units)
            else:
                _add_found(self.seg, term, docs, exact)
        return kth_largest(exact, k)

    def _lookup_remaining(self, start: int, cands: _Candidates, k: int) -> Scored:
        """Phase 3: add the remaining (long) runs ``start:`` to the surviving candidates.

        Before each run, candidates whose per-row bound (``_Rest.reach``) falls below θ are
        dropped. The survivors are put in row order once (binary searches then walk each
        run forwards); ``marks`` is rewritten only when a run is gathered rather than
        searched.
        """
        seg, terms, rest, theta = self.seg, self.terms, self.rest, self.theta
        marked = False
        for j in range(start, len(terms)):
            if j == start:
                keep = np.flatnonzero(rest.reach(j, cands.scores, cands.units) >= _lowered(theta))
                cands = cands.select(keep[np.argsort(cands.rows[keep])])
            else:
                # the same test in place (``kernels.keep_reaching``): the arrays are this
                # phase's own since the selection above
                n = cands.rows.size
                kept = kernels.keep_reaching(
                    cands.rows,
                    cands.scores,
                    cands.units,
                    rest.unit_weight[j],
                    rest.multi_bound[j],
                    _lowered(theta),
                )
                if kept < n:
                    cands = _Candidates(cands.rows[:kept], cands.scores[:kept], cands.units[:kept])
                    marked = False
            n = cands.rows.size
            if n == 0:
                break
            term = terms[j]
            length = term.hi - term.lo
            if length == 0:
                continue
            if n * self.search_ratio < length:
                if term.unit:
                    _add_unit_found(seg, term, cands.rows, cands.scores, cands.units)
                else:
                    _add_found(seg, term, cands.rows, cands.scores)
            else:
                if not marked:
                    kernels.mark(self.marks, self.bits, cands.rows, 0, n)
                    marked = True
                if term.unit:
                    if not kernels.add_unit_marked(
                        seg.run(term),
                        term.weight,
                        self.marks,
                        self.bits,
                        cands.rows,
                        cands.scores,
                        cands.units,
                        n,
                    ):
                        raise IndexError("a row out of the segment's range")
                    theta = max(theta, kth_largest(cands.scores, k))
                    continue
                rows = seg.rows(term)
                slots = _slots_of(self.marks, cands.rows, n, rows)
                hit = np.flatnonzero(slots >= 0)
                if hit.size:
                    slots = slots[hit]
                    cands.scores[slots] += seg.parts(term, hit + term.lo, rows[hit])
            theta = max(theta, kth_largest(cands.scores, k))
        return Scored(cands.rows, cands.scores)


def evaluate(
    postings: Postings,
    stats: RowStats,
    terms: Sequence[QueryTerm],
    k: int,
    scratch: Scratch,
    accept: Accept | None = None,
    params: BM25Params = DEFAULT_PARAMS,
    blocks: Blocks | None = None,
) -> Scored:
    """Score a query over one segment; the segment's top k are among the returned rows.

    Args:
        postings: the segment's postings.
        stats: the segment's ``RowStats`` under the global avgdl.
        terms: the query's runs in the segment, in the global evaluation order; weights
            must be non-zero.
        k: how many results the caller will keep.
        scratch: the calling thread's buffers; the returned arrays may be views into them,
            valid until its next ``evaluate``.
        accept: filter on candidate rows (tombstones, date range); None accepts all.
        params: BM25 parameters.
        blocks: the segment's block bounds, if it has them (answers are the same without;
            used from ``_LARGE_ROWS`` rows).
    """
    if stats.n_rows < _LARGE_ROWS:
        blocks = None
    seg = _Segment(postings.doc_rows, postings.tf, stats, params, blocks)
    if any(t.weight < 0 for t in terms):
        return _evaluate_exhaustive(seg, terms, accept)
    evaluation = _Evaluation(seg, terms, scratch, accept)
    scored = evaluation.run(k)
    kernels.unmark(scratch.bits, scratch.rows, evaluation.n)
    return scored


def _slots_of(marks: np.ndarray, cand: np.ndarray, n: int, rows: np.ndarray) -> np.ndarray:
    """The slots of ``rows`` among candidates ``cand[:n]`` (their marks written), -1 for a
    row that is none: ``kernels``'s lookup (``Scratch``), for many rows at once."""
    low = marks.take(rows).astype(np.intp)
    if n <= _MARK_SPAN:
        # one probe, clipped to the slots in use (a stale mark may point past them)
        np.minimum(low, n - 1, out=low)
        low[cand.take(low) != rows] = -1
        return low
    slots = np.full(rows.shape[0], -1, np.intp)
    for base in range(0, n, _MARK_SPAN):
        probe = np.minimum(low + base, n - 1)
        hit = cand.take(probe) == rows
        slots[hit] = probe[hit]
    return slots


def _add_found(seg: _Segment, term: QueryTerm, rows: np.ndarray, scores: np.ndarray) -> None:
    """Add ``term``'s part to ``scores`` of ``rows`` (any order) that are in its run."""
    if isinstance(seg.doc_rows, PackedRows):
        # the same positions, in the same order, found in the packed run in place
        slots = rows.shape[0]
        which, hit, pos = (np.empty(slots, np.int64) for _ in range(3))
        found = kernels.find_in_runs(seg.postings_rows, seg.bounds([term]), rows, which, hit, pos)
        if found:
            hit, pos = hit[:found], pos[:found]
            scores[hit] += seg.parts(term, pos, rows[hit])
        return
    run = seg.doc_rows[term.lo : term.hi]
    # Searching all but the last row gives a position that is always a valid index, and
    # a row equal to or past the last one lands on it: no clipping needed. (The array
    # methods, not the ``np.`` functions: this runs once per term and candidate set, and the
    # functions' Python wrappers were a fifth of the ranking layer's ``term_scores``.)
    pos = run[:-1].searchsorted(rows)
    found = run.take(pos) == rows
    if found.any():
        hit = found.nonzero()[0]
        pos = pos[hit]
        pos += term.lo
        scores[hit] += seg.parts(term, pos, rows[hit])


def _checked(added: int) -> int:
    """A kernel's count of candidates it appended; -1 means a row out of range."""
    if added < 0:
        raise IndexError("a row out of the segment's range")
    return added


def _add_unit_found(
    seg: _Segment, term: QueryTerm, rows: np.ndarray, scores: np.ndarray, units: np.ndarray
) -> None:
    """``_add_found`` for a tf = 1 run and ``rows`` in ascending order, with the rows' unit
    parts known: adds ``units · weight`` where the run has the row, the same sum as
    ``_add_found`` (``kernels.add_unit_sorted``)."""
    kernels.add_unit_sorted(seg.run(term), rows, scores, units, term.weight)


def _evaluate_exhaustive(
    seg: _Segment, terms: Sequence[QueryTerm], accept: Accept | None
) -> Scored:
    """Score every posting of every run: the path for negative weights, where partial
    scores are no lower bounds (only tiny corpora with a negative mean idf get here)."""
    runs = [seg.rows(t) for t in terms]
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
    stats: RowStats,
    terms: Sequence[QueryTerm],
    rows: np.ndarray,
    params: BM25Params = DEFAULT_PARAMS,
) -> np.ndarray:
    """Exact scores of given rows (any order), summed in the same run order as ``evaluate``."""
    seg = _Segment(postings.doc_rows, postings.tf, stats, params)
    scores = np.zeros(rows.size)
    if rows.size:
        for term in terms:
            if term.hi > term.lo:
                _add_found(seg, term, rows, scores)
    return scores


def score_rows_per_term(
    postings: Postings,
    stats: RowStats,
    runs: Sequence[QueryTerm | tuple],
    owners: Sequence[int],
    n_terms: int,
    rows: np.ndarray,
    params: BM25Params = DEFAULT_PARAMS,
) -> np.ndarray:
    """Per-term exact scores of given rows: row ``t`` is ``score_rows`` of the runs whose
    owner is ``t`` (a term's tf ≥ 2 and tf = 1 runs), the same bits.

    A term's runs hold disjoint rows, so each value is ``0.0 + part`` as in ``score_rows``.
    Finding and scoring is one compiled call for all the runs (``kernels.score_in_runs``: a
    lookup of each row in each run, then ``term_scores``' operations on what it finds), where
    ``score_rows`` per term made a dozen numpy calls per run (the ranking layer asks ~30
    terms of ~200 candidates per question). The rows are looked up in ascending order: each
    search then starts where the last ended, and a packed block is decoded once for all the
    rows in it rather than once per row (the candidates come in score order). The glue of
    the numpy version of the scoring (gathers, masks, a scatter) had cost ~0.16 ms a call,
    more than the lookups (docs/performance.md, "Archive.ask CPU, 2026-12-07").

    Args:
        runs: non-empty postings runs (``QueryTerm``, or its fields as a plain tuple).
        owners: the term (result row) of each run.
        n_terms: rows of the result.
        rows: the segment rows to score (any order).
    """
    out = np.zeros((n_terms, rows.size))
    if not runs or not rows.size:
        return out
    # Each field of every run in one pass (``zip``): five list comprehensions over the runs
    # cost ~23 µs a call against ~10 µs.
    lo, hi, run_weights, _, run_units, tf_shifts, blocks = zip(*runs, strict=True)
    doc_rows = postings.doc_rows
    packed = isinstance(doc_rows, PackedRows)
    table = np.empty((len(runs), 5 if packed else 4), dtype=np.int64)
    table[:, 0] = lo
    table[:, 1] = hi
    table[:, 2] = owners
    table[:, 3] = tf_shifts
    if packed:
        # each run's first block, as ``_Segment.bounds`` gives it
        table[:, 4] = [
            b if b >= 0 else doc_rows.block_of(start) for start, b in zip(lo, blocks, strict=True)
        ]
    order = rows.argsort(kind="stable")
    kernels.score_in_runs(
        doc_rows.pair if packed else doc_rows,
        table,
        np.array(run_weights, dtype=np.float64),
        np.array(run_units, dtype=bool),
        rows.take(order),
        order,
        postings.tf,
        stats.lengths,
        stats.norms,
        stats.unit_parts,
        params.k1 + 1,
        out,
    )
    return out
    seg = _Segment(postings.doc_rows, postings.tf, stats, params)
    # Each field of every run in one pass (``zip``): five list comprehensions over the runs
    # cost ~23 µs a call against ~10 µs.
    lo, hi, run_weights, _, run_units, tf_shifts, blocks = zip(*runs, strict=True)
    packed = isinstance(seg.doc_rows, PackedRows)
    bounds = np.empty((len(runs), 3 if packed else 2), dtype=np.int64)
    bounds[:, 0] = lo
    bounds[:, 1] = hi
    if packed:
        # each run's first block, as ``_Segment.bounds`` gives it
        bounds[:, 2] = [
            b if b >= 0 else seg.doc_rows.block_of(start)
            for start, b in zip(lo, blocks, strict=True)
        ]
    slots = len(runs) * rows.size
    which = np.empty(slots, dtype=np.int64)
    columns = np.empty(slots, dtype=np.int64)
    at = np.empty(slots, dtype=np.int64)
    # As ``_add_found`` per run (a searchsorted in all but the run's last row, then an
    # equality test), for all the runs in one compiled call (``kernels.find_in_runs``), with
    # the rows in ascending order: each search then starts where the last ended, and a
    # packed block is decoded once for all the rows in it, not once per row (the candidates
    # come in score order). Each (term, row) value is written once, so the order in which
    # the pairs are found changes no bit.
    order = rows.argsort(kind="stable")
    found = kernels.find_in_runs(seg.postings_rows, bounds, rows.take(order), which, columns, at)
    if not found:
        return out
    which, at = which[:found], at[:found]
    columns = order.take(columns[:found])
    found_rows = rows.take(columns)
    weights = np.array(run_weights, dtype=np.float64).take(which)
    unit = np.array(run_units, dtype=bool).take(which)
    parts = np.empty(which.size)
    units, multi = unit.nonzero()[0], (~unit).nonzero()[0]
    if units.size:
        part = stats.units_of(found_rows.take(units))
        part *= weights.take(units)
        parts[units] = part
    if multi.size:
        # a run's tfs sit at its positions plus its ``tf_shift`` (compact tf arrays)
        shifts = np.array(tf_shifts, dtype=np.int64).take(which)
        tf_at = at.take(multi) + shifts.take(multi)
        parts[multi] = term_scores(
            weights.take(multi),
            postings.tf.take(tf_at),
            stats.norms_of(found_rows.take(multi)),
            params,
        )
    out[np.array(owners, dtype=np.int64).take(which), columns] += parts
    return out
