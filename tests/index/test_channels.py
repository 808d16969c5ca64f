"""Telegram channels as sources in the index: references, posts as articles, the allow-list,
and the per-day/outlet counts behind the stats chart (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from index import Archive, ChannelPost, IndexSettings, SettingsError, load_settings, open_archive
from index.channels import is_channel_ref, parse_channel_ref, post_article, post_title
from index.charts import OTHER, render_daily_chart, stacked_series
from index.errors import SourceError

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def post(text: str, message_id: int = 1, *, username: str | None = "kyivdaily", **kw: object):
    values: dict[object, object] = {
        "chat_id": -100_222_333,
        "username": username,
        "title": "Kyiv Daily",
        "message_id": message_id,
        "date": NOW,
        "text": text,
        **kw,
    }
    return ChannelPost(**values)  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(IndexSettings(_env_file=None, data_dir=tmp_path / "data")) as opened:
        yield opened


@pytest.mark.parametrize(
    ("written", "name", "url"),
    [
        ("@KyivDaily", "@kyivdaily", "https://t.me/kyivdaily"),
        ("https://t.me/kyivdaily", "@kyivdaily", "https://t.me/kyivdaily"),
        ("t.me/s/kyivdaily/", "@kyivdaily", "https://t.me/kyivdaily"),
        ("-1001234567890", "-1001234567890", "https://t.me/c/1234567890"),
        ("https://t.me/c/1234567890", "-1001234567890", "https://t.me/c/1234567890"),
    ],
)
def test_channel_references(written: str, name: str, url: str) -> None:
    assert is_channel_ref(written)
    ref = parse_channel_ref(written)
    assert (ref.name, ref.url) == (name, url)


@pytest.mark.parametrize("written", ["https://example.org/rss", "@ab", "kyivdaily", "-42"])
def test_what_is_not_a_channel(written: str) -> None:
    assert not is_channel_ref(written)
    with pytest.raises(SourceError):
        parse_channel_ref(written)


def test_a_bad_channels_setting_is_one_line_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"NEWSDESK_CHANNELS.*'kyiv daily'"):
        load_settings(IndexSettings, _env_file=None, channels="@ok_channel, kyiv daily")


def test_a_post_becomes_an_article() -> None:
    article = post_article(post("  Bridge opens.\n\nThe bridge opened on Monday.  ", 41))
    assert article.url == "https://t.me/kyivdaily/41"
    assert article.title == "Bridge opens."
    assert article.body == "Bridge opens.\n\nThe bridge opened on Monday."
    assert article.source == "Kyiv Daily"
    assert article.published_at == NOW
    private = post_article(post("Text", 5, username=None, chat_id=-1009876543))
    assert private.url == "https://t.me/c/9876543/5"
    with pytest.raises(SourceError, match="no text"):
        post_article(post("   "))


def test_a_long_first_line_is_cut_at_a_sentence_then_at_a_word() -> None:
    sentence = "The city council met today. " + "It then talked about many other things " * 5
    assert post_title(sentence) == "The city council met today."
    words = "word " * 60
    title = post_title(words)
    assert title.endswith("…") and len(title) <= 121 and " wor…" not in title


def test_allowed_channels_are_sources_that_are_never_polled(archive: Archive) -> None:
    source = archive.add_source("https://t.me/KyivDaily")
    assert (source.name, source.url, source.interval_s) == (
        "@kyivdaily",
        "https://t.me/kyivdaily",
        0,
    )
    with pytest.raises(SourceError, match="already registered"):
        archive.add_source("@kyivdaily")
    assert archive.channel_source(-100_1, "KYIVDAILY") == source
    assert archive.channel_source(-100_1, "other") is None
    (status,) = archive.list_sources()
    assert status.kind == "telegram"
    report = archive.poll(due_only=False)
    assert report.sources == ()  # nothing fetched from t.me
    assert archive.remove_source("@kyivdaily").source_id == source.source_id
    assert archive.channel_source(-100_1, "kyivdaily") is None


def test_channels_setting_preseeds_the_allow_list(tmp_path: Path) -> None:
    settings = IndexSettings(
        _env_file=None, data_dir=tmp_path / "data", channels="@kyivdaily, -1005550001"
    )
    with open_archive(settings) as archive:
        assert archive.channel_source(-100_9, "kyivdaily") is not None
        assert archive.channel_source(-1005550001, None) is not None
        assert [s.source.name for s in archive.list_sources()] == ["@kyivdaily", "-1005550001"]


def test_a_post_and_its_edit_are_one_article_and_the_source_counts_it(archive: Archive) -> None:
    archive.add_source("@kyivdaily")
    first = archive.ingest_channel_post(post("Bridge opens.\nAfter eleven years.", 41))
    edit = archive.ingest_channel_post(post("Bridge opens.\nAfter twelve years.", 41))
    assert [i.outcome for i in (*first.items, *edit.items)] == ["new", "updated"]
    (article,) = archive.list_articles()
    assert "twelve" in archive.get_article(article.article_id).body
    (status,) = archive.list_sources()
    assert status.articles_ingested == 1
    assert status.source.outlet == "Kyiv Daily"  # learned from the channel's title


def _store(archive: Archive, outlet: str, day: date, n: int = 1) -> None:
    for i in range(n):
        archive.ingest_channel_post(
            post(
                f"{outlet} news {day} {i}.\nBody {i} of {outlet} on {day}.",
                message_id=hash((outlet, day, i)) % 10**6,
                username=outlet.lower().replace(" ", "_") + "_chan",
                title=outlet,
                date=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
            )
        )


def test_daily_counts_end_at_the_newest_article_and_stack_by_outlet(archive: Archive) -> None:
    assert archive.daily_counts(today=NOW.date()).total == 0
    last = date(2026, 2, 20)
    _store(archive, "Alpha", last, 3)
    _store(archive, "Beta", last - timedelta(days=5))
    _store(archive, "Alpha", last - timedelta(days=29))
    _store(archive, "Gamma", last - timedelta(days=30))  # one day too old
    _store(archive, "Future", NOW.date() + timedelta(days=3))  # after today: left out
    counts = archive.daily_counts(today=NOW.date())
    assert counts.days[0] == last - timedelta(days=29) and counts.days[-1] == last
    assert len(counts.days) == 30
    outlets = dict(counts.outlets)
    assert list(outlets) == ["Alpha", "Beta"]
    assert outlets["Alpha"][-1] == 3 and outlets["Alpha"][0] == 1 and sum(outlets["Alpha"]) == 4
    assert outlets["Beta"][-6] == 1
    assert counts.total == 5


def test_the_chart_stacks_the_top_outlets_and_other(archive: Archive) -> None:
    day = date(2026, 3, 1)
    for number in range(5):
        _store(archive, f"Outlet {number}", day - timedelta(days=number), 5 - number)
    counts = archive.daily_counts(today=NOW.date())
    bands = stacked_series(counts, top=3)
    assert [name for name, _ in bands] == ["Outlet 0", "Outlet 1", "Outlet 2", f"{OTHER} (2)"]
    assert sum(bands[-1][1]) == 2 + 1
    png = render_daily_chart(counts, top=3)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    with pytest.raises(ValueError, match="no dated articles"):
        render_daily_chart(type(counts)((), ()))
