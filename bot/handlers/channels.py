"""Telegram channels as sources: channel posts and edits, forwarded posts, links in private.

Telegram sends ``channel_post`` and ``edited_channel_post`` updates only for channels where
the bot is an admin; a post is stored only when an admin also allowed the channel
(``/addsource @channel`` or NEWSDESK_CHANNELS), so adding the bot to a channel is not enough
to fill the archive. Posts of other channels are dropped, with one log line per channel.
An edit is stored under the same ``t.me`` URL, so it updates the article in place.

In private, an admin can forward a channel post (its ``forward_origin`` names the channel)
or send a message that is only a link; the first is stored as that channel's post, the
second is fetched as ``/ingest URL`` does. A non-admin's forward is refused; a non-admin's
link stays a question, as any other text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

from telegram import Chat, Message, MessageOriginChannel, Update
from telegram.ext import filters

from bot.context import Context
from bot.handlers.admin import _report_parts, ingest_urls
from bot.handlers.common import user_lang
from bot.handlers.private import on_question
from bot.texts import text
from index import ChannelPost

logger = logging.getLogger(__name__)

LINK_ONLY = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)


class _ChannelForward(filters.MessageFilter):
    """A message forwarded from a channel (its ``forward_origin`` is a channel)."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return isinstance(message.forward_origin, MessageOriginChannel)


CHANNEL_FORWARD = _ChannelForward(name="CHANNEL_FORWARD")
ONLY_A_LINK = filters.Regex(LINK_ONLY)


def post_text(message: Message) -> str:
    """The post's text or caption as plain text: Telegram's formatting entities are dropped
    (the text already holds every visible character; a hidden link's URL is not text)."""
    return (message.text or message.caption or "").strip()


def channel_post(chat: Chat, message_id: int, date: datetime, message: Message) -> ChannelPost:
    """What the archive needs of a post: the channel, the post's id and date, its text."""
    return ChannelPost(
        chat_id=chat.id,
        username=chat.username,
        title=chat.title or (f"@{chat.username}" if chat.username else str(chat.id)),
        message_id=message_id,
        date=date,
        text=post_text(message),
    )


async def on_channel_post(update: Update, context: Context) -> None:
    """A post or an edit in a channel where the bot is an admin: store it if allowed."""
    message = update.channel_post or update.edited_channel_post
    if message is None:
        return
    data = context.bot_data
    chat = message.chat
    source = await asyncio.to_thread(data.archive.channel_source, chat.id, chat.username)
    if source is None:
        if chat.id not in data.ignored_channels:
            data.ignored_channels.add(chat.id)
            logger.info(
                "posts of channel %s (@%s) ignored: nobody allowed it (/addsource @channel)",
                chat.id,
                chat.username or "-",
            )
        return
    # An edit keeps the post's original date in ``date`` (``edit_date`` is the edit's).
    post = channel_post(chat, message.message_id, message.date, message)
    report = await asyncio.to_thread(data.archive.ingest_channel_post, post)
    data.forget_stats()
    kind = "edit" if update.edited_channel_post is not None else "post"
    for item in report.items:
        logger.info("channel %s %s %s: %s", source.name, kind, item.item, item.outcome)


async def on_forwarded_post(update: Update, context: Context) -> None:
    """A channel post forwarded in private: an admin's is stored, anyone else is refused."""
    message = update.effective_message
    if message is None or not isinstance(message.forward_origin, MessageOriginChannel):
        return
    lang = user_lang(update)
    user = update.effective_user
    data = context.bot_data
    if not data.settings.is_admin(user.id if user else None):
        logger.warning("forwarded post refused for user %s", user.id if user else None)
        await message.reply_text(text("forward_refused", lang))
        return
    origin = message.forward_origin
    # The forward's own date is when it was forwarded; the origin's is when it was posted.
    post = channel_post(origin.chat, origin.message_id, origin.date, message)
    logger.info(
        "admin action by user %s: forwarded post %s/%s",
        user.id if user else None,
        origin.chat.id,
        origin.message_id,
    )
    report = await asyncio.to_thread(data.archive.ingest_channel_post, post)
    data.forget_stats()
    for part in _report_parts(report, lang):
        await message.reply_text(part)


async def on_link(update: Update, context: Context) -> None:
    """A private message that is only a link: an admin's is ingested, others are questions."""
    message = update.effective_message
    if message is None or not message.text:
        return
    user = update.effective_user
    if not context.bot_data.settings.is_admin(user.id if user else None):
        await on_question(update, context)
        return
    url = message.text.strip()
    logger.info("admin action by user %s: link %s", user.id if user else None, url[:200])
    await ingest_urls(message, context, [url], user_lang(update))
