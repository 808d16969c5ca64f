"""The global error handler: log first (with the traceback), then tell the user.

Errors can come from jobs with no update, so ``update`` is typed ``object``. Users never see
exception text; if even the apology fails, that is logged and the bot carries on.

A store whose server cannot be reached (PostgreSQL stopped or restarting) is not a bug:
questions go on from the local index, and any other call that needed the store (the "Full
article" button, /following, …) gets "the archive is briefly unavailable, try again" and
one log line, without a traceback.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import Context
from bot.texts import lang_of, text
from index import is_store_unavailable

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Runs when a handler or job raised: log it, then apologise in the user's language."""
    update_id = update.update_id if isinstance(update, Update) else None
    unavailable = context.error is not None and is_store_unavailable(context.error)
    if unavailable:
        reason = " ".join(str(context.error).split())
        logger.warning("update %s: the store cannot be reached: %s", update_id, reason)
    else:
        logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    lang = lang_of(user.language_code if user else None)
    key = "store_unavailable" if unavailable else "error"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text(key, lang))
        elif update.inline_query is not None:
            await update.inline_query.answer([], cache_time=0)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text(key, lang))
    except TelegramError as exc:
        logger.warning("could not tell update %s's user about the error: %s", update_id, exc)
