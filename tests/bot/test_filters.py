"""Question filters end to end through the fake Bot API: private chat, /ask, inline, More."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import ApiCall, FakeBotApi, parse_html
from tests.auxil.filter_corpus import QUESTION, write_filter_corpus
from tests.bot.conftest import ADMIN, GROUP_ID, OTHER, USER, make_settings, running_bot


@pytest.fixture(scope="module")
def filter_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("bot-filters")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    report = archive.ingest([str(write_filter_corpus(folder / "corpus"))])
    assert report.failed == ()
    yield archive
    archive.close()


@pytest.fixture
async def bot(
    fake_api: FakeBotApi, filter_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = make_settings(tmp_path, fake_api, inline_page_size=3)
    async with running_bot(settings, filter_archive, fake_api) as app:
        yield app


def _to(chat_id: int) -> Callable[[ApiCall], bool]:
    return lambda call: call.params.get("chat_id") == chat_id


def _shown(call: ApiCall) -> str:
    return parse_html(call.params["text"])


async def test_private_question_obeys_outlet_and_dates(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, f"{QUESTION} from:kyiv since:2023-06-07"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(ADMIN.id))
    shown = _shown(reply)
    assert reply.ok, reply.error
    assert "Kyiv Post" in shown and "2023-06-10" in shown
    assert "Kyiv Independent" not in shown and "Big Wire" not in shown


async def test_more_pages_keep_the_filters(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, f"{QUESTION} lang:en since:2023-06-01"))
    (first,) = await fake_api.wait_for("sendMessage", _to(ADMIN.id))
    shown = _shown(first)
    assert "Big Wire" not in shown and "1. " in shown and "3. " in shown
    keyboard = first.params["reply_markup"]["inline_keyboard"]
    more = next(
        b["callback_data"] for row in keyboard for b in row if b["callback_data"][:2] == "m:"
    )
    fake_api.offer(fake_api.callback_query(ADMIN, ADMIN.id, first.result["message_id"], more))
    (_, second) = await fake_api.wait_for("sendMessage", _to(ADMIN.id), count=2)
    # The three English articles since June 2023 were all on the first page.
    assert "Big Wire" not in _shown(second)


async def test_group_ask_obeys_language(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, f"/ask {QUESTION} lang:ru"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(GROUP_ID))
    shown = _shown(reply)
    assert "Новая газета" in shown and "Big Wire" not in shown and "2. " not in shown


async def test_inline_question_obeys_the_filters(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(fake_api.inline_query(USER, f'{QUESTION} from:"Kyiv Post"'))
    (answer,) = await fake_api.wait_for("answerInlineQuery")
    assert answer.ok, answer.error
    results = answer.params["results"]
    assert [r["title"] for r in results] == ["Flood from the Zelenodar reservoir recedes"]


async def test_an_unknown_outlet_is_answered_with_the_closest_ones(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, f"{QUESTION} from:kyev"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(ADMIN.id))
    shown = _shown(reply)
    assert "from:kyev" in shown and "Kyiv Independent" in shown and "Kyiv Post" in shown
    fake_api.offer(fake_api.inline_query(USER, f"{QUESTION} from:kyev"))
    (answer,) = await fake_api.wait_for("answerInlineQuery")
    (refusal,) = answer.params["results"]
    assert "from:kyev" in refusal["title"] and "Kyiv Post" in refusal["title"]
    assert "Kyiv Independent" in refusal["input_message_content"]["message_text"]


async def test_bad_dates_and_filter_only_questions_get_clear_replies(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, f"{QUESTION} since:2024-13-01"))
    (bad_date,) = await fake_api.wait_for("sendMessage", _to(ADMIN.id))
    assert "since:2024-13-01" in _shown(bad_date) and "YYYY-MM-DD" in _shown(bad_date)
    fake_api.offer(fake_api.private_message(ADMIN, "from:bbc since:2024-01-01"))
    (_, only) = await fake_api.wait_for("sendMessage", _to(ADMIN.id), count=2)
    assert "only filters" in _shown(only)


async def test_help_documents_the_filters(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(fake_api.private_message(USER, "/help"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(USER.id))
    shown = _shown(reply)
    assert "Фільтри" in shown  # USER speaks Ukrainian
    for example in ("from:BBC", "since:2024-06-01", "until:2024-06-30", "lang:uk"):
        assert example in shown
