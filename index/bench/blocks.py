"""Query CPU time with and without block bounds, in one process, questions interleaved by round.

``python -m index.bench.blocks --passages 1000000 [--index DIR] [--rounds 3] [--queries 500]``

Wall-clock latency on a shared machine follows the load more than the engine, so this bench
compares configurations of the same loaded index in one process: each round runs every
question once per configuration, and a question's figure is its least CPU time
(``time.thread_time``) over the rounds. The configurations are the evaluation as it was
before block bounds (``before``: no block bounds, known candidates searched below 1/16 of a
run's rows at any size) and as it is (``after``). Every configuration must return the same
top 10, ids and score bits, for every question, or the bench fails.

Without ``--index`` it builds the bench corpus first (``measure.build_ours``, in a fresh
process) into a temporary directory; with it, it uses (or builds, when empty) that
directory, so a 10M index can be built once and measured many times. An index written
before block bounds gets them computed in memory for ``after``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from index.bench import measure
from index.search import SearchIndex, engine, maxscore
from index.search.packed import rows_array
from index.search.postings import BLOCK_POSTINGS, block_min_lengths


def _configurations(
    index: SearchIndex,
) -> dict[str, tuple[maxscore.Blocks | None, tuple[float, float]]]:
    """Name → (block bounds, search ratios below and from ``_LARGE_ROWS`` rows)."""
    data = index._state.base.data
    if data.block_min_len is not None:
        blocks = maxscore.Blocks(data.block_min_len, data.block_postings)
    else:
        rows = rows_array(data.postings.doc_rows)
        lengths = block_min_lengths(rows, data.doc_len, BLOCK_POSTINGS)
        blocks = maxscore.Blocks(lengths, BLOCK_POSTINGS)
    current = (maxscore._SEARCH_RATIO, maxscore._SEARCH_RATIO_LARGE)
    return {"before": (None, (16, 16)), "after": (blocks, current)}


def compare(index_dir: Path, n_passages: int, n_questions: int, rounds: int) -> dict[str, Any]:
    """Per configuration: CPU p50/p90/p99/mean (ms) of each question's best round."""
    questions = measure._question_terms(n_passages, n_questions)
    index = SearchIndex.load(index_dir)
    if len(index._state.segments) != 1:
        raise SystemExit("error: the index has deltas; measure a freshly built index")
    configs = _configurations(index)
    evaluate = maxscore.evaluate
    ratios = (maxscore._SEARCH_RATIO, maxscore._SEARCH_RATIO_LARGE)
    chosen: list[maxscore.Blocks | None] = [None]

    def with_blocks(*args: Any) -> maxscore.Scored:
        return evaluate(*args[:7], blocks=chosen[0])

    cpu: dict[str, list[np.ndarray]] = {name: [] for name in configs}
    reference: list[tuple[bytes, bytes]] | None = None
    load_average = [os.getloadavg()[0]]
    engine.evaluate = with_blocks
    try:
        for _ in range(rounds):
            for name, (blocks, search_ratio) in configs.items():
                chosen[0] = blocks
                maxscore._SEARCH_RATIO, maxscore._SEARCH_RATIO_LARGE = search_ratio
                times, answers = [], []
                for terms in questions:
                    started = time.thread_time()
                    top = index.top_passages(terms, measure.TOP_K)
                    times.append(time.thread_time() - started)
                    answers.append((top.passage_ids.tobytes(), top.scores.tobytes()))
                if reference is None:
                    reference = answers
                if answers != reference:
                    raise SystemExit(f"error: {name} answered differently from the first")
                cpu[name].append(np.asarray(times) * 1000.0)
    finally:
        engine.evaluate = evaluate
        maxscore._SEARCH_RATIO, maxscore._SEARCH_RATIO_LARGE = ratios
    load_average.append(os.getloadavg()[0])
    out: dict[str, Any] = {"passages": n_passages, "questions": len(questions)}
    for name, runs in cpu.items():
        best = np.min(np.stack(runs), axis=0)
        p50, p90, p99 = np.percentile(best, [50, 90, 99])
        out[name] = {
            "cpu_p50_ms": round(float(p50), 3),
            "cpu_p90_ms": round(float(p90), 3),
            "cpu_p99_ms": round(float(p99), 3),
            "cpu_mean_ms": round(float(best.mean()), 3),
        }
    out["rounds"] = rounds
    out["load_average"] = [round(x, 1) for x in load_average]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench.blocks", description=__doc__)
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index", type=Path, help="index directory to use (built if empty)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-blocks-") as tmp:
        index_dir = args.index if args.index is not None else Path(tmp) / "index"
        if not (index_dir / "CURRENT").exists():
            index_dir.mkdir(parents=True, exist_ok=True)
            measure.in_fresh_process(measure.build_ours, args.passages, str(index_dir))
        result = compare(index_dir, args.passages, args.queries, args.rounds)
    sys.stdout.write(json.dumps(result, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
