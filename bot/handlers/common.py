"""What every question path shares: the user's language, the flood guard, typing, replying.

Private messages, /ask, group mentions and the More button all end in ``answer_in_chat`` or
``send_answer``; the archive runs in a worker thread so the event loop keeps serving others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.context import BotData, Context
from bot.guards import Verdict
from bot.render import answer_keyboard, escape, render_answer, render_nothing_found
from bot.state import QueryState
from bot.texts import lang_of, text
from index import Answer, Lang, NewsdeskError

logger = logging.getLogger(__name__)

ANSWER_K = 3  # articles per answer message; "More" pages through the rest


def user_lang(update: Update) -> Lang:
    """The language of the fixed texts for this update's user."""
    user = update.effective_user
    return lang_of(user.language_code if user else None)


async def answer_in_chat(update: Update, context: Context, question: str) -> None:
    """Answer ``question`` as a reply to the update's message (flood guard, typing, answer)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    user_id = update.effective_user.id if update.effective_user else None
    if user_id is not None:
        verdict = data.flood.check(user_id)
        if verdict is Verdict.DROP:
            logger.info("flood guard: dropped a question from user %s", user_id)
            return
        if verdict is Verdict.WARN:
            logger.info("flood guard: user %s is over the limit", user_id)
            await message.reply_text(text("flood", lang))
            return
    typing = asyncio.create_task(_send_typing(message))
    try:
        answer = await asyncio.to_thread(data.archive.ask, question, k=ANSWER_K)
    except NewsdeskError as exc:
        await typing
        logger.warning("question refused for user %s: %s", user_id, exc.reason)
        await message.reply_text(describe_error(exc, lang))
        return
    await typing
    await send_answer(message, data, answer, lang, user_id=user_id, offset=0, reply=True)


async def _send_typing(message: Message) -> None:
    """Show "typing…"; a failure here must never cost the answer itself."""
    try:
        await message.chat.send_action(ChatAction.TYPING)
    except TelegramError as exc:
        logger.warning("typing indicator failed in chat %s: %s", message.chat_id, exc)


async def send_answer(
    message: Message,
    data: BotData,
    answer: Answer,
    lang: Lang,
    *,
    user_id: int | None,
    offset: int,
    reply: bool,
) -> None:
    """Send an answer page (or "nothing found") with its buttons, split to Telegram's limit.

    Args:
        message: the user's message to reply to, or the bot's message whose chat gets the page.
        data: bot services (state store for the buttons, stats for "nothing found").
        answer: what the archive answered.
        lang: language of the fixed texts.
        user_id: who asked (kept with the button state).
        offset: how many articles earlier pages showed (numbering and the next page).
        reply: reply to ``message`` (quotes it in groups) instead of just posting in its chat.
    """
    keyboard = None
    if answer.found and answer.articles:
        shown = len(answer.articles)
        state = QueryState(
            question=answer.question,
            next_offset=offset + shown,
            cited=tuple(
                (item.citation.article_id, item.snippets[0].passage_id if item.snippets else -1)
                for item in answer.articles
            ),
            user_id=user_id,
        )
        state_id = data.states.put(state)
        parts = render_answer(answer, lang, first_number=offset + 1)
        keyboard = answer_keyboard(state_id, shown, shown >= ANSWER_K, lang, offset + 1)
    elif offset:
        parts = [text("no_more", lang)]
    else:
        stats = await data.stats()
        parts = render_nothing_found(answer, lang, stats.first_published, stats.last_published)
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        if reply:
            await message.reply_text(part, reply_markup=markup)
        else:
            await message.get_bot().send_message(message.chat_id, part, reply_markup=markup)


def describe_error(error: NewsdeskError, lang: Lang) -> str:
    """A NewsdeskError as a polite HTML text naming the item and the (user-safe) reason."""
    reason = f"{error.item}: {error.reason}" if error.item else error.reason
    return text("bad_request", lang, reason=escape(reason))


async def reply_error(message: Message | None, lang: Lang, error: NewsdeskError) -> None:
    """Turn a NewsdeskError into a polite reply naming the item and the reason."""
    if message is not None:
        with contextlib.suppress(TelegramError):
            await message.reply_text(describe_error(error, lang))
