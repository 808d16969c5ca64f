"""Private chat: /start, /help and plain-text questions."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import Context
from bot.handlers.common import answer_in_chat, user_lang
from bot.render import escape, format_date
from bot.texts import format_count, noun, text
from bot.workers import WorkerCrashedError

logger = logging.getLogger(__name__)


async def cmd_start(update: Update, context: Context) -> None:
    """/start: what the archive holds (count, date range) and three questions it can answer."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    stats = await data.stats()
    if stats.articles == 0:
        await message.reply_text(text("start_empty", lang))
        return
    try:
        examples = await data.answers.example_questions(3)
    except WorkerCrashedError as exc:  # a crash, or a timeout (a subclass)
        logger.error("answer lost while /start picked example questions: %s", exc)
        examples = []
    no_dates = text("no_dates", lang)
    await message.reply_text(
        text(
            "start",
            lang,
            count=format_count(stats.articles, lang),
            article_noun=noun("article", stats.articles, lang),
            first=escape(format_date(stats.first_published) or no_dates),
            last=escape(format_date(stats.last_published) or no_dates),
            examples="\n".join(f"• <i>{escape(example)}</i>" for example in examples),
        )
    )


async def cmd_help(update: Update, context: Context) -> None:
    """/help: questions, groups and inline use; the admin commands for admins."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    reply = text("help", lang, username=escape(context.bot.username))
    user = update.effective_user
    if context.bot_data.settings.is_admin(user.id if user else None):
        reply += "\n\n" + text("help_admin", lang)
        reply += "\n\n" + text("help_channels", lang)
    await message.reply_text(reply)


async def on_question(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is not None and message.text and message.text.strip():
        await answer_in_chat(update, context, message.text.strip())
