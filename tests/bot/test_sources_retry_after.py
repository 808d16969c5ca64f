"""The bot's /sources and /poll show a source waiting for the time its server asked for."""

from __future__ import annotations

from pathlib import Path

from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import ADMIN, make_settings, running_bot
from tests.bot.test_sources import archive, say  # noqa: F401 - fixture
from tests.index.feeds.conftest import FeedServer, feed_server  # noqa: F401 - fixture


async def test_sources_and_poll_show_the_servers_requested_wait(
    fake_api: FakeBotApi,
    archive: Archive,  # noqa: F811 - the imported fixture
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811 - the imported fixture
) -> None:
    feed_server.serve(
        "/rss2.xml",
        status=429,
        body=b"slow down",
        content_type="text/plain",
        headers={"Retry-After": "7200"},
    )
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)
    archive.poll()
    (status,) = archive.list_sources()
    until = status.retry_after_until
    assert until is not None
    async with running_bot(make_settings(tmp_path, fake_api), archive, fake_api):
        (listing,) = await say(fake_api, ADMIN, "/sources")
        assert f"next poll: {until:%Y-%m-%d %H:%M} UTC" in listing
        assert "failing (1×): the server answered HTTP 429; the server asked to wait until" in (
            listing
        )
        assert f"{until:%Y-%m-%d %H:%M:%S} UTC" in listing

        _, done = await say(fake_api, ADMIN, "/poll", replies=2)
        assert f"• gazette: the server asked to wait until {until:%Y-%m-%d %H:%M:%S} UTC" in done
    assert len(feed_server.hits("/rss2.xml")) == 1  # /poll did not fetch it
