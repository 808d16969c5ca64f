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
Bot API), with the same users, rate and duration for every configuration. That load is a
closed loop (users wait for their replies), so its updates/s is bounded by the users' think
time and its p99 at a rate above capacity is queueing; the SQLite process and the ``N``
replicas are then also offered ``--fixed-rate`` updates/s (default: the bar, 200/s) in an
open loop, right after their closed-loop run, and the throughput bars are judged there:
sustained or not, and the p99 at that rate.
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
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bot.bench import (
    BAR_PASSAGES,
    BENCH_TOKEN,
    READY_TIMEOUT_S,
    REPLY_TIMEOUT_S,
    FakeBotApi,
    FakeUser,
    LoadResult,
    ZipfCorpus,
    _cpu_s,
    _percentiles,
    _serve_bot,
    fixed_rate,
    fixed_rate_line,
    run_bench,
    run_fixed_rate,
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
class StoreLoad:
    """What the PostgreSQL server did during one load run, per update handled.

    Round trips are counted by the server itself: statements from ``pg_stat_statements``
    when the extension is installed in the database (else left out), transactions from
    ``pg_stat_database``. CPU is that of the server's processes (the postmaster's children:
    one backend per pooled connection), when the server runs on this machine.
    """

    statements_per_update: float | None = None
    transactions_per_update: float | None = None
    server_cpu_percent: float | None = None
    top_statements: list[tuple[float, str]] = field(default_factory=list)


class StoreProbe:
    """Reads the server's counters before and after a load run (``StoreLoad``)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._statements: dict[str, int] | None = None
        self._transactions = 0
        self._cpu: dict[int, float] = {}
        self._postmaster: psutil.Process | None = None
        self._started = 0.0

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self._url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def _read(self) -> tuple[dict[str, int] | None, int]:
        import psycopg

        try:
            rows = self._query(
                "SELECT query, calls FROM pg_stat_statements WHERE dbid = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            statements: dict[str, int] | None = {}
            for query, calls in rows:
                statements[query] = statements.get(query, 0) + int(calls)  # type: ignore[index]
        except psycopg.Error:
            statements = None
        (done,) = self._query(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        )[0]
        return statements, int(done)

    def _server_cpu(self) -> dict[int, float]:
        if self._postmaster is None:
            return {}
        processes = [self._postmaster, *self._postmaster.children()]
        return {process.pid: _cpu_s(process) for process in processes}

    def start(self) -> None:
        import psycopg

        with suppress(psycopg.Error, psutil.Error), psycopg.connect(self._url) as conn:
            (pid,) = conn.execute("SELECT pg_backend_pid()").fetchone()  # type: ignore[misc]
            # While the connection is open: its backend exits with it. None when remote.
            self._postmaster = psutil.Process(int(pid)).parent()
        self._statements, self._transactions = self._read()
        self._cpu = self._server_cpu()
        self._started = time.perf_counter()

    def stop(self, handled: int) -> StoreLoad:
        elapsed = time.perf_counter() - self._started
        cpu = self._server_cpu()
        statements, transactions = self._read()
        load = StoreLoad()
        per = max(handled, 1)
        load.transactions_per_update = (transactions - self._transactions) / per
        if self._postmaster is not None:
            used = sum(seconds - self._cpu.get(pid, 0.0) for pid, seconds in cpu.items())
            load.server_cpu_percent = 100.0 * used / elapsed
        if statements is not None and self._statements is not None:
            calls = {q: n - self._statements.get(q, 0) for q, n in statements.items()}
            load.statements_per_update = sum(calls.values()) / per
            top = sorted(calls.items(), key=lambda item: -item[1])[:12]
            load.top_statements = [(n / per, " ".join(q.split())[:110]) for q, n in top if n]
        return load


@dataclass(slots=True)
class ReplicasReport:
    """The three load runs and the propagation delays."""

    passages: int
    replicas: int
    runs: dict[str, LoadResult] = field(default_factory=dict)
    propagation_ms: dict[str, float] = field(default_factory=dict)
    store: dict[str, StoreLoad] = field(default_factory=dict)
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
    """POSTs updates to the replicas' webhooks in turn (the load balancer).

    Through aiohttp (C parser), not httpx: this process also runs the fake Bot API and the
    users on the same two cores as the replicas, and an httpx POST cost it ~1 ms of CPU per
    update, CPU the replicas then lacked (``docs/postgres.md``, "Where the CPU went").
    Each update is still a real HTTP request with the secret-token header, as Telegram sends.
    """

    def __init__(self, ports: list[int]) -> None:
        self.urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
        self._next = 0
        self._client: aiohttp.ClientSession | None = None
        self._headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
        }

    async def post(self, update: dict[str, Any], *, to: int | None = None) -> bool:
        if to is None:
            to, self._next = self._next, (self._next + 1) % len(self.urls)
        if self._client is None:  # made in the running loop, as aiohttp wants
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
            )
        try:
            async with self._client.post(
                self.urls[to], data=json.dumps(update).encode(), headers=self._headers
            ) as response:
                await response.read()
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


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
        probe = StoreProbe(args.database)
        await asyncio.to_thread(probe.start)
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
        name = f"postgresql, {count} replica{'s' if count > 1 else ''}"
        report.runs[name] = result
        report.store[name] = await asyncio.to_thread(probe.stop, result.handled)
        if count > 1 and args.propagation > 0:
            delays = await _propagation(args, data_dir, server, spread, len(ports) - 1)
            report.propagation_ms = _percentiles(delays)
        # Last: a rate above what the replicas sustain leaves them a backlog to work off,
        # which would delay the propagation replies if those came after it.
        if count == args.replicas and fixed_rate(args):
            probe = StoreProbe(args.database)
            await asyncio.to_thread(probe.start)
            fixed = await run_fixed_rate(
                server,
                questions,
                args,
                bot_pid=[p.pid for p in processes if p.pid is not None],
                deliver=spread.post,
            )
            fixed_name = f"{name}, {fixed.target_rate:g}/s offered"
            report.runs[fixed_name] = fixed
            report.store[fixed_name] = await asyncio.to_thread(probe.stop, fixed.handled)
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
    report.notes.append(
        f"closed loop: {args.users} users, each waiting for its reply and then thinking "
        f"{args.users / args.rate:.2f} s on average (aiming at {args.rate:g} updates/s)"
    )
    sqlite_args = argparse.Namespace(**{**vars(args), "database": None, "layer_only": False})
    sqlite = await run_bench(sqlite_args, data_dir, build_s)
    report.runs["sqlite, 1 process (long polling)"] = sqlite
    if sqlite.fixed_rate_run is not None:
        fixed, sqlite.fixed_rate_run = sqlite.fixed_rate_run, None
        report.runs[f"sqlite, 1 process, {fixed.target_rate:g}/s offered"] = fixed
    questions = ZipfCorpus(args.passages).questions(200)
    for count in sorted({1, args.replicas}):
        await _replicas_run(args, data_dir, count, questions, report)
    report.notes.append("load average at the end: " + _load())
    return report


def cpu_per_update(run: LoadResult, store: StoreLoad | None) -> str:
    """CPU ms per update handled, per kind of process: what to compare between runs on a
    shared machine, where updates/s and latency mostly measure waiting for a core."""
    if not run.updates_per_s:
        return "–"
    per = 10.0 / run.updates_per_s  # percent of a core → ms per update
    server = store.server_cpu_percent if store else None
    parts = [
        run.bot_cpu_percent * per,
        run.workers_cpu_percent * per,
        None if server is None else server * per,
        run.server_cpu_percent * per,
    ]
    known = [part for part in parts if part is not None]
    return (
        " / ".join("–" if part is None else f"{part:.2f}" for part in parts)
        + f" = {sum(known):.2f}"
    )


def replicas_bars_verdict(report: ReplicasReport) -> str:
    """The throughput bars judged on the open-loop run of all the replicas, if there was one
    at the bar's rate or above on an archive of the bars' size: a closed loop's updates/s is
    set by its users' think time as much as by the bot (``bot.bench``), and its p99 under a
    rate above capacity is queueing."""
    name = f"postgresql, {report.replicas} replicas"
    runs = [
        run
        for key, run in report.runs.items()
        if key.startswith(f"{name},")
        and run.open_loop
        and run.target_rate >= BAR_REPLICAS_UPDATES_PER_S
    ]
    if not runs:
        return f" — not judged: no open-loop run at ≥ {BAR_REPLICAS_UPDATES_PER_S:g}/s"
    if report.passages < BAR_PASSAGES:
        return f" — not judged: bars are set at {BAR_PASSAGES // 1000}k passages"
    run = runs[0]
    p99 = run.latency_ms.get("all", {}).get("p99", float("inf"))
    return (
        f": at {run.target_rate:g}/s offered, "
        f"{'sustained' if run.sustained else 'NOT sustained'}, "
        f"p99 {'met' if p99 <= BAR_REPLICAS_P99_MS else 'NOT met'}"
    )


def format_replicas(report: ReplicasReport) -> str:
    """The human-readable table."""
    lines = [
        f"bot replicas benchmark: {report.passages:,} passages, store on PostgreSQL, "
        "updates POSTed round robin to the replicas' webhooks",
        f"{'configuration':<40}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'timeouts':>9}"
        f"{'CPU % bot':>10}{'workers':>8}{'postgres':>9}{'driver':>8}",
    ]
    for name, run in report.runs.items():
        stats = run.latency_ms.get("all", {})
        store = report.store.get(name)
        server = store.server_cpu_percent if store else None
        lines.append(
            f"{name:<40}{run.updates_per_s:>10.1f}{stats.get('p50', float('nan')):>9.1f}"
            f"{stats.get('p99', float('nan')):>9.1f}{run.timeouts:>9}"
            f"{run.bot_cpu_percent:>10.0f}{run.workers_cpu_percent:>8.0f}"
            f"{'' if server is None else f'{server:.0f}':>9}{run.server_cpu_percent:>8.0f}"
        )
    lines.append(
        "CPU ms per update handled (bot processes / answer workers / postgres / driver: "
        "this process, the fake Bot API and the users):"
    )
    for name, run in report.runs.items():
        store = report.store.get(name)
        lines.append(f"  {name:<38}{cpu_per_update(run, store)}")
    for name, store in report.store.items():
        statements = store.statements_per_update
        lines.append(
            f"store ({name}) per update: {store.transactions_per_update:.2f} transactions"
            + ("" if statements is None else f", {statements:.2f} statements")
        )
        lines.extend(f"  {calls:6.2f}  {query}" for calls, query in store.top_statements)
    prop = report.propagation_ms
    if prop.get("n"):
        lines.append(
            f"propagation, ingest in a writer process → answered by the last replica, "
            f"{prop['n']} articles: p50 {prop['p50']:.0f} ms, p99 {prop['p99']:.0f} ms, "
            f"max {prop['max']:.0f} ms"
        )
    for name, run in report.runs.items():
        if run.open_loop:
            lines.append(f"{name}: {fixed_rate_line(run)}")
    lines.append(
        f"bars: propagation p99 ≤ {BAR_PROPAGATION_P99_S:g} s; {report.replicas} replicas "
        f"≥ {BAR_REPLICAS_UPDATES_PER_S:g} updates/s with p99 ≤ {BAR_REPLICAS_P99_MS:g} ms "
        "(at 100k passages)" + replicas_bars_verdict(report)
    )
    lines.extend(f"note: {note}" for note in report.notes)
    for name, run in report.runs.items():
        lines.extend(f"note ({name}): {note}" for note in run.notes)
    return "\n".join(lines)
