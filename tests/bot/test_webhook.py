"""Webhook mode: PTB's webhook server with a secret token, fed like Telegram feeds it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
from pydantic import SecretStr

from bot.app import build_application, webhook_options
from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import USER, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_options_take_the_path_from_the_url_and_make_a_secret(tmp_path: Path) -> None:
    server = FakeBotApi("1:" + "a" * 35)
    settings = make_settings(tmp_path, server, webhook_url="https://bot.example.org/tg/hook")
    first, second = webhook_options(settings), webhook_options(settings)
    assert first["url_path"] == "tg/hook" and first["listen"] == "127.0.0.1"
    assert len(first["secret_token"]) >= 32 and first["secret_token"] != second["secret_token"]


async def test_webhook_answers_updates_that_carry_the_secret(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    port = free_port()
    settings = make_settings(
        tmp_path,
        fake_api,
        webhook_url=f"http://127.0.0.1:{port}/tg/hook",
        webhook_port=port,
        webhook_secret=SecretStr("s3cret_Token-1"),
    )
    app = build_application(settings, module_archive, close_archive=False)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**webhook_options(settings))
    try:
        (set_webhook,) = await fake_api.wait_for("setWebhook")
        assert set_webhook.params["secret_token"] == "s3cret_Token-1"
        assert set_webhook.params["url"] == f"http://127.0.0.1:{port}/tg/hook"
        update = {"update_id": 1, **fake_api.private_message(USER, "Koval gold")}
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                content=json.dumps(update),
                headers={"Content-Type": "application/json"},
            )
            accepted = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1",
                },
            )
        assert refused.status_code == 403 and accepted.status_code == 200
        (reply,) = await fake_api.wait_for("sendMessage")
        assert "Koval" in reply.params["text"]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
