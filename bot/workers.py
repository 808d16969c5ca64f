"""Where questions are answered: worker threads, or a pool of worker processes.

``Archive.ask`` is pure Python (a few ms of CPU per question), so worker threads share one
core through the GIL: measured at 100k passages, the bot saturated at ~36 updates/s with its
process at ~110% CPU. A process pool lets every core answer while the main process runs
python-telegram-bot. Each worker process opens its own ``Archive`` on the same data dir and
only reads; admin commands keep changing the archive in the main process. A worker sees those
changes because ``Archive.ask`` re-reads the index's ``CURRENT`` pointer on every question
and reloads when an ingest, delete or reindex wrote a new state (deltas included), and reads
articles from the shared SQLite store (WAL).

``concurrent.futures.ProcessPoolExecutor`` (spawn) does the process management; this module
adds what a long-running bot needs on top:

* Warm workers: each one warms its archive up (``bot.warmup``) before it takes a question,
  and ``start`` waits until every worker answered a ping, so start-up pays the cost.
* Crashes: a worker that dies (killed, out of memory, a crash in a C extension) breaks the
  whole pool. The questions in flight then fail with ``WorkerCrashedError`` (the handlers
  tell the user to ask again) and a fresh pool replaces the broken one; a question submitted
  after the pool broke, and so never started, is simply run on the fresh pool.
* No orphans: ``close`` shuts the pool down, and each worker watches its parent's sentinel
  and exits if the bot process dies without shutting down (SIGKILL).
* Errors cross the process boundary as plain values: a ``NewsdeskError`` is re-raised in the
  bot as ``NewsdeskError(reason, item)`` and an unexpected exception as a ``RuntimeError``
  carrying the worker's traceback text, since an exception whose class cannot be unpickled
  would break the pool instead of reaching the error handler.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Protocol, TypeVar

from bot.warmup import freeze_long_lived, warm_up
from index import Answer, Archive, IndexSettings, NewsdeskError, open_archive

logger = logging.getLogger(__name__)

T = TypeVar("T")

WORKER_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s[worker %(process)d]: %(message)s"
READY_TIMEOUT_S = 300.0  # spawning + warming a worker up takes ~2-4 s; a 1M archive longer


class WorkerCrashedError(Exception):
    """The worker process answering a question died before it replied."""


class AnswerWorkers(Protocol):
    """What the handlers need to answer questions, wherever the answering runs."""

    async def start(self) -> None:
        """Get ready to answer (warm up); called once before updates are handled."""

    async def ask(self, question: str, *, k: int, offset: int = 0) -> Answer:
        """``Archive.ask``; raises NewsdeskError or WorkerCrashedError."""

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions``."""

    def close(self) -> None:
        """Stop the workers (idempotent)."""


class ThreadWorkers:
    """Answers in the event loop's default thread pool, from the bot's own archive.

    One process: the cheapest choice on one core, and the archive object may be any wrapper
    (the tests' failing archives), since nothing crosses a process boundary.
    """

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    async def start(self) -> None:
        """Warm the archive up in a worker thread (see ``bot.warmup``)."""
        await asyncio.to_thread(warm_up, self._archive)

    async def ask(self, question: str, *, k: int, offset: int = 0) -> Answer:
        """``Archive.ask`` in a worker thread."""
        return await asyncio.to_thread(self._archive.ask, question, k=k, offset=offset)

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions`` in a worker thread."""
        return await asyncio.to_thread(self._archive.example_questions, n)

    def close(self) -> None:
        """Nothing to stop: the loop owns its thread pool."""


@dataclass(frozen=True, slots=True)
class _Refused:
    """A NewsdeskError raised in a worker, as plain values (always unpickles)."""

    reason: str
    item: str | None


@dataclass(frozen=True, slots=True)
class _Failed:
    """An unexpected exception in a worker: its type, message and traceback text."""

    kind: str
    message: str
    traceback: str


# -- the worker process side ---------------------------------------------------------------

_archive: Archive | None = None


def _init_worker(settings_values: dict[str, Any], log_level: int) -> None:
    """Runs once in each new worker: logging, parent watch, open and warm the archive."""
    global _archive
    from multiprocessing.util import Finalize

    logging.basicConfig(level=log_level, format=WORKER_LOG_FORMAT)
    _watch_parent()
    _archive = open_archive(IndexSettings(_env_file=None, **settings_values))  # type: ignore[call-arg]
    Finalize(_archive, _archive.close, exitpriority=10)  # run by multiprocessing at exit
    warm_up(_archive)
    freeze_long_lived()


def _watch_parent() -> None:
    """Exit this worker as soon as the bot process is gone, however it ended.

    A clean shutdown stops the workers through the pool; after a SIGKILL of the bot nobody
    would, and a worker blocked on the pool's queue would wait forever.
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
    if _archive is None:  # the initializer failed; the pool reports that as broken
        raise RuntimeError("answer worker has no archive")
    try:
        return call(_archive, *args)
    except NewsdeskError as exc:
        return _Refused(exc.reason, exc.item)
    except Exception as exc:
        logger.exception("answer worker failed")
        return _Failed(type(exc).__name__, str(exc), traceback.format_exc())


def ask_in_worker(archive: Archive, question: str, k: int, offset: int) -> Answer:
    """``Archive.ask`` with positional arguments (what the pool sends)."""
    return archive.ask(question, k=k, offset=offset)


def examples_in_worker(archive: Archive, n: int) -> list[str]:
    """``Archive.example_questions``."""
    return archive.example_questions(n)


def ping_worker(archive: Archive) -> int:
    """This worker's pid: answered once the initializer (and warm-up) finished."""
    return os.getpid()


# -- the bot process side ------------------------------------------------------------------


class ProcessWorkers:
    """Answers in ``workers`` processes, each with its own read-only archive on ``settings``.

    Args:
        settings: the archive's settings (only ``IndexSettings`` fields are sent; the bot
            token never reaches a worker).
        workers: processes in the pool.
    """

    def __init__(self, settings: IndexSettings, workers: int) -> None:
        self._values = {name: getattr(settings, name) for name in IndexSettings.model_fields}
        self._workers = workers
        self._context = multiprocessing.get_context("spawn")
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._values, logging.getLogger().getEffectiveLevel()),
        )

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the answer workers are closed")
            if self._executor is None:
                self._executor = self._new_executor()
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Swap a fresh pool in for ``broken`` (once, however many calls saw it break)."""
        with self._lock:
            if self._executor is not broken or self._closed:
                return
            self._executor = self._new_executor()
            self.restarts += 1
        logger.error("an answer worker died; replaced the pool with fresh workers")
        broken.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for logs and tests)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return sorted(pid for pid, process in processes.items() if process.is_alive())

    def _submit(
        self, call: Callable[..., Any], args: tuple[Any, ...]
    ) -> tuple[ProcessPoolExecutor, Future[Any]]:
        executor = self._current()
        try:
            return executor, executor.submit(_run, call, args)
        except BrokenProcessPool:
            # The pool broke while idle (a worker was killed between questions): this call
            # never started, so it runs on a fresh pool instead of failing.
            self._replace(executor)
            executor = self._current()
            return executor, executor.submit(_run, call, args)

    async def call(self, call: Callable[..., T], *args: Any) -> T:
        """``call(archive, *args)`` in a worker; ``call`` must be a module-level function.

        Raises:
            NewsdeskError: the archive refused (reason and item as raised in the worker).
            WorkerCrashedError: the worker died while running it; the pool is replaced.
            RuntimeError: an unexpected error in the worker (its traceback in the message).
        """
        executor, future = self._submit(call, args)
        try:
            result = await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._replace(executor)
            raise WorkerCrashedError(str(exc)) from None
        if isinstance(result, _Refused):
            raise NewsdeskError(result.reason, result.item)
        if isinstance(result, _Failed):
            raise RuntimeError(
                f"{result.kind} in answer worker: {result.message}\n{result.traceback}"
            )
        return result

    async def start(self) -> None:
        """Spawn every worker and wait until all are warm (one ping per worker)."""
        started = time.perf_counter()
        pings = [self._submit(ping_worker, ())[1] for _ in range(self._workers)]
        await asyncio.wait_for(
            asyncio.gather(*(asyncio.wrap_future(ping) for ping in pings)), READY_TIMEOUT_S
        )
        logger.info(
            "answer workers ready: %d processes, warm-up done in %.2f s",
            self._workers,
            time.perf_counter() - started,
        )

    async def ask(self, question: str, *, k: int, offset: int = 0) -> Answer:
        """``Archive.ask`` in a worker process."""
        return await self.call(ask_in_worker, question, k, offset)

    async def example_questions(self, n: int) -> list[str]:
        """``Archive.example_questions`` in a worker process."""
        return await self.call(examples_in_worker, n)

    def close(self) -> None:
        """Stop the workers and wait for them to exit; questions still queued are dropped."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
