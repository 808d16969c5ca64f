"""``python -m bot.bench --replicas N --database URL``: bot replicas on one PostgreSQL store.

What runs, in one invocation, on one archive (``--passages``):

1. one bot process with its store on SQLite, long polling (``bot.bench.run_bench``): the
   embedded deployment, for comparison;
2. one bot replica, then ``N``, in webhook mode with the store on PostgreSQL: each replica is
   the production entry point (``run_bot`` with ``NEWSDESK_WEBHOOK_URL``) in its own process
   with its own data dir (a copy of the archive's index; it follows the change log), and the
   simulated users' updates are POSTed round robin to the replicas' webhook ports, as a load
   balancer would spread them;
3. propagation: a writer process's ``Archive`` (as `newsdesk ingest` or another replica)
   ingests one article at a time, and the last replica is asked about it through its webhook
   until its reply cites it; the delay runs from the ingest's commit to that reply.

The updates/s and latency figures are those of ``bot.bench`` (offered → reply at the fake
Bot API), with the same users, rate and duration for every configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.bench import (
    BENCH_TOKEN,
    READY_TIMEOUT_S,
    REPLY_TIMEOUT_S,
    FakeBotApi,
    FakeUser,
    LoadResult,
    ZipfCorpus,
    _percentiles,
    _serve_bot,
    run_bench,
    run_load,
)
from index import IndexSettings, open_archive

SECRET = "bench-replicas_1"  # noqa: S105 - the fake server's webhooks only
WRITER_USER = FakeUser(999_001, "Writer", "en")
WARM_UP_USER_ID = 999_100
PROPAGATION_POLL_S = 0.05
PROPAGATION_GIVE_UP_S = 30.0
BAR_PROPAGATION_P99_S = 2.0
BAR_REPLICAS_UPDATES_PER_S = 200.0
BAR_REPLICAS_P99_MS = 150.0


@dataclass(slots=True)
class ReplicasReport:
    """The three load runs and the propagation delays."""

    passages: int
    replicas: int
    runs: dict[str, LoadResult] = field(default_factory=dict)
    propagation_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _replica_dir(data_dir: Path, name: str) -> Path:
    """A fresh data dir for one process: the archive's index copied, no SQLite store."""
    target = data_dir.parent / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(data_dir, target, ignore=shutil.ignore_patterns("newsdesk.sqlite3*"))
    return target


class RoundRobin:
    """POSTs updates to the replicas' webhooks in turn (the load balancer)."""

    def __init__(self, ports: list[int]) -> None:
        self.urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
        self._next = 0
        self._client = httpx.AsyncClient(timeout=REPLY_TIMEOUT_S)

    async def post(self, update: dict[str, Any], *, to: int | None = None) -> bool:
        if to is None:
            to, self._next = self._next, (self._next + 1) % len(self.urls)
        try:
            response = await self._client.post(
                self.urls[to],
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                },
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._client.aclose()


def _start_replicas(
    args: argparse.Namespace, data_dir: Path, server: FakeBotApi, count: int
) -> tuple[list[multiprocessing.process.BaseProcess], list[int]]:
    context = multiprocessing.get_context("spawn")
    processes, ports = [], []
    for i in range(count):
        port = _free_port()
        values: dict[str, Any] = {
            "bot_token": BENCH_TOKEN,
            "bot_api_url": server.base_url,
            "data_dir": str(_replica_dir(data_dir, f"replica-{i}")),
            "database_url": args.database,
            "rate_limit_per_s": 0,
            "flood_max_questions": 1_000_000,
            "webhook_url": f"http://127.0.0.1:{port}/hook",
            "webhook_port": port,
            "webhook_secret": SECRET,
        }
        if args.pool is not None:
            values["answer_pool"] = args.pool
        if args.workers is not None:
            values["answer_workers"] = args.workers
        process = context.Process(target=_serve_bot, args=(values, None))
        process.start()
        processes.append(process)
        ports.append(port)
    return processes, ports


async def _stop(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.kill()


async def _replicas_run(
    args: argparse.Namespace,
    data_dir: Path,
    count: int,
    questions: list[str],
    report: ReplicasReport,
) -> None:
    """One load run over ``count`` webhook replicas; with ``count`` > 1 also propagation."""
    result = LoadResult(args.passages, args.users, args.seconds, args.rate, None)
    result.notes.append("load average before the run: " + _load())
    server = FakeBotApi(BENCH_TOKEN, username="newsdesk_bench_bot")
    await server.start()
    processes, ports = _start_replicas(args, data_dir, server, count)
    spread = RoundRobin(ports)
    try:
        for replica in range(count):
            await _until_ready(server, spread, replica, questions[0])
        await run_load(
            server,
            questions,
            users=args.users,
            seconds=args.seconds,
            rate=args.rate,
            inline_share=args.inline_share,
            result=result,
            bot_pid=[p.pid for p in processes if p.pid is not None],
            deliver=spread.post,
        )
        report.runs[f"postgresql, {count} replica{'s' if count > 1 else ''}"] = result
        if count > 1 and args.propagation > 0:
            delays = await _propagation(args, data_dir, server, spread, len(ports) - 1)
            report.propagation_ms = _percentiles(delays)
    finally:
        await _stop(processes)
        await spread.close()
        await server.stop()


async def _until_ready(
    server: FakeBotApi, spread: RoundRobin, replica: int, question: str
) -> None:
    """Ask replica ``replica`` until it answers (webhook up, index loaded, workers warm)."""
    user = FakeUser(WARM_UP_USER_ID + replica, "WarmUp", "en")
    deadline = time.perf_counter() + READY_TIMEOUT_S
    while time.perf_counter() < deadline:
        cursor = server.cursor()
        numbered, _ = server.stamp(server.private_message(user, question))
        if await spread.post(numbered, to=replica):
            try:
                await server.wait_for(
                    "sendMessage",
                    lambda call: call.params.get("chat_id") == user.id,
                    after=cursor,
                    timeout=REPLY_TIMEOUT_S,
                )
                return
            except TimeoutError:
                pass
        await asyncio.sleep(0.5)
    raise SystemExit(f"replica {replica} did not answer within {READY_TIMEOUT_S:g} s")


async def _propagation(
    args: argparse.Namespace,
    data_dir: Path,
    server: FakeBotApi,
    spread: RoundRobin,
    replica: int,
) -> list[float]:
    """Seconds from each ingest's commit (in a writer process) to replica ``replica``'s
    reply citing the article, asked through its webhook every ``PROPAGATION_POLL_S``."""
    writer_dir = _replica_dir(data_dir, "writer")
    settings = IndexSettings(data_dir=writer_dir, database_url=args.database, _env_file=None)
    stamp = int(time.time()) % 100_000
    delays = []
    with open_archive(settings) as writer:
        for n in range(args.propagation):
            word = f"zorvex{stamp:05d}x{n:03d}"
            title = f"Council approves the {word} budget"
            path = writer_dir / f"article-{n}.txt"
            path.write_text(
                f"{title}\n\nThe city council approved the {word} budget on Monday after a "
                f"long debate. Officials said the {word} plan would fund new bus routes.\n",
                encoding="utf-8",
            )
            await asyncio.to_thread(writer.ingest, [str(path)])
            committed = time.perf_counter()
            while True:
                cursor = server.cursor()
                numbered, _ = server.stamp(server.private_message(WRITER_USER, f"{word} budget"))
                await spread.post(numbered, to=replica)
                reply = await server.wait_for(
                    "sendMessage",
                    lambda call: call.params.get("chat_id") == WRITER_USER.id,
                    after=cursor,
                    timeout=REPLY_TIMEOUT_S,
                )
                if any(title in str(call.params.get("text", "")) for call in reply):
                    delays.append(time.perf_counter() - committed)
                    break
                if time.perf_counter() - committed > PROPAGATION_GIVE_UP_S:
                    raise SystemExit(f"article {n} did not reach the replica in 30 s")
                await asyncio.sleep(PROPAGATION_POLL_S)
    return delays


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores"


async def run_replicas_bench(
    args: argparse.Namespace, data_dir: Path, build_s: float | None
) -> ReplicasReport:
    """SQLite (one process), then 1 and ``args.replicas`` PostgreSQL replicas, one run."""
    report = ReplicasReport(args.passages, args.replicas)
    report.notes.append("load average at the start: " + _load())
    sqlite_args = argparse.Namespace(**{**vars(args), "database": None, "layer_only": False})
    report.runs["sqlite, 1 process (long polling)"] = await run_bench(
        sqlite_args, data_dir, build_s
    )
    questions = ZipfCorpus(args.passages).questions(200)
    for count in sorted({1, args.replicas}):
        await _replicas_run(args, data_dir, count, questions, report)
    report.notes.append("load average at the end: " + _load())
    return report


def format_replicas(report: ReplicasReport) -> str:
    """The human-readable table."""
    lines = [
        f"bot replicas benchmark: {report.passages:,} passages, store on PostgreSQL, "
        "updates POSTed round robin to the replicas' webhooks",
        f"{'configuration':<40}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'timeouts':>9}",
    ]
    for name, run in report.runs.items():
        stats = run.latency_ms.get("all", {})
        lines.append(
            f"{name:<40}{run.updates_per_s:>10.1f}{stats.get('p50', float('nan')):>9.1f}"
            f"{stats.get('p99', float('nan')):>9.1f}{run.timeouts:>9}"
        )
    prop = report.propagation_ms
    if prop.get("n"):
        lines.append(
            f"propagation, ingest in a writer process → answered by the last replica, "
            f"{prop['n']} articles: p50 {prop['p50']:.0f} ms, p99 {prop['p99']:.0f} ms, "
            f"max {prop['max']:.0f} ms"
        )
    lines.append(
        f"bars: propagation p99 ≤ {BAR_PROPAGATION_P99_S:g} s; {report.replicas} replicas "
        f"≥ {BAR_REPLICAS_UPDATES_PER_S:g} updates/s with p99 ≤ {BAR_REPLICAS_P99_MS:g} ms "
        "(at 100k passages)"
    )
    lines.extend(f"note: {note}" for note in report.notes)
    for name, run in report.runs.items():
        lines.extend(f"note ({name}): {note}" for note in run.notes)
    return "\n".join(lines)
