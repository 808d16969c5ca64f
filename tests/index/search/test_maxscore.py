"""MaxScore evaluation against brute force, on every path (block bounds on and off), with
reused and stale scratch, on int32 rows and on packed rows (segment format 5, ``packed``;
format 7, whose runs of one block are inline)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.search import kernels, maxscore
from index.search.maxscore import Blocks, QueryTerm, RowStats, Scratch, evaluate, score_rows
from index.search.packed import PackedRows
from index.search.postings import (
    Postings,
    block_min_lengths,
    build_postings,
    term_bounds,
    tier_postings,
)
from index.search.scoring import DEFAULT_PARAMS, length_norms, max_tf_part, unit_tf_parts


class Segment:
    """Tiered postings of a Zipf corpus with its row statistics, as the engine holds them.

    ``postings`` holds the rows packed when ``packed`` (as a format-5 segment does; as a
    format-7 one with ``first_bytes``); ``plain`` always holds them as int32, for brute force
    and for tests that slice rows.
    """

    def __init__(
        self, seed: int, n_docs: int, vocab: int = 300, packed: bool = False, first_bytes: int = 0
    ) -> None:
        self.first_bytes = first_bytes
        rng = np.random.default_rng(seed)
        self.doc_len = rng.integers(1, 60, n_docs).astype(np.int32)
        self.doc_len[rng.random(n_docs) < 0.01] = 300  # a few beyond the last length class
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), self.doc_len)
        terms = (rng.zipf(1.2, rows.size) - 1) % vocab
        postings = build_postings(terms, rows, vocab, n_docs)
        self.postings, self.split = tier_postings(postings)
        self.max_tf, self.min_dl, self.min_dl_unit = term_bounds(
            self.postings, self.split, self.doc_len
        )
        self.avgdl = float(self.doc_len.mean())
        self.stats = RowStats.of(self.doc_len, self.avgdl)
        self.df = postings.document_frequencies()
        # Small blocks, so that on a small corpus some blocks hold only long documents.
        self.blocks = Blocks(block_min_lengths(self.postings.doc_rows, self.doc_len, 4), 4)
        self.plain = self.postings
        if packed:
            self.postings = self.pack(self.plain.doc_rows)

    def pack(self, rows: np.ndarray) -> Postings:
        """These postings with ``rows`` as packed rows."""
        indptr = self.plain.indptr
        held = PackedRows.of(rows, indptr, self.split, self.first_bytes)
        return Postings(indptr, held, self.plain.tf)

    def query(self, term_ids: list[int]) -> list[QueryTerm]:
        """Runs of the terms as ``engine._local_terms`` orders them (tf ≥ 2 runs first)."""
        n = self.doc_len.size
        multi, units = [], []
        for t in sorted(set(term_ids), key=lambda t: (self.df[t], t)):
            weight = term_ids.count(t) * float(np.log((n - self.df[t] + 0.5) / (self.df[t] + 0.5)))
            weight = max(weight, 0.01)
            lo, hi = int(self.postings.indptr[t]), int(self.postings.indptr[t + 1])
            split = int(self.split[t])
            if split > lo:
                part = max_tf_part(int(self.max_tf[t]), int(self.min_dl[t]), self.avgdl)
                multi.append(QueryTerm(lo, split, weight, weight * part, False))
            if hi > split:
                part = max_tf_part(1, int(self.min_dl_unit[t]), self.avgdl)
                units.append(QueryTerm(split, hi, weight, weight * part, True))
        return multi + units


def top(rows: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    order = np.lexsort((rows, -scores))[:k]
    return list(zip(rows[order].tolist(), scores[order].tolist(), strict=True))


def brute_force(seg: Segment, terms: list[QueryTerm], k: int, keep=None):
    rows = np.arange(seg.doc_len.size, dtype=np.int32)
    scores = score_rows(seg.plain, seg.stats, terms, rows)
    hit = scores > 0
    if keep is not None:
        hit &= keep
    return top(rows[hit], scores[hit], k)


def queries(seg: Segment, seed: int, n: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        ids = [int(x) for x in (rng.zipf(1.3, int(rng.integers(2, 7))) - 1) % 300]
        if rng.random() < 0.5:
            ids += [0, 1][: int(rng.integers(1, 3))]  # the longest lists
        out.append(ids)
    return out


PATHS = {
    "defaults": {},
    # θ before every run and no full merge for being short: the bounded merges everywhere
    "theta-everywhere": {"_RETRY_POSTINGS": 1, "_SMALL_REST": 0, "_COMPLETE_MIN": 3},
    # known candidates always found by binary search
    "always-search": {"_RETRY_POSTINGS": 1, "_SMALL_REST": 0, "_SEARCH_RATIO": 0},
    # known candidates always found through marks
    "always-gather": {"_RETRY_POSTINGS": 1, "_SMALL_REST": 0, "_SEARCH_RATIO": 10**9},
    # block bounds where they pay off (small segments count as large)
    "blocks": {"_LARGE_ROWS": 0},
    # block bounds in every bounded merge of a tf = 1 run, with either way to find candidates
    "blocks-search": {
        "_RETRY_POSTINGS": 1,
        "_SMALL_REST": 0,
        "_SEARCH_RATIO": 0,
        "_SEARCH_RATIO_LARGE": 0,
        "_LARGE_ROWS": 0,
    },
    "blocks-gather": {
        "_RETRY_POSTINGS": 1,
        "_SMALL_REST": 0,
        "_SEARCH_RATIO": 10**9,
        "_SEARCH_RATIO_LARGE": 10**9,
        "_LARGE_ROWS": 0,
    },
}


@pytest.fixture(scope="module", params=["int32", "packed", "packed-format-7"])
def segments(request: pytest.FixtureRequest) -> list[Segment]:
    packed = request.param != "int32"
    first_bytes = 3 if request.param == "packed-format-7" else 0
    return [
        Segment(3, 4000, packed=packed, first_bytes=first_bytes),
        Segment(4, 1500, packed=packed, first_bytes=first_bytes),
    ]


@pytest.mark.parametrize("path", PATHS)
def test_top_k_equals_brute_force_bit_for_bit(
    segments: list[Segment], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(maxscore, name, value)
    scratch = Scratch()  # shared by both segments and every query: stale marks must not matter
    for i, ids in enumerate(queries(segments[0], 7, 30)):
        seg = segments[i % 2]
        terms = seg.query(ids)
        blocks = seg.blocks if path.startswith("blocks") else None
        for k in (1, 10, 40):
            scored = evaluate(seg.postings, seg.stats, terms, k, scratch, blocks=blocks)
            assert top(scored.rows, scored.scores, k) == brute_force(seg, terms, k)


@pytest.mark.parametrize("path", ["defaults", "always-gather"])
def test_more_candidates_than_a_mark_spans_equal_brute_force(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 65,536 candidates a mark names several slots (``Scratch``): queries on the
    longest lists of a 150,000-row segment, whose first merges make most rows candidates
    (115,757 for ``[0, 1]``), then found through their marks by numpy (``_slots_of``; the
    kernels' lookup past the span is checked in ``test_kernels.py``)."""
    for name, value in PATHS[path].items():
        monkeypatch.setattr(maxscore, name, value)
    seg = Segment(6, 150_000)
    scratch = Scratch()
    for ids in ([0, 1], [0, 1, 2, 5], [1, 3, 0, 40]):
        terms = seg.query(ids)
        for k in (1, 10):
            scored = evaluate(seg.postings, seg.stats, terms, k, scratch)
            assert top(scored.rows, scored.scores, k) == brute_force(seg, terms, k)
    assert scratch.rows.shape[0] > 1 << 16


def test_block_bounds_skip_blocks_and_still_find_new_rows(segments: list[Segment]) -> None:
    """The block path is not vacuous: the rows of a block whose bound fails are never read
    (giving them a passing length changes nothing), and rows of blocks that pass become
    candidates, the same as without block bounds."""
    seg, stats = segments[0], segments[0].stats
    lo, hi = int(seg.split[0]), int(seg.postings.indptr[1])  # the longest tf = 1 run
    rows = seg.plain.doc_rows[lo:hi]
    held = seg.postings.doc_rows  # the kernel reads the run as the evaluation does
    run = held.run(lo, hi, held.block_of(lo)) if isinstance(held, PackedRows) else rows
    length_ok = np.arange(stats.unit_parts.size) < 8
    size = seg.blocks.size
    first, end = lo // size, (hi - 1) // size + 1
    block_min = seg.blocks.min_len[first:end]
    failing = ~length_ok[block_min]
    assert failing.any() and not failing.all()
    # rows of the failing blocks told to have length 1, which passes
    lying = stats.lengths.copy()
    at = np.arange(lo, hi)
    lying[rows[failing[(at // size) - first]]] = 1

    def merge(lengths, blocks: bool, search: bool) -> tuple[list[int], list[float]]:
        scratch = Scratch()
        scratch.reserve(stats.n_rows, stats.n_rows)
        cand = np.array([rows[0], rows[5], 3, rows[-1]], np.int32)  # three in the run
        n = cand.size
        scratch.rows[:n] = cand
        scratch.scores[:n] = 1.0
        scratch.units[:n] = stats.units_of(cand)
        kernels.mark(scratch.marks, scratch.bits, scratch.rows, 0, n)
        added = kernels.merge_unit(
            run,
            lengths,
            length_ok,
            stats.unit_parts,
            2.0,
            scratch.marks,
            scratch.bits,
            scratch.rows,
            scratch.scores,
            scratch.units,
            n,
            search,
            block_min if blocks else np.zeros(0, np.uint8),
            size if blocks else 0,
            first * size - lo,
        )
        return scratch.rows[: n + added].tolist(), scratch.scores[: n + added].tolist()

    found, scores = merge(stats.lengths, blocks=False, search=False)
    known = np.array(found[:4], np.int32)
    in_run = np.isin(known, rows)
    assert in_run.sum() >= 3 and len(found) > 4
    assert scores[:4] == [
        1.0 + u * 2.0 if hit else 1.0
        for u, hit in zip(stats.units_of(known).tolist(), in_run, strict=True)
    ]
    new_rows = np.array(found[4:])
    assert not np.isin(new_rows, known).any() and length_ok[stats.lengths[new_rows]].all()
    assert merge(stats.lengths, blocks=False, search=True) == (found, scores)
    assert merge(stats.lengths, blocks=True, search=True) == (found, scores)
    assert merge(lying, blocks=True, search=True) == (found, scores)
    more = merge(lying, blocks=False, search=True)[0]
    assert len(more) > len(found)


def test_block_bounds_hold_for_every_posting(segments: list[Segment]) -> None:
    seg = segments[0]
    blocks = seg.blocks
    lengths = seg.doc_len[seg.plain.doc_rows]
    assert blocks.min_len.size == -(-lengths.size // blocks.size)
    assert np.all(blocks.min_len[np.arange(lengths.size) // blocks.size] <= lengths)
    assert blocks.min_len.max() == 255  # lengths above 255 are kept as 255


@pytest.mark.parametrize("path", ["defaults", "theta-everywhere"])
def test_accept_filter_keeps_only_accepted_rows(
    segments: list[Segment], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(maxscore, name, value)
    seg = segments[0]
    keep = np.random.default_rng(11).random(seg.doc_len.size) < 0.3
    scratch = Scratch()
    for ids in queries(seg, 12, 20):
        terms = seg.query(ids)
        scored = evaluate(seg.postings, seg.stats, terms, 10, scratch, lambda r: keep[r])
        assert keep[scored.rows].all()
        assert top(scored.rows, scored.scores, 10) == brute_force(seg, terms, 10, keep)


@pytest.mark.parametrize("path", ["theta-everywhere", "always-gather", "blocks-search"])
def test_a_row_out_of_range_raises_index_error_and_the_scratch_stays_usable(
    segments: list[Segment], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Postings damaged after the load's checks: the kernels stop at a row past the
    segment (``IndexError``, which the engine reports as damaged postings) instead of
    reading or writing past their arrays."""
    for name, value in PATHS[path].items():
        monkeypatch.setattr(maxscore, name, value)
    seg = segments[0]
    terms = seg.query([0, 1, 5, 9, 40])
    damaged = seg.plain.doc_rows.copy()
    for term in terms:  # one row out of range in every tf = 1 run
        if term.unit:
            damaged[term.hi - 1] = seg.doc_len.size + 1000
    postings = Postings(seg.plain.indptr, damaged, seg.plain.tf)
    if isinstance(seg.postings.doc_rows, PackedRows):
        postings = seg.pack(damaged)
    scratch = Scratch()
    scratch.reserve(seg.doc_len.size, 100)
    bad = np.array([1, 2, seg.doc_len.size], np.int32)
    lengths, parts = seg.stats.lengths, seg.stats.unit_parts
    buffers = (scratch.marks, scratch.bits, scratch.rows, scratch.scores, scratch.units)
    assert kernels.merge_unit_all(bad, lengths, parts, 1.0, *buffers, 0) == -1
    ok = np.ones(parts.size, bool)
    no_blocks = np.zeros(0, np.uint8)
    for search in (False, True):
        args = (*buffers, 1, search, no_blocks, 0, 0)
        assert kernels.merge_unit(bad, lengths, ok, parts, 1.0, *args) == -1
    with pytest.raises(IndexError):
        evaluate(postings, seg.stats, terms, 10, scratch, blocks=seg.blocks)
    for ids in queries(seg, 14, 5):
        terms = seg.query(ids)
        scored = evaluate(seg.postings, seg.stats, terms, 10, scratch, blocks=seg.blocks)
        assert top(scored.rows, scored.scores, 10) == brute_force(seg, terms, 10)


def test_a_query_aborted_midway_leaves_the_scratch_usable(
    segments: list[Segment], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in PATHS["theta-everywhere"].items():  # one acceptance call per run
        monkeypatch.setattr(maxscore, name, value)
    seg = segments[0]
    scratch = Scratch()
    calls = 0

    def failing(rows: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("stop")
        return np.ones(rows.size, dtype=bool)

    terms = seg.query([0, 1, 5, 9, 40])
    with pytest.raises(RuntimeError):
        evaluate(seg.postings, seg.stats, terms, 10, scratch, failing)
    for ids in queries(seg, 13, 10):
        terms = seg.query(ids)
        scored = evaluate(seg.postings, seg.stats, terms, 10, scratch)
        assert top(scored.rows, scored.scores, 10) == brute_force(seg, terms, 10)


def test_row_statistics_by_length_equal_the_per_row_formulas_bit_for_bit(
    segments: list[Segment],
) -> None:
    seg = segments[0]
    rows = np.arange(seg.doc_len.size)
    norms = length_norms(seg.doc_len, seg.avgdl)
    assert seg.stats.lengths.dtype == np.uint16  # some lengths are above 255
    assert np.array_equal(seg.stats.norms_of(rows), norms)
    assert np.array_equal(seg.stats.units_of(rows), unit_tf_parts(norms))
    short = RowStats.of(np.array([0, 7, 255], np.int32), 20.0)
    assert short.lengths.dtype == np.uint8 and short.n_rows == 3


def test_empty_postings_and_empty_queries() -> None:
    empty = Postings(np.zeros(2, np.int64), np.empty(0, np.int32), np.empty(0, np.uint16))
    stats = RowStats.of(np.array([3, 4], np.int32), 3.5, DEFAULT_PARAMS)
    scored = evaluate(empty, stats, [], 10, Scratch())
    assert scored.rows.size == 0 and scored.scores.size == 0


def test_neither_a_build_nor_a_query_imports_numba(tmp_path) -> None:
    """The kernels are a C extension (``kernels``): numba and llvmlite cost a query process
    ~120 MB of resident memory, and no process imports them any more."""
    script = f"""
import sys
from pathlib import Path
from index.models import DocRecord
from index.search import SearchIndex, kernels
docs = [DocRecord(i + 1, i, 19000, ("a", "b", f"z{{i % 7}}")) for i in range(50)]
index = SearchIndex.build(Path({str(tmp_path / "index")!r}), docs)
assert [h.passage_id for h in index.search(["a", "z3"], 2)] == [4, 11]
assert [h.passage_id for h in index.search(["b", "z3"], 2)] == [4, 11]
assert kernels.merge_unit.__module__ == "index.search._kernels", kernels.merge_unit.__module__
assert not {{"numba", "llvmlite"}} & set(sys.modules), "numba imported"
"""
    # the code under test, wherever the working directory is (the tests run in tmp_path)
    root = str(Path(maxscore.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, env=env)
