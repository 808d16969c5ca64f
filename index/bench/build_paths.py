"""The two full-build paths on the same pre-generated text, each in a fresh interpreter.

``python -m index.bench.build_paths --passages 1000000 [--paths encoders,workers]``

* ``encoders``: two processes encode (``index.analysis.parallel.encode_chunks``); statement
  extraction, run sorts (in a thread) and the merge stay in the build process
  (``SearchIndex.build_encoded``), as before ``index.search.workers``.
* ``workers``: two worker processes encode, extract statements and sort runs; the build
  process merges (``SearchIndex.build_in_workers``, ``measure.build_ours``'s path).

The text is generated once, before either clock starts. Each build prints one JSON line:
wall and CPU seconds (worker processes included), the build process's CPU and its main
thread's CPU (the one-process path's critical path), the workers' CPU (the worker path's),
peak resident sets, and the load average at start and end, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.bench import measure

MB = 1 << 20


def _encoders(spool: Path, n_passages: int, index_dir: Path) -> dict[str, Any]:
    from index.analysis.parallel import EncodeChunk, encode_chunks
    from index.bench.statement_rate import extract_texts
    from index.models import EncodedBatch
    from index.search import SearchIndex

    read: deque[Any] = deque()

    def chunks() -> Iterator[EncodeChunk]:
        for batch in measure._read_text(spool):
            read.append(batch)
            n = len(batch.texts)
            yield EncodeChunk(batch.texts, ["en"] * n, [None] * n)

    def batches() -> Iterator[EncodedBatch]:
        for terms in encode_chunks(chunks(), 2):
            batch = read.popleft()
            columns = batch.columns
            extract_texts(
                batch.texts, columns.article_ids.tolist(), columns.published_days.tolist()
            )
            yield EncodedBatch(
                columns.passage_ids, columns.article_ids, columns.published_days, terms
            )

    SearchIndex.build_encoded(index_dir, batches(), total=n_passages)
    return {"encoder_max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def _workers(spool: Path, n_passages: int, index_dir: Path) -> dict[str, Any]:
    result = measure._build_in_workers(spool, n_passages, str(index_dir), 2)
    result.pop("index")
    return {
        "worker_max_rss_mb": result["encoder_max_rss_bytes"] // MB,
        "workers_rss_sum_mb": result["workers_max_rss_bytes"] // MB,
        "worker_max_cpu_s": round(result["worker_max_cpu_s"], 1),
        "merge_s": round(result["merge_s"], 1),
        "merge_cpu_s": round(result["merge_cpu_s"], 1),
    }


PATHS = {"encoders": _encoders, "workers": _workers}


def run(path: str, spool: str, n_passages: int, work: str) -> dict[str, Any]:
    """One build of ``spool``'s text by ``path``, in this (fresh) process."""
    index_dir = Path(work) / f"index-{path}"
    load = os.getloadavg()[0]
    times = os.times()
    started, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
    extra = PATHS[path](Path(spool), n_passages, index_dir)
    wall = time.perf_counter() - started
    own = time.process_time() - cpu
    after = os.times()
    children = after.children_user + after.children_system
    children -= times.children_user + times.children_system
    return {
        "path": path,
        "passages": n_passages,
        "wall_s": round(wall, 1),
        "cpu_s": round(own + children, 1),
        "build_process_cpu_s": round(own, 1),
        "main_thread_cpu_s": round(time.thread_time() - thread, 1),
        "build_process_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "load_average": [round(load, 1), round(os.getloadavg()[0], 1)],
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench.build_paths")
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--paths", default="encoders,workers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-build-paths-") as work:
        spool = Path(work) / "passages.pickle"
        measure._write_text(args.passages, spool)
        for path in args.paths.split(","):
            got = measure.in_fresh_process(run, path, str(spool), args.passages, work)
            sys.stdout.write(json.dumps(got) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
