"""Admin commands: /ingest, document uploads, /reindex with live progress, /stats, /delete.

Every handler here is wrapped in ``admin_only``: non-admins get a polite refusal and nothing
runs; admin actions are logged with the user id. The archive work runs in worker threads, so
questions keep being answered meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Update

from bot.context import Context
from bot.guards import admin_only
from bot.handlers.common import describe_error, reply_error, user_lang
from bot.progress import run_with_progress
from bot.render import Run, escape, format_date, render_parts, trim
from bot.texts import counted, format_count, text
from index import INGEST_SUFFIXES, IngestReport, Lang, NewsdeskError

logger = logging.getLogger(__name__)

# Files the ingestion path understands (issue 2): the types it searches folders for, and
# gzip (extraction sniffs what is inside).
UPLOAD_SUFFIXES = (*INGEST_SUFFIXES, ".gz")
MAX_FAILED_SHOWN = 20  # an ingest reply lists at most this many failed items
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def _report_parts(report: IngestReport, lang: Lang) -> list[str]:
    summary = text(
        "ingest_summary",
        lang,
        new=report.count("new"),
        updated=report.count("updated"),
        unchanged=report.count("unchanged"),
        failed=report.count("failed"),
    )
    runs = [Run(summary)]
    for item in report.failed[:MAX_FAILED_SHOWN]:
        runs.append(Run(f"\n• {trim(item.item, 120)}: {trim(item.reason or '?', 300)}"))
    if len(report.failed) > MAX_FAILED_SHOWN:
        runs.append(Run(f"\n… +{len(report.failed) - MAX_FAILED_SHOWN}"))
    if report.index_error:
        pending = text("index_pending", lang, reason=trim(report.index_error, 300))
        runs.append(Run(f"\n\n{pending}"))
    return render_parts(runs)


@admin_only
async def cmd_ingest(update: Update, context: Context) -> None:
    """/ingest URL...: fetch and ingest pages."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    urls = list(context.args or [])
    if not urls or not all(_URL.match(url) for url in urls):
        await message.reply_text(text("ingest_usage", lang))
        return
    data = context.bot_data
    await message.reply_text(text("ingest_working", lang, items=counted("item", len(urls), lang)))
    report = await asyncio.to_thread(data.archive.ingest, urls)
    data.forget_stats()
    logger.info("ingest of %s URL(s) done: %s new", len(urls), report.count("new"))
    for part in _report_parts(report, lang):
        await message.reply_text(part)


@admin_only
async def on_document(update: Update, context: Context) -> None:
    """A document sent in private: download it (size cap, known types) and ingest it."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    document = message.document
    name = document.file_name or "upload"
    limit = data.settings.upload_max_bytes
    if document.file_size is not None and document.file_size > limit:
        await message.reply_text(
            text(
                "upload_too_big",
                lang,
                size=f"{document.file_size / 1e6:.1f}",
                limit=f"{limit / 1e6:.1f}",
            )
        )
        return
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        await message.reply_text(text("upload_bad_type", lang, name=escape(trim(name, 80))))
        return
    telegram_file = await document.get_file()
    payload = bytes(await telegram_file.download_as_bytearray())
    if len(payload) > limit:
        await message.reply_text(
            text(
                "upload_too_big",
                lang,
                size=f"{len(payload) / 1e6:.1f}",
                limit=f"{limit / 1e6:.1f}",
            )
        )
        return
    try:
        report = await asyncio.to_thread(data.archive.ingest_bytes, name, payload)
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    data.forget_stats()
    for part in _report_parts(report, lang):
        await message.reply_text(part)


@admin_only
async def cmd_reindex(update: Update, context: Context) -> None:
    """/reindex: rebuild the index with a progress message edited at most every 2 s."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    if data.reindex_running:
        await message.reply_text(text("reindex_busy", lang))
        return
    data.reindex_running = True
    try:
        status = await message.reply_text(text("reindex_started", lang))
        try:
            report = await run_with_progress(
                data.archive.reindex, status, lang, data.settings.progress_interval_s
            )
        except NewsdeskError as exc:
            await status.edit_text(describe_error(exc, lang))
            return
        data.forget_stats()
        logger.info("reindex done: %s passages in %.1f s", report.passages, report.seconds)
        await status.edit_text(
            text(
                "reindex_done",
                lang,
                passages=counted("passage", report.passages, lang),
                terms=counted("term", report.terms, lang),
                seconds=f"{report.seconds:.1f}",
                size=f"{report.index_bytes / 1e6:.1f}",
            )
        )
    finally:
        data.reindex_running = False


@admin_only
async def cmd_stats(update: Update, context: Context) -> None:
    """/stats: counts, languages, sources, date range, sizes."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    stats = await asyncio.to_thread(context.bot_data.archive.stats)
    no_dates = text("no_dates", lang)
    languages = ", ".join(f"{k} {v}" for k, v in sorted(stats.languages.items())) or "—"
    top_sources = sorted(stats.sources.items(), key=lambda kv: -kv[1])[:8]
    sources = ", ".join(f"{k} {v}" for k, v in top_sources) or "—"
    await message.reply_text(
        text(
            "stats",
            lang,
            articles=format_count(stats.articles, lang),
            passages=format_count(stats.passages, lang),
            indexed=format_count(stats.index_passages, lang),
            first=escape(format_date(stats.first_published) or no_dates),
            last=escape(format_date(stats.last_published) or no_dates),
            languages=escape(trim(languages, 300)),
            sources=escape(trim(sources, 600)),
            store_mb=f"{stats.store_bytes / 1e6:.1f}",
            index_mb=f"{stats.index_bytes / 1e6:.1f}",
        )
    )


@admin_only
async def cmd_delete(update: Update, context: Context) -> None:
    """/delete ARTICLE_ID: remove an article from store and index."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await message.reply_text(text("delete_usage", lang))
        return
    data = context.bot_data
    try:
        article = await asyncio.to_thread(data.archive.delete, int(args[0]))
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    data.forget_stats()
    await message.reply_text(
        text(
            "deleted",
            lang,
            article_id=article.article_id,
            title=escape(trim(article.title or text("untitled", lang), 300)),
        )
    )
