"""News sources through the bot: admin commands, refusals, and the JobQueue polling job.

The feeds come from the local feed server of tests/index/feeds (127.0.0.1), the updates from
the fake Bot API; the real application runs in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.handlers.sources as sources_module
from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import ADMIN, USER, make_settings, running_bot, say
from tests.index.feeds.conftest import FeedServer, feed_server  # noqa: F401 - fixture

RSS = "application/rss+xml"
PAGES = ("bridge", "library", "ferry")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(
        IndexSettings(_env_file=None, data_dir=tmp_path / "data", host_delay_s=0)
    ) as opened:
        yield opened


def serve_gazette(server: FeedServer) -> str:
    server.serve("/rss2.xml", "rss2.xml", content_type=RSS, etag='"1"')
    for name in PAGES:
        server.serve_page(f"/news/{name}.html", f"{name}.html")
    return server.url("/rss2.xml")


async def test_admin_adds_polls_lists_and_removes_sources(
    fake_api: FakeBotApi,
    archive: Archive,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811 - the imported fixture
) -> None:
    url = serve_gazette(feed_server)
    feed_server.serve("/down.xml", status=500, body=b"", content_type="text/plain")
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):
        (added,) = await say(fake_api, ADMIN, f"/addsource {url} gazette")
        assert added.startswith("Added source gazette: " + url)
        (added,) = await say(fake_api, ADMIN, f"/addsource {feed_server.url('/down.xml')}")
        assert "Added source 127.0.0.1" in added

        started, done = await say(fake_api, ADMIN, "/poll", replies=2)
        assert started == "Polling 2 sources…"
        assert done.startswith("Poll done: 2 sources, 1 failing; articles: 3 new, 0 updated")
        assert "• 127.0.0.1: the server answered HTTP 500" in done

        (listing,) = await say(fake_api, ADMIN, "/sources")
        gazette, down = listing.split("\n\n")[1:]
        assert gazette.startswith(f"gazette (feed) {url}")
        assert "articles: 3" in gazette and "last success: 20" in gazette
        assert "failing" not in gazette
        assert "last success: never" in down
        assert "failing (1×): the server answered HTTP 500" in down

        (removed,) = await say(fake_api, ADMIN, "/removesource gazette")
        assert removed == "Removed source gazette. Its articles stay in the archive."
        (missing,) = await say(fake_api, ADMIN, "/removesource gazette")
        assert "no source with this name" in missing
        (bad,) = await say(fake_api, ADMIN, "/addsource ftp://x.test/feed")
        assert "not an http(s) URL" in bad
        (usage,) = await say(fake_api, ADMIN, "/addsource")
        assert usage.startswith("Usage: /addsource URL")
    assert [s.source.name for s in archive.list_sources()] == ["127.0.0.1"]
    assert len(archive.list_articles()) == 3


@pytest.mark.parametrize(
    "command", ["/sources", "/addsource {url} sneaky", "/removesource gazette", "/poll"]
)
async def test_non_admin_is_refused_every_source_command(
    fake_api: FakeBotApi,
    archive: Archive,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811 - the imported fixture
    command: str,
) -> None:
    url = serve_gazette(feed_server)
    archive.add_source(url, name="gazette")
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):
        (reply,) = await say(fake_api, USER, command.format(url=url))
    assert reply == "Вибачте, ця команда лише для адміністраторів архіву."
    assert [s.source.name for s in archive.list_sources()] == ["gazette"]
    assert feed_server.requests == []  # nothing was polled


async def test_admin_menu_lists_the_source_commands(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    async with running_bot(make_settings(tmp_path, fake_api), archive, fake_api):
        await fake_api.wait_for("setMyCommands", count=2)
    admin_menu = fake_api.commands_for({"type": "chat", "chat_id": ADMIN.id})
    assert {"sources", "addsource", "removesource", "poll"} <= set(admin_menu)
    assert "poll" not in fake_api.commands_for({"type": "default"})


async def test_polling_job_ingests_due_sources_by_itself(
    fake_api: FakeBotApi,
    archive: Archive,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources_module, "FIRST_POLL_DELAY_S", 0.05)
    archive.add_source(serve_gazette(feed_server), name="gazette")
    async with running_bot(make_settings(tmp_path, fake_api), archive, fake_api) as app:
        jobs = app.job_queue
        assert jobs is not None

        def polled_and_rescheduled() -> bool:
            # after polling, the job schedules itself again for the next due source
            polled = archive.list_sources()[0].last_success_at is not None
            return polled and bool(jobs.get_jobs_by_name(sources_module.POLL_JOB_NAME))

        deadline = time.monotonic() + 30
        while not polled_and_rescheduled():
            assert time.monotonic() < deadline, "the polling job never polled"
            await asyncio.sleep(0.05)
        (job,) = jobs.get_jobs_by_name(sources_module.POLL_JOB_NAME)
        assert job.next_t is not None
        # the next source is due in ~15 min: the job wakes within MAX_IDLE_S anyway
        wait_s = (job.next_t - datetime.now(UTC)).total_seconds()
        assert 0 < wait_s <= sources_module.MAX_IDLE_S
    (status,) = archive.list_sources()
    assert status.articles_ingested == 3 and not status.failing
    assert len(feed_server.hits("/rss2.xml")) == 1
