"""``python -m index.bench``: the engine benchmark, ours beside rank_bm25 in the same run.

For each corpus size it generates the reproducible Zipf corpus (``index.bench.corpus``),
builds our index in a fresh process, loads it and times the questions in another, and runs
``rank_bm25.BM25Okapi`` on the same tokens in a third, unless its build is expected to exceed
``--baseline-cap-s`` (extrapolated linearly from the previous size), which the table says.

Usage: ``python -m index.bench [--passages 10000,100000,1000000] [--queries 500] [--json]``

``--compare tantivy,bm25s,rank_bm25`` puts other engines beside ours on the same tokens
instead (``index.bench.compare``; tantivy and bm25s are the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.bench import compare, engines, measure, report, statement_rate

logger = logging.getLogger("index.bench")

# Time rank_bm25 may spend on get_scores per corpus size (it takes ~1.6 s a question at 1M).
BASELINE_QUERY_BUDGET_S = 30.0
# Rounds of the news-unit extraction rate repeat for at least this long (a steadier rate).
NEWS_SECONDS = 2.0


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError("sizes must be integers ≥ 10")
    return sorted(sizes)


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(prog="python -m index.bench", description=__doc__)
    parser.add_argument(
        "--passages",
        type=_sizes,
        default=[10_000, 100_000, 1_000_000],
        help="comma-separated corpus sizes (default 10000,100000,1000000)",
    )
    parser.add_argument("--queries", type=int, default=500, help="questions per size")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--baseline-cap-s",
        type=float,
        default=120.0,
        help="skip rank_bm25 where its build would take longer than this (seconds)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip rank_bm25 entirely")
    parser.add_argument(
        "--news-seconds",
        type=float,
        default=NEWS_SECONDS,
        help=f"time statement extraction on the news units for at least this long "
        f"(default {NEWS_SECONDS:g}; 0: one round, as the tests do)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where to build (a temp dir inside it; created if missing)",
    )
    parser.add_argument(
        "--compare",
        type=compare.parse_engines,
        default=None,
        metavar="ENGINES",
        help=f"side by side with these engines ({','.join(engines.ENGINES)})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    return parser


def run_size(
    n: int, args: argparse.Namespace, work: Path, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """All measurements for one corpus size."""
    index_dir = str(work / f"index-{n}")
    logger.info("%d passages: building our index", n)
    ours = measure.in_fresh_process(measure.build_ours, n, index_dir)
    logger.info("%d passages: %.0f passages/s; timing questions", n, ours["passages_per_s"])
    ours |= measure.in_fresh_process(measure.query_ours, index_dir, n, args.queries)
    ours |= measure.in_fresh_process(statement_rate.news_rate, args.news_seconds)
    baseline: dict[str, Any]
    if args.no_baseline:
        baseline = {"skipped": "--no-baseline"}
    else:
        estimate = None
        if previous and not previous["baseline"].get("skipped"):
            estimate = previous["baseline"]["build_s"] * n / previous["passages"]
        elif previous:
            estimate = float("inf")
        if estimate is not None and estimate > args.baseline_cap_s:
            baseline = {
                "skipped": f"build estimated {estimate:.0f} s > cap {args.baseline_cap_s:.0f} s"
            }
        else:
            logger.info("%d passages: running rank_bm25", n)
            baseline = measure.in_fresh_process(
                measure.query_baseline, n, args.queries, BASELINE_QUERY_BUDGET_S
            )
    return {"passages": n, "ours": ours, "baseline": baseline}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 on success, 2 on a usage error."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.queries < 1:
        print("--queries must be at least 1", file=sys.stderr)  # noqa: T201
        return 2
    if args.work_dir is not None:
        # the build is minutes in: a missing parent must not surface then as a traceback
        try:
            args.work_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(  # noqa: T201
                f"error: cannot create --work-dir {args.work_dir}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 2
    machine = report.machine_info()
    rows: list[dict[str, Any]] = []
    if args.compare is not None:
        return _compare(args, machine)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-", dir=args.work_dir) as tmp:
        for n in args.passages:
            rows.append(run_size(n, args, Path(tmp), rows[-1] if rows else None))
    if args.json:
        print(json.dumps({"machine": machine, "results": rows}, indent=2))  # noqa: T201
    else:
        print(report.format_table(machine, rows))  # noqa: T201
        print()  # noqa: T201
        print("\n".join(report.check_bars(rows)))  # noqa: T201
    return 0


def _compare(args: argparse.Namespace, machine: dict[str, Any]) -> int:
    """``--compare``: every engine at every size; a missing engine is one line, not an error."""
    for name in args.compare:
        missing = engines.missing_engine(name)
        if missing:
            print(f"skipping {missing}", file=sys.stderr)  # noqa: T201
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-compare-", dir=args.work_dir) as tmp:
        for n in args.passages:
            logger.info("%d passages: comparing with %s", n, ", ".join(args.compare))
            rows.append(
                compare.run_size(n, args.compare, args, Path(tmp), rows[-1] if rows else None)
            )
    if args.json:
        print(json.dumps({"machine": machine, "results": rows}, indent=2))  # noqa: T201
    else:
        print(compare.format_compare(machine, rows))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
