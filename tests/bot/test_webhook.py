"""Webhook mode: PTB's webhook server with a secret token, fed like Telegram feeds it, and
refusing what Telegram would never send."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
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
    assert app.updater.running
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
            good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}
            wrong_secret = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    **good,
                    **{"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                },
            )
            not_json = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                content="update_id=2",
                headers={"Content-Type": "application/x-www-form-urlencoded", **good},
            )
            not_an_update = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                content="[1, 2",
                headers={"Content-Type": "application/json", **good},
            )
            elsewhere = await client.post(
                f"http://127.0.0.1:{port}/other",
                content=json.dumps(update),
                headers={"Content-Type": "application/json", **good},
            )
        assert refused.status_code == 403 and accepted.status_code == 200
        assert wrong_secret.status_code == 403 and not_json.status_code == 403
        # PTB's server answers a body that is no JSON with an error status (500), not a crash
        assert not_an_update.status_code >= 400 and elsewhere.status_code == 404
        (reply,) = await fake_api.wait_for("sendMessage")
        assert "Koval" in reply.params["text"]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert not app.updater.running
    with socket.socket() as probe:  # the server let go of its port
        probe.bind(("127.0.0.1", port))


async def test_a_refused_set_webhook_stops_the_server_and_says_why(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    from telegram.error import BadRequest

    from tests.auxil.fake_bot_api import BadRequestError

    async def refuse(params: dict[str, object]) -> bool:
        raise BadRequestError("Bad Request: bad webhook: HTTPS url must be provided for webhook")

    fake_api._api_setwebhook = refuse  # type: ignore[method-assign]
    port = free_port()
    settings = make_settings(
        tmp_path, fake_api, webhook_url=f"http://127.0.0.1:{port}/hook", webhook_port=port
    )
    app = build_application(settings, module_archive, close_archive=False)
    await app.initialize()
    try:
        assert app.updater is not None
        with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
            await app.updater.start_webhook(**webhook_options(settings))
        assert not app.updater.running
        with socket.socket() as probe:  # nothing left listening on the port
            probe.bind(("127.0.0.1", port))
    finally:
        await app.shutdown()
