"""Compiled inner loops of the MaxScore evaluation (``maxscore``), with numba.

Why compiled: at a million passages a question's evaluation was a few hundred numpy calls,
each sweeping or gathering a whole run with a temporary array (``marks``, lengths, masks),
and per-call overhead and those extra passes were most of its time (docs/performance.md,
"Block bounds"). These loops read each posting once and stop at what decides it. The bench's
500 questions on one 1M-passage index, the numpy evaluation (main at 290ade8) and this one in
one process, rounds interleaved, each question's least CPU time over 4 rounds (load average
6.6): p50 0.535 → 0.353 ms, p90 1.394 → 0.972, p99 2.566 → 1.826, mean 0.693 → 0.482
(docs/performance.md, "Compiled kernels", has the runs and the bench's own figures).

What it costs: numba is a well-kept compiler with binary wheels on PyPI (numba, llvmlite),
so there is no C extension to build. The first query of a process imports numba (0.26 s of
CPU) and compiles the kernels (2.3 s with an empty cache) or, as usual, loads them from
numba's on-disk cache beside this file (0.42 s); the bot's warm-up questions pay that at
start-up. Importing numba and loading the kernels adds ~120 MB to the process's resident
memory (63 MB the import, ~60 MB LLVM once a kernel has run; the 1M bench's query RSS went
from 243 to 380 MB), so ``maxscore`` imports this module at the first query: builds and
their workers never do.

A row out of the segment's range (postings damaged after the load's checks, which do not
read every posting) makes a kernel stop and say so (-1 or False; the caller raises
``IndexError``, as numpy's gathers did), before it reads or writes anything at that row.

Each kernel does, row by row, what the numpy code it replaces did array by array, with the
same float64 operations in the same order (a product rounded, then a sum rounded: numba
compiles without ``fastmath``, so nothing is fused or reassociated), so every score is the
same bits; ``tests/index/search/test_maxscore.py`` checks each path against brute force.
The kernels only read and write the caller's arrays: no allocation, no Python objects.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def mark(marks: np.ndarray, bits: np.ndarray, cand: np.ndarray, start: int, end: int) -> None:
    """Point ``marks`` at slots ``start:end`` of the candidates and set their rows' bits
    (``maxscore.Scratch``)."""
    for s in range(start, end):
        row = cand[s]
        marks[row] = s
        bits[row >> 3] |= np.uint8(1 << (row & 7))


@njit(cache=True, nogil=True)
def unmark(bits: np.ndarray, cand: np.ndarray, end: int) -> None:
    """Clear the bits of candidates ``:end`` (their marks may stay: a mark is checked)."""
    for s in range(end):
        row = cand[s]
        bits[row >> 3] &= np.uint8(~(1 << (row & 7)) & 0xFF)


@njit(cache=True, nogil=True)
def merge_unit(
    rows: np.ndarray,
    lengths: np.ndarray,
    length_ok: np.ndarray,
    unit_parts: np.ndarray,
    weight: float,
    marks: np.ndarray,
    bits: np.ndarray,
    cand: np.ndarray,
    scores: np.ndarray,
    units: np.ndarray,
    n: int,
    search: bool,
    block_min: np.ndarray,
    block_size: int,
    block_start: int,
) -> int:
    """Merge a tf = 1 run ``rows`` (sorted) into the ``n`` candidates once θ is known;
    return how many new candidates it appended (slots ``n:``, in run order).

    A known candidate in the run gets ``units[s] * weight`` added to its score. A row that
    is no candidate becomes one when ``length_ok[lengths[row]]``, with the score
    ``unit_parts[length] * weight`` and the unit part ``unit_parts[length]``. ``marks`` must
    point at every known candidate's slot (``mark``), and the new ones are marked too. The
    buffers need one slot past the last candidate there can be (``Scratch.reserve``).

    With ``search``, known candidates are found by binary search (few candidates in a long
    run) and only rows of a passing length are checked against ``marks``; with block bounds
    (``block_size`` > 0: ``block_min[i]`` bounds the block starting at run position
    ``block_start + i · block_size``), only the blocks whose shortest length passes are
    read for new rows, since no row of the others passes. Without ``search`` each row is
    checked against ``marks`` once, and the blocks are not used.
    """
    size = rows.size
    end = n
    n_rows = lengths.size
    if not search:
        for p in range(size):
            row = rows[p]
            if row < 0 or row >= n_rows or end >= cand.size:
                return -1
            # the row's bit first: a segment's bits stay in cache (125 KB at 1M rows) where
            # its marks do not (4 MB), and most rows are no candidate
            hit = False
            if (bits[row >> 3] >> (row & 7)) & 1:
                s = marks[row]
                if s < n and cand[s] == row:
                    hit = True
                    scores[s] += units[s] * weight
            # written at the next free slot whatever the verdict, which only decides
            # whether the slot is taken (no branch to mispredict on a third of the rows)
            length = lengths[row]
            unit = unit_parts[length]
            cand[end] = row
            scores[end] = unit * weight
            units[end] = unit
            end += (not hit) & length_ok[length]
        mark(marks, bits, cand, n, end)
        return end - n
    for s in range(n):
        row = cand[s]
        # the first position whose row is ≥ row, among all but the last: always in the run
        lo, hi = 0, size - 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if rows[mid] < row:
                lo = mid + 1
            else:
                hi = mid
        if rows[lo] == row:
            scores[s] += units[s] * weight
    blocks = block_min.size if block_size > 0 else 1
    for b in range(blocks):
        if block_size > 0:
            if not length_ok[block_min[b]]:
                continue
            first = max(block_start + b * block_size, 0)
            stop = min(block_start + (b + 1) * block_size, size)
        else:
            first, stop = 0, size
        for p in range(first, stop):
            row = rows[p]
            if row < 0 or row >= n_rows or end >= cand.size:
                return -1
            length = lengths[row]
            if length_ok[length]:
                hit = False
                if (bits[row >> 3] >> (row & 7)) & 1:
                    s = marks[row]
                    hit = s < n and cand[s] == row
                unit = unit_parts[length]
                cand[end] = row
                scores[end] = unit * weight
                units[end] = unit
                end += not hit
    mark(marks, bits, cand, n, end)
    return end - n


@njit(cache=True, nogil=True)
def merge_unit_all(
    rows: np.ndarray,
    lengths: np.ndarray,
    unit_parts: np.ndarray,
    weight: float,
    marks: np.ndarray,
    bits: np.ndarray,
    cand: np.ndarray,
    scores: np.ndarray,
    units: np.ndarray,
    n: int,
) -> int:
    """Merge a tf = 1 run ``rows`` in full (θ unknown): a known candidate gets
    ``unit_parts[length] * weight`` added, every other row becomes a candidate (slots
    ``n:``, in run order) with that score; returns how many. ``marks`` and the buffers as
    in ``merge_unit``."""
    end = n
    n_rows = lengths.size
    for p in range(rows.size):
        row = rows[p]
        if row < 0 or row >= n_rows or end >= cand.size:
            return -1
        unit = unit_parts[lengths[row]]
        hit = False
        if (bits[row >> 3] >> (row & 7)) & 1:
            s = marks[row]
            if s < n and cand[s] == row:
                hit = True
                scores[s] += unit * weight
        cand[end] = row
        scores[end] = unit * weight
        units[end] = unit
        end += not hit
    mark(marks, bits, cand, n, end)
    return end - n


@njit(cache=True, nogil=True)
def add_unit_marked(
    rows: np.ndarray,
    weight: float,
    marks: np.ndarray,
    bits: np.ndarray,
    cand: np.ndarray,
    scores: np.ndarray,
    units: np.ndarray,
    n: int,
) -> bool:
    """Add ``units[s] * weight`` to the score of each of the ``n`` candidates (``marks``
    pointing at them) that the tf = 1 run ``rows`` holds; False for a row out of range."""
    n_rows = marks.size
    for p in range(rows.size):
        row = rows[p]
        if row < 0 or row >= n_rows:
            return False
        if (bits[row >> 3] >> (row & 7)) & 1:
            s = marks[row]
            if s < n and cand[s] == row:
                scores[s] += units[s] * weight
    return True


@njit(cache=True, nogil=True)
def add_unit_sorted(
    run: np.ndarray, keys: np.ndarray, scores: np.ndarray, units: np.ndarray, weight: float
) -> None:
    """Add ``units[i] * weight`` to ``scores[i]`` for each row ``keys[i]`` (ascending) that
    the tf = 1 run ``run`` holds: one forward walk of the run, galloping from the last
    position found, instead of a binary search per key from the whole run."""
    size = run.size
    lo = 0
    for i in range(keys.size):
        key = keys[i]
        if lo >= size:
            return
        if run[lo] < key:
            # gallop: run[lo + step // 2] < key, until run[lo + step] >= key or past the end
            step = 1
            while lo + step < size and run[lo + step] < key:
                step <<= 1
            first, last = lo + (step >> 1) + 1, min(lo + step, size)
            while first < last:  # the first position in first:last whose row is ≥ key
                mid = (first + last) >> 1
                if run[mid] < key:
                    first = mid + 1
                else:
                    last = mid
            lo = first
            if lo >= size:
                return
        if run[lo] == key:
            scores[i] += units[i] * weight


@njit(cache=True, nogil=True)
def merge_first(
    doc_rows: np.ndarray,
    bounds: np.ndarray,
    unit: np.ndarray,
    weights: np.ndarray,
    tfs: np.ndarray,
    lengths: np.ndarray,
    norms: np.ndarray,
    unit_parts: np.ndarray,
    k1_plus_1: float,
    marks: np.ndarray,
    bits: np.ndarray,
    cand: np.ndarray,
    scores: np.ndarray,
    units: np.ndarray,
    n: int,
) -> int:
    """Merge runs in full, in order (θ unknown): run ``r`` is ``doc_rows[bounds[r, 0]:
    bounds[r, 1]]`` with its tfs at ``tfs[bounds[r, 0] + bounds[r, 2]:]`` unless ``unit[r]``
    (then every tf is 1). Each posting's part is ``term_scores``'s, tf (k1 + 1) / (norm +
    tf) · weight, in the same operations; a known candidate adds it to its score, a row
    first seen becomes a candidate (slots ``n:``, in order of first sight, marked) and
    later postings of it add to that. Returns how many it appended, or -1 for a row out of
    range. ``marks`` and the buffers as in ``merge_unit``."""
    end = n
    n_rows = lengths.size
    for r in range(bounds.shape[0]):
        lo, hi, shift = bounds[r, 0], bounds[r, 1], bounds[r, 2]
        weight = weights[r]
        for p in range(lo, hi):
            row = doc_rows[p]
            if row < 0 or row >= n_rows or end >= cand.size:
                return -1
            length = lengths[row]
            tf = 1.0 if unit[r] else float(tfs[p + shift])
            part = tf * k1_plus_1
            part /= norms[length] + tf
            part *= weight
            if (bits[row >> 3] >> (row & 7)) & 1:
                s = marks[row]
                if s < end and cand[s] == row:
                    scores[s] += part
                    continue
            marks[row] = end
            bits[row >> 3] |= np.uint8(1 << (row & 7))
            cand[end] = row
            scores[end] = part
            units[end] = unit_parts[length]
            end += 1
    return end - n


@njit(cache=True, nogil=True)
def keep_reaching(
    rows: np.ndarray,
    scores: np.ndarray,
    units: np.ndarray,
    unit_weight: float,
    multi_bound: float,
    lowered: float,
) -> int:
    """Keep, in place and in order, the candidates whose bound ``units · unit_weight +
    scores + multi_bound`` (``maxscore._Rest.reach``, the same operations) reaches
    ``lowered``; returns how many."""
    kept = 0
    for i in range(rows.size):
        bound = units[i] * unit_weight
        bound += scores[i]
        if multi_bound:
            bound += multi_bound
        if bound >= lowered:
            rows[kept] = rows[i]
            scores[kept] = scores[i]
            units[kept] = units[i]
            kept += 1
    return kept


@njit(cache=True, nogil=True)
def find_in_runs(
    doc_rows: np.ndarray,
    bounds: np.ndarray,
    rows: np.ndarray,
    which: np.ndarray,
    columns: np.ndarray,
    at: np.ndarray,
) -> int:
    """Find each of ``rows`` (any order) in each sorted run ``doc_rows[bounds[r, 0]:
    bounds[r, 1]]`` (non-empty); returns how many (run, row) pairs were found, written to
    ``which`` (the run), ``columns`` (the row's index in ``rows``) and ``at`` (its position
    in ``doc_rows``), run by run and, within a run, in the order of ``rows``.

    The same pairs, in the same order, as ``searchsorted`` of ``rows`` in each run but its
    last row, a gather and ``nonzero`` over the (run, row) matrix
    (``maxscore.score_rows_per_term`` before it), in one call instead of one per run: the
    ranking layer searches ~50 runs per question. The output arrays hold at least
    ``bounds.shape[0] * rows.size`` slots.
    """
    found = 0
    for r in range(bounds.shape[0]):
        lo, hi = bounds[r, 0], bounds[r, 1]
        last = hi - 1
        for i in range(rows.size):
            key = rows[i]
            first, end = lo, last  # leftmost position in lo:last, as searchsorted's "left"
            while first < end:
                mid = (first + end) >> 1
                if doc_rows[mid] < key:
                    first = mid + 1
                else:
                    end = mid
            if doc_rows[first] == key:
                which[found] = r
                columns[found] = i
                at[found] = first
                found += 1
    return found
