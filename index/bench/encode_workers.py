"""``python -m index.bench.encode_workers``: where encoding in two processes pays off.

Encodes the bench corpus (``ZipfCorpus``, chunks of ``measure.BATCH`` passages, text
generated beforehand) with ``encode_chunks`` in one process and in a pool, each in a fresh
interpreter so every run pays its own start-up and analyzer warm-up, and prints wall and CPU
seconds (the pool's processes included). ``parallel.MIN_PASSAGES_PER_WORKER`` comes from it.
Usage: ``python -m index.bench.encode_workers [--passages 10000,50000,200000]``.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from index.bench.corpus import ZipfCorpus
from index.bench.measure import BATCH, in_fresh_process


def encode_timed(n_passages: int, workers: int) -> dict[str, Any]:
    """Wall and CPU seconds to encode ``n_passages`` with ``workers`` processes."""
    from index.analysis.parallel import EncodeChunk, encode_chunks

    corpus = ZipfCorpus(n_passages)
    chunks = []
    for start in range(0, n_passages, BATCH):
        texts = [p.text for p in corpus.chunk(start, min(start + BATCH, n_passages))]
        chunks.append(EncodeChunk(texts, ["en"] * len(texts), [None] * len(texts)))
    before = os.times()
    started = time.perf_counter()
    tokens = sum(terms.term_ids.size for terms in encode_chunks(chunks, workers))
    wall = time.perf_counter() - started
    after = os.times()
    cpu = sum(getattr(after, f) - getattr(before, f) for f in ("user", "system"))
    cpu += sum(
        getattr(after, f) - getattr(before, f) for f in ("children_user", "children_system")
    )
    return {
        "passages": n_passages,
        "workers": workers,
        "wall_s": wall,
        "cpu_s": cpu,
        "tokens": tokens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="10000,50000,200000")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    lines = [
        "| passages | processes | wall s | CPU s | wall ratio (pool / one) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in (int(x) for x in args.passages.split(",")):
        one = in_fresh_process(encode_timed, n, 1)
        pool = in_fresh_process(encode_timed, n, args.workers)
        for row in (one, pool):
            ratio = row["wall_s"] / one["wall_s"]
            lines.append(
                f"| {n:,} | {row['workers']} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} "
                f"| {ratio:.2f} |"
            )

    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()
