"""Fetching URLs within limits (index.fetch), against a local server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from index import IndexSettings, open_archive
from index.errors import FetchError
from index.fetch import USER_AGENT, check_content_type, fetch_url, parse_content_type
from tests.auxil.local_http import HangUpServer, serve

PAGE = (
    b"<html><head><title>Ferry service resumes</title></head><body><article>"
    b"<p>The ferry between the two islands resumed service on Saturday after repairs.</p>"
    b"<p>Tickets are sold at the harbour office, the operator said.</p></article></body></html>"
)
seen_headers: list[dict[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        seen_headers.append(dict(self.headers))
        if self.path == "/page":
            self._send(200, "text/html; charset=UTF-8", PAGE)
        elif self.path.startswith("/hop/"):
            left = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{left - 1}" if left > 1 else "/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/chunked-big":
            # No Content-Length: the cap must trip while streaming.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 1024
            for _ in range(64):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/declared-big":
            self._send(200, "text/html", b"x" * 20_000)
        elif self.path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(200, "application/rss+xml", b"<rss/>", etag='"v1"')
        elif self.path == "/slow":
            time.sleep(1.0)
            self._send(200, "text/html", PAGE)
        elif self.path == "/error":
            self._send(500, "text/plain", b"boom")
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(_Handler, HangUpServer) as url:
        yield url


def test_fetch_returns_body_type_and_charset_with_our_user_agent(base: str) -> None:
    page = fetch_url(f"{base}/page", timeout_s=5, max_bytes=10_000)
    assert (page.status, page.content_type, page.charset) == (200, "text/html", "utf-8")
    assert page.data == PAGE and page.final_url == f"{base}/page"
    assert seen_headers[-1]["User-Agent"] == USER_AGENT


def test_redirects_are_followed_up_to_the_cap(base: str) -> None:
    page = fetch_url(f"{base}/hop/3", timeout_s=5, max_bytes=10_000, max_redirects=5)
    assert page.final_url == f"{base}/page" and page.url == f"{base}/hop/3"
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch_url(f"{base}/hop/3", timeout_s=5, max_bytes=10_000, max_redirects=2)
    with pytest.raises(FetchError, match="redirects"):
        fetch_url(f"{base}/loop", timeout_s=5, max_bytes=10_000)


def test_size_cap_trips_while_streaming_and_on_content_length(base: str) -> None:
    with pytest.raises(FetchError, match="larger than the cap of 10000 bytes"):
        fetch_url(f"{base}/chunked-big", timeout_s=5, max_bytes=10_000)
    with pytest.raises(FetchError, match="20000 bytes, over the cap of 10000"):
        fetch_url(f"{base}/declared-big", timeout_s=5, max_bytes=10_000)


def test_conditional_get_returns_304_without_a_body(base: str) -> None:
    first = fetch_url(f"{base}/etag", timeout_s=5, max_bytes=10_000)
    assert first.status == 200 and first.headers["etag"] == '"v1"'
    again = fetch_url(
        f"{base}/etag", timeout_s=5, max_bytes=10_000, headers={"If-None-Match": '"v1"'}
    )
    assert (again.status, again.data) == (304, b"")


@pytest.mark.parametrize(
    ("path", "options", "reason"),
    [
        ("/error", {}, "HTTP 500"),
        ("/missing", {}, "HTTP 404"),
        ("/slow", {"timeout_s": 0.2}, "timed out after 0.2 s"),
    ],
    ids=["server-error", "not-found", "timeout"],
)
def test_failures_become_fetch_errors(
    base: str, path: str, options: dict[str, float], reason: str
) -> None:
    limits = {"timeout_s": 5.0, "max_bytes": 10_000, **options}
    with pytest.raises(FetchError, match=reason) as caught:
        fetch_url(f"{base}{path}", **limits)  # type: ignore[arg-type]
    assert caught.value.item == f"{base}{path}"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "example.org"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url(url, timeout_s=1, max_bytes=1000)


def test_a_shared_client_is_left_open(base: str) -> None:
    with httpx.Client() as client:
        fetch_url(f"{base}/page", timeout_s=5, max_bytes=10_000, client=client)
        assert not client.is_closed
        assert fetch_url(f"{base}/page", timeout_s=5, max_bytes=10_000, client=client).data


def test_content_type_check() -> None:
    from index.fetch import FetchedPage

    def page(content_type: str | None) -> FetchedPage:
        return FetchedPage("http://x", "http://x", 200, content_type)

    check_content_type(page("text/html"))
    check_content_type(page(None))  # unknown: extraction sniffs
    with pytest.raises(FetchError, match="unsupported content type image/png"):
        check_content_type(page("image/png"))
    check_content_type(page("application/rss+xml"), allowed=("application/rss+xml",))
    assert parse_content_type('Text/HTML; Charset="Windows-1251"') == ("text/html", "windows-1251")
    assert parse_content_type(None) == (None, None)


def test_ingesting_a_redirected_url_stores_the_final_url(base: str, tmp_path: Path) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        report = archive.ingest([f"{base}/hop/2"])
        assert [i.outcome for i in report.items] == ["new"]
        article = archive.get_article(report.items[0].article_id or 0)
        assert article.url == f"{base}/page"
        assert article.title == "Ferry service resumes"
        again = archive.ingest([f"{base}/page"])
        assert [(i.outcome, i.article_id) for i in again.items] == [
            ("unchanged", article.article_id)
        ]
