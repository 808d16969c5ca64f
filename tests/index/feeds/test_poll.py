"""Polling end to end: a local feed server, the real archive, fetch, extraction and store."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import open_archive
from index.archive import Archive
from index.errors import NotFoundError, SourceError
from index.feeds.poller import MAX_ENTRY_ATTEMPTS
from index.settings import IndexSettings
from tests.index.feeds.conftest import FeedServer

GAZETTE_PAGES = {
    "/news/bridge.html": "bridge.html",
    "/news/library.html": "library.html",
    "/news/ferry.html": "ferry.html",
}
RSS = "application/rss+xml"


def make_settings(tmp_path: Path, **overrides: object) -> IndexSettings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "host_delay_s": 0.0,
        "fetch_timeout_s": 2.0,
    }
    values.update(overrides)
    return IndexSettings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(make_settings(tmp_path)) as opened:
        yield opened


def serve_gazette(server: FeedServer, feed: str = "rss2.xml", etag: str = '"v1"') -> None:
    server.serve("/rss2.xml", feed, content_type=RSS, etag=etag)
    for path, page in GAZETTE_PAGES.items():
        server.serve_page(path, page)


def by_url(archive: Archive) -> dict[str, int]:
    return {a.url: a.article_id for a in archive.list_articles(limit=100) if a.url}


def test_first_poll_ingests_every_entry_with_feed_metadata(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette", outlet="Harbour Gazette")

    report = archive.poll()

    (poll,) = report.sources
    assert (poll.name, poll.outcome, poll.entries) == ("gazette", "ok", 3)
    assert report.count("new") == 3 and report.ok
    ids = by_url(archive)
    bridge = archive.get_article(ids[feed_server.url("/news/bridge.html")])  # no utm_* left
    # the page has no byline and no date: the feed's fill the gaps
    assert bridge.author == "Alice Morgan"
    assert bridge.published_at == datetime(2024, 8, 5, 9, 30, tzinfo=UTC)
    assert bridge.source == "Harbour Gazette"
    assert bridge.title == "Harbour bridge reopens after repairs"
    assert "lifting mechanism" in bridge.body
    assert "Most read" not in bridge.body and "Tide tables" not in bridge.body
    (status,) = archive.list_sources()
    assert status.articles_ingested == 3
    assert status.last_error is None and status.failures == 0
    assert status.kind == "feed"
    assert status.last_success_at is not None and status.next_poll_at is not None
    assert status.next_poll_at > status.last_success_at
    assert all("newsdesk" in r.headers["user-agent"] for r in feed_server.requests)


def test_second_poll_gets_304_and_fetches_no_page(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette")
    archive.poll()
    requests_before = len(feed_server.requests)

    report = archive.poll(due_only=False)

    assert [p.outcome for p in report.sources] == ["not_modified"]
    assert report.count("new") == report.count("updated") == 0
    new_requests = feed_server.requests[requests_before:]
    assert [r.path for r in new_requests] == ["/rss2.xml"]
    assert new_requests[0].headers["if-none-match"] == '"v1"'
    assert archive.list_sources()[0].articles_ingested == 3


def test_last_modified_alone_gives_a_conditional_get(
    archive: Archive, feed_server: FeedServer
) -> None:
    stamp = "Wed, 07 Aug 2024 08:15:00 GMT"
    serve_gazette(feed_server, etag="")
    feed_server.routes["/rss2.xml"].etag = None
    feed_server.routes["/rss2.xml"].last_modified = stamp
    archive.add_source(feed_server.url("/rss2.xml"))
    archive.poll()

    report = archive.poll(due_only=False)

    assert report.sources[0].outcome == "not_modified"
    assert feed_server.hits("/rss2.xml")[-1].headers["if-modified-since"] == stamp


def test_seen_entries_are_not_refetched_when_the_feed_changes(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette")
    archive.poll()
    # the server ignores validators now (no ETag): the feed comes back in full
    feed_server.serve("/rss2.xml", "rss2.xml", content_type=RSS)

    report = archive.poll(due_only=False)

    assert report.sources[0].outcome == "ok"
    assert report.sources[0].seen == 3 and report.sources[0].items == ()
    assert all(len(feed_server.hits(path)) == 1 for path in GAZETTE_PAGES)


def test_new_entry_becomes_answerable_and_updated_entry_is_updated_in_place(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette")
    archive.poll()
    ferry_id = by_url(archive)[feed_server.url("/news/ferry.html")]
    # publish: one new entry, and the ferry story rewritten with a changed description
    serve_gazette(feed_server, feed="rss2-v2.xml", etag='"v2"')
    feed_server.serve_page("/news/ferry.html", "ferry-v2.html")
    feed_server.serve_page("/news/museum.html", "museum.html")

    report = archive.poll(due_only=False)

    assert report.count("new") == 1 and report.count("updated") == 1
    ids = by_url(archive)
    assert len(ids) == 4
    assert ids[feed_server.url("/news/ferry.html")] == ferry_id
    ferry = archive.get_article(ferry_id)
    assert "five times a day" in ferry.body and "four times a day" not in ferry.body
    assert len(feed_server.hits("/news/bridge.html")) == 1  # unchanged entries: no refetch
    museum_id = ids[feed_server.url("/news/museum.html")]
    assert museum_id in report.changed_article_ids
    answer = archive.ask("When was the restored lighthouse lens unveiled at the maritime museum?")
    assert answer.found
    assert answer.articles[0].citation.article_id == museum_id
    answer = archive.ask("How many ferry sailings a day from September?")
    assert answer.found
    assert answer.articles[0].citation.article_id == ferry_id
    assert "five" in " ".join(s.text for s in answer.articles[0].snippets)


def test_rss1_atom_and_sitemap_index_sources(archive: Archive, feed_server: FeedServer) -> None:
    feed_server.serve("/rss1.rdf", "rss1.rdf", content_type="application/rdf+xml")
    feed_server.serve("/atom.xml", "atom.xml", content_type="application/atom+xml")
    feed_server.serve("/sitemap.xml", "sitemap-index.xml", content_type="application/xml")
    feed_server.serve("/news-sitemap.xml", "news-sitemap.xml", content_type="text/xml")
    feed_server.serve_page("/valley/orchard.html", "orchard.html")
    feed_server.serve_page("/observer/wind.html", "observer-wind.html")
    feed_server.serve_page("/sitemap-news/council.html", "council.html")
    feed_server.serve_page("/sitemap-news/market.html", "market.html")
    for path in ("/rss1.rdf", "/atom.xml", "/sitemap.xml"):
        archive.add_source(feed_server.url(path), outlet=path.strip("/"))

    report = archive.poll()

    assert [p.count("new") for p in report.sources] == [1, 1, 2]
    kinds = {s.source.url.rsplit("/", 1)[1]: s.kind for s in archive.list_sources()}
    assert kinds == {"rss1.rdf": "feed", "atom.xml": "feed", "sitemap.xml": "sitemap"}
    ids = by_url(archive)
    council = archive.get_article(ids[feed_server.url("/sitemap-news/council.html")])
    assert council.source == "sitemap.xml"
    wind = archive.get_article(ids[feed_server.url("/observer/wind.html")])
    assert wind.author == "Chloe Brandt"

    # the child sitemap's lastmod did not change: the index is read, the child is not
    archive.poll(due_only=False)
    assert len(feed_server.hits("/sitemap.xml")) == 2
    assert len(feed_server.hits("/news-sitemap.xml")) == 1


def test_sitemap_lastmod_change_updates_the_article_in_place(
    archive: Archive, feed_server: FeedServer
) -> None:
    sitemap = feed_server.fixture_bytes("news-sitemap.xml")
    feed_server.serve("/news-sitemap.xml", body=sitemap, content_type="text/xml")
    feed_server.serve_page("/sitemap-news/council.html", "council.html")
    feed_server.serve_page("/sitemap-news/market.html", "market.html")
    archive.add_source(feed_server.url("/news-sitemap.xml"))
    archive.poll()
    market_id = by_url(archive)[feed_server.url("/sitemap-news/market.html")]
    # the market story is rewritten (new lastmod); the council story is untouched
    changed = sitemap.replace(b"<lastmod>2024-08-10</lastmod>", b"<lastmod>2024-08-11</lastmod>")
    feed_server.serve("/news-sitemap.xml", body=changed, content_type="text/xml")
    page = feed_server.fixture_bytes("pages/market.html").replace(b"sixty", b"eighty")
    feed_server.serve("/sitemap-news/market.html", body=page)

    report = archive.poll(due_only=False)

    assert report.count("updated") == 1 and report.count("new") == 0
    assert "more than eighty stalls" in archive.get_article(market_id).body
    assert len(feed_server.hits("/sitemap-news/council.html")) == 1


def test_cp1251_ukrainian_feed_and_page(archive: Archive, feed_server: FeedServer) -> None:
    # no charset in either Content-Type: the XML declaration and <meta charset> must be used
    feed_server.serve("/uk.xml", "uk-cp1251.xml", content_type="application/rss+xml")
    feed_server.serve_page("/uk/mist.html", "uk-mist.html", content_type="text/html")
    feed_server.serve_page("/uk/shkola.html", "uk-shkola.html")
    archive.add_source(feed_server.url("/uk.xml"), name="regions", outlet="Новини регіонів")

    report = archive.poll()

    assert report.count("new") == 2 and report.ok
    ids = by_url(archive)
    mist = archive.get_article(ids[feed_server.url("/uk/mist.html")])
    assert mist.title == "У Полтаві відкрили новий пішохідний міст"
    assert mist.language == "uk"
    assert "через річку Ворсклу" in mist.body
    assert mist.source == "Новини регіонів"
    assert mist.published_at == datetime(2024, 8, 10, 11, 0, tzinfo=UTC)


def test_broken_sources_never_stop_the_working_one(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    settings = make_settings(tmp_path, fetch_timeout_s=0.5, max_item_bytes=20_000)
    serve_gazette(feed_server)
    feed_server.serve("/500.xml", status=500, body=b"oops", content_type="text/plain")
    feed_server.serve("/slow.xml", "rss2.xml", content_type=RSS, delay_s=1.5)
    feed_server.serve("/html.xml", "not-a-feed.xml", content_type="text/html")
    feed_server.serve("/loop.xml", status=302, location="/loop.xml")
    feed_server.serve("/huge.xml", body=b"<rss>" + b" " * 50_000 + b"</rss>", content_type=RSS)
    broken = {
        "http500": ("/500.xml", "HTTP 500"),
        "timeout": ("/slow.xml", "timed out"),
        "invalid": ("/html.xml", "not a valid RSS or Atom feed"),
        "loop": ("/loop.xml", "redirects"),
        "huge": ("/huge.xml", "cap"),
    }
    with open_archive(settings) as archive:
        for name, (path, _) in broken.items():
            archive.add_source(feed_server.url(path), name=name)
        archive.add_source(feed_server.url("/rss2.xml"), name="gazette")

        report = archive.poll()

        outcomes = {p.name: p for p in report.sources}
        assert outcomes["gazette"].outcome == "ok"
        assert outcomes["gazette"].count("new") == 3
        statuses = {s.source.name: s for s in archive.list_sources()}
        for name, (_, reason) in broken.items():
            assert outcomes[name].outcome == "failed", name
            assert reason in (outcomes[name].error or ""), (name, outcomes[name].error)
            assert statuses[name].failing and statuses[name].last_error == outcomes[name].error
        assert not statuses["gazette"].failing
        assert len(report.failed_sources) == len(broken)


def test_bad_pages_cost_only_their_entry(tmp_path: Path, feed_server: FeedServer) -> None:
    settings = make_settings(tmp_path, max_item_bytes=20_000)
    serve_gazette(feed_server)
    big = b"<html><body>" + b"<p>filler text</p>" * 3000 + b"</body></html>"
    feed_server.serve("/news/bridge.html", body=big)  # oversized page
    feed_server.serve("/news/library.html", body=b"%PDF-1.4", content_type="application/pdf")
    with open_archive(settings) as archive:
        archive.add_source(feed_server.url("/rss2.xml"), name="gazette")

        report = archive.poll()

        (poll,) = report.sources
        assert poll.outcome == "ok" and poll.count("new") == 1
        failed = {item.item.rsplit("/", 1)[1]: item.reason for item in poll.items if item.reason}
        assert "cap" in failed["bridge.html"]
        assert "not an HTML page" in failed["library.html"]
        assert not archive.list_sources()[0].failing

        # failed entries are retried on later polls, then given up until they change
        feed_server.serve("/rss2.xml", "rss2.xml", content_type=RSS)  # no ETag: full feed
        for _ in range(MAX_ENTRY_ATTEMPTS + 1):
            archive.poll(due_only=False)
        assert len(feed_server.hits("/news/bridge.html")) == MAX_ENTRY_ATTEMPTS


def test_failing_source_backs_off_exponentially_and_recovers(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss2.xml", status=503, body=b"down", content_type="text/plain")
    source = archive.add_source(feed_server.url("/rss2.xml"), name="gazette", interval_s=600)

    delays = []
    for expected_failures in (1, 2, 3):
        archive.poll(due_only=False)
        (status,) = archive.list_sources()
        assert status.failures == expected_failures
        assert status.last_error == "the server answered HTTP 503"
        assert status.last_success_at is None
        delays.append((status.next_poll_at - status.last_polled_at).total_seconds())
    for failures, delay in zip((1, 2, 3), delays, strict=True):
        assert delay == pytest.approx(source.interval_s * 2**failures, rel=0.11)

    serve_gazette(feed_server)
    archive.poll(due_only=False)
    (status,) = archive.list_sources()
    assert status.failures == 0 and status.last_error is None
    assert status.articles_ingested == 3
    delay = (status.next_poll_at - status.last_polled_at).total_seconds()
    assert delay == pytest.approx(600, rel=0.11)


def test_source_without_outlet_label_takes_the_feed_title(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    feed_server.serve("/news-sitemap.xml", "news-sitemap.xml", content_type="text/xml")
    feed_server.serve_page("/sitemap-news/council.html", "council.html")
    feed_server.serve_page("/sitemap-news/market.html", "market.html")
    archive.add_source(feed_server.url("/rss2.xml"), name="gazette")
    archive.add_source(feed_server.url("/news-sitemap.xml"), name="bulletin")
    archive.add_source(feed_server.url("/atom.xml"), name="chosen", outlet="chosen")

    archive.poll()

    outlets = {s.source.name: s.source.outlet for s in archive.list_sources()}
    assert outlets == {
        "gazette": "Harbour Gazette",
        "bulletin": "City Bulletin",
        "chosen": "chosen",
    }
    assert {a.source for a in archive.list_articles()} == {"Harbour Gazette", "City Bulletin"}


def test_entries_over_the_per_poll_cap_come_in_the_next_poll(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"))
    poller = archive._feeds().poller
    poller.options = replace(poller.options, max_pages_per_poll=2)

    first = archive.poll()
    second = archive.poll(due_only=False)
    third = archive.poll(due_only=False)

    assert first.count("new") == 2  # the two newest entries
    assert "/news/ferry.html" in first.sources[0].items[0].item
    # the feed has an ETag, but the second poll must read it in full to see the third entry
    assert second.sources[0].outcome == "ok" and second.count("new") == 1
    assert "if-none-match" not in feed_server.hits("/rss2.xml")[1].headers
    assert third.sources[0].outcome == "not_modified"


def test_due_only_poll_skips_sources_polled_recently(
    archive: Archive, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"))
    assert len(archive.poll().sources) == 1
    assert archive.poll().sources == ()


def test_a_poll_with_nothing_due_opens_no_http_client(
    archive: Archive, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot polls every minute, mostly for nothing: that costs no client (TLS context)."""
    serve_gazette(feed_server)
    archive.add_source(feed_server.url("/rss2.xml"))
    assert len(archive.poll().sources) == 1
    opened: list[object] = []

    def no_client(**options: object) -> object:
        opened.append(options)
        raise AssertionError("an HTTP client for a poll with nothing due")

    monkeypatch.setattr("index.feeds.poller.deadline_client", no_client)
    assert archive.poll().sources == ()
    assert opened == []


def test_requests_to_one_host_are_spaced_by_host_delay(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # two sources on one host, polled by parallel workers, still share the host's pace
    serve_gazette(feed_server)
    feed_server.serve("/atom.xml", "atom.xml", content_type="application/atom+xml")
    feed_server.serve_page("/observer/wind.html", "observer-wind.html")
    with open_archive(make_settings(tmp_path, host_delay_s=0.2)) as archive:
        archive.add_source(feed_server.url("/rss2.xml"))
        archive.add_source(feed_server.url("/atom.xml"))
        report = archive.poll()
    assert report.count("new") == 4
    times = sorted(r.at for r in feed_server.requests)
    assert len(times) == 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.17, gaps


def test_sources_survive_a_restart_and_can_be_removed(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    serve_gazette(feed_server)
    settings = make_settings(tmp_path)
    with open_archive(settings) as archive:
        archive.add_source(feed_server.url("/rss2.xml"), name="gazette", language="en")
        archive.poll()
    with open_archive(settings) as archive:
        (status,) = archive.list_sources()
        assert status.source.name == "gazette" and status.source.language == "en"
        assert status.articles_ingested == 3
        assert archive.poll(due_only=False).sources[0].outcome == "not_modified"
        removed = archive.remove_source("gazette")
        assert removed.name == "gazette"
        assert archive.list_sources() == []
        assert len(archive.list_articles()) == 3  # articles stay
        with pytest.raises(NotFoundError):
            archive.remove_source("gazette")


def test_newsdesk_feeds_setting_preseeds_sources(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, feeds="up=https://up.test/rss, https://www.kyiv.test/sitemap.xml"
    )
    with open_archive(settings) as archive:
        names = [(s.source.name, s.source.url) for s in archive.list_sources()]
    assert names == [
        ("up", "https://up.test/rss"),
        ("kyiv.test", "https://www.kyiv.test/sitemap.xml"),
    ]
    with open_archive(settings) as archive:  # not duplicated on the next start
        assert len(archive.list_sources()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://a.test/rss"}, "not an http(s) URL"),
        ({"url": "https://a.test/rss", "name": "two words"}, "one word"),
        ({"url": "https://a.test/rss", "language": "de"}, "en, uk or ru"),
        ({"url": "https://a.test/rss", "interval_s": 5}, "at least"),
        ({"url": "https://dup.test/rss"}, "already registered"),
        ({"url": "https://other.test/rss", "name": "dup.test"}, "already registered"),
    ],
    ids=["scheme", "name", "language", "interval", "same-url", "same-name"],
)
def test_bad_sources_are_refused_with_a_reason(
    archive: Archive, kwargs: dict[str, object], message: str
) -> None:
    archive.add_source("https://dup.test/rss")
    url = kwargs.pop("url")
    with pytest.raises(SourceError, match=re.escape(message)):
        archive.add_source(url, **kwargs)  # type: ignore[arg-type]


def test_same_host_sources_get_distinct_default_names(archive: Archive) -> None:
    first = archive.add_source("https://news.test/rss")
    second = archive.add_source("https://news.test/sitemap.xml")
    assert (first.name, second.name) == ("news.test", "news.test-2")
