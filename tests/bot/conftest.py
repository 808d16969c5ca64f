"""Fixtures for the bot tests: a fake Bot API server and the real application polling it.

``fake_api`` is our aiohttp server on 127.0.0.1 (port 0). ``running_bot`` builds the real
``build_application()`` with ``base_url`` pointed at it and runs real long polling, so every
test goes through PTB's own HTTP stack. Tests await recorded calls; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.settings import BotSettings
from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, FakeUser, parse_html
from tests.bot.corpus import write_corpus

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw7"
BOT_USERNAME = "newsdesk_test_bot"
ADMIN = FakeUser(1001, "Admin", "en", "boss")
USER = FakeUser(2002, "Olena", "uk", "olena")
OTHER = FakeUser(3003, "Ivan", "ru")
GROUP_ID = -100_123_456


async def say(api: FakeBotApi, user: object, message: str, replies: int = 1) -> list[str]:
    """Send a private message and return the text of the bot's next ``replies`` messages."""
    after = api.cursor()
    api.offer(api.private_message(user, message))  # type: ignore[arg-type]
    calls = await api.wait_for("sendMessage", after=after, count=replies)
    assert all(call.ok for call in calls), [call.error for call in calls]
    return [parse_html(call.params["text"]) for call in calls]


@pytest.fixture(scope="module")
def module_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One archive over the bot corpus, built once per module (read-only tests share it)."""
    folder = tmp_path_factory.mktemp("bot-archive")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    report = archive.ingest([str(write_corpus(folder / "corpus"))])
    assert report.failed == ()
    yield archive
    archive.close()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server; the admin's private chat is known (as after /start)."""
    server = FakeBotApi(TOKEN, username=BOT_USERNAME)
    await server.start()
    server.add_chat(server.private_chat(ADMIN))
    yield server
    await server.stop()


def make_settings(tmp_path: Path, server: FakeBotApi, **overrides: Any) -> BotSettings:
    """Bot settings pointing at ``server``, with ADMIN as the only admin.

    Answers run in threads (tests wrap the archive object, and spawning worker processes
    costs seconds; ``test_workers`` covers the process pool) and "typing…" is sent at once.
    """
    values: dict[str, Any] = {"answer_pool": "threads", "typing_delay_s": 0.0, **overrides}
    return BotSettings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,  # type: ignore[arg-type]
        admin_ids=[ADMIN.id],
        bot_api_url=server.base_url,
        data_dir=tmp_path / "data",
        **values,
    )


@asynccontextmanager
async def running_bot(
    settings: BotSettings, archive: Archive, server: FakeBotApi
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The real application, long polling ``server`` until the block exits."""
    app = build_application(settings, archive, close_archive=False)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


@pytest.fixture
async def bot(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot over the shared module archive, with inline pages of 3 results."""
    settings = make_settings(tmp_path, fake_api, inline_page_size=3)
    async with running_bot(settings, module_archive, fake_api) as app:
        yield app
