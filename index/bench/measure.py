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
import re
import resource
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
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
    rebuilds them; ``statements_s`` and its share of the build are reported), and
    ``SearchIndex.build_encoded`` builds from the batches. The time spent generating the
    text is measured apart and subtracted ("after extraction").
    """
    from index.analysis.parallel import EncodeChunk, encode_chunks, workers_for
    from index.bench.statement_rate import extract_articles
    from index.search import SearchIndex

    workers = workers_for(n_passages)
    corpus = ZipfCorpus(n_passages)
    generation_s = 0.0
    generation_cpu_s = 0.0
    analysis_s = 0.0
    statements_s = 0.0
    statements_cpu_s = 0.0
    statements_found = 0
    clock = time.perf_counter
    generated: deque[list[Any]] = deque()  # chunks handed to the encoders, not yet batched

    def chunks() -> Iterator[EncodeChunk]:
        nonlocal generation_s, generation_cpu_s
        for start in range(0, n_passages, BATCH):
            t0 = clock()
            c0 = time.process_time()
            chunk = corpus.chunk(start, min(start + BATCH, n_passages))
            generation_cpu_s += time.process_time() - c0
            generation_s += clock() - t0
            generated.append(chunk)
            n = len(chunk)
            yield EncodeChunk([p.text for p in chunk], ["en"] * n, [None] * n)

    def batches() -> Iterator[EncodedBatch]:
        nonlocal analysis_s, statements_s, statements_cpu_s, statements_found
        encoded = encode_chunks(chunks(), workers)
        while True:
            t0, g0 = clock(), generation_s
            terms = next(encoded, None)
            # waiting for the encoders, less the generation done meanwhile (left out)
            analysis_s += clock() - t0 - (generation_s - g0)
            if terms is None:
                return
            chunk = generated.popleft()
            n = len(chunk)
            batch = EncodedBatch(
                passage_ids=np.fromiter((p.passage_id for p in chunk), np.int64, n),
                article_ids=np.fromiter((p.article_id for p in chunk), np.int64, n),
                published_days=np.fromiter((p.published_day for p in chunk), np.int32, n),
                terms=terms,
            )
            # Reindex re-extracts statements too (issue 14): part of the build's time.
            took, cpu, found = extract_articles(chunk)
            statements_s += took
            statements_cpu_s += cpu
            statements_found += found
            yield batch

    started = time.perf_counter()
    cpu_started = time.process_time()
    children_started = _children_cpu_s()
    index = SearchIndex.build_encoded(Path(index_dir), batches(), total=n_passages)
    total_s = time.perf_counter() - started
    build_s = total_s - generation_s
    # the encoding processes' CPU too (they have exited: the pool is shut down by now)
    cpu_build_s = (
        time.process_time() - cpu_started + _children_cpu_s() - children_started - generation_cpu_s
    )
    engine_s = build_s - analysis_s
    return {
        "analyzer": "index.analysis.encoding.PassageEncoder (Analyzer)",
        "encode_processes": workers,
        "build_s": build_s,
        "analysis_s": analysis_s,
        "engine_build_s": engine_s - statements_s,
        "statements_s": statements_s,
        "statements_found": statements_found,
        "statements_cpu_s": statements_cpu_s,
        "statements_share": statements_s / build_s if build_s > 0 else 0.0,
        "engine_passages_per_s": (
            n_passages / (engine_s - statements_s) if engine_s > statements_s else float("inf")
        ),
        "generation_s": generation_s,
        "passages_per_s": n_passages / build_s if build_s > 0 else float("inf"),
        "cpu_build_s": cpu_build_s,
        "cpu_passages_per_s": n_passages / cpu_build_s if cpu_build_s > 0 else float("inf"),
        "terms": index._state.base.data.vocab.size,
        "postings": int(index._state.base.data.postings.doc_rows.shape[0]),
        "disk_bytes": index.size_bytes(),
        "build_peak_rss_bytes": rss_bytes(),
        # the most ever resident (Linux reports KiB), for the side-by-side table
        "build_max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        # the largest encoding process's most resident (0: encoded in this process)
        "encoder_max_rss_bytes": (
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 if workers > 1 else 0
        ),
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
