"""The aiohttp transport behind PTB: JSON bodies in, bytes out, PTB's errors, files as multipart.

The end-to-end tests run through it (it is the default); here are its edges, and one
end-to-end question through PTB's own httpx transport, which NEWSDESK_BOT_HTTP=httpx selects.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.app import build_application
from bot.transport import AiohttpRequest
from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import USER, make_settings, running_bot


@pytest.fixture
async def echo_server() -> AsyncIterator[str]:
    """127.0.0.1 server: /slow sleeps, /echo returns the content type and the JSON object or
    the form fields (and file names) it got."""

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True})

    async def echo(request: web.Request) -> web.Response:
        fields: dict[str, object] = {}
        if request.content_type == "application/json":
            fields = await request.json()
        elif request.content_type.startswith("multipart/"):
            async for part in await request.multipart():
                body = await part.read()  # type: ignore[union-attr]
                fields[part.name or "?"] = (
                    f"{part.filename}:{body.decode()}" if part.filename else body.decode()
                )
        else:
            fields = {key: str(value) for key, value in (await request.post()).items()}
        return web.json_response(
            {"method": request.method, "type": request.content_type, "fields": fields}
        )

    app = web.Application()
    app.router.add_route("*", "/slow", slow)
    app.router.add_route("*", "/echo", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def _form(**values: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_parameters_arrive_as_one_json_object_and_files_as_multipart(
    echo_server: str,
) -> None:
    request = AiohttpRequest(connection_pool_size=2)
    await request.initialize()
    try:
        markup = {"inline_keyboard": [[{"text": "More ›", "callback_data": "m:1"}]]}
        status, body = await request.do_request(
            f"{echo_server}/echo",
            "POST",
            _form(chat_id=42, text="<b>hi</b> & ✓ ?=%+", reply_markup=markup, protect=False),
        )
        assert status == 200
        echoed = json.loads(body)
        assert echoed["type"] == "application/json"
        # Typed values, nested objects as objects: what the Bot API reads from a JSON body.
        assert echoed["fields"] == {
            "chat_id": 42,
            "text": "<b>hi</b> & ✓ ?=%+",
            "reply_markup": markup,
            "protect": False,
        }

        upload = _form(chat_id=42, document=InputFile(b"payload", filename="a.txt"))
        status, body = await request.do_request(f"{echo_server}/echo", "POST", upload)
        echoed = json.loads(body)
        assert echoed["type"] == "multipart/form-data"
        assert echoed["fields"]["chat_id"] == "42"
        assert [value for value in echoed["fields"].values() if value.endswith(":payload")]

        status, body = await request.do_request(f"{echo_server}/echo", "GET")
        assert json.loads(body)["fields"] == {}
    finally:
        await request.shutdown()


async def test_a_slow_reply_is_ptbs_timed_out(echo_server: str) -> None:
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{echo_server}/slow", "POST")
    finally:
        await request.shutdown()


async def test_an_unreachable_server_is_ptbs_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(f"http://127.0.0.1:{port}/x", "POST")
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"http://127.0.0.1:{port}/x", "POST")


async def test_the_httpx_transport_still_answers_end_to_end(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fake_api, bot_http="httpx")
    assert isinstance(build_application(settings, module_archive).bot.request, HTTPXRequest)
    async with running_bot(settings, module_archive, fake_api) as app:
        assert isinstance(app.bot.request, HTTPXRequest)
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (reply,) = await fake_api.wait_for("sendMessage")
    assert reply.ok and "Koval" in reply.params["text"]


async def test_the_default_transport_is_aiohttp(
    fake_api: FakeBotApi, module_archive: Archive, tmp_path: Path
) -> None:
    async with running_bot(make_settings(tmp_path, fake_api), module_archive, fake_api) as app:
        assert isinstance(app.bot.request, AiohttpRequest)
