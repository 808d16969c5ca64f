"""Issue 14 through the fake Bot API: /quotes X [about Y] and inline ``quotes: X``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import ApiCall, FakeBotApi, parse_html
from tests.bot.conftest import ADMIN, GROUP_ID, OTHER, USER, make_settings, running_bot
from tests.index.test_quotes import ARTICLES


@pytest.fixture(scope="module")
def quotes_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("bot-quotes")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    data = "\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES).encode()
    assert archive.ingest_bytes("wire.jsonl", data).count("new") == 3
    yield archive
    archive.close()


@pytest.fixture
async def bot(
    fake_api: FakeBotApi, quotes_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = make_settings(tmp_path, fake_api, inline_page_size=3)
    async with running_bot(settings, quotes_archive, fake_api) as app:
        yield app


def _to(chat_id: int) -> Callable[[ApiCall], bool]:
    return lambda call: call.params.get("chat_id") == chat_id


async def test_group_quotes_shows_the_speakers_statements(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/quotes tusk"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(GROUP_ID))
    assert reply.ok, reply.error
    shown = parse_html(reply.params["text"])
    assert "Donald Tusk" in shown  # the note names the resolved speaker
    assert "Poland would not act alone on missiles" in shown
    assert "Stoltenberg" not in shown


async def test_quotes_about_ranks_by_the_subject(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(
        fake_api.group_message(OTHER, GROUP_ID, "/quotes Столтенберг про енергосистему")
    )
    (reply,) = await fake_api.wait_for("sendMessage", _to(GROUP_ID))
    shown = parse_html(reply.params["text"])
    assert shown.index("енергосистема") < shown.index("Test Wire")


async def test_quotes_without_a_name_explains_usage(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/quotes"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(GROUP_ID))
    assert "/quotes" in reply.params["text"]


async def test_inline_quotes_prefix(fake_api: FakeBotApi, bot: Application) -> None:
    fake_api.offer(fake_api.inline_query(USER, "quotes: Stoltenberg"))
    (answer,) = await fake_api.wait_for("answerInlineQuery")
    assert answer.ok, answer.error
    results = answer.params["results"]
    if isinstance(results, str):
        results = json.loads(results)
    texts = " ".join(r["input_message_content"]["message_text"] for r in results)
    assert len(results) == 2  # two articles; the English one holds two statements
    assert "leave our partners alone" in texts and "Tusk" not in texts


async def test_citation_line_names_the_speaker_and_the_statement_date(
    fake_api: FakeBotApi, bot: Application
) -> None:
    # OTHER writes in Russian: the statement's date in words, "reported in" in Russian.
    fake_api.offer(fake_api.group_message(OTHER, GROUP_ID, "/quotes tusk"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(GROUP_ID))
    shown = parse_html(reply.params["text"])
    assert (
        "— Donald Tusk, 18 июля 2024 · по сообщению: "
        "Allies weigh more air defence for Ukraine · Test Wire · 2024-07-18"
    ) in shown
    assert "<b>Donald Tusk, 18 июля 2024</b>" in reply.params["text"]
    assert '<a href="https://wire.test/en/1">' in reply.params["text"]


async def test_asked_in_english_the_citation_line_reads_reported_in(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, "what did Stoltenberg say on 15 July"))
    (reply,) = await fake_api.wait_for("sendMessage", _to(ADMIN.id))
    shown = parse_html(reply.params["text"])
    assert "— Jens Stoltenberg, 15 July 2024 · reported in: Allies weigh" in shown
    assert "leave our partners alone" not in shown  # said on the 18th, not asked


async def test_inline_quotes_results_carry_speaker_and_date(
    fake_api: FakeBotApi, bot: Application
) -> None:
    fake_api.offer(fake_api.inline_query(USER, "quotes: Stoltenberg"))
    (answer,) = await fake_api.wait_for("answerInlineQuery")
    results = answer.params["results"]
    if isinstance(results, str):
        results = json.loads(results)
    by_id = {r["id"]: r for r in results}
    descriptions = sorted(r["description"] for r in by_id.values())
    # USER writes in Ukrainian; the English article holds statements of two days (newest
    # first, as its snippets).
    assert descriptions[0].startswith("Jens Stoltenberg, 18 липня 2024; 15 липня 2024 · ")
    assert descriptions[1].startswith("Єнс Столтенберг, 19 липня 2024 · ")
    for result in by_id.values():
        message = parse_html(result["input_message_content"]["message_text"])
        assert "· за повідомленням: " in message
