"""Columns a loaded segment computes on demand (``index.search.columns``): every value, every
way it is read (``item``, indexing, the whole array), equals the array it replaces, at the
checkpoint edges, and damaged counts are refused."""

from __future__ import annotations

import numpy as np
import pytest

from index.search import packed
from index.search.columns import (
    CHECKPOINT_EVERY,
    EscapedCounts,
    IdRange,
    PrefixSums,
    TermCounts,
    TermStarts,
    TierSplit,
)
from index.search.postings import compact_tf_starts

# Term counts around the checkpoint edges (64), and none.
N_TERMS = [0, 1, 63, 64, 65, 128, 129, 1000]


def _terms(n_terms: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``indptr`` (int32) and tf ≥ 2 counts (uint16) of ``n_terms`` terms, some runs past a
    block (128 postings), some empty."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([0, 1, 2, 127, 128, 129, 300, 5], n_terms)
    multi = (sizes * rng.random(n_terms)).astype(np.uint16)
    indptr = np.zeros(n_terms + 1, np.int32)
    np.cumsum(sizes, out=indptr[1:])
    return indptr, multi


@pytest.mark.parametrize("escaped", [False, True])
@pytest.mark.parametrize("n_terms", N_TERMS)
def test_term_starts_equal_the_arrays_they_replace(n_terms: int, escaped: bool) -> None:
    """Also from format 7's one-byte counts, whose counts of 255 or more are escaped."""
    indptr, multi = _terms(n_terms, n_terms)
    split = (indptr[:-1] + multi).astype(np.int32)
    counts = EscapedCounts.of(multi) if escaped else multi
    if escaped:
        assert counts.consistent(n_terms)
        assert counts.narrow.dtype == np.uint8
        assert counts.wide.shape[0] == int((multi >= 255).sum())
        assert n_terms < 1000 or counts.wide.shape[0] > 10
        assert [counts.item(t) for t in range(n_terms)] == multi.tolist()
        assert np.array_equal(np.asarray(counts), multi)
    starts = TermStarts.build(indptr, counts)
    assert starts is not None
    blocks, tfs = packed.term_blocks(indptr, split), compact_tf_starts(indptr, split)
    assert starts.blocks.tolist() == blocks.tolist()
    assert np.asarray(starts.blocks).dtype == blocks.dtype
    assert [starts.blocks.item(t) for t in range(n_terms + 1)] == blocks.tolist()
    assert [starts.tfs.item(t) for t in range(n_terms)] == tfs.tolist()
    assert np.array_equal(np.asarray(starts.tfs), tfs)
    assert starts.total_tf == int(multi.sum())
    assert starts.total_blocks == int(blocks[-1])
    assert int(starts.blocks[-1]) == int(blocks[-1])
    split_column = TierSplit(indptr, counts)
    assert [split_column.item(t) for t in range(n_terms)] == split.tolist()
    assert np.array_equal(np.asarray(split_column), split)
    if n_terms:
        assert int(split_column[-1]) == int(split[-1])
        assert np.array_equal(split_column - indptr[:-1], multi.astype(np.int32))


def test_term_starts_refuse_counts_past_the_postings() -> None:
    indptr, multi = _terms(200, 7)
    multi[150] = indptr[151] - indptr[150] + 1
    assert TermStarts.build(indptr, multi) is None


def test_term_starts_refuse_terms_out_of_range() -> None:
    indptr, multi = _terms(100, 3)
    starts = TermStarts.build(indptr, multi)
    assert starts is not None
    with pytest.raises(IndexError):
        starts.at(101)
    with pytest.raises(IndexError):
        starts.tfs.item(100)


@pytest.mark.parametrize("n", [0, 1, CHECKPOINT_EVERY - 1, CHECKPOINT_EVERY, 1000])
def test_prefix_sums_equal_the_offsets(n: int) -> None:
    lengths = np.random.default_rng(n).integers(1, 30, n).astype(np.uint8)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    column = PrefixSums(lengths)
    assert [column.item(i) for i in range(n + 1)] == offsets.tolist()
    assert int(column[-1]) == int(offsets[-1])
    assert np.array_equal(np.asarray(column), offsets)
    assert column.shape == (n + 1,)
    ids = np.arange(n)
    assert np.array_equal(column[ids + 1], offsets[ids + 1])
    for start in (None, 0, 1):
        for stop in (n, n + 1, None, 5, -1):
            step = CHECKPOINT_EVERY
            assert np.array_equal(column[start:stop:step], offsets[start:stop:step])


def test_id_range_reads_as_the_array() -> None:
    ids = np.arange(40, 140, dtype=np.uint32)
    column = IdRange(40, 100, np.uint32)
    assert np.array_equal(np.asarray(column), ids) and np.asarray(column).dtype == ids.dtype
    rows = np.array([0, 99, 5, -1])
    assert np.array_equal(column[rows], ids[rows]) and column[rows].dtype == ids.dtype
    assert np.array_equal(column.take(rows), ids.take(rows))
    assert column.item(0) == 40 and column.item(-1) == 139 and column[3] == ids[3]
    mask = np.arange(100) % 3 == 0
    assert np.array_equal(column[mask], ids[mask])
    assert np.array_equal(column[10:20], ids[10:20])
    needles = np.array([0, 39, 40, 41, 139, 140, 1000])
    for side in ("left", "right"):
        assert np.array_equal(column.searchsorted(needles, side), ids.searchsorted(needles, side))
    assert np.array_equal(column == ids, np.ones(100, bool))
    with pytest.raises(IndexError):
        column.item(100)
    with pytest.raises(IndexError):
        column.take(np.array([100]))


def test_term_counts_read_as_the_frequencies() -> None:
    indptr, _ = _terms(300, 11)
    df = np.diff(indptr).astype(np.int32)
    column = TermCounts(indptr)
    assert [column.item(t) for t in range(300)] == df.tolist()
    terms = np.array([5, 0, 299, -1])
    assert np.array_equal(column[terms], df[terms])
    assert np.array_equal(column[df > 0], df[df > 0])
    assert int(np.count_nonzero(column)) == int(np.count_nonzero(df))
    assert np.array_equal(column != df, np.zeros(300, bool))
    assert np.array_equal(np.array(column), df)
    with pytest.raises(IndexError):
        column.item(300)
