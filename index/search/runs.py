"""A full build in bounded memory: postings sorted in runs, spilled to disk, merged by term.

Building a segment in one piece holds every token occurrence of the corpus at once (an int64
key per token and the arrays derived from it): 2.3 GB at a million passages, and a MemoryError
at ten million. Here the tokens pass through in runs of at most ``RUN_TOKENS``:

1. ``RunWriter.add`` buffers a batch's (term id, document) pairs. A full buffer becomes a run:
   its distinct terms are put in byte order (the order of the final vocabulary: the relative
   order of two terms never changes as more terms arrive), and one sort of the keys
   ``term rank << 32 | document`` groups each term's documents; run lengths are the tfs. The
   run (terms, offsets, documents, tfs) is written to the spill directory and dropped from
   memory. The sort runs in a background thread while the caller encodes the next batches
   (numpy's sort and gathers release the GIL), so a build uses both cores.
2. ``merge_runs`` cuts the final vocabulary into blocks of about ``MERGE_POSTINGS`` postings.
   Every run holds a block's terms in one contiguous stretch (its terms are in the same byte
   order), so each run is read sequentially, block after block. A block's postings are placed
   by counting (each term's slot plus what earlier runs put there), not by a sort: when the
   documents arrived in passage-id order, rows are then already sorted within each term; when
   they did not, the block is sorted by (term, row). Each block is tiered and bounded
   (``tier_postings``, ``term_bounds``: both work term by term) and appended to the output.

The result is the segment the one-piece build gives, array for array (tested). Memory is one
run's sort plus one block's merge plus the per-passage arrays (24 bytes a passage), whatever
the corpus size. A build that fits one run never touches the disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.models import EncodedBatch, EncodedTerms
from index.search.postings import (
    BlockMinLengths,
    Postings,
    compact_tf,
    compact_tf_starts,
    term_bounds,
    tier_postings,
)
from index.search.term_table import TermTable

#: Tokens per run. A run's sort holds ~25 bytes per token (the buffered pairs, the int64 keys,
#: run starts and tfs), so 8M tokens peak near 200 MB, twice that while one run sorts in the
#: background and the next fills; at 60 words a passage a run is ~200k passages.
RUN_TOKENS = 8 << 20
#: Tokens per run in a build worker (``workers``), which sorts in place and holds an
#: encoder beside its runs: ~15 bytes a token at the sort's peak, so ~30 MB over the
#: worker's steady state (a 100k-passage stretch, ~4.4M tokens, rose 110 MB before
#: ``_distinct_keys``; docs/performance.md, "Issue 16: footprint at 1M").
WORKER_RUN_TOKENS = 2 << 20
#: Postings per merged block: ~40 bytes each while a block is placed, tiered and bounded
#: (20 MB; 2M postings a block, 80 MB, were a third of the merging process's peak at 1M
#: passages for no measurable CPU over these 512k).
MERGE_POSTINGS = 1 << 19
#: Prefix of the spill directory inside the index directory; ``segments`` removes those of
#: builds that died (the pid follows the prefix).
SPILL_PREFIX = ".tmp-runs-"
SPOOL_PREFIX = ".tmp-spool-"


def _tf_dtype(max_tf: int) -> type[np.unsignedinteger]:
    return np.uint16 if max_tf <= np.iinfo(np.uint16).max else np.uint32


#: Terms of a run's directory read at a time in the merge (``_directory``): the merge holds
#: ~12 bytes a term of a window per run, not the runs' whole directories.
DIRECTORY_CHUNK = 1 << 12


@dataclass(frozen=True, slots=True)
class Run:
    """One run: ``terms`` (ids, in byte order of the terms), CSR offsets into the documents
    and tfs; each is in memory or, for a spilled run, a raw file of the spill directory.

    The term directory (``terms``, ``indptr``) of a spilled run stays on disk until the
    merge reads it a window at a time: held in memory, the runs' directories were ~45 MiB
    of the merging process at 1M passages, through the vocabulary's sort and the merge
    (docs/performance.md, "Issue 16: build peak at 1M, second round").
    """

    terms: np.ndarray | Path  # int32
    indptr: np.ndarray | Path  # ``indptr_dtype``, n_terms + 1
    docs: np.ndarray | Path  # int32: index of the document in input order
    tfs: np.ndarray | Path
    tf_dtype: np.dtype
    max_tf: int
    n_multi: int  # postings with tf ≥ 2
    n_terms: int
    indptr_dtype: np.dtype
    #: the run's ids → the ids ``merge_runs``' ``rank`` indexes (a build worker's ids are
    #: joined by its parent, ``workers``); None: the same ids
    term_map: np.ndarray | None = None


def _directory(run: Run, rank: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A run's terms as (final term ids, int32; postings of each, int64), in order,
    ``DIRECTORY_CHUNK`` terms at a time."""
    handles: list[BinaryIO] = []
    try:
        terms_fh = ptr_fh = None
        if isinstance(run.terms, Path):
            terms_fh = open(run.terms, "rb")  # noqa: SIM115 (closed below)
            handles.append(terms_fh)
        if isinstance(run.indptr, Path):
            ptr_fh = open(run.indptr, "rb")  # noqa: SIM115
            handles.append(ptr_fh)
        int32 = np.dtype(np.int32)
        previous_end = 0
        for lo in range(0, run.n_terms, DIRECTORY_CHUNK):
            hi = min(lo + DIRECTORY_CHUNK, run.n_terms)
            ids = _read(terms_fh, run.terms, int32, lo, hi)
            if run.term_map is not None:
                ids = run.term_map[ids]
            ends = _read(ptr_fh, run.indptr, run.indptr_dtype, lo + 1, hi + 1)
            counts = np.diff(ends, prepend=previous_end).astype(np.int64)
            previous_end = int(ends[-1])
            yield (ids if rank is None else rank[ids]).astype(np.int32), counts
    finally:
        for fh in handles:
            fh.close()


class _RunReader:
    """Sequential reads of a run's stretch of postings, block after block (plain reads, not
    a memory map, so the pages read never count towards the build's resident memory)."""

    def __init__(self, run: Run, rank: np.ndarray | None) -> None:
        self.run = run
        self._directory = _directory(run, rank)
        # the window of the directory read and not taken yet: final ids (increasing), counts
        self._ids = np.empty(0, np.int32)
        self._counts = np.empty(0, np.int64)
        self._read_all = False
        self._next_posting = 0
        self._docs: BinaryIO | None = None
        self._tfs: BinaryIO | None = None
        if isinstance(run.docs, Path):
            self._docs = open(run.docs, "rb")  # noqa: SIM115 (closed by close())
        if isinstance(run.tfs, Path):
            self._tfs = open(run.tfs, "rb")  # noqa: SIM115

    def take(self, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The run's postings of final terms below ``end`` not taken yet: (final term ids,
        their posting counts, documents, tfs); terms and postings come in order."""
        if not self._read_all and (not self._ids.size or int(self._ids[-1]) < end):
            ids, counts = [self._ids], [self._counts]
            while True:
                chunk = next(self._directory, None)
                if chunk is None:
                    self._read_all = True
                    break
                ids.append(chunk[0])
                counts.append(chunk[1])
                if int(chunk[0][-1]) >= end:
                    break
            self._ids, self._counts = np.concatenate(ids), np.concatenate(counts)
        hi = int(np.searchsorted(self._ids, end, side="left"))
        ids, counts = self._ids[:hi], self._counts[:hi]
        self._ids, self._counts = self._ids[hi:], self._counts[hi:]
        p0 = self._next_posting
        p1 = p0 + int(counts.sum())
        self._next_posting = p1
        docs = _read(self._docs, self.run.docs, np.dtype(np.int32), p0, p1)
        tfs = _read(self._tfs, self.run.tfs, self.run.tf_dtype, p0, p1)
        return ids, counts, docs, tfs

    def close(self) -> None:
        self._directory.close()
        for fh in (self._docs, self._tfs):
            if fh is not None:
                fh.close()


def _read(
    fh: BinaryIO | None, source: np.ndarray | Path, dtype: np.dtype, start: int, stop: int
) -> np.ndarray:
    if isinstance(source, np.ndarray) or fh is None:
        return np.asarray(source)[start:stop]
    # Blocks are taken in order, so the file position is already at ``start``.
    size = dtype.itemsize
    if fh.tell() != start * size:
        fh.seek(start * size)
    data = fh.read((stop - start) * size)
    if len(data) != (stop - start) * size:
        raise OSError(f"spilled run {fh.name} is shorter than written")
    return np.frombuffer(data, dtype=dtype)


def _write_raw(path: Path, array: np.ndarray) -> None:
    """Write an array's bytes through ``write`` (a full disk raises ENOSPC, see segments)."""
    with open(path, "wb") as fh:
        view = memoryview(np.ascontiguousarray(array)).cast("B")
        for start in range(0, len(view), 16 << 20):
            fh.write(view[start : start + (16 << 20)])


class RunWriter:
    """Collects (term id, document) pairs batch by batch and turns them into sorted runs.

    Term ids are the encoder's (first seen first); ``add_terms`` gets each batch's new terms
    before its pairs. Documents are numbered in input order by the caller.
    """

    def __init__(
        self,
        spill_dir: Path | None,
        run_tokens: int | None = None,
        *,
        background: bool = True,
        name: str = "run",
        terms: list[bytes] | TermTable | None = None,
    ) -> None:
        """``background``: sort runs in a thread while the caller goes on (a build process);
        a worker process sorts in place (``cut``), the other core being the other worker's.
        ``name`` prefixes the run files (workers share a spill directory); ``terms`` is a
        term list shared with other writers fed by the same encoder."""
        self._spill_dir = spill_dir
        self._run_tokens = RUN_TOKENS if run_tokens is None else run_tokens
        self._background = background
        self._name = name
        self._taken = 0
        # bytes here; a worker shares its encoder's ``TermTable`` (the same byte order)
        self._encoded: list[bytes] | TermTable = [] if terms is None else terms
        self._term_parts: list[np.ndarray] = []
        self._doc_parts: list[np.ndarray] = []
        self._buffered = 0
        self._runs: list[Run] = []
        self._pending: Future[Run] | None = None
        self._pool: ThreadPoolExecutor | None = None

    @property
    def terms(self) -> list[bytes] | TermTable:
        """Every term seen so far, UTF-8, in encoder id order (the shared table, if given)."""
        return self._encoded

    def add_terms(self, new_terms: list[str] | tuple[str, ...]) -> None:
        """Terms whose encoder ids continue where the previous ones stopped."""
        if isinstance(self._encoded, TermTable):
            raise TypeError("a writer sharing its encoder's TermTable is given no terms")
        self._encoded.extend(t.encode("utf-8", errors="surrogatepass") for t in new_terms)

    def add(self, term_ids: np.ndarray, docs: np.ndarray) -> None:
        """One batch's term occurrences; sorts a run once enough are buffered."""
        if term_ids.size:
            if int(term_ids.max()) >= len(self._encoded) or int(term_ids.min()) < 0:
                raise ValueError("encoded batches use term ids beyond the terms they list")
            self._term_parts.append(np.asarray(term_ids, dtype=np.int32))
            self._doc_parts.append(np.asarray(docs, dtype=np.int32))
            self._buffered += int(term_ids.size)
        if self._buffered >= self._run_tokens and self._spill_dir is not None:
            if self._background:
                self._flush()
            else:
                self.cut()

    def cut(self) -> None:
        """Sort what is buffered into a spilled run now (a worker's stretch ends)."""
        self._wait()
        if self._term_parts and self._spill_dir is not None:
            name = f"{self._name}-{self._taken + len(self._runs):05d}"
            self._runs.append(
                _sorted_run(self._take_buffer(), self._encoded, self._spill_dir, name)
            )

    def take_runs(self) -> list[Run]:
        """The runs finished since the last call, in input order."""
        self._wait()
        new, self._runs = self._runs, []
        self._taken += len(new)
        return new

    def finish(self) -> list[Run]:
        """All runs in input order, the last one kept in memory; the writer is done after."""
        try:
            self._wait()
            if self._term_parts or not self._runs:
                self._runs.append(_sorted_run(self._take_buffer(), self._encoded, None, ""))
        finally:
            self.close()
        return self._runs

    def close(self) -> None:
        """Stop the background sort (on success or failure)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._runs.append(pending.result())

    def _take_buffer(self) -> list[np.ndarray]:
        """``[term_ids, docs]`` of the buffered batches; the buffer starts over."""
        term_ids = _concatenated(self._term_parts)
        self._term_parts = []
        docs = _concatenated(self._doc_parts)
        self._doc_parts, self._buffered = [], 0
        return [term_ids, docs]

    def _flush(self) -> None:
        """Sort the buffer into a spilled run in the background (at most one at a time)."""
        self._wait()
        buffer = self._take_buffer()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-sort")
        name = f"{self._name}-{self._taken + len(self._runs):05d}"
        self._pending = self._pool.submit(
            _sorted_run, buffer, self._encoded, self._spill_dir, name
        )


def _concatenated(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, np.int32)


def _sorted_run(
    buffer: list[np.ndarray],
    encoded: list[bytes] | TermTable,
    spill_dir: Path | None,
    name: str,
) -> Run:
    """Sort one run's pairs by (term byte order, document); tf is the length of equal keys.

    ``buffer`` is ``[term_ids, docs]``, emptied here so the pairs are freed once the keys
    exist (a run's peak is then the keys, a start flag a key and the postings made of them
    slice by slice: ~15 bytes a token, ``_distinct_keys``). ``encoded`` may grow meanwhile
    (the caller goes on with the next batches): only ids present in ``term_ids`` are read,
    and they were all known when the run was cut.
    """
    term_ids = buffer.pop(0)
    n_known = int(term_ids.max()) + 1 if term_ids.size else 0
    # 1 and 4 bytes a known term, not 8 and 8 (a bincount, int64 ranks): a worker's run
    # is one 10k-passage job, and these two were most of its sort's peak at 500k terms
    seen = np.zeros(n_known, dtype=bool)
    seen[term_ids] = True
    present = np.flatnonzero(seen).astype(np.int32)
    del seen
    if isinstance(encoded, TermTable):  # a build worker's: sorted in C, no object a term
        terms = encoded.sort_ids(present)
    else:
        # Python's sort of the present terms' bytes (C comparisons): the only per-term step.
        terms = np.asarray(sorted(present.tolist(), key=encoded.__getitem__), dtype=np.int32)
    del present
    local = np.zeros(n_known, dtype=np.int32)
    local[terms] = np.arange(terms.size, dtype=np.int32)
    ranks = local[term_ids]
    del local, term_ids
    keys = ranks.astype(np.int64)
    del ranks
    keys <<= 32
    keys |= buffer.pop(0)
    keys.sort()
    doc_of, tfs, term_counts = _distinct_keys(keys, terms.size)
    del keys
    max_tf = int(tfs.max()) if tfs.size else 0
    n_multi = int(np.count_nonzero(tfs > 1))
    # Each run keeps its term directory in memory through the merge: 4 bytes a term, not 8.
    indptr = np.zeros(terms.size + 1, dtype=np.int32 if doc_of.size < 1 << 31 else np.int64)
    np.cumsum(term_counts, out=indptr[1:])
    del term_counts
    if spill_dir is None:
        return Run(
            terms, indptr, doc_of, tfs, tfs.dtype, max_tf, n_multi, terms.size, indptr.dtype
        )
    paths = [spill_dir / f"{name}.{part}" for part in ("docs", "tfs", "terms", "indptr")]
    for path, array in zip(paths, (doc_of, tfs, terms, indptr), strict=True):
        _write_raw(path, array)
    docs_path, tfs_path, terms_path, indptr_path = paths
    return Run(
        terms_path,
        indptr_path,
        docs_path,
        tfs_path,
        tfs.dtype,
        max_tf,
        n_multi,
        terms.size,
        indptr.dtype,
    )


#: Sorted keys turned into postings this many at a time (``_distinct_keys``): a slice's
#: temporaries are ~24 bytes a key. 1 << 18 made them most of a build worker's run sort peak
#: (17 MB over the run's 440k-token input, against 11 MB here; the same CPU, 102–105 against
#: 111–118 ms a run with the other changes of "Issue 16: build peak at 1M, third round").
_DISTINCT_SLICE = 1 << 16


def _distinct_keys(keys: np.ndarray, n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted ``term << 32 | document`` keys → (document of each distinct key, int32; its
    count, the tf, in the narrowest type; postings per term).

    Done a slice of keys at a time: the whole-array version held the distinct keys, their
    starts and the tfs as int64 at once beside the keys (~25 bytes a token at the peak of a
    run; a build worker's 4.4M-token run rose 110 MB over its steady state). Here the
    output is 4 + 2 bytes a distinct key and the temporaries a slice's, ~10 bytes a token
    at the peak with the keys and the start mask.
    """
    n = keys.size
    if not n:
        return np.empty(0, np.int32), np.empty(0, np.uint16), np.zeros(n_terms, np.int64)
    starts_mask = np.empty(n, dtype=bool)
    starts_mask[0] = True
    np.not_equal(keys[1:], keys[:-1], out=starts_mask[1:])
    n_distinct = int(np.count_nonzero(starts_mask))
    doc_of = np.empty(n_distinct, dtype=np.int32)
    counts = np.empty(n_distinct, dtype=np.uint32)
    term_counts = np.zeros(n_terms, dtype=np.int64)
    done = 0
    for lo in range(0, n, _DISTINCT_SLICE):
        hi = min(lo + _DISTINCT_SLICE, n)
        starts = np.flatnonzero(starts_mask[lo:hi])
        starts += lo
        if not starts.size:
            continue
        # the next slice's first start ends this slice's last key
        following = np.flatnonzero(starts_mask[hi : hi + _DISTINCT_SLICE])
        end = hi + int(following[0]) if following.size else _next_start(starts_mask, hi, n)
        unique = keys[starts]
        stop = done + starts.size
        doc_of[done:stop] = unique & 0xFFFFFFFF
        counts[done:stop] = np.diff(starts, append=end)
        unique >>= 32
        # keys are sorted by term: a slice's terms are one range, counted in place
        low = int(unique[0])
        counted = np.bincount(unique - low)
        term_counts[low : low + counted.size] += counted
        done = stop
    max_tf = int(counts.max())
    return doc_of, counts.astype(_tf_dtype(max_tf), copy=False), term_counts


def _next_start(starts_mask: np.ndarray, at: int, n: int) -> int:
    """The first start at or after ``at`` (``n`` when none)."""
    rest = np.flatnonzero(starts_mask[at:])
    return at + int(rest[0]) if rest.size else n


@dataclass(frozen=True, slots=True)
class MergedPostings:
    """What ``merge_runs`` produces: the segment's tiered postings, split and bounds.

    ``doc_rows`` and ``tf`` are arrays, or (for a spilled build) memory maps of finished
    ``.npy`` files in the spill directory, listed in ``files`` so the segment takes them over
    by renaming instead of writing them again. ``tf`` is compact (``postings.compact_tf``).
    """

    postings: Postings
    tf_starts: np.ndarray
    tier_split: np.ndarray
    term_max_tf: np.ndarray
    term_min_dl: np.ndarray
    term_min_dl_unit: np.ndarray
    files: dict[str, Path]
    block_min_len: np.ndarray  # ``postings.block_min_lengths``, taken as the blocks are written


class _Output:
    """Where merged blocks go: growing lists, or ``.npy`` files written block by block."""

    def __init__(
        self, spill_dir: Path | None, n_postings: int, n_tfs: int, tf_dtype: np.dtype
    ) -> None:
        self.tf_dtype = tf_dtype
        self.parts: dict[str, list[np.ndarray]] = {"doc_rows": [], "tf": []}
        self.files: dict[str, Path] = {}
        self._handles: dict[str, BinaryIO] = {}
        if spill_dir is not None:
            shapes = {"doc_rows": n_postings, "tf": n_tfs}
            for name, dtype in (("doc_rows", np.dtype(np.int32)), ("tf", tf_dtype)):
                path = spill_dir / f"{name}.npy"
                fh = open(path, "wb")  # noqa: SIM115 (closed by finish/abort)
                self._handles[name] = fh
                self.files[name] = path
                header = {
                    "descr": np.lib.format.dtype_to_descr(dtype),
                    "fortran_order": False,
                    "shape": (shapes[name],),
                }
                np.lib.format.write_array_header_1_0(fh, header)

    def append(self, name: str, block: np.ndarray) -> None:
        fh = self._handles.get(name)
        if fh is None:
            self.parts[name].append(block)
            return
        view = memoryview(np.ascontiguousarray(block)).cast("B")
        for start in range(0, len(view), 16 << 20):
            fh.write(view[start : start + (16 << 20)])

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._handles:
            rows = self.parts["doc_rows"]
            tfs = self.parts["tf"]
            return (
                np.concatenate(rows) if rows else np.empty(0, np.int32),
                np.concatenate(tfs) if tfs else np.empty(0, self.tf_dtype),
            )
        for fh in self._handles.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self._handles = {}
        return (
            np.load(self.files["doc_rows"], mmap_mode="r", allow_pickle=False),
            np.load(self.files["tf"], mmap_mode="r", allow_pickle=False),
        )

    def abort(self) -> None:
        for fh in self._handles.values():
            fh.close()


def merge_runs(
    runs: list[Run],
    rank: np.ndarray | None,
    n_terms: int,
    row_of_doc: np.ndarray,
    rows_sorted: bool,
    doc_len: np.ndarray,
    spill_dir: Path | None,
) -> MergedPostings:
    """Merge sorted runs into a segment's tiered postings (see the module docstring).

    Args:
        runs: from ``RunWriter.finish`` (emptied here).
        rank: final (byte-ordered) term id of every encoder term id (of every id a run's
            ``term_map`` gives, for runs that have one); None: those ids are final already.
        n_terms: size of the final vocabulary.
        row_of_doc: segment row of every document (input order).
        rows_sorted: ``row_of_doc`` is increasing (documents came in passage-id order), so
            runs in input order give each term's rows in order without a sort.
        doc_len: length of every row.
        spill_dir: where the output goes as files (None: in memory).
    """
    readers: list[_RunReader] = []
    try:
        # ``runs`` is consumed: each run is held by its reader only
        while runs:
            readers.append(_RunReader(runs.pop(0), rank))
        return _merge(readers, rank, n_terms, row_of_doc, rows_sorted, doc_len, spill_dir)
    finally:
        for reader in readers:
            reader.close()


def _merge(
    readers: list[_RunReader],
    rank: np.ndarray | None,
    n_terms: int,
    row_of_doc: np.ndarray,
    rows_sorted: bool,
    doc_len: np.ndarray,
    spill_dir: Path | None,
) -> MergedPostings:
    df = np.zeros(n_terms, dtype=np.int64)
    for reader in readers:
        for final_ids, counts in _directory(reader.run, rank):
            df[final_ids] += counts
    n_postings = int(df.sum())
    max_tf = max((reader.run.max_tf for reader in readers), default=0)
    n_tfs = sum(reader.run.n_multi for reader in readers)
    out = _Output(spill_dir, n_postings, n_tfs, np.dtype(_tf_dtype(max_tf)))
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    del df  # not held through the blocks (8 bytes a term)
    split = np.zeros(n_terms, dtype=np.int64)
    max_tfs = np.zeros(n_terms, dtype=np.uint32)
    min_dl = np.zeros(n_terms, dtype=np.int32)
    min_dl_unit = np.zeros(n_terms, dtype=np.int32)
    doc_len = np.asarray(doc_len, dtype=np.int32)
    block_mins = BlockMinLengths(doc_len)
    try:
        for start, end in _blocks(indptr):
            block = _merge_block(readers, start, end, indptr, row_of_doc, rows_sorted, out)
            tiered, block_split = tier_postings(block)
            bounds = term_bounds(tiered, block_split, doc_len)
            split[start:end] = block_split + indptr[start]
            max_tfs[start:end], min_dl[start:end], min_dl_unit[start:end] = bounds
            out.append("doc_rows", tiered.doc_rows)
            block_mins.add(tiered.doc_rows)
            out.append("tf", compact_tf(tiered.tf))
        rows, tfs = out.finish()
    except BaseException:
        out.abort()
        raise
    return MergedPostings(
        postings=Postings(indptr, rows, tfs),
        tf_starts=compact_tf_starts(indptr, split),
        tier_split=split,
        term_max_tf=max_tfs,
        term_min_dl=min_dl,
        term_min_dl_unit=min_dl_unit,
        files=out.files,
        block_min_len=block_mins.finish(),
    )


def _blocks(indptr: np.ndarray) -> Iterator[tuple[int, int]]:
    """Ranges of term ids holding about ``MERGE_POSTINGS`` postings each (at least one term)."""
    n_terms = indptr.shape[0] - 1
    start = 0
    while start < n_terms:
        limit = int(indptr[start]) + MERGE_POSTINGS
        end = int(np.searchsorted(indptr, limit, side="right")) - 1
        end = min(max(end, start + 1), n_terms)
        yield start, end
        start = end


def _merge_block(
    readers: list[_RunReader],
    start: int,
    end: int,
    indptr: np.ndarray,
    row_of_doc: np.ndarray,
    rows_sorted: bool,
    out: _Output,
) -> Postings:
    """Terms ``start:end`` of every run as one CSR block, rows sorted within each term."""
    base = int(indptr[start])
    block_indptr = indptr[start : end + 1] - base
    n = int(block_indptr[-1])
    rows = np.empty(n, dtype=np.int32)
    tfs = np.empty(n, dtype=out.tf_dtype)
    fill = block_indptr[:-1].copy()  # next free slot of each term
    for reader in readers:
        final_ids, counts, docs, run_tfs = reader.take(end)
        if not docs.size:
            continue
        local = final_ids - start
        firsts = np.zeros(counts.size, dtype=np.int64)
        np.cumsum(counts[:-1], out=firsts[1:])
        dest = np.repeat(fill[local] - firsts, counts)
        dest += np.arange(docs.size, dtype=np.int64)
        fill[local] += counts
        rows[dest] = np.take(row_of_doc, docs)
        tfs[dest] = run_tfs
    if not rows_sorted and n:
        term_of = np.repeat(np.arange(end - start, dtype=np.int64), np.diff(block_indptr))
        keys = (term_of << 32) | rows
        order = np.argsort(keys, kind="stable")
        rows, tfs = rows[order], tfs[order]
    return Postings(block_indptr, rows, tfs)


class BatchSpool:
    """Encoded batches written to disk as they come and read back in order.

    A full reindex builds the article index from the same encoded pass as the passage index,
    after it; keeping those batches in a list held every term occurrence of the archive in
    memory until then (8 bytes a token: gigabytes at ten million passages). A spool keeps
    one batch at a time. Each batch is one uncompressed ``.npz``; new terms go as one UTF-8
    blob with offsets, so nothing is pickled.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._count = 0

    def append(self, batch: EncodedBatch) -> None:
        """Write one batch (the ``list.append`` the reindex's batch loop calls)."""
        encoded = [t.encode("utf-8", errors="surrogatepass") for t in batch.terms.new_terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum([len(t) for t in encoded], out=offsets[1:])
        path = self._directory / f"batch-{self._count:06d}.npz"
        with open(path, "wb") as fh:
            np.savez(
                fh,
                passage_ids=batch.passage_ids,
                article_ids=batch.article_ids,
                published_days=batch.published_days,
                term_ids=batch.terms.term_ids,
                passages=batch.terms.passages,
                blob=np.frombuffer(b"".join(encoded), dtype=np.uint8),
                offsets=offsets,
            )
        self._count += 1

    def __iter__(self) -> Iterator[EncodedBatch]:
        """The batches in the order they were appended; each file is removed once read."""
        for i in range(self._count):
            path = self._directory / f"batch-{i:06d}.npz"
            with np.load(path, allow_pickle=False) as data:
                blob = data["blob"].tobytes()
                offs = data["offsets"].tolist()
                terms = tuple(
                    blob[offs[j] : offs[j + 1]].decode("utf-8", errors="surrogatepass")
                    for j in range(len(offs) - 1)
                )
                batch = EncodedBatch(
                    passage_ids=data["passage_ids"],
                    article_ids=data["article_ids"],
                    published_days=data["published_days"],
                    terms=EncodedTerms(data["term_ids"], data["passages"], terms),
                )
            path.unlink()
            yield batch


@contextlib.contextmanager
def spool_directory(index_dir: Path) -> Iterator[Path]:
    """Like ``spill_directory``, for a ``BatchSpool`` (another name: a build spills too)."""
    with _scratch_directory(index_dir / f"{SPOOL_PREFIX}{os.getpid()}") as path:
        yield path


@contextlib.contextmanager
def spill_directory(index_dir: Path) -> Iterator[Path]:
    """A fresh spill directory inside ``index_dir`` for one build, removed afterwards.

    Inside the index directory so the finished postings move into the segment by a rename;
    named with the pid so a build that died is cleaned up later
    (``segments.remove_stale_generations``).
    """
    with _scratch_directory(index_dir / f"{SPILL_PREFIX}{os.getpid()}") as path:
        yield path


@contextlib.contextmanager
def _scratch_directory(path: Path) -> Iterator[Path]:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
