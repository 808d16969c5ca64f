"""The newsdesk Telegram bot: questions in private and groups, inline search, admin tools.

Everything the bot reacts to is wired in ``add_handlers`` below; the handlers live in
``bot/handlers/``. Run it with ``newsdesk run`` (or ``python -m bot``): long polling by
default, PTB's webhook server with a secret token when NEWSDESK_WEBHOOK_URL is set.
Stop it with Ctrl-C (SIGINT) or SIGTERM; the archive is closed on the way out.

The handlers, the answer workers and the archive stack behind them (numpy, the analyzers,
the store) are imported where the application is built, not with this module: a start that
fails on its token or on an unreachable Bot API (``run_bot`` checks those first) says so
after ~1.7 s of CPU instead of ~2.9 s, and so does ``newsdesk run`` without a token
(``python -m bot`` without NEWSDESK_BOT_TOKEN, at load ~8, 2026-12-07).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.logs import protect_token
from bot.settings import BotSettings
from bot.startup import BotStartError, check_bot_api, initialize_application
from bot.transport import AiohttpRequest

if TYPE_CHECKING:
    from bot.context import BotData
    from bot.workers import AnswerWorkers
    from index import Archive

logger = logging.getLogger(__name__)

HTTP_POOL_MAX = 8  # connections beyond the 4 spare ones; see build_application
POOL_TIMEOUT_S = 10.0  # waiting for a free connection under load beats failing the reply


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Register every handler, in one flat table.

    Order matters within group 0: PTB runs the first handler whose filters match. Commands
    come first; the free-text question handlers exclude commands, so "/ask" or an unknown
    "/foo" never becomes a question. Only new messages (not edits) are answered. The
    handlers are imported here, with the archive stack they need (see the module docstring).
    """
    from bot.alerts import ALERT_FULL_PATTERN, ALERT_MORE_PATTERN, UNFOLLOW_PATTERN
    from bot.errors import on_error
    from bot.handlers.admin import cmd_delete, cmd_ingest, cmd_reindex, cmd_stats, on_document
    from bot.handlers.buttons import (
        FULL_PATTERN,
        MORE_PATTERN,
        on_full_article,
        on_more,
        on_unknown_button,
    )
    from bot.handlers.channels import (
        CHANNEL_FORWARD,
        ONLY_A_LINK,
        on_channel_post,
        on_forwarded_post,
        on_link,
    )
    from bot.handlers.follow import (
        cmd_follow,
        cmd_following,
        cmd_unfollow,
        on_alert_full,
        on_alert_more,
        on_migrate,
        on_unfollow_button,
    )
    from bot.handlers.groups import cmd_ask, cmd_quotes, on_group_message
    from bot.handlers.inline import on_inline_query
    from bot.handlers.private import cmd_help, cmd_start, on_question
    from bot.handlers.sources import cmd_addsource, cmd_poll, cmd_removesource, cmd_sources

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handlers(
        [
            # Everyone: what the bot knows, how to use it, explicit questions.
            CommandHandler("start", cmd_start, filters=private),
            CommandHandler("help", cmd_help),
            CommandHandler("ask", cmd_ask),
            CommandHandler("quotes", cmd_quotes),
            # Followed topics: anyone in private; group admins in groups (checked inside).
            CommandHandler("follow", cmd_follow),
            CommandHandler("following", cmd_following),
            CommandHandler("unfollow", cmd_unfollow),
            MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
            # Admins only (each wrapped in guards.admin_only; others get a polite refusal).
            CommandHandler("ingest", cmd_ingest),
            CommandHandler("reindex", cmd_reindex),
            CommandHandler("stats", cmd_stats),
            CommandHandler("delete", cmd_delete),
            MessageHandler(private & filters.Document.ALL, on_document),
            # News sources (admins only): list, add, remove, poll now.
            CommandHandler("sources", cmd_sources),
            CommandHandler("addsource", cmd_addsource),
            CommandHandler("removesource", cmd_removesource),
            CommandHandler("poll", cmd_poll),
            # Channels (issue 13): posts and edits of allowed channels; in private, an admin's
            # forwarded channel post or bare link is ingested (before questions take the text).
            MessageHandler(filters.UpdateType.CHANNEL_POSTS, on_channel_post),
            MessageHandler(private & CHANNEL_FORWARD, on_forwarded_post),
            MessageHandler(private & new_text & ONLY_A_LINK, on_link),
            # Questions: any private text; group text only when it mentions or replies to us.
            MessageHandler(private & new_text, on_question),
            MessageHandler(groups & new_text, on_group_message),
            # Inline mode: @bot question in any chat.
            InlineQueryHandler(on_inline_query),
            # Buttons under answers; anything else (old buttons) gets a polite answer.
            CallbackQueryHandler(on_more, pattern=MORE_PATTERN),
            CallbackQueryHandler(on_full_article, pattern=FULL_PATTERN),
            CallbackQueryHandler(on_unfollow_button, pattern=UNFOLLOW_PATTERN),
            CallbackQueryHandler(on_alert_full, pattern=ALERT_FULL_PATTERN),
            CallbackQueryHandler(on_alert_more, pattern=ALERT_MORE_PATTERN),
            CallbackQueryHandler(on_unknown_button),
        ]
    )
    application.add_error_handler(on_error)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Register the command menus, start and warm the answer workers, then poll sources.

    PTB starts fetching updates only after this returns, so the warm-up (``bot.warmup``,
    ~1–2 s, in the worker processes or a worker thread while the menus are registered)
    delays start-up instead of the first user's answer. Updates that arrive meanwhile wait
    at Telegram and are served warm; and no question races the lazy loading it would
    otherwise trigger.
    """
    from bot.alerts import schedule_alerts
    from bot.commands import register_commands
    from bot.handlers.sources import schedule_polling
    from bot.warmup import freeze_long_lived

    data: BotData = application.bot_data
    await asyncio.gather(
        register_commands(application.bot, data.settings.admin_ids),
        data.answers.start(),
    )
    # After the warm-up, so the caches it filled are frozen too (see freeze_long_lived).
    freeze_long_lived()
    # With the store on PostgreSQL: articles ingested by other replicas reach this index.
    if await asyncio.to_thread(data.archive.follow_changes):
        logger.info("following the store's change log (other replicas' ingests)")
    schedule_polling(application)
    schedule_alerts(application)
    logger.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Stop the answer workers after the last update was handled (no orphan processes)."""
    data: BotData = application.bot_data
    data.answers.close()  # in the loop's thread: the pool's pipes are registered with it


async def _post_shutdown_closing(application: Application) -> None:  # type: ignore[type-arg]
    """Stop the answer workers, then close the archive (connections, memory maps)."""
    data: BotData = application.bot_data
    await _post_shutdown(application)
    data.archive.close()


def make_answer_workers(settings: BotSettings, archive: Archive) -> AnswerWorkers:
    """Worker processes on the archive's data dir, or threads over ``archive`` itself."""
    from bot.workers import ProcessWorkers, ThreadWorkers

    if settings.answer_pool == "processes":
        return ProcessWorkers(
            settings,
            settings.answer_workers,
            timeout_s=settings.answer_timeout_s,
            warm_up_languages=tuple(settings.warm_up_languages),
            start_method=settings.answer_start_method,
        )
    return ThreadWorkers(
        archive,
        timeout_s=settings.answer_timeout_s,
        threads=settings.answer_workers,
        warm_up_languages=tuple(settings.warm_up_languages),
    )


def build_application(
    settings: BotSettings, archive: Archive, *, close_archive: bool = True
) -> Application:  # type: ignore[type-arg]
    """The configured PTB application, ready to ``run_polling``/``run_webhook`` or to start.

    Args:
        settings: bot settings (token, Bot API URL, admins, limits).
        archive: the open archive the handlers answer from.
        close_archive: close ``archive`` on shutdown (False when the caller owns it, as the
            tests do with one archive shared by many application instances).
    """
    from bot.context import BotData

    token = settings.bot_token.get_secret_value()
    protect_token(token)
    rate = settings.rate_limit_per_s
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.file_api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1 if rate else 0))
        .context_types(ContextTypes(bot_data=BotData))
        .concurrent_updates(settings.concurrent_updates)
        .post_init(_post_init)
    )
    # httpcore checks every idle pooled connection (a poll() per socket) on each request,
    # so a pool much larger than the requests in flight costs CPU on every call: under
    # load at 100k passages, 36 connections spent ~5% of the bot process's CPU there.
    # Replies take a few ms each, so a dozen connections carry hundreds per second.
    pool_size = min(settings.concurrent_updates, HTTP_POOL_MAX) + 4
    if settings.bot_http == "aiohttp":
        builder = builder.request(
            AiohttpRequest(connection_pool_size=pool_size, pool_timeout=POOL_TIMEOUT_S)
        ).get_updates_request(AiohttpRequest(connection_pool_size=1))
    else:
        builder = builder.connection_pool_size(pool_size).pool_timeout(POOL_TIMEOUT_S)
    builder = builder.post_shutdown(_post_shutdown_closing if close_archive else _post_shutdown)
    application = builder.build()
    application.bot_data.attach(settings, archive, make_answer_workers(settings, archive))
    add_handlers(application)
    return application


def webhook_options(settings: BotSettings) -> dict[str, Any]:
    """Arguments for PTB's webhook server: bind address, path from the URL, secret token.

    Without NEWSDESK_WEBHOOK_SECRET a random secret is made per start; Telegram then sends it
    back with every update and PTB refuses requests without it.
    """
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
    }


def run_bot(settings: BotSettings) -> int:
    """Check the Bot API, open the archive and run the bot until stopped; returns the exit code.

    ``check_bot_api`` runs first, so a rejected token or an unreachable server ends with one
    ``BotStartError`` line before anything is opened or created: the token is what every
    start needs, it keeps its one line wherever the bot is started from, and a start that
    fails on it leaves no empty archive behind. Then the archive: a missing one is an error
    (a mistyped data dir would otherwise serve an empty archive that answers "nothing
    found"), unless NEWSDESK_FEEDS names sources, whose poller fills it, as ``newsdesk
    poll`` does. The application is initialized on the same event loop before PTB runs on
    it, told not to close it, so the Bot API sessions are closed afterwards on every path
    (PTB's own ``shutdown`` skips them when its start failed).

    Raises:
        BotStartError: the Bot API rejected the token or could not be reached.
        ArchiveMissingError: no archive at the data dir and no feeds configured.
    """
    bot_logger = logging.getLogger("bot")
    if bot_logger.getEffectiveLevel() > logging.INFO:
        bot_logger.setLevel(logging.INFO)  # one line per admin action, even without -v
    protect_token(settings.bot_token.get_secret_value())
    with asyncio.Runner() as runner:  # sets its loop as the current one, which PTB picks up
        runner.run(check_bot_api(settings))
        from index import open_archive  # after the check: see the module docstring

        archive = open_archive(settings, create=bool(settings.feeds))
        application = build_application(settings, archive)
        try:
            try:
                runner.run(initialize_application(application, settings.bot_api_url))
            except BotStartError:
                archive.close()  # PTB's post_shutdown, which closes it, never runs here
                raise
            if settings.webhook_url:
                options = webhook_options(settings)
                logger.info("starting webhook on %s:%s", options["listen"], options["port"])
                application.run_webhook(
                    **options, allowed_updates=Update.ALL_TYPES, close_loop=False
                )
            else:
                logger.info("starting long polling")
                application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
        finally:
            runner.run(application.bot.shutdown())  # a no-op after PTB's own clean shutdown
    return 0
