"""The global error handler: log first (with the traceback), then tell the user.

Errors can come from jobs with no update, so ``update`` is typed ``object``. Users never see
exception text; if even the apology fails, that is logged and the bot carries on.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import Context
from bot.texts import lang_of, text

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Runs when a handler or job raised: log it, then apologise in the user's language."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    lang = lang_of(user.language_code if user else None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text("error", lang))
        elif update.inline_query is not None:
            await update.inline_query.answer([], cache_time=0)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text("error", lang))
    except TelegramError as exc:
        logger.warning("could not tell update %s's user about the error: %s", update_id, exc)
