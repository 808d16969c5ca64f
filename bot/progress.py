"""A live progress message for long admin jobs, edited at most every few seconds.

The job runs in a worker thread and reports ``Progress`` ticks from there; the ticks are
handed to the event loop, and the message shows the latest one. Telegram limits edits, and
an unchanged text is an error ("message is not modified"), so edits are throttled to one per
``interval_s`` and skipped when the text would not change.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from telegram import Message
from telegram.error import TelegramError

from bot.texts import text
from index import Lang, Progress

logger = logging.getLogger(__name__)

ResultT = TypeVar("ResultT")


def format_duration(seconds: float) -> str:
    """1:05, 12:00, 1:02:03."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(progress: Progress, lang: Lang) -> str:
    """Stage, percent, rate and ETA, e.g. "build 42% · 31,000 passages/s · ETA 0:07"."""
    rate = progress.done / progress.elapsed_s if progress.elapsed_s > 0 else 0.0
    if progress.total:
        percent = f"{min(100.0, 100.0 * progress.done / progress.total):.0f}%"
        remaining = max(0, progress.total - progress.done)
        eta = format_duration(remaining / rate) if rate > 0 else "?"
    else:
        percent, eta = f"{progress.done:,}", "?"
    return text(
        "reindex_progress",
        lang,
        stage=progress.stage,
        percent=percent,
        rate=f"{rate:,.0f} {progress.unit}",
        eta=eta,
    )


async def run_with_progress(
    job: Callable[[Callable[[Progress], None]], ResultT],
    message: Message,
    lang: Lang,
    interval_s: float,
) -> ResultT:
    """Run ``job(progress_callback)`` in a worker thread, editing ``message`` as it goes.

    Returns the job's result (or raises its exception); the caller writes the final text.
    The last edit before returning is at least ``interval_s`` after the previous one.
    """
    loop = asyncio.get_running_loop()
    latest: list[Progress] = []
    changed = asyncio.Event()

    def publish(progress: Progress) -> None:  # runs in the loop
        latest[:] = [progress]
        changed.set()

    def on_progress(progress: Progress) -> None:  # runs in the worker thread
        loop.call_soon_threadsafe(publish, progress)

    task = asyncio.ensure_future(asyncio.to_thread(job, on_progress))
    shown = message.text_html
    last_edit = time.monotonic()
    while not task.done():
        waiter = asyncio.ensure_future(changed.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        delay = last_edit + interval_s - time.monotonic()
        if not task.done() and delay > 0:
            await asyncio.wait({task}, timeout=delay)
        if task.done() or not latest:
            break
        changed.clear()
        new_text = format_progress(latest[0], lang)
        if new_text != shown:
            try:
                await message.edit_text(new_text)
            except TelegramError as exc:
                logger.warning("progress edit failed: %s", exc)
            shown, last_edit = new_text, time.monotonic()
    try:
        return await task
    finally:
        delay = last_edit + interval_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
