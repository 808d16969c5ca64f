"""On-disk segments, memory-mapped loading, delta state and the atomic generation swap.

Layout under ``index_dir``::

    CURRENT                    {"format", "generation", "manifest"}: the one pointer readers follow
    LOCK                       flock taken by writers (add, remove, swap), never by readers
    gen-000003/                one generation: a base segment plus the deltas added since
        base/                  vocab.bin + *.npy + segment.json
        delta-000001/          same layout, plus base_term_ids.npy (its terms' ids in base)
        dead-base-000002.npz   tombstoned rows of a segment and the df they take away
        manifest-000002.json   which segments and dead files make up state number 2

A build writes a whole generation into a temporary directory, fsyncs it, renames it into
place and only then replaces ``CURRENT`` with ``os.replace``: a crash at any point leaves the
previous generation serving. ``add``/``remove`` write new files and a new manifest, then
replace ``CURRENT`` the same way. Every file and segment directory is written under a
temporary name and renamed into place, and a write that fails (a full disk) removes what it
wrote: a failed write never leaves a partial file where the next write expects none, and a
name left by a writer killed before its manifest named it is simply replaced. Every JSON
file carries a checksum of its content, every array its dtype and shape, and the arrays small
enough to read at load time a CRC32, so a truncated or damaged file is reported as
``IndexUnavailableError`` rather than served.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import mmap
import os
import re
import shutil
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.errors import IndexUnavailableError
from index.search import packed
from index.search.columns import (
    EscapedCounts,
    IdRange,
    PrefixSums,
    RunStarts,
    TermStarts,
    TierSplit,
)
from index.search.packed import PackedRows
from index.search.postings import (
    BLOCK_POSTINGS,
    Postings,
    Vocabulary,
    compact_tf,
    compact_tf_starts,
)

logger = logging.getLogger(__name__)

# Format 5 stores the doc rows packed (``packed``: blocks of 128 bit-packed gaps with skip
# entries, read in place by the kernels) as ``row_data`` and ``row_skips`` instead of
# ``doc_rows`` (int32); each term's first block is computed at load (``packed.term_blocks``).
# Format 2 keeps only the tfs of the tf ≥ 2 runs (``postings.compact_tf``); format 1 kept a
# tf for every posting. All three are read (a
# format-1 segment's tfs are used in place); writes are format 5 (2 when ``FORMAT_VERSION``
# is set to 2, as tests do to make earlier segments). Formats 3 and 4 were experiments never
# on main.
# Format 6 is format 5 with the per-passage columns narrow and two per-term arrays stored as
# what they are made of (``_compact_columns``): passage ids that run without a gap as their
# first id, article ids as uint32 and days as int16 when they fit, the tier split as each
# term's count of tf ≥ 2 postings and the vocabulary offsets as term lengths (both narrow,
# summed at load): 14 MB less on disk at a million passages. Read back, those columns stay
# what they are made of (``columns``): the ids a range, the split, each term's first block
# and tf start, and the vocabulary offsets computed per term from the stored counts and a
# checkpoint every 64 terms, not held as arrays (query RSS, docs/performance.md, "Issue 16:
# query RSS at 1M, second round").
# Format 7 is format 6 with the runs of one block (at most 128 postings) stored inline: their
# first row at the head of their data instead of a skip entry (``packed``), found through the
# data offset of every 64th term's first run (``run_offsets``) and a walk over the runs
# between (``columns.RunStarts``): at a million passages 477k of 698k skip entries gone
# (docs/performance.md, "Issue 16: query RSS at 1M, format 7"). Its tier split's counts are
# one byte a term, 255 escaping to the sorted (term, count) pairs of ``tier_multi_wide``
# (``columns.EscapedCounts``; "Issue 16: query RSS at 1M, one-byte tf ≥ 2 counts").
FORMAT_VERSION = 7
READABLE_FORMATS = (1, 2, 5, 6, 7)
PACKED_FORMATS = (5, 6, 7)
COMPACT_FORMAT = 6
INLINE_FORMAT = 7
CURRENT_NAME = "CURRENT"
LOCK_NAME = "LOCK"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")
_TMP_RE = re.compile(r"^\.tmp-gen-(\d{6,})-(\d+)$")
# A segment directory or file being written inside a generation: ``.tmp-<name>-<pid>``.
_TMP_PART_RE = re.compile(r"^\.tmp-(.+)-(\d+)$")
# A streamed build's spilled runs or a reindex's batch spool (``runs.SPILL_PREFIX``,
# ``runs.SPOOL_PREFIX``) and the builder's pid.
_SPILL_RE = re.compile(r"^\.tmp-(?:runs|spool)-(\d+)$")
REINDEX_HINT = "run `newsdesk reindex` to rebuild it"
# Arrays above this size are checked by dtype/shape only: a CRC would read them in full at
# load time, which would break the one-second load bar at a million passages.
_CRC_MAX_BYTES = 64 << 20
_CRC_CHUNK_BYTES = 1 << 20
# Postings arrays at least this large are read into the page cache by a background thread
# at load (``_read_ahead``); smaller ones are read within the first few questions anyway.
_PREFAULT_MIN_BYTES = 16 << 20
_TERM_ARRAYS = ("tier_split", "term_max_tf", "term_min_dl", "term_min_dl_unit")
_ARRAYS = ("indptr", "doc_rows", "tf", "doc_len", "passage_ids", "article_ids", "published_days")
_PACKED_ARRAYS = ("row_data", "row_skips")


def unavailable(reason: str) -> IndexUnavailableError:
    """An IndexUnavailableError whose message tells the user how to recover."""
    return IndexUnavailableError(f"search index unusable: {reason}; {REINDEX_HINT}")


@dataclass(frozen=True, slots=True)
class SegmentData:
    """One segment's arrays (memory-mapped when loaded). Rows are sorted by passage id."""

    vocab: Vocabulary
    postings: Postings
    doc_len: np.ndarray  # uint8/16/32 as read (``narrow_lengths``), int32 as built
    passage_ids: np.ndarray  # int64, strictly increasing
    article_ids: np.ndarray  # int64
    published_days: np.ndarray  # int32, days since epoch or -1
    # Per term (as built; read back narrower where the values fit, see ``_write_segment_files``):
    tier_split: np.ndarray  # int64: where its tf = 1 run starts (tf ≥ 2 run before)
    term_max_tf: np.ndarray  # uint32: largest tf of its tf ≥ 2 run
    term_min_dl: np.ndarray  # int32: shortest document of its tf ≥ 2 run
    term_min_dl_unit: np.ndarray  # int32: shortest document of its tf = 1 run
    base_term_ids: np.ndarray | None = None  # deltas: id of each term in the base vocab or -1
    # Arrays already written as finished .npy files (a streamed build's postings, see
    # ``runs``): the segment takes them over by a rename instead of writing them again.
    files: dict[str, Path] | None = None
    # Per term, where its tf ≥ 2 run's tfs start in ``postings.tf`` when that array is compact
    # (``postings.compact_tf``: every segment read from disk); None while it holds a tf per
    # posting (a segment built in memory, written compact).
    tf_starts: np.ndarray | None = None
    # Per block of ``block_postings`` postings, its shortest document (``postings.
    # block_min_lengths``): bounds for skipping blocks. None in segments written before them,
    # which answer the same without (a reindex adds them).
    block_min_len: np.ndarray | None = None
    block_postings: int = BLOCK_POSTINGS

    @property
    def n_docs(self) -> int:
        """Documents in the segment, dead or alive."""
        return int(self.passage_ids.shape[0])


@dataclass(frozen=True, slots=True)
class DeadRows:
    """Tombstones of one segment: dead rows, and how much df they take from each term."""

    rows: np.ndarray  # int64, sorted
    term_ids: np.ndarray  # int64, local term ids whose df drops
    counts: np.ndarray  # int64, by how much


@dataclass(frozen=True, slots=True)
class SegmentRef:
    """A manifest entry: a segment directory and its current tombstone file, if any."""

    name: str
    dead: str | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """State number ``seq`` of a generation."""

    generation: str
    seq: int
    segments: tuple[SegmentRef, ...]
    params: dict[str, float]

    @property
    def state_id(self) -> str:
        """What ``SearchIndex.generation()`` returns: changes with every swap, add or remove."""
        return f"{self.generation}.{self.seq}"


# -- small JSON files with a checksum ------------------------------------------------------


def _digest(payload: dict) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=True).encode("ascii")
    return hashlib.sha256(body).hexdigest()


def _write_json(path: Path, payload: dict) -> None:
    data = dict(payload, checksum=_digest(payload))
    _write_bytes(path, json.dumps(data, sort_keys=True, indent=1).encode("ascii"))


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise unavailable(f"{path.name} is missing") from None
    except (OSError, ValueError) as exc:
        raise unavailable(f"{path.name} is unreadable ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise unavailable(f"{path.name} is malformed")
    checksum = data.pop("checksum", None)
    if checksum != _digest(data):
        raise unavailable(f"{path.name} fails its checksum")
    if data.get("format") not in READABLE_FORMATS:
        raise unavailable(
            f"{path.name} has format {data.get('format')!r}, which this version cannot read"
        )
    return data


def _write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary name, fsync, then ``os.replace``."""
    with _replacing(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary name next to ``path``, renamed to ``path`` on success, removed on failure."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def fsync_dir(path: Path) -> None:
    """Make renames inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- arrays ------------------------------------------------------------------------------


class _WriteOnly:
    """A file seen by ``np.save`` as a plain writer, so it writes through Python's ``write``.

    Given a real file, ``np.save`` uses ``ndarray.tofile``, whose short write on a full disk
    raises an OSError without an errno ("N requested and M written"), so a full disk could
    not be told from a bug. Through ``write`` (in 16 MiB chunks) it is ``ENOSPC``.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self.write = fh.write


def _save_array(directory: Path, name: str, array: np.ndarray) -> dict:
    path = directory / f"{name}.npy"
    array = np.ascontiguousarray(array)
    with open(path, "wb") as fh:
        np.save(_WriteOnly(fh), array, allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())
    meta: dict = {"dtype": array.dtype.str, "shape": list(array.shape), "crc32": None}
    if array.nbytes <= _CRC_MAX_BYTES:
        meta["crc32"] = zlib.crc32(array.data)
    return meta


def _npy_header(dtype: np.dtype, n: int, length: int = 0) -> bytes:
    """A version-1.0 ``.npy`` header of a 1-d array of ``n`` items, padded with spaces to
    ``length`` bytes (a multiple of 64 when 0), as numpy reads it."""
    text = f"{{'descr': '{dtype.str}', 'fortran_order': False, 'shape': ({n},), }}"
    size = 10 + len(text) + 1  # magic, version, length, the dict, a newline
    length = length or -(-size // 64) * 64
    padded = text + " " * (length - size) + "\n"
    return b"\x93NUMPY\x01\x00" + (length - 10).to_bytes(2, "little") + padded.encode("ascii")


def _save_pieces(
    directory: Path, name: str, pieces: Iterable[np.ndarray], dtype: np.dtype, most: int
) -> dict:
    """``_save_array`` of the concatenation of 1-d ``pieces`` of ``dtype``, at most ``most``
    items, written as they come (never joined in memory): the header is written for
    ``most`` items, then rewritten with the count, padded to the same length."""
    path = directory / f"{name}.npy"
    total, crc = 0, 0
    with open(path, "wb") as fh:
        placeholder = _npy_header(dtype, most)
        fh.write(placeholder)
        for piece in pieces:
            view = memoryview(np.ascontiguousarray(piece, dtype=dtype)).cast("B")
            for start in range(0, len(view), 16 << 20):
                fh.write(view[start : start + (16 << 20)])
            crc = zlib.crc32(view, crc)
            total += int(piece.shape[0])
        if total > most:
            raise ValueError(f"{name} holds more than its bound")
        fh.seek(0)
        fh.write(_npy_header(dtype, total, len(placeholder)))
        fh.flush()
        os.fsync(fh.fileno())
    checked = total * dtype.itemsize <= _CRC_MAX_BYTES
    return {"dtype": dtype.str, "shape": [total], "crc32": crc if checked else None}


def _adopt_array(directory: Path, name: str, array: np.ndarray, source: Path) -> dict:
    """Move a finished (fsynced) ``.npy`` file into the segment; its metadata like
    ``_save_array``'s (the CRC only when small: reading it back is then cheap)."""
    path = directory / f"{name}.npy"
    try:
        os.replace(source, path)
    except OSError:  # another file system: copy it
        shutil.copyfile(source, path)
    meta: dict = {"dtype": array.dtype.str, "shape": list(array.shape), "crc32": None}
    if array.nbytes <= _CRC_MAX_BYTES:
        meta["crc32"] = zlib.crc32(np.ascontiguousarray(array).data)
    return meta


def _load_array(directory: Path, name: str, meta: dict) -> np.ndarray:
    path = directory / f"{name}.npy"
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise unavailable(f"{directory.name}/{path.name} is missing") from None
    except (OSError, ValueError) as exc:
        raise unavailable(f"{directory.name}/{path.name} is damaged ({exc})") from None
    if array.dtype.str != meta["dtype"] or list(array.shape) != meta["shape"]:
        raise unavailable(f"{directory.name}/{path.name} has the wrong shape or type")
    plain = np.asarray(array)  # drop the memmap subclass: its __getitem__ is slow
    if meta.get("crc32") is not None and _file_crc32(path, array.offset) != meta["crc32"]:
        raise unavailable(f"{directory.name}/{path.name} fails its checksum")
    return plain


def _file_crc32(path: Path, offset: int = 0) -> int:
    """CRC32 of ``path`` from ``offset`` on, read through a small buffer.

    Checked through its memory map, an array would stay mapped in whole: every page of
    ``passage_ids``, ``article_ids`` or ``doc_len`` resident in the querying process (15 MB
    at a million passages) though a question reads a few of them. Read here, the pages stay
    in the page cache, and a question maps the ones it reads.
    """
    crc = 0
    buffer = bytearray(_CRC_CHUNK_BYTES)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(offset)
        while True:
            n = fh.readinto(buffer)
            if not n:
                return crc
            crc = zlib.crc32(view[:n], crc)


def _read_ahead(paths: list[Path]) -> None:
    """Have the kernel read files into the page cache (``POSIX_FADV_WILLNEED``), unmapped.

    On a cold cache the questions then find their postings in memory. The pages are mapped
    into this process only as questions read them: this used to read one value per page of
    the mapped arrays, which made the whole of ``doc_rows`` resident at once (1.4 GB at ten
    million passages, of which the bench's 500 questions read 55%), for no measured gain in
    latency: the kernel maps a large folio (up to 2 MB here) per fault, so a question takes
    few faults (docs/performance.md, "Query-process memory").
    """
    advise = getattr(os, "posix_fadvise", None)  # not on macOS or Windows: nothing to do
    if advise is None:
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def write_segment(directory: Path, data: SegmentData, kind: str) -> None:
    """Write one segment as ``directory`` (fsynced), all of it or nothing.

    It is written under a temporary name and renamed into place. A failure (a full disk)
    removes the partial copy; a ``directory`` already there was left by a writer that died
    before its manifest named it (callers hold the writer lock and pick names past the
    current manifest), so it is replaced.
    """
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_dead_writers_files(parent)
    tmp = parent / f".tmp-{directory.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_segment_files(tmp, data, kind)
        fsync_dir(tmp)
        if directory.exists():
            logger.info("replacing %s, left by an index write that did not finish", directory)
            shutil.rmtree(directory)
        os.replace(tmp, directory)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_dead_writers_files(directory: Path) -> None:
    """Delete ``.tmp-…-<pid>`` entries in ``directory`` whose writing process has died."""
    for entry in os.listdir(directory):
        match = _TMP_PART_RE.match(entry)
        if match and not _TMP_RE.match(entry) and not _pid_alive(int(match.group(2))):
            path = directory / entry
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()


def narrow_lengths(doc_len: np.ndarray) -> np.ndarray:
    """Document lengths in the smallest unsigned type that holds the longest.

    Queries read lengths at random rows (``maxscore.RowStats``), which used to copy an int32
    array into one or two bytes a row at every load; stored that narrow, the mapped file is
    used as it is (at ten million passages: 38 MB less on disk, 48 MB less resident).
    Earlier segments' int32 lengths are still read (and copied narrow, as before). The
    per-term bounds (largest tf, shortest document) are stored the same way.
    """
    longest = int(doc_len.max()) if doc_len.size else 0
    dtype = np.uint8 if longest < 1 << 8 else np.uint16 if longest < 1 << 16 else np.uint32
    return doc_len.astype(dtype, copy=False)


def _narrow_positions(positions: np.ndarray) -> np.ndarray:
    """Non-negative offsets (int64 as built) as int32 when the largest fits."""
    if positions.size and int(positions.max()) >= 1 << 31:
        return positions
    return positions.astype(np.int32, copy=False)


def _save_packed_rows(directory: Path, data: SegmentData, first_bytes: int) -> dict[str, dict]:
    """Write the segment's rows packed (``packed``): ``row_data`` (written as it is
    packed when the rows are a streamed build's file) and ``row_skips``; format 7
    (``first_bytes``) also ``run_offsets``."""
    indptr, split = data.postings.indptr, data.tier_split
    rows = data.postings.doc_rows
    files = data.files or {}
    skips: list[np.ndarray] = []
    offsets: list[np.ndarray | None] = [None]
    if isinstance(rows, PackedRows) and rows.first_bytes == first_bytes:
        pieces: Iterable[np.ndarray] = [rows.data]
        skips.append(rows.skips)
        offsets[0] = rows.starts.offsets if rows.starts is not None else None
    elif "doc_rows" in files:  # a streamed build's finished file: packed piece by piece

        def streamed() -> Iterator[np.ndarray]:
            for part in packed.pack_file(files["doc_rows"], indptr, split, first_bytes):
                skips.append(part.skips)
                offsets[0] = part.offsets
                yield part.data
            yield np.zeros(packed.PAD, dtype=np.uint8)

        pieces = streamed()
    else:
        n_offsets = int(split.shape[0]) // 64 + 1
        offsets[0] = np.zeros(n_offsets, dtype=np.int64) if first_bytes else None
        bounds = packed.run_bounds(indptr, split)
        done = packed.pack(np.asarray(rows), bounds, 0, first_bytes, 0, offsets[0])
        pieces = [done.data]
        skips.append(done.skips)
    # an upper bound of the data's size: 4 bytes a posting, a header a block, the first rows
    # of format 7's inline runs, the pad
    n_blocks = int(packed.term_blocks(indptr, split)[-1])
    most = 4 * int(rows.shape[0]) + n_blocks + 2 * first_bytes * int(split.shape[0]) + packed.PAD
    metas = {"row_data": _save_pieces(directory, "row_data", pieces, np.dtype(np.uint8), most)}
    joined = np.concatenate(skips) if skips else np.zeros((0, 2), np.uint32)
    metas["row_skips"] = _save_array(directory, "row_skips", joined)
    if first_bytes:
        if offsets[0] is None:  # no runs at all
            offsets[0] = np.zeros(int(split.shape[0]) // 64 + 1, dtype=np.int64)
        metas["run_offsets"] = _save_array(directory, "run_offsets", offsets[0])
    return metas


def _write_segment_files(directory: Path, data: SegmentData, kind: str) -> None:
    write_format = FORMAT_VERSION
    arrays = {
        "indptr": data.postings.indptr,
        "doc_rows": data.postings.doc_rows,
        "tf": data.postings.tf if data.tf_starts is not None else compact_tf(data.postings.tf),
        "doc_len": narrow_lengths(data.doc_len),
        "passage_ids": np.asarray(data.passage_ids),
        "article_ids": data.article_ids,
        "published_days": data.published_days,
        "vocab_offsets": _narrow_positions(np.asarray(data.vocab.offsets)),
        "tier_split": np.asarray(data.tier_split),
        "term_max_tf": narrow_lengths(data.term_max_tf),
        "term_min_dl": narrow_lengths(data.term_min_dl),
        "term_min_dl_unit": narrow_lengths(data.term_min_dl_unit),
    }
    # positions into the postings: int32 when they all fit, with ``indptr`` (``tier_split``
    # lies between its ends), else both int64
    if data.postings.indptr.size and int(data.postings.indptr[-1]) < 1 << 31:
        arrays["indptr"] = data.postings.indptr.astype(np.int32, copy=False)
        arrays["tier_split"] = np.asarray(data.tier_split).astype(np.int32, copy=False)
    if data.base_term_ids is not None:
        arrays["base_term_ids"] = data.base_term_ids
    if data.block_min_len is not None:
        arrays["block_min_len"] = data.block_min_len
    files = data.files or {}
    metas = {}
    extra: dict[str, int] = {}
    if write_format >= COMPACT_FORMAT:
        extra = _compact_columns(arrays, data, write_format)
    if write_format in PACKED_FORMATS:
        del arrays["doc_rows"]
        first_bytes = packed.first_bytes_for(data.n_docs) if write_format >= INLINE_FORMAT else 0
        metas = _save_packed_rows(directory, data, first_bytes)
        if first_bytes:
            extra["first_row_bytes"] = first_bytes
    elif isinstance(data.postings.doc_rows, PackedRows):
        arrays["doc_rows"] = np.asarray(data.postings.doc_rows)
    metas |= {
        name: _adopt_array(directory, name, arr, files[name])
        if name in files
        else _save_array(directory, name, arr)
        for name, arr in arrays.items()
    }
    _write_bytes(directory / "vocab.bin", data.vocab.blob)
    _write_json(
        directory / "segment.json",
        {
            "format": write_format,
            "kind": kind,
            "n_docs": data.n_docs,
            "n_terms": data.vocab.size,
            "n_postings": int(data.postings.doc_rows.shape[0]),
            "arrays": metas,
            "vocab_bytes": len(data.vocab.blob),
            "vocab_crc32": zlib.crc32(data.vocab.blob),
            "block_postings": data.block_postings,
            **extra,
        },
    )


def read_segment(directory: Path, *, prefault: bool = True) -> SegmentData:
    """Load a segment with memory-mapped arrays, checking it against its ``segment.json``.

    ``prefault``: read the large postings files into the page cache from a background thread
    (``_read_ahead``); their pages are mapped as questions read them.
    """
    meta = _read_json(directory / "segment.json")
    arrays = {name: _load_array(directory, name, m) for name, m in meta["arrays"].items()}
    is_packed = meta["format"] in PACKED_FORMATS
    if meta["format"] >= COMPACT_FORMAT:
        _expand_columns(directory, meta, arrays)
    expected = {*_ARRAYS, "vocab_offsets", *_TERM_ARRAYS}
    if is_packed:
        expected = (expected - {"doc_rows"}) | set(_PACKED_ARRAYS)
    if meta["format"] >= INLINE_FORMAT:
        expected.add("run_offsets")
    missing = expected - arrays.keys()
    if missing:
        raise unavailable(f"{directory.name} lacks {', '.join(sorted(missing))}")
    blob = _map_vocab(directory, meta)
    n_docs, n_terms, n_postings = meta["n_docs"], meta["n_terms"], meta["n_postings"]
    indptr, offsets = arrays["indptr"], arrays["vocab_offsets"]
    consistent = (
        indptr.shape == (n_terms + 1,)
        and offsets.shape == (n_terms + 1,)
        and int(indptr[0]) == 0
        and int(indptr[-1]) == n_postings
        and int(offsets[-1]) == len(blob)
        and (is_packed or arrays["doc_rows"].shape == (n_postings,))
        and all(arrays[name].shape == (n_docs,) for name in _ARRAYS[3:])
        and all(arrays[name].shape == (n_terms,) for name in _TERM_ARRAYS)
    )
    tier = arrays["tier_split"]
    starts: TermStarts | RunStarts | None = None
    tf_starts: np.ndarray | None
    first_bytes = 0
    if meta["format"] >= INLINE_FORMAT:
        # format 7: one-block runs found by their data offsets (``columns.RunStarts``)
        first_bytes = meta.get("first_row_bytes")
        if first_bytes not in (3, 4) or not isinstance(tier, TierSplit):
            raise unavailable(f"{directory.name} has inconsistent packed rows")
        rows_pair = (arrays["row_data"], arrays["row_skips"], first_bytes)
        if consistent and not _packed_shapes_ok(arrays):
            raise unavailable(f"{directory.name} has inconsistent packed rows")
        starts = (
            RunStarts.build(indptr, tier.multi, arrays["run_offsets"], rows_pair)
            if consistent
            else None
        )
        consistent = starts is not None
        tf_starts = starts.tfs if starts is not None else None
        n_tf = starts.total_tf if starts is not None else 0
    elif isinstance(tier, TierSplit):
        # format 6: the split checked and each term's starts made from the stored counts in
        # one pass, kept as checkpoints (``columns``): no per-term array, no temporaries
        starts = TermStarts.build(indptr, tier.multi) if consistent else None
        consistent = starts is not None
        tf_starts = starts.tfs if starts is not None else None
        n_tf = starts.total_tf if starts is not None else 0
    else:
        split = tier
        if consistent and n_terms:
            consistent = bool(np.all(split >= indptr[:-1]) and np.all(split <= indptr[1:]))
        if meta["format"] == 1:  # a tf per posting, used in place
            tf_starts = indptr[:-1]
            n_tf = n_postings
        else:
            tf_starts = _narrow_starts(compact_tf_starts(indptr, split)) if consistent else None
            n_tf = (
                int(tf_starts[-1]) + int(split[-1]) - int(indptr[-2])
                if n_terms and consistent
                else 0
            )
    if not consistent or arrays["tf"].shape != (n_tf,):
        raise unavailable(f"{directory.name} has inconsistent array sizes")
    doc_rows: np.ndarray | PackedRows
    if isinstance(starts, RunStarts):  # shapes checked above
        data, skips = arrays["row_data"], arrays["row_skips"]
        if skips.shape[0] != starts.total_blocks:
            raise unavailable(f"{directory.name} has inconsistent packed rows")
        doc_rows = PackedRows(data, skips, None, indptr, tier, first_bytes, starts)
    elif is_packed:
        blocks = starts.blocks if starts is not None else packed.term_blocks(indptr, tier)
        doc_rows = _packed_of(directory, arrays, indptr, tier, int(blocks[-1]), blocks)
    else:
        doc_rows = arrays["doc_rows"]
    block_min_len, block_postings = _block_bounds(directory, meta, arrays)
    big = [
        directory / f"{name}.npy"
        for name in ("doc_rows", "row_data", "tf")
        if name in arrays and arrays[name].nbytes >= _PREFAULT_MIN_BYTES
    ]
    if big and prefault:
        threading.Thread(target=_read_ahead, args=(big,), name="prefault", daemon=True).start()
    return SegmentData(
        vocab=Vocabulary(blob, offsets),
        postings=Postings(indptr, doc_rows, arrays["tf"]),
        doc_len=arrays["doc_len"],
        passage_ids=arrays["passage_ids"],
        article_ids=arrays["article_ids"],
        published_days=arrays["published_days"],
        tier_split=arrays["tier_split"],
        term_max_tf=arrays["term_max_tf"],
        term_min_dl=arrays["term_min_dl"],
        term_min_dl_unit=arrays["term_min_dl_unit"],
        base_term_ids=arrays.get("base_term_ids"),
        tf_starts=tf_starts,
        block_min_len=block_min_len,
        block_postings=block_postings,
    )


def _id_dtype(values: np.ndarray) -> type[np.integer]:
    """uint32 for ids in [0, 2^32) (the archive's passage and article ids), else int64."""
    if values.size and (int(values.min()) < 0 or int(values.max()) >= 1 << 32):
        return np.int64
    return np.uint32


def _compact_columns(
    arrays: dict[str, np.ndarray], data: SegmentData, write_format: int
) -> dict[str, int]:
    """Format 6's arrays in place of format 5's (``arrays`` is changed); the segment.json
    entries that go with them.

    At a million passages: ``passage_ids`` 8 MB → 0 (ids without gaps, as a build makes
    them) or 4, ``article_ids`` 8 → 4, ``published_days`` 4 → 2, ``tier_split`` 2 → 1,
    ``vocab_offsets`` 2 → 0.5; format 7 stores the tier split's counts in a byte a term with
    an escape (``columns.EscapedCounts``: ``tier_multi`` and ``tier_multi_wide``), 1 → 0.5
    plus 16 bytes an escaped term. Read back, ids are uint32 arrays (callers index with them
    and compare them with int64 ids, which numpy does exactly).
    """
    extra: dict[str, int] = {}
    ids = np.asarray(data.passage_ids)
    n = int(ids.size)
    if n == 0 or int(ids[-1]) - int(ids[0]) == n - 1:  # strictly increasing: no gap
        del arrays["passage_ids"]
        extra["passage_ids_first"] = int(ids[0]) if n else 0
    else:
        arrays["passage_ids"] = ids.astype(_id_dtype(ids), copy=False)
    articles = np.asarray(data.article_ids)
    arrays["article_ids"] = articles.astype(_id_dtype(articles), copy=False)
    days = np.asarray(data.published_days)
    fits = not days.size or (int(days.min()) >= -(1 << 15) and int(days.max()) < 1 << 15)
    arrays["published_days"] = days.astype(np.int16 if fits else np.int32, copy=False)
    indptr = np.asarray(data.postings.indptr)
    del arrays["tier_split"], arrays["vocab_offsets"]
    counts = np.asarray(data.tier_split) - indptr[:-1]
    if write_format >= INLINE_FORMAT:
        escaped = EscapedCounts.of(counts)
        arrays["tier_multi"], arrays["tier_multi_wide"] = escaped.narrow, escaped.wide
    else:
        arrays["tier_multi"] = narrow_lengths(counts)
    arrays["vocab_lengths"] = narrow_lengths(np.diff(np.asarray(data.vocab.offsets)))
    return extra


def _expand_columns(directory: Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Format 6's stored arrays → the arrays format 5 stores (``arrays`` is changed).

    The sums are checked by ``read_segment`` as format 5's arrays are (offsets against the
    vocabulary's size, the split within each term's postings).
    """
    n_docs, n_terms = meta.get("n_docs"), meta.get("n_terms")
    first = meta.get("passage_ids_first")
    if first is not None:
        if not isinstance(first, int) or not isinstance(n_docs, int) or first < 0 or n_docs < 0:
            raise unavailable(f"{directory.name} has inconsistent array sizes")
        # computed from the row when read (``columns.IdRange``), not held: 4 bytes a passage
        last = np.array([first + n_docs - 1 if n_docs else first], dtype=np.int64)
        arrays["passage_ids"] = IdRange(first, n_docs, _id_dtype(last))
    indptr = arrays.get("indptr")
    multi, lengths = arrays.pop("tier_multi", None), arrays.pop("vocab_lengths", None)
    if indptr is None or multi is None or lengths is None:
        return  # reported as missing arrays
    if (
        not isinstance(n_terms, int)
        or indptr.shape != (n_terms + 1,)
        or multi.shape != (n_terms,)
        or lengths.shape != (n_terms,)
        or multi.dtype.kind != "u"
        or lengths.dtype.kind != "u"
        or max(multi.dtype.itemsize, lengths.dtype.itemsize) > 4  # as ``narrow_lengths``
    ):
        raise unavailable(f"{directory.name} has inconsistent array sizes")
    counts: np.ndarray | EscapedCounts = multi
    if meta.get("format", 0) >= INLINE_FORMAT:
        # format 7: one byte a term, the counts of 255 or more apart
        wide = arrays.pop("tier_multi_wide", None)
        if wide is None:
            raise unavailable(f"{directory.name} lacks tier_multi_wide")
        escaped = EscapedCounts(multi, wide)
        if not escaped.consistent(n_terms):
            raise unavailable(f"{directory.name} has inconsistent array sizes")
        # without escaped terms the kernels read the bytes as plain counts
        counts = escaped if wide.shape[0] else multi
    # computed when read (``columns``), not held: 4 bytes a term each
    arrays["tier_split"] = TierSplit(indptr, counts)
    arrays["vocab_offsets"] = PrefixSums(lengths)


def _packed_shapes_ok(arrays: dict) -> bool:
    """Whether the packed rows' arrays have the types and shapes the kernels take."""
    data, skips = arrays["row_data"], arrays["row_skips"]
    return (
        data.dtype == np.uint8
        and data.ndim == 1
        and data.shape[0] >= packed.PAD
        and skips.dtype == np.uint32
        and skips.ndim == 2
        and skips.shape[1] == 2
    )


def _packed_of(
    directory: Path,
    arrays: dict,
    indptr: np.ndarray,
    split: object,
    n_blocks: int,
    blocks: np.ndarray,
) -> PackedRows:
    """A format-5 segment's packed rows, their sizes checked against the postings.

    Only sizes are checked here (and the CRCs of arrays up to ``_CRC_MAX_BYTES``): the
    kernels check every skip entry, offset and width they read, so damage past these checks
    makes a query raise (``IndexError``, reported as damaged postings), never crash. Each
    term's first block (``blocks``: ``packed.term_blocks``, or computed per term from
    checkpoints in format 6) is not stored: 2 MB less on disk at 1M.
    """
    if not _packed_shapes_ok(arrays) or arrays["row_skips"].shape[0] != n_blocks:
        raise unavailable(f"{directory.name} has inconsistent packed rows")
    return PackedRows(arrays["row_data"], arrays["row_skips"], blocks, indptr, split)


def _map_vocab(directory: Path, meta: dict) -> bytes | mmap.mmap:
    """``vocab.bin``, checked against its CRC (read through a buffer), then memory-mapped.

    A lookup reads a few of its pages (one sampled block, ``postings.Vocabulary``); held as
    ``bytes`` it was all on the heap (3 MB at a million passages, ~10 bytes a term).
    """
    path = directory / "vocab.bin"
    try:
        size = path.stat().st_size
        crc = _file_crc32(path)
    except OSError:
        raise unavailable(f"{directory.name}/vocab.bin is missing") from None
    if size != meta["vocab_bytes"] or crc != meta["vocab_crc32"]:
        raise unavailable(f"{directory.name}/vocab.bin fails its checksum")
    if not size:
        return b""  # an empty file cannot be mapped
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _narrow_starts(starts: np.ndarray) -> np.ndarray:
    """Per-term tf starts as int32 when they fit (they count tf ≥ 2 postings only, 0.7% of
    all at a million passages): 4 bytes a term less of the querying process's heap."""
    if starts.size and int(starts[-1]) >= 1 << 31:
        return starts
    return starts.astype(np.int32)


def _block_bounds(directory: Path, meta: dict, arrays: dict) -> tuple[np.ndarray | None, int]:
    """A segment's block bounds and block size; (None, default) for a segment written before
    them (its queries then test every row, with the same answers)."""
    block_min_len = arrays.get("block_min_len")
    if block_min_len is None:
        return None, BLOCK_POSTINGS
    size = meta.get("block_postings")
    if not isinstance(size, int) or size <= 0:
        raise unavailable(f"{directory.name} has block bounds without a block size")
    n_blocks = -(-meta["n_postings"] // size)
    if block_min_len.shape != (n_blocks,) or block_min_len.dtype != np.uint8:
        raise unavailable(f"{directory.name} has inconsistent array sizes")
    return block_min_len, size


def segment_bytes(directory: Path) -> int:
    """Bytes on disk of a directory's files."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


# -- tombstones ---------------------------------------------------------------------------


def write_dead(path: Path, dead: DeadRows) -> None:
    """Write a segment's tombstones (small: rows and df decrements), all or nothing."""
    with _replacing(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, rows=dead.rows, term_ids=dead.term_ids, counts=dead.counts)
        fh.flush()
        os.fsync(fh.fileno())


def read_dead(path: Path) -> DeadRows:
    """Read a tombstone file written by ``write_dead``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            dead = DeadRows(data["rows"], data["term_ids"], data["counts"])
    except FileNotFoundError:
        raise unavailable(f"{path.name} is missing") from None
    except (OSError, ValueError, KeyError, EOFError, zlib.error) as exc:
        raise unavailable(f"{path.name} is damaged ({exc.__class__.__name__})") from None
    if dead.term_ids.shape != dead.counts.shape:
        raise unavailable(f"{path.name} is inconsistent")
    return dead


# -- manifests and the CURRENT pointer ------------------------------------------------------


def manifest_name(seq: int) -> str:
    """File name of state ``seq`` of a generation."""
    return f"manifest-{seq:06d}.json"


def write_manifest(gen_dir: Path, manifest: Manifest) -> None:
    """Write a manifest file (fsynced) inside its generation directory."""
    _write_json(
        gen_dir / manifest_name(manifest.seq),
        {
            "format": FORMAT_VERSION,
            "generation": manifest.generation,
            "seq": manifest.seq,
            "params": manifest.params,
            "segments": [{"name": s.name, "dead": s.dead} for s in manifest.segments],
        },
    )


def read_manifest(gen_dir: Path, seq: int) -> Manifest:
    """Read and check a manifest."""
    data = _read_json(gen_dir / manifest_name(seq))
    try:
        segments = tuple(SegmentRef(s["name"], s["dead"]) for s in data["segments"])
        manifest = Manifest(data["generation"], int(data["seq"]), segments, dict(data["params"]))
    except (KeyError, TypeError, ValueError):
        raise unavailable(f"{manifest_name(seq)} is malformed") from None
    if not segments or segments[0].name != "base":
        raise unavailable(f"{manifest_name(seq)} lists no base segment")
    return manifest


@dataclass(frozen=True, slots=True)
class Pointer:
    """What ``CURRENT`` says: the generation directory and its state number."""

    generation: str
    seq: int

    @property
    def state_id(self) -> str:
        """Same string as ``Manifest.state_id``."""
        return f"{self.generation}.{self.seq}"


def read_current(index_dir: Path) -> Pointer | None:
    """The current pointer, or None when no index was ever built here."""
    path = index_dir / CURRENT_NAME
    if not path.exists():
        return None
    data = _read_json(path)
    try:
        pointer = Pointer(str(data["generation"]), int(data["manifest"]))
    except (KeyError, TypeError, ValueError):
        raise unavailable("CURRENT is malformed") from None
    if not _GEN_RE.match(pointer.generation):
        raise unavailable("CURRENT names no generation")
    return pointer


def write_current(index_dir: Path, pointer: Pointer) -> None:
    """Atomically point readers at ``pointer`` (write, fsync, ``os.replace``, fsync dir)."""
    _write_json(
        index_dir / CURRENT_NAME,
        {"format": FORMAT_VERSION, "generation": pointer.generation, "manifest": pointer.seq},
    )
    fsync_dir(index_dir)


# -- generations --------------------------------------------------------------------------


def next_generation_name(index_dir: Path) -> str:
    """A generation name greater than every existing or half-written one."""
    highest = 0
    if index_dir.exists():
        for entry in os.listdir(index_dir):
            match = _GEN_RE.match(entry) or _TMP_RE.match(entry)
            if match:
                highest = max(highest, int(match.group(1)))
    return f"gen-{highest + 1:06d}"


def temporary_generation_dir(index_dir: Path, generation: str) -> Path:
    """Where a build writes before the rename; the pid lets cleanup spot crashed builds."""
    return index_dir / f".tmp-{generation}-{os.getpid()}"


def publish_generation(tmp_dir: Path, index_dir: Path, generation: str) -> Path:
    """Rename a fully written temporary generation into place (not yet current)."""
    fsync_dir(tmp_dir)
    final = index_dir / generation
    os.replace(tmp_dir, final)
    fsync_dir(index_dir)
    return final


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_generations(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete generations not in ``keep`` and temporary dirs of builds that died.

    Readers in other processes may still map an old generation; on POSIX their mappings stay
    valid after the unlink, so callers keep just the current and the previous one.
    """
    removed = []
    for entry in sorted(os.listdir(index_dir)):
        path = index_dir / entry
        gen = _GEN_RE.match(entry)
        tmp = _TMP_RE.match(entry)
        spill = _SPILL_RE.match(entry)
        if (
            (gen and entry not in keep)
            or (tmp and not _pid_alive(int(tmp.group(2))))
            or (spill and not _pid_alive(int(spill.group(1))))
        ):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(entry)
    if removed:
        logger.info("removed stale index generations: %s", ", ".join(removed))
    return removed


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Serialize writers (add, remove, swaps) across processes with ``flock``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_NAME, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
