"""The streamed build (``index.search.runs``): spilled runs merged by term block give the
segment the one-piece build gives, array for array, and leave nothing behind."""

from __future__ import annotations

import os
from operator import attrgetter
from pathlib import Path

import numpy as np
import psutil
import pytest

from index.analysis import Analyzer, parallel
from index.analysis.parallel import EncodeChunk, encode_chunks, workers_for
from index.bench.corpus import ZipfCorpus
from index.models import DocRecord, EncodedBatch
from index.search import SearchIndex, runs
from index.search.segments import _pid_alive, read_segment
from tests.comparison.test_bm25okapi_parity import assert_parity, random_corpus, random_queries
from tests.index.search.test_build_encoded import PUBLISHED, TEXTS, _batches_from_docs

ARRAYS = (
    "indptr",
    "doc_rows",
    "tf",
    "doc_len",
    "passage_ids",
    "article_ids",
    "published_days",
    "tier_split",
    "term_max_tf",
    "term_min_dl",
    "term_min_dl_unit",
    "block_min_len",
)


def _segment_arrays(index_dir: Path) -> dict[str, np.ndarray]:
    gen = (index_dir / "CURRENT").read_text()
    name = next(p for p in index_dir.iterdir() if p.name.startswith("gen-") and p.name in gen)
    data = read_segment(name / "base", prefault=False)
    arrays = {
        "indptr": data.postings.indptr,
        "doc_rows": data.postings.doc_rows,
        "tf": data.postings.tf,
        "vocab": np.frombuffer(data.vocab.blob, np.uint8),
        "vocab_offsets": data.vocab.offsets,
    }
    arrays |= {name: getattr(data, name) for name in ARRAYS[3:]}
    return arrays


@pytest.fixture
def tiny_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of 300 tokens, merge blocks of 50 postings and run directories read 7 terms at
    a time: many of each on a small corpus."""
    monkeypatch.setattr(runs, "RUN_TOKENS", 300)
    monkeypatch.setattr(runs, "MERGE_POSTINGS", 50)
    monkeypatch.setattr(runs, "DIRECTORY_CHUNK", 7)


@pytest.mark.parametrize("shuffled", [False, True], ids=["in-id-order", "shuffled"])
def test_spilled_runs_give_the_one_piece_segment_bit_for_bit(
    tmp_path: Path, tiny_runs: None, shuffled: bool
) -> None:
    docs = random_corpus(5, 700)
    fed = list(docs)
    if shuffled:
        np.random.default_rng(3).shuffle(fed)  # rows then need the per-block sort
    one_piece = SearchIndex.build(tmp_path / "one", docs)
    streamed = SearchIndex.build_encoded(tmp_path / "streamed", _batches_from_docs(fed, 37))
    expected = _segment_arrays(tmp_path / "one")
    got = _segment_arrays(tmp_path / "streamed")
    for name, array in expected.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name
    assert_parity(streamed, docs, random_queries(5, 40))
    for terms in random_queries(6, 30):
        assert streamed.search(terms, 10) == one_piece.search(terms, 10)


def test_streamed_build_removes_its_spill_directory(tmp_path: Path, tiny_runs: None) -> None:
    docs = random_corpus(7, 300)
    SearchIndex.build_encoded(tmp_path / "index", _batches_from_docs(docs, 20))
    leftovers = [p.name for p in (tmp_path / "index").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_failed_streamed_build_leaves_no_spill_and_keeps_the_old_index(
    tmp_path: Path, tiny_runs: None
) -> None:
    docs = random_corpus(8, 300)
    index_dir = tmp_path / "index"
    old = SearchIndex.build_encoded(index_dir, _batches_from_docs(docs, 20))

    def failing():
        yield from _batches_from_docs(docs, 20)[:10]
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        SearchIndex.build_encoded(index_dir, failing())
    assert not [p for p in index_dir.iterdir() if p.name.startswith(runs.SPILL_PREFIX)]
    assert SearchIndex.load(index_dir).generation() == old.generation()


def test_spill_directory_of_a_dead_build_is_cleaned_up(tmp_path: Path) -> None:
    docs = random_corpus(9, 50)
    index_dir = tmp_path / "index"
    SearchIndex.build_encoded(index_dir, _batches_from_docs(docs, 20))
    dead_pid = 2**22 + 12_345  # above the default pid_max: no such process
    assert not _pid_alive(dead_pid)
    stale = index_dir / f"{runs.SPILL_PREFIX}{dead_pid}"
    stale.mkdir()
    (stale / "run-00000.docs").write_bytes(b"\0" * 16)
    SearchIndex.build_encoded(index_dir, _batches_from_docs(docs, 20))
    assert not stale.exists()


def test_batch_spool_gives_back_the_batches_in_order_and_removes_them(tmp_path: Path) -> None:
    docs = random_corpus(10, 120)
    docs[3] = docs[3].__class__(docs[3].passage_id, 1, -1, ("ünïcode", "\ud800x", "київ"))
    batches = _batches_from_docs(docs, 25)
    spool = runs.BatchSpool(tmp_path)
    for batch in batches:
        spool.append(batch)
    back = list(spool)
    assert len(back) == len(batches)
    for got, want in zip(back, batches, strict=True):
        assert got.terms.new_terms == want.terms.new_terms
        for name in ("passage_ids", "article_ids", "published_days"):
            assert np.array_equal(getattr(got, name), getattr(want, name))
        assert np.array_equal(got.terms.term_ids, want.terms.term_ids)
        assert np.array_equal(got.terms.passages, want.terms.passages)
    assert list(tmp_path.iterdir()) == []


# Generated passages of the parity builds (1,500 and 1,200 before): with the tiny runs (300
# tokens) still ~100 and ~80 runs, 16 and 13 chunks of 53 passages shared by two processes,
# and 6 stretches of 120 documents; the merge of the tiny runs was most of these tests' time.
ENCODED = 800
IN_WORKERS = 640


def _encoded_batches(texts: list[str], langs: list[str], workers: int) -> list[EncodedBatch]:
    """The texts in chunks of 53 passages, encoded by ``encode_chunks`` with ``workers``."""
    starts = range(0, len(texts), 53)
    chunks = (
        EncodeChunk(texts[s : s + 53], langs[s : s + 53], [PUBLISHED] * len(texts[s : s + 53]))
        for s in starts
    )
    batches = []
    for start, terms in zip(starts, encode_chunks(chunks, workers), strict=True):
        n = len(texts[start : start + 53])
        ids = np.arange(start, start + n, dtype=np.int64)
        batches.append(EncodedBatch(ids * 3 + 1, ids // 4, np.full(n, 19_900, np.int32), terms))
    return batches


def test_two_encoding_processes_give_the_one_process_segment_bit_for_bit(
    tmp_path: Path, tiny_runs: None
) -> None:
    texts = [p.text for p in ZipfCorpus(ENCODED).chunk(0, ENCODED)] + TEXTS * 5
    langs = ["en"] * ENCODED + ["en", "en", "uk", "ru", "en", "en"] * 5
    one = SearchIndex.build_encoded(tmp_path / "one", _encoded_batches(texts, langs, 1))
    two = SearchIndex.build_encoded(tmp_path / "two", _encoded_batches(texts, langs, 2))
    expected = _segment_arrays(tmp_path / "one")
    got = _segment_arrays(tmp_path / "two")
    for name, array in expected.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name
    analyzer = Analyzer()
    docs = [
        DocRecord(i * 3 + 1, i // 4, 19_900, tuple(analyzer.document_terms(t, lang, PUBLISHED)))
        for i, (t, lang) in enumerate(zip(texts, langs, strict=True))
    ]
    queries = [list(d.terms[:3]) for d in docs[::37] if d.terms]
    assert_parity(two, docs, queries)
    for terms in queries:
        assert two.search(terms, 10) == one.search(terms, 10)


def test_a_failing_parallel_build_leaves_no_runs_and_no_workers(
    tmp_path: Path, tiny_runs: None
) -> None:
    texts = [p.text for p in ZipfCorpus(600).chunk(0, 600)]
    index_dir = tmp_path / "index"

    def failing():
        for start in range(0, 400, 50):
            yield EncodeChunk(texts[start : start + 50], ["en"] * 50, [PUBLISHED] * 50)
        raise OSError(28, "No space left on device")

    def batches():
        for i, terms in enumerate(encode_chunks(failing(), 2)):
            ids = np.arange(i * 50, i * 50 + 50, dtype=np.int64)
            yield EncodedBatch(ids, ids, np.zeros(50, np.int32), terms)

    with pytest.raises(OSError, match="No space"):
        SearchIndex.build_encoded(index_dir, batches())
    assert not [p for p in index_dir.iterdir() if p.name.startswith(runs.SPILL_PREFIX)]
    # multiprocessing's resource tracker outlives pools by design; no worker may
    workers = [
        child
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(child.cmdline())
    ]
    assert workers == []


def test_small_corpora_encode_in_one_process() -> None:
    assert workers_for(1_000) == 1
    assert workers_for(parallel.MIN_PASSAGES_PER_WORKER - 1) == 1
    assert workers_for(10_000_000) == min(2, len(os.sched_getaffinity(0)))


def _built_in_workers(index_dir: Path, texts: list[str], workers: int, per_job: int = 53):
    """The bench's worker path (``statement_rate.encode_and_extract``) over ``texts``."""
    from index.analysis.encoding import PassageEncoder
    from index.bench.statement_rate import encode_and_extract
    from index.search.workers import BuildJob, DocColumns, WorkerTask

    sides = []

    def jobs():
        for start in range(0, len(texts), per_job):
            part = texts[start : start + per_job]
            ids = np.arange(start, start + len(part), dtype=np.int64)
            columns = DocColumns(ids * 3 + 1, ids // 4, np.full(len(part), 19_900, np.int32))
            yield BuildJob((part, columns.article_ids, columns.published_days), (columns,))

    built = SearchIndex.build_in_workers(
        [index_dir],
        jobs(),
        WorkerTask(PassageEncoder, encode_and_extract, attrgetter("terms")),
        workers,
        on_done=lambda job, side: sides.append(side),
    )
    return built, sides


@pytest.mark.parametrize("stretch", [120, 10_000], ids=["many-stretches", "one-stretch"])
def test_workers_sorting_runs_give_the_one_process_segment_bit_for_bit(
    tmp_path: Path, tiny_runs: None, monkeypatch: pytest.MonkeyPatch, stretch: int
) -> None:
    from index.search import workers

    monkeypatch.setattr(workers, "STRETCH_DOCS", stretch)
    texts = [p.text for p in ZipfCorpus(IN_WORKERS).chunk(0, IN_WORKERS)]
    langs = ["en"] * len(texts)
    one = SearchIndex.build_encoded(tmp_path / "one", _encoded_batches(texts, langs, 1))
    built, sides = _built_in_workers(tmp_path / "two", texts, 2)
    expected = _segment_arrays(tmp_path / "one")
    got = _segment_arrays(tmp_path / "two")
    for name, array in expected.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name
    assert len(sides) == len(range(0, len(texts), 53))  # every job's statements, in order
    assert len(built.worker_peak_rss) == 2 and min(built.worker_peak_rss) > 0
    (two,) = built.indexes
    analyzer = Analyzer()
    docs = [
        DocRecord(i * 3 + 1, i // 4, 19_900, tuple(analyzer.document_terms(t, "en", PUBLISHED)))
        for i, t in enumerate(texts)
    ]
    queries = [list(d.terms[:3]) for d in docs[::37] if d.terms]
    assert_parity(two, docs, queries)
    for terms in queries:
        assert two.search(terms, 10) == one.search(terms, 10)
    assert not [p for p in (tmp_path / "two").iterdir() if p.name.startswith(".tmp")]


def _encode_or_fail(encoder, payload):
    """``encode_and_extract``, failing on a payload whose first text is ``"fail"``."""
    from index.bench.statement_rate import encode_and_extract

    if payload[0][0] == "fail":
        raise OSError(28, "No space left on device")
    return encode_and_extract(encoder, payload)


def _no_workers_left() -> None:
    # multiprocessing's resource tracker outlives pools by design; no worker may
    workers = [
        child
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(child.cmdline())
    ]
    assert workers == []


@pytest.mark.parametrize("where", ["reading", "in-a-worker"])
def test_a_failing_build_in_workers_leaves_no_runs_and_no_workers(
    tmp_path: Path, tiny_runs: None, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from index.analysis.encoding import PassageEncoder
    from index.search import workers
    from index.search.workers import BuildJob, DocColumns, WorkerTask

    monkeypatch.setattr(workers, "STRETCH_DOCS", 100)
    texts = [p.text for p in ZipfCorpus(600).chunk(0, 600)]
    index_dir = tmp_path / "index"
    old = SearchIndex.build_encoded(index_dir, _encoded_batches(texts, ["en"] * 600, 1))

    def jobs():
        for start in range(0, 600, 50):
            if start == 400 and where == "reading":
                raise OSError(28, "No space left on device")
            part = ["fail"] if start == 400 else texts[start : start + 50]
            ids = np.arange(start, start + len(part), dtype=np.int64)
            columns = DocColumns(ids, ids, np.zeros(len(part), np.int32))
            yield BuildJob((part, columns.article_ids, columns.published_days), (columns,))

    task = WorkerTask(PassageEncoder, _encode_or_fail)
    with pytest.raises(OSError, match="No space"):
        SearchIndex.build_in_workers([index_dir], jobs(), task, 2)
    assert not [p for p in index_dir.iterdir() if p.name.startswith(runs.SPILL_PREFIX)]
    assert SearchIndex.load(index_dir).generation() == old.generation()
    _no_workers_left()
