"""`newsdesk run` that cannot start says so in one line, exits 2 and never shows the token.

Each case runs the real entry point in a subprocess against 127.0.0.1: the fake Bot API
(which answers 401 to any other token, as Telegram does), or a port nobody listens on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from aiohttp import web

from bot.settings import TOKEN_MISSING, load_bot_settings
from bot.startup import check_bot_api, start_request
from index import IndexSettings, SettingsError, open_archive
from index.store.db import STORE_FILENAME
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import USER
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

# A token the fake server does not know: it answers 401 Unauthorized, as Telegram does.
WRONG_TOKEN = "123456789:AAHwrongwrongwrongwrongwrongwrong_x1"
WRONG_SECRET = WRONG_TOKEN.split(":")[1]
REJECTED = "error: the Bot API rejected the token (401): check NEWSDESK_BOT_TOKEN"
# `python -m bot` and the `newsdesk` console script (bot.cli:main) with `run`.
PYTHON_M_BOT = ("-m", "bot")
CONSOLE_RUN = ("-c", "import sys; from bot.cli import main; sys.exit(main())", "run")


def _closed_port() -> int:
    """A port on 127.0.0.1 that was just free: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return {**clean, "PYTHONPATH": str(PROJECT_ROOT), **env}


def _run(
    entry: Sequence[str], env: dict[str, str], cwd: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *entry],
        env=_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _assert_clean(result: subprocess.CompletedProcess[str]) -> list[str]:
    """No token, no traceback, no unclosed session; returns stderr's lines."""
    output = result.stdout + result.stderr
    assert WRONG_SECRET not in output
    assert "Traceback" not in output
    assert "Unclosed" not in output
    assert result.stdout == ""
    return result.stderr.splitlines()


@pytest.mark.parametrize("entry", [PYTHON_M_BOT, CONSOLE_RUN], ids=["python-m-bot", "console"])
async def test_a_rejected_token_is_one_line_without_the_token(
    fake_api: FakeBotApi, tmp_path: Path, entry: Sequence[str]
) -> None:
    env = {"NEWSDESK_BOT_TOKEN": WRONG_TOKEN, "NEWSDESK_BOT_API_URL": fake_api.base_url}
    result = await asyncio.to_thread(_run, entry, env, str(tmp_path))
    assert _assert_clean(result) == [REJECTED]
    assert result.returncode == 2
    assert [call.method for call in fake_api.calls] == []  # refused before any method ran


async def test_a_token_revoked_right_after_the_check_is_the_same_one_line(
    tmp_path: Path,
) -> None:
    """The start check's getMe passes, PTB's own getMe gets 401: still one line, exit 2."""
    answers = iter([200])

    async def get_me(request: web.Request) -> web.Response:
        if next(answers, 401) == 200:
            user = {"id": 123456789, "is_bot": True, "first_name": "N", "username": "n_bot"}
            return web.json_response({"ok": True, "result": user})
        body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return web.json_response(body, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", get_me)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    env = {
        "NEWSDESK_BOT_TOKEN": WRONG_TOKEN,
        "NEWSDESK_BOT_API_URL": f"http://127.0.0.1:{port}/bot",
        "NEWSDESK_ANSWER_POOL": "threads",
    }
    # An (empty) archive, so the start gets past it to PTB's own getMe.
    open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)).close()
    try:
        result = await asyncio.to_thread(_run, PYTHON_M_BOT, env, str(tmp_path))
    finally:
        await runner.cleanup()
    assert _assert_clean(result) == [REJECTED]
    assert result.returncode == 2


async def test_an_unreachable_bot_api_is_one_line_naming_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot"
    env = {
        "NEWSDESK_BOT_TOKEN": WRONG_TOKEN,
        "NEWSDESK_BOT_API_URL": url,
        "NEWSDESK_START_RETRIES": "0",
    }
    result = await asyncio.to_thread(_run, PYTHON_M_BOT, env, str(tmp_path))
    (line,) = _assert_clean(result)
    assert line.startswith(f"error: cannot reach the Bot API at {url} (")
    assert line.endswith("): check the network and NEWSDESK_BOT_API_URL")
    assert result.returncode == 2


async def test_start_retries_are_bounded_with_one_warning_each(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot"
    env = {
        "NEWSDESK_BOT_TOKEN": WRONG_TOKEN,
        "NEWSDESK_BOT_API_URL": url,
        "NEWSDESK_START_RETRIES": "1",
        "NEWSDESK_BOT_HTTP": "httpx",  # PTB's own transport fails as cleanly
    }
    result = await asyncio.to_thread(_run, PYTHON_M_BOT, env, str(tmp_path))
    warning, line = _assert_clean(result)
    assert warning.startswith(f"WARNING bot.startup: cannot reach the Bot API at {url} (")
    assert warning.endswith("attempt 1 of 2, next in 1 s")
    assert line.startswith(f"error: cannot reach the Bot API at {url} (")
    assert result.returncode == 2


def test_a_missing_token_points_to_botfather(tmp_path: Path) -> None:
    result = _run(CONSOLE_RUN, {}, str(tmp_path))
    assert _assert_clean(result) == [f"error: {TOKEN_MISSING}"]
    assert TOKEN_MISSING == (
        "NEWSDESK_BOT_TOKEN is not set: create a bot with @BotFather (README, 'Create the bot')"
    )
    assert result.returncode == 2


def test_other_bad_settings_still_name_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BOT_TOKEN", "not-a-token")
    with pytest.raises(SettingsError, match=r"^invalid value for NEWSDESK_BOT_TOKEN: malformed"):
        load_bot_settings()
    monkeypatch.setenv("NEWSDESK_BOT_TOKEN", WRONG_TOKEN)
    monkeypatch.setenv("NEWSDESK_START_RETRIES", "-1")
    with pytest.raises(SettingsError, match=r"^invalid value for NEWSDESK_START_RETRIES"):
        load_bot_settings()


@pytest.mark.parametrize("http", ["aiohttp", "httpx"])
async def test_the_start_check_accepts_the_token_and_closes_its_session(
    fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, http: str
) -> None:
    monkeypatch.setenv("NEWSDESK_BOT_TOKEN", fake_api.token)
    monkeypatch.setenv("NEWSDESK_BOT_API_URL", fake_api.base_url)
    monkeypatch.setenv("NEWSDESK_BOT_HTTP", http)
    settings = load_bot_settings()
    request = start_request(settings)
    await check_bot_api(settings, request)
    (call,) = fake_api.calls
    assert call.method == "getMe"
    # Shut down after the check: a second use needs a new initialize().
    with pytest.raises(RuntimeError):
        await request.do_request(f"{fake_api.base_url}{fake_api.token}/getMe", "POST")


# -- issue 10: `newsdesk run` on a missing archive --------------------------------------------


async def test_run_on_a_missing_archive_is_one_line_and_creates_nothing(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    env = {
        "NEWSDESK_BOT_TOKEN": fake_api.token,
        "NEWSDESK_BOT_API_URL": fake_api.base_url,
        "NEWSDESK_ANSWER_POOL": "threads",  # no worker processes to outlive a timed-out run
    }
    # Before the fix the bot created ./data and polled on: the timeout ends that run.
    result = await asyncio.to_thread(_run, CONSOLE_RUN, env, str(tmp_path), 60)
    assert _assert_clean(result) == ["error: no archive at data (run `newsdesk ingest` first)"]
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == []  # no empty archive left behind
    # The token was checked first (one getMe), and nothing else was asked.
    assert [call.method for call in fake_api.calls] == ["getMe"]


async def test_run_with_feeds_creates_the_archive_the_poller_fills(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    env = {
        "NEWSDESK_BOT_TOKEN": fake_api.token,
        "NEWSDESK_BOT_API_URL": fake_api.base_url,
        "NEWSDESK_FEEDS": f"local=http://127.0.0.1:{_closed_port()}/feed.xml",
        "NEWSDESK_ANSWER_POOL": "threads",
        # The question is English: the uk and ru dictionaries (~3 s of CPU) are not needed.
        "NEWSDESK_WARM_UP_LANGUAGES": "en",
    }
    process = subprocess.Popen(
        [sys.executable, *CONSOLE_RUN],
        env=_env(env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Running on the archive it created: a question gets an answer (nothing is in it yet).
        fake_api.offer(fake_api.private_message(USER, "bridge repairs"))
        (reply,) = await fake_api.wait_for("sendMessage", timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    assert reply.params["chat_id"] == USER.id
    assert (tmp_path / "data" / STORE_FILENAME).is_file()
    assert "no archive" not in stderr and "Traceback" not in stderr


# -- issue 15: `newsdesk run` with a PostgreSQL store it cannot use ---------------------------


async def test_run_with_a_wrong_database_password_is_one_line_without_it(
    fake_api: FakeBotApi, tmp_path: Path, postgres_cluster
) -> None:  # type: ignore[no-untyped-def]
    secret = "Wr0ng-db-secret"
    env = {
        "NEWSDESK_BOT_TOKEN": fake_api.token,
        "NEWSDESK_BOT_API_URL": fake_api.base_url,
        "NEWSDESK_DATABASE_URL": postgres_cluster.url(password=secret),
        "NEWSDESK_ANSWER_POOL": "threads",
    }
    result = await asyncio.to_thread(_run, CONSOLE_RUN, env, str(tmp_path), 60)
    lines = _assert_clean(result)
    assert secret not in result.stdout + result.stderr
    assert len(lines) == 1 and "password authentication failed" in lines[0], lines
    assert lines[0].startswith("error: cannot connect to the PostgreSQL store postgresql://")
    assert result.returncode == 2
