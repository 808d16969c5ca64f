"""Inline mode: ``@bot question`` in any chat → cited snippets as article results, paged."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.context import Context
from bot.handlers.common import describe_error, lost_answer_text, user_lang
from bot.render import (
    INLINE_DESCRIPTION_CHARS,
    inline_description,
    inline_message,
    inline_title,
    summary_description,
    summary_message,
    trim,
)
from bot.replies import JSONDict, answer_inline, article_result
from bot.workers import WorkerCrashedError
from index import NewsdeskError, quote_question

logger = logging.getLogger(__name__)

MAX_INLINE_OFFSET = 1000  # deeper pages are noise; also bounds the work a crafted offset asks


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with up to ``inline_page_size`` results and a next_offset.

    The results go out as plain JSON (``bot.replies``), as ``InlineQuery.answer`` would send
    them, without building PTB's result objects only to serialise them again.
    """
    query = update.inline_query
    if query is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    bot = context.bot
    page = data.settings.inline_page_size
    offset = int(query.offset) if query.offset.isdigit() else 0
    offset = min(offset, MAX_INLINE_OFFSET)
    question = query.query.strip()
    if question[:7].casefold() == "quotes:":
        # ``quotes: X [about Y]`` asks what X said (issue 14), through the statement path.
        question = quote_question(question[7:], lang) or ""
    results: list[JSONDict] = []
    has_more = False
    if not question:
        summaries = await asyncio.to_thread(data.archive.list_articles, limit=offset + page + 1)
        has_more = len(summaries) > offset + page
        results = [
            article_result(
                bot,
                f"a{summary.article_id}",
                inline_title(summary.title, lang),
                summary_message(summary, lang),
                summary_description(summary),
            )
            for summary in summaries[offset : offset + page]
        ]
    else:
        try:
            answer = await data.answers.ask(question, k=page, offset=offset)
        except WorkerCrashedError as exc:
            logger.error("answer lost on an inline query: %s", exc)
            crashed = lost_answer_text(exc, lang)
            retry = article_result(bot, "retry", crashed, crashed)
            await answer_inline(bot, query.id, [retry], cache_time=0, is_personal=True)
            return
        except NewsdeskError as exc:
            # A refused question (a filter word that cannot be applied: a bad date, an
            # unknown outlet with the closest ones) is one result saying why, so the reader
            # sees it in the inline panel rather than an empty list.
            logger.warning("inline question refused: %s", exc.reason)
            refusal = article_result(
                bot, "refused", trim(str(exc), INLINE_DESCRIPTION_CHARS), describe_error(exc, lang)
            )
            await answer_inline(bot, query.id, [refusal], cache_time=data.settings.inline_cache_s)
            return
        if answer.found:
            has_more = len(answer.articles) >= page
            results = [
                article_result(
                    bot,
                    f"{item.citation.article_id}",
                    inline_title(item.citation.title, lang),
                    inline_message(item, lang),
                    inline_description(item, lang),
                )
                for item in answer.articles
            ]
    next_offset = str(offset + page) if has_more and offset + page <= MAX_INLINE_OFFSET else ""
    await answer_inline(
        bot,
        query.id,
        results,
        cache_time=data.settings.inline_cache_s,
        is_personal=False,
        next_offset=next_offset,
    )
