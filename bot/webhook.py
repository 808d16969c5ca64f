"""The webhook server on aiohttp, in place of python-telegram-bot's tornado server.

Why: a webhook replica receives every update as one HTTP request (long polling fetches them
in batches), and PTB's ``WebhookServer`` parses each one with tornado's pure-Python HTTP
stack. Measured against the same ``Update.de_json`` and queue, on the shared 2-core machine
(3,000 POSTs, CPU of the serving process): ~400–450 µs per update through PTB's server,
~220–240 µs through aiohttp's C parser (``docs/postgres.md``, "Where the CPU went").
aiohttp is already the bot's Bot API client (``bot.transport``).

Only the server changes. ``AiohttpUpdater`` is PTB's ``Updater`` with ``start_webhook`` and
``stop`` overridden, so ``Application.run_webhook`` keeps its whole lifecycle (post_init,
signals, stop, post_shutdown), and each request is checked and decoded as PTB's own
``TelegramHandler`` does it: JSON only (403 otherwise), the secret token when one is set
(403 without it or with a wrong one), 400 for a body that is not an update, 200 once the
update is queued. A certificate, a key or a Unix socket goes to PTB's own server, which
handles them (newsdesk's Deployment puts TLS on the load balancer).
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from pathlib import Path
from socket import socket
from typing import Any

from aiohttp import web
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_80, DEFAULT_IP, DefaultValue
from telegram._utils.types import DVType
from telegram.error import TelegramError
from telegram.ext import Application, ExtBot, Updater

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
BOOTSTRAP_INTERVAL_S = 1.0  # between setWebhook attempts, as PTB's bootstrap waits


class AiohttpUpdater(Updater):
    """PTB's ``Updater`` whose webhook server is aiohttp (see the module docstring)."""

    # PTB's Updater has __slots__; so does this subclass.
    __slots__ = ("_runner",)

    def __init__(self, bot: Any, update_queue: asyncio.Queue[object]) -> None:
        super().__init__(bot=bot, update_queue=update_queue)
        self._runner: web.AppRunner | None = None

    async def start_webhook(
        self,
        listen: DVType[str] = DEFAULT_IP,
        port: DVType[int] = DEFAULT_80,
        url_path: str = "",
        cert: str | Path | None = None,
        key: str | Path | None = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Any = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: str | Path | socket | None = None,
    ) -> asyncio.Queue[object]:
        """Listen on ``listen:port/url_path``, then set the webhook; returns the update queue.

        Raises:
            RuntimeError: the updater is already running.
            TelegramError: setWebhook failed ``bootstrap_retries`` + 1 times (the server is
                stopped again).
        """
        if cert is not None or key is not None or unix is not None:
            return await super().start_webhook(
                listen=listen,
                port=port,
                url_path=url_path,
                cert=cert,
                key=key,
                bootstrap_retries=bootstrap_retries,
                webhook_url=webhook_url,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                ip_address=ip_address,
                max_connections=max_connections,
                secret_token=secret_token,
                unix=unix,
            )
        if self.running:
            raise RuntimeError("This Updater is already running!")
        path = "/" + url_path.lstrip("/")
        host = str(DefaultValue.get_value(listen))
        number = int(DefaultValue.get_value(port))
        app = web.Application()
        app.router.add_post(path, _Receiver(self.bot, self.update_queue, secret_token).receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, number).start()
            await self._set_webhook(
                url=webhook_url or f"http://{host}:{number}{path}",
                retries=bootstrap_retries,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                ip_address=ip_address,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._running = True
        logger.debug("webhook server (aiohttp) listening on %s:%s%s", host, number, path)
        return self.update_queue

    async def _set_webhook(self, *, url: str, retries: int, **options: Any) -> None:
        """setWebhook, tried ``retries`` more times after a failure (-1: until it works)."""
        attempt = 0
        while True:
            try:
                await self.bot.set_webhook(url=url, **options)
                return
            except TelegramError:
                if retries != -1 and attempt >= retries:
                    raise
                attempt += 1
                logger.warning("setWebhook failed; trying again in %g s", BOOTSTRAP_INTERVAL_S)
                await asyncio.sleep(BOOTSTRAP_INTERVAL_S)

    async def stop(self) -> None:
        """Stop the webhook server (PTB's, if it was started for TLS or a Unix socket)."""
        if self._runner is None:
            await super().stop()
            return
        self._running = False
        runner, self._runner = self._runner, None
        await runner.cleanup()


class _Receiver:
    """One POST from Telegram: checked and decoded as PTB's ``TelegramHandler`` does."""

    def __init__(self, bot: Any, queue: asyncio.Queue[object], secret: str | None) -> None:
        self._bot = bot
        self._queue = queue
        self._secret = secret

    async def receive(self, request: web.Request) -> web.Response:
        if request.headers.get("Content-Type") != "application/json":
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if self._secret is not None and request.headers.get(SECRET_HEADER) != self._secret:
            logger.debug("webhook request without the right secret token")
            return web.Response(status=HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(await request.read()), self._bot)
        except Exception:  # anything unparsable is the sender's problem
            logger.warning("webhook request that is not an update; refused", exc_info=True)
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        if isinstance(self._bot, ExtBot):
            self._bot.insert_callback_data(update)
        await self._queue.put(update)
        return web.Response()


def use_aiohttp_webhook(application: Application) -> None:  # type: ignore[type-arg]
    """Give ``application`` an ``AiohttpUpdater`` on its own bot and update queue.

    Set after ``build()``: ``ApplicationBuilder.updater`` excludes setting the token and the
    request objects on the builder, which ``bot.app.build_application`` needs.
    """
    application.updater = AiohttpUpdater(application.bot, application.update_queue)
