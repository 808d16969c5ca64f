"""The typing indicator: sent when an answer is slow, skipped when the reply is immediate."""

from __future__ import annotations

import threading
from pathlib import Path

from index import Answer, Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import USER, make_settings, running_bot


class SlowArchive:
    """The real archive, but ``ask`` about Koval waits until the test lets it answer."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.release = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self._archive, name)

    def ask(self, question: str, **kwargs: object) -> Answer:
        if "Koval" in question:  # not the start-up warm-up questions
            self.release.wait(timeout=10)
        return self._archive.ask(question, **kwargs)  # type: ignore[arg-type]


async def test_a_slow_answer_shows_typing_before_the_reply(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    archive = SlowArchive(module_archive)
    settings = make_settings(tmp_path, fake_api, typing_delay_s=0.05)
    async with running_bot(settings, archive, fake_api):  # type: ignore[arg-type]
        try:
            fake_api.offer(fake_api.private_message(USER, "Koval gold"))
            (typing,) = await fake_api.wait_for("sendChatAction")
            assert typing.params["action"] == "typing" and fake_api.find("sendMessage") == []
        finally:
            archive.release.set()
        (reply,) = await fake_api.wait_for("sendMessage")
    assert "Koval" in reply.params["text"] and typing.at <= reply.at


async def test_an_immediate_answer_sends_no_typing(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, typing_delay_s=5.0)
    async with running_bot(settings, module_archive, fake_api):
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (reply,) = await fake_api.wait_for("sendMessage")
    assert "Koval" in reply.params["text"]
    assert fake_api.find("sendChatAction") == []
