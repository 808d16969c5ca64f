"""The seed question through the whole bot (../shared/data/seed/, skipped when absent)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from index import IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import USER, make_settings, running_bot
from tests.conftest import shared_data

SEED = "seed/up-2024-08-04-zelenskyy-coalition.txt"

pytestmark = pytest.mark.slow


@pytest.fixture
async def seed_bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    path = shared_data(SEED)
    with open_archive(IndexSettings(data_dir=tmp_path / "seed", _env_file=None)) as archive:
        assert archive.ingest([str(path)]).count("new") == 1
        async with running_bot(make_settings(tmp_path, fake_api), archive, fake_api) as app:
            yield app


async def test_stoltenberg_on_14_july_is_answered_with_the_bullet_and_its_citation(
    fake_api: FakeBotApi, seed_bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(USER, "what did Stoltenberg say on 14 July"))
    (reply,) = await fake_api.wait_for("sendMessage")
    shown = parse_html(reply.params["text"])
    note, first_article = shown.split("\n\n")[:2]
    # Issue 14: answered from his statements, the note naming him and the statement's date.
    assert "Jens Stoltenberg (2024-07-14)" in note
    assert "Stoltenberg" in first_article and "14 July" in first_article
    assert "<b>Stoltenberg</b>" in reply.params["text"]
    assert "2024-08-04" in first_article and "Zelenskyy" in first_article
