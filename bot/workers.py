"""Where questions are answered: worker threads, or a pool of worker processes.

``Archive.ask`` is pure Python (a few ms of CPU per question), so worker threads share one
core through the GIL: measured at 100k passages, the bot saturated at ~36 updates/s with its
process at ~110% CPU. A process pool lets every core answer while the main process runs
python-telegram-bot. Each worker process opens its own ``Archive`` on the same data dir and
only reads; admin commands keep changing the archive in the main process. A worker sees those
changes because ``Archive.ask`` re-reads the index's ``CURRENT`` pointer on every question
and reloads when an ingest, delete or reindex wrote a new state (deltas included), and reads
articles from the shared SQLite store (WAL).

Why not ``concurrent.futures.ProcessPoolExecutor``: it was the first version, and profiling
the bot under load showed its machinery in the event loop's process: a manager thread and a
queue feeder thread competing with the loop for the GIL, a wake-up pipe write per call, and
a broken pool (all workers killed, every question in flight lost) when one worker dies. Here
each worker has one duplex pipe; the event loop writes a call to an idle worker and reads the
result when the pipe is readable (``loop.add_reader``), so there are no extra threads, and a
worker's exit is seen on its process sentinel, so only that worker's question fails and only
that worker is replaced.

* Warm workers: each one warms its archive up (``bot.warmup``) before it reports ready, and
  ``start`` waits for all of them, so start-up pays the cost, not the first users.
* Crashes: the question a dying worker was answering fails with ``WorkerCrashedError`` (the
  handlers tell the user to ask again), a fresh worker is spawned in its place, and queued
  questions go to the others meanwhile. A worker that dies while starting is retried a few
  times, then the pool gives up and says so (a broken archive, not a crash).
* Hangs: a call still unanswered ``timeout_s`` after it reached its worker (an endless loop,
  a stuck read) fails with ``AnswerTimeoutError`` and the worker is killed; its exit then
  takes the crash path above, so a fresh worker replaces it and queued questions are kept.
  Only time in a worker counts: a question waiting in the queue behind busy workers is not
  the fault of any one of them. Threads cannot be killed: ``ThreadWorkers`` stops waiting
  and replies, and the thread finishes in the background.
* No orphans: ``close`` stops and joins every worker, and each worker watches its parent's
  sentinel and exits if the bot process dies without shutting down (SIGKILL).
* Errors cross the process boundary as plain values: a ``NewsdeskError`` is re-raised in the
  bot as ``NewsdeskError(reason, item)`` and an unexpected exception as a ``RuntimeError``
  carrying the worker's traceback text.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Literal, Protocol, TypeVar

from bot.warmup import WARM_UP_LANGUAGES, freeze_long_lived, warm_up
from index import (
    Answer,
    Archive,
    IndexSettings,
    NewsdeskError,
    StoreUnavailableError,
    is_store_unavailable,
    open_archive,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

WORKER_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s[worker %(process)d]: %(message)s"
READY_TIMEOUT_S = 300.0  # spawning + warming a worker up takes ~2-4 s; a 1M archive longer
STOP_TIMEOUT_S = 5.0  # a worker asked to stop exits at once unless it is mid-question
MAX_FAILED_STARTS = 3  # workers dying before ready in a row: the archive cannot be opened
START_FAILED = f"{MAX_FAILED_STARTS} in a row died while opening the archive (see the log)"
# Workers run at a lower CPU priority than the bot process: its one event-loop thread feeds
# every worker and sends every reply, so when the cores are contended it must not wait
# behind them (a worker then sits idle with its answer unread). +5 weighs it ~3:1 for Linux.
WORKER_NICENESS = 5

StartMethod = Literal["spawn", "forkserver"]
# How a worker process starts. "spawn": a fresh interpreter that imports the bot's modules
# (bot.workers pulls in the whole archive stack: ~1.2 s of CPU) before it opens the archive.
# "forkserver": a server process, started with the first worker, imports them once; every
# worker and replacement after that is a fork of it (~0.1 s), and nothing is inherited from
# the bot process itself (its event loop, threads and connections stay behind) either way.
START_METHODS: tuple[StartMethod, ...] = ("spawn", "forkserver")


class WorkerCrashedError(Exception):
    """The worker process answering a question died before it replied."""


class AnswerTimeoutError(WorkerCrashedError):
    """A call took longer than the answer timeout; the process answering it was killed.

    A subclass of ``WorkerCrashedError`` because the outcome is the same for callers (this
    answer is lost, the next question gets a fresh worker), so code handling a crash handles
    a hang too; the handlers tell the two apart only to word the reply.
    """


class WorkerStartError(NewsdeskError):
    """Answer workers keep dying before they are ready (the archive cannot be opened)."""


class AnswerWorkers(Protocol):
    """What the handlers need to answer questions, wherever the answering runs."""

    async def start(self) -> None:
        """Get ready to answer (warm up); called once before updates are handled."""

    async def ask(
        self, question: str, *, k: int, offset: int = 0, now: datetime | None = None
    ) -> Answer:
        """``Archive.ask`` asked at ``now`` (the message date; None: the clock); raises
        NewsdeskError or WorkerCrashedError (or its subclass AnswerTimeoutError)."""

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions``."""

    def close(self) -> None:
        """Stop the workers (idempotent)."""


class ThreadWorkers:
    """Answers in threads of the bot process, from the bot's own archive.

    One process: the cheapest choice when the bot has one core to itself (one core, or
    two replicas sharing two), and the archive object may be any wrapper (the tests'
    failing archives), since nothing crosses a process boundary.

    With ``threads``, questions go to a pool of that many threads of their own, in arrival
    order: ``Archive.ask`` holds the GIL, so more threads than cores only interleave asks
    (each one finishing later) and hand the GIL back and forth, and the other calls the bot
    makes in threads (the shared flood guard and button state on PostgreSQL) do not queue
    behind questions in the loop's default pool. Without it (None), the loop's default pool.

    Args:
        archive: the archive the threads answer from.
        timeout_s: stop waiting for an answer after this long (None: wait as long as it
            takes). A thread cannot be killed: the timed-out call raises
            ``AnswerTimeoutError`` and the thread runs on in the background; with
            ``threads``, later calls go to a fresh pool, so a hung question holds no
            thread the next ones need.
        threads: threads of the answer pool (None: the loop's default pool).
        warm_up_languages: the languages ``start`` warms the archive up for (``bot.warmup``).
    """

    def __init__(
        self,
        archive: Archive,
        *,
        timeout_s: float | None = None,
        threads: int | None = None,
        warm_up_languages: tuple[str, ...] = WARM_UP_LANGUAGES,
    ) -> None:
        self._archive = archive
        self._timeout_s = timeout_s
        self._threads = threads
        self._warm_up_languages = warm_up_languages
        self._pool: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Warm the archive up in a worker thread (see ``bot.warmup``)."""
        await asyncio.to_thread(warm_up, self._archive, self._warm_up_languages)

    async def ask(
        self, question: str, *, k: int, offset: int = 0, now: datetime | None = None
    ) -> Answer:
        """``Archive.ask`` in a worker thread."""
        return await self._in_thread(self._archive.ask, question, k=k, offset=offset, now=now)

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions`` in a worker thread."""
        return await self._in_thread(self._archive.example_questions, n)

    def _answer_pool(self) -> ThreadPoolExecutor | None:
        if self._threads is not None and self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="newsdesk-answers")
        return self._pool

    async def _in_thread(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        pool = self._answer_pool()
        running = asyncio.get_running_loop().run_in_executor(
            pool, functools.partial(function, *args, **kwargs)
        )
        try:
            return await asyncio.wait_for(running, self._timeout_s)
        except TimeoutError:
            logger.warning(
                "%s did not finish in %g s; replying without it (the thread runs on)",
                getattr(function, "__name__", "answer call"),
                self._timeout_s,
            )
            if pool is not None and pool is self._pool:  # its thread may be stuck for good
                self._pool = None
                pool.shutdown(wait=False)
            raise AnswerTimeoutError(f"no answer after {self._timeout_s:g} s") from None

    def close(self) -> None:
        """Stop the answer pool (queued questions are dropped; a running one finishes in
        the background); with the loop's default pool, nothing to stop."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


@dataclass(frozen=True, slots=True)
class _Refused:
    """A NewsdeskError raised in a worker, as plain values (always unpickles)."""

    reason: str
    item: str | None
    unavailable: bool = False  # a StoreUnavailableError: the store's server is down


@dataclass(frozen=True, slots=True)
class _Failed:
    """An unexpected exception in a worker: its type, message and traceback text."""

    kind: str
    message: str
    traceback: str


# -- the worker process side ---------------------------------------------------------------

_archive: Archive | None = None


def _init_worker(
    settings_values: dict[str, Any], log_level: int, warm_up_languages: tuple[str, ...]
) -> None:
    """Runs once in each new worker: logging, parent watch, open and warm the archive."""
    global _archive
    from multiprocessing.util import Finalize

    logging.basicConfig(level=log_level, format=WORKER_LOG_FORMAT)
    _watch_parent()
    os.nice(WORKER_NICENESS)
    _archive = open_archive(IndexSettings(_env_file=None, **settings_values))  # type: ignore[call-arg]
    Finalize(_archive, _archive.close, exitpriority=10)  # run by multiprocessing at exit
    # On PostgreSQL the bot applies the change log to the shared index; this worker's own
    # cache of article rows must still drop what other processes update or delete.
    _archive.watch_changes()
    warm_up(_archive, warm_up_languages)
    freeze_long_lived()


def _watch_parent() -> None:
    """Exit this worker as soon as the bot process is gone, however it ended.

    A clean shutdown stops the workers through their pipes; after a SIGKILL of the bot a
    worker waiting on its pipe reads end-of-file, but one busy with a long question (or
    stopped) would go on; the watch thread ends it either way.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run(call: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """Run ``call(archive, *args)`` in the worker; errors come back as plain values."""
    if _archive is None:  # _serve initialises first; a call before that is a bug here
        raise RuntimeError("answer worker has no archive")
    try:
        return call(_archive, *args)
    except NewsdeskError as exc:
        return _Refused(exc.reason, exc.item, is_store_unavailable(exc))
    except Exception as exc:
        logger.exception("answer worker failed")
        return _Failed(type(exc).__name__, str(exc), traceback.format_exc())


def ask_in_worker(
    archive: Archive, question: str, k: int, offset: int, now: datetime | None = None
) -> Answer:
    """``Archive.ask`` with positional arguments (what the pool sends)."""
    return archive.ask(question, k=k, offset=offset, now=now)


def examples_in_worker(archive: Archive, n: int) -> list[str]:
    """``Archive.example_questions``."""
    return archive.example_questions(n)


def _serve(
    conn: Connection,
    settings_values: dict[str, Any],
    log_level: int,
    warm_up_languages: tuple[str, ...],
) -> None:
    """A worker process: get ready, say so, then answer calls until told to stop.

    SIGINT and SIGTERM are ignored: Ctrl-C in a terminal and a service manager's stop reach
    the whole process group, and the bot's own shutdown stops its workers in order (an
    early death would only make the bot start replacements on its way out). A worker still
    ends when the bot closes its pipe, when the bot process is gone, or on SIGKILL.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _init_worker(settings_values, log_level, warm_up_languages)
    conn.send(os.getpid())
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the bot closed its end
            return
        if message is None:
            return
        call, args = message
        conn.send(_run(call, args))


# -- the bot process side ------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Worker:
    """One worker process as the event loop sees it."""

    process: BaseProcess
    conn: Connection
    ready: asyncio.Future[None]
    current: asyncio.Future[Any] | None = None
    deadline: asyncio.TimerHandle | None = None  # fires when ``current`` takes too long
    gone: bool = False


@dataclass(slots=True)
class _Call:
    call: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any] = field(repr=False)


class ProcessWorkers:
    """Answers in ``workers`` processes, each with its own read-only archive on ``settings``.

    Every method runs in the event loop's thread (``start`` binds the pool to that loop).

    Args:
        settings: the archive's settings (only ``IndexSettings`` fields are sent; the bot
            token never reaches a worker).
        workers: processes in the pool.
        timeout_s: a call unanswered this long after it reached its worker fails with
            ``AnswerTimeoutError`` and the worker is killed and replaced (None: no limit).
        warm_up_languages: the languages every worker, replacements included, warms up for
            before it reports ready (``bot.warmup``).
        start_method: how a worker process starts (``START_METHODS``).
    """

    def __init__(
        self,
        settings: IndexSettings,
        workers: int,
        *,
        timeout_s: float | None = None,
        warm_up_languages: tuple[str, ...] = WARM_UP_LANGUAGES,
        start_method: StartMethod = "spawn",
    ) -> None:
        self._values = {name: getattr(settings, name) for name in IndexSettings.model_fields}
        self._size = workers
        self._timeout_s = timeout_s
        self._warm_up_languages = tuple(warm_up_languages)
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # Read when this process's fork server starts (its first worker), ignored after.
            self._context.set_forkserver_preload([__name__])
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._queue: deque[_Call] = deque()
        self._closed = False
        self._failed_starts = 0
        self.restarts = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Spawn every worker and wait until all of them are warm."""
        self._loop = asyncio.get_running_loop()
        started = time.perf_counter()
        for _ in range(self._size):
            self._spawn()
        while waiting := [w.ready for w in self._workers if not w.ready.done()]:
            if time.perf_counter() - started > READY_TIMEOUT_S:
                raise TimeoutError(f"answer workers not ready after {READY_TIMEOUT_S:g} s")
            # Bounded waits: a worker that died while starting is replaced by a new one.
            await asyncio.wait(waiting, timeout=0.5)
        if self._closed:
            raise WorkerStartError(START_FAILED, "answer workers")
        logger.info(
            "answer workers ready: %d processes, warm-up done in %.2f s",
            self._size,
            time.perf_counter() - started,
        )

    def _spawn(self) -> None:
        assert self._loop is not None  # noqa: S101 - start() ran
        ours, theirs = self._context.Pipe(duplex=True)
        level = logging.getLogger().getEffectiveLevel()
        process = self._context.Process(
            target=_serve,
            args=(theirs, self._values, level, self._warm_up_languages),
            name="newsdesk-answers",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours, self._loop.create_future())
        self._workers.append(worker)
        self._loop.add_reader(ours.fileno(), self._on_readable, worker)
        self._loop.add_reader(process.sentinel, self._on_exit, worker)

    def close(self) -> None:
        """Stop every worker and wait for it to exit; queued questions are cancelled."""
        self._closed = True
        while self._queue:
            self._queue.popleft().future.cancel()
        workers, self._workers = self._workers, []
        self._idle.clear()
        for worker in workers:
            self._forget(worker)
            with contextlib.suppress(OSError):  # already gone
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(STOP_TIMEOUT_S)
            if worker.process.is_alive():
                logger.warning("answer worker %s did not stop; killing it", worker.process.pid)
                worker.process.kill()
                worker.process.join(STOP_TIMEOUT_S)
            worker.conn.close()
            _stop_deadline(worker)
            if worker.current is not None and not worker.current.done():
                worker.current.cancel()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for logs and tests)."""
        return sorted(w.process.pid for w in self._workers if w.process.pid and not w.gone)

    def pending(self) -> int:
        """Calls waiting for a worker or being answered."""
        return len(self._queue) + sum(1 for w in self._workers if w.current is not None)

    # -- calls -------------------------------------------------------------------------------

    async def call(self, call: Callable[..., T], *args: Any) -> T:
        """``call(archive, *args)`` in a worker; ``call`` must be a module-level function.

        Raises:
            NewsdeskError: the archive refused (reason and item as raised in the worker).
            WorkerCrashedError: the worker died while running it; it has been replaced.
            AnswerTimeoutError: no answer within ``timeout_s``; the worker is killed and
                replaced.
            WorkerStartError: workers keep dying before they are ready.
            RuntimeError: an unexpected error in the worker (its traceback in the message),
                or the pool is closed.
        """
        if self._closed or self._loop is None:
            raise RuntimeError("the answer workers are not running")
        future: asyncio.Future[Any] = self._loop.create_future()
        self._queue.append(_Call(call, args, future))
        self._dispatch()
        result = await future
        if isinstance(result, _Refused):
            refused = StoreUnavailableError if result.unavailable else NewsdeskError
            raise refused(result.reason, result.item)
        if isinstance(result, _Failed):
            raise RuntimeError(
                f"{result.kind} in answer worker: {result.message}\n{result.traceback}"
            )
        return result  # type: ignore[no-any-return]

    def _dispatch(self) -> None:
        """Hand queued calls to idle workers, one call per worker at a time."""
        while self._queue and self._idle:
            worker = self._idle.popleft()
            item = self._queue.popleft()
            if item.future.done():  # the handler was cancelled meanwhile
                self._idle.appendleft(worker)
                continue
            try:
                if not worker.process.is_alive():  # died idle; its sentinel has not fired yet
                    raise BrokenPipeError
                worker.conn.send((item.call, item.args))
            except OSError:  # the call never reached a worker: it waits for the replacement
                self._queue.appendleft(item)
                self._on_exit(worker)
                continue
            worker.current = item.future
            if self._timeout_s is not None and self._loop is not None:
                worker.deadline = self._loop.call_later(
                    self._timeout_s, self._on_timeout, worker, item.future
                )

    def _on_readable(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            # The worker is exiting: stop reading; its sentinel fires once it has exited.
            if self._loop is not None:
                self._loop.remove_reader(worker.conn.fileno())
            return
        if not worker.ready.done():
            worker.ready.set_result(None)
            self._failed_starts = 0
        elif worker.current is not None:
            _stop_deadline(worker)
            if not worker.current.done():
                worker.current.set_result(message)
            worker.current = None
        if worker not in self._idle:
            self._idle.append(worker)
        self._dispatch()

    def _on_timeout(self, worker: _Worker, future: asyncio.Future[Any]) -> None:
        """``future`` is still unanswered after ``timeout_s``: fail it and kill its worker.

        The worker is stuck (an endless loop, a stuck read) or far too slow, and a process
        cannot be interrupted mid-call, so it is killed: SIGKILL ends even a stopped one.
        Its pipe is no longer read (a late reply must not make it look idle again), and its
        sentinel then fires ``_on_exit``, which reaps it and starts the replacement that
        queued questions wait for, exactly as after a crash.
        """
        worker.deadline = None
        if worker.gone or worker.current is not future or self._closed:
            return
        logger.warning(
            "answer worker %s gave no answer in %g s; killing it and starting a fresh one",
            worker.process.pid,
            self._timeout_s,
        )
        if not future.done():  # the handler may have been cancelled meanwhile
            future.set_exception(AnswerTimeoutError(f"no answer after {self._timeout_s:g} s"))
        worker.current = None
        if self._loop is not None:
            self._loop.remove_reader(worker.conn.fileno())
        worker.process.kill()

    def _on_exit(self, worker: _Worker) -> None:
        """A worker process ended: fail its question, reap it, start another."""
        if worker.gone:
            return
        self._forget(worker)
        _stop_deadline(worker)
        worker.process.join(STOP_TIMEOUT_S)
        worker.conn.close()
        if worker in self._workers:
            self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if self._closed:
            return
        code = worker.process.exitcode
        pid = worker.process.pid
        if not worker.ready.done():
            worker.ready.cancel()  # wakes start(), which then waits for the replacement
            self._failed_starts += 1
            logger.error("answer worker %s died while starting (exit code %s)", pid, code)
            if self._failed_starts >= MAX_FAILED_STARTS:
                self._fail_all(WorkerStartError(START_FAILED, "answer workers"))
                return
        else:
            logger.error("answer worker %s died (exit code %s); starting a fresh one", pid, code)
        if worker.current is not None and not worker.current.done():
            worker.current.set_exception(WorkerCrashedError(f"exit code {code}"))
        worker.current = None
        self.restarts += 1
        self._spawn()

    def _fail_all(self, error: Exception) -> None:
        self._closed = True
        while self._queue:
            item = self._queue.popleft()
            if not item.future.done():
                item.future.set_exception(error)

    def _forget(self, worker: _Worker) -> None:
        worker.gone = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.conn.fileno())
            self._loop.remove_reader(worker.process.sentinel)

    # -- what the handlers call --------------------------------------------------------------

    async def ask(
        self, question: str, *, k: int, offset: int = 0, now: datetime | None = None
    ) -> Answer:
        """``Archive.ask`` in a worker process."""
        return await self.call(ask_in_worker, question, k, offset, now)

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions`` in a worker process."""
        return await self.call(examples_in_worker, n)


def _stop_deadline(worker: _Worker) -> None:
    """Cancel the timeout of the call ``worker`` was running, if any."""
    if worker.deadline is not None:
        worker.deadline.cancel()
        worker.deadline = None
