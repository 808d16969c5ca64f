"""What ``tests/bot/test_workers.py`` runs inside answer worker processes, and the stand-in
bot process that owns a pool.

A worker receives a call by name and imports its module first. Kept apart from the test
module, which imports python-telegram-bot, the fake Bot API and the other bot tests: a worker
importing this module pays ~0.1 s of CPU instead of the test module's ~1.6 s (measured with
``time.process_time`` around the import, on top of ``bot.workers``'s own 1.2 s).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from pathlib import Path

from bot.workers import ProcessWorkers
from index import Archive, IndexSettings, NewsdeskError

# The tests ask English questions only: their workers warm up for English alone
# (NEWSDESK_WARM_UP_LANGUAGES), which spares each start the uk and ru dictionaries.
ENGLISH = ("en",)
# And they start from a fork server (NEWSDESK_ANSWER_START_METHOD) that imported bot.workers
# once: measured with one worker killed three times at load ~6 on 2 cores, a replacement was
# ready and answering in 1.5-2.3 s against 4.6-5.2 s spawned. The production default, spawn,
# is covered by tests/bot/test_entrypoint.py and by the orphan test here.
FORKSERVER = "forkserver"


def sleep_in_worker(archive: Archive, marker: str, seconds: float) -> None:
    """Occupy a worker: touch ``marker`` when started, then sleep."""
    Path(marker).touch()
    time.sleep(seconds)


def die_in_worker(archive: Archive) -> None:
    """Crash the worker the way a segfault or the OOM killer would: no cleanup, no reply."""
    os._exit(70)


def refuse_in_worker(archive: Archive) -> None:
    """Raise a NewsdeskError the way the archive does for a bad question."""
    raise NewsdeskError("the question is empty", "question")


def own_workers(settings: IndexSettings, report: multiprocessing.Queue[list[int]]) -> None:
    """A stand-in bot process: start a pool, report its workers, then wait to be killed."""
    # Spawned, the default; no question is asked here, so the workers only open the index.
    workers = ProcessWorkers(settings, 2, warm_up_languages=())
    asyncio.run(workers.start())
    report.put(workers.pids())
    time.sleep(120)
