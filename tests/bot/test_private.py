"""Private chat end to end: /start, /help, questions with citations, nothing found."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from telegram.ext import Application

from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import ADMIN, OTHER, USER
from tests.bot.corpus import RECORDS


async def test_start_reports_count_date_range_and_example_questions(
    fake_api: FakeBotApi, bot: Application, module_archive: Archive
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, "/start"))
    (call,) = await fake_api.wait_for("sendMessage")
    shown = parse_html(call.params["text"])
    assert str(len(RECORDS)) in shown and "2024-06-12" in shown and "2024-09-01" in shown
    examples = module_archive.example_questions(3)
    assert examples and all(f"• {example}" in shown for example in examples)


async def test_commands_are_registered_per_scope(fake_api: FakeBotApi, bot: Application) -> None:
    user_menu = fake_api.commands_for({"type": "default"})
    admin_menu = fake_api.commands_for({"type": "chat", "chat_id": ADMIN.id})
    assert user_menu == ["start", "help", "ask", "quotes", "follow", "following", "unfollow"]
    assert admin_menu[: len(user_menu)] == user_menu and {
        "ingest",
        "reindex",
        "stats",
        "delete",
    } <= set(admin_menu)


async def test_help_shows_admin_part_only_to_admins(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(USER, "/help"))
    (user_help,) = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == USER.id)
    fake_api.offer(fake_api.private_message(ADMIN, "/help"))
    (admin_help,) = await fake_api.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == ADMIN.id
    )
    assert "/reindex" not in user_help.params["text"]
    assert "Запитання" in user_help.params["text"]  # USER speaks Ukrainian
    assert (
        "/reindex" in admin_help.params["text"]
        and "@newsdesk_test_bot" in admin_help.params["text"]
    )


async def test_private_question_gets_bold_snippets_and_citations(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, "What was the yield in Kherson?"))
    (reply,) = await fake_api.wait_for("sendMessage")
    html = reply.params["text"]
    assert reply.ok, reply.error
    assert "<b>Kherson</b>" in html
    assert '<a href="https://news.example.org/harvest-kherson">' in html
    assert "Example News" in html and "2024-08-05" in html
    assert reply.params["link_preview_options"] == {"is_disabled": True}
    buttons = [b for row in reply.params["reply_markup"]["inline_keyboard"] for b in row]
    assert any(b["callback_data"].startswith("f:") for b in buttons)
    typing = fake_api.find("sendChatAction")
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at <= reply.at


async def test_nothing_found_suggests_rephrasing_and_names_the_dates(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(USER, "zzqx vvwy"))
    (reply,) = await fake_api.wait_for("sendMessage")
    shown = parse_html(reply.params["text"])
    assert "Нічого не знайдено" in shown and "2024-06-12" in shown and "2024-09-01" in shown
    assert "reply_markup" not in reply.params


async def test_question_with_html_breaking_characters(
    fake_api: FakeBotApi, bot: Application
) -> None:
    question = 'what did traders say: prices <went up> & "down" </b>'
    fake_api.offer(fake_api.private_message(ADMIN, question))
    (reply,) = await fake_api.wait_for("sendMessage")
    assert reply.ok, reply.error
    shown = parse_html(reply.params["text"])
    assert 'Prices <up> & "down": what traders say' in shown
    assert "Market <Wire>" in shown


async def test_a_4096_character_question_is_answered_within_limits(
    fake_api: FakeBotApi, bot: Application
) -> None:
    question = ("harvest <&> 🌾 " * 400)[:4096]
    fake_api.offer(fake_api.private_message(ADMIN, question))
    replies = await fake_api.wait_for("sendMessage", timeout=20)
    assert all(call.ok for call in replies), [c.error for c in replies]
    assert len(parse_html(replies[0].params["text"])) <= 4096


async def test_edited_messages_are_not_answered_again(
    fake_api: FakeBotApi, bot: Application
) -> None:
    update = fake_api.private_message(ADMIN, "wheat harvest")
    fake_api.offer({"edited_message": {**update["message"], "edit_date": int(time.time())}})
    fake_api.offer(fake_api.private_message(ADMIN, "Koval gold"))
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "Koval" in reply.params["text"]
    assert len(fake_api.find("sendMessage")) == 1


async def test_start_counts_articles_with_the_right_plural_form(
    fake_api: FakeBotApi, bot: Application
) -> None:
    assert len(RECORDS) == 32  # "32 статті"/"32 статьи": the "few" form, not "статей"
    fake_api.offer(fake_api.private_message(USER, "/start"))  # uk
    (uk,) = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == USER.id)
    fake_api.offer(fake_api.private_message(OTHER, "/start"))  # ru
    (ru,) = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == OTHER.id)
    fake_api.offer(fake_api.private_message(ADMIN, "/start"))  # en
    (en,) = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN.id)
    assert "32 статті (" in parse_html(uk.params["text"])
    assert "32 статьи (" in parse_html(ru.params["text"])
    assert "32 articles (" in parse_html(en.params["text"])


async def test_a_question_is_asked_at_its_message_date(
    fake_api: FakeBotApi, bot: Application
) -> None:
    # "Yesterday" is the day before the message was sent, not before the bot's clock: a
    # message of 21 August 2024 asks about the 20th, when the Koval article was published.
    update = fake_api.private_message(ADMIN, "What happened yesterday?")
    update["message"]["date"] = int(datetime(2024, 8, 21, 12, 0, tzinfo=UTC).timestamp())
    fake_api.offer(update)
    (reply,) = await fake_api.wait_for("sendMessage")
    assert reply.ok, reply.error
    assert "Swimmer Koval wins gold in Berlin" in parse_html(reply.params["text"])
