"""Admin commands: /ingest, document uploads, /reindex with live progress, /stats, /delete.

Every handler here is wrapped in ``admin_only``: non-admins get a polite refusal and nothing
runs; admin actions are logged with the user id. The archive work runs in worker threads, so
questions keep being answered meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable

from telegram import Message, Update

from bot.context import Context
from bot.download import DownloadError, DownloadTooLargeError, download_capped
from bot.guards import admin_only
from bot.handlers.common import describe_error, reply_error, user_lang
from bot.progress import run_with_progress
from bot.render import Run, escape, format_date, render_parts, trim
from bot.settings import BotSettings
from bot.texts import counted, format_bytes, format_count, text
from index import INGEST_SUFFIXES, IngestReport, Lang, NewsdeskError, render_daily_chart

logger = logging.getLogger(__name__)

# Files the ingestion path understands (issue 2): the types it searches folders for, and
# gzip (extraction sniffs what is inside).
UPLOAD_SUFFIXES = (*INGEST_SUFFIXES, ".gz")
MAX_ITEMS_SHOWN = 20  # an ingest reply lists at most this many failed (warned, unread) items
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def _report_parts(report: IngestReport, lang: Lang) -> list[str]:
    """The ingest reply: the counts, each failure, each warning, and why it stopped early.

    Every piece is a plain-text ``Run``, so item names, reasons and warnings (a file name
    or a page title may hold ``<`` or ``&``) are escaped when the HTML is made.
    """
    summary = text(
        "ingest_summary",
        lang,
        new=report.count("new"),
        updated=report.count("updated"),
        unchanged=report.count("unchanged"),
        failed=report.count("failed"),
    )
    runs = [Run(summary)]
    runs += _item_lines(
        f"{trim(item.item, 120)}: {trim(item.reason or '?', 300)}" for item in report.failed
    )
    runs += _item_lines(
        text("ingest_warning", lang, item=trim(item.item, 120), reason=trim(item.warning, 300))
        for item in report.items
        if item.warning
    )
    if report.stopped:
        stopped = text(
            "ingest_stopped",
            lang,
            reason=trim(report.stopped, 300),
            stored=counted("article", report.count("new") + report.count("updated"), lang),
            failed=format_count(report.count("failed"), lang),
            not_read=counted("item", len(report.not_read), lang),
        )
        runs.append(Run(f"\n\n{stopped}"))
        if report.not_read:
            runs.append(Run(f"\n{text('ingest_not_read', lang)}"))
            runs += _item_lines(trim(name, 120) for name in report.not_read)
    if report.index_error:
        pending = text("index_pending", lang, reason=trim(report.index_error, 300))
        runs.append(Run(f"\n\n{pending}"))
    return render_parts(runs)


def _item_lines(lines: Iterable[str]) -> list[Run]:
    """One "• line" each, at most ``MAX_ITEMS_SHOWN``, then "… +N" for the rest."""
    listed = list(lines)
    runs = [Run(f"\n• {line}") for line in listed[:MAX_ITEMS_SHOWN]]
    if len(listed) > MAX_ITEMS_SHOWN:
        runs.append(Run(f"\n… +{len(listed) - MAX_ITEMS_SHOWN}"))
    return runs


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
    await ingest_urls(message, context, urls, lang)


async def ingest_urls(message: Message, context: Context, urls: list[str], lang: Lang) -> None:
    """Fetch and ingest ``urls``, replying with progress and the report (``/ingest``, and
    a private message that is only a link)."""
    data = context.bot_data
    await message.reply_text(text("ingest_working", lang, items=counted("item", len(urls), lang)))
    report = await asyncio.to_thread(data.archive.ingest, urls)
    data.forget_stats()
    logger.info("ingest of %s URL(s) done: %s new", len(urls), report.count("new"))
    for part in _report_parts(report, lang):
        await message.reply_text(part)


@admin_only
async def on_document(update: Update, context: Context) -> None:
    """A document sent in private: download it (size cap, known types) and ingest it.

    The cap is the smaller of NEWSDESK_UPLOAD_MAX_BYTES and NEWSDESK_MAX_ITEM_BYTES. A
    document that says it is larger is refused before anything is downloaded; one that
    says less (or nothing) and sends more is cut off one byte past the cap
    (``bot.download``), so no upload is ever read whole before its size is known.
    """
    message = update.effective_message
    if message is None or message.document is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    document = message.document
    name = document.file_name or "upload"
    limit, setting = upload_cap(data.settings)
    if document.file_size is not None and document.file_size > limit:
        await message.reply_text(_too_big(name, document.file_size, limit, setting, lang))
        return
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        await message.reply_text(text("upload_bad_type", lang, name=escape(trim(name, 80))))
        return
    telegram_file = await document.get_file()
    if telegram_file.file_size is not None and telegram_file.file_size > limit:
        await message.reply_text(_too_big(name, telegram_file.file_size, limit, setting, lang))
        return
    try:
        payload = await download_capped(telegram_file.file_path or "", limit)
    except DownloadTooLargeError as exc:
        logger.warning("upload %r refused: more than %d bytes (%s)", name, limit, setting)
        await message.reply_text(_too_big(name, exc.declared, limit, setting, lang))
        return
    except DownloadError as exc:
        logger.warning("upload %r not downloaded: %s", name, exc)
        reason = escape(str(exc))
        await message.reply_text(text("upload_failed", lang, name=_quoted(name), reason=reason))
        return
    try:
        report = await asyncio.to_thread(data.archive.ingest_bytes, name, payload)
    except NewsdeskError as exc:
        await reply_error(message, lang, exc)
        return
    data.forget_stats()
    for part in _report_parts(report, lang):
        await message.reply_text(part)


def upload_cap(settings: BotSettings) -> tuple[int, str]:
    """The largest upload read, and the setting that sets it (the smaller of the two caps)."""
    if settings.max_item_bytes <= settings.upload_max_bytes:
        return settings.max_item_bytes, "NEWSDESK_MAX_ITEM_BYTES"
    return settings.upload_max_bytes, "NEWSDESK_UPLOAD_MAX_BYTES"


def _too_big(name: str, size: int | None, limit: int, setting: str, lang: Lang) -> str:
    """The refusal of an upload over the cap, naming the file, its size when known, the cap."""
    values = {"name": _quoted(name), "limit": format_bytes(limit, lang), "setting": setting}
    if size is None:
        return text("upload_over_cap", lang, **values)
    return text("upload_too_big", lang, size=format_bytes(size, lang), **values)


def _quoted(name: str) -> str:
    return escape(trim(name, 80))


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
    await _send_chart(message, context, lang)


async def _send_chart(message: Message, context: Context, lang: Lang) -> None:
    """/stats' picture: articles per day by outlet (``index.charts``), or why there is none."""
    counts = await asyncio.to_thread(context.bot_data.archive.daily_counts)
    if counts.total == 0:
        await message.reply_text(text("stats_no_chart", lang))
        return
    png = await asyncio.to_thread(render_daily_chart, counts)
    first, last = counts.days[0].isoformat(), counts.days[-1].isoformat()
    caption = text("stats_chart", lang, first=first, last=last)
    await message.reply_photo(png, caption=caption, filename="stats.png")


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
