"""Telegram channels as sources, and the /stats chart, through the fake Bot API (issue 13).

The real application long-polls the fake server; channel posts, edits and forwards arrive
as the updates Telegram sends. Updates are handled one at a time here
(``concurrent_updates=1``), so an admin's reply that comes after a channel post proves the
post was handled, with no sleeping.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, FormFile, parse_html
from tests.bot.conftest import ADMIN, USER, make_settings, running_bot, say
from tests.index.feeds.conftest import FeedServer, feed_server  # noqa: F401 - fixture

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KYIV = -100_222_333_444
POST = (
    "Podilskyi bridge opens to traffic.\n"
    "The Podilskyi bridge in Kyiv opened to cars on Monday after eleven years of building, "
    "the city administration said."
)
EDITED = POST.replace("eleven years", "twelve years").replace("said.", "said on Monday.")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(
        IndexSettings(_env_file=None, data_dir=tmp_path / "data", host_delay_s=0)
    ) as opened:
        yield opened


@pytest.fixture
def allowing_archive(tmp_path: Path) -> Iterator[Archive]:
    """An archive whose settings allow @kyivdaily (NEWSDESK_CHANNELS)."""
    settings = IndexSettings(_env_file=None, data_dir=tmp_path / "data", channels="@kyivdaily")
    with open_archive(settings) as opened:
        yield opened


async def test_a_channel_post_and_its_edit_make_one_article_updated_in_place(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, concurrent_updates=1)
    channel = fake_api.channel_chat(KYIV, "Kyiv Daily", "KyivDaily")
    posted = int((datetime.now(UTC) - timedelta(hours=3)).timestamp())
    async with running_bot(settings, archive, fake_api):
        (allowed,) = await say(fake_api, ADMIN, "/addsource https://t.me/kyivdaily")
        assert allowed.startswith("Allowed channel @kyivdaily (https://t.me/kyivdaily)")

        fake_api.offer(fake_api.channel_post(channel, POST, message_id=41, date=posted))
        await say(fake_api, ADMIN, "/sources")  # handled after the post
        (article,) = archive.list_articles()
        assert article.url == "https://t.me/KyivDaily/41"
        assert article.title == "Podilskyi bridge opens to traffic."
        assert article.source == "Kyiv Daily"
        assert article.published_at == datetime.fromtimestamp(posted, UTC)
        assert "eleven years" in archive.get_article(article.article_id).body

        fake_api.offer(
            fake_api.channel_post(channel, EDITED, message_id=41, date=posted, edited=True)
        )
        (listing,) = await say(fake_api, ADMIN, "/sources")
        (updated,) = archive.list_articles()
        assert updated.article_id == article.article_id
        body = archive.get_article(updated.article_id).body
        assert "twelve years" in body and "eleven years" not in body
        assert updated.published_at == article.published_at  # an edit keeps the post's date
        assert "@kyivdaily (telegram) https://t.me/kyivdaily" in listing
        assert "Telegram channel · articles: 1 · last post: 20" in listing
        (nothing,) = await say(fake_api, ADMIN, "/poll")  # a channel is not polled
        assert nothing.startswith("No sources yet")

        # The index heard of the edit: the old passages were replaced, not added to.
        passages = archive.get_passages(updated.article_id)
        assert any("twelve years" in p.text for p in passages)
        stats = archive.stats()
        assert stats.index_passages == stats.passages == len(passages)


async def test_a_caption_under_a_photo_is_the_body(
    fake_api: FakeBotApi, allowing_archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, concurrent_updates=1)
    channel = fake_api.channel_chat(KYIV, "Kyiv Daily", "kyivdaily")
    async with running_bot(settings, allowing_archive, fake_api):
        fake_api.offer(fake_api.channel_post(channel, POST, message_id=7, caption=True))
        await say(fake_api, ADMIN, "/sources")
    (article,) = allowing_archive.list_articles()
    assert article.url == "https://t.me/kyivdaily/7"
    assert allowing_archive.get_article(article.article_id).body == POST


async def test_posts_of_a_channel_nobody_allowed_are_ignored_and_logged_once(
    fake_api: FakeBotApi,
    allowing_archive: Archive,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(tmp_path, fake_api, concurrent_updates=1)
    stranger = fake_api.channel_chat(-100_999_888_777, "Somebody's Channel", "somebody")
    private = fake_api.channel_chat(-100_555_000_111, "Closed Channel")
    caplog.set_level(logging.INFO, logger="bot.handlers.channels")
    async with running_bot(settings, allowing_archive, fake_api):
        for number in (1, 2, 3):
            fake_api.offer(fake_api.channel_post(stranger, f"{POST} #{number}"))
        fake_api.offer(fake_api.channel_post(private, POST))
        await say(fake_api, ADMIN, "/sources")
    assert allowing_archive.list_articles() == []
    ignored = [r.getMessage() for r in caplog.records if "ignored" in r.getMessage()]
    assert len(ignored) == 2, ignored
    assert "-100999888777 (@somebody)" in ignored[0]
    assert "-100555000111 (@-)" in ignored[1]


async def test_a_private_channel_allowed_by_id_gets_t_me_c_links(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, concurrent_updates=1)
    private = fake_api.channel_chat(-100_555_000_111, "Closed Channel")
    async with running_bot(settings, archive, fake_api):
        (allowed,) = await say(fake_api, ADMIN, "/addsource -100555000111")
        assert "https://t.me/c/555000111" in allowed
        fake_api.offer(fake_api.channel_post(private, POST, message_id=12))
        await say(fake_api, ADMIN, "/sources")
    (article,) = archive.list_articles()
    assert article.url == "https://t.me/c/555000111/12"
    assert article.source == "Closed Channel"


async def test_an_admin_forwards_a_channel_post_and_it_is_ingested(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api)
    channel = fake_api.channel_chat(-100_444, "Odesa Evening", "odesa_evening")
    posted = int((datetime.now(UTC) - timedelta(days=2)).timestamp())
    async with running_bot(settings, archive, fake_api):
        after = fake_api.cursor()
        fake_api.offer(fake_api.forwarded_post(ADMIN, channel, POST, message_id=305, date=posted))
        (reply,) = await fake_api.wait_for("sendMessage", after=after)
    assert parse_html(reply.params["text"]).startswith("Ingest done: 1 new")
    (article,) = archive.list_articles()
    assert article.url == "https://t.me/odesa_evening/305"
    assert article.source == "Odesa Evening"
    assert article.published_at == datetime.fromtimestamp(posted, UTC)


async def test_a_forwarded_post_from_a_non_admin_is_refused(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api)
    channel = fake_api.channel_chat(-100_444, "Odesa Evening", "odesa_evening")
    async with running_bot(settings, archive, fake_api):
        after = fake_api.cursor()
        fake_api.offer(
            fake_api.forwarded_post(USER, channel, POST, message_id=305, date=int(time.time()))
        )
        (reply,) = await fake_api.wait_for("sendMessage", after=after)
    assert parse_html(reply.params["text"]) == (
        "Вибачте, пересланий допис каналу до архіву можуть додати лише адміністратори."
    )
    assert archive.list_articles() == []


async def test_an_admins_bare_link_is_ingested_and_a_users_is_a_question(
    fake_api: FakeBotApi,
    archive: Archive,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811 - the imported fixture
) -> None:
    feed_server.serve_page("/news/bridge.html", "bridge.html")
    url = feed_server.url("/news/bridge.html")
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):
        working, report = await say(fake_api, ADMIN, f"  {url} ", replies=2)
        assert working.startswith("Ingesting 1 item")
        assert report.startswith("Ingest done: 1 new")
        (stored,) = archive.list_articles()
        assert stored.url == url
        (answer,) = await say(fake_api, USER, url)
    assert not answer.startswith("Done")
    assert len(feed_server.hits("/news/bridge.html")) == 1  # only the admin's link fetched


async def test_stats_sends_a_png_chart_as_a_photo(
    fake_api: FakeBotApi, allowing_archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, concurrent_updates=1)
    channel = fake_api.channel_chat(KYIV, "Kyiv Daily", "kyivdaily")
    now = datetime.now(UTC)
    async with running_bot(settings, allowing_archive, fake_api):
        for day in range(5):
            date = int((now - timedelta(days=day)).timestamp())
            text = f"Day {day} in Kyiv.\nNews of day {day}: the ferry and the bridge."
            fake_api.offer(fake_api.channel_post(channel, text, message_id=day + 1, date=date))
        after = fake_api.cursor()
        fake_api.offer(fake_api.private_message(ADMIN, "/stats"))
        (photo,) = await fake_api.wait_for("sendPhoto", after=after)
    assert photo.ok, photo.error
    (stats,) = fake_api.find("sendMessage", after=after)
    assert "Articles: 5" in parse_html(stats.params["text"])
    png = photo.params["photo"]
    assert isinstance(png, FormFile)
    assert png.data.startswith(PNG_SIGNATURE) and len(png.data) > 1000
    first = (now - timedelta(days=29)).date().isoformat()
    assert photo.params["caption"] == f"Articles per day by outlet, {first} – {now.date()}"


async def test_stats_on_an_empty_archive_says_so_and_sends_no_chart(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):
        stats, no_chart = await say(fake_api, ADMIN, "/stats", replies=2)
    assert "Articles: 0" in stats
    assert no_chart == "No chart: the archive has no dated articles yet."
    assert fake_api.find("sendPhoto") == []


async def test_help_shows_admins_the_channels_and_chart(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api)
    async with running_bot(settings, archive, fake_api):
        (admin_help,) = await say(fake_api, ADMIN, "/help")
        (user_help,) = await say(fake_api, USER, "/help")
    assert "/addsource @channel allows a channel" in admin_help
    assert "/stats also sends a chart" in admin_help
    assert "/addsource @channel" not in user_help
