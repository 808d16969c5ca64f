"""The C kernels on their own: the same bits as the numpy formulas they replaced, and their
checks of arguments and indexes (``index/search/_kernels.c``). The evaluation's paths are
checked against brute force in ``test_maxscore.py``."""

from __future__ import annotations

import numpy as np
import pytest

from index.search import kernels
from index.search.maxscore import Scratch, _slots_of


def _buffers(n_rows: int, n_candidates: int) -> Scratch:
    scratch = Scratch()
    scratch.reserve(n_rows, n_candidates)
    return scratch


def _args(scratch: Scratch) -> tuple[np.ndarray, ...]:
    return scratch.marks, scratch.bits, scratch.rows, scratch.scores, scratch.units


def test_keep_reaching_equals_the_numpy_bound_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    rows = rng.permutation(10_000).astype(np.int32)
    scores = rng.random(rows.size) * 7
    units = rng.random(rows.size)
    for multi_bound in (0.0, 0.37):
        bound = units * 1.9 + scores
        if multi_bound:
            bound += multi_bound
        keep = bound >= 4.2
        r, s, u = rows.copy(), scores.copy(), units.copy()
        kept = kernels.keep_reaching(r, s, u, 1.9, multi_bound, 4.2)
        assert kept == keep.sum()
        assert np.array_equal(r[:kept], rows[keep])
        assert s[:kept].tobytes() == scores[keep].tobytes()
        assert u[:kept].tobytes() == units[keep].tobytes()


def test_add_unit_sorted_equals_a_binary_search_per_key() -> None:
    rng = np.random.default_rng(4)
    run = np.unique(rng.integers(0, 100_000, 5_000)).astype(np.int32)
    keys = np.unique(rng.integers(0, 100_000, 700)).astype(np.int32)
    keys[::3] = run[rng.integers(0, run.size, keys[::3].size)]
    keys = np.unique(keys)
    base = rng.random(keys.size)
    units = rng.random(keys.size)
    scores = base.copy()
    kernels.add_unit_sorted(run, keys, scores, units, 2.5)
    found = np.isin(keys, run)
    expected = base.copy()
    expected[found] += units[found] * 2.5
    assert found.any() and not found.all()
    assert scores.tobytes() == expected.tobytes()


def test_merge_unit_all_sums_like_numpy_and_marks_the_new_rows() -> None:
    rng = np.random.default_rng(5)
    lengths = rng.integers(1, 300, 2_000).astype(np.uint16)
    parts = rng.random(300)
    scratch = _buffers(lengths.size, lengths.size)
    known = np.array([7, 40, 41, 1999], np.int32)
    scratch.rows[:4] = known
    scratch.scores[:4] = 1.5
    kernels.mark(scratch.marks, scratch.bits, scratch.rows, 0, 4)
    run = np.unique(np.concatenate([rng.integers(0, 2_000, 300), [40, 1999]])).astype(np.int32)
    added = kernels.merge_unit_all(run, lengths, parts, 0.75, *_args(scratch), 4)
    new = run[~np.isin(run, known)]
    assert added == new.size
    assert np.array_equal(scratch.rows[4 : 4 + added], new)
    assert scratch.scores[4 : 4 + added].tobytes() == (parts[lengths[new]] * 0.75).tobytes()
    hit = np.isin(known, run)
    expected = np.full(4, 1.5)
    expected[hit] += parts[lengths[known[hit]]] * 0.75
    assert scratch.scores[:4].tobytes() == expected.tobytes()
    slots = np.arange(4 + added)
    assert np.array_equal(scratch.marks[scratch.rows[slots]], slots)


def test_merge_first_with_gates_keeps_the_rows_whose_numpy_bound_reaches() -> None:
    # a tf >= 2 run merged once theta is known (``maxscore._Evaluation._merge_gated``): known
    # candidates get their part, new rows only when the reach numpy computed passes
    rng = np.random.default_rng(6)
    n_rows = 5_000
    lengths = rng.integers(1, 300, n_rows).astype(np.uint16)
    norms = rng.random(300) + 0.2
    parts = rng.random(300)
    run = np.unique(rng.integers(0, n_rows, 1_500)).astype(np.int32)
    tfs = rng.integers(2, 9, run.size).astype(np.uint16)
    known = np.unique(np.concatenate([rng.integers(0, n_rows, 400), run[::7]])).astype(np.int32)
    weight, k1_plus_1 = 1.7, 2.2
    bounds = np.array([[0, run.size, 0]], np.int64)
    part = tfs * k1_plus_1
    part /= norms[lengths[run]] + tfs
    part *= weight
    for unit_weight, multi_bound in ((2.1, 0.0), (0.4, 0.9)):
        scratch = _buffers(n_rows, n_rows)
        scratch.rows[: known.size] = known
        scratch.scores[: known.size] = 1.25
        kernels.mark(scratch.marks, scratch.bits, scratch.rows, 0, known.size)
        new = ~np.isin(run, known)
        reach = parts[lengths[run[new]]] * unit_weight
        reach += part[new]
        if multi_bound:
            reach += multi_bound
        lowered = float(np.median(reach))
        keep = reach >= lowered
        gates = np.array([[unit_weight, multi_bound, lowered]])
        added = kernels.merge_first(
            run,
            bounds,
            np.zeros(1, bool),
            np.array([weight]),
            tfs,
            lengths,
            norms,
            parts,
            k1_plus_1,
            *_args(scratch),
            known.size,
            gates,
        )
        assert 0 < added == keep.sum() < new.sum()
        end = known.size + added
        assert np.array_equal(scratch.rows[known.size : end], run[new][keep])
        assert scratch.scores[known.size : end].tobytes() == part[new][keep].tobytes()
        expected = np.full(known.size, 1.25)
        at = np.searchsorted(known, run[~new])
        expected[at] += part[~new]
        assert scratch.scores[: known.size].tobytes() == expected.tobytes()
        slots = np.arange(end)
        assert np.array_equal(scratch.marks[scratch.rows[slots]], slots)


def test_candidates_past_the_marks_span_are_found_by_the_kernels_and_numpy() -> None:
    # a mark holds a slot's low 16 bits: with 150,000 candidates a row's slot is one of up to
    # three slots its mark names, and stale marks (from a first, smaller set) must not count
    rng = np.random.default_rng(8)
    n_rows = 400_000
    scratch = _buffers(n_rows, n_rows)
    stale = rng.permutation(n_rows)[:70_000].astype(np.int32)
    scratch.rows[: stale.size] = stale
    kernels.mark(scratch.marks, scratch.bits, scratch.rows, 0, stale.size)
    kernels.unmark(scratch.bits, scratch.rows, stale.size)
    cand = rng.permutation(n_rows)[:150_000].astype(np.int32)
    n = cand.size
    scratch.rows[:n] = cand
    scratch.scores[:n] = rng.random(n)
    scratch.units[:n] = rng.random(n)
    kernels.mark(scratch.marks, scratch.bits, scratch.rows, 0, n)
    run = np.unique(rng.integers(0, n_rows, 120_000)).astype(np.int32)
    slot = np.full(n_rows, -1, np.intp)
    slot[cand] = np.arange(n)
    assert np.array_equal(_slots_of(scratch.marks, scratch.rows, n, run), slot[run])
    assert np.array_equal(
        _slots_of(scratch.marks, scratch.rows, 1_000, run),
        np.where(slot[run] < 1_000, slot[run], -1),
    )
    expected = scratch.scores[:n].copy()
    hit = slot[run][slot[run] >= 0]
    expected[hit] += scratch.units[hit] * 0.5
    assert kernels.add_unit_marked(run, 0.5, *_args(scratch), n)
    assert scratch.scores[:n].tobytes() == expected.tobytes()


def test_wrong_arrays_are_refused_before_any_loop() -> None:
    lengths = np.ones(64, np.uint8)
    parts = np.ones(2)
    rows = np.arange(10, dtype=np.int32)
    scratch = _buffers(64, 20)
    args = _args(scratch)
    with pytest.raises(TypeError):  # rows must be int32
        kernels.merge_unit_all(rows.astype(np.int64), lengths, parts, 1.0, *args, 0)
    with pytest.raises(TypeError):  # lengths are unsigned
        kernels.merge_unit_all(rows, lengths.astype(np.int8), parts, 1.0, *args, 0)
    with pytest.raises(TypeError):
        kernels.merge_unit_all(list(rows), lengths, parts, 1.0, *args, 0)
    with pytest.raises(ValueError):  # not contiguous
        kernels.merge_unit_all(np.arange(20, dtype=np.int32)[::2], lengths, parts, 1.0, *args, 0)
    frozen = scratch.scores.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError):  # an output that is read-only
        kernels.merge_unit_all(rows, lengths, parts, 1.0, *args[:3], frozen, args[4], 0)
    with pytest.raises(ValueError):  # n past the candidate buffers
        kernels.merge_unit_all(rows, lengths, parts, 1.0, *args, 10_000)
    short = _buffers(8, 20)
    with pytest.raises(ValueError):  # marks shorter than the segment
        kernels.merge_unit_all(rows, lengths, parts, 1.0, *_args(short), 0)
    with pytest.raises(TypeError):
        kernels.merge_unit_all(rows, lengths, parts, 1.0, *args)
    read_only = np.arange(10, dtype=np.int32)
    read_only.flags.writeable = False  # inputs may be read-only (memory-mapped postings)
    assert kernels.merge_unit_all(read_only, lengths, parts, 1.0, *args, 0) == 10


def test_indexes_out_of_range_stop_the_kernels() -> None:
    lengths = np.array([1, 2, 3, 9], np.uint8)  # 9: past the per-length tables
    parts, norms = np.ones(4), np.ones(4)
    scratch = _buffers(lengths.size, 10)
    args = _args(scratch)
    for row in (-1, 4, 3):  # outside the segment, or a length outside the tables
        rows = np.array([0, row], np.int32)
        assert kernels.merge_unit_all(rows, lengths, parts, 1.0, *args, 0) == -1
        unit = np.ones(1, bool)
        bounds = np.array([[0, 2, 0]], np.int64)
        first = (rows, bounds, unit, np.ones(1), np.ones(0, np.uint16), lengths, norms, parts)
        assert kernels.merge_first(*first, 2.2, *args, 0) == -1
    rows = np.array([0, 1], np.int32)
    ok = np.ones(4, bool)
    block_min = np.array([7], np.uint8)  # a block bound past the tables
    merge = (rows, lengths, ok, parts, 1.0, *args, 1, True, block_min, 128, 0)
    assert kernels.merge_unit(*merge) == -1
    # a run or tfs past the postings
    unit, weights = np.zeros(1, bool), np.ones(1)
    for bounds in ([0, 3, 0], [0, 2, 1]):
        first = (rows, np.array([bounds], np.int64), unit, weights, np.ones(2, np.uint16))
        assert kernels.merge_first(*first, lengths, norms, parts, 2.2, *args, 0) == -1
    assert kernels.add_unit_marked(np.array([4], np.int32), 1.0, *args, 0) is False
    with pytest.raises(IndexError):
        kernels.mark(scratch.marks, scratch.bits, np.array([99], np.int32), 0, 1)
    with pytest.raises(IndexError):
        kernels.unmark(scratch.bits, np.array([99], np.int32), 1)
    with pytest.raises(ValueError):
        kernels.mark(scratch.marks, scratch.bits, rows, 0, 3)


def test_find_in_runs_gives_the_pairs_of_a_searchsorted_per_run() -> None:
    rng = np.random.default_rng(7)
    runs = [np.unique(rng.integers(0, 5_000, size)) for size in (1, 40, 900, 3)]
    doc_rows = np.concatenate(runs).astype(np.int32)
    ends = np.cumsum([r.size for r in runs])
    bounds = np.stack([ends - [r.size for r in runs], ends], axis=1).astype(np.int64)
    rows = rng.permutation(np.concatenate([doc_rows[::7], rng.integers(0, 5_000, 50)]))
    expected = []
    for r, (lo, hi) in enumerate(bounds):
        pos = doc_rows[lo : hi - 1].searchsorted(rows) + lo
        expected += [(r, i, p) for i, p in enumerate(pos.tolist()) if doc_rows[p] == rows[i]]
    slots = bounds.shape[0] * rows.size
    out = [np.empty(slots, np.int64) for _ in range(3)]
    for keys in (rows.astype(np.int64), rows.astype(np.int32)):
        found = kernels.find_in_runs(doc_rows, bounds, keys, *out)
        assert list(zip(*(o[:found].tolist() for o in out), strict=True)) == expected
    with pytest.raises(IndexError):  # a run past the postings
        kernels.find_in_runs(doc_rows, bounds + doc_rows.size, rows, *out)
    with pytest.raises(ValueError):  # outputs too short
        kernels.find_in_runs(doc_rows, bounds, rows, *(o[:3] for o in out))
