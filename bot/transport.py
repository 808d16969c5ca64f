"""How the bot talks HTTP to the Bot API: aiohttp behind python-telegram-bot's ``BaseRequest``.

PTB sends every Bot API call through a ``BaseRequest``; its default, ``HTTPXRequest``, runs
httpx over httpcore, anyio and h11, all pure Python. Measured against the fake Bot API on
127.0.0.1, one ``getMe`` cost ~1.0 ms of CPU through PTB with httpx and ~0.17 ms as a bare
aiohttp request (server included in both), and under load those layers were about a third of
the bot process's CPU. ``BaseRequest`` is PTB's documented extension point for other HTTP
libraries, so this class only moves bytes: PTB still builds the parameters, parses the
replies, raises its errors and applies the rate limiter. aiohttp (C-accelerated parser,
already a dependency through the fake server) does the HTTP.

Bodies are JSON (``application/json``, which the Bot API accepts for every method), not the
URL-encoded form PTB's own transport sends: ``urllib.parse.urlencode`` quotes a form byte by
byte in Python, ~0.2 ms for a 1.2 kB answer message (more for an inline answer and its ten
results) where ``json.dumps`` takes ~0.02 ms (``docs/postgres.md``, "Where the CPU went").
Requests that carry files stay multipart form data.

``NEWSDESK_BOT_HTTP=httpx`` switches back to PTB's own ``HTTPXRequest``.
"""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp

# PTB's own HTTPXRequest imports these two to tell "not given" from None; a BaseRequest
# subclass must do the same to honour the per-call timeouts PTB passes.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)

DEFAULT_READ_TIMEOUT_S = 5.0  # HTTPXRequest's defaults, so both transports behave alike
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_POOL_TIMEOUT_S = 1.0


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with a bounded connection pool.

    Args:
        connection_pool_size: connections kept open to the Bot API (aiohttp's ``limit``).
        read_timeout: seconds to wait for a reply's bytes (None: no limit).
        connect_timeout: seconds to open a connection.
        pool_timeout: seconds to wait for a free connection in the pool.

    Note:
        aiohttp has no write timeout; PTB's ``write_timeout`` is accepted and ignored (a
        request body to the Bot API is a few KB, or a document upload bounded by its size).
    """

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT_S,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT_S,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT_S,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to getUpdates' long-polling timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (needs the running event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the status code and the body (see ``BaseRequest``)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp's ``connect`` covers waiting for a pooled connection plus opening one.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, asyncio.TimeoutError) as exc:  # noqa: UP041 - aiohttp raises both
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData | None) -> aiohttp.FormData | aiohttp.BytesPayload | None:
    """The parameters as one JSON object; multipart form data when the request carries files
    (each field then JSON-encoded as PTB encodes it)."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        payload = json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
        return aiohttp.BytesPayload(payload, content_type="application/json")
    files = request_data.multipart_data
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
