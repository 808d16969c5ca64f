"""Fetching URLs with limits: a timeout, a streamed size cap, a redirect cap, our User-Agent.

Ingest and the feed poller both fetch pages from servers we do not control, so every fetch is
bounded: the body is read in chunks and abandoned as soon as it passes ``max_bytes`` (a
``Content-Length`` over the cap is refused before reading), redirects stop after
``max_redirects``, and any transport failure becomes a ``FetchError`` with a plain reason.
Checking the content type is left to callers (``check_content_type``), because a feed
poller accepts XML where ingest accepts HTML, text and JSON.

The timeout bounds the whole response, not each read: httpx's timeouts are per socket
operation, so a server dripping two bytes every two seconds never trips a 5 s read timeout
and kept ``newsdesk ingest URL`` running for minutes. So a fetch runs under one deadline
(``deadline`` below): clients made by ``deadline_client`` cap every socket operation,
headers included, at the time left, and the body loop checks the deadline after each read
for any other client. A fetch ends within about ``timeout_s``.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from index.errors import FetchError, HttpStatusError

logger = logging.getLogger(__name__)

USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk)"
# Content types `newsdesk ingest URL` accepts: what extraction can read.
ARTICLE_CONTENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/json",
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A fetched response: where we asked, where we landed, and the body within the cap.

    ``status`` is 200-299, or 304 for a conditional request whose resource did not change
    (then ``data`` is empty). ``content_type`` is the media type only, lowercased, without
    parameters; ``charset`` holds the declared charset, if any.
    """

    url: str
    final_url: str
    status: int
    content_type: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    data: bytes = b""
    charset: str | None = None


def fetch_url(
    url: str,
    *,
    timeout_s: float,
    max_bytes: int,
    max_redirects: int = 5,
    headers: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
) -> FetchedPage:
    """GET a URL within the limits, following at most ``max_redirects`` redirects.

    Args:
        url: an http(s) URL.
        timeout_s: the whole fetch (connect, headers and body), in seconds; also the
            timeout of each socket operation.
        max_bytes: the largest body accepted.
        max_redirects: redirects followed before giving up.
        headers: extra request headers (for example If-None-Match for feeds).
        client: a shared client (feeds reuse one for keep-alive); a new one otherwise.

    Returns:
        The page, its final URL after redirects, status, content type and body.

    Raises:
        FetchError: bad URL, unreachable host, timeout, too many redirects, or a body over
            ``max_bytes``; ``HttpStatusError`` (a FetchError) for an HTTP error status.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError("only http and https URLs can be fetched", item=url)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    ends = time.monotonic() + timeout_s
    own_client = client is None
    http = client or deadline_client(timeout=timeout_s, max_redirects=max_redirects)
    try:
        with (
            deadline(timeout_s),
            http.stream(
                "GET",
                url,
                headers=request_headers,
                follow_redirects=True,
                timeout=timeout_s,
            ) as response,
        ):
            if len(response.history) > max_redirects:
                raise FetchError(f"more than {max_redirects} redirects", item=url)
            status = response.status_code
            if status >= 400:
                raise HttpStatusError(
                    f"the server answered HTTP {status}",
                    item=url,
                    status=status,
                    retry_after=response.headers.get("retry-after"),
                )
            media_type, charset = parse_content_type(response.headers.get("content-type"))
            data = b"" if status == 304 else _read_capped(response, url, max_bytes, ends)
            final_url = str(response.url)
            page_headers = dict(response.headers)
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {max_redirects} redirects", item=url) from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out after {timeout_s:g} s", item=url) from None
    except httpx.ConnectError:
        raise FetchError("could not connect to the server", item=url) from None
    except httpx.InvalidURL:
        raise FetchError("not a valid URL", item=url) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the download failed ({type(exc).__name__})", item=url) from None
    finally:
        if own_client:
            http.close()
    logger.debug("fetched %s → %s (%s, %d bytes)", url, final_url, status, len(data))
    return FetchedPage(url, final_url, status, media_type, page_headers, data, charset)


def _read_capped(response: httpx.Response, url: str, max_bytes: int, ends: float) -> bytes:
    """The body, refusing it once it passes ``max_bytes`` or the fetch passes ``ends``.

    ``iter_bytes()`` without a chunk size yields each read as it arrives (with a size it
    buffers until the chunk is full), so the deadline is checked after every read.
    """
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the page is {declared} bytes, over the cap of {max_bytes}", item=url)
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise FetchError(f"the page is larger than the cap of {max_bytes} bytes", item=url)
        chunks.append(chunk)
        if time.monotonic() > ends:
            raise httpx.ReadTimeout("the whole response took longer than the timeout")
    return b"".join(chunks)


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset), both lowercased."""
    if not value:
        return None, None
    parts = [part.strip() for part in value.split(";")]
    media_type = parts[0].lower() or None
    charset = None
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val:
            charset = val.strip().strip('"').lower()
    return media_type, charset


def check_content_type(page: FetchedPage, allowed: Iterable[str] = ARTICLE_CONTENT_TYPES) -> None:
    """Refuse a page whose declared content type is not among ``allowed``.

    A missing Content-Type passes: extraction sniffs the bytes and fails clearly itself.

    Raises:
        FetchError: the server declared another content type.
    """
    allowed_types = tuple(allowed)
    if page.content_type is None or page.content_type in allowed_types:
        return
    raise FetchError(
        f"unsupported content type {page.content_type} (expected HTML, text or JSON)",
        item=page.url,
    )


# -- one deadline for the whole exchange ----------------------------------------------------
# httpx's timeouts are per socket operation: a server that sends two bytes every two seconds
# never trips a 5 s read timeout, whether it drips the body or the status line and headers.
# The body loop above checks the deadline between chunks, but headers are read inside httpx,
# out of its reach. So clients made by ``deadline_client`` get a network backend whose
# streams cap each read and write at the time left before the current thread's deadline
# (set with ``deadline(seconds)`` around a fetch), and raise a read timeout once it passed.
# The deadline is per thread, so the feed poller's worker threads share one client, each
# fetch keeping its own deadline. Installing the backend reaches into httpx's default
# transport (``_transport._pool._network_backend``); where a future httpx lays that out
# differently, the client works as before with per-operation timeouts, and the body is
# still bounded by ``_read_capped``.

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread, inside the block, ends within ``seconds``."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def deadline_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client(**kwargs)`` whose sockets honour ``deadline``."""
    client = httpx.Client(**kwargs)
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    else:
        logger.debug("httpx transport layout unknown: only the body is bounded by the deadline")
    return client


def _time_left(timeout: float | None) -> float | None:
    """``timeout`` capped at the time left before this thread's deadline."""
    ends = getattr(_local, "deadline", None)
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the whole response took longer than the timeout")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _time_left(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _time_left(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _time_left(timeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
