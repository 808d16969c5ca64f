"""SearchIndex: rank_bm25's BM25Okapi scores over memory-mapped CSR segments, with deltas.

An index is one base segment plus small delta segments added since the last build, each with
tombstones for removed passages. Collection statistics (N, avgdl, df of every term, and the
mean idf behind the epsilon floor) are recomputed over live documents after every change, so
scores always equal those of ``rank_bm25.BM25Okapi`` rebuilt on the live passages. When the
deltas or tombstones grow past a fraction of the base, the segments are merged into a new
generation from their postings, without analysing any text again; when only the number of
deltas grows (one small change at a time), the deltas are folded into one and the base stays.

Queries never scan the collection: see ``maxscore`` for the evaluation and ``segments`` for the
on-disk format and the atomic swap.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexUnavailableError, NotFoundError
from index.models import DocRecord, EncodedBatch, Hit, Progress
from index.search import segments as store
from index.search.building import (
    segment_data,
    segment_from_batches,
    segment_from_docs,
    segment_from_runs,
)
from index.search.columns import StartColumn, TermCounts, TierSplit
from index.search.heap import release_free_memory
from index.search.maxscore import (
    Blocks,
    QueryTerm,
    RowStats,
    Scratch,
    evaluate,
    score_rows,
    score_rows_per_term,
)
from index.search.packed import BLOCK, PackedRows, rows_array
from index.search.postings import (
    Vocabulary,
    expand_tf,
    postings_from_pairs,
)
from index.search.runs import spill_directory
from index.search.scoring import (
    DEFAULT_PARAMS,
    BM25Params,
    floored_idf,
    idf_floor,
    max_tf_part,
)
from index.search.segments import DeadRows, Manifest, Pointer, SegmentData, SegmentRef
from index.search.selection import TopK, merge_top_k, select_top_k
from index.search.workers import BuildJob, WorkerBuild, WorkerRuns, WorkerTask

logger = logging.getLogger(__name__)
# What ``top_passages`` finds when nothing matches (shared, so read-only).
_NO_PASSAGES = TopK(np.empty(0, np.int64), np.empty(0, np.float64))
_NO_PASSAGES.passage_ids.flags.writeable = False
_NO_PASSAGES.scores.flags.writeable = False

ProgressCallback = Callable[[Progress], None]

# Merge deltas into a new generation once their live passages exceed this share of the base;
# likewise for tombstones. Past MERGE_MAX_DELTAS delta segments (each one more to visit per
# query) the deltas alone are folded into one, without rewriting the base.
MERGE_DELTA_SHARE = 0.10
MERGE_MAX_DELTAS = 8
MERGE_DEAD_SHARE = 0.20
# ``moved_frequencies`` reads the terms of the segments that changed unless those hold more
# than one in this many of the base's terms (a fold of the deltas): then it compares the
# frequencies themselves, which costs the vocabulary, not the deltas' size.
WHOLE_COMPARE_SHARE = 8
# Terms whose postings runs ``term_scores`` keeps for the loaded state: ~0.3 KB each (a
# tuple per segment of one or two runs, as plain tuples that the garbage collector stops
# tracking), so ≤ ~5 MB; cleared when full. The bench's 300 questions at 100k passages ask
# ~6,000 distinct terms of the passage index.
MAX_KEPT_TERM_RUNS = 16384
_UNKNOWN_RUNS = object()  # ``_single_term_runs``: a term not kept


@dataclass(frozen=True, slots=True)
class _Segment:
    """A loaded segment with its tombstones and its live statistics."""

    name: str
    data: SegmentData
    dead: DeadRows | None
    dead_file: str | None
    dead_mask: np.ndarray | None  # bool per row, None when nothing is dead
    df_live: np.ndarray  # int64 per local term
    live_docs: int
    live_len: int

    def live_rows_of(self, passage_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in ``passage_ids``, rows) of the ids that are live in this segment."""
        pids = self.data.passage_ids
        if pids.size == 0 or passage_ids.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # The array methods, not the ``np.`` functions, whose Python wrappers cost more than
        # the work for the ~200 ids the ranking layer asks about (as in ``maxscore``).
        first, last = pids.item(0), pids.item(pids.size - 1)
        if last - first == pids.size - 1:
            # Strictly increasing ids spanning exactly ``size`` values are ``first, first + 1,
            # …``: a passage's row is its id minus the first, where ``searchsorted`` finds it.
            # A segment built in one go, or one ingest's delta, has no gaps; a binary search
            # of ~200 ids over ids the rest of a question has evicted from the CPU caches
            # cost ~0.15 ms a call at 100k passages, and a question makes four or five.
            found = (passage_ids >= first) & (passage_ids <= last)
            pos = passage_ids - first
            np.maximum(pos, 0, out=pos)
            np.minimum(pos, pids.size - 1, out=pos)
        else:
            needle = passage_ids
            if pids.dtype != needle.dtype:
                # ids stored narrow (uint32, format 6): searched as int64, numpy would copy
                # the whole column first; clipped ids that are not there are not found
                limits = np.iinfo(pids.dtype)
                needle = np.clip(needle, limits.min, limits.max).astype(pids.dtype)
            pos = pids.searchsorted(needle)
            np.minimum(pos, pids.size - 1, out=pos)
            found = pids.take(pos) == passage_ids
        if self.dead_mask is not None:
            found &= ~self.dead_mask.take(pos)
        return found.nonzero()[0], pos[found]


@dataclass(frozen=True, slots=True)
class _State:
    """Everything a query reads, swapped as one object so readers never see half a change."""

    manifest: Manifest
    gen_dir: Path
    segments: tuple[_Segment, ...]
    n_docs: int
    avgdl: float
    stats: tuple[RowStats, ...]  # per segment, under the global avgdl
    base_df: np.ndarray  # int64: live df of each base term, over all segments
    extra_df: dict[str, int]  # live df of terms that only deltas have
    floor: float  # epsilon × mean idf: what replaces a negative idf

    @property
    def base(self) -> _Segment:
        """The generation's base segment."""
        return self.segments[0]

    def df(self, term: str) -> tuple[int, int]:
        """(live df, base term id or -1) of a term."""
        base_id = self.base.data.vocab.lookup(term)
        if base_id >= 0:
            return self.base_df.item(base_id), base_id
        return self.extra_df.get(term, 0), -1


@dataclass(frozen=True, slots=True)
class FrequencyMark:
    """What ``SearchIndex.moved_frequencies`` compares a later state with: one state's base
    vocabulary, the live frequencies (the base's terms', the others') and the segments (a
    state never changes them in place)."""

    vocab: Vocabulary
    base_df: np.ndarray
    extra_df: dict[str, int]
    segments: tuple[_Segment, ...]


@dataclass(frozen=True, slots=True)
class MovedFrequencies:
    """What ``SearchIndex.moved_frequencies`` found: the positions of the asked terms whose
    document frequency moved, their frequencies now, and the mark of now."""

    positions: np.ndarray  # int64, ascending
    frequencies: np.ndarray  # int64, by position
    mark: FrequencyMark
    every: bool  # the index could not tell what moved: every position is listed


class SearchIndex:
    """A persistent BM25Okapi index over passages (see the module docstring)."""

    def __init__(self, index_dir: Path, state: _State, params: BM25Params) -> None:
        self.index_dir = Path(index_dir)
        self.params = params
        self._state = state
        self._local = threading.local()
        self._write_lock = threading.Lock()
        # The bytes of CURRENT when ``refresh`` last found the loaded state current: equal
        # bytes name the same pointer, so the next refresh skips parsing and checksumming.
        self._current_bytes: bytes | None = None
        # ``document_frequencies``' last terms with their base vocabulary ids (-1: not in
        # the base) and the vocabulary they were looked up in; the positions of the terms
        # the base lacks, by term.
        self._df_terms: (
            tuple[Sequence[str], Vocabulary, np.ndarray, np.ndarray, dict[str, list[int]]] | None
        ) = None
        # ``moved_frequencies``' terms of each delta by ``id`` of its data (``_segment_terms``).
        self._delta_terms: dict[int, tuple[SegmentData, np.ndarray, tuple[str, ...]]] = {}
        # ``moved_frequencies``' last terms: base ids, their sorting order and sorted ids.
        self._moved_terms: (
            tuple[Sequence[str], Vocabulary, np.ndarray, np.ndarray, np.ndarray,
                  dict[str, list[int]]] | None
        ) = None  # fmt: skip
        # ``term_scores``' runs of each term under one state (``_single_term_runs``).
        self._term_runs: tuple[_State, dict[str, tuple[tuple[tuple, ...], ...] | None]] | None = (
            None
        )

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        index_dir: Path,
        docs: Iterable[DocRecord],
        *,
        total: int | None = None,
        progress: ProgressCallback | None = None,
        params: BM25Params = DEFAULT_PARAMS,
    ) -> SearchIndex:
        """Build a new generation from ``docs`` and swap it in atomically.

        Readers holding the old index keep using it; a crash before the swap leaves the old
        generation current. Duplicate passage ids raise ValueError.
        """
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        built = [segment_from_docs(docs, None, total=total, progress=progress, started=started)]
        return cls._publish_built(index_dir, built, params, total, progress, started)

    @classmethod
    def _publish_built(
        cls,
        index_dir: Path,
        built: list[SegmentData],
        params: BM25Params,
        total: int | None,
        progress: ProgressCallback | None,
        started: float,
    ) -> SearchIndex:
        """Write the built segment (``built``'s one item, taken out of it) and load it.

        The caller passes the segment in a list it no longer refers to otherwise, so its
        arrays (~50 MB at 1M passages) are freed once written, not held while the index is
        loaded (docs/performance.md, "Issue 16: build peak at 1M, third round").
        """
        data = built.pop()
        _publish_generation(index_dir, [data], params)
        n_docs, n_terms = data.n_docs, data.vocab.size
        del data
        release_free_memory()
        if progress is not None:
            elapsed = time.perf_counter() - started
            progress(Progress("swap", n_docs, total, "passages", elapsed))
        logger.info(
            "built search index: %d passages, %d terms in %.1fs",
            n_docs,
            n_terms,
            time.perf_counter() - started,
        )
        # The files were just written: their pages are cached, no read-ahead is needed.
        return cls.load(index_dir, prefault=False)

    @classmethod
    def build_encoded(
        cls,
        index_dir: Path,
        batches: Iterable[EncodedBatch],
        *,
        total: int | None = None,
        progress: ProgressCallback | None = None,
        params: BM25Params = DEFAULT_PARAMS,
    ) -> SearchIndex:
        """``build`` from batches whose terms one encoder already turned into ids.

        The full rebuild takes this path (``Archive.reindex``, the benchmark): mapping each
        term string to an id here would repeat the dict lookup per word that the encoder
        (``index.analysis.encoding``) already made. The index is the same as ``build`` on the
        same passages' ``DocRecord``s (tested).
        """
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with spill_directory(index_dir) as spill:
            built = [
                segment_from_batches(
                    batches, spill_dir=spill, total=total, progress=progress, started=started
                )
            ]
            return cls._publish_built(index_dir, built, params, total, progress, started)

    @classmethod
    def build_in_workers(
        cls,
        index_dirs: Sequence[Path],
        jobs: Iterable[BuildJob],
        task: WorkerTask,
        workers: int,
        *,
        on_done: Callable[[BuildJob, Any], None] | None = None,
        total: int | None = None,
        progress: ProgressCallback | None = None,
        params: BM25Params = DEFAULT_PARAMS,
    ) -> WorkerBuild:
        """``build_encoded`` on both cores: one index per stream, from worker processes.

        ``workers`` processes run ``task`` over the jobs and sort runs for every stream
        (``index.search.workers``); this process merges each stream's runs into the index in
        ``index_dirs[stream]``, one after the other. Each index is the one ``build_encoded``
        gives from the same passages (tested). ``on_done`` gets each job with its side result,
        in input order. A failure stops the workers before the spilled runs are removed.
        """
        index_dirs = [Path(d) for d in index_dirs]
        for index_dir in index_dirs:
            index_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with contextlib.ExitStack() as stack:
            spills = [stack.enter_context(spill_directory(d)) for d in index_dirs]
            with WorkerRuns(task, spills, workers) as pool:
                done = 0
                for job, side in pool.run(jobs):
                    if on_done is not None:
                        on_done(job, side)
                    done += int(job.docs[0].passage_ids.size)
                    if progress is not None:
                        elapsed = time.perf_counter() - started
                        progress(Progress("build", done, total, "passages", elapsed))
                streams = pool.finish()
            indexes = []
            for index_dir, spill in zip(index_dirs, spills, strict=True):
                stream = streams.pop(0)  # dropped once merged
                built = [segment_from_runs(stream.runs, stream.vocab, stream.columns, spill)]
                del stream
                indexes.append(
                    cls._publish_built(index_dir, built, params, total, progress, started)
                )
            return WorkerBuild(indexes, tuple(pool.peak_rss), tuple(pool.cpu_s))

    @classmethod
    def empty(cls, index_dir: Path, *, params: BM25Params = DEFAULT_PARAMS) -> SearchIndex:
        """Create (and swap in) a valid index with no passages."""
        return cls.build(index_dir, (), params=params)

    @classmethod
    def load(cls, index_dir: Path, *, prefault: bool = True) -> SearchIndex:
        """Open the current generation with memory-mapped arrays.

        ``prefault`` reads the large postings files into the page cache from a background
        thread (``segments.read_segment``); pages are mapped as questions read them.

        Raises:
            IndexUnavailableError: no index was built, or a file is missing or corrupt; the
                message says to run ``newsdesk reindex``.
        """
        index_dir = Path(index_dir)
        state = _load_state(index_dir, prefault=prefault)
        params = _params_of(state.manifest)
        # The load's temporaries leave ~6 MiB free at the heap's top at 1M passages, which
        # glibc keeps resident (its trim threshold rose with the large blocks freed) and the
        # questions' buffers only partly reuse: −2.3 MiB in the bench's query process
        # (docs/performance.md, "Issue 16: query RSS at 1M, third round").
        release_free_memory()
        return cls(index_dir, state, params)

    @staticmethod
    def disk_generation(index_dir: Path) -> str | None:
        """What ``generation()`` of a freshly loaded index would be (None: none built).

        Cheap (reads the small ``CURRENT`` file): a long-lived reader compares it with its own
        ``generation()`` to notice swaps and deltas written by another process.
        """
        pointer = store.read_current(Path(index_dir))
        return pointer.state_id if pointer else None

    def refresh(self) -> bool:
        """Reload when another process changed the index on disk; True when reloaded.

        The one place a long-lived reader picks up another process's swap or delta (the
        archive's index keeper calls it whenever it hands the index out). Segments of the
        same generation stay mapped. A writer in this process refreshes under its own lock,
        so a refresh that would race it is skipped: the writer leaves the newest state.

        Raises:
            IndexUnavailableError: what the pointer names is missing or corrupt.
        """
        # Every question refreshes (twice: passages and articles), and parsing CURRENT cost
        # ~0.1 ms each time; the file is replaced, never edited, when the index changes.
        try:
            raw = (self.index_dir / store.CURRENT_NAME).read_bytes()
        except OSError:
            raw = None
        if raw is not None and raw == self._current_bytes:
            return False
        pointer = store.read_current(self.index_dir)
        if pointer is None or pointer.state_id == self.generation():
            self._current_bytes = raw
            return False
        if not self._write_lock.acquire(blocking=False):
            return False
        try:
            self._state = _load_state(self.index_dir, reuse=self._state)
        finally:
            self._write_lock.release()
        return True

    def close(self) -> None:
        """Drop the per-thread buffers (memory maps close when the index is collected)."""
        self._local = threading.local()

    # -- statistics ---------------------------------------------------------------------------

    def generation(self) -> str:
        """Identifier of the loaded state; changes with every swap, add and remove."""
        return self._state.manifest.state_id

    @property
    def n_docs(self) -> int:
        """Live passages."""
        return self._state.n_docs

    @property
    def avgdl(self) -> float:
        """Mean length in terms of the live passages."""
        return self._state.avgdl

    @property
    def n_terms(self) -> int:
        """Distinct terms in the live passages (BM25Okapi's vocabulary)."""
        state = self._state
        return int(np.count_nonzero(state.base_df)) + len(state.extra_df)

    def document_frequency(self, term: str) -> int:
        """Live passages containing ``term``."""
        return self._state.df(term)[0]

    def document_frequencies(self, terms: Sequence[str]) -> np.ndarray:
        """``document_frequency`` of each of ``terms`` (int64, in order), for many at once.

        The topic matcher reads every term of its reverse index under each new index state
        (``follow._ReverseIndex.reweigh``). The terms' base vocabulary ids are looked up
        once and kept for the last ``terms`` asked about (the same object, not changed
        since) while the base segment stays, so a new state costs one gather from the live
        frequencies plus, for the terms the base lacks, a dict lookup for each term only the
        deltas hold (or for each term the base lacks, when those are fewer).
        """
        return self._frequencies_in(self._state, terms)

    def _frequencies_in(self, state: _State, terms: Sequence[str]) -> np.ndarray:
        """``document_frequencies`` under ``state``."""
        vocab = state.base.data.vocab
        known = self._df_terms
        if known is None or known[0] is not terms or known[1] is not vocab:
            ids, where = self._base_ids(terms, vocab)
            known = self._df_terms = (terms, vocab, ids, np.flatnonzero(ids < 0), where)
        _, _, ids, others, where = known
        out = np.zeros(len(terms), dtype=np.int64)
        if state.base_df.size:
            in_base = ids >= 0
            out[in_base] = state.base_df[ids[in_base]]
        extra = state.extra_df
        if extra and others.size:
            if len(extra) < others.size:
                # Few terms only deltas hold (the usual case): read those, not every term
                # the base lacks (a topic word the index never saw stays 0).
                for term, count in extra.items():
                    for i in where.get(term, ()):
                        out[i] = count
            else:
                get = extra.get
                out[others] = [get(terms[i], 0) for i in others.tolist()]
        return out

    def moved_frequencies(
        self, terms: Sequence[str], since: FrequencyMark | None
    ) -> MovedFrequencies:
        """The positions in ``terms`` whose ``document_frequency`` may differ now from at
        ``since`` (ascending; every one that moved, and maybe some that did not), with
        their frequencies now and the mark of now, read from one state; every position when
        ``since`` is None or the index cannot tell (a merge rebuilt the base since).

        What the topic matcher reads under a new index state instead of every frequency
        (``follow._ReverseIndex.reweigh``): an ingest of one article moves a few hundred
        terms. A frequency moves only through a segment that came or went (a delta added,
        deltas folded into one) or whose tombstones changed, so the terms of those segments
        are read (the base's, when its tombstones changed, by comparing its live
        frequencies), or, when those are many (a fold), the frequencies are compared;
        positions come from the base ids of ``terms`` kept for the same object
        (``document_frequencies``' lookup).
        """
        state = self._state
        vocab = state.base.data.vocab
        mark = FrequencyMark(vocab, state.base_df, state.extra_df, state.segments)
        if since is None or since.vocab is not vocab:
            frequencies = self._frequencies_in(state, terms)
            self._positions_of(terms, vocab)  # sorted now, for the states that follow
            return MovedFrequencies(np.arange(len(terms)), frequencies, mark, every=True)
        before = {(seg.name, seg.dead_file) for seg in since.segments}
        now = {(seg.name, seg.dead_file) for seg in state.segments}
        changed = [
            seg
            for seg in (*since.segments, *state.segments)
            if ((seg.name, seg.dead_file) in before) != ((seg.name, seg.dead_file) in now)
        ]
        deltas = [seg for seg in changed if seg.name != state.base.name]
        if any(seg.data.base_term_ids is None for seg in deltas):
            frequencies = self._frequencies_in(state, terms)
            return MovedFrequencies(np.arange(len(terms)), frequencies, mark, every=True)
        base_ids: list[np.ndarray] = []
        others: set[str] = set()
        if sum(seg.data.vocab.size for seg in deltas) * WHOLE_COMPARE_SHARE > state.base_df.size:
            # Deltas folded into one (every few one-article ingests): their terms are most of
            # what deltas hold, so the frequencies themselves are compared, base and deltas'.
            base_ids.append(np.flatnonzero(since.base_df != state.base_df))
            before, now = since.extra_df, state.extra_df
            others.update(t for t in before.keys() | now.keys() if before.get(t) != now.get(t))
        else:
            if any(seg is state.base for seg in changed):
                # The base's tombstones changed: the terms whose live frequency moved.
                base_ids.append(np.flatnonzero(since.base_df != state.base_df))
            for seg in deltas:
                in_base, lacking = self._segment_terms(seg.data, seg.data.base_term_ids)
                base_ids.append(in_base)
                others.update(lacking)
        ids, order, sorted_ids, where = self._positions_of(terms, vocab)
        found: list[np.ndarray] = []
        if base_ids:
            moved = np.unique(np.concatenate(base_ids))
            starts = np.searchsorted(sorted_ids, moved, side="left")
            lengths = np.searchsorted(sorted_ids, moved, side="right") - starts
            total = int(lengths.sum())
            if total:
                offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
                found.append(order[offsets + np.arange(total)])
        spots = [i for term in others for i in where.get(term, ())]
        if spots:
            found.append(np.asarray(spots, dtype=np.int64))
        if not found:
            none = np.zeros(0, dtype=np.int64)
            return MovedFrequencies(none, none, mark, every=False)
        positions = np.unique(np.concatenate(found))
        out = np.zeros(positions.size, dtype=np.int64)
        at = ids[positions]
        in_base = at >= 0
        out[in_base] = state.base_df[at[in_base]]
        get = state.extra_df.get
        for k in np.flatnonzero(~in_base).tolist():
            out[k] = get(terms[int(positions[k])], 0)
        return MovedFrequencies(positions, out, mark, every=False)

    def _segment_terms(
        self, data: SegmentData, local: np.ndarray
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """A delta's terms (``local``: its base term ids): the base ids of those the base
        holds, and the others; kept per
        segment (a segment never changes), for the segments of the last state asked."""
        kept = self._delta_terms.get(id(data))
        if kept is None or kept[0] is not data:
            ids = np.flatnonzero(local < 0)
            offsets, blob = data.vocab.offsets, data.vocab.blob
            lacking = tuple(
                blob[start:end].decode("utf-8", errors="surrogatepass")
                for start, end in zip(
                    offsets[ids].tolist(), offsets[ids + 1].tolist(), strict=True
                )
            )
            kept = (data, local[local >= 0], lacking)
            live = {id(seg.data) for seg in self._state.segments}
            self._delta_terms = {k: v for k, v in self._delta_terms.items() if k in live}
            self._delta_terms[id(data)] = kept
        return kept[1], kept[2]

    def _positions_of(
        self, terms: Sequence[str], vocab: Vocabulary
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, list[int]]]:
        """``terms``' base ids (-1: not in the base), the order sorting them with the
        sorted ids, and the positions of the terms the base lacks by term; kept for the
        last ``terms`` asked about (the same object) while the base stays."""
        known = self._moved_terms
        if known is None or known[0] is not terms or known[1] is not vocab:
            ids, where = self._base_ids(terms, vocab)
            order = np.argsort(ids, kind="stable")
            known = self._moved_terms = (terms, vocab, ids, order, ids[order], where)
        return known[2], known[3], known[4], known[5]

    def _base_ids(
        self, terms: Sequence[str], vocab: Vocabulary
    ) -> tuple[np.ndarray, dict[str, list[int]]]:
        """``terms``' base vocabulary ids (``document_frequencies``' kept ones when it was
        asked about the same object) and the positions of those the base lacks, by term."""
        known = self._df_terms
        if known is not None and known[0] is terms and known[1] is vocab:
            return known[2], known[4]
        lookup = vocab.lookup
        ids = np.fromiter((lookup(term) for term in terms), np.int64, len(terms))
        where: dict[str, list[int]] = {}
        for i in np.flatnonzero(ids < 0).tolist():
            where.setdefault(terms[i], []).append(i)
        return ids, where

    def terms_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` live terms starting with ``prefix`` (sorted), from every segment.

        For the answer gate's prefix-stem matching (``evidence.with_prefix_stems``): a few
        bisections per question word, never a scan of the vocabulary.
        """
        state = self._state
        found: set[str] = set()
        for seg in state.segments:
            found.update(seg.data.vocab.with_prefix(prefix, limit))
        return sorted(t for t in found if state.df(t)[0] > 0)[:limit]

    def idf(self, term: str) -> float:
        """BM25Okapi's idf of ``term`` (with its epsilon floor; 0 for unknown terms)."""
        state = self._state
        return floored_idf(state.df(term)[0], state.n_docs, state.floor)

    def idf_of_df(self, df: int) -> float:
        """``idf`` of a term whose ``document_frequency`` is ``df``: a caller that already
        holds the frequency (the topic matcher weighs every topic term) skips a second
        vocabulary lookup."""
        state = self._state
        return floored_idf(df, state.n_docs, state.floor)

    def idf_signs(self, df: np.ndarray) -> np.ndarray:
        """The sign (int8: -1, 0 or 1) of ``idf_of_df`` of each frequency in ``df``, on
        arrays (the topic matcher reads the signs of its candidates' terms under each state).

        rank_bm25's idf, log(n - df + 0.5) - log(df + 0.5), is above 0 exactly when
        2 df < n: the two logs are of numbers at least 1 apart and at most n + 1, so they
        differ by more than 1 / (n + 1), far above a log's rounding error (below 1e-14 for
        values under 1e6 when n is below 1e12); it is 0 at 2 df = n (the same number twice)
        and below 0 past it, where the floor replaces it. A term no passage holds has 0.
        """
        state = self._state
        df = np.asarray(df, dtype=np.int64)
        twice = 2 * df
        floor = 1 if state.floor > 0 else (-1 if state.floor < 0 else 0)
        signs = np.where(twice < state.n_docs, 1, np.where(twice == state.n_docs, 0, floor))
        return np.where(df > 0, signs, 0).astype(np.int8)

    def size_bytes(self) -> int:
        """Bytes on disk of the current generation."""
        return store.segment_bytes(self._state.gen_dir)

    def live_passage_ids(self) -> np.ndarray:
        """Ids of every live passage (int64, ascending), to compare the index with a store."""
        parts = [
            np.asarray(seg.data.passage_ids)
            if seg.dead_mask is None
            else seg.data.passage_ids[~seg.dead_mask]
            for seg in self._state.segments
        ]
        if not parts:
            return np.empty(0, np.int64)
        return np.unique(np.concatenate(parts).astype(np.int64, copy=False))

    def article_of(self, passage_id: int) -> int:
        """Article id of a live passage; NotFoundError when it is not indexed."""
        for seg in self._state.segments:
            _, rows = seg.live_rows_of(np.asarray([passage_id], dtype=np.int64))
            if rows.size:
                return int(seg.data.article_ids[rows[0]])
        raise NotFoundError("passage is not in the search index", item=f"passage {passage_id}")

    def articles_of(self, passage_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Article ids (int64) of live passages, in the given order: ``article_of`` for many.

        One ``searchsorted`` per segment instead of one per passage (the answer stage groups
        ~200 candidates per question). Like ``article_of``, the first segment where a
        passage is live decides, and an id that is not live anywhere raises.

        Raises:
            NotFoundError: naming the first id (in the given order) that is not indexed.
        """
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        out = np.zeros(ids.size, dtype=np.int64)
        found = np.zeros(ids.size, dtype=bool)
        # Later segments first, so an earlier segment overwrites: the first one decides.
        for seg in reversed(self._state.segments):
            positions, rows = seg.live_rows_of(ids)
            out[positions] = seg.data.article_ids[rows]
            found[positions] = True
        if not found.all():
            missing = int(ids[np.argmin(found)])
            raise NotFoundError("passage is not in the search index", item=f"passage {missing}")
        return out

    def live_articles_of(self, passage_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The distinct article ids (int64, sorted) of those given passages that are live.

        Unlike ``articles_of``, ids that are not indexed are skipped: the index keeper asks
        which articles a removal touches, and a replayed removal may name passages already gone.
        """
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        found = [
            seg.data.article_ids[rows]
            for seg in self._state.segments
            for _, rows in [seg.live_rows_of(ids)]
            if rows.size
        ]
        if not found:
            return np.empty(0, np.int64)
        return np.unique(np.concatenate(found).astype(np.int64, copy=False))

    # -- queries ------------------------------------------------------------------------------

    def search(
        self,
        terms: Sequence[str],
        k: int,
        *,
        day_range: tuple[int, int] | None = None,
        articles: np.ndarray | None = None,
    ) -> list[Hit]:
        """The k best live passages by BM25Okapi score, best first, ties by passage id
        (``top_passages`` as ``Hit`` objects)."""
        top = self.top_passages(terms, k, day_range=day_range, articles=articles)
        # Positional ``map``: keyword calls in a comprehension took twice as long (~0.2 ms
        # for 200 hits, a few per cent of ``Archive.ask``).
        return list(map(Hit, top.passage_ids.tolist(), top.scores.tolist()))

    def top_passages(
        self,
        terms: Sequence[str],
        k: int,
        *,
        day_range: tuple[int, int] | None = None,
        articles: np.ndarray | None = None,
    ) -> TopK:
        """The k best live passages by BM25Okapi score, best first, ties by passage id, as
        two arrays (int64 ids, float64 scores): the ranking layer computes on arrays, and
        200 ``Hit`` objects cost ~60 µs to build and read back.

        Only passages containing at least one query term with a non-zero idf are hits (the
        others all score 0 in rank_bm25 too). ``day_range`` keeps passages whose
        ``published_day`` lies in the inclusive range; undated passages (-1) are then dropped.
        ``articles`` (bool, indexed by article id; ids past its end count as False) keeps
        the passages of the marked articles: the question filters' outlet and language
        (``index.answer.restrict``). Both act inside top-k selection, so a restricted search
        still returns the k best passages that pass, never fewer because better ones failed.
        """
        state = self._state
        if k <= 0 or state.n_docs == 0:
            return _NO_PASSAGES
        query = self._query_terms(state, terms)
        if not query:
            return _NO_PASSAGES
        parts: list[TopK] = []
        for seg, stats in zip(state.segments, state.stats, strict=True):
            local = self._local_terms(state, seg, query)
            if not local:
                continue
            try:
                scored = evaluate(
                    seg.data.postings,
                    stats,
                    local,
                    k,
                    self._scratch(),
                    _acceptor(seg, day_range, articles),
                    self.params,
                    _blocks_of(seg.data),
                )
            except (IndexError, ValueError):
                # Row ids or offsets out of range: postings damaged after the load checks
                # (those cover sizes and checksums, not every posting). The scratch stays
                # usable: stale entries in it are harmless by design.
                raise store.unavailable(f"{seg.name} postings are damaged") from None
            # Rows are in passage-id order, so the tie rule (smaller passage id first) is the
            # same on rows: only the k chosen rows' ids are read, not every candidate's
            # (which mapped most of ``passage_ids``, 8 bytes a passage, into memory).
            top = select_top_k(scored.rows, scored.scores, k)
            ids = seg.data.passage_ids[top.passage_ids].astype(np.int64, copy=False)
            parts.append(TopK(ids, top.scores))
        return merge_top_k(parts, k)

    def score_passages(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """BM25Okapi scores of the given passages (0.0 for ids not in the index), float64."""
        state = self._state
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        out = np.zeros(ids.size)
        if ids.size == 0 or state.n_docs == 0:
            return out
        query = self._query_terms(state, terms)
        if not query:
            return out
        for seg, stats in zip(state.segments, state.stats, strict=True):
            positions, rows = seg.live_rows_of(ids)
            local = self._local_terms(state, seg, query) if rows.size else []
            if local:
                out[positions] = score_rows(seg.data.postings, stats, local, rows, self.params)
        return out

    def term_scores(self, terms: Sequence[str], passage_ids: Sequence[int]) -> np.ndarray:
        """Per-term BM25Okapi scores: row i is ``score_passages([terms[i]], passage_ids)``.

        The ranking layer needs each term's score separately (a word scores as the best of
        its alternatives; RM3 re-weights expansion terms), and one ``score_passages`` call
        per term repeated the id-to-row lookup in every segment for every term. Here the
        lookup is done once, and all the terms' runs are scored together
        (``maxscore.score_rows_per_term``: the same operations per value as
        ``score_passages`` with one term, so the values are the same bits).

        Returns:
            float64 array of shape (len(terms), len(passage_ids)); 0.0 for ids not in the
            index and for unknown terms.
        """
        state = self._state
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        out = np.zeros((len(terms), ids.size))
        if ids.size == 0 or state.n_docs == 0 or not len(terms):
            return out
        located = []
        for at, (seg, stats) in enumerate(zip(state.segments, state.stats, strict=True)):
            positions, rows = seg.live_rows_of(ids)
            if rows.size:
                located.append((at, seg, stats, positions, rows))
        term_runs = self._single_term_runs(state, terms)
        for at, seg, stats, positions, rows in located:
            runs: list[tuple] = []
            owners: list[int] = []
            for i, per_segment in enumerate(term_runs):
                if per_segment is not None:
                    for run in per_segment[at]:
                        runs.append(run)
                        owners.append(i)
            if runs:
                out[:, positions] = score_rows_per_term(
                    seg.data.postings, stats, runs, owners, len(terms), rows, self.params
                )
        return out

    def _single_term_runs(
        self, state: _State, terms: Sequence[str]
    ) -> list[tuple[tuple[tuple, ...], ...] | None]:
        """Per term, its non-empty postings runs in each of ``state``'s segments as a query of
        that term alone gets them (weight 1 × idf), or None for a term without a weight. A
        run is a ``QueryTerm``'s fields as a plain tuple (what ``score_rows_per_term`` reads).

        Kept per term for the loaded state (``_term_runs``): a question asks ``term_scores``
        for ~45 terms, half of them asked before (its search's terms again for their rows,
        then RM3 expansion terms common across questions), and each new one costs a
        vocabulary lookup, its idf and a dozen array reads per segment.
        """
        kept = self._term_runs
        if kept is None or kept[0] is not state:
            kept = self._term_runs = (state, {})
        known = kept[1]
        # One ``get`` per term (atomic under the GIL): another thread may clear ``known``
        # between a membership test and a read.
        have: dict[str, tuple[tuple[tuple, ...], ...] | None] = {}
        missing = []
        for term in dict.fromkeys(terms):
            runs = known.get(term, _UNKNOWN_RUNS)
            if runs is _UNKNOWN_RUNS:
                missing.append(term)
            else:
                have[term] = runs  # type: ignore[assignment]
        if missing:
            # Each distinct term's (term, base id, weight) in one pass: the same entry a query
            # of that term alone gets (its weight is 1 × idf either way).
            entries = self._query_terms(state, missing)
            # Each segment's runs of all the new terms in one pass (``_term_parts``): what
            # ``_local_terms`` gives a query of one term, without its set-up per term.
            per_segment = [self._term_parts(state, seg, entries) for seg in state.segments]
            runs_of = {
                entry[0]: tuple(
                    tuple(tuple(run) for run in parts[k] if run is not None and run.hi > run.lo)
                    for parts in per_segment
                )
                for k, entry in enumerate(entries)
            }
            fresh = {term: runs_of.get(term) for term in missing}
            have.update(fresh)
            if len(known) + len(fresh) > MAX_KEPT_TERM_RUNS:
                known.clear()
            known.update(fresh)
        return [have[term] for term in terms]

    def _query_terms(self, state: _State, terms: Sequence[str]) -> list[tuple[str, int, float]]:
        """Distinct known terms as (term, base id, weight) in evaluation order.

        A repeated term counts each time (weight = count × idf). The order is shortest
        postings first (global df, then the term), which is what MaxScore wants: long lists
        last, so they are the ones only looked up. It is the same in every segment, so every
        passage sums its terms in the same order.
        """
        found = []
        for term, count in Counter(terms).items():
            df, base_id = state.df(term)
            if df <= 0:
                continue
            weight = count * floored_idf(df, state.n_docs, state.floor)
            if weight != 0.0:
                found.append((df, term, base_id, weight))
        found.sort()
        return [(term, base_id, weight) for _, term, base_id, weight in found]

    def _local_terms(
        self, state: _State, seg: _Segment, query: list[tuple[str, int, float]]
    ) -> list[QueryTerm]:
        """The query's postings runs in ``seg`` with their bounds, in the global order.

        Each term has a tf ≥ 2 run and a tf = 1 run; all tf ≥ 2 runs come first (they are
        short), then the tf = 1 runs, each group in the query's order. The order is the same
        in every segment and every phase, so passages sum their parts in one order.
        """
        multi: list[QueryTerm] = []
        units: list[QueryTerm] = []
        for multi_run, unit_run in self._term_parts(state, seg, query):
            if multi_run is not None:
                multi.append(multi_run)
            if unit_run is not None:
                units.append(unit_run)
        return multi + units

    def _term_parts(
        self, state: _State, seg: _Segment, query: list[tuple[str, int, float]]
    ) -> list[tuple[QueryTerm | None, QueryTerm | None]]:
        """Per query term, its tf ≥ 2 and tf = 1 runs in ``seg`` (None where it has none)."""
        data = seg.data
        indptr = data.postings.indptr
        rows = data.postings.doc_rows
        # packed rows (format 5): each run's first block, from the term's (``packed``)
        term_blocks = rows.term_blocks if isinstance(rows, PackedRows) else None
        # format 6: both starts of a term from one call (``columns.TermStarts``)
        starts = term_blocks.owner.at if isinstance(term_blocks, StartColumn) else None
        # format 7: both runs' places and the tf start from one call (``columns.RunStarts``)
        runs = rows.starts.at if isinstance(rows, PackedRows) and rows.starts else None
        split_of = data.tier_split.item
        multi_of = data.tier_split.multi.item if isinstance(data.tier_split, TierSplit) else None
        parts: list[tuple[QueryTerm | None, QueryTerm | None]] = []
        for term, base_id, weight in query:
            term_id = base_id if seg.name == "base" else data.vocab.lookup(term)
            if term_id < 0:
                parts.append((None, None))
                continue
            lo, hi = indptr.item(term_id), indptr.item(term_id + 1)
            split = lo + multi_of(term_id) if multi_of is not None else split_of(term_id)
            positive = max(weight, 0.0)
            tf_start = unit_block = -1
            if runs is not None:
                try:
                    block, unit_block, tf_start = runs(term_id)
                except IndexError:  # offsets or widths past the data: damaged after the load
                    raise store.unavailable(f"{seg.name} postings are damaged") from None
            elif starts is not None:
                block, tf_start = starts(term_id)
            else:
                block = term_blocks.item(term_id) if term_blocks is not None else -1
            multi = unit = None
            if split > lo:
                part = max_tf_part(
                    data.term_max_tf.item(term_id),
                    data.term_min_dl.item(term_id),
                    state.avgdl,
                    self.params,
                )
                if tf_start < 0:
                    tf_start = data.tf_starts.item(term_id) if data.tf_starts is not None else lo
                shift = tf_start - lo
                multi = QueryTerm(lo, split, weight, positive * part, False, shift, block)
            if hi > split:
                part = max_tf_part(
                    1, data.term_min_dl_unit.item(term_id), state.avgdl, self.params
                )
                if runs is not None:
                    block = unit_block
                elif block >= 0:
                    block += (split - lo + BLOCK - 1) // BLOCK
                unit = QueryTerm(split, hi, weight, positive * part, True, 0, block)
            parts.append((multi, unit))
        return parts

    def _scratch(self) -> Scratch:
        """The calling thread's query buffers (queries run in worker threads of the bot)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = Scratch()
        return scratch

    # -- changes ------------------------------------------------------------------------------

    def add(
        self,
        docs: Sequence[DocRecord],
        *,
        keep: Callable[[list[int]], set[int]] | None = None,
    ) -> None:
        """Make passages searchable now: a persisted delta segment, exact statistics.

        A passage id that is already indexed is replaced (its old version is tombstoned).

        Args:
            docs: the passages to add.
            keep: called with the passage ids under the cross-process writer lock; only the
                ids it returns are added. The caller checks its source of truth there, so a
                passage another process deleted meanwhile is not brought back: that
                process's ``remove`` waits for this lock and runs after the add.
        """
        docs = list(docs)
        if not docs:
            return
        with self._write_lock, store.writer_lock(self.index_dir):
            if keep is not None:
                wanted = keep([d.passage_id for d in docs])
                if len(wanted) < len(docs):
                    logger.info("skipped %d passages deleted meanwhile", len(docs) - len(wanted))
                    docs = [d for d in docs if d.passage_id in wanted]
                if not docs:
                    return
            self._refresh_locked()
            state = self._state
            ids = np.fromiter((d.passage_id for d in docs), np.int64, len(docs))
            refs, _ = self._tombstoned(state, ids)
            data = segment_from_docs(docs, state.base.data.vocab)
            seq = state.manifest.seq + 1
            name = f"delta-{seq:06d}"
            store.write_segment(state.gen_dir / name, data, "delta")
            refs.append(SegmentRef(name, None))
            self._commit(state, refs, seq)
            logger.info("indexed %d passages in %s", len(docs), name)
            self._maybe_merge()

    def remove(self, passage_ids: Sequence[int]) -> None:
        """Tombstone passages; statistics drop them at once. Unknown ids are ignored."""
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        if ids.size == 0:
            return
        with self._write_lock, store.writer_lock(self.index_dir):
            self._refresh_locked()
            state = self._state
            refs, changed = self._tombstoned(state, ids)
            if not changed:
                return
            self._commit(state, refs, state.manifest.seq + 1)
            logger.info("removed %d passages from the search index", changed)
            self._maybe_merge()

    def _refresh_locked(self) -> None:
        pointer = store.read_current(self.index_dir)
        if pointer is None:
            raise store.unavailable("the index directory has no current generation")
        if pointer.state_id != self.generation():
            self._state = _load_state(self.index_dir, reuse=self._state)

    def _tombstoned(self, state: _State, ids: np.ndarray) -> tuple[list[SegmentRef], int]:
        """Write new tombstone files for the live ids among ``ids``; the new segment refs."""
        seq = state.manifest.seq + 1
        ids = np.unique(ids)
        refs: list[SegmentRef] = []
        changed = 0
        for seg in state.segments:
            _, rows = seg.live_rows_of(ids)
            if rows.size == 0:
                refs.append(SegmentRef(seg.name, seg.dead_file))
                continue
            dead = _add_dead(seg, rows)
            dead_file = f"dead-{seg.name}-{seq:06d}.npz"
            store.write_dead(state.gen_dir / dead_file, dead)
            refs.append(SegmentRef(seg.name, dead_file))
            changed += int(rows.size)
        return refs, changed

    def _commit(self, state: _State, refs: list[SegmentRef], seq: int) -> None:
        manifest = Manifest(state.manifest.generation, seq, tuple(refs), state.manifest.params)
        store.write_manifest(state.gen_dir, manifest)
        store.write_current(self.index_dir, Pointer(manifest.generation, seq))
        self._state = _load_state(self.index_dir, reuse=state)

    def _maybe_merge(self) -> None:
        """Merge when deltas or tombstones grew; a merge that fails leaves the deltas serving.

        The change that triggered it is already committed, so a failed merge (a full disk)
        must not report that change as failed; the next change tries again.
        """
        try:
            self._merge_if_due()
        except OSError as exc:
            logger.warning("could not merge the index segments (%s); will retry", exc.strerror)

    def _merge_if_due(self) -> None:
        state = self._state
        base_live = state.base.live_docs
        delta_live = sum(seg.live_docs for seg in state.segments[1:])
        dead = sum(seg.data.n_docs - seg.live_docs for seg in state.segments)
        total = sum(seg.data.n_docs for seg in state.segments)
        deltas = len(state.segments) - 1
        if delta_live > MERGE_DELTA_SHARE * base_live or (
            total and dead > MERGE_DEAD_SHARE * total
        ):
            self._merge_locked()
        elif deltas > MERGE_MAX_DELTAS:
            self._merge_deltas_locked()

    def merge(self) -> None:
        """Fold deltas and tombstones into a new generation, from postings (no text analysis).

        Callers normally never need this: ``add`` and ``remove`` merge when deltas grow.
        """
        with self._write_lock, store.writer_lock(self.index_dir):
            self._refresh_locked()
            self._merge_locked()

    def _merge_deltas_locked(self) -> None:
        """Fold the deltas into one delta, leaving the base and its tombstones as they are.

        Why not a full merge: a trickle of one-article changes (a replica following the
        change log, ``index.store.changes``) passes ``MERGE_MAX_DELTAS`` every few articles,
        and rewriting the whole base then took seconds at 100,000 passages, under the writer
        lock, holding up the next change that long, and every process reading the index
        then loaded the new generation whole (issue 15, docs/postgres.md). The deltas hold
        at most ``MERGE_DELTA_SHARE`` of the base, so folding them costs what they hold; the
        base is rewritten only when they grow past that share or tombstones pile up.
        """
        started = time.perf_counter()
        state = self._state
        seq = state.manifest.seq + 1
        base = state.base
        refs = [SegmentRef(base.name, base.dead_file)]
        deltas = state.segments[1:]
        if any(seg.live_docs for seg in deltas):
            data = _merge_segments(deltas, base.data.vocab)
            name = f"delta-{seq:06d}"
            store.write_segment(state.gen_dir / name, data, "delta")
            refs.append(SegmentRef(name, None))
        self._commit(state, refs, seq)
        logger.info(
            "folded %d delta segments into one in %.2fs",
            len(deltas),
            time.perf_counter() - started,
        )

    def _merge_locked(self) -> None:
        started = time.perf_counter()
        state = self._state
        data = _merge_segments(state.segments)
        _publish_generation(self.index_dir, [data], self.params, locked=True)
        self._state = _load_state(self.index_dir)
        logger.info(
            "merged %d segments into %s (%d passages) in %.2fs",
            len(state.segments),
            self._state.manifest.generation,
            data.n_docs,
            time.perf_counter() - started,
        )


# -- helpers --------------------------------------------------------------------------------


def _acceptor(
    seg: _Segment, day_range: tuple[int, int] | None, articles: np.ndarray | None = None
):
    """A filter on candidate rows for tombstones, the date range and allowed articles, or None."""
    dead = seg.dead_mask
    if dead is None and day_range is None and articles is None:
        return None
    days = seg.data.published_days
    article_ids = seg.data.article_ids

    def accept(rows: np.ndarray) -> np.ndarray:
        keep = np.ones(rows.size, dtype=bool) if dead is None else ~dead[rows]
        if day_range is not None:
            d = days[rows]
            keep &= (d >= day_range[0]) & (d <= day_range[1])
        if articles is not None:
            ids = article_ids[rows]
            known = ids < articles.size
            keep &= known
            keep[known] &= articles[ids[known]]
        return keep

    return accept


def _blocks_of(data: SegmentData) -> Blocks | None:
    """The segment's block bounds for ``evaluate`` (None in segments written before them)."""
    if data.block_min_len is None:
        return None
    return Blocks(data.block_min_len, data.block_postings)


def _params_of(manifest: Manifest) -> BM25Params:
    p = manifest.params
    return BM25Params(k1=float(p["k1"]), b=float(p["b"]), epsilon=float(p["epsilon"]))


def _add_dead(seg: _Segment, new_rows: np.ndarray) -> DeadRows:
    """Tombstones of ``seg`` plus ``new_rows``, with the df each term loses.

    Finding a row's terms scans the segment's postings once through a row mask (a gather,
    ~0.1 s for 45M postings); removals are rare, queries never pay for it.
    """
    postings = seg.data.postings
    mask = np.zeros(seg.data.n_docs, dtype=bool)
    mask[new_rows] = True
    positions = np.flatnonzero(mask[rows_array(postings.doc_rows)])
    terms = np.searchsorted(postings.indptr, positions, side="right") - 1
    old = seg.dead
    if old is not None:
        rows = np.union1d(old.rows, new_rows)
        terms = np.concatenate([old.term_ids, terms])
        counts = np.concatenate([old.counts, np.ones(positions.size, np.int64)])
    else:
        rows = np.sort(new_rows.astype(np.int64))
        counts = np.ones(positions.size, np.int64)
    if terms.size == 0:
        return DeadRows(rows, np.empty(0, np.int64), np.empty(0, np.int64))
    summed = np.bincount(terms, weights=counts, minlength=0)
    term_ids = np.flatnonzero(summed)
    return DeadRows(rows, term_ids.astype(np.int64), summed[term_ids].astype(np.int64))


def _load_segment(
    gen_dir: Path, ref: SegmentRef, data: SegmentData | None, prefault: bool = True
) -> _Segment:
    if data is None:
        data = store.read_segment(gen_dir / ref.name, prefault=prefault)
    # Nothing removed: each term's df from ``indptr`` when asked (``columns.TermCounts``),
    # not 4 bytes a term of the querying process's heap. With removals an int32 array (a df
    # never exceeds the rows), as ``base_df`` is once deltas exist.
    df: np.ndarray | TermCounts = TermCounts(data.postings.indptr)
    live_docs, live_len = data.n_docs, int(data.doc_len.sum(dtype=np.int64))
    dead = dead_mask = None
    if ref.dead is not None:
        dead = store.read_dead(gen_dir / ref.dead)
        bad_rows = dead.rows.size and (dead.rows.min() < 0 or dead.rows.max() >= data.n_docs)
        bad_terms = dead.term_ids.size and (
            dead.term_ids.min() < 0 or dead.term_ids.max() >= df.size
        )
        if bad_rows or bad_terms:
            raise store.unavailable(f"{ref.dead} does not match {ref.name}")
        dead_mask = np.zeros(data.n_docs, dtype=bool)
        dead_mask[dead.rows] = True
        df = np.asarray(df)
        df[dead.term_ids] -= dead.counts
        if df.size and df.min() < 0:
            raise store.unavailable(f"{ref.dead} does not match {ref.name}")
        live_docs -= int(dead.rows.size)
        live_len -= int(data.doc_len[dead.rows].sum(dtype=np.int64))
    return _Segment(ref.name, data, dead, ref.dead, dead_mask, df, live_docs, live_len)


def _load_state(index_dir: Path, reuse: _State | None = None, *, prefault: bool = True) -> _State:
    """Read CURRENT, its manifest, segments and tombstones; compute live statistics.

    ``reuse`` avoids re-reading segments of the same generation this process already maps.
    """
    pointer = store.read_current(index_dir)
    if pointer is None:
        raise store.unavailable(f"no search index has been built in {index_dir.name}/")
    gen_dir = index_dir / pointer.generation
    if not gen_dir.is_dir():
        raise store.unavailable(f"generation {pointer.generation} is missing")
    manifest = store.read_manifest(gen_dir, pointer.seq)
    known: dict[str, SegmentData] = {}
    if reuse is not None and reuse.gen_dir == gen_dir:
        known = {seg.name: seg.data for seg in reuse.segments}
    segments = tuple(
        _load_segment(gen_dir, ref, known.get(ref.name), prefault) for ref in manifest.segments
    )
    return _state_of(manifest, gen_dir, segments, _params_of(manifest))


def _state_of(
    manifest: Manifest, gen_dir: Path, segments: tuple[_Segment, ...], params: BM25Params
) -> _State:
    n_docs = sum(seg.live_docs for seg in segments)
    total_len = sum(seg.live_len for seg in segments)
    avgdl = total_len / n_docs if n_docs else 0.0
    base = segments[0]
    base_df = np.array(base.df_live) if len(segments) > 1 else base.df_live
    extra: Counter[str] = Counter()
    for seg in segments[1:]:
        base_ids = seg.data.base_term_ids
        if base_ids is None or base_ids.shape != seg.df_live.shape:
            raise store.unavailable(f"{seg.name} lacks its base term ids")
        in_base = base_ids >= 0
        np.add.at(base_df, base_ids[in_base], seg.df_live[in_base])
        for term_id in np.flatnonzero(~in_base & (seg.df_live > 0)).tolist():
            extra[seg.data.vocab.term(term_id)] += int(seg.df_live[term_id])
    extra_df = {t: c for t, c in extra.items() if c > 0}
    live = base_df[base_df > 0]
    all_df = np.concatenate([live, np.fromiter(extra_df.values(), np.int64, len(extra_df))])
    floor = idf_floor(all_df, n_docs, params) if n_docs else 0.0
    stats = tuple(RowStats.of(seg.data.doc_len, avgdl, params) for seg in segments)
    return _State(manifest, gen_dir, segments, n_docs, avgdl, stats, base_df, extra_df, floor)


def _merge_segments(segs: Sequence[_Segment], base_vocab: Vocabulary | None = None) -> SegmentData:
    """One segment holding the live documents of ``segs``, built from their postings.

    With ``base_vocab`` the result is a delta of that base (its ``base_term_ids`` set).
    """
    term_lists = [seg.data.vocab.terms() for seg in segs]
    # Terms whose every posting died are left out: BM25Okapi's mean idf runs over the words
    # of the live corpus only.
    union = sorted(
        {
            terms[i].encode("utf-8", errors="surrogatepass")
            for seg, terms in zip(segs, term_lists, strict=True)
            for i in np.flatnonzero(seg.df_live > 0).tolist()
        }
    )
    vocab = Vocabulary.from_sorted(union)
    new_id = {t: i for i, t in enumerate(vocab.terms())}
    live_rows = [
        np.flatnonzero(~seg.dead_mask) if seg.dead_mask is not None else np.arange(seg.data.n_docs)
        for seg in segs
    ]
    pids = np.concatenate(
        [seg.data.passage_ids[r] for seg, r in zip(segs, live_rows, strict=True)]
    )
    order = np.argsort(pids, kind="stable")
    new_row_flat = np.empty(order.size, dtype=np.int64)
    new_row_flat[order] = np.arange(order.size)
    n_docs = int(order.size)
    term_parts, row_parts, tf_parts = [], [], []
    start = 0
    for seg, rows, terms in zip(segs, live_rows, term_lists, strict=True):
        row_map = np.full(seg.data.n_docs, -1, dtype=np.int64)
        row_map[rows] = new_row_flat[start : start + rows.size]
        start += rows.size
        local_to_new = np.fromiter((new_id.get(t, -1) for t in terms), np.int64, len(terms))
        postings = seg.data.postings
        term_of = np.repeat(np.arange(postings.n_terms, dtype=np.int64), np.diff(postings.indptr))
        mapped = row_map[rows_array(postings.doc_rows)]
        alive = mapped >= 0
        term_parts.append(local_to_new[term_of[alive]])
        row_parts.append(mapped[alive])
        tf_parts.append(expand_tf(postings, seg.data.tier_split, seg.data.tf_starts)[alive])
    postings = postings_from_pairs(
        np.concatenate(term_parts),
        np.concatenate(row_parts),
        np.concatenate(tf_parts),
        vocab.size,
        n_docs,
    )

    def gather(name: str) -> np.ndarray:
        parts = [getattr(seg.data, name)[r] for seg, r in zip(segs, live_rows, strict=True)]
        return np.concatenate(parts)[order]

    return segment_data(
        vocab,
        postings,
        doc_len=gather("doc_len"),
        passage_ids=pids[order],
        article_ids=gather("article_ids"),
        published_days=gather("published_days"),
        base_term_ids=None
        if base_vocab is None
        else np.fromiter(map(base_vocab.lookup, vocab.terms()), np.int64, vocab.size),
    )


def _publish_generation(
    index_dir: Path, segments_data: list[SegmentData], params: BM25Params, *, locked: bool = False
) -> str:
    """Write a generation (base only) and atomically make it current."""
    generation = store.next_generation_name(index_dir)
    tmp = store.temporary_generation_dir(index_dir, generation)
    tmp.mkdir()
    try:
        store.write_segment(tmp / "base", segments_data[0], "base")
        manifest = Manifest(
            generation,
            0,
            (SegmentRef("base", None),),
            {"k1": params.k1, "b": params.b, "epsilon": params.epsilon},
        )
        store.write_manifest(tmp, manifest)
        final = store.publish_generation(tmp, index_dir, generation)
    except BaseException:
        # A full disk must not be kept full by the half-written generation.
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    def swap() -> None:
        try:
            previous = store.read_current(index_dir)
        except IndexUnavailableError:
            previous = None  # a damaged pointer is simply replaced
        store.write_current(index_dir, Pointer(generation, 0))
        keep = {generation} | ({previous.generation} if previous else set())
        store.remove_stale_generations(index_dir, keep)

    if locked:
        swap()
    else:
        with store.writer_lock(index_dir):
            swap()
    logger.debug("published %s", final)
    return generation
