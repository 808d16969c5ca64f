"""Passages → term ids on both cores: ``PassageEncoder`` in worker processes over chunks.

Encoding is most of a full build's CPU (13.5 µs a passage, pure Python per first sight and
numpy per word), and one process uses one core. ``encode_chunks`` hands chunks of passages to
a pool of processes, each with its own ``PassageEncoder`` (and its own analyzer caches), and
gives back the chunks' ``EncodedTerms`` in input order with ids in one id space, as if one
encoder had read them all.

Each worker's ids are its own (first seen first, in the order it encoded its chunks), so the
parent joins them by term string: a worker's result lists the terms it saw first, the parent
gives every such term its id in the joined space (a dict lookup per new term, not per word)
and keeps, per worker, an array from the worker's ids to joined ids; a chunk's term ids are
then one gather. A worker takes chunks in submission order and the parent consumes results
in that order, so each worker's new terms arrive in the order the worker assigned them.

The joined ids are first-seen in the order the parent read the results, not the one-process
encoder's ids; a segment does not depend on them (its vocabulary is in byte order and its
runs are sorted by term bytes), so the built index is the one-process index array for array
(``tests/index/search/test_streamed_build.py``).

A full build (``newsdesk reindex``, the bench) goes further: its workers also sort the runs
of the index (``index.search.workers``); ``workers_for`` decides there too.

Below ``MIN_PASSAGES_PER_WORKER`` passages a worker's start (a fresh interpreter importing
numpy and the analyzer) costs more than it saves: ``workers_for`` picks one process, and
``encode_chunks`` with one worker encodes in the calling process.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context

import numpy as np

from index.analysis.analyzer import Analyzer
from index.analysis.encoding import PassageEncoder
from index.models import EncodedTerms, Lang

#: Processes for a large build: the machine's cores, at most two (the target machine's).
MAX_WORKERS = 2
#: Passages a worker must get for the pool to pay off. Measured with
#: ``python -m index.bench.encode_workers``: see docs/performance.md ("Both cores").
MIN_PASSAGES_PER_WORKER = 250_000
#: Chunks submitted ahead of the one being consumed, per worker: enough to keep every
#: worker busy while the parent consumes, few enough that memory stays a few chunks.
_AHEAD_PER_WORKER = 2


@dataclass(frozen=True, slots=True)
class EncodeChunk:
    """One chunk of passages to encode (the arguments of ``PassageEncoder.encode``)."""

    texts: Sequence[str]
    langs: Sequence[Lang]
    published_ats: Sequence[datetime | None]
    extra_terms: Sequence[Sequence[str]] | None = None


@dataclass(frozen=True, slots=True)
class _WorkerResult:
    """A chunk encoded by one worker: its ids, and where its ``new_terms`` start."""

    worker: int  # the worker's pid
    first_new_id: int
    terms: EncodedTerms


def workers_for(n_passages: int | None) -> int:
    """How many processes to encode ``n_passages`` with (1: in the calling process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = min(MAX_WORKERS, cores or 1)
    if n_passages is None:
        return limit
    return max(1, min(limit, n_passages // MIN_PASSAGES_PER_WORKER))


def encode_chunks(chunks: Iterable[EncodeChunk], workers: int) -> Iterator[EncodedTerms]:
    """Each chunk's terms, in input order, ids in one space (see the module docstring).

    With ``workers`` ≤ 1 one ``PassageEncoder`` in this process encodes everything. The pool
    is shut down when the iterator is exhausted, closed or fails (pending chunks are
    cancelled).
    """
    for (terms,) in encode_groups(((chunk,) for chunk in chunks), workers):
        yield terms


def encode_groups(
    groups: Iterable[Sequence[EncodeChunk]], workers: int, analyzer: Analyzer | None = None
) -> Iterator[list[EncodedTerms]]:
    """``encode_chunks`` for groups of chunks one encoder reads in a row (a reindex batch's
    bodies, titles and bylines), each group's terms as a list in the group's order.

    ``analyzer`` serves the one-process case (its caches are then warm for questions); a
    worker makes its own ``Analyzer``, which gives the same terms (it has no settings).
    """
    if workers <= 1:
        encoder = PassageEncoder(analyzer)
        for group in groups:
            yield [_encode(encoder, chunk) for chunk in group]
        return
    joiner = _IdJoiner()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker
    )
    pending: deque[Future[list[_WorkerResult]]] = deque()
    try:
        for group in groups:
            pending.append(pool.submit(_encode_in_worker, tuple(group)))
            if len(pending) > workers * _AHEAD_PER_WORKER:
                yield [joiner.join(part) for part in pending.popleft().result()]
        while pending:
            yield [joiner.join(part) for part in pending.popleft().result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _encode(encoder: PassageEncoder, chunk: EncodeChunk) -> EncodedTerms:
    return encoder.encode(chunk.texts, chunk.langs, chunk.published_ats, chunk.extra_terms)


class _IdJoiner:
    """Workers' term ids → ids in one space, joined by term string."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._maps: dict[int, np.ndarray] = {}  # worker → joined id of each worker id
        self._sizes: dict[int, int] = {}

    def join(self, result: _WorkerResult) -> EncodedTerms:
        size = self._sizes.get(result.worker, 0)
        if result.first_new_id != size:
            raise RuntimeError("a worker's chunks were joined out of their encoding order")
        new_terms = result.terms.new_terms
        n_before = len(self._ids)
        ids = self._ids
        joined = [ids.setdefault(term, len(ids)) for term in new_terms]
        mapping = self._grown(result.worker, size + len(joined))
        mapping[size : size + len(joined)] = joined
        self._sizes[result.worker] = size + len(joined)
        first_seen = tuple(new_terms[i] for i, j in enumerate(joined) if j >= n_before)
        term_ids = mapping[result.terms.term_ids] if result.terms.term_ids.size else None
        return EncodedTerms(
            term_ids if term_ids is not None else np.empty(0, np.int32),
            result.terms.passages,
            first_seen,
        )

    def _grown(self, worker: int, needed: int) -> np.ndarray:
        mapping = self._maps.get(worker)
        if mapping is None or mapping.size < needed:
            grown = np.empty(max(needed, 2 * (0 if mapping is None else mapping.size)), np.int32)
            if mapping is not None:
                grown[: mapping.size] = mapping
            self._maps[worker] = mapping = grown
        return mapping


_encoder: PassageEncoder | None = None


def _start_worker() -> None:
    global _encoder
    _encoder = PassageEncoder()


def _encode_in_worker(group: tuple[EncodeChunk, ...]) -> list[_WorkerResult]:
    encoder = _encoder
    if encoder is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("worker started without its encoder")
    results = []
    for chunk in group:
        first = encoder.n_terms
        results.append(_WorkerResult(os.getpid(), first, _encode(encoder, chunk)))
    return results
