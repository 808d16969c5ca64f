"""The bot cites a story once with "+1 reprint", and Full article lists the story's members.

Through the fake Bot API and PTB's real HTTP stack, over an archive holding a sample article
and a localized reprint of it (``sample.dedup``), ingested one after the other.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from index import Archive, IndexSettings, open_archive
from sample.dedup import original, reprint_pairs
from sample.sources import ARTICLES, BY_KEY
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import OTHER, make_settings, running_bot

KEY = "en-washington"


def _localized() -> dict[str, Any]:
    number = [a.key for a in ARTICLES].index(KEY)
    return next(p for p in reprint_pairs(number, BY_KEY[KEY]) if p["case"] == "localized")["b"]


@pytest.fixture
def story_archive(tmp_path: Path) -> Any:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    for name, record in (("original.jsonl", original(BY_KEY[KEY])), ("local.jsonl", _localized())):
        path = tmp_path / name
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        assert archive.ingest([str(path)]).failed == ()
    yield archive
    archive.close()


@pytest.fixture
async def story_bot(
    fake_api: FakeBotApi, story_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with running_bot(make_settings(tmp_path, fake_api), story_archive, fake_api) as app:
        yield app


async def test_the_answer_shows_the_story_once_with_its_reprint(
    fake_api: FakeBotApi, story_bot: Application
) -> None:
    outlet = _localized()["source"]
    fake_api.offer(fake_api.private_message(OTHER, "What did Zelensky tell Congress?"))
    (answer,) = await fake_api.wait_for("sendMessage")
    html = answer.params["text"]
    shown = parse_html(html)
    assert shown.count(f"+1 reprint: {outlet}") == 1
    assert f"<i>\n+1 reprint: {outlet}</i>" in html
    assert shown.count("Capitol Ledger") == 1 and outlet not in shown.replace(
        f"+1 reprint: {outlet}", ""
    )
    keyboard = answer.params["reply_markup"]["inline_keyboard"]
    full = next(
        b["callback_data"] for row in keyboard for b in row if b["callback_data"][0] == "f"
    )

    fake_api.offer(fake_api.callback_query(OTHER, OTHER.id, answer.result["message_id"], full))
    (_, article) = await fake_api.wait_for("sendMessage", count=2)
    text = parse_html(article.params["text"])
    assert "Та же новость в архиве (сначала оригинал):" in text  # OTHER speaks Russian
    members = text.split("(сначала оригинал):", 1)[1].strip().splitlines()
    assert members[0].startswith("▶ ") and "Capitol Ledger" in members[0]
    assert members[1].startswith("• ") and outlet in members[1]


async def test_a_period_listing_shows_the_story_once(
    fake_api: FakeBotApi, story_bot: Application
) -> None:
    outlet = _localized()["source"]
    fake_api.offer(fake_api.private_message(OTHER, "What happened in December 2022?"))
    (answer,) = await fake_api.wait_for("sendMessage")
    shown = parse_html(answer.params["text"])
    assert "Articles published in December 2022, newest first." in shown
    assert shown.count(f"+1 reprint: {outlet}") == 1
    assert shown.count("Capitol Ledger") == 1
    assert outlet not in shown.replace(f"+1 reprint: {outlet}", "")
