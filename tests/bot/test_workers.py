"""Answer worker processes: they see the bot's admin changes, survive crashes, leave no orphans.

The bot runs with ``answer_pool="processes"``: questions are answered by worker processes
that open their own archive on the data dir, while uploads and deletes run in the bot's
process. Each test starts real workers, so all are marked slow. They start from a fork
server and warm up for English only (``tests/bot/worker_calls.py`` says why and what it saves);
the orphan test keeps the production default, spawn.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver as forkserver
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import psutil
import pytest
from pydantic import ValidationError

from bot.settings import BotSettings
from bot.texts import text
from bot.workers import (
    AnswerTimeoutError,
    ProcessWorkers,
    ThreadWorkers,
    WorkerCrashedError,
    WorkerStartError,
)
from index import Answer, Archive, IndexSettings, NewsdeskError, open_archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import ADMIN, TOKEN, USER, make_settings, running_bot
from tests.bot.corpus import UPLOAD_JSONL, write_corpus
from tests.bot.test_admin import to
from tests.bot.worker_calls import (
    ENGLISH,
    FORKSERVER,
    die_in_worker,
    own_workers,
    refuse_in_worker,
    sleep_in_worker,
)

pytestmark = pytest.mark.slow

GONE_TIMEOUT_S = 15.0
LIGHTHOUSE_URL = "https://news.example.org/lighthouse"  # the citation link of an uploaded article


@pytest.fixture(scope="module")
def pool_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An archive these tests may change (uploads, deletes)."""
    folder = tmp_path_factory.mktemp("pool-archive")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    assert archive.ingest([str(write_corpus(folder / "corpus"))]).failed == ()
    yield archive
    archive.close()


@pytest.fixture(scope="module", autouse=True)
def _stop_the_fork_server() -> Iterator[None]:
    """Stop this process's fork server once these tests are done: it would outlive them as a
    child of the test process, which other tests (that no worker is left) would count."""
    yield
    forkserver._forkserver._stop()  # the method CPython's own tests stop it with


# -- helpers ----------------------------------------------------------------------------------


def _alive(pids: Iterable[int]) -> list[int]:
    """The pids still running (a zombie waiting for its reaper counts as gone)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


async def _wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + GONE_TIMEOUT_S
    while _alive(pids) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return _alive(pids)


async def _wait_until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.01)
    assert condition(), "condition not reached in time"  # type: ignore[operator]


# -- tests ------------------------------------------------------------------------------------


async def test_a_worker_answers_with_what_the_admin_just_uploaded_and_forgets_deletes(
    fake_api: FakeBotApi, pool_archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path,
        fake_api,
        answer_pool="processes",
        answer_workers=1,
        upload_max_bytes=4096,
        warm_up_languages=ENGLISH,
        answer_start_method=FORKSERVER,
    )
    settings = settings.model_copy(update={"data_dir": pool_archive.settings.data_dir})
    async with running_bot(settings, pool_archive, fake_api) as app:
        workers = app.bot_data.answers
        assert isinstance(workers, ProcessWorkers)
        (pid,) = workers.pids()
        assert pid != os.getpid()
        # The worker has loaded the index before the upload: it must notice the new delta.
        fake_api.offer(fake_api.private_message(USER, "old lighthouse in Berdiansk"))
        (before,) = await fake_api.wait_for("sendMessage", to(USER))
        assert LIGHTHOUSE_URL not in before.params["text"]

        fake_api.offer(fake_api.document_message(ADMIN, "more.jsonl", UPLOAD_JSONL.encode()))
        (summary,) = await fake_api.wait_for("sendMessage", to(ADMIN))
        assert "2 new" in summary.params["text"]
        cursor = fake_api.cursor()
        fake_api.offer(fake_api.private_message(USER, "old lighthouse in Berdiansk"))
        (after,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor)
        assert LIGHTHOUSE_URL in after.params["text"] and "Coast News" in after.params["text"]

        (article,) = [a for a in pool_archive.list_articles(limit=50) if "lighthouse" in a.title]
        cursor = fake_api.cursor()
        fake_api.offer(fake_api.private_message(ADMIN, f"/delete {article.article_id}"))
        await fake_api.wait_for("sendMessage", to(ADMIN), after=cursor)
        cursor = fake_api.cursor()
        fake_api.offer(fake_api.private_message(USER, "old lighthouse in Berdiansk"))
        (gone,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor)
        assert LIGHTHOUSE_URL not in gone.params["text"]
        assert workers.pids() == [pid]  # the same worker answered all three: no restart
    # Shutting the bot down stops its workers.
    assert await _wait_gone([pid]) == []


def _one_worker(tmp_path: Path, fake_api: FakeBotApi, archive: Archive) -> BotSettings:
    """Bot settings with a single answer worker process on ``archive``'s data dir."""
    settings = make_settings(
        tmp_path,
        fake_api,
        answer_pool="processes",
        answer_workers=1,
        warm_up_languages=ENGLISH,
        answer_start_method=FORKSERVER,
    )
    return settings.model_copy(update={"data_dir": archive.settings.data_dir})


@pytest.mark.parametrize("kind", ["private", "inline"])
async def test_a_worker_crash_mid_question_gets_a_reply_and_a_fresh_worker(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path, kind: str
) -> None:
    settings = _one_worker(tmp_path, fake_api, module_archive)
    async with running_bot(settings, module_archive, fake_api) as app:
        workers = app.bot_data.answers
        assert isinstance(workers, ProcessWorkers)
        (old_pid,) = workers.pids()
        # Freeze the worker, let the bot hand it the user's question, then kill it mid-way.
        os.kill(old_pid, signal.SIGSTOP)
        if kind == "private":
            fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        else:
            fake_api.offer(fake_api.inline_query(USER, "Koval gold"))
        await _wait_until(lambda: workers.pending() == 1)
        os.kill(old_pid, signal.SIGKILL)

        if kind == "private":
            (apology,) = await fake_api.wait_for("sendMessage", to(USER), timeout=20)
            assert apology.params["text"] == text("worker_crashed", "uk")
        else:
            (inline,) = await fake_api.wait_for("answerInlineQuery", timeout=20)
            (result,) = inline.params["results"]
            assert result["title"] == text("worker_crashed", "uk")
            assert inline.params.get("cache_time") == 0
        assert workers.restarts == 1

        # A fresh worker answers the next question; the bot never stopped.
        cursor = fake_api.cursor()
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (answer,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor, timeout=60)
        assert "Koval" in answer.params["text"]
        (new_pid,) = workers.pids()
        assert new_pid != old_pid
    assert await _wait_gone([old_pid, new_pid]) == []


async def test_questions_queued_behind_a_crashed_worker_go_to_its_replacement(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    settings = _one_worker(tmp_path, fake_api, module_archive)
    async with running_bot(settings, module_archive, fake_api) as app:
        workers = app.bot_data.answers
        assert isinstance(workers, ProcessWorkers)
        (old_pid,) = workers.pids()
        # Hold the only worker busy, queue a user's question behind it, then kill the worker.
        marker = tmp_path / "busy"
        busy = asyncio.ensure_future(workers.call(sleep_in_worker, str(marker), 30.0))
        await _wait_until(marker.exists)
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        await _wait_until(lambda: workers.pending() >= 2)
        os.kill(old_pid, signal.SIGKILL)

        with pytest.raises(WorkerCrashedError):
            await busy  # the call the worker was running is lost, and says so
        (answer,) = await fake_api.wait_for("sendMessage", to(USER), timeout=60)
        assert "Koval" in answer.params["text"]  # the queued question is not
        assert workers.restarts == 1 and workers.pids() != [old_pid]


async def test_a_pool_passes_errors_back_and_replaces_dead_workers(
    module_archive: Archive,
) -> None:
    workers = ProcessWorkers(
        module_archive.settings, 1, warm_up_languages=ENGLISH, start_method=FORKSERVER
    )
    try:
        await workers.start()
        # Errors cross the process boundary as values: the archive's refusal keeps its words.
        with pytest.raises(NewsdeskError) as refused:
            await workers.call(refuse_in_worker)
        assert (refused.value.reason, refused.value.item) == ("the question is empty", "question")
        # A worker dying mid-call fails that call only; a fresh worker takes the next one.
        with pytest.raises(WorkerCrashedError):
            await workers.call(die_in_worker)
        examples = await workers.example_questions(2)
        assert examples and all(isinstance(example, str) for example in examples)
        assert workers.restarts == 1
        # A worker killed between questions is noticed and reaped at once, and replaced
        # before the next question, which is not lost.
        (old_pid,) = workers.pids()
        os.kill(old_pid, signal.SIGKILL)
        await _wait_until(lambda: workers.restarts == 2)
        assert _alive([old_pid]) == []
        answer = await workers.ask("Koval gold", k=3)
        snippets = [snippet.text for item in answer.articles for snippet in item.snippets]
        assert answer.found and any("Koval" in snippet for snippet in snippets)
        pids = workers.pids()
        assert len(pids) == 1 and old_pid not in pids
    finally:
        workers.close()
    assert _alive(pids) == []


async def test_workers_exit_when_the_bot_process_is_killed(module_archive: Archive) -> None:
    context = multiprocessing.get_context("spawn")
    report: multiprocessing.Queue[list[int]] = context.Queue()
    owner = context.Process(target=own_workers, args=(module_archive.settings, report))
    owner.start()
    try:
        pids = await asyncio.to_thread(report.get, True, 120)
        assert len(pids) == 2 and not set(pids) & {os.getpid(), owner.pid}
        children = [child.pid for child in psutil.Process(owner.pid).children(recursive=True)]
        assert set(pids) <= set(children)
        owner.kill()  # SIGKILL: no shutdown code runs in the bot process
        await asyncio.to_thread(owner.join, 10)
        assert await _wait_gone(children) == []
    finally:
        if owner.is_alive():
            owner.kill()
            owner.join(10)


async def test_workers_that_cannot_open_the_archive_stop_the_start_with_a_clear_error(
    tmp_path: Path,
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("not an archive")
    settings = IndexSettings(data_dir=not_a_dir, _env_file=None)
    workers = ProcessWorkers(settings, 1, warm_up_languages=ENGLISH, start_method=FORKSERVER)
    try:
        with pytest.raises(WorkerStartError, match="died while opening the archive"):
            await workers.start()
        with pytest.raises(RuntimeError, match="not running"):
            await workers.ask("anything", k=3)
        assert workers.pids() == []
    finally:
        workers.close()


# -- answers that take too long --------------------------------------------------------------

HANG_TIMEOUT_S = 2.0  # far above a real answer here (ms), short enough to wait for in a test


async def test_a_hung_call_times_out_and_its_worker_is_replaced_without_losing_the_queue(
    module_archive: Archive, tmp_path: Path
) -> None:
    workers = ProcessWorkers(
        module_archive.settings,
        1,
        timeout_s=HANG_TIMEOUT_S,
        warm_up_languages=ENGLISH,
        start_method=FORKSERVER,
    )
    try:
        await workers.start()
        (old_pid,) = workers.pids()
        marker = tmp_path / "hung"
        started = time.monotonic()
        hung = asyncio.ensure_future(workers.call(sleep_in_worker, str(marker), 120.0))
        await _wait_until(marker.exists)
        queued = asyncio.ensure_future(workers.ask("Koval gold", k=3))  # waits behind it
        with pytest.raises(AnswerTimeoutError):
            await hung
        assert time.monotonic() - started < HANG_TIMEOUT_S + 5  # not the 120 s sleep
        assert await _wait_gone([old_pid]) == []  # killed, not left running
        answer = await asyncio.wait_for(queued, 60)  # answered by the replacement
        assert answer.found and "Koval" in answer.articles[0].snippets[0].text
        assert workers.restarts == 1
        (new_pid,) = workers.pids()
        assert new_pid != old_pid
        # The replacement runs under the same timeout and answers the next question at once.
        assert (await workers.ask("Koval gold", k=3)).found
        assert workers.restarts == 1
    finally:
        workers.close()
    assert _alive([new_pid]) == []


@pytest.mark.parametrize("kind", ["private", "inline", "more"])
async def test_a_hung_worker_gets_the_user_a_timeout_reply_and_a_fresh_worker(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path, kind: str
) -> None:
    settings = _one_worker(tmp_path, fake_api, module_archive)
    settings = settings.model_copy(update={"answer_timeout_s": HANG_TIMEOUT_S})
    async with running_bot(settings, module_archive, fake_api) as app:
        workers = app.bot_data.answers
        assert isinstance(workers, ProcessWorkers)
        (old_pid,) = workers.pids()
        if kind == "more":  # an answer with a More button, pressed once the worker hangs
            fake_api.offer(fake_api.private_message(USER, "farmers report the wheat harvest"))
            (first,) = await fake_api.wait_for("sendMessage", to(USER), timeout=20)
            keyboard = first.params["reply_markup"]["inline_keyboard"]
            more = next(
                b["callback_data"]
                for row in keyboard
                for b in row
                if b.get("callback_data", "").startswith("m:")
            )
        cursor = fake_api.cursor()
        # A stopped worker never answers: the question hangs until the timeout kills it.
        os.kill(old_pid, signal.SIGSTOP)
        if kind == "private":
            fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        elif kind == "inline":
            fake_api.offer(fake_api.inline_query(USER, "Koval gold"))
        else:
            message_id = first.result["message_id"]
            fake_api.offer(fake_api.callback_query(USER, USER.id, message_id, more))

        if kind == "inline":
            (inline,) = await fake_api.wait_for("answerInlineQuery", after=cursor, timeout=20)
            (result,) = inline.params["results"]
            assert result["title"] == text("answer_timeout", "uk")
            assert inline.params.get("cache_time") == 0
        else:
            (reply,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor, timeout=20)
            assert reply.params["text"] == text("answer_timeout", "uk")
        assert await _wait_gone([old_pid]) == []
        await _wait_until(lambda: workers.restarts == 1)

        # A fresh worker answers the next question; the bot never stopped.
        cursor = fake_api.cursor()
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (answer,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor, timeout=60)
        assert "Koval" in answer.params["text"]
        (new_pid,) = workers.pids()
        assert new_pid != old_pid
    assert await _wait_gone([new_pid]) == []


class HangingArchive:
    """The real archive, but ``ask`` about Koval hangs until the test lets it go."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.release = threading.Event()
        self.finished = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self._archive, name)

    def ask(self, question: str, **kwargs: object) -> Answer:
        if "Koval" in question:  # not the start-up warm-up questions
            self.release.wait(timeout=30)
            self.finished.set()
        return self._archive.ask(question, **kwargs)  # type: ignore[arg-type]


async def test_a_hung_thread_gets_the_same_reply_and_a_warning_and_the_bot_goes_on(
    fake_api: FakeBotApi,
    module_archive: Archive,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.workers")
    archive = HangingArchive(module_archive)
    settings = make_settings(tmp_path, fake_api, answer_timeout_s=0.3)
    async with running_bot(settings, archive, fake_api) as app:  # type: ignore[arg-type]
        assert isinstance(app.bot_data.answers, ThreadWorkers)
        try:
            fake_api.offer(fake_api.private_message(USER, "Koval gold"))
            (reply,) = await fake_api.wait_for("sendMessage", to(USER), timeout=10)
            assert reply.params["text"] == text("answer_timeout", "uk")
            assert not archive.finished.is_set()  # replied while the thread still hangs
            warnings = [r.getMessage() for r in caplog.records if r.name == "bot.workers"]
            assert any("did not finish in 0.3 s" in w for w in warnings), warnings
            assert all(TOKEN not in record.getMessage() for record in caplog.records)
            # Other questions are answered meanwhile.
            cursor = fake_api.cursor()
            fake_api.offer(fake_api.private_message(USER, "farmers report the wheat harvest"))
            (answer,) = await fake_api.wait_for("sendMessage", to(USER), after=cursor)
            assert answer.params["text"] != text("answer_timeout", "uk")
            assert "harvest" in answer.params["text"].lower()
        finally:
            archive.release.set()  # the thread finishes in the background, unheard
        await asyncio.to_thread(archive.finished.wait, 10)
    assert len(fake_api.find("sendMessage", to(USER))) == 2


async def test_thread_workers_time_out_only_slow_calls(module_archive: Archive) -> None:
    archive = HangingArchive(module_archive)
    # A timeout the later (warm) question meets even on a loaded test machine: a cold first
    # ask there took over 0.2 s.
    workers = ThreadWorkers(archive, timeout_s=1.0)  # type: ignore[arg-type]
    try:
        assert (await workers.ask("farmers report the wheat harvest", k=3)).found  # warm
        with pytest.raises(AnswerTimeoutError) as timed_out:
            await workers.ask("Koval gold", k=3)
        assert isinstance(timed_out.value, WorkerCrashedError)  # the crash handlers catch it
        assert (await workers.ask("farmers report the wheat harvest", k=3)).found
    finally:
        archive.release.set()
    await asyncio.to_thread(archive.finished.wait, 10)


class ThreadRecordingArchive:
    """The real archive, noting the name of the thread each ``ask`` runs in."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.threads: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._archive, name)

    def ask(self, question: str, **kwargs: object) -> Answer:
        self.threads.append(threading.current_thread().name)
        return self._archive.ask(question, **kwargs)  # type: ignore[arg-type]


async def test_thread_workers_answer_in_their_own_threads_in_arrival_order(
    module_archive: Archive,
) -> None:
    archive = ThreadRecordingArchive(module_archive)
    workers = ThreadWorkers(archive, threads=1)  # type: ignore[arg-type]
    try:
        questions = ["farmers report the wheat harvest", "Koval gold", "wheat harvest"]
        answers = await asyncio.gather(*(workers.ask(q, k=3) for q in questions))
        assert [answer.question for answer in answers] == questions
        # One pool thread of their own, not the loop's default pool (which the bot's other
        # thread calls use), so a question never waits behind them nor they behind it.
        assert len(set(archive.threads)) == 1
        assert archive.threads[0].startswith("newsdesk-answers")
    finally:
        workers.close()


async def test_one_answer_thread_that_hangs_leaves_a_fresh_one_for_the_next_questions(
    module_archive: Archive,
) -> None:
    archive = HangingArchive(module_archive)
    # A timeout the later (warm) question meets even on a loaded test machine.
    workers = ThreadWorkers(archive, timeout_s=1.0, threads=1)  # type: ignore[arg-type]
    try:
        assert (await workers.ask("farmers report the wheat harvest", k=3)).found  # warm
        with pytest.raises(AnswerTimeoutError):
            await workers.ask("Koval gold", k=3)
        # The only thread is still stuck in the hung question: the next one gets a new pool.
        assert not archive.finished.is_set()
        assert (await workers.ask("farmers report the wheat harvest", k=3)).found
    finally:
        archive.release.set()
        workers.close()
    await asyncio.to_thread(archive.finished.wait, 10)


def test_the_answer_timeout_setting_defaults_reads_the_environment_and_must_be_positive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def settings(**values: object) -> BotSettings:
        return BotSettings(_env_file=None, bot_token=TOKEN, **values)  # type: ignore[call-arg, arg-type]

    assert settings().answer_timeout_s == 30.0
    monkeypatch.setenv("NEWSDESK_ANSWER_TIMEOUT_S", "2.5")
    assert settings().answer_timeout_s == 2.5
    for bad in (0, -1, "soon"):
        with pytest.raises(ValidationError, match="answer_timeout_s") as error:
            settings(answer_timeout_s=bad)
        assert TOKEN not in str(error.value)
