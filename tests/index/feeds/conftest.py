"""A local HTTP server on 127.0.0.1 serving the feeds, sitemaps and pages of tests/fixtures/feeds.

Routes are mutable while the server runs, so a test can publish a new feed version between
two polls. Every route answers conditional GETs with ETag/Last-Modified like a real server,
and the server records each request (path, headers, time) for assertions on politeness.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class FeedServer:
    """The running server: ``url(path)``, ``serve(...)`` and the recorded ``requests``."""

    host: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def fixture_bytes(self, name: str) -> bytes:
        """A fixture with ``{host}`` filled in (works for cp1251 files too: ASCII marker)."""
        return (FEEDS / name).read_bytes().replace(b"{host}", self.host.encode())

    def serve(self, path: str, fixture: str | None = None, **kwargs: object) -> Route:
        if fixture is not None:
            kwargs.setdefault("body", self.fixture_bytes(fixture))
        route = Route(**kwargs)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def serve_page(self, path: str, page: str, **kwargs: object) -> Route:
        return self.serve(path, f"pages/{page}", **kwargs)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append(Request(self.path, headers, time.monotonic()))
            route = server.routes.get(self.path)
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            if route.delay_s:
                time.sleep(route.delay_s)
            extra: dict[str, str] = {}
            if route.etag:
                extra["ETag"] = route.etag
            if route.last_modified:
                extra["Last-Modified"] = route.last_modified
            if route.location:
                extra["Location"] = server.url(route.location)
            extra.update(route.headers)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if route.status == 200 and (
                (route.etag and inm == route.etag)
                or (not route.etag and route.last_modified and ims == route.last_modified)
            ):
                self._send(304, b"", None, extra)
                return
            self._send(route.status, route.body, route.content_type, extra)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            extra: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 with an ephemeral port, stopped after the test."""
    state = FeedServer(host="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.host = f"127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="feed-server", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
