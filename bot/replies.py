"""Answers sent as plain JSON: text messages and inline results without PTB's object round trip.

``Message.reply_text`` and ``InlineQuery.answer`` build ``TelegramObject``s (buttons, the
reply's parameters, inline results and their message contents) only to turn them back into
dicts (``to_dict``, through ``RequestParameter.from_input``), and ``sendMessage`` parses
Telegram's reply into a ``Message`` (``Message.de_json``: its chat, sender, text, entities and
keyboard again) that the answer handlers drop. In a replica's event loop under the bench's
load (cProfile, two replicas at 100k passages), ``Message.de_json`` was 12 % of its CPU,
``from_input``/``to_dict`` 9 %, building the inline results 6 %; a keyboard of four buttons
takes ~100 µs to build and ~120 µs to ``to_dict`` (timeit); ``docs/postgres.md``, "Bot CPU per
update, third round", has the per-update figures.

The functions here write the same JSON body PTB would send (``tests/bot/test_replies.py``
compares them for private and group replies, topics, keyboards and inline answers), with
PTB's ``Defaults`` read from the bot: the parse mode, the link preview options, quoting in
groups (``do_quote``), ``quote_parse_mode``. They post it through ``Bot._post``, the funnel
every PTB method ends in, so what happens after is PTB's: ``ExtBot`` applies the
``AIORateLimiter``, ``bot.transport`` sends, ``BaseRequest`` turns an error reply into
``BadRequest``, ``Forbidden``, ``RetryAfter``… and the token never leaves the request URL.
Nothing is returned: a caller that needs the sent ``Message`` (to edit it later, as /reindex's
progress does) keeps ``reply_text``. Keyboards are plain ``callback_data`` buttons: PTB's
``arbitrary_callback_data``, which this bot does not enable, would not apply to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Bot, Message
from telegram.constants import ChatType
from telegram.ext import Defaults

JSONDict = dict[str, Any]

# Defaults → the JSON fields they fill, per Defaults object (immutable once made; an
# application has one, tests make many, hence the bound).
_fields_of: dict[int, tuple[Defaults, JSONDict, JSONDict]] = {}
_FIELDS_KEPT = 16


def inline_keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> JSONDict:
    """An ``InlineKeyboardMarkup`` as the Bot API takes it: rows of (text, callback_data)
    buttons."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


def _defaults_fields(bot: Bot) -> tuple[JSONDict, JSONDict]:
    """What PTB's ``Defaults`` add to a ``sendMessage`` and to an inline result's
    ``InputTextMessageContent`` when the call leaves those fields out (``ExtBot._insert_defaults``
    and ``_insert_defaults_for_ilq_results``)."""
    defaults: Defaults | None = getattr(bot, "defaults", None)
    if defaults is None:
        return {}, {}
    cached = _fields_of.get(id(defaults))
    if cached is not None and cached[0] is defaults:
        return cached[1], cached[2]
    preview = defaults.link_preview_options
    preview_json = preview.to_dict() if preview is not None else None
    message: JSONDict = {
        key: value
        for key, value in (
            ("parse_mode", defaults.parse_mode),
            ("disable_notification", defaults.disable_notification),
            ("protect_content", defaults.protect_content),
            ("link_preview_options", preview_json),
        )
        if value is not None
    }
    content = {
        key: message[key] for key in ("parse_mode", "link_preview_options") if key in message
    }
    if len(_fields_of) >= _FIELDS_KEPT:
        _fields_of.clear()
    _fields_of[id(defaults)] = (defaults, message, content)
    return message, content


def message_body(
    bot: Bot, chat_id: int | str, text: str, keyboard: JSONDict | None = None
) -> JSONDict:
    """``bot.send_message(chat_id, text, reply_markup=keyboard)``'s parameters."""
    body: JSONDict = {"chat_id": chat_id, "text": text, **_defaults_fields(bot)[0]}
    if keyboard is not None:
        body["reply_markup"] = keyboard
    return body


def reply_body(message: Message, text: str, keyboard: JSONDict | None = None) -> JSONDict:
    """``message.reply_text(text, reply_markup=keyboard)``'s parameters: in the message's chat
    (and forum topic, business connection, direct-messages topic), quoting it where PTB
    would (``Defaults.do_quote``, else everywhere but private chats)."""
    bot = message.get_bot()
    body = message_body(bot, message.chat_id, text, keyboard)
    defaults: Defaults | None = getattr(bot, "defaults", None)
    do_quote = defaults.do_quote if defaults is not None else None
    if do_quote if do_quote is not None else message.chat.type != ChatType.PRIVATE:
        reply: JSONDict = {"message_id": message.message_id}
        if defaults is not None:
            if defaults.allow_sending_without_reply is not None:
                reply["allow_sending_without_reply"] = defaults.allow_sending_without_reply
            if defaults.quote_parse_mode is not None:
                reply["quote_parse_mode"] = defaults.quote_parse_mode
        body["reply_parameters"] = reply
    if message.is_topic_message and message.message_thread_id is not None:
        body["message_thread_id"] = message.message_thread_id
    if message.business_connection_id is not None:
        body["business_connection_id"] = message.business_connection_id
    if message.direct_messages_topic is not None:
        body["direct_messages_topic_id"] = message.direct_messages_topic.topic_id
    return body


async def reply_text(message: Message, text: str, keyboard: JSONDict | None = None) -> None:
    """``message.reply_text(text, reply_markup=keyboard)`` without parsing the sent message.

    Raises:
        telegram.error.TelegramError: as ``reply_text`` would (a refused text, a blocked
            chat, flood control, the network).
    """
    await message.get_bot()._post("sendMessage", reply_body(message, text, keyboard))


async def send_text(
    bot: Bot, chat_id: int | str, text: str, keyboard: JSONDict | None = None
) -> None:
    """``bot.send_message(chat_id, text, reply_markup=keyboard)`` without parsing the sent
    message (raises as ``send_message`` would)."""
    await bot._post("sendMessage", message_body(bot, chat_id, text, keyboard))


def article_result(
    bot: Bot, result_id: str, title: str, message_html: str, description: str | None = None
) -> JSONDict:
    """An ``InlineQueryResultArticle`` whose ``InputTextMessageContent`` is ``message_html``,
    with the bot's defaults in that content as PTB adds them."""
    result: JSONDict = {
        "type": "article",
        "id": result_id,
        "title": title,
        "input_message_content": {"message_text": message_html, **_defaults_fields(bot)[1]},
    }
    if description is not None:
        result["description"] = description
    return result


async def answer_inline(
    bot: Bot,
    inline_query_id: str,
    results: list[JSONDict],
    *,
    cache_time: int,
    is_personal: bool | None = None,
    next_offset: str | None = None,
) -> None:
    """``InlineQuery.answer(results, cache_time=…, is_personal=…, next_offset=…)`` with
    results from ``article_result`` (raises as ``answer`` would)."""
    body: JSONDict = {"inline_query_id": inline_query_id, "results": results}
    if next_offset is not None:
        body["next_offset"] = next_offset
    body["cache_time"] = cache_time
    if is_personal is not None:
        body["is_personal"] = is_personal
    await bot._post("answerInlineQuery", body)
