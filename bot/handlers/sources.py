"""News sources in the bot: /sources, /addsource, /removesource, /poll and the polling job.

The commands are admin-only (``guards.admin_only``). The polling job runs in PTB's JobQueue:
it polls the due sources in a worker thread, then schedules itself again for when the next
source falls due (at most ``MAX_IDLE_S`` later, so sources added from the CLI are noticed).
Each source keeps its own interval with ±10 % jitter and its failure backoff in the store
(``index.feeds.schedule``), so the job never needs to know one source from another.

The source texts are plain templates: they are filled with raw values and the whole line is
escaped once as a ``Run``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import Application, JobQueue

from bot.context import Context
from bot.guards import admin_only
from bot.handlers.common import reply_error, user_lang
from bot.render import Run, render_parts, trim
from bot.texts import counted, text
from index import Lang, NewsdeskError, PollReport, SourceStatus

logger = logging.getLogger(__name__)

POLL_JOB_NAME = "feeds-poll"
# The first poll waits for the bot to finish starting (commands registered, first updates).
FIRST_POLL_DELAY_S = 10.0
# The job wakes at least this often, so a source added by the CLI is polled within a minute.
MAX_IDLE_S = 60.0
MIN_IDLE_S = 1.0
MAX_ERROR_CHARS = 200  # a source's last error as shown in /sources


def schedule_polling(application: Application, *, first_s: float | None = None) -> None:  # type: ignore[type-arg]
    """Start the polling job (called from ``post_init``); warns when there is no JobQueue."""
    job_queue = application.job_queue
    if job_queue is None:
        logger.warning("no JobQueue (python-telegram-bot[job-queue]): sources are not polled")
        return
    _schedule(job_queue, FIRST_POLL_DELAY_S if first_s is None else first_s)


def _schedule(job_queue: JobQueue, delay_s: float) -> None:  # type: ignore[type-arg]
    job_queue.run_once(poll_job, when=delay_s, name=POLL_JOB_NAME)


async def poll_job(context: Context) -> None:
    """Poll the due sources, then run again when the next one is due."""
    data = context.bot_data
    delay = MAX_IDLE_S
    try:
        # Replicas on PostgreSQL: one polls; the others ask again every MAX_IDLE_S and take
        # over when it is gone.
        if not await asyncio.to_thread(data.archive.is_leader):
            return
        report = await asyncio.to_thread(data.archive.poll)
        if report.changed_article_ids:
            data.forget_stats()
        statuses = await asyncio.to_thread(data.archive.list_sources)
        delay = seconds_until_due(statuses, datetime.now(UTC))
    except NewsdeskError as exc:
        logger.warning("source polling failed: %s", exc)
    finally:
        if context.job_queue is not None:
            _schedule(context.job_queue, delay)


def seconds_until_due(statuses: Sequence[SourceStatus], now: datetime) -> float:
    """Seconds until the next source is due, within [MIN_IDLE_S, MAX_IDLE_S]."""
    times = [s.next_poll_at for s in statuses if s.next_poll_at is not None]
    if not times:
        return MAX_IDLE_S
    wait = (min(times) - now).total_seconds()
    return min(max(wait, MIN_IDLE_S), MAX_IDLE_S)


def _when(moment: datetime | None, lang: Lang) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else text("never", lang)


def _minutes(interval_s: int) -> str:
    return f"{interval_s / 60:g}"


def render_sources(statuses: Sequence[SourceStatus], lang: Lang) -> list[str]:
    """``/sources``: each source with last success, last error, articles and next poll."""
    if not statuses:
        return [text("sources_none", lang)]
    runs = [Run(text("sources_header", lang, count=len(statuses)), bold=True)]
    for status in statuses:
        source = status.source
        runs.append(Run("\n\n"))
        runs.append(Run(source.name, bold=True))
        runs.append(Run(f" ({status.kind}) " if status.kind else " "))
        runs.append(Run(trim(source.url, 200), href=source.url))
        if status.kind == "telegram":  # a channel (index.channels): never polled
            line = text(
                "channel_status",
                lang,
                articles=status.articles_ingested,
                success=_when(status.last_success_at, lang),
            )
            runs.append(Run("\n" + line))
            continue
        line = text(
            "source_status",
            lang,
            minutes=_minutes(source.interval_s),
            articles=status.articles_ingested,
            success=_when(status.last_success_at, lang),
            next=_when(status.next_poll_at, lang),
        )
        runs.append(Run("\n" + line))
        if status.failing:
            error = trim(status.last_error or "?", MAX_ERROR_CHARS)
            failing = text("source_failing", lang, failures=status.failures, error=error)
            runs.append(Run("\n" + failing, italic=True))
    return render_parts(runs)


def render_poll(report: PollReport, lang: Lang) -> list[str]:
    """``/poll``'s reply: the totals, then each failed or deferred source with its reason."""
    runs = [
        Run(
            text(
                "poll_done",
                lang,
                new=report.count("new"),
                updated=report.count("updated"),
                failed=report.count("failed"),
                failed_sources=len(report.failed_sources),
                sources=counted("source", len(report.sources), lang),
            )
        )
    ]
    for poll in report.sources:
        if poll.outcome in ("failed", "deferred"):  # deferred: the server asked us to wait
            runs.append(Run(f"\n• {poll.name}: {trim(poll.error or '?', MAX_ERROR_CHARS)}"))
    return render_parts(runs)


@admin_only
async def cmd_sources(update: Update, context: Context) -> None:
    """/sources: every source and how its polling goes."""
    message = update.effective_message
    if message is None:
        return
    statuses = await asyncio.to_thread(context.bot_data.archive.list_sources)
    for part in render_sources(statuses, user_lang(update)):
        await message.reply_text(part)


@admin_only
async def cmd_addsource(update: Update, context: Context) -> None:
    """/addsource URL [NAME]: register a feed or sitemap, due for polling at once;
    /addsource @channel (or a t.me link): allow a Telegram channel's posts in."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    args = list(context.args or [])
    if not 1 <= len(args) <= 2:
        await message.reply_text(text("addsource_usage", lang))
        return
    name = args[1] if len(args) == 2 else None
    archive = context.bot_data.archive
    try:
        source = await asyncio.to_thread(archive.add_source, args[0], name=name)
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    if source.interval_s == 0:  # a Telegram channel (index.channels): posts come pushed
        added = text("channel_added", lang, name=source.name, url=source.url)
    else:
        added = text(
            "source_added",
            lang,
            name=source.name,
            url=source.url,
            minutes=_minutes(source.interval_s),
        )
    for part in render_parts([Run(added)]):
        await message.reply_text(part)


@admin_only
async def cmd_removesource(update: Update, context: Context) -> None:
    """/removesource NAME: unregister a source (its articles stay)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    args = list(context.args or [])
    if len(args) != 1:
        await message.reply_text(text("removesource_usage", lang))
        return
    try:
        source = await asyncio.to_thread(context.bot_data.archive.remove_source, args[0])
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    for part in render_parts([Run(text("source_removed", lang, name=source.name))]):
        await message.reply_text(part)


@admin_only
async def cmd_poll(update: Update, context: Context) -> None:
    """/poll: poll every source now, due or not, and report what came in."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    statuses = await asyncio.to_thread(data.archive.list_sources)
    statuses = [s for s in statuses if s.kind != "telegram"]  # channels push, never polled
    if not statuses:
        await message.reply_text(text("sources_none", lang))
        return
    await message.reply_text(
        text("poll_started", lang, sources=counted("source", len(statuses), lang))
    )
    try:
        report = await asyncio.to_thread(data.archive.poll, due_only=False)
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    if report.changed_article_ids:
        data.forget_stats()
    for part in render_poll(report, lang):
        await message.reply_text(part)
