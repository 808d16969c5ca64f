"""Bad input: each case is one clear per-item failure, and the rest of the batch is ingested.

One table, one test: every row puts a bad item between two good ones and checks the reason.
URLs are served by a local http.server on 127.0.0.1 (nothing leaves the machine).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from tests.auxil.local_http import serve
from tests.cli.corpus import STORM_TXT

SIZE_CAP = 4096
PAGE = (
    "<html><head><title>Council approves new tram line</title></head><body><article>"
    "<p>The city council approved a new tram line to the airport on Thursday.</p>"
    "<p>Construction starts next spring, the mayor said.</p></article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    """Routes: /page.html (a good page), /logo.png (an image), /huge.html (over the cap)."""

    def do_GET(self) -> None:
        routes = {
            "/page.html": ("text/html; charset=utf-8", PAGE.encode()),
            "/logo.png": ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
            "/huge.html": ("text/html", b"<p>" + b"word " * (SIZE_CAP * 2) + b"</p>"),
        }
        if self.path not in routes:
            self.send_error(404)
            return
        content_type, body = routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(_Handler) as url:
        yield url


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Case:
    """A bad item (made in a folder, or a URL of the server) and the reason it must give."""

    make: Callable[[Path, str], str]
    reason: str


def _file(name: str, data: bytes) -> Callable[[Path, str], str]:
    def make(folder: Path, _server: str) -> str:
        (folder / name).write_bytes(data)
        return str(folder / name)

    return make


CASES = {
    "missing-path": Case(lambda folder, _: str(folder / "nowhere.html"), "no such file"),
    "empty-file": Case(_file("empty.txt", b""), "empty"),
    "binary-file": Case(_file("blob.txt", bytes(range(256)) * 4), "binary"),
    "truncated-html": Case(
        _file("cut.html", b'<html><head><title>Cut short</title><meta name="descr'),
        "no article text",
    ),
    "jsonl-line-not-json": Case(
        _file("bad.jsonl", b'{"title": "ok", "text": "fine"\n'), "not JSON"
    ),
    "file-over-size-cap": Case(
        _file("huge.txt", b"Long story\n\n" + b"word " * SIZE_CAP), "over the size cap"
    ),
    "gz-over-size-cap-when-unpacked": Case(
        lambda folder, _: _gz(folder / "bomb.txt.gz", b"word " * (SIZE_CAP * 4)),
        "over the size limit",
    ),
    "unreachable-url": Case(
        lambda _folder, _: f"http://127.0.0.1:{_closed_port()}/story.html", "could not connect"
    ),
    "url-wrong-content-type": Case(
        lambda _folder, server: f"{server}/logo.png", "unsupported content type image/png"
    ),
    "url-over-size-cap": Case(lambda _folder, server: f"{server}/huge.html", "over the cap"),
    "url-not-found": Case(lambda _folder, server: f"{server}/gone.html", "HTTP 404"),
}


def _gz(path: Path, data: bytes) -> str:
    import gzip

    path.write_bytes(gzip.compress(data))
    return str(path)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_item_fails_clearly_and_the_batch_survives(
    case: Case, tmp_path: Path, server: str
) -> None:
    folder = tmp_path / "items"
    folder.mkdir()
    (folder / "storm.txt").write_text(STORM_TXT, encoding="utf-8")
    bad = case.make(folder, server)
    settings = IndexSettings(data_dir=tmp_path / "data", max_item_bytes=SIZE_CAP, _env_file=None)
    with open_archive(settings) as archive:
        report = archive.ingest([str(folder / "storm.txt"), bad, f"{server}/page.html"])
        outcomes = [(item.item, item.outcome) for item in report.items]
        assert outcomes[0] == (str(folder / "storm.txt"), "new")
        assert outcomes[-1] == (f"{server}/page.html", "new")
        failed = report.failed
        assert len(failed) == 1, outcomes
        assert failed[0].item.startswith(bad)
        assert case.reason.lower() in (failed[0].reason or "").lower()
        assert archive.stats().articles == 2
        titles = {a.title for a in archive.list_articles()}
        assert titles == {"Storm cuts power to the Odesa region", "Council approves new tram line"}
