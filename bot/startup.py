"""Reaching the Bot API at start: one clear line when it cannot be done, not tracebacks.

Before the archive is opened or the application built, ``check_bot_api`` sends one ``getMe``
through the same kind of ``BaseRequest`` the bot will use, and reads the HTTP status itself:
PTB turns both 401 (a revoked or wrong token) and 404 (often a wrong URL) into the same
``InvalidToken`` and quotes the token in its message, while the status tells the user which
setting to fix. The request object is closed on every path, so no "Unclosed client session"
is left behind. Failures become ``BotStartError`` with a one-line, token-free message that
``newsdesk run`` prints before exiting 2 (a configuration problem, like a bad setting).

Connection errors, timeouts, 429 and 5xx are retried ``NEWSDESK_START_RETRIES`` times, 1 s,
2 s, 4 s… apart, with one warning line each: a bot started at boot may come up before the
network does. Anything else (401, 404, an answer that is not the Bot API's) fails at once,
because asking again cannot change it.

``initialize_application`` then runs PTB's own ``initialize`` (its ``getMe``) before
``run_polling``/``run_webhook``, whose start-up skips an initialized application; so even a
token revoked between the two calls ends as one line, not as PTB's logged traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest

from bot.logs import redact
from bot.settings import BotSettings
from bot.transport import AiohttpRequest

logger = logging.getLogger(__name__)

TOKEN_REJECTED = "the Bot API rejected the token ({status}): check NEWSDESK_BOT_TOKEN"  # noqa: S105 - a message
RETRY_BACKOFF_S = 1.0  # first pause; doubles with every retry
RETRY_BACKOFF_MAX_S = 30.0


class BotStartError(Exception):
    """The bot cannot start; the message is one user-safe line (no token, no traceback)."""


class _Unreachable(Exception):
    """A failure that may pass: no connection, a timeout, 429 or a 5xx answer."""


def start_request(settings: BotSettings) -> BaseRequest:
    """A one-connection request object of the kind the bot uses (``NEWSDESK_BOT_HTTP``)."""
    if settings.bot_http == "aiohttp":
        return AiohttpRequest(connection_pool_size=1)
    return HTTPXRequest(connection_pool_size=1)


async def check_bot_api(settings: BotSettings, request: BaseRequest | None = None) -> None:
    """Call ``getMe`` until the Bot API accepts the token; retry only what may pass.

    Args:
        settings: the token, ``bot_api_url`` and ``start_retries``.
        request: the transport to use (default: ``start_request(settings)``); it is
            initialized here and shut down before returning or raising.

    Raises:
        BotStartError: the token was rejected, the server is not a Bot API, or it stayed
            unreachable through every retry.
    """
    request = request or start_request(settings)
    api_url = settings.bot_api_url
    url = f"{api_url}{settings.bot_token.get_secret_value()}/getMe"
    attempts = settings.start_retries + 1
    await request.initialize()
    try:
        for attempt in range(1, attempts + 1):
            try:
                await _get_me(request, url, api_url)
                return
            except _Unreachable as exc:
                reason = str(exc)
            if attempt == attempts:
                raise BotStartError(_unreachable(api_url, reason))
            pause = min(RETRY_BACKOFF_S * 2 ** (attempt - 1), RETRY_BACKOFF_MAX_S)
            logger.warning(
                "cannot reach the Bot API at %s (%s): attempt %d of %d, next in %.0f s",
                api_url,
                reason,
                attempt,
                attempts,
                pause,
            )
            await asyncio.sleep(pause)
    finally:
        await request.shutdown()


async def initialize_application(application: Application, api_url: str) -> None:  # type: ignore[type-arg]
    """PTB's ``initialize`` (``getMe`` and the request sessions), failures as ``BotStartError``.

    The caller closes the sessions (``application.bot.shutdown()``) on every path: PTB's
    ``Application.shutdown`` skips them when ``initialize`` failed half-way.
    """
    try:
        await application.initialize()
    except InvalidToken:  # PTB maps 401 and 404 alike; the check just saw getMe succeed
        raise BotStartError(TOKEN_REJECTED.format(status=401)) from None
    except NetworkError as exc:
        raise BotStartError(_unreachable(api_url, _root_cause(exc))) from None


def _unreachable(api_url: str, reason: str) -> str:
    return (
        f"cannot reach the Bot API at {api_url} ({reason}): "
        "check the network and NEWSDESK_BOT_API_URL"
    )


async def _get_me(request: BaseRequest, url: str, api_url: str) -> None:
    """One ``getMe``: returns when accepted, raises ``_Unreachable`` or ``BotStartError``."""
    try:
        status, payload = await request.do_request(url=url, method="POST")
    except NetworkError as exc:  # TimedOut included
        raise _Unreachable(_root_cause(exc)) from None
    if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        raise BotStartError(TOKEN_REJECTED.format(status=status))
    if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise _Unreachable(f"HTTP {status}")
    if status != HTTPStatus.OK or not _is_bot_api_ok(payload):
        raise BotStartError(
            f"{api_url} did not answer getMe like a Bot API (HTTP {status}): "
            "check NEWSDESK_BOT_API_URL and NEWSDESK_BOT_TOKEN"
        )


def _is_bot_api_ok(payload: bytes) -> bool:
    try:
        answer = json.loads(payload)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("ok") is True


def _root_cause(exc: BaseException) -> str:
    """The innermost cause's text ("Connect call failed", "Name or service not known")."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc) or type(exc).__name__
    return redact(text)
