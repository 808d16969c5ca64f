"""Parsing RSS 2.0, RSS 1.0, Atom and sitemaps into FeedEntry values."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.feeds.errors import FeedError
from index.feeds.parse import parse_document
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
HOST = "news.test:8080"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{host}", HOST.encode())


def test_rss2_entries_have_guid_keys_canonical_urls_and_metadata() -> None:
    doc = parse_document(load("rss2.xml"), url=f"http://{HOST}/rss2.xml")
    assert doc.kind == "feed"
    assert doc.title == "Harbour Gazette"
    assert doc.language == "en"
    assert [e.key for e in doc.entries] == ["gazette-1001", "gazette-1002", "gazette-1003"]
    bridge = doc.entries[0]
    # tracking parameters are dropped from the canonical URL
    assert bridge.url == f"http://{HOST}/news/bridge.html"
    assert bridge.author == "Alice Morgan"
    assert bridge.published_at == datetime(2024, 8, 5, 9, 30, tzinfo=UTC)
    assert bridge.summary == "The harbour bridge carries traffic again after a repair season."
    # HTML in a description becomes text
    assert doc.entries[1].summary == "The central library will stay open on Sundays."


def test_rss1_rdf_feed_is_parsed() -> None:
    doc = parse_document(load("rss1.rdf"), url=f"http://{HOST}/rss1.rdf")
    (entry,) = doc.entries
    assert entry.title == "Orchard harvest starts early"
    assert entry.url == f"http://{HOST}/valley/orchard.html"
    assert entry.author == "Ben Ortiz"
    assert entry.published_at == datetime(2024, 8, 8, 5, 0, tzinfo=UTC)
    assert entry.language == "en"


def test_atom_feed_uses_entry_id_as_key() -> None:
    doc = parse_document(load("atom.xml"), url=f"http://{HOST}/atom.xml")
    (entry,) = doc.entries
    assert entry.key == "urn:newsdesk-tests:observer:wind"
    assert entry.url == f"http://{HOST}/observer/wind.html"
    assert entry.author == "Chloe Brandt"
    assert entry.updated_at == datetime(2024, 8, 9, 10, 0, tzinfo=UTC)


def test_cp1251_ukrainian_feed_is_decoded_by_its_declaration() -> None:
    data = load("uk-cp1251.xml")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = parse_document(data, url=f"http://{HOST}/uk.xml", content_type="text/xml")
    assert doc.language == "uk"
    assert doc.title == "Новини регіонів"
    assert [e.title for e in doc.entries] == [
        "У Полтаві відкрили новий пішохідний міст",
        "Сільська школа отримала нові комп'ютери",
    ]
    assert doc.entries[0].published_at == datetime(2024, 8, 10, 11, 0, tzinfo=UTC)


def test_changed_entry_changes_fingerprint_but_not_key() -> None:
    first = parse_document(load("rss2.xml"), url=f"http://{HOST}/rss2.xml")
    second = parse_document(load("rss2-v2.xml"), url=f"http://{HOST}/rss2.xml")
    before = {e.key: e.fingerprint for e in first.entries}
    after = {e.key: e.fingerprint for e in second.entries}
    assert after["gazette-1001"] == before["gazette-1001"]
    assert after["gazette-1003"] != before["gazette-1003"]
    assert "gazette-1004" in after and "gazette-1004" not in before


def test_news_sitemap_reads_news_extension_and_skips_non_http_locs() -> None:
    doc = parse_document(load("news-sitemap.xml"), url=f"http://{HOST}/news-sitemap.xml")
    assert doc.kind == "sitemap"
    assert doc.title == "City Bulletin"
    council, market = doc.entries
    assert council.title == "Council votes to expand tram network"
    assert council.published_at == datetime(2024, 8, 10, 5, 45, tzinfo=UTC)
    assert council.language == "en"
    assert council.key == council.url == f"http://{HOST}/sitemap-news/council.html"
    assert market.title is None
    assert market.published_at == datetime(2024, 8, 10, tzinfo=UTC)


def test_sitemap_index_lists_children() -> None:
    doc = parse_document(load("sitemap-index.xml"), url=f"http://{HOST}/sitemap.xml")
    assert doc.kind == "sitemap"
    assert doc.entries == ()
    (child,) = doc.child_sitemaps
    assert child.url == f"http://{HOST}/news-sitemap.xml"
    assert child.lastmod == datetime(2024, 8, 10, 6, 0, tzinfo=UTC)


def test_gzipped_sitemap_is_decompressed() -> None:
    data = gzip.compress(load("news-sitemap.xml"))
    doc = parse_document(data, url=f"http://{HOST}/sitemap.xml.gz")
    assert len(doc.entries) == 2


def test_gzip_bomb_is_refused_at_the_size_cap() -> None:
    data = gzip.compress(b"<urlset>" + b" " * 200_000 + b"</urlset>")
    with pytest.raises(FeedError, match="size cap"):
        parse_document(data, url="http://x.test/s.xml.gz", max_bytes=10_000)


def test_sitemap_external_entities_are_not_resolved(tmp_path: Path) -> None:
    doc = parse_document(load("xxe-sitemap.xml"), url=f"http://{HOST}/xxe.xml")
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else "\x00never"
    assert all(secret not in e.url for e in doc.entries)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("html page", (FEEDS / "not-a-feed.xml").read_bytes()),
        ("binary", bytes(range(256)) * 4),
        ("empty", b"   "),
        ("truncated sitemap", b"<?xml version='1.0'?><urlset><url><loc>http://a/b"),
    ],
)
def test_invalid_documents_raise_feed_error(name: str, data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_document(data, url="http://x.test/feed")
    assert info.value.item == "http://x.test/feed"
