"""``python -m index.bench.ask``: ``Archive.ask`` latency on the generated Zipf corpus.

The engine benchmark (``python -m index.bench``) times BM25 search alone; this one times what a
bot user waits for: question analysis, search, the ranking layer, the evidence check and the
snippets, through the real ``Archive.ingest`` and ``Archive.ask``. The archive is built once
under ``--work-dir`` and kept, so repeated runs (before/after a change) time the same data.

Each question is asked twice: the first round meets every passage for the first time (the
analyzer's and the answer stage's caches are cold for it), the second repeats the questions
(warm, as for a bot's "More" button or a popular question). Wall-clock and CPU (thread) time
are both reported: on a shared machine the wall clock also measures the neighbours.

With ``--database postgresql://…`` the archive's store is also copied there (``newsdesk
migrate``, idempotent) and the same questions are timed again with the store on PostgreSQL and
the same local index, so the two backends are compared in one run (issue 15: only article and
passage fetches touch the database).

Usage: ``python -m index.bench.ask [--passages 100000] [--questions 300] [--work-dir DIR]
[--profile] [--profile-round cold|warm] [--filter-words "lang:en"] [--database URL] [--json]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.archive import open_archive
from index.bench.archive_corpus import ingest_generated_archive
from index.bench.corpus import ZipfCorpus
from index.settings import IndexSettings

logger = logging.getLogger("index.bench.ask")

# A fixed "now", so questions naming relative periods resolve the same in every run.
NOW = datetime(2024, 7, 20, tzinfo=UTC)
PROFILE_LINES = 40


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of one round of questions, in milliseconds."""

    round: str
    questions: int
    wall_p50_ms: float
    wall_p99_ms: float
    cpu_p50_ms: float
    cpu_p90_ms: float
    cpu_p99_ms: float
    cpu_mean_ms: float
    found: int


def build_archive(data_dir: Path, n_passages: int) -> float:
    """Write the corpus as JSONL articles and ingest it; returns seconds taken."""
    return ingest_generated_archive(
        data_dir, n_passages, data_dir.parent / f"ask-corpus-{n_passages}"
    )


def time_questions(
    data_dir: Path,
    questions: Sequence[str],
    *,
    profile: bool,
    profile_round: str = "cold",
    database_url: str | None = None,
) -> list[Latency]:
    """Ask every question twice (cold, then warm); with ``profile``, cProfile one round."""
    rounds = []
    settings = IndexSettings(data_dir=data_dir, database_url=database_url, _env_file=None)
    with open_archive(settings) as archive:
        archive.ask("benchmark warm-up", now=NOW)  # index load outside the timing
        for name in ("cold", "warm"):
            profiler = cProfile.Profile() if profile and name == profile_round else None
            wall, cpu, found = [], [], 0
            for question in questions:
                if profiler is not None:
                    profiler.enable()
                started, started_cpu = time.perf_counter(), time.thread_time()
                answer = archive.ask(question, now=NOW)
                cpu.append(time.thread_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                if profiler is not None:
                    profiler.disable()
                found += answer.found
            rounds.append(_latency(name, wall, cpu, found))
            if profiler is not None:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
                stats.print_stats(PROFILE_LINES)
                sys.stderr.write(out.getvalue())
    return rounds


def _latency(name: str, wall: list[float], cpu: list[float], found: int) -> Latency:
    wall_ms, cpu_ms = np.asarray(wall) * 1000.0, np.asarray(cpu) * 1000.0
    return Latency(
        round=name,
        questions=len(wall),
        wall_p50_ms=float(np.percentile(wall_ms, 50)),
        wall_p99_ms=float(np.percentile(wall_ms, 99)),
        cpu_p50_ms=float(np.percentile(cpu_ms, 50)),
        cpu_p90_ms=float(np.percentile(cpu_ms, 90)),
        cpu_p99_ms=float(np.percentile(cpu_ms, 99)),
        cpu_mean_ms=float(cpu_ms.mean()),
        found=found,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index.bench.ask", description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000, help="corpus size")
    parser.add_argument("--questions", type=int, default=300, help="questions per round")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path("/tmp/newsdesk-ask-bench"),  # noqa: S108 - a benchmark's scratch space
        help="where the archive is built once and kept",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one round")
    parser.add_argument(
        "--profile-round",
        choices=("cold", "warm"),
        default="cold",
        help="the round --profile profiles (warm: repeated questions, cached passages)",
    )
    parser.add_argument(
        "--filter-words",
        default="",
        help='filter words appended to every question (e.g. "lang:en since:2022-01-01")',
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="also time the questions with the store copied to this PostgreSQL database",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.passages < 10 or args.questions < 1:
        sys.stderr.write("--passages must be ≥ 10 and --questions ≥ 1\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    data_dir = args.work_dir / f"archive-{args.passages}"
    build_s = None
    if not (data_dir / "newsdesk.sqlite3").exists():
        sys.stderr.write(f"building a {args.passages}-passage archive in {data_dir}…\n")
        build_s = build_archive(data_dir, args.passages)
    questions = ZipfCorpus(args.passages).questions(args.questions)
    if args.filter_words.strip():
        questions = [f"{question} {args.filter_words.strip()}" for question in questions]
    rounds = time_questions(
        data_dir, questions, profile=args.profile, profile_round=args.profile_round
    )
    backends = [("sqlite", rounds)]
    if args.database:
        from index.archive import migrate_store
        from index.store.pg import redact

        copied = migrate_store(IndexSettings(data_dir=data_dir, _env_file=None), args.database)
        sys.stderr.write(f"store copied to {redact(args.database)}: {copied.inserted} rows\n")
        pg_rounds = time_questions(
            data_dir,
            questions,
            profile=args.profile,
            profile_round=args.profile_round,
            database_url=args.database,
        )
        backends.append(("postgresql", pg_rounds))
    if args.json:
        result: dict[str, object] = {"passages": args.passages, "build_s": build_s}
        result["rounds"] = [asdict(r) for r in rounds]
        if args.database:
            result["backends"] = {name: [asdict(r) for r in rs] for name, rs in backends}
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return 0
    lines = [f"Archive.ask at {args.passages} passages, {args.questions} questions"]
    for name, rs in backends:
        if args.database:
            lines.append(f" store on {name}:")
        lines.extend(_round_lines(rs))
    if args.database:
        for sq, pg in zip(rounds, backends[1][1], strict=True):
            lines.append(
                f"  {sq.round}: PostgreSQL / SQLite wall p50 "
                f"{pg.wall_p50_ms / sq.wall_p50_ms:.2f}x, cpu p50 "
                f"{pg.cpu_p50_ms / sq.cpu_p50_ms:.2f}x"
            )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _round_lines(rounds: Sequence[Latency]) -> list[str]:
    lines = []
    for r in rounds:
        lines.append(
            f"  {r.round}: wall p50 {r.wall_p50_ms:.2f} p99 {r.wall_p99_ms:.2f} ms | "
            f"cpu p50 {r.cpu_p50_ms:.2f} p90 {r.cpu_p90_ms:.2f} p99 {r.cpu_p99_ms:.2f} "
            f"mean {r.cpu_mean_ms:.2f} ms | found {r.found}/{r.questions}"
        )
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
