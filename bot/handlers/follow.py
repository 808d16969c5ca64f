"""Following topics: /follow, /following, /unfollow, the alert buttons, group migration.

Anyone may follow topics in their private chat. In a group the alerts go to the group, so
following and unfollowing take a group admin (getChatMember; an anonymous admin writing as
the group counts). Every refusal of the input is a reply naming the rule, never an error.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

from telegram import Bot, Chat, Message, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import Context
from bot.handlers.common import (
    ANSWER_K,
    describe_error,
    lost_answer_text,
    send_answer,
    user_lang,
)
from bot.render import Run, escape, render_full_article, render_parts, trim
from bot.texts import text
from bot.workers import WorkerCrashedError
from index import (
    FilterError,
    Lang,
    NewsdeskError,
    Topic,
    TopicError,
    is_store_unavailable,
    split_filters,
)

logger = logging.getLogger(__name__)

_HOUR = re.compile(r"^([01]?\d|2[0-3])(?::00)?$")
_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def parse_follow_args(args: list[str]) -> tuple[bool, int | None, str]:
    """``[daily [HOUR]] TOPIC…`` → (daily, hour or None, topic text)."""
    daily = bool(args) and args[0].lower() == "daily"
    rest = args[1:] if daily else args
    hour = None
    if daily and rest and (match := _HOUR.match(rest[0])):
        hour = int(match.group(1))
        rest = rest[1:]
    return daily, hour, " ".join(rest)


async def may_manage_topics(
    chat: Chat, user: User | None, message: Message | None, bot: Bot
) -> bool:
    """Private chats always; in a group only its admins (an anonymous admin included)."""
    if chat.type == Chat.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin writes as the group
    if user is None:
        return False
    try:
        member = await bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        logger.warning("cannot check admin rights of %s in chat %s: %s", user.id, chat.id, exc)
        return False
    return member.status in _ADMIN_STATUSES


def topic_error_text(error: TopicError, lang: Lang, limits: dict[str, int]) -> str:
    """A refused topic as a reply in the user's language."""
    if error.code == "empty":
        return text("topic_empty", lang) + "\n\n" + text("follow_usage", lang)
    if error.code == "no_terms":
        return text("topic_no_terms", lang)
    if error.code == "too_long":
        return text(
            "topic_too_long", lang, length=limits["length"], limit=limits["follow_max_chars"]
        )
    if error.code == "too_many":
        return text("topic_too_many", lang, limit=limits["follow_max_topics"])
    return text("topic_unknown", lang, id=escape(error.item or "?"))


async def cmd_follow(update: Update, context: Context) -> None:
    """/follow [daily [HOUR]] QUESTION: follow a topic in this chat."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = user_lang(update)
    if not await may_manage_topics(chat, update.effective_user, message, context.bot):
        await message.reply_text(text("follow_admins_only", lang))
        return
    daily, hour, topic_text = parse_follow_args(context.args or [])
    if not context.args:
        await message.reply_text(text("follow_usage", lang))
        return
    settings = context.bot_data.settings
    archive = context.bot_data.archive
    try:
        topic = await asyncio.to_thread(
            archive.follow,
            chat.id,
            topic_text,
            daily=daily,
            daily_hour=hour,
            lang=lang,
            max_topics=settings.follow_max_topics,
            max_chars=settings.follow_max_chars,
        )
    except TopicError as exc:
        limits = {
            "length": len(" ".join(topic_text.split())),
            "follow_max_chars": settings.follow_max_chars,
            "follow_max_topics": settings.follow_max_topics,
        }
        await message.reply_text(topic_error_text(exc, lang, limits))
        return
    except FilterError as exc:
        # The same reply as /ask gives for the filter word (an unknown outlet: the closest).
        await message.reply_text(describe_error(exc, lang))
        return
    await asyncio.to_thread(archive.resume_chat, chat.id)
    key = "follow_done_daily" if topic.mode == "daily" else "follow_done"
    await message.reply_text(
        text(
            key,
            lang,
            id=topic.topic_id,
            topic=escape(trim(topic.text, 200)),
            hour=f"{topic.daily_hour:02d}",
        )
    )


def render_following(topics: list[Topic], lang: Lang) -> list[str]:
    """/following: each topic with its id, filters, creation time, last alert and mode."""
    if not topics:
        return [text("following_none", lang)]
    runs = [Run(text("following_header", lang), bold=True)]
    for topic in topics:
        runs.append(Run(f"\n\n#{topic.topic_id} "))
        # The filter words stay in the topic's text; they are shown apart from its words.
        split = split_filters(topic.text)
        runs.append(Run(split.text, bold=True))
        if split.words:
            filters = " ".join(word.token for word in split.words)
            runs.append(Run("\n" + text("following_filters", lang, filters=filters)))
        line = text(
            "following_line",
            lang,
            created=_when(topic.created_at, lang),
            last=_when(topic.last_alert_at, lang),
        )
        if topic.mode == "daily":
            line += " · " + text("following_daily", lang, hour=f"{topic.daily_hour:02d}")
        runs.append(Run("\n" + line, italic=True))
        if topic.paused_at is not None:
            runs.append(Run("\n" + text("following_paused", lang), italic=True))
    return render_parts(runs)


def _when(moment: datetime | None, lang: Lang) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else text("never", lang)


async def cmd_following(update: Update, context: Context) -> None:
    """/following: the topics this chat follows."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = user_lang(update)
    archive = context.bot_data.archive
    await asyncio.to_thread(archive.resume_chat, chat.id)  # it hears from us again
    topics = await asyncio.to_thread(archive.following, chat.id)
    for part in render_following(topics, lang):
        await message.reply_text(part)


async def cmd_unfollow(update: Update, context: Context) -> None:
    """/unfollow ID: stop following one of this chat's topics."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = user_lang(update)
    args = context.args or []
    number = args[0].lstrip("#") if len(args) == 1 else ""
    if not number.isdigit():
        await message.reply_text(text("unfollow_usage", lang))
        return
    if not await may_manage_topics(chat, update.effective_user, message, context.bot):
        await message.reply_text(text("follow_admins_only", lang))
        return
    await message.reply_text(await _unfollow(context, chat.id, int(number), lang))


async def _unfollow(context: Context, chat_id: int, topic_id: int, lang: Lang) -> str:
    try:
        topic = await asyncio.to_thread(context.bot_data.archive.unfollow, chat_id, topic_id)
    except TopicError as exc:
        exc.item = str(topic_id)
        return topic_error_text(exc, lang, {})
    return text("unfollowed", lang, id=topic.topic_id, topic=escape(trim(topic.text, 200)))


async def on_unfollow_button(update: Update, context: Context) -> None:
    """The Unfollow button under an alert or a digest."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = user_lang(update)
    chat = query.message.chat
    if not await may_manage_topics(chat, query.from_user, None, context.bot):
        await query.answer(text("follow_admins_only", lang), show_alert=True)
        return
    reply = await _unfollow(context, chat.id, int(query.data.split(":")[1]), lang)
    await query.answer()
    await context.bot.send_message(chat.id, reply)


async def on_alert_full(update: Update, context: Context) -> None:
    """Full article under an alert: the cited passage with its neighbours."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = user_lang(update)
    archive = context.bot_data.archive
    alert = await asyncio.to_thread(archive.get_alert, int(query.data.split(":")[1]))
    if alert is None or not alert.answer.snippets:
        await query.answer(text("stale", lang))
        return
    article_id = alert.answer.citation.article_id
    try:
        article = await asyncio.to_thread(archive.get_article, article_id)
        passages = await asyncio.to_thread(archive.get_passages, article_id)
    except NewsdeskError as exc:
        if is_store_unavailable(exc):
            raise  # not gone: ``bot.errors.on_error`` says "try again"
        await query.answer(text("article_gone", lang))
        return
    await query.answer()
    cited = alert.answer.snippets[0].passage_id
    for part in render_full_article(article, passages, cited, lang):
        await context.bot.send_message(query.message.chat.id, part)


async def on_alert_more(update: Update, context: Context) -> None:
    """More under an alert: the topic asked as a question, with the usual buttons."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    alert = await asyncio.to_thread(data.archive.get_alert, int(query.data.split(":")[1]))
    if alert is None:
        await query.answer(text("stale", lang))
        return
    await query.answer()
    try:
        answer = await data.answers.ask(alert.topic.text, k=ANSWER_K)
    except WorkerCrashedError as exc:
        await context.bot.send_message(query.message.chat.id, lost_answer_text(exc, lang))
        return
    except NewsdeskError as exc:  # e.g. a topic's from: outlet no longer in the archive
        await context.bot.send_message(query.message.chat.id, describe_error(exc, lang))
        return
    user_id = update.effective_user.id if update.effective_user else None
    await send_answer(
        query.message,  # type: ignore[arg-type]
        data,
        answer,
        lang,
        user_id=user_id,
        offset=0,
        reply=False,
    )


async def on_migrate(update: Update, context: Context) -> None:
    """A group became a supergroup: its topics move to the new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    moved = await asyncio.to_thread(context.bot_data.archive.migrate_chat, old, new)
    if moved:
        logger.info("chat %s became %s: %d topics moved", old, new, moved)


__all__ = [
    "cmd_follow",
    "cmd_following",
    "cmd_unfollow",
    "on_alert_full",
    "on_alert_more",
    "on_migrate",
    "on_unfollow_button",
]
