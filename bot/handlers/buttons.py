"""Buttons under answers: More (the next page) and Full article (passages around a quote).

callback_data is ``m:<state id>`` or ``f:<state id>:<index>``; the state lives in
``bot.state``. Every callback query is answered, a stale one with a polite note.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.context import Context
from bot.handlers.common import ANSWER_K, lost_answer_text, send_answer, user_lang
from bot.render import render_full_article
from bot.texts import text
from bot.workers import WorkerCrashedError
from index import NewsdeskError, is_store_unavailable

logger = logging.getLogger(__name__)

MORE_PATTERN = r"^m:[A-Za-z0-9_-]+$"
FULL_PATTERN = r"^f:[A-Za-z0-9_-]+:\d+$"


async def on_more(update: Update, context: Context) -> None:
    """More: ask again from the stored offset and post the next page."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    state = await data.states.find(query.data.split(":")[1])
    if state is None or query.message is None:
        await query.answer(text("stale", lang))
        return
    await query.answer()
    try:
        answer = await data.answers.ask(
            state.question, k=ANSWER_K, offset=state.next_offset, now=state.asked_at
        )
    except WorkerCrashedError as exc:
        logger.error("answer lost on a More button: %s", exc)
        await context.bot.send_message(query.message.chat.id, lost_answer_text(exc, lang))
        return
    user_id = update.effective_user.id if update.effective_user else None
    await send_answer(
        query.message,  # type: ignore[arg-type]  # accessible: checked above
        data,
        answer,
        lang,
        user_id=user_id,
        offset=state.next_offset,
        reply=False,
        asked_at=state.asked_at,
    )


async def on_full_article(update: Update, context: Context) -> None:
    """Full article: the cited passage with its neighbours, then the story's members."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    _, state_id, index_text = query.data.split(":")
    state = await data.states.find(state_id)
    index = int(index_text)
    if state is None or index >= len(state.cited) or update.effective_chat is None:
        await query.answer(text("stale", lang))
        return
    article_id, passage_id = state.cited[index]
    try:
        article = await asyncio.to_thread(data.archive.get_article, article_id)
        passages = await asyncio.to_thread(data.archive.get_passages, article_id)
        story = await asyncio.to_thread(data.archive.story_of, article_id)
    except NewsdeskError as exc:
        if is_store_unavailable(exc):
            raise  # not gone: ``bot.errors.on_error`` says "try again"
        await query.answer(text("article_gone", lang))
        return
    await query.answer()
    for part in render_full_article(article, passages, passage_id, lang, story):
        await context.bot.send_message(update.effective_chat.id, part)


async def on_unknown_button(update: Update, context: Context) -> None:
    """Any other callback data (an old bot version's buttons): answer, never leave it hanging."""
    if update.callback_query is not None:
        await update.callback_query.answer(text("stale", user_lang(update)))
