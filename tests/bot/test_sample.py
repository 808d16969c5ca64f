"""The bundled sample corpus through the bot: one question per language from our QA set.

Questions and expected answers come from ``index/eval/qa_sample.jsonl``. Answer quality is
the archive's business (``python -m index.eval qa``), so per language the test takes the first
fact question the archive itself answers in its top three snippets and checks that the bot's
reply shows that answer; plus one unanswerable question per language.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, FakeUser, parse_html
from tests.bot.conftest import make_settings, running_bot
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

pytestmark = pytest.mark.slow

QA_FILE = PROJECT_ROOT / "index" / "eval" / "qa_sample.jsonl"
NOTHING_FOUND = {"en": "Nothing found", "uk": "Нічого не знайдено", "ru": "Ничего не найдено"}


def _rows(kind: str) -> list[dict[str, Any]]:
    if not QA_FILE.exists():
        return []
    rows = [json.loads(line) for line in QA_FILE.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["kind"] == kind]


def _pick(kind: str) -> list[dict[str, Any]]:
    picked: dict[str, dict[str, Any]] = {}
    for row in _rows(kind):
        picked.setdefault(row["lang"], row)
    return list(picked.values())


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    folders = [SAMPLE_DIR / name for name in ("html", "dumps", "json")]
    if not all(folder.is_dir() for folder in folders):
        pytest.skip("sample corpus not rendered (python -m sample.build)")
    data_dir = tmp_path_factory.mktemp("sample") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        assert archive.ingest([str(folder) for folder in folders]).failed == ()
        yield archive


@pytest.fixture
async def sample_bot(
    fake_api: FakeBotApi, sample_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with running_bot(make_settings(tmp_path, fake_api), sample_archive, fake_api) as app:
        yield app


def _folded(value: str) -> str:
    return " ".join(value.casefold().split())


def _answered_by_archive(archive: Archive, lang: str) -> dict[str, Any]:
    for row in _rows("fact"):
        if row["lang"] != lang:
            continue
        answer = archive.ask(row["question"])
        snippets = " ".join(s.text for item in answer.articles for s in item.snippets)
        if _folded(row["answer"]) in _folded(snippets):
            return row
    pytest.skip(f"the archive answers no {lang} fact question of the QA set")


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
async def test_sample_question_is_answered_in_the_reply(
    fake_api: FakeBotApi, sample_bot: Application, sample_archive: Archive, lang: str
) -> None:
    row = _answered_by_archive(sample_archive, lang)
    user = FakeUser(5000, "Reader", lang)
    fake_api.offer(fake_api.private_message(user, row["question"]))
    (reply,) = await fake_api.wait_for("sendMessage")
    assert _folded(row["answer"]) in _folded(parse_html(reply.params["text"]))
    assert "<a href=" in reply.params["text"] or "— " in parse_html(reply.params["text"])


@pytest.mark.parametrize("row", _pick("unanswerable"), ids=lambda row: row["id"])
async def test_unanswerable_sample_question_gets_nothing_found(
    fake_api: FakeBotApi, sample_bot: Application, row: dict[str, Any]
) -> None:
    user = FakeUser(5001, "Reader", row["lang"])
    fake_api.offer(fake_api.private_message(user, row["question"]))
    (reply,) = await fake_api.wait_for("sendMessage")
    assert NOTHING_FOUND[row["lang"]] in parse_html(reply.params["text"])
