"""Building segments: term occurrences → CSR postings, tiers and bounds, one path for all.

A segment is built from ``DocRecord``s (incremental adds, small builds), from encoded
batches whose terms are already ids (a full reindex: ``index.analysis.encoding``), or from
the postings of segments being merged (``engine``); ``segment_data`` finishes all three, so a
fresh build and a merge can never disagree on what a segment holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.models import DocRecord, EncodedBatch, Progress
from index.search.heap import release_free_memory
from index.search.postings import (
    Postings,
    TokenCollector,
    Vocabulary,
    block_min_lengths,
    build_postings,
    sort_vocabulary,
    sort_vocabulary_bytes,
    term_bounds,
    tier_postings,
)
from index.search.runs import Run, RunWriter, merge_runs
from index.search.segments import SegmentData

ProgressCallback = Callable[[Progress], None]

# DocRecords between two "build" progress ticks.
_PROGRESS_EVERY = 10_000


def segment_from_docs(
    docs: Iterable[DocRecord],
    base_vocab: Vocabulary | None,
    *,
    total: int | None = None,
    progress: ProgressCallback | None = None,
    started: float | None = None,
) -> SegmentData:
    """Tokens of DocRecords → a segment (rows sorted by passage id)."""
    collector = TokenCollector()
    pids: list[int] = []
    aids: list[int] = []
    days: list[int] = []
    started = time.perf_counter() if started is None else started
    for doc in docs:
        collector.add(doc.terms)
        pids.append(doc.passage_id)
        aids.append(doc.article_id)
        days.append(doc.published_day)
        if progress is not None and len(pids) % _PROGRESS_EVERY == 0:
            elapsed = time.perf_counter() - started
            progress(Progress("build", len(pids), total, "passages", elapsed))
    batch = collector.finish()
    tokens = _Tokens(
        terms=batch.terms,
        term_ids=batch.token_ids,
        passages=np.repeat(np.arange(len(pids), dtype=np.int32), batch.doc_lengths),
        passage_ids=np.asarray(pids, dtype=np.int64),
        article_ids=np.asarray(aids, dtype=np.int64),
        published_days=np.asarray(days, dtype=np.int32),
    )
    if progress is not None:
        progress(Progress("build", len(pids), total, "passages", time.perf_counter() - started))
    return _segment_from_tokens(tokens, base_vocab)


def segment_from_batches(
    batches: Iterable[EncodedBatch],
    *,
    spill_dir: Path | None = None,
    total: int | None = None,
    progress: ProgressCallback | None = None,
    started: float | None = None,
) -> SegmentData:
    """Encoded batches (term ids already assigned by one encoder) → a segment.

    Streams: term occurrences go through sorted runs spilled to ``spill_dir`` and merged term
    block by term block (``runs``), so memory does not grow with the corpus beyond 24 bytes a
    passage. Without ``spill_dir`` everything stays in one run in memory. Either way the
    segment is the one ``segment_from_docs`` builds from the same passages (tested).
    """
    writer = RunWriter(spill_dir)
    columns = DocColumnParts()
    done = 0
    started = time.perf_counter() if started is None else started
    try:
        for batch in batches:
            encoded = batch.terms
            n = int(batch.passage_ids.size)
            writer.add_terms(encoded.new_terms)
            owners = encoded.passages.astype(np.int32) + np.int32(done)
            writer.add(encoded.term_ids, owners)
            lengths = np.bincount(encoded.passages, minlength=n).astype(np.int32)
            columns.append(batch.passage_ids, batch.article_ids, batch.published_days, lengths)
            done += n
            if progress is not None:
                progress(Progress("build", done, total, "passages", time.perf_counter() - started))
        runs = writer.finish()
    finally:
        writer.close()
    return segment_from_runs(runs, writer.terms, columns, spill_dir, drop_terms=True)


class DocColumnParts:
    """The per-passage columns of a streamed build, batch by batch, in input order."""

    def __init__(self) -> None:
        self.passage_ids: list[np.ndarray] = []
        self.article_ids: list[np.ndarray] = []
        self.published_days: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []

    def append(
        self,
        passage_ids: np.ndarray,
        article_ids: np.ndarray,
        published_days: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """One batch's passages: ids, articles, days and term counts."""
        self.passage_ids.append(np.asarray(passage_ids, dtype=np.int64))
        self.article_ids.append(np.asarray(article_ids, dtype=np.int64))
        self.published_days.append(np.asarray(published_days, dtype=np.int32))
        self.lengths.append(np.asarray(lengths, dtype=np.int32))


def segment_from_runs(
    runs: list[Run],
    terms: list[bytes] | Vocabulary,
    columns: DocColumnParts,
    spill_dir: Path | None,
    *,
    drop_terms: bool = False,
) -> SegmentData:
    """Sorted runs (documents numbered in input order) → a segment: rows in passage-id order,
    the vocabulary in byte order, the runs merged term block by term block (``runs``).

    ``terms`` are the UTF-8 terms the runs' term ids index, or the vocabulary itself when
    they index it already (a build in workers); with ``drop_terms`` (no other stream shares
    them) a list is emptied once the vocabulary is made of it, as ``runs`` is by the merge,
    so it is not held through it (~30 MB at 500k terms).
    """
    rank: np.ndarray | None = None
    if isinstance(terms, Vocabulary):
        vocab = terms
    else:
        # The vocabulary first: its sort is this step's largest temporary (~50 MB at 500k
        # terms), so it runs before the per-passage arrays below exist (docs/performance.md,
        # "Issue 16: build peak and query RSS at 1M").
        vocab, rank = sort_vocabulary_bytes(terms)
        if drop_terms:
            terms.clear()
        release_free_memory()  # the sort's temporaries, the terms (``heap``)
    passage_ids = _concatenated(columns.passage_ids, np.int64)
    columns.passage_ids = []
    n_docs = int(passage_ids.size)
    order: np.ndarray | None = np.argsort(passage_ids, kind="stable")
    rows_sorted = bool(np.all(order[1:] > order[:-1])) if n_docs > 1 else True
    if rows_sorted:
        # passages came in id order (a reindex, the bench): no permutation is held through
        # the merge, nor a sorted copy of each column (8 bytes a passage each)
        order = None
        sorted_ids = passage_ids
        row_of_doc = np.arange(n_docs, dtype=np.int32)
    else:
        sorted_ids = passage_ids[order]
        row_of_doc = np.empty(n_docs, dtype=np.int32)
        row_of_doc[order] = np.arange(n_docs, dtype=np.int32)
    del passage_ids
    _check_unique(sorted_ids)
    doc_len = _in_order(columns.lengths, np.int32, order)
    columns.lengths = []
    merged = merge_runs(runs, rank, vocab.size, row_of_doc, rows_sorted, doc_len, spill_dir)
    del runs, row_of_doc
    release_free_memory()  # the merge's blocks, before the segment is written
    return SegmentData(
        vocab=vocab,
        postings=merged.postings,
        tier_split=merged.tier_split,
        term_max_tf=merged.term_max_tf,
        term_min_dl=merged.term_min_dl,
        term_min_dl_unit=merged.term_min_dl_unit,
        doc_len=doc_len,
        passage_ids=sorted_ids,
        article_ids=_in_order(columns.article_ids, np.int64, order),
        published_days=_in_order(columns.published_days, np.int32, order),
        files=merged.files,
        tf_starts=merged.tf_starts,
        block_min_len=merged.block_min_len,
    )


def _check_unique(sorted_ids: np.ndarray) -> None:
    if sorted_ids.size > 1:
        dup = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
        if dup.size:
            raise ValueError(f"passage id {int(sorted_ids[dup[0]])} occurs twice")


def _concatenated(parts: list[np.ndarray], dtype: type[np.generic]) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


def _in_order(
    parts: list[np.ndarray], dtype: type[np.generic], order: np.ndarray | None
) -> np.ndarray:
    """A column's parts joined, then put in ``order`` (None: already in order)."""
    joined = _concatenated(parts, dtype)
    return joined if order is None else joined[order]


@dataclass(frozen=True, slots=True)
class _Tokens:
    """Every term occurrence of a set of passages (in any order), before the segment is made.

    ``term_ids`` index ``terms`` (in first-seen order); ``passages`` index the per-passage
    arrays, which are in input order.
    """

    terms: list[str]
    term_ids: np.ndarray
    passages: np.ndarray
    passage_ids: np.ndarray
    article_ids: np.ndarray
    published_days: np.ndarray


def _segment_from_tokens(tokens: _Tokens, base_vocab: Vocabulary | None) -> SegmentData:
    """The one path from term occurrences to a segment, for DocRecords and encoded batches."""
    n_docs = tokens.passage_ids.size
    order = np.argsort(tokens.passage_ids, kind="stable")
    sorted_ids = tokens.passage_ids[order]
    _check_unique(sorted_ids)
    row_of_doc = np.empty(n_docs, dtype=np.int32)
    row_of_doc[order] = np.arange(n_docs, dtype=np.int32)
    doc_len = np.bincount(tokens.passages, minlength=n_docs).astype(np.int32)
    vocab, rank = sort_vocabulary(tokens.terms)
    term_ids = rank[tokens.term_ids] if tokens.term_ids.size else np.empty(0, np.int64)
    token_rows = row_of_doc[tokens.passages]
    postings = build_postings(term_ids, token_rows, vocab.size, n_docs)
    del term_ids, token_rows
    base_ids = None
    if base_vocab is not None:
        base_ids = np.fromiter(map(base_vocab.lookup, vocab.terms()), np.int64, vocab.size)
    return segment_data(
        vocab,
        postings,
        doc_len=doc_len[order],
        passage_ids=sorted_ids,
        article_ids=tokens.article_ids[order],
        published_days=tokens.published_days[order],
        base_term_ids=base_ids,
    )


def segment_data(
    vocab: Vocabulary,
    postings: Postings,
    *,
    doc_len: np.ndarray,
    passage_ids: np.ndarray,
    article_ids: np.ndarray,
    published_days: np.ndarray,
    base_term_ids: np.ndarray | None = None,
) -> SegmentData:
    """Finish a segment built or merged from rows: tf tiers, per-term and per-block bounds,
    then the record.

    One place for it, so a fresh build and a merge can never disagree on what a segment holds.
    """
    doc_len = doc_len.astype(np.int32)
    postings, split = tier_postings(postings)
    max_tf, min_dl, min_dl_unit = term_bounds(postings, split, doc_len)
    return SegmentData(
        vocab=vocab,
        postings=postings,
        tier_split=split,
        term_max_tf=max_tf,
        term_min_dl=min_dl,
        term_min_dl_unit=min_dl_unit,
        doc_len=doc_len,
        passage_ids=passage_ids,
        article_ids=article_ids,
        published_days=published_days.astype(np.int32),
        base_term_ids=base_term_ids,
        block_min_len=block_min_lengths(postings.doc_rows, doc_len),
    )
