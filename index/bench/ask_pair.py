"""``python -m index.bench.ask_pair``: ``Archive.ask`` CPU of two code trees, question by question.

On a shared machine the load moves between runs, so two ``index.bench.ask`` runs of the same
code differ by ~10%, more than most single changes. Here two worker processes, one per
source tree, answer the same questions in turn (the order alternates), so each question is
timed under nearly the same load in both; the median of the per-question differences is the
change. Both read the archive ``index.bench.ask`` built under ``--work-dir`` (build it first).
After the cold round the same questions are asked again (warm), as ``index.bench.ask`` does.

Usage: ``python -m index.bench.ask_pair --base TREE --branch TREE [--passages 100000]
[--questions 300] [--work-dir DIR]``; a tree is a checkout's root (what ``PYTHONPATH`` gets).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

READY = "ready"
_RUN_BY_PATH = (
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def worker(data_dir: Path, n_passages: int, n_questions: int) -> int:
    """Answer question indexes read from stdin, printing each one's thread CPU in ms."""
    from index.archive import open_archive
    from index.bench.ask import NOW
    from index.bench.corpus import ZipfCorpus
    from index.settings import IndexSettings

    questions = ZipfCorpus(n_passages).questions(n_questions)
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        archive.ask("benchmark warm-up", now=NOW)  # index load outside the timing
        _say(READY)
        for line in sys.stdin:
            started = time.thread_time()
            archive.ask(questions[int(line)], now=NOW)
            _say(f"{(time.thread_time() - started) * 1000:.4f}")
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _start(tree: Path, args: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    # This file is run by path, so a tree without it (the base, before it existed) still
    # times its own ``Archive.ask``: only ``index.*`` comes from the tree.
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, this file
        [sys.executable, "-c", _RUN_BY_PATH, str(Path(__file__).resolve()), "--worker", *args],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if proc.stdout is None or proc.stdout.readline().strip() != READY:
        raise SystemExit(f"the worker in {tree} did not start")
    return proc


def _ask(proc: subprocess.Popen[str], index: int) -> float:
    stdin, stdout = proc.stdin, proc.stdout
    if stdin is None or stdout is None:
        raise SystemExit("a worker lost its pipes")
    stdin.write(f"{index}\n")
    stdin.flush()
    return float(stdout.readline())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench.ask_pair", description=__doc__)
    parser.add_argument("--base", type=Path, help="the source tree compared against")
    parser.add_argument("--branch", type=Path, help="the source tree of the change")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/newsdesk-ask-bench"))  # noqa: S108
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir = args.work_dir / f"archive-{args.passages}"
    if args.worker:
        return worker(data_dir, args.passages, args.questions)
    if args.base is None or args.branch is None:
        parser.error("--base and --branch are required")
    if not (data_dir / "newsdesk.sqlite3").exists():
        parser.error(f"no archive in {data_dir}: run python -m index.bench.ask first")
    shared = [
        "--passages",
        str(args.passages),
        "--questions",
        str(args.questions),
        "--work-dir",
        str(args.work_dir.resolve()),
    ]
    base, branch = _start(args.base.resolve(), shared), _start(args.branch.resolve(), shared)
    rounds = [_round(base, branch, args.questions) for _ in ("cold", "warm")]
    for proc in (base, branch):
        proc.communicate()  # closes its pipes and waits
    load = os.getloadavg()[0]
    (base_ms, branch_ms), (warm_base, warm_branch) = rounds
    diffs = [b - a for a, b in zip(base_ms, branch_ms, strict=True)]
    sys.stdout.write(
        f"load {load:.1f}, {args.questions} cold questions: CPU p50 base "
        f"{statistics.median(base_ms):.3f} ms, branch {statistics.median(branch_ms):.3f} ms; "
        f"median per-question difference {statistics.median(diffs):+.3f} ms; mean base "
        f"{statistics.mean(base_ms):.3f}, branch {statistics.mean(branch_ms):.3f} ms; p99 base "
        f"{_p99(base_ms):.3f}, branch {_p99(branch_ms):.3f} ms; warm (the same questions "
        f"again) p50 base {statistics.median(warm_base):.3f}, branch "
        f"{statistics.median(warm_branch):.3f} ms\n"
    )
    return 0


def _round(
    base: subprocess.Popen[str], branch: subprocess.Popen[str], n_questions: int
) -> tuple[list[float], list[float]]:
    """Each question asked of both workers in turn (the first alternates); their CPU ms."""
    base_ms, branch_ms = [], []
    for i in range(n_questions):
        if i % 2:
            b = _ask(branch, i)
            a = _ask(base, i)
        else:
            a = _ask(base, i)
            b = _ask(branch, i)
        base_ms.append(a)
        branch_ms.append(b)
    return base_ms, branch_ms


def _p99(values: list[float]) -> float:
    """The 99th percentile, interpolated as numpy's default (``index.bench.ask``'s)."""
    ordered = sorted(values)
    at = 0.99 * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


if __name__ == "__main__":
    raise SystemExit(main())
