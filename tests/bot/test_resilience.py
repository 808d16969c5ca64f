"""Staying up: the flood guard, the global error handler, and the token kept out of sight."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import ADMIN, OTHER, TOKEN, USER, make_settings, running_bot


async def test_a_burst_of_20_messages_gets_five_answers_and_one_friendly_note(
    fake_api: FakeBotApi, bot: Application
) -> None:
    for i in range(20):
        fake_api.offer(fake_api.private_message(USER, f"Koval gold {i}"))
    replies = await fake_api.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == USER.id, count=6
    )
    texts = [parse_html(call.params["text"]) for call in replies]
    flood = [t for t in texts if "швидше" in t]
    assert len(flood) == 1 and sum("Koval" in t for t in texts) == 5
    # The bot stays up: another user is answered right after the burst.
    fake_api.offer(fake_api.private_message(OTHER, "Koval gold"))
    (other,) = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == OTHER.id)
    assert "Koval" in other.params["text"]
    assert len(fake_api.find("sendMessage", lambda c: c.params["chat_id"] == USER.id)) == 6


class ExplodingArchive:
    """Delegates to the real archive, but one question hits an unexpected bug."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    def __getattr__(self, name: str) -> object:
        return getattr(self._archive, name)

    def ask(self, question: str, **kwargs: object) -> object:
        if "explode" in question:
            raise RuntimeError(f"boom while answering; token would be {TOKEN}")
        return self._archive.ask(question, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def exploding_bot(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = make_settings(tmp_path, fake_api)
    archive = ExplodingArchive(module_archive)
    async with running_bot(settings, archive, fake_api) as app:  # type: ignore[arg-type]
        yield app


async def test_an_unexpected_error_is_logged_and_the_user_told(
    fake_api: FakeBotApi, exploding_bot: Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.offer(fake_api.private_message(USER, "please explode"))
    (apology,) = await fake_api.wait_for("sendMessage")
    assert "щось пішло не так" in apology.params["text"]
    assert "boom" not in apology.params["text"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert errors and errors[0].name == "bot.errors"
    # A failing update never stops the bot.
    fake_api.offer(fake_api.private_message(USER, "Koval gold"))
    (_, answer) = await fake_api.wait_for("sendMessage", count=2)
    assert "Koval" in answer.params["text"]
    # Even a token inside an exception message is redacted in the logs.
    formatter = logging.Formatter()
    for record in caplog.records:
        assert TOKEN not in formatter.format(record)
        assert TOKEN.split(":")[1] not in formatter.format(record)


async def test_the_token_appears_in_no_log_line_and_no_sent_message(
    fake_api: FakeBotApi, bot: Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = TOKEN.split(":")[1]
    logging.getLogger("tests").info("reaching %s", f"{fake_api.base_url}{TOKEN}/getMe")
    for update in (
        fake_api.private_message(ADMIN, "/start"),
        fake_api.private_message(ADMIN, "/help"),
        fake_api.private_message(ADMIN, "/stats"),
        fake_api.private_message(USER, "Koval gold"),
        fake_api.inline_query(USER, "Koval"),
    ):
        fake_api.offer(update)
    await fake_api.wait_for("sendMessage", count=4)
    await fake_api.wait_for("answerInlineQuery")
    formatter = logging.Formatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines and any("[REDACTED]" in line for line in lines)
    assert not [line for line in lines if secret in line]
    assert not [call for call in fake_api.calls if secret in repr(call.params)]
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
