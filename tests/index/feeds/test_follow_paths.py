"""Every ingest path alerts followed topics: feed poll, URL, upload and channel post (issue 12).

A topic is followed first; then an article that answers it is stored through each path of
``Archive`` (the CLI ingest path is covered end to end in ``tests/bot/test_follow.py``), and
exactly that article lands in the outbox for that topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, ChannelPost, open_archive
from tests.index.feeds.conftest import FeedServer
from tests.index.feeds.test_poll import make_settings, serve_gazette

CHAT = 501


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(make_settings(tmp_path)) as opened:
        yield opened


def alerted(archive: Archive, topic_id: int) -> list[str]:
    """Titles of the pending alerts of one topic."""
    return [
        a.answer.citation.title for a in archive.pending_alerts() if a.topic.topic_id == topic_id
    ]


def test_feed_poll_url_upload_and_channel_post_all_alert(
    archive: Archive, feed_server: FeedServer
) -> None:
    bridge = archive.follow(CHAT, "harbour bridge repairs")
    council = archive.follow(CHAT, "tram network council vote")
    market = archive.follow(CHAT, "night market old square")
    lens = archive.follow(CHAT, "lighthouse lens restored")

    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette", outlet="Harbour Gazette")
    assert archive.poll().ok
    assert alerted(archive, bridge.topic_id) == ["Harbour bridge reopens after repairs"]

    feed_server.serve_page("/tram.html", "council.html")
    assert archive.ingest([feed_server.url("/tram.html")]).failed == ()
    assert alerted(archive, council.topic_id) == ["Council votes to expand tram network"]

    upload = feed_server.fixture_bytes("pages/market.html")
    assert archive.ingest_bytes("market.html", upload).failed == ()
    assert alerted(archive, market.topic_id) == ["Night market returns to the old square"]

    post = ChannelPost(
        chat_id=-100_222_333,
        username="harbourdaily",
        title="Harbour Daily",
        message_id=7,
        date=datetime(2024, 8, 6, 9, 0, tzinfo=UTC),
        text=(
            "Maritime museum shows the restored lighthouse lens\n\n"
            "The lighthouse lens, restored over two years, went on show at the maritime "
            "museum on Tuesday."
        ),
    )
    assert archive.ingest_channel_post(post).failed == ()
    (title,) = alerted(archive, lens.topic_id)
    assert "lighthouse lens" in title
