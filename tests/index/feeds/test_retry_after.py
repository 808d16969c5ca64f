"""Retry-After on a 429 or 503: the source waits as long as its server asked, across restarts.

The feed server on 127.0.0.1 answers with the header; the archive, store and poller are real.
A missing or garbled header falls back to the exponential backoff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from index import open_archive
from index.archive import Archive
from index.cli import main
from index.errors import FetchError, HttpStatusError
from index.feeds.schedule import MAX_RETRY_AFTER_S, requested_wait_s, retry_after_s
from index.settings import IndexSettings
from tests.index.feeds.conftest import FeedServer

RSS = "application/rss+xml"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PAGES = {"/news/bridge.html": "bridge.html", "/news/library.html": "library.html"}
PAGES["/news/ferry.html"] = "ferry.html"


def make_settings(tmp_path: Path) -> IndexSettings:
    return IndexSettings(
        _env_file=None, data_dir=tmp_path / "data", host_delay_s=0.0, fetch_timeout_s=2.0
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(make_settings(tmp_path)) as opened:
        yield opened


def serve_gazette(server: FeedServer) -> None:
    server.serve("/rss2.xml", "rss2.xml", content_type=RSS, etag='"v1"')
    for path, page in PAGES.items():
        server.serve_page(path, page)


def refuse(server: FeedServer, path: str, status: int, retry_after: str | None) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    server.serve(path, status=status, body=b"busy", content_type="text/plain", headers=headers)


def seconds_after(later: datetime | None, earlier: datetime | None) -> float:
    assert later is not None and earlier is not None
    return (later - earlier).total_seconds()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(hours=2), usegmt=True), 7200.0),
        ("Tue, 10 Mar 2026 13:30:00 -0000", 5400.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("99999999999", float(MAX_RETRY_AFTER_S)),
        (format_datetime(NOW + timedelta(days=30), usegmt=True), float(MAX_RETRY_AFTER_S)),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Tue, 99 Foo 2026 25:61:00 GMT", None),
    ],
    ids=[
        "seconds",
        "padded-seconds",
        "zero",
        "http-date",
        "http-date-minus-zero",
        "past-date",
        "huge-seconds-capped",
        "far-date-capped",
        "missing",
        "empty",
        "words",
        "negative",
        "fraction",
        "garbled-date",
    ],
)
def test_retry_after_header_is_read_as_seconds_or_http_date(header, seconds):
    assert retry_after_s(header, NOW) == seconds


def test_only_429_and_503_ask_for_a_wait():
    def error(status: int) -> HttpStatusError:
        return HttpStatusError("x", "u", status=status, retry_after="60")

    assert requested_wait_s(error(429), NOW) == 60.0
    assert requested_wait_s(error(503), NOW) == 60.0
    assert requested_wait_s(error(500), NOW) is None
    assert requested_wait_s(error(404), NOW) is None
    assert requested_wait_s(FetchError("timed out", "u"), NOW) is None


def test_429_with_retry_after_holds_the_source_and_survives_a_restart(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    refuse(feed_server, "/rss2.xml", 429, "3600")
    settings = make_settings(tmp_path)
    with open_archive(settings) as archive:
        archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)
        (poll,) = archive.poll().sources
        assert poll.outcome == "failed"
        assert poll.error is not None and "asked to wait until" in poll.error
        (status,) = archive.list_sources()
        assert status.failing and status.failures == 1
        assert status.last_error.startswith("the server answered HTTP 429; the server asked")
        assert seconds_after(status.next_poll_at, status.last_polled_at) == pytest.approx(3600)
        assert status.retry_after_until == status.next_poll_at
        assert archive.poll().sources == ()  # not due
    serve_gazette(feed_server)  # the server would answer now, but asked us to wait
    with open_archive(settings) as archive:
        (status,) = archive.list_sources()
        assert seconds_after(status.retry_after_until, status.last_polled_at) == pytest.approx(
            3600
        )
        assert archive.poll().sources == ()
        (forced,) = archive.poll(due_only=False).sources
        assert forced.outcome == "deferred"
        assert forced.error is not None and "asked to wait until" in forced.error
        assert forced.next_poll_at == status.next_poll_at
    assert len(feed_server.hits("/rss2.xml")) == 1

    data_dir = str(settings.data_dir)
    capsys.readouterr()
    assert main(["sources", "list", "--json", "--data-dir", data_dir]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["failing"] is True and "asked to wait until" in row["last_error"]
    assert row["retry_after_until"] == row["next_poll_at"]
    assert main(["sources", "list", "--data-dir", data_dir]) == 0
    listing = capsys.readouterr().out
    until = status.retry_after_until
    assert until is not None
    assert f"next poll {until:%Y-%m-%d %H:%M} UTC" in listing
    assert f"asked to wait until {until:%Y-%m-%d %H:%M:%S} UTC" in listing
    assert main(["poll", "--once", "--all", "--data-dir", data_dir]) == 0
    assert "gazette: deferred: the server asked to wait until" in capsys.readouterr().out
    assert len(feed_server.hits("/rss2.xml")) == 1


def test_503_with_an_http_date_on_a_sitemap(archive: Archive, feed_server: FeedServer) -> None:
    until = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    refuse(feed_server, "/sitemap.xml", 503, format_datetime(until, usegmt=True))
    archive.add_source(feed_server.url("/sitemap.xml"), name="bulletin", interval_s=600)

    archive.poll()

    (status,) = archive.list_sources()
    assert status.retry_after_until == until and status.next_poll_at == until
    assert status.last_error is not None and until.strftime("%H:%M:%S UTC") in status.last_error


def test_a_child_sitemaps_retry_after_holds_its_source(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/sitemap.xml", "sitemap-index.xml", content_type="application/xml")
    refuse(feed_server, "/news-sitemap.xml", 429, "7200")
    archive.add_source(feed_server.url("/sitemap.xml"), name="index", interval_s=600)

    (poll,) = archive.poll().sources

    assert poll.outcome == "failed"
    (status,) = archive.list_sources()
    assert seconds_after(status.retry_after_until, status.last_polled_at) == pytest.approx(7200)


@pytest.mark.parametrize(
    ("status_code", "header"),
    [(503, None), (503, "soon"), (429, "Someday, 99 Foo"), (500, "60")],
    ids=["503-missing", "503-garbled", "429-garbled-date", "500-ignores-header"],
)
def test_without_a_readable_retry_after_the_backoff_applies(
    archive: Archive, feed_server: FeedServer, status_code: int, header: str | None
) -> None:
    refuse(feed_server, "/rss2.xml", status_code, header)
    source = archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)

    archive.poll()

    (status,) = archive.list_sources()
    assert status.retry_after_until is None
    assert status.last_error == f"the server answered HTTP {status_code}"
    delay = seconds_after(status.next_poll_at, status.last_polled_at)
    assert delay == pytest.approx(source.interval_s * 2, rel=0.11)


def test_long_retry_after_is_capped_at_a_day(archive: Archive, feed_server: FeedServer) -> None:
    refuse(feed_server, "/rss2.xml", 429, str(30 * 86400))
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)

    archive.poll()

    (status,) = archive.list_sources()
    delay = seconds_after(status.next_poll_at, status.last_polled_at)
    assert delay == pytest.approx(MAX_RETRY_AFTER_S)


def test_source_is_fetched_again_once_the_wait_is_over(
    archive: Archive, feed_server: FeedServer
) -> None:
    refuse(feed_server, "/rss2.xml", 503, "60")
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)
    now = [datetime.now(UTC)]
    archive._feeds().poller._clock = lambda: now[0]  # the poller's clock moves on demand

    archive.poll()
    (status,) = archive.list_sources()
    # a short wait never makes a failing source polled more often than its interval
    assert seconds_after(status.retry_after_until, now[0]) == pytest.approx(60)
    assert seconds_after(status.next_poll_at, now[0]) == pytest.approx(600)

    serve_gazette(feed_server)
    now[0] += timedelta(seconds=59)
    assert [p.outcome for p in archive.poll(due_only=False).sources] == ["deferred"]
    assert len(feed_server.hits("/rss2.xml")) == 1

    now[0] += timedelta(seconds=2)
    report = archive.poll(due_only=False)
    assert [p.outcome for p in report.sources] == ["ok"] and report.count("new") == 3
    (status,) = archive.list_sources()
    assert status.retry_after_until is None and not status.failing
