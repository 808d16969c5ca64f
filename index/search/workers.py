"""A full build on both cores: worker processes encode, extract and sort runs; this one merges.

The streamed build (``runs``) sorts term occurrences into runs and merges them by term. Here
that first half moves into a few spawned worker processes, each with its own state (an
encoder, made by ``WorkerTask.start``): a worker turns each job's payload into term ids
(``WorkerTask.work``, which may also do side work, such as statement extraction, and return
its result), buffers them per stream and sorts them into runs keyed by term bytes, spilled to
the stream's spill directory. This process only hands out jobs, joins the workers' term ids
into one id space by term string, keeps the per-passage columns and, at the end, merges.

Why the index is the one-process index array for array:

- A run holds a stretch of consecutive documents. Jobs go to the workers in stretches of
  ``STRETCH_DOCS`` documents, a whole stretch to one worker, which cuts its runs at the
  stretch's end (and within it, at ``runs.RUN_TOKENS``). Runs taken in stretch order are
  then in document order, as the one-process writer's are, so the merge places each term's
  rows in order without a sort (the same ``runs.merge_runs``).
- A run's terms are sorted by their bytes, the final vocabulary's order, whoever encoded
  them; their ids are the worker's. At the end each worker sends its terms sorted, this
  process merges those sorted lists into the vocabulary (``_union``) and each worker's ids
  map to final ids by a gather as the merge reads the runs. No term is held here while the
  workers run: a dict joining the workers' terms as they came, its 500k ``bytes`` keys and the
  holes they left among the objects freed beside them were ~60 MiB of this process at 1M
  passages, and their sort another ~60 MiB on top (docs/performance.md, "Issue 16: build
  peak at 1M, second round").

Each worker is a pool of one process, so its jobs (and its ids) are its own, in order. At
most ``workers`` stretches of jobs are in flight, so memory is bounded by a few stretches of
text, whatever the corpus size. A build that fails cancels what is pending and shuts the
workers down before the spill directories are removed (``close``).
"""

from __future__ import annotations

import gc
import os
import resource
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.models import EncodedTerms
from index.search import runs
from index.search.heap import release_free_memory
from index.search.postings import Vocabulary
from index.search.runs import Run, RunWriter
from index.search.term_table import TermTable

if TYPE_CHECKING:  # a worker process never imports the segment writer
    from index.search.building import DocColumnParts

#: Documents of stream 0 (passages) a worker gets in a row: ~0.44M tokens on the bench corpus
#: (~44 tokens a passage), one run (under ``runs.WORKER_RUN_TOKENS``); one job of a reindex
#: or the bench (10k passages), as a stretch holds whole jobs. This process holds the text of
#: up to ``workers`` stretches in flight (~9 MB of ``str`` per 10k passages), and a worker
#: buffers and sorts a stretch's tokens at once. At 1M passages, 20k rather than 50k took
#: each worker's peak from ~220 to ~190 MiB (docs/performance.md, "Issue 16: build peak and
#: query RSS at 1M"); 10k rather than 20k, with the workers' terms in a ``TermTable``, from
#: 117 to 105 MiB and this process's while the workers run from 104 to 96, for 100 runs to
#: merge rather than 50 (the merge's peak +2 MiB; "Issue 16: build peak at 1M, third round").
STRETCH_DOCS = 10_000


@dataclass(frozen=True, slots=True)
class Worked:
    """What ``WorkerTask.work`` made of one payload.

    ``streams`` holds each stream's term occurrences (``passages`` index the job's documents
    of that stream), ids in the worker state's space; ``new_terms`` are the terms this
    payload saw first, in id order (the streams' own ``new_terms`` are not read).
    """

    new_terms: tuple[str, ...]
    streams: tuple[EncodedTerms, ...]
    side: Any = None


@dataclass(frozen=True, slots=True)
class WorkerTask:
    """What a worker does: module-level functions, so they pickle by reference."""

    start: Callable[[], Any]  # the worker's state, once per worker
    work: Callable[[Any, Any], Worked]  # (state, payload) → its terms and side result
    #: the state's own table of its terms (``TermTable``, ids in id order), if it keeps one (an
    #: encoder): the runs then sort by it rather than by a copy (~10 MB a worker at 500k terms)
    terms: Callable[[Any], TermTable] | None = None


@dataclass(frozen=True, slots=True)
class DocColumns:
    """The per-document columns of one job's documents in one stream (kept here)."""

    passage_ids: np.ndarray
    article_ids: np.ndarray
    published_days: np.ndarray


@dataclass(frozen=True, slots=True)
class BuildJob:
    """One job: a payload for ``WorkerTask.work`` and its documents' columns per stream."""

    payload: Any
    docs: tuple[DocColumns, ...]


@dataclass(frozen=True, slots=True)
class StreamRuns:
    """One stream's collected build: runs (term ids, through each run's ``term_map``, are
    ids of ``vocab``, the sorted vocabulary every stream shares) and columns."""

    runs: list[Run]
    vocab: Vocabulary
    columns: DocColumnParts


@dataclass(frozen=True, slots=True)
class WorkerBuild:
    """What ``SearchIndex.build_in_workers`` built: an index per stream, and each worker's
    largest resident set (bytes), for the build's memory beside this process's."""

    indexes: list[Any]  # SearchIndex
    worker_peak_rss: tuple[int, ...]
    worker_cpu_s: tuple[float, ...]  # each worker's CPU seconds (user + system)


@dataclass(frozen=True, slots=True)
class _Job:
    payload: Any
    first_docs: tuple[int, ...]
    n_docs: tuple[int, ...]
    cut: bool  # the last job of its stretch: cut the runs after it


@dataclass(frozen=True, slots=True)
class _SortedTerms:
    """A worker's terms in byte order: UTF-8 ``blob`` cut at ``offsets``, and the worker's
    id of each (``ids``)."""

    blob: bytes
    offsets: np.ndarray  # int64, one more than terms
    ids: np.ndarray  # int32


@dataclass(frozen=True, slots=True)
class _Done:
    lengths: tuple[np.ndarray, ...]
    runs: tuple[tuple[Run, ...], ...]  # per stream, the runs finished with this job
    side: Any
    peak_rss: int
    cpu_s: float
    sorted_terms: _SortedTerms | None = None  # the worker's last answer (``_finish``)


class WorkerRuns:
    """Worker processes turning ``BuildJob``s into sorted runs per stream (module docstring)."""

    def __init__(self, task: WorkerTask, spill_dirs: Sequence[Path], workers: int) -> None:
        from index.search.building import DocColumnParts

        self._n_streams = len(spill_dirs)
        context = get_context("spawn")
        self._pools = [
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(task, tuple(spill_dirs), index, _worker_run_tokens()),
            )
            for index in range(max(1, workers))
        ]
        self._sorted_terms: list[_SortedTerms] = []
        # each run with the worker that made it (its ids are that worker's until ``finish``)
        self._runs: list[list[tuple[Run, int]]] = [[] for _ in spill_dirs]
        self._columns = [DocColumnParts() for _ in spill_dirs]
        self.peak_rss = [0] * len(self._pools)
        self.cpu_s = [0.0] * len(self._pools)

    def __enter__(self) -> WorkerRuns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, jobs: Iterator[BuildJob] | Sequence[BuildJob]) -> Iterator[tuple[BuildJob, Any]]:
        """Each job with its side result, in input order, once its worker is done with it."""
        workers = len(self._pools)
        first_docs = [0] * self._n_streams
        worker, in_stretch, in_flight = 0, 0, 0
        pending: deque[tuple[BuildJob, Future[_Done], int, int]] = deque()
        for job in jobs:
            n_docs = tuple(int(d.passage_ids.size) for d in job.docs)
            in_stretch += n_docs[0]
            cut = in_stretch >= STRETCH_DOCS
            message = _Job(job.payload, tuple(first_docs), n_docs, cut)
            pending.append((job, self._pools[worker].submit(_work, message), worker, n_docs[0]))
            first_docs = [f + n for f, n in zip(first_docs, n_docs, strict=True)]
            in_flight += n_docs[0]
            if cut:
                worker, in_stretch = (worker + 1) % workers, 0
            # Every worker busy with a stretch, and the next one being handed out.
            while pending and in_flight > workers * STRETCH_DOCS:
                done_job, future, owner, n = pending.popleft()
                in_flight -= n
                yield done_job, self._collect(done_job, future.result(), owner)
        while pending:
            done_job, future, owner, _ = pending.popleft()
            yield done_job, self._collect(done_job, future.result(), owner)

    def finish(self) -> list[StreamRuns]:
        """Cut every worker's last runs; each stream's runs in document order."""
        # Every stretch but the last ended with a cut: only its worker has anything left.
        for owner, pool in enumerate(self._pools):
            done = pool.submit(_finish).result()
            self._take(done, owner)
            if done.sorted_terms is None:  # pragma: no cover - _finish always sends them
                raise RuntimeError("a build worker finished without its terms")
            self._sorted_terms.append(done.sorted_terms)
        vocab, maps = _union(self._sorted_terms)
        self._sorted_terms = []
        # the holes of the text that was in flight, and the union's temporaries (~35 MiB at
        # 1M passages, which the merge's blocks did not reuse)
        release_free_memory()
        return [
            StreamRuns([replace(run, term_map=maps[owner]) for run, owner in runs], vocab, columns)
            for runs, columns in zip(self._runs, self._columns, strict=True)
        ]

    def close(self) -> None:
        """Cancel pending jobs and stop the workers (on success or failure)."""
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, job: BuildJob, done: _Done, owner: int) -> Any:
        self._take(done, owner)
        for stream, (docs, lengths) in enumerate(zip(job.docs, done.lengths, strict=True)):
            self._columns[stream].append(
                docs.passage_ids, docs.article_ids, docs.published_days, lengths
            )
        return done.side

    def _take(self, done: _Done, owner: int) -> None:
        for stream, finished in enumerate(done.runs):
            self._runs[stream].extend((run, owner) for run in finished)
        self.peak_rss[owner] = max(self.peak_rss[owner], done.peak_rss)
        self.cpu_s[owner] = max(self.cpu_s[owner], done.cpu_s)


def _union(lists: list[_SortedTerms]) -> tuple[Vocabulary, list[np.ndarray]]:
    """The vocabulary of every worker's sorted terms, and each worker's ids → its ids.

    Two sorted lists are merged in one pass over their blobs (``_merge_sorted``), more than
    two one after the other.
    """
    if not lists:
        return Vocabulary.from_sorted([]), []
    blob, offsets = lists[0].blob, lists[0].offsets
    positions = [np.arange(offsets.size - 1, dtype=np.int32)]  # of each list's sorted terms
    for other in lists[1:]:
        blob, offsets, mine, theirs = _merge_sorted(blob, offsets, other.blob, other.offsets)
        positions = [mine[p] for p in positions]
        positions.append(theirs)
    maps = []
    for sorted_terms, position in zip(lists, positions, strict=True):
        mapping = np.empty(position.size, dtype=np.int32)
        mapping[sorted_terms.ids] = position
        maps.append(mapping)
    return Vocabulary(blob, offsets), maps


def _merge_sorted(
    blob_a: bytes, offsets_a: np.ndarray, blob_b: bytes, offsets_b: np.ndarray
) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    """The union of two sorted lists of distinct terms (blob, offsets), and where each one's
    terms went in it.

    One comparison of two ``bytes`` a term, each term sliced from its blob when reached, so
    no list of 500k ``bytes`` objects (and no ``int`` a term) is made: merging two workers'
    495k terms (the 1M bench corpus) took 0.6–0.8 s CPU, where sorting their joined 500k
    terms took 1.1–1.3 s.
    """
    ends_a, ends_b = array("q"), array("q")
    ends_a.frombytes(np.ascontiguousarray(offsets_a, dtype=np.int64).tobytes())
    ends_b.frombytes(np.ascontiguousarray(offsets_b, dtype=np.int64).tobytes())
    n_a, n_b = len(ends_a) - 1, len(ends_b) - 1
    union = bytearray()
    lengths, where_a, where_b = array("q"), array("i"), array("i")
    i = j = count = 0
    x = blob_a[ends_a[0] : ends_a[1]] if n_a else b""
    y = blob_b[ends_b[0] : ends_b[1]] if n_b else b""
    while i < n_a and j < n_b:
        if x <= y:
            where_a.append(count)
            if x == y:
                where_b.append(count)
                j += 1
                if j < n_b:
                    y = blob_b[ends_b[j] : ends_b[j + 1]]
            union += x
            lengths.append(len(x))
            i += 1
            if i < n_a:
                x = blob_a[ends_a[i] : ends_a[i + 1]]
        else:
            where_b.append(count)
            union += y
            lengths.append(len(y))
            j += 1
            if j < n_b:
                y = blob_b[ends_b[j] : ends_b[j + 1]]
        count += 1
    for blob, ends, start, n, where in (
        (blob_a, ends_a, i, n_a, where_a),
        (blob_b, ends_b, j, n_b, where_b),
    ):
        if start < n:
            where.extend(range(count, count + n - start))
            union += blob[ends[start] : ends[n]]
            lengths.extend(ends[k + 1] - ends[k] for k in range(start, n))
            count += n - start
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(lengths, dtype=np.int64), out=offsets[1:])
    return (
        bytes(union),
        offsets,
        np.frombuffer(where_a, dtype=np.int32).copy(),
        np.frombuffer(where_b, dtype=np.int32).copy(),
    )


def _worker_run_tokens() -> int:
    """A worker's run size: ``runs.WORKER_RUN_TOKENS``, or the smaller ``runs.RUN_TOKENS``
    as this process has it (tests shrink it to make many runs)."""
    return min(runs.RUN_TOKENS, runs.WORKER_RUN_TOKENS)


# -- in the worker process ------------------------------------------------------------------

_worker: _WorkerState | None = None


class _WorkerState:
    def __init__(
        self, task: WorkerTask, spill_dirs: tuple[Path, ...], index: int, run_tokens: int
    ) -> None:
        self.task = task
        self.state = task.start()
        # The terms by their UTF-8 bytes (``TermTable``): a run sorts its terms by them, in
        # the merge's order; the state's own table when it has one, else one filled here from
        # each job's ``new_terms``.
        self.shares_terms = task.terms is not None
        self.terms = task.terms(self.state) if task.terms is not None else TermTable()
        self.writers = [
            RunWriter(
                spill, run_tokens, background=False, name=f"w{index}-s{stream}", terms=self.terms
            )
            for stream, spill in enumerate(spill_dirs)
        ]

    def done(
        self,
        worked: Worked | None,
        lengths: tuple[np.ndarray, ...],
        sorted_terms: _SortedTerms | None = None,
    ) -> _Done:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return _Done(
            lengths=lengths,
            runs=tuple(tuple(w.take_runs()) for w in self.writers),
            side=worked.side if worked else None,
            peak_rss=_own_peak_rss(usage),
            cpu_s=usage.ru_utime + usage.ru_stime,
            sorted_terms=sorted_terms,
        )

    def sorted_terms(self) -> _SortedTerms:
        """Every term this worker saw, in byte order (``TermTable.sorted_terms``: no Python
        object a term). 0.2–0.3 s CPU for a worker's 495k terms at 1M passages; the object
        array's argsort and a ``bytes`` a term it replaced took 1.4–2.2 s (docs/performance.md,
        "Issue 16: build peak at 1M, third round")."""
        blob, offsets, ids = self.terms.sorted_terms()
        return _SortedTerms(blob, offsets, ids)


def _own_peak_rss(usage: resource.struct_rusage) -> int:
    """This process's own highest resident set (bytes): ``VmHWM``, not ``ru_maxrss``.

    A spawned process's ``ru_maxrss`` starts at its parent's highest resident set: Linux keeps
    the larger of the old and the new memory's high-water mark across ``execve``, and the
    spawn execs from the parent's memory (``vfork``). A parent that once held 327 MiB gave a
    fresh spawned child 327 for ``ru_maxrss`` and 28 for ``VmHWM``; the bench's workers,
    spawned after its build process generated the text (~150 MiB), each reported those
    ~150 MiB as theirs, above their own ~99 (docs/performance.md, "Issue 16: build peak at
    1M, third round"). ``ru_maxrss`` where ``/proc`` does not say.
    """
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return usage.ru_maxrss * 1024  # pragma: no cover - not Linux


def _start_worker(
    task: WorkerTask, spill_dirs: tuple[Path, ...], index: int, run_tokens: int
) -> None:
    global _worker
    # the parent's run size (``_worker_run_tokens`` as the parent has it)
    _worker = _WorkerState(task, spill_dirs, index, run_tokens)


def _state() -> _WorkerState:
    if _worker is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError(f"build worker {os.getpid()} started without its state")
    return _worker


def _work(job: _Job) -> _Done:
    worker = _state()
    worked = worker.task.work(worker.state, job.payload)
    if not worker.shares_terms:
        first = len(worker.terms)
        for offset, term in enumerate(worked.new_terms):
            if worker.terms.intern(term) != first + offset:
                raise ValueError(f"a job's new term {term!r} was not new, or came twice")
    lengths = []
    for writer, terms, first, n in zip(
        worker.writers, worked.streams, job.first_docs, job.n_docs, strict=True
    ):
        writer.add(terms.term_ids, terms.passages.astype(np.int32) + np.int32(first))
        lengths.append(np.bincount(terms.passages, minlength=n).astype(np.int32))
    if job.cut:
        for writer in worker.writers:
            writer.cut()
    return worker.done(worked, tuple(lengths))


def _finish() -> _Done:
    worker = _state()
    for writer in worker.writers:
        writer.cut()
    # no job follows: the task's state (an encoder's chunk tables; its ``TermTable`` stays,
    # held by this worker) goes before the terms are sorted, so the sort does not add to
    # the worker's peak
    worker.state = None
    gc.collect()  # an encoder's parts refer to it: freed by the collector
    release_free_memory()
    return worker.done(None, (), worker.sorted_terms())
