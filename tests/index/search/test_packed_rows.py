"""Packed doc rows (segment format 5): the codec round trip at block edges, the kernels on packed
runs against the same kernels on int32 rows, and refusals of damaged data (an error, never a
crash: every offset, width and block index is checked in C)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.search import kernels, packed
from index.search.packed import BLOCK, PackedRows
from index.search.scoring import length_norms, unit_tf_parts

# Run sizes around the block edges, empty and single-posting runs among them.
SIZES = [0, 1, 2, 127, 128, 129, 255, 256, 257, 1, 0, 3000]


def _runs(seed: int, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Strictly increasing runs of ``sizes``, dense and sparse, and their bounds."""
    rng = np.random.default_rng(seed)
    runs = []
    for size in sizes:
        widest = int(rng.choice([1, 2, 9, 1000, 1 << 19]))  # gaps 1 (width 0) to wide
        gaps = rng.integers(1, widest + 1, size)
        runs.append((np.cumsum(gaps) - 1 + int(rng.integers(0, 50))).astype(np.int32))
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return np.concatenate(runs), bounds


def _unpack(done: packed.Packed, bounds: np.ndarray) -> np.ndarray:
    out = np.full(int(bounds[-1] - bounds[0]), -7, np.int32)
    kernels.unpack_rows(done.data, done.skips, bounds, 0, out)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_runs_round_trip_at_block_edges(seed: int) -> None:
    rows, bounds = _runs(seed, SIZES)
    done = packed.pack(rows, bounds)
    assert done.skips.shape == (int(packed.blocks_of(np.diff(bounds)).sum()), 2)
    assert np.array_equal(_unpack(done, bounds), rows)
    assert done.data[-packed.PAD :].tolist() == [0] * packed.PAD


def test_extreme_rows_and_gaps_round_trip() -> None:
    top = 2**31 - 1
    cases = [
        np.array([top], np.int32),  # the largest row, alone: no deltas, no header
        np.array([0, top], np.int32),  # the widest gap (31 bits)
        np.arange(top - 300, top + 1, dtype=np.int64).astype(np.int32),  # consecutive
        np.array([5, 6, 7, 1_000_000, 1_000_001], np.int32),
    ]
    for rows in cases:
        bounds = np.array([0, rows.size], np.int64)
        assert np.array_equal(_unpack(packed.pack(rows, bounds), bounds), rows)


def test_consecutive_rows_cost_no_delta_bytes() -> None:
    rows = np.arange(10, 10 + 3 * BLOCK, dtype=np.int32)
    done = packed.pack(rows, np.array([0, rows.size], np.int64))
    assert done.data.size == 3 + packed.PAD  # a width-0 header a block, nothing else


def test_unsorted_repeated_or_negative_rows_are_refused() -> None:
    for rows in ([3, 2], [4, 4], [-1, 5]):
        with pytest.raises(ValueError):
            packed.pack(np.array(rows, np.int32), np.array([0, 2], np.int64))


def test_a_file_packed_piece_by_piece_equals_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, bounds = _runs(4, SIZES * 3)
    n_terms = (bounds.size - 1) // 2
    indptr, split = bounds[0::2].copy(), bounds[1:-1:2].copy()
    assert indptr.size == n_terms + 1
    path = tmp_path / "doc_rows.npy"
    np.save(path, rows)
    monkeypatch.setattr(packed, "_CHUNK_POSTINGS", 300)
    pieces = list(packed.pack_file(path, indptr, split))
    whole = packed.pack(rows, packed.run_bounds(indptr, split))
    assert len(pieces) > 3
    data = np.concatenate([piece.data for piece in pieces])
    assert np.array_equal(data, whole.data[: -packed.PAD])
    assert np.array_equal(np.concatenate([piece.skips for piece in pieces]), whole.skips)


def test_runs_decode_from_their_first_block() -> None:
    rows, bounds = _runs(5, SIZES)
    indptr, split = bounds[0::2].copy(), bounds[1:-1:2].copy()
    rows_of = PackedRows.of(rows, indptr, split)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        block = rows_of.block_of(lo)
        assert np.array_equal(rows_of.decode(lo, hi, block), rows[lo:hi])
    assert np.array_equal(np.asarray(rows_of), rows)
    assert rows_of.size == rows.size and rows_of.nbytes < rows.nbytes


class _Kernels:
    """The same kernel calls on a run given as int32 rows and as a packed run."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.n_rows = 60_000
        self.lengths = rng.integers(1, 40, self.n_rows).astype(np.uint8)
        norms = length_norms(np.arange(41), 20.0)
        self.norms, self.parts = norms, unit_tf_parts(norms)
        sizes = [1, 127, 128, 129, 5000]
        self.rows = np.concatenate(
            [np.sort(rng.choice(self.n_rows, size, replace=False)) for size in sizes]
        ).astype(np.int32)
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.done = packed.pack(self.rows, self.bounds)

    def runs(self, r: int) -> tuple[np.ndarray, tuple]:
        lo, hi = int(self.bounds[r]), int(self.bounds[r + 1])
        block = int(packed.blocks_of(np.diff(self.bounds)[:r]).sum())
        return self.rows[lo:hi], (self.done.data, self.done.skips, block, hi - lo)

    def buffers(self, cand: np.ndarray) -> tuple:
        marks = np.zeros(self.n_rows, np.uint16)
        bits = np.zeros(self.n_rows // 8 + 1, np.uint8)
        rows = np.zeros(self.n_rows + 1, np.int32)
        scores = np.zeros(self.n_rows + 1)
        units = np.zeros(self.n_rows + 1)
        rows[: cand.size] = cand
        scores[: cand.size] = 0.5
        units[: cand.size] = self.parts[self.lengths[cand]]
        kernels.mark(marks, bits, rows, 0, cand.size)
        return marks, bits, rows, scores, units


def _state(buffers: tuple, n: int) -> list:
    return [buffers[2][:n].tolist(), [x.hex() for x in buffers[3][:n].tolist()]]


@pytest.mark.parametrize("search", [False, True])
def test_tf1_merges_read_packed_runs_as_int32_rows(search: bool) -> None:
    k = _Kernels(6)
    ok = np.arange(k.parts.size) % 3 != 0
    for r in range(k.bounds.size - 1):
        plain, run = k.runs(r)
        cand = np.unique(np.concatenate([plain[::7], [3, 9, 40_000]])).astype(np.int32)
        results = []
        for rows in (plain, run):
            buffers = k.buffers(cand)
            added = kernels.merge_unit(
                rows, k.lengths, ok, k.parts, 1.5, *buffers, cand.size, search, *_NO_BLOCKS
            )
            results.append([added, *_state(buffers, cand.size + added)])
            buffers = k.buffers(cand)
            added = kernels.merge_unit_all(rows, k.lengths, k.parts, 1.5, *buffers, cand.size)
            results.append([added, *_state(buffers, cand.size + added)])
            buffers = k.buffers(cand)
            assert kernels.add_unit_marked(rows, 1.5, *buffers, cand.size)
            results.append(_state(buffers, cand.size))
            scores, units = np.zeros(cand.size), k.parts[k.lengths[cand]]
            kernels.add_unit_sorted(rows, cand, scores, units, 1.5)
            results.append([x.hex() for x in scores.tolist()])
        half = len(results) // 2
        assert results[:half] == results[half:]


_NO_BLOCKS = (np.zeros(0, np.uint8), 0, 0)


def test_first_runs_and_lookups_over_all_runs_read_packed_rows_alike() -> None:
    k = _Kernels(7)
    n_runs = k.bounds.size - 1
    blocks = np.concatenate([[0], np.cumsum(packed.blocks_of(np.diff(k.bounds)))])[:-1]
    plain_bounds = np.stack([k.bounds[:-1], k.bounds[1:], np.zeros(n_runs, np.int64)], 1)
    packed_bounds = np.concatenate([plain_bounds, blocks[:, None]], 1).astype(np.int64)
    unit = np.ones(n_runs, bool)
    weights = np.linspace(0.5, 2.0, n_runs)
    tfs = np.zeros(0, np.uint16)
    keys = np.concatenate([k.rows[::5], [0, 1, 59_999, -4]]).astype(np.int64)
    forms = (
        (k.rows, plain_bounds, plain_bounds[:, :2]),
        ((k.done.data, k.done.skips), packed_bounds, packed_bounds[:, [0, 1, 3]]),
    )
    results = []
    for doc_rows, bounds, lookup in forms:
        buffers = k.buffers(np.zeros(0, np.int32))
        added = kernels.merge_first(
            doc_rows, bounds, unit, weights, tfs, k.lengths, k.norms, k.parts, 2.2, *buffers, 0
        )
        outs = [np.zeros(n_runs * keys.size, np.int64) for _ in range(3)]
        found = kernels.find_in_runs(doc_rows, np.ascontiguousarray(lookup), keys, *outs)
        results.append(
            [added, *_state(buffers, added), found, *(out[:found].tolist() for out in outs)]
        )
    assert results[0][0] > 0 and results[0][3] > 0
    assert results[0] == results[1]


def _damaged(k: _Kernels, change) -> tuple:
    """The longest run of ``k`` with its packed data or skips changed by ``change``."""
    _, (data, skips, block, size) = k.runs(4)
    data, skips = data.copy(), skips.copy()
    change(data, skips[block:])
    return data, skips, block, size


DAMAGE = {
    "width-above-31": lambda data, skips: data.__setitem__(int(skips[1, 1]), 40),
    "offset-past-the-data": lambda data, skips: skips.__setitem__((2, 1), data.size),
    "offset-in-the-pad": lambda data, skips: skips.__setitem__((2, 1), data.size - 8),
    "first-row-past-2^31": lambda data, skips: skips.__setitem__((3, 0), 2**31),
    "deltas-past-2^31": lambda data, skips: skips.__setitem__((3, 0), 2**31 - 2),
    "truncated-data": lambda data, skips: skips.__setitem__(
        (slice(None), 1), data.size - packed.PAD - 2
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_packed_runs_raise_or_report_and_never_crash(damage: str) -> None:
    k = _Kernels(8)
    run = _damaged(k, DAMAGE[damage])
    data, skips, block, size = run
    ok = np.ones(k.parts.size, bool)
    cand = np.array([1, 2, 3], np.int32)
    for search in (False, True):  # both read every block for new rows: all get to the damage
        buffers = k.buffers(cand)
        args = (*buffers, 3, search, *_NO_BLOCKS)
        assert kernels.merge_unit(run, k.lengths, ok, k.parts, 1.0, *args) == -1
    assert kernels.merge_unit_all(run, k.lengths, k.parts, 1.0, *k.buffers(cand), 3) == -1
    assert kernels.add_unit_marked(run, 1.0, *k.buffers(cand), 3) is False
    keys = np.sort(np.asarray(k.runs(4)[0][::3], np.int32))
    with pytest.raises(IndexError):
        kernels.add_unit_sorted(run, keys, np.zeros(keys.size), np.ones(keys.size), 1.0)
    with pytest.raises(IndexError):
        out = np.zeros(size, np.int32)
        kernels.unpack_rows(data, skips, np.array([0, size], np.int64), block, out)
    lookup = np.array([[int(k.bounds[4]), int(k.bounds[5]), block]], np.int64)
    outs = [np.zeros(keys.size, np.int64) for _ in range(3)]
    with pytest.raises(IndexError):
        kernels.find_in_runs((data, skips), lookup, keys, *outs)


def test_runs_past_the_skip_entries_and_malformed_runs_are_refused() -> None:
    k = _Kernels(9)
    _, (data, skips, block, size) = k.runs(4)
    buffers = k.buffers(np.zeros(0, np.int32))
    for bad in ((data, skips, skips.shape[0], size), (data, skips, -1, size)):
        with pytest.raises(IndexError):
            kernels.merge_unit_all(bad, k.lengths, k.parts, 1.0, *buffers, 0)
    with pytest.raises(IndexError):  # more postings than its blocks hold
        kernels.add_unit_marked((data, skips, block, size + BLOCK), 1.0, *buffers, 0)
    with pytest.raises(TypeError):
        kernels.add_unit_marked((data, skips, block), 1.0, *buffers, 0)
    with pytest.raises(TypeError):
        kernels.add_unit_marked((data, skips.astype(np.int64), block, size), 1.0, *buffers, 0)
    with pytest.raises(ValueError):
        kernels.add_unit_marked((data, skips.reshape(-1), block, size), 1.0, *buffers, 0)
    out = np.zeros(size, np.int32)
    with pytest.raises(ValueError):  # out too short
        kernels.unpack_rows(data, skips, np.array([0, size + 1], np.int64), block, out)
    with pytest.raises(IndexError):  # an empty data array: no header to read
        kernels.unpack_rows(data[:0], skips, np.array([0, size], np.int64), block, out)
