"""Format 7's packed rows: runs of one block stored inline (first row in the data, no skip
entry), found through the data offset of every 64th term and a walk over the runs between.
The codec round trip, each run found from its term, and refusals of damaged data (an
error, never a crash)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.search import kernels, packed
from index.search.packed import BLOCK, PackedRows
from index.search.postings import compact_tf_starts

# Run sizes around the block edges (empty, one posting, one full block, one past it).
SIZES = [0, 1, 2, 127, 128, 129, 255, 256, 257, 1, 0, 3000]


def _runs(seed: int, sizes: list[int], widest_row: int = 1 << 19) -> tuple[np.ndarray, ...]:
    """Strictly increasing runs of ``sizes``, dense and sparse, and their bounds."""
    rng = np.random.default_rng(seed)
    runs = []
    for size in sizes:
        widest = int(rng.choice([1, 2, 9, 1000, widest_row]))  # gaps 1 (width 0) to wide
        gaps = rng.integers(1, widest + 1, size)
        runs.append((np.cumsum(gaps) - 1 + int(rng.integers(0, 50))).astype(np.int32))
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return np.concatenate(runs), bounds


def _terms(seed: int, n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, ``indptr`` and tier split of ``n_terms`` terms, two runs each, of sizes around
    the block edges (most of one block, as in a real vocabulary)."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([*SIZES, 1, 2, 3, 5, 40], 2 * n_terms).tolist()
    rows, bounds = _runs(seed, sizes)
    return rows, bounds[0::2].copy(), bounds[1:-1:2].copy()


def _unpack(done: packed.Packed, bounds: np.ndarray, first_bytes: int) -> np.ndarray:
    out = np.full(int(bounds[-1] - bounds[0]), -7, np.int32)
    kernels.unpack_rows(done.data, done.skips, bounds, 0, out, first_bytes)
    return out


@pytest.mark.parametrize("first_bytes", [3, 4])
@pytest.mark.parametrize("seed", [1, 2])
def test_runs_round_trip_with_one_block_runs_inline(seed: int, first_bytes: int) -> None:
    rows, bounds = _runs(seed, SIZES)
    sizes = np.diff(bounds)
    done = packed.pack(rows, bounds, 0, first_bytes)
    assert np.array_equal(_unpack(done, bounds, first_bytes), rows)
    # only runs of several blocks keep skip entries; the others cost their first row's bytes
    several = sizes > BLOCK
    assert done.skips.shape == (int(packed.blocks_of(sizes[several]).sum()), 2)
    old = packed.pack(rows, bounds)
    inline = int(((sizes > 0) & ~several).sum())
    assert done.data.size == old.data.size + first_bytes * inline
    assert done.data[-packed.PAD :].tolist() == [0] * packed.PAD


def test_first_rows_past_three_bytes_need_four() -> None:
    rows = np.array([5, 1 << 24], np.int32)
    bounds = np.array([0, 1, 2], np.int64)
    with pytest.raises(ValueError):
        packed.pack(rows, bounds, 0, 3)
    assert np.array_equal(_unpack(packed.pack(rows, bounds, 0, 4), bounds, 4), rows)
    assert packed.first_bytes_for(1 << 24) == 3 and packed.first_bytes_for((1 << 24) + 1) == 4


@pytest.mark.parametrize("n_terms", [1, 63, 64, 65, 300])
def test_every_run_is_found_from_its_term(n_terms: int) -> None:
    """Each term's runs through the stored offsets and the walk (``RunStarts``), across
    checkpoints, equal the rows; the tf starts equal the array they replace."""
    rows, indptr, split = _terms(n_terms, n_terms)
    held = PackedRows.of(rows, indptr, split, 3)
    assert held.starts is not None and held.term_blocks is None
    ends = indptr[1:]
    for term in range(n_terms):
        lo, mid, hi = int(indptr[term]), int(split[term]), int(ends[term])
        multi, unit, tf_start = held.starts.at(term)
        assert (multi < 0) == (mid == lo) and (unit < 0) == (hi == mid)
        if mid > lo:
            assert np.array_equal(held.decode(lo, mid, multi), rows[lo:mid])
            assert held.block_of(lo) == multi
        if hi > mid:
            assert np.array_equal(held.decode(mid, hi, unit), rows[mid:hi])
            assert held.block_of(mid) == unit
        assert tf_start == int(compact_tf_starts(indptr, split)[term])
    assert np.array_equal(np.asarray(held), rows)
    assert np.array_equal(np.asarray(held.starts.tfs), compact_tf_starts(indptr, split))
    old = PackedRows.of(rows, indptr, split)
    sizes = np.diff(packed.run_bounds(indptr, split))
    inline = int(((sizes > 0) & (sizes <= BLOCK)).sum())
    assert held.nbytes == old.nbytes - (8 - 3) * inline  # a skip entry for 3 bytes of row


def test_a_file_packed_piece_by_piece_equals_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, indptr, split = _terms(7, 200)
    path = tmp_path / "doc_rows.npy"
    np.save(path, rows)
    monkeypatch.setattr(packed, "_CHUNK_POSTINGS", 300)
    pieces = list(packed.pack_file(path, indptr, split, 3))
    whole = PackedRows.of(rows, indptr, split, 3)
    assert len(pieces) > 3
    data = np.concatenate([piece.data for piece in pieces])
    assert np.array_equal(data, whole.data[: -packed.PAD])
    assert np.array_equal(np.concatenate([piece.skips for piece in pieces]), whole.skips)
    assert np.array_equal(pieces[-1].offsets, whole.starts.offsets)


def _held_with_an_inline_run() -> tuple[PackedRows, int, int, int]:
    """Packed rows of 100 terms and the place of a term's inline tf = 1 run of 40 postings."""
    rng = np.random.default_rng(11)
    sizes = [int(x) for x in rng.choice([0, 1, 3, 200], 200)]
    sizes[2 * 70 + 1] = 40  # term 70's tf = 1 run
    rows, bounds = _runs(11, sizes)
    indptr, split = bounds[0::2].copy(), bounds[1:-1:2].copy()
    held = PackedRows.of(rows, indptr, split, 3)
    return held, int(split[70]), int(indptr[71]), held.starts.at(70)[1]


DAMAGE = {
    "width-above-31": lambda data, at: data.__setitem__(at + 3, 40),
    "first-row-out-of-range": lambda data, at: data.__setitem__(slice(at, at + 3), 0xFF),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_inline_runs_raise_or_report_and_never_crash(damage: str) -> None:
    held, lo, hi, at = _held_with_an_inline_run()
    data = held.data.copy()
    DAMAGE[damage](data, at)
    run = (data, held.skips, at, hi - lo, 3)
    n_rows = int(held.decode(lo, hi, at).max()) + 1  # the true rows fit, 2^24 - 1 does not
    lengths, parts = np.ones(n_rows, np.uint8), np.ones(2)
    if damage == "width-above-31":  # the run's bytes are checked when it is taken
        with pytest.raises(IndexError):
            kernels.add_unit_marked(run, 1.0, *_buffers(n_rows), 0)
        out = np.zeros(hi - lo, np.int32)
        with pytest.raises(IndexError):
            kernels.unpack_rows(data, held.skips, np.array([lo, hi], np.int64), at, out, 3)
    else:  # a row out of range: the merges stop and say so
        assert kernels.add_unit_marked(run, 1.0, *_buffers(n_rows), 0) is False
        assert kernels.merge_unit_all(run, lengths, parts, 1.0, *_buffers(n_rows), 0) == -1


def test_offsets_past_the_data_are_refused() -> None:
    held, lo, hi, at = _held_with_an_inline_run()
    buffers = _buffers(1 << 20)
    for bad in (held.data.size - packed.PAD - 2, held.data.size, -5):
        with pytest.raises(IndexError):
            kernels.add_unit_marked((held.data, held.skips, bad, hi - lo, 3), 1.0, *buffers, 0)
    starts = held.starts
    offsets = starts.offsets.copy()
    offsets[1] = held.data.size + 1  # terms 64.. walk from past the data
    with pytest.raises(IndexError):
        kernels.run_starts(starts.indptr, starts.multi, starts.checkpoints, offsets, held.pair, 70)
    with pytest.raises(IndexError):
        starts.at(100)  # past the terms
    with pytest.raises(ValueError):  # the format's first-row bytes are 3 or 4
        kernels.add_unit_marked((held.data, held.skips, at, hi - lo, 2), 1.0, *buffers, 0)


def _buffers(n_rows: int) -> tuple:
    marks = np.zeros(n_rows, np.uint16)
    bits = np.zeros(n_rows // 8 + 1, np.uint8)
    return marks, bits, np.zeros(n_rows + 1, np.int32), np.zeros(n_rows + 1), np.zeros(n_rows + 1)
