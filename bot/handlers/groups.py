"""Groups: answer only when addressed — /ask, a mention of the bot, or a reply to it.

With privacy mode on, Telegram delivers exactly these messages to the bot; with it off the
bot sees every message, so ``addressed_question`` decides and everything else is ignored.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update

from bot.context import Context
from bot.handlers.common import answer_in_chat, user_lang
from bot.texts import text
from index import quote_question


def addressed_question(message: Message, bot_id: int, bot_username: str) -> str | None:
    """The question in a group message meant for the bot, mention stripped; None otherwise.

    A message is meant for the bot when it mentions ``@bot_username`` (any case) or replies
    to one of the bot's messages.
    """
    content = message.text or ""
    mention = f"@{bot_username}".lower()
    mentions = [
        (entity, value)
        for entity, value in message.parse_entities([MessageEntity.MENTION]).items()
        if value.lower() == mention
    ]
    replied = message.reply_to_message
    is_reply = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    if not mentions and not is_reply:
        return None
    for _, value in mentions:
        content = re.sub(re.escape(value), " ", content, flags=re.IGNORECASE)
    return " ".join(content.split())


async def cmd_ask(update: Update, context: Context) -> None:
    """/ask QUESTION, in groups and in private."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question:
        await message.reply_text(text("ask_usage", user_lang(update)))
        return
    await answer_in_chat(update, context, question)


async def cmd_quotes(update: Update, context: Context) -> None:
    """/quotes X [about Y]: what X said, from the stored statements (issue 14)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    question = quote_question(" ".join(context.args or []), lang)
    if question is None:
        await message.reply_text(text("quotes_usage", lang))
        return
    await answer_in_chat(update, context, question)


async def on_group_message(update: Update, context: Context) -> None:
    """A group text: a question when it mentions or replies to the bot, else ignored."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is None:
        return
    if not question:
        await message.reply_text(text("ask_usage", user_lang(update)))
        return
    await answer_in_chat(update, context, question)
