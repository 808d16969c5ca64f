"""``bot.replies`` sends the very body PTB would have sent, through PTB's own funnel.

Each case sends one text (or inline answer) twice to the fake Bot API, once through PTB's
method (``Message.reply_text``, ``Bot.send_message``, ``InlineQuery.answer`` with PTB's
objects) and once through ``bot.replies``, and compares the parameters the server received:
the application's own ``Defaults`` (HTML, no link previews) and other ``Defaults``; private,
group and forum-topic replies; keyboards; texts with entities; inline results.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import Forbidden
from telegram.ext import AIORateLimiter, Application, Defaults

from bot.app import build_application
from bot.render import answer_keyboard
from bot.replies import (
    JSONDict,
    answer_inline,
    article_result,
    inline_keyboard,
    reply_text,
    send_text,
)
from bot.transport import AiohttpRequest
from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import GROUP_ID, OTHER, TOKEN, USER, make_settings

HTML = (
    "<b>1. Council approves budget</b> — <i>Example Times</i>\n« The council approved "
    'the <u>new</u> budget » &amp; more. <a href="https://example.com/a?b=1&amp;c=2">link</a>'
)


class RecordingRateLimiter(AIORateLimiter):
    """PTB's rate limiter, noting each endpoint it let through."""

    def __init__(self) -> None:
        super().__init__(overall_max_rate=0, overall_time_period=0)
        self.endpoints: list[str] = []

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def]
        self.endpoints.append(endpoint)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def ptb_keyboard(keyboard: JSONDict) -> InlineKeyboardMarkup:
    """The same keyboard built from PTB's objects, as the handlers did before."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in keyboard["inline_keyboard"]
        ]
    )


def message_of(api: FakeBotApi, bot: Bot, update: dict[str, Any]) -> Message:
    message = Update.de_json({"update_id": 1, **update}, bot).effective_message
    assert message is not None
    return message


async def sent_params(api: FakeBotApi, method: str, send: Any) -> dict[str, Any]:
    """The parameters the server got from ``await send()`` (one ``method`` call)."""
    after = api.cursor()
    await send()
    (call,) = await api.wait_for(method, after=after)
    assert call.ok, call.error
    return dict(call.params)


@pytest.fixture
async def app_bot(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> AsyncIterator[Bot]:
    """The application's own bot (its Defaults, rate limiter and transport), initialized."""
    app = build_application(make_settings(tmp_path, fake_api), module_archive, close_archive=False)
    await app.bot.initialize()
    yield app.bot
    await app.bot.shutdown()
    app.bot_data.answers.close()


async def other_bot(
    api: FakeBotApi, defaults: Defaults | None
) -> tuple[Bot, RecordingRateLimiter]:
    limiter = RecordingRateLimiter()
    builder = (
        Application.builder()
        .token(TOKEN)
        .base_url(api.base_url)
        .request(AiohttpRequest(connection_pool_size=4))
        .rate_limiter(limiter)
    )
    if defaults is not None:
        builder = builder.defaults(defaults)
    bot = builder.build().bot
    await bot.initialize()
    return bot, limiter


def topic_message(api: FakeBotApi) -> dict[str, Any]:
    update = api.group_message(USER, GROUP_ID, "what did the council approve?")
    update["message"]["chat"]["is_forum"] = True
    update["message"].update(is_topic_message=True, message_thread_id=77)
    return update


def business_message(api: FakeBotApi) -> dict[str, Any]:
    update = api.private_message(OTHER, "what did the council approve?")
    update["message"]["business_connection_id"] = "bc-1"
    return update


CHATS = {
    "private": lambda api: api.private_message(USER, "what did the council approve?"),
    "group": lambda api: api.group_message(USER, GROUP_ID, "@bot what did the council approve?"),
    "forum topic": topic_message,
    "business": business_message,
}


@pytest.mark.parametrize("chat", sorted(CHATS))
@pytest.mark.parametrize("with_keyboard", [True, False])
async def test_a_reply_sends_what_reply_text_sends(
    fake_api: FakeBotApi, app_bot: Bot, chat: str, with_keyboard: bool
) -> None:
    message = message_of(fake_api, app_bot, CHATS[chat](fake_api))
    keyboard = answer_keyboard("AbC-12_x", 3, True, "uk") if with_keyboard else None
    markup = ptb_keyboard(keyboard) if keyboard else None
    ptb = await sent_params(
        fake_api, "sendMessage", lambda: message.reply_text(HTML, reply_markup=markup)
    )
    ours = await sent_params(fake_api, "sendMessage", lambda: reply_text(message, HTML, keyboard))
    assert ours == ptb
    assert ptb["parse_mode"] == "HTML"  # the application's Defaults are in both
    assert ptb["link_preview_options"] == {"is_disabled": True}
    assert ("reply_parameters" in ptb) == (chat in {"group", "forum topic"})


async def test_a_message_to_a_chat_sends_what_send_message_sends(
    fake_api: FakeBotApi, app_bot: Bot
) -> None:
    message = message_of(fake_api, app_bot, CHATS["group"](fake_api))
    keyboard = answer_keyboard("AbC-12_x", 2, False, "en", first_number=4)
    ptb = await sent_params(
        fake_api,
        "sendMessage",
        lambda: app_bot.send_message(message.chat_id, HTML, reply_markup=ptb_keyboard(keyboard)),
    )
    ours = await sent_params(
        fake_api, "sendMessage", lambda: send_text(app_bot, message.chat_id, HTML, keyboard)
    )
    assert ours == ptb
    assert "reply_parameters" not in ptb


@pytest.mark.parametrize(
    "defaults",
    [
        None,
        Defaults(do_quote=True, disable_notification=True, protect_content=True),
        Defaults(
            parse_mode="html",
            allow_sending_without_reply=True,
            do_quote=False,
            link_preview_options=LinkPreviewOptions(
                url="https://example.com", show_above_text=True
            ),
        ),
    ],
    ids=["no defaults", "quote everywhere", "never quote, preview options"],
)
@pytest.mark.parametrize("chat", ["private", "group"])
async def test_other_defaults_are_applied_as_ptb_applies_them(
    fake_api: FakeBotApi, defaults: Defaults | None, chat: str
) -> None:
    bot, limiter = await other_bot(fake_api, defaults)
    try:
        message = message_of(fake_api, bot, CHATS[chat](fake_api))
        text = "plain <b>text</b>" if defaults is not None and defaults.parse_mode else "plain"
        keyboard = inline_keyboard([[("A", "a:1"), ("B", "b:2")]])
        ptb = await sent_params(
            fake_api,
            "sendMessage",
            lambda: message.reply_text(text, reply_markup=ptb_keyboard(keyboard)),
        )
        ours = await sent_params(
            fake_api, "sendMessage", lambda: reply_text(message, text, keyboard)
        )
        assert ours == ptb
        # Both went through the bot's rate limiter.
        assert limiter.endpoints[-2:] == ["sendMessage", "sendMessage"]
    finally:
        await bot.shutdown()


def ptb_result(result_id: str, title: str, html: str, description: str | None) -> Any:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=description,
        input_message_content=InputTextMessageContent(html),
    )


@pytest.mark.parametrize(
    "options",
    [
        {"cache_time": 30, "is_personal": False, "next_offset": "3"},
        {"cache_time": 30, "is_personal": False, "next_offset": ""},
        {"cache_time": 0, "is_personal": True},
        {"cache_time": 30},
    ],
)
async def test_an_inline_answer_sends_what_inline_query_answer_sends(
    fake_api: FakeBotApi, app_bot: Bot, options: dict[str, Any]
) -> None:
    rows = [
        ("17", "Council approves budget", HTML, "3 March 2024 · The council"),
        ("a9", "T", "x", ""),
    ]
    rows.append(("retry", "The answer was lost", "The answer was lost", None))

    def query() -> Any:
        update = fake_api.inline_query(USER, "council budget")
        return Update.de_json({"update_id": 2, **update}, app_bot).inline_query

    first, second = query(), query()
    ptb = await sent_params(
        fake_api,
        "answerInlineQuery",
        lambda: first.answer([ptb_result(*row) for row in rows], **options),
    )
    results = [article_result(app_bot, *row) for row in rows]
    ours = await sent_params(
        fake_api,
        "answerInlineQuery",
        lambda: answer_inline(app_bot, second.id, results, **options),
    )
    assert ptb.pop("inline_query_id") == first.id
    assert ours.pop("inline_query_id") == second.id
    assert ours == ptb
    assert ptb["results"][0]["input_message_content"]["parse_mode"] == "HTML"


async def test_a_refused_send_raises_what_ptb_raises_without_the_token(
    fake_api: FakeBotApi, app_bot: Bot
) -> None:
    message = message_of(fake_api, app_bot, CHATS["private"](fake_api))
    fake_api.blocked_chats.add(message.chat_id)
    with pytest.raises(Forbidden) as ptb:
        await message.reply_text("hello")
    with pytest.raises(Forbidden) as ours:
        await reply_text(message, "hello")
    assert str(ours.value) == str(ptb.value)
    assert TOKEN not in str(ours.value) and TOKEN.split(":")[1] not in repr(ours.value)


def test_the_answer_keyboard_is_ptbs_keyboard_as_json() -> None:
    keyboard = answer_keyboard("AbC-12_x", 3, True, "ru", first_number=4)
    assert keyboard is not None
    assert InlineKeyboardMarkup.de_json(keyboard, None).to_dict() == keyboard  # type: ignore[arg-type]
    assert answer_keyboard("AbC-12_x", 0, False, "en") is None
