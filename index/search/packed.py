"""Packed doc rows (segment format 5): each postings run's rows in blocks of 128, bit-packed gaps.

Why: ``doc_rows`` as int32 was 143 of a 1M index's 168 MB on disk and most of the querying
process's resident memory (docs/performance.md, "Compressing doc ids"). Two earlier formats
decoded a query's runs into int32 copies with numpy or numba and gave back 23-32% of the CPU
at p50; here the C kernels (``kernels``) read the packed runs in place, a block at a time
into a buffer on the stack, and lookups find their block through the skip entries and decode
that block only (``_packed_rows.h`` has the layout and the decoder).

A run is a term's tf ≥ 2 or tf = 1 postings (``postings.tier_postings``): runs are the
postings array's stretches between the ``indptr`` and ``tier_split`` positions, in order,
and their blocks are numbered in that order. Positions in the postings (``QueryTerm.lo``,
the tf shifts, the block bounds) mean what they meant for int32 rows.

Format 7 (``first_bytes`` 3, or 4 past 2^24 rows) stores a run of at most 128 postings
inline: its first row in the data, no skip entry. Such a run is found by its data offset
(``QueryTerm.block`` then holds the offset, its size telling which), made per term from the
offset stored at every 64th term (``run_offsets``) and a walk over the runs between
(``columns.RunStarts``, ``kernels.run_starts``). At a million passages 477k of the 698k skip
entries were those runs' (docs/performance.md, "Issue 16: query RSS at 1M, format 7").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.search import kernels
from index.search.columns import RunStarts

BLOCK = 128
# Bytes a decoder may read past a block's last delta (``PACK_PAD`` in ``_packed_rows.h``).
PAD = 8
# Postings packed per step when packing a file: bounds the packing process's memory. At 1M
# passages (44M postings) packing the file in steps of 4M postings rose 55-64 MB over the
# process's start, in steps of 1M 6 MB, the same bytes at the same CPU (0.59-0.62 s against
# 0.64-0.65 s; docs/performance.md, "Issue 16: build peak and query RSS at 1M").
_CHUNK_POSTINGS = 1 << 20


def run_bounds(indptr: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Every run's start, then the end of the last: ``indptr`` and ``split`` interleaved
    (int64, ``2 * n_terms + 1``)."""
    n_terms = split.shape[0]
    bounds = np.empty(2 * n_terms + 1, dtype=np.int64)
    bounds[0:-1:2] = indptr[:-1]
    bounds[1:-1:2] = split
    bounds[-1] = indptr[-1] if indptr.shape[0] else 0
    return bounds


def blocks_of(sizes: np.ndarray) -> np.ndarray:
    """Blocks of runs of ``sizes`` postings."""
    return (np.asarray(sizes, dtype=np.int64) + BLOCK - 1) // BLOCK


def skipped_blocks_of(sizes: np.ndarray, first_bytes: int) -> np.ndarray:
    """Skip entries of runs of ``sizes`` postings: every block's, but in format 7
    (``first_bytes``) none for a run of one block."""
    blocks = blocks_of(sizes)
    return np.where(blocks > 1, blocks, 0) if first_bytes else blocks


def first_bytes_for(n_rows: int) -> int:
    """Bytes of an inline run's first row in a format-7 segment of ``n_rows`` rows."""
    return 3 if n_rows <= 1 << 24 else 4


def term_blocks(indptr: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Per term, the skip entry of its first run's first block; one more entry at the end
    (the blocks in all). int32 when it fits."""
    sizes = np.diff(run_bounds(indptr, split))
    per_term = blocks_of(sizes[0::2]) + blocks_of(sizes[1::2])
    out = np.zeros(split.shape[0] + 1, dtype=np.int64)
    np.cumsum(per_term, out=out[1:])
    return out.astype(np.int32) if out[-1] < 1 << 31 else out


@dataclass(frozen=True, slots=True)
class Packed:
    """Packed runs as ``pack`` returns them: the data (with its pad) and the skip entries;
    format 7: the data offset of every 128th run (every 64th term's first)."""

    data: np.ndarray  # uint8
    skips: np.ndarray  # uint32, (blocks, 2): first row, byte offset
    offsets: np.ndarray | None = None  # int64, format 7


def pack(
    rows: np.ndarray,
    bounds: np.ndarray,
    offset_base: int = 0,
    first_bytes: int = 0,
    run_base: int = 0,
    offsets: np.ndarray | None = None,
) -> Packed:
    """Pack runs ``rows[bounds[r]:bounds[r + 1]]`` (each strictly increasing). The data ends
    with its pad; ``offset_base`` is added to every offset (packing a file piece by piece).

    Format 7 (``first_bytes`` 3 or 4): runs of one block inline, and the data offset of run
    ``run_base + r`` written to ``offsets[(run_base + r) // 128]`` for the multiples of 128
    (an array made to fit when not given)."""
    rows = np.ascontiguousarray(rows, dtype=np.int32)
    bounds = np.ascontiguousarray(bounds, dtype=np.int64)
    sizes = np.diff(bounds)
    n_blocks = int(skipped_blocks_of(sizes, first_bytes).sum()) if bounds.size > 1 else 0
    most = 4 * rows.shape[0] + int(blocks_of(sizes).sum()) + first_bytes * sizes.size + PAD
    data = np.zeros(most, dtype=np.uint8)
    skips = np.zeros((n_blocks, 2), dtype=np.uint32)
    if first_bytes:
        if offsets is None:
            offsets = np.zeros((run_base + sizes.size) // 128 + 1, dtype=np.int64)
        args = (first_bytes, run_base, offsets)
        used, written = kernels.pack_rows(rows, bounds, data, skips, offset_base, *args)
    else:
        used, written = kernels.pack_rows(rows, bounds, data, skips, offset_base)
    if written != n_blocks:
        raise ValueError("runs and blocks disagree")
    return Packed(data[: used + PAD].copy(), skips, offsets)


def pack_file(
    path: Path, indptr: np.ndarray, split: np.ndarray, first_bytes: int = 0
) -> Iterator[Packed]:
    """Pack the int32 rows of the ``.npy`` file ``path`` (a streamed build's finished
    ``doc_rows.npy``) a few million postings at a time, reading the file rather than mapping
    it (a mapping would keep every page resident in the building process), and yield the
    pieces as they are packed (data without the pad, offsets counted from the first piece):
    the writer puts each in its file at once, so the build never holds the packed rows
    (~550 MB at ten million passages). Format 7 (``first_bytes``): every piece carries the
    one ``offsets`` array, complete once the last piece is packed.
    """
    bounds = run_bounds(indptr, split)
    offsets = np.zeros(split.shape[0] // 64 + 1, dtype=np.int64) if first_bytes else None
    used = 0
    with open(path, "rb") as fh:
        version = np.lib.format.read_magic(fh)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(fh)
        if dtype != np.dtype(np.int32) or shape != (int(bounds[-1]),):
            raise ValueError(f"{path.name} does not hold the postings' int32 rows")
        offset = fh.tell()
        r = 0
        n_runs = bounds.shape[0] - 1
        while r < n_runs:
            # whole runs, at least one, up to about _CHUNK_POSTINGS postings
            stop = int(np.searchsorted(bounds, bounds[r] + _CHUNK_POSTINGS, side="right")) - 1
            stop = min(max(stop, r + 1), n_runs)
            lo, hi = int(bounds[r]), int(bounds[stop])
            fh.seek(offset + 4 * lo)
            rows = np.fromfile(fh, dtype=np.int32, count=hi - lo)
            if rows.shape[0] != hi - lo:
                raise ValueError(f"{path.name} is shorter than its postings")
            part = pack(rows, bounds[r : stop + 1] - lo, used, first_bytes, r, offsets)
            del rows
            body = part.data[:-PAD]
            yield Packed(body, part.skips, offsets)
            used += body.shape[0]
            r = stop


class PackedRows:
    """A segment's doc rows, packed: what ``Postings.doc_rows`` holds for a format-5 segment.

    The kernels take a run as ``run(lo, hi, block)`` (or all postings as ``pair``); numpy
    code that needs int32 rows decodes a run with ``decode`` (one C call) or all of them with
    ``np.asarray`` (merges, removals; never on the query path). Format 7 (``first_bytes``
    set) finds each term's runs through ``starts`` (``columns.RunStarts``) instead of
    ``term_blocks``.
    """

    __slots__ = (
        "_bounds",
        "data",
        "first_bytes",
        "indptr",
        "shape",
        "skips",
        "split",
        "starts",
        "term_blocks",
    )
    dtype = np.dtype(np.int32)  # what it decodes to
    ndim = 1

    def __init__(
        self,
        data: np.ndarray,
        skips: np.ndarray,
        term_blocks: np.ndarray | None,
        indptr: np.ndarray,
        split: np.ndarray,
        first_bytes: int = 0,
        starts: RunStarts | None = None,
    ) -> None:
        self.data = data
        self.skips = skips
        self.term_blocks = term_blocks
        self.indptr = indptr
        self.split = split
        self.first_bytes = first_bytes
        self.starts = starts
        self.shape = (int(indptr[-1]) if indptr.shape[0] else 0,)
        self._bounds: np.ndarray | None = None

    @classmethod
    def of(
        cls, rows: np.ndarray, indptr: np.ndarray, split: np.ndarray, first_bytes: int = 0
    ) -> PackedRows:
        """Pack tiered int32 rows in memory (tests, and segments built in memory); format 7
        with ``first_bytes``."""
        if not first_bytes:
            packed = pack(rows, run_bounds(indptr, split))
            return cls(packed.data, packed.skips, term_blocks(indptr, split), indptr, split)
        indptr = np.asarray(indptr)
        offsets = np.zeros(split.shape[0] // 64 + 1, dtype=np.int64)
        packed = pack(rows, run_bounds(indptr, split), 0, first_bytes, 0, offsets)
        multi = (np.asarray(split) - indptr[:-1]).astype(np.uint32)
        starts = RunStarts.build(indptr, multi, offsets, (packed.data, packed.skips, first_bytes))
        if starts is None:
            raise ValueError("split past the postings")
        return cls(packed.data, packed.skips, None, indptr, split, first_bytes, starts)

    @property
    def size(self) -> int:
        """Postings."""
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes of the data and the skip entries."""
        return int(self.data.nbytes + self.skips.nbytes)

    @property
    def pair(self) -> tuple:
        """The form ``kernels.merge_first`` and ``kernels.find_in_runs`` take."""
        if self.first_bytes:
            return (self.data, self.skips, self.first_bytes)
        return (self.data, self.skips)

    def block_of(self, lo: int) -> int:
        """The first block of the run starting at position ``lo`` (a term's start or split);
        format 7: the run's locator (its data offset when it is one block)."""
        term = int(np.searchsorted(self.indptr, lo, side="right")) - 1
        start = int(self.indptr[term])
        if self.starts is not None:
            multi, unit, _ = self.starts.at(term)
            return multi if lo == start and int(self.split[term]) > start else unit
        block = int(self.term_blocks[term])
        if lo == start:
            return block
        return block + int(blocks_of(np.int64(lo - start)))

    def run(self, lo: int, hi: int, block: int) -> tuple:
        """Run ``lo:hi`` whose blocks start at ``block``, as the kernels take one run."""
        if self.first_bytes:
            return (self.data, self.skips, block, hi - lo, self.first_bytes)
        return (self.data, self.skips, block, hi - lo)

    def decode(self, lo: int, hi: int, block: int) -> np.ndarray:
        """Run ``lo:hi`` as int32 rows (one C call)."""
        out = np.empty(max(hi - lo, 0), dtype=np.int32)
        if hi > lo:
            bounds = np.array([lo, hi], dtype=np.int64)
            kernels.unpack_rows(self.data, self.skips, bounds, block, out, *self._format())
        return out

    def _format(self) -> tuple[int, ...]:
        """``unpack_rows``' last argument: format 7's first-row bytes, or nothing."""
        return (self.first_bytes,) if self.first_bytes else ()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """Every posting's row (int32), in position order."""
        if self._bounds is None:
            self._bounds = run_bounds(self.indptr, self.split)
        out = np.empty(self.shape[0], dtype=np.int32)
        kernels.unpack_rows(self.data, self.skips, self._bounds, 0, out, *self._format())
        return out if dtype is None else out.astype(dtype, copy=False)

    def __len__(self) -> int:
        return self.shape[0]


def rows_array(doc_rows: np.ndarray | PackedRows) -> np.ndarray:
    """A postings' rows as int32 (decoded when packed)."""
    return np.asarray(doc_rows)
