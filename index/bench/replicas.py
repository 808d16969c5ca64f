"""``python -m index.bench.replicas --database URL``: ingest on A, answerable on B, how soon.

Two replicas (``Archive`` objects with their own data dirs and local indexes) on one empty
PostgreSQL database, in one process: A first ingests the bundled sample corpus (so that a
question has an archive to be judged against), B follows the change log
(``Archive.follow_changes``), then A ingests one generated article at a time, and the delay
from A's commit until B's ``ask`` cites the article is timed (polled every 10 ms, so the
figures include up to 10 ms of polling). Run from a source checkout (it reads ``sample/``).

Usage: ``python -m index.bench.replicas --database postgresql://… [--articles 50]
[--work-dir DIR] [--json]``. The database must be empty (a fresh ``CREATE DATABASE``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.archive import open_archive
from index.settings import IndexSettings

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
POLL_S = 0.01
GIVE_UP_S = 30.0


def _title(n: int) -> str:
    return f"Council approves the zorvex{n:05d} budget"


def _article(n: int) -> str:
    # A made-up word per article, so that exactly this article answers its question.
    word = f"zorvex{n:05d}"
    return (
        f"{_title(n)}\n\n"
        f"The city council approved the {word} budget on Monday after a long debate. "
        f"Officials said the {word} plan would fund new bus routes and repair two bridges.\n"
    )


def measure(url: str, work_dir: Path, articles: int) -> list[float]:
    """Propagation delays in seconds, one per article."""
    delays = []
    settings_a = IndexSettings(data_dir=work_dir / "a", database_url=url, _env_file=None)
    settings_b = IndexSettings(data_dir=work_dir / "b", database_url=url, _env_file=None)
    with open_archive(settings_a) as a, open_archive(settings_b) as b:
        a.ingest([str(SAMPLE / "dumps"), str(SAMPLE / "html")])
        b.follow_changes()
        for n in range(articles):
            path = work_dir / f"article-{n}.txt"
            path.write_text(_article(n), encoding="utf-8")
            a.ingest([str(path)])
            committed = time.monotonic()
            question = f"zorvex{n:05d} budget"
            while _title(n) not in [x.citation.title for x in b.ask(question).articles]:
                if time.monotonic() - committed > GIVE_UP_S:
                    raise SystemExit(f"article {n} did not reach replica B in {GIVE_UP_S} s")
                time.sleep(POLL_S)
            delays.append(time.monotonic() - committed)
    return delays


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench.replicas", description=__doc__)
    parser.add_argument("--database", required=True, metavar="URL", help="an empty database")
    parser.add_argument("--articles", type=int, default=50, help="articles ingested on A")
    parser.add_argument("--work-dir", type=Path, help="where the two data dirs go (temp)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="newsdesk-replicas-"))
    try:
        delays = np.asarray(measure(args.database, work_dir, args.articles)) * 1000.0
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    result = {
        "articles": args.articles,
        "propagation_p50_ms": float(np.percentile(delays, 50)),
        "propagation_p99_ms": float(np.percentile(delays, 99)),
        "propagation_max_ms": float(delays.max()),
    }
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write(
            f"ingest on A → answerable on B, {args.articles} articles: "
            f"p50 {result['propagation_p50_ms']:.0f} ms, p99 {result['propagation_p99_ms']:.0f} "
            f"ms, max {result['propagation_max_ms']:.0f} ms\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
