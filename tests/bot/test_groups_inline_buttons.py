"""Groups (only when addressed), inline mode with paging, and the More / Full article buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram.ext import Application

from index import Archive
from tests.auxil.fake_bot_api import ApiCall, FakeBotApi, parse_html
from tests.bot.conftest import GROUP_ID, OTHER, USER
from tests.bot.corpus import REGIONS


def in_group(call: ApiCall) -> bool:
    return call.params.get("chat_id") == GROUP_ID


async def test_group_messages_are_ignored_unless_addressed(
    fake_api: FakeBotApi, bot: Application
) -> None:
    ignored = [
        "What was the yield in Kherson?",
        "@someone_else What was the yield in Kherson?",
    ]
    for text in ignored:
        fake_api.offer(fake_api.group_message(USER, GROUP_ID, text))
    addressed = fake_api.group_message(
        USER, GROUP_ID, "@NewsDesk_Test_Bot what was the yield in Kherson?"
    )
    fake_api.offer(addressed)
    (reply,) = await fake_api.wait_for("sendMessage", in_group)
    assert reply.params["reply_parameters"]["message_id"] == addressed["message"]["message_id"]
    assert "<b>Kherson</b>" in reply.params["text"]
    assert "newsdesk_test_bot" not in reply.params["text"].lower()  # the mention was stripped
    assert len(fake_api.find("sendMessage", in_group)) == 1


async def test_group_reply_to_the_bot_and_slash_ask_are_answered(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/ask Koval gold"))
    (first,) = await fake_api.wait_for("sendMessage", in_group)
    assert "Koval" in first.params["text"]

    bot_message = fake_api.sent_message_object(GROUP_ID, first.result["message_id"])
    reply_to_bot = fake_api.group_message(
        OTHER, GROUP_ID, "What was the yield in Kherson?", reply_to=bot_message
    )
    fake_api.offer(reply_to_bot)
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/ask@newsdesk_test_bot Koval Berlin"))
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/ask"))
    replies = await fake_api.wait_for("sendMessage", in_group, after=0, count=4)
    texts = [call.params["text"] for call in replies[1:]]
    assert any("<b>Kherson</b>" in text for text in texts)
    assert any("Koval" in text and "Berlin" in text for text in texts)
    assert any("/ask" in text for text in texts)  # usage, in Russian for OTHER


async def test_group_reply_to_someone_else_is_ignored(
    fake_api: FakeBotApi, bot: Application
) -> None:
    human = {
        "message_id": 7,
        "date": 0,
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "from": OTHER.to_dict(),
        "text": "hello",
    }
    fake_api.offer(fake_api.group_message(USER, GROUP_ID, "Koval gold", reply_to=human))
    fake_api.offer(fake_api.group_message(USER, GROUP_ID, "/ask Koval Berlin"))
    (reply,) = await fake_api.wait_for("sendMessage", in_group)
    assert "Berlin" in reply.params["text"]
    assert len(fake_api.find("sendMessage", in_group)) == 1


async def test_inline_empty_query_pages_through_latest_articles(
    fake_api: FakeBotApi, bot: Application, module_archive: Archive
) -> None:
    fake_api.offer(fake_api.inline_query(USER, ""))
    (page1,) = await fake_api.wait_for("answerInlineQuery")
    assert page1.ok, page1.error
    assert len(page1.params["results"]) == 3 and page1.params["next_offset"] == "3"
    fake_api.offer(fake_api.inline_query(USER, "", offset="3"))
    (_, page2) = await fake_api.wait_for("answerInlineQuery", count=2)
    ids1 = [r["id"] for r in page1.params["results"]]
    ids2 = [r["id"] for r in page2.params["results"]]
    assert len(ids2) == 3 and not set(ids1) & set(ids2)
    newest = module_archive.list_articles(limit=6)
    assert ids1 + ids2 == [f"a{summary.article_id}" for summary in newest]
    dates = [summary.published_at for summary in newest]
    assert None not in dates and dates == sorted(dates, reverse=True)
    assert page1.params["results"][0]["title"] == newest[0].title
    assert int(page1.params["cache_time"]) <= 60


async def test_inline_question_pages_across_two_pages(
    fake_api: FakeBotApi, bot: Application
) -> None:
    question = "farmers report the wheat harvest yield"
    fake_api.offer(fake_api.inline_query(USER, question))
    (page1,) = await fake_api.wait_for("answerInlineQuery")
    assert page1.ok, page1.error
    results = page1.params["results"]
    assert len(results) == 3 and page1.params["next_offset"] == "3"
    first = results[0]
    assert first["type"] == "article" and first["title"].startswith("Farmers in")
    assert first["description"].startswith("2024-08-")
    message = first["input_message_content"]
    assert message["parse_mode"] == "HTML" and "<a href=" in message["message_text"]
    assert message["link_preview_options"] == {"is_disabled": True}
    fake_api.offer(fake_api.inline_query(USER, question, offset="3"))
    (_, page2) = await fake_api.wait_for("answerInlineQuery", count=2)
    assert page2.ok, page2.error
    titles1 = {r["title"] for r in results}
    titles2 = {r["title"] for r in page2.params["results"]}
    assert titles2 and not titles1 & titles2


async def test_more_button_posts_the_next_page_and_full_article_shows_context(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(USER, "farmers report the wheat harvest yield"))
    (answer,) = await fake_api.wait_for("sendMessage")
    keyboard = answer.params["reply_markup"]["inline_keyboard"]
    data = [button["callback_data"] for row in keyboard for button in row]
    more = next(d for d in data if d.startswith("m:"))
    full = next(d for d in data if d.startswith("f:"))
    message_id = answer.result["message_id"]

    fake_api.offer(fake_api.callback_query(USER, USER.id, message_id, more))
    (_, page2) = await fake_api.wait_for("sendMessage", count=2)
    assert (await fake_api.wait_for("answerCallbackQuery"))[0].ok
    assert parse_html(page2.params["text"]).startswith("4. ")
    assert "reply_parameters" not in page2.params

    fake_api.offer(fake_api.callback_query(USER, USER.id, message_id, full))
    (_, _, article) = await fake_api.wait_for("sendMessage", count=3)
    shown = parse_html(article.params["text"])
    assert "▶ " in shown and shown.startswith("Farmers in")
    assert len(fake_api.find("answerCallbackQuery")) == 2


async def test_stale_or_unknown_buttons_get_a_polite_answer(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(USER, "Koval gold"))
    (answer,) = await fake_api.wait_for("sendMessage")
    message_id = answer.result["message_id"]
    for data in ("m:expired1", "f:expired1:0", "something-old"):
        fake_api.offer(fake_api.callback_query(USER, USER.id, message_id, data))
    answers = await fake_api.wait_for("answerCallbackQuery", count=3)
    assert all(call.ok for call in answers)
    assert all("застаріла" in call.params["text"] for call in answers)
    assert len(fake_api.find("sendMessage")) == 1


async def test_more_pages_answer_as_of_the_questions_message_date(
    fake_api: FakeBotApi, bot: Application
) -> None:
    # Sent on Thursday 8 August 2024: "this week" is 5-8 August, whenever More is pressed.
    update = fake_api.private_message(USER, "farmers report the wheat harvest yield this week")
    update["message"]["date"] = int(datetime(2024, 8, 8, 12, 0, tzinfo=UTC).timestamp())
    fake_api.offer(update)
    (answer,) = await fake_api.wait_for("sendMessage")
    this_week = ("Kherson", "Odesa", "Kharkiv", "Sumy")  # published 5-8 August
    page1 = parse_html(answer.params["text"])
    assert sum(region in page1 for region in this_week) == 3
    keyboard = answer.params["reply_markup"]["inline_keyboard"]
    more = next(
        b["callback_data"] for row in keyboard for b in row if b["callback_data"][:2] == "m:"
    )
    fake_api.offer(fake_api.callback_query(USER, USER.id, answer.result["message_id"], more))
    (_, page2) = await fake_api.wait_for("sendMessage", count=2)
    shown2 = parse_html(page2.params["text"])
    assert shown2.startswith("4. ")
    # The fourth of this week's articles leads page 2; none of page 1 comes back.
    (last,) = [region for region in this_week if region not in page1]
    assert shown2.index(last) < min(
        (shown2.index(r) for r in REGIONS if r in shown2 and r != last), default=len(shown2)
    )
    assert not [r for r in this_week if r in page1 and r in shown2]
