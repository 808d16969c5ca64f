"""The measurements, each run in a fresh process so memory figures are its own.

Latencies are wall-clock; each result also carries the load average at its start, since a
busy machine inflates them (the CPU time per question is reported beside them).

* ``build_ours``: analysis of every passage with the real analyzer, statement extraction
  over every article (``index.bench.statement_rate``, as reindex does) plus
  ``SearchIndex.build``; the time spent generating the text is measured apart and
  subtracted ("after extraction").
* ``query_ours``: load time, resident memory with the index loaded, and per-question latency
  of ``SearchIndex.search(terms, k=10)`` (question analysis is done beforehand, untimed).
* ``query_baseline``: ``rank_bm25.BM25Okapi`` on the same analysed tokens: build time, the
  memory it adds, and ``get_scores`` latency on as many questions as fit a time budget.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from index.bench.corpus import ZipfCorpus
from index.models import EncodedBatch

TOP_K = 10
#: Passages per encoded batch in the build, as in ``index.indexing.ENCODE_BATCH``.
BATCH = 10_000
_FALLBACK_TOKEN_RE = re.compile(r"\w+")


def load_analysis() -> tuple[str, Callable[[str], list[str]]]:
    """The real analyzer's ``document_terms`` for English, or a regex tokenizer without it.

    The fallback only exists so the benchmark still runs on a tree where the analysis
    package is broken; its name is printed in the table so numbers are never mistaken.
    """
    try:
        from index.analysis.analyzer import Analyzer

        analyzer = Analyzer()
    except ImportError:
        return "regex fallback (\\w+, casefold)", _fallback_terms

    def terms(text: str) -> list[str]:
        return analyzer.document_terms(text, "en", None)

    return "index.analysis.analyzer.Analyzer", terms


def _fallback_terms(text: str) -> list[str]:
    return _FALLBACK_TOKEN_RE.findall(text.casefold())


def rss_bytes() -> int:
    """Resident set size of this process."""
    return int(psutil.Process().memory_info().rss)


def in_fresh_process(func: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``func(*args)`` in a new interpreter (spawn) and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def build_ours(n_passages: int, index_dir: str) -> dict[str, Any]:
    """Analyse and index the generated corpus as ``newsdesk reindex`` does; report throughput.

    The path is the archive's: ``PassageEncoder`` turns each batch of passages into term ids
    with the real analyzer, each batch's articles get their statements extracted (reindex
    rebuilds them; ``statements_s`` and its share of the build are reported), and the index
    is built from the batches: in worker processes that also extract and sort runs
    (``SearchIndex.build_in_workers``) from ``MIN_PASSAGES_PER_WORKER`` passages a worker,
    in this process below that (``SearchIndex.build_encoded``).

    The text is generated before the clock starts and written to a file beside the index,
    which the timed build reads back batch by batch (as a reindex reads the store). Generated
    during the build, it hid the workers' work: they encode while this process generates,
    and a build time with the generation subtracted then left most of the build out.
    """
    from index.analysis.parallel import workers_for

    workers = workers_for(n_passages)
    with tempfile.TemporaryDirectory(prefix=".text-", dir=Path(index_dir).parent) as tmp:
        spool = Path(tmp) / "passages.pickle"
        t0, c0 = time.perf_counter(), time.process_time()
        _write_text(n_passages, spool)
        generation = {
            "generation_s": time.perf_counter() - t0,
            "generation_cpu_s": time.process_time() - c0,
        }
        started = time.perf_counter()
        cpu_started = time.process_time()
        children_started = _children_cpu_s()
        if workers > 1:
            result = _build_in_workers(spool, n_passages, index_dir, workers)
        else:
            result = _build_in_process(spool, n_passages, index_dir)
        build_s = time.perf_counter() - started
        # the worker processes' CPU too (they have exited: the pool is shut down by now)
        cpu_build_s = time.process_time() - cpu_started + _children_cpu_s() - children_started
    index = result.pop("index")
    engine_s = result.pop("engine_s", float("nan"))
    statements_s = result["statements_s"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "analyzer": "index.analysis.encoding.PassageEncoder (Analyzer)",
        "encode_processes": workers,
        "build_s": build_s,
        **result,
        **generation,
        "statements_share": statements_s / build_s
        if build_s > 0 and workers == 1
        else float("nan"),
        "engine_build_s": engine_s,
        "engine_passages_per_s": n_passages / engine_s if engine_s > 0 else float("nan"),
        "passages_per_s": n_passages / build_s if build_s > 0 else float("inf"),
        "cpu_build_s": cpu_build_s,
        "cpu_passages_per_s": n_passages / cpu_build_s if cpu_build_s > 0 else float("inf"),
        "load_average_build": os.getloadavg()[0],
        "terms": index._state.base.data.vocab.size,
        "postings": int(index._state.base.data.postings.doc_rows.shape[0]),
        "disk_bytes": index.size_bytes(),
        "build_peak_rss_bytes": rss_bytes(),
        # the most ever resident (Linux reports KiB), for the side-by-side table
        "build_max_rss_bytes": peak,
        # every process's most resident, added up: the build's memory at worst
        "build_sum_max_rss_bytes": peak + result.get("workers_max_rss_bytes", 0),
    }


@dataclass(frozen=True, slots=True)
class _TextBatch:
    """One batch of generated passages as the timed build reads them back."""

    texts: list[str]
    columns: Any  # index.search.workers.DocColumns


def _write_text(n_passages: int, path: Path) -> None:
    """The corpus's batches, pickled one after the other (untimed)."""
    corpus = ZipfCorpus(n_passages)
    with open(path, "wb") as fh:
        for start in range(0, n_passages, BATCH):
            chunk = corpus.chunk(start, min(start + BATCH, n_passages))
            n = len(chunk)
            columns = (
                np.fromiter((p.passage_id for p in chunk), np.int64, n),
                np.fromiter((p.article_id for p in chunk), np.int64, n),
                np.fromiter((p.published_day for p in chunk), np.int32, n),
            )
            pickle.dump(([p.text for p in chunk], columns), fh, protocol=pickle.HIGHEST_PROTOCOL)


def _read_text(path: Path) -> Iterator[_TextBatch]:
    """The batches ``_write_text`` wrote, in order (timed: the build reads its input)."""
    from index.search.workers import DocColumns

    with open(path, "rb") as fh:
        while True:
            try:
                texts, columns = pickle.load(fh)  # noqa: S301 (written by _write_text)
            except EOFError:
                return
            yield _TextBatch(texts, DocColumns(*columns))


def _build_in_process(spool: Path, n_passages: int, index_dir: str) -> dict[str, Any]:
    """One process: ``PassageEncoder`` here, statements here, runs sorted in a thread."""
    from index.analysis.encoding import PassageEncoder
    from index.bench.statement_rate import extract_texts
    from index.search import SearchIndex

    encoder = PassageEncoder()
    clock = time.perf_counter
    analysis_s = 0.0
    statements = [0.0, 0.0, 0]

    def batches() -> Iterator[EncodedBatch]:
        nonlocal analysis_s
        for batch in _read_text(spool):
            n = len(batch.texts)
            t0 = clock()
            terms = encoder.encode(batch.texts, ["en"] * n, [None] * n)
            analysis_s += clock() - t0
            # Reindex re-extracts statements too (issue 14): part of the build's time.
            columns = batch.columns
            side = extract_texts(
                batch.texts, columns.article_ids.tolist(), columns.published_days.tolist()
            )
            for i, value in enumerate(side):
                statements[i] += value
            yield EncodedBatch(
                columns.passage_ids, columns.article_ids, columns.published_days, terms
            )

    started = clock()
    index = SearchIndex.build_encoded(Path(index_dir), batches(), total=n_passages)
    took = clock() - started
    return {
        "index": index,
        "analysis_s": analysis_s,
        "engine_s": took - analysis_s - statements[0],
        "statements_s": statements[0],
        "statements_cpu_s": statements[1],
        "statements_found": int(statements[2]),
    }


def _build_in_workers(
    spool: Path, n_passages: int, index_dir: str, workers: int
) -> dict[str, Any]:
    """Both cores: worker processes encode each batch, extract its articles' statements and
    sort runs (``SearchIndex.build_in_workers``); this process reads the text and merges."""
    from index.analysis.encoding import PassageEncoder
    from index.bench.statement_rate import encode_and_extract
    from index.search import SearchIndex
    from index.search.workers import BuildJob, WorkerTask

    statements = [0.0, 0.0, 0]  # wall s, CPU s, found: summed over the workers
    clock = time.perf_counter
    stream_s = [0.0]
    merge_cpu = [0.0]

    def jobs() -> Iterator[BuildJob]:
        for batch in _read_text(spool):
            columns = batch.columns
            payload = (batch.texts, columns.article_ids, columns.published_days)
            yield BuildJob(payload, (columns,))

    def on_done(job: BuildJob, side: tuple[float, float, int]) -> None:
        for i, value in enumerate(side):
            statements[i] += value
        stream_s[0] = clock() - started  # after the last: the workers' last runs, the merge
        merge_cpu[0] = time.thread_time()

    started = clock()
    built = SearchIndex.build_in_workers(
        [Path(index_dir)],
        jobs(),
        WorkerTask(PassageEncoder, encode_and_extract, attrgetter("terms")),
        workers,
        on_done=on_done,
        total=n_passages,
    )
    (index,) = built.indexes
    merge_cpu[0] = time.thread_time() - merge_cpu[0]
    return {
        "index": index,
        "statements_s": statements[0],
        "statements_cpu_s": statements[1],
        "statements_found": int(statements[2]),
        "merge_s": clock() - started - stream_s[0],
        "encoder_max_rss_bytes": max(built.worker_peak_rss),
        "workers_max_rss_bytes": sum(built.worker_peak_rss),
        # the busiest worker's CPU time, and this process's after the workers were done
        # (the merge): their sum bounds the build's wall time on an idle machine from below
        "worker_max_cpu_s": max(built.worker_cpu_s),
        "merge_cpu_s": merge_cpu[0],
    }


def _children_cpu_s() -> float:
    """CPU seconds of this process's exited, waited-for children (the encoding processes)."""
    times = os.times()
    return times.children_user + times.children_system


def _question_terms(n_passages: int, n_questions: int) -> list[list[str]]:
    _, analyse = load_analysis()
    return [analyse(q) for q in ZipfCorpus(n_passages).questions(n_questions)]


def _percentiles_ms(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    if ms.size == 0:
        return {"p50_ms": float("nan"), "p95_ms": float("nan"), "p99_ms": float("nan")}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "max_ms": float(ms.max()),
    }


def query_ours(
    index_dir: str, n_passages: int, n_questions: int, keep_top: int = 0
) -> dict[str, Any]:
    """Load the index in this fresh process and time every question.

    The top-k of the first ``keep_top`` questions is returned too, for the parity checks.
    """
    from index.search import SearchIndex

    questions = _question_terms(n_passages, n_questions)
    gc.collect()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    index = SearchIndex.load(Path(index_dir))
    load_s = time.perf_counter() - t0
    latencies = []
    cpu = []
    hits = 0
    top: list[dict[str, list[Any]]] = []
    load_average = os.getloadavg()[0]
    for terms in questions:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        found = index.search(terms, TOP_K)
        latencies.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        hits += len(found)
        if len(top) < keep_top:
            top.append({"ids": [h.passage_id for h in found], "scores": [h.score for h in found]})
    return {
        "load_s": load_s,
        "rss_bytes": rss_bytes(),
        "rss_index_bytes": rss_bytes() - rss_before,
        "questions": len(questions),
        "mean_terms": float(np.mean([len(q) for q in questions])) if questions else 0.0,
        "mean_hits": hits / max(len(questions), 1),
        "load_average": load_average,
        "top": top,
        **_percentiles_ms(latencies),
        **{f"cpu_{key}": value for key, value in _percentiles_ms(cpu).items()},
    }


def query_baseline(n_passages: int, n_questions: int, budget_s: float) -> dict[str, Any]:
    """rank_bm25.BM25Okapi on the same tokens; ``get_scores`` until the budget runs out."""
    from rank_bm25 import BM25Okapi

    _, analyse = load_analysis()
    tokenized = [analyse(p.text) for p in ZipfCorpus(n_passages).passages()]
    questions = _question_terms(n_passages, n_questions)
    gc.collect()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    bm25 = BM25Okapi(tokenized)
    build_s = time.perf_counter() - t0
    rss_index = rss_bytes() - rss_before
    latencies = []
    spent = 0.0
    for terms in questions:
        t0 = time.perf_counter()
        scores = bm25.get_scores(terms)
        elapsed = time.perf_counter() - t0
        latencies.append(elapsed)
        spent += elapsed
        del scores
        if spent > budget_s and len(latencies) >= 5:
            break
    return {
        "build_s": build_s,
        "rss_index_bytes": rss_index,
        "questions": len(latencies),
        **_percentiles_ms(latencies),
    }
