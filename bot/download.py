"""Downloading an uploaded document with a size cap that holds while reading.

PTB's ``File.download_as_bytearray`` (and ``download_to_memory``) goes through
``BaseRequest.retrieve``, which returns the whole body as one ``bytes``: the size is known
only after everything was read, so a document whose reported ``file_size`` is wrong (or
missing) can fill memory before any check runs. Here the file URL PTB's ``getFile`` built is
read in chunks instead, never past ``max_bytes + 1`` bytes: one byte over the cap proves the
file is too large, whatever it claimed, as ``index.reading`` does for local files. The
connection is closed as soon as the cap is passed, so the server stops sending.

The URL holds the bot token (``.../file/bot<token>/documents/...``), so no error raised here
quotes it: messages name the HTTP status or the exception type only.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp

from bot.transport import DEFAULT_CONNECT_TIMEOUT_S

CHUNK_BYTES = 1 << 16
READ_TIMEOUT_S = 20.0  # between two chunks; a whole upload may take longer on a slow link


class DownloadTooLargeError(Exception):
    """The download passed the cap; ``received`` bytes were read (at most ``cap + 1``)."""

    def __init__(self, received: int, declared: int | None) -> None:
        super().__init__(f"over the cap after {received} bytes")
        self.received = received
        self.declared = declared


class DownloadError(Exception):
    """The file could not be downloaded; the message is token-free."""


async def download_capped(
    file_url: str, max_bytes: int, *, read_timeout_s: float = READ_TIMEOUT_S
) -> bytes:
    """The bytes at ``file_url`` (a Bot API file URL), never reading more than ``max_bytes + 1``.

    Raises:
        DownloadTooLargeError: the body (or its declared Content-Length) is over ``max_bytes``.
        DownloadError: not an http(s) URL, an HTTP error status, a network error or timeout.
    """
    parts = urlsplit(file_url)
    if parts.scheme not in ("http", "https"):
        raise DownloadError("the Bot API gave no downloadable file URL")
    url = urlunsplit(parts._replace(path=quote(parts.path)))  # as PTB's File does
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=DEFAULT_CONNECT_TIMEOUT_S, sock_read=read_timeout_s
    )
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise DownloadError(f"the Bot API answered HTTP {response.status}")
            declared = response.content_length
            if declared is not None and declared > max_bytes:
                response.close()
                raise DownloadTooLargeError(0, declared)
            buffer = bytearray()
            while len(buffer) <= max_bytes:
                chunk = await response.content.read(min(CHUNK_BYTES, max_bytes + 1 - len(buffer)))
                if not chunk:
                    return bytes(buffer)
                buffer += chunk
            response.close()  # drop the connection: the rest is never read
            raise DownloadTooLargeError(len(buffer), declared)
    except (TimeoutError, asyncio.TimeoutError) as exc:  # noqa: UP041 - aiohttp raises both
        raise DownloadError("the download timed out") from exc
    except aiohttp.ClientError as exc:
        raise DownloadError(f"the download failed ({type(exc).__name__})") from exc
