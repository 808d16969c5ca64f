"""Fetching URLs with limits: a timeout, a streamed size cap, a redirect cap, our User-Agent.

Ingest and the feed poller both fetch pages from servers we do not control, so every fetch is
bounded: the body is read in chunks and abandoned as soon as it passes ``max_bytes`` (a
``Content-Length`` over the cap is refused before reading), redirects stop after
``max_redirects``, and any transport failure becomes a ``FetchError`` with a plain reason.

The timeout bounds the whole response, not each read: httpx's timeouts are per socket
operation, so a server dripping two bytes every two seconds never trips a 5 s read timeout
and kept ``newsdesk ingest URL`` running for minutes. So a fetch runs under one deadline
(``index.fetch_deadline``): clients made by ``deadline_client`` cap every socket operation,
headers included, at the time left, and the body loop checks the deadline after each read
for any other client. A fetch ends within about ``timeout_s``.
Checking the content type is left to callers (``check_content_type``), because a feed
poller accepts XML where ingest accepts HTML, text and JSON.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import httpx

from index.errors import FetchError, HttpStatusError
from index.fetch_deadline import deadline, deadline_client

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
