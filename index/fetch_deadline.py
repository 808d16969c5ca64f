"""One deadline for a whole HTTP exchange, enforced on every socket operation.

httpx's timeouts are per socket operation: a server that sends two bytes every two seconds
never trips a 5 s read timeout, whether it drips the body or the status line and headers.
``fetch_url`` checks a deadline between body chunks, but the headers are read inside
httpx, out of its reach. So clients made by ``deadline_client`` get a network backend whose
streams cap each read and write at the time left before the current thread's deadline (set
with ``deadline(seconds)`` around a fetch), and raise a read timeout once it has passed.

The deadline is per thread, so one client can be shared by the feed poller's worker
threads, each fetch keeping its own deadline. Installing the backend reaches into httpx's
default transport (``_transport._pool._network_backend``); where a future httpx lays that
out differently, the client works as before with per-operation timeouts, and the body is
still bounded by ``fetch_url``'s own check.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

logger = logging.getLogger(__name__)

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
