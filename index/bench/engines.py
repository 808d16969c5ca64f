"""The other engines of ``python -m index.bench --compare``: tantivy, bm25s and rank_bm25.

Each gets the very tokens our index gets: the generated ``ZipfCorpus`` passed through the real
analyzer (``measure.load_analysis``), so the comparison is of engines, not of tokenizers. They
call ``Analyzer.document_terms`` per passage, as rank_bm25's baseline always has, while our
build encodes batches through ``PassageEncoder`` as ``newsdesk reindex`` does, which is
cheaper; the index-only rate (analysis left out) is the like-for-like build figure.
Each engine builds in one fresh process and answers the questions in another, like ours
(``measure.build_ours`` / ``measure.query_ours``). Build figures are wall and CPU time of
analysis plus the engine's build, text generation left out, as for ours; "index-only" leaves
analysis out too. Peak RSS is the process's ``ru_maxrss`` (so tantivy's Rust threads count).

tantivy and bm25s are the optional ``bench`` extra (``pip install -e '.[bench]'``); a missing
one is reported by ``missing_engine`` as one line, never a traceback.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from index.bench import measure
from index.bench.corpus import ZipfCorpus

ENGINES = ("tantivy", "bm25s", "rank_bm25")
#: The Python module and the pip package behind each optional engine.
_MODULES = {
    "tantivy": ("tantivy", "tantivy"),
    "bm25s": ("bm25s", "bm25s"),
    "rank_bm25": ("rank_bm25", "rank-bm25"),
}
#: Questions whose top-10 is kept for the parity and overlap checks.
PARITY_QUESTIONS = 50
#: tantivy's writer heap: large enough that a single indexing thread makes one segment.
TANTIVY_HEAP_BYTES = 1_000_000_000
_FIELD = "body"
_TOKENIZER = "ws"


def missing_engine(name: str) -> str | None:
    """None when ``name`` can be imported, else the one line that says how to install it."""
    module, package = _MODULES[name]
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{name} not installed: pip install {package} (or pip install -e '.[bench]')"


def engine_version(name: str) -> str:
    """The installed version of an engine's package, or "not installed"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_MODULES[name][1])
    except PackageNotFoundError:
        return "not installed"


def peak_rss_bytes() -> int:
    """The most this process has ever had resident (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def dir_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class _Clock:
    """Wall and CPU seconds of analysis, generation measured apart so it can be left out."""

    def __init__(self) -> None:
        self.generation_s = self.generation_cpu_s = self.analysis_s = 0.0

    def tokenized(self, n_passages: int) -> Iterator[list[str]]:
        """The analysed tokens of every passage, in passage-id order (id = position + 1)."""
        _, analyse = measure.load_analysis()
        corpus = ZipfCorpus(n_passages)
        for start in range(0, n_passages, measure.BATCH):
            t0, c0 = time.perf_counter(), time.process_time()
            chunk = corpus.chunk(start, min(start + measure.BATCH, n_passages))
            self.generation_cpu_s += time.process_time() - c0
            t1 = time.perf_counter()
            self.generation_s += t1 - t0
            batch = [analyse(p.text) for p in chunk]
            self.analysis_s += time.perf_counter() - t1
            yield from batch


def _timed_build(n_passages: int, build: Callable[[Iterator[list[str]]], None]) -> dict[str, Any]:
    clock = _Clock()
    started, cpu_started = time.perf_counter(), time.process_time()
    build(clock.tokenized(n_passages))
    build_s = time.perf_counter() - started - clock.generation_s
    cpu_s = time.process_time() - cpu_started - clock.generation_cpu_s
    engine_s = build_s - clock.analysis_s
    return {
        "build_s": build_s,
        "cpu_build_s": cpu_s,
        "engine_build_s": engine_s,
        "passages_per_s": n_passages / build_s if build_s > 0 else float("inf"),
        "engine_passages_per_s": n_passages / engine_s if engine_s > 0 else float("inf"),
        "build_peak_rss_bytes": peak_rss_bytes(),
    }


def _tantivy_schema_and_analyzer() -> tuple[Any, Any]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    # freqs but no positions: BM25 needs term frequencies, nothing here needs phrases
    builder.add_text_field(_FIELD, stored=False, tokenizer_name=_TOKENIZER, index_option="freq")
    # whitespace only, no lowercasing or stemming: the tokens are already analysed
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    return builder.build(), analyzer


def build_tantivy(n_passages: int, index_dir: str) -> dict[str, Any]:
    """One segment: one indexing thread, a 1000 MB heap, one commit, merges waited for."""
    import tantivy

    Path(index_dir).mkdir(parents=True, exist_ok=True)
    schema, analyzer = _tantivy_schema_and_analyzer()
    index = tantivy.Index(schema, path=index_dir)
    index.register_tokenizer(_TOKENIZER, analyzer)

    def build(tokens: Iterator[list[str]]) -> None:
        writer = index.writer(heap_size=TANTIVY_HEAP_BYTES, num_threads=1)
        for terms in tokens:
            writer.add_document(tantivy.Document(**{_FIELD: " ".join(terms)}))
        writer.commit()
        writer.wait_merging_threads()

    out = _timed_build(n_passages, build)
    index.reload()
    out["segments"] = index.searcher().num_segments
    out["disk_bytes"] = dir_bytes(Path(index_dir))
    return out


def build_bm25s(n_passages: int, index_dir: str) -> dict[str, Any]:
    """bm25s's own sparse index from pre-tokenized ids and vocabulary, saved to disk."""
    import bm25s
    from bm25s.tokenization import Tokenized

    def build(tokens: Iterator[list[str]]) -> None:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in terms] for terms in tokens]
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        retriever.save(index_dir)

    out = _timed_build(n_passages, build)
    out["disk_bytes"] = dir_bytes(Path(index_dir))
    return out


def _query_loop(
    questions: list[list[str]],
    search: Callable[[list[str]], tuple[list[int], list[float]]],
    budget_s: float = float("inf"),
) -> dict[str, Any]:
    latencies: list[float] = []
    cpu: list[float] = []
    top: list[dict[str, list[Any]]] = []
    load_average = os.getloadavg()[0]
    for terms in questions:
        c0, t0 = time.thread_time(), time.perf_counter()
        ids, scores = search(terms)
        latencies.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        if len(top) < PARITY_QUESTIONS:
            top.append({"ids": [int(i) for i in ids], "scores": [float(s) for s in scores]})
        if sum(latencies) > budget_s and len(latencies) >= 5:
            break
    return {
        "questions": len(latencies),
        "load_average": load_average,
        "top": top,
        **measure._percentiles_ms(latencies),
        **{f"cpu_{k}": v for k, v in measure._percentiles_ms(cpu).items()},
    }


def query_tantivy(index_dir: str, n_passages: int, n_questions: int) -> dict[str, Any]:
    """Open the index in this fresh process; BooleanQuery of SHOULD TermQuery, top-10."""
    import tantivy

    questions = measure._question_terms(n_passages, n_questions)
    gc.collect()
    t0 = time.perf_counter()
    index = tantivy.Index.open(index_dir)
    schema, analyzer = _tantivy_schema_and_analyzer()
    index.register_tokenizer(_TOKENIZER, analyzer)
    searcher = index.searcher()
    load_s = time.perf_counter() - t0
    if searcher.num_segments != 1:
        raise RuntimeError(f"tantivy index has {searcher.num_segments} segments, expected one")
    schema = index.schema
    should = tantivy.Occur.Should

    def search(terms: list[str]) -> tuple[list[int], list[float]]:
        query = tantivy.Query.boolean_query(
            [(should, tantivy.Query.term_query(schema, _FIELD, t)) for t in terms]
        )
        hits = searcher.search(query, limit=measure.TOP_K, count=False).hits
        # one segment: a doc's address is its insertion order, and passage ids start at 1
        return [a.doc + 1 for _, a in hits], [s for s, _ in hits]

    out = _query_loop(questions, search)
    return {"load_s": load_s, "rss_bytes": measure.rss_bytes(), **out}


def query_bm25s(index_dir: str, n_passages: int, n_questions: int) -> dict[str, Any]:
    """Load the saved index in this fresh process; ``retrieve(k=10)`` one question at a time."""
    import bm25s

    questions = measure._question_terms(n_passages, n_questions)
    gc.collect()
    t0 = time.perf_counter()
    retriever = bm25s.BM25.load(index_dir)
    load_s = time.perf_counter() - t0

    def search(terms: list[str]) -> tuple[list[int], list[float]]:
        docs, scores = retriever.retrieve(
            [terms], k=min(measure.TOP_K, n_passages), show_progress=False, n_threads=1
        )
        keep = scores[0] > 0
        return (docs[0][keep] + 1).tolist(), scores[0][keep].tolist()

    out = _query_loop(questions, search)
    return {"load_s": load_s, "rss_bytes": measure.rss_bytes(), **out}


def query_rank_bm25(n_passages: int, n_questions: int, budget_s: float) -> dict[str, Any]:
    """rank_bm25.BM25Okapi on the same tokens; one process builds and queries (it has no disk
    form). Top-10 is rank_bm25's scores sorted descending, ties by passage id."""
    from rank_bm25 import BM25Okapi

    questions = measure._question_terms(n_passages, n_questions)
    holder: dict[str, Any] = {}

    def build(tokens: Iterator[list[str]]) -> None:
        holder["bm25"] = BM25Okapi(list(tokens))

    out = _timed_build(n_passages, build)
    bm25 = holder.pop("bm25")
    pids = np.arange(1, n_passages + 1)

    def search(terms: list[str]) -> tuple[list[int], list[float]]:
        scores = bm25.get_scores(terms)
        order = np.lexsort((pids, -scores))[: measure.TOP_K]
        order = order[scores[order] > 0]
        return (order + 1).tolist(), scores[order].tolist()

    out |= _query_loop(questions, search, budget_s)
    out["rss_bytes"] = measure.rss_bytes()
    return out
