"""PostgreSQL stopped while the bot runs: calls that need the store say "try again".

Questions are answered from the local index and the row cache while the server is down
(``tests/index/test_postgres_replicas.py``). Everything else that must read or write the
store, the "Full article" button and /following here, gets the localized "the archive is
briefly unavailable" text and one log line without a traceback, not the generic apology of
the error handler. The server is really stopped (``Cluster.halt``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.texts import text
from index import open_archive
from index.store import pg
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import USER, make_settings, running_bot
from tests.bot.corpus import write_corpus

pytestmark = pytest.mark.slow

# The writes' backoff while the server is down, shortened from the product's ~6 s
# (``pg.RETRY_DELAYS_S``, which the test would only wait out): still a first try at once and
# retries after growing pauses before the error reaches the handler.
SHORT_RETRY_DELAYS_S = (0.0, 0.05, 0.1)


async def test_a_stopped_server_gets_a_try_again_reply_and_one_log_line(
    postgres_cluster,  # type: ignore[no-untyped-def]
    fake_api: FakeBotApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg, "RETRY_DELAYS_S", SHORT_RETRY_DELAYS_S)
    # A database of its own, created here: stopping the server cuts every connection.
    url = postgres_cluster.create_database()
    settings = make_settings(tmp_path, fake_api, database_url=url)
    archive = open_archive(settings)
    try:
        assert archive.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
        async with running_bot(settings, archive, fake_api):
            after = fake_api.cursor()
            fake_api.offer(fake_api.private_message(USER, "farmers report the wheat harvest"))
            (answer,) = await fake_api.wait_for("sendMessage", after=after)
            keyboard = answer.params["reply_markup"]["inline_keyboard"]
            full = next(
                b["callback_data"]
                for row in keyboard
                for b in row
                if b["callback_data"][:2] == "f:"
            )
            postgres_cluster.halt()
            try:
                # The article's rows left this process's cache (as they do after a while).
                assert archive.store.cache is not None
                archive.store.cache.clear()
                caplog.clear()
                after = fake_api.cursor()
                fake_api.offer(
                    fake_api.callback_query(USER, USER.id, answer.result["message_id"], full)
                )
                (pressed,) = await fake_api.wait_for("answerCallbackQuery", after=after)
                assert pressed.params["text"] == text("store_unavailable", "uk")
                after = fake_api.cursor()
                fake_api.offer(fake_api.private_message(USER, "/following"))
                (reply,) = await fake_api.wait_for("sendMessage", after=after, timeout=30)
                assert parse_html(reply.params["text"]) == text("store_unavailable", "uk")
            finally:
                postgres_cluster.resume()
        told = [r for r in caplog.records if r.name == "bot.errors"]
        assert [r.levelno for r in told] == [logging.WARNING, logging.WARNING]
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in told)
        assert all("cannot be reached" in r.getMessage() for r in told)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        archive.close()
        postgres_cluster.drop_database(url)
