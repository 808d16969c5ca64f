"""The warm-up in post_init: real asks before the first update, and never a failed start."""

from __future__ import annotations

import gc
import logging
import time
import weakref
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.warmup import (
    GC_THRESHOLDS,
    WARM_UP_QUESTIONS,
    freeze_long_lived,
    warm_up,
    warm_up_questions,
)
from index import Answer, Archive, IndexSettings, NewsdeskError, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import USER, make_settings, running_bot


class RecordingArchive:
    """The real archive; every ``ask`` is recorded with the time it returned."""

    def __init__(self, archive: Archive, fail_on: str | None = None) -> None:
        self._archive = archive
        self._fail_on = fail_on
        self.asked: list[tuple[str, float]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._archive, name)

    def ask(self, question: str, **kwargs: object) -> Answer:
        if self._fail_on is not None and self._fail_on in question:
            raise RuntimeError("an unexpected bug while warming up")
        answer = self._archive.ask(question, **kwargs)  # type: ignore[arg-type]
        self.asked.append((question, time.perf_counter()))
        return answer


async def test_post_init_asks_the_warm_up_questions_before_the_first_update(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    archive = RecordingArchive(module_archive)
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):  # type: ignore[arg-type]
        warmed = [question for question, _ in archive.asked]
        assert warmed == list(WARM_UP_QUESTIONS)  # each once, during post_init
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (reply,) = await fake_api.wait_for("sendMessage")
    assert "Koval" in parse_html(reply.params["text"])
    # All of it finished before the bot fetched its first update.
    (first_poll, *_) = fake_api.find("getUpdates")
    assert all(done <= first_poll.at for _, done in archive.asked[: len(WARM_UP_QUESTIONS)])
    assert [question for question, _ in archive.asked] == [*WARM_UP_QUESTIONS, "Koval gold"]


async def test_post_init_freezes_the_warm_objects_after_the_warm_up(
    fake_api: FakeBotApi,
    module_archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = RecordingArchive(module_archive)
    frozen: list[tuple[int, float]] = []
    monkeypatch.setattr(
        gc, "freeze", lambda: frozen.append((len(archive.asked), time.perf_counter()))
    )
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):  # type: ignore[arg-type]
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        await fake_api.wait_for("sendMessage")
    # Once, after every warm-up question was answered and before the first update.
    assert [asked for asked, _ in frozen] == [len(WARM_UP_QUESTIONS)]
    (first_poll, *_) = fake_api.find("getUpdates")
    assert frozen[0][1] <= first_poll.at


def test_freeze_long_lived_takes_live_objects_out_of_collections() -> None:
    kept = [[] for _ in range(10)]
    thresholds = gc.get_threshold()
    try:
        freeze_long_lived()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_cyclic_garbage_made_after_the_freeze_is_still_collected() -> None:
    """The raised thresholds batch collections; they do not stop them."""
    thresholds = gc.get_threshold()
    try:
        freeze_long_lived()
        gone = []
        for _ in range(3 * GC_THRESHOLDS[0]):
            cycle: list[object] = []
            cycle.append(cycle)
            gone.append(weakref.ref(Marker(cycle)))
            del cycle
        assert sum(ref() is None for ref in gone) >= GC_THRESHOLDS[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


class Marker:
    """A weakly referenceable object held only by a reference cycle."""

    def __init__(self, cycle: list[object]) -> None:
        cycle.append(self)


async def test_a_failing_warm_up_is_logged_and_the_bot_still_answers(
    fake_api: FakeBotApi,
    module_archive: Archive,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.warmup")
    archive = RecordingArchive(module_archive, fail_on=WARM_UP_QUESTIONS[1])
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):  # type: ignore[arg-type]
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (reply,) = await fake_api.wait_for("sendMessage")
    assert "Koval" in parse_html(reply.params["text"])
    failed = [r for r in caplog.records if r.name == "bot.warmup" and r.exc_info]
    assert len(failed) == 1 and "starting cold" in failed[0].getMessage()
    # The warm-up stops at the failure instead of asking the rest.
    assert [question for question, _ in archive.asked][:2] == [WARM_UP_QUESTIONS[0], "Koval gold"]


class UnreadableIndexArchive(Archive):
    """A real archive whose index cannot be read, as after a crash mid-write."""

    def ask(self, question: str, **kwargs: object) -> Answer:
        raise NewsdeskError("the index is missing or damaged; run newsdesk reindex", "index")


def test_warm_up_logs_a_newsdesk_error_and_returns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.warmup")
    with UnreadableIndexArchive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as a:
        assert warm_up(a) >= 0.0
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.warmup"]
    assert any("run newsdesk reindex" in message for message in messages)
    assert not any(r.exc_info for r in caplog.records)


def test_warm_up_on_an_empty_archive_needs_no_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.warmup")
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as archive:
        warm_up(archive)
        assert archive.stats().articles == 0  # a warm-up never writes to the archive
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.warmup"]
    assert len(messages) == 1 and messages[0].startswith("warm-up done in")


@pytest.mark.parametrize(
    ("languages", "asked"),
    [
        (("en", "uk", "ru"), WARM_UP_QUESTIONS),
        (("en",), WARM_UP_QUESTIONS[:1]),
        (("uk",), (WARM_UP_QUESTIONS[1], WARM_UP_QUESTIONS[3])),  # lingua tells uk from ru
        (("ru", "en"), (WARM_UP_QUESTIONS[0], *WARM_UP_QUESTIONS[2:])),
        ((), ()),
    ],
)
def test_warm_up_asks_only_what_the_named_languages_need(
    module_archive: Archive, languages: tuple[str, ...], asked: tuple[str, ...]
) -> None:
    archive = RecordingArchive(module_archive)
    assert warm_up_questions(languages) == asked
    warm_up(archive, languages)  # type: ignore[arg-type]
    assert tuple(question for question, _ in archive.asked) == asked


async def test_the_warm_up_languages_setting_reaches_the_bot_s_warm_up(
    fake_api: FakeBotApi,
    module_archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSDESK_WARM_UP_LANGUAGES", "en, ru")
    settings = make_settings(tmp_path, fake_api)
    assert settings.warm_up_languages == ["en", "ru"]
    archive = RecordingArchive(module_archive)
    async with running_bot(settings, archive, fake_api):  # type: ignore[arg-type]
        assert [question for question, _ in archive.asked] == list(warm_up_questions(("en", "ru")))
    monkeypatch.setenv("NEWSDESK_WARM_UP_LANGUAGES", "")
    assert make_settings(tmp_path, fake_api).warm_up_languages == []
    monkeypatch.setenv("NEWSDESK_WARM_UP_LANGUAGES", "en,de")
    with pytest.raises(ValidationError, match="warm_up_languages"):
        make_settings(tmp_path, fake_api)
