"""The token is redacted from log records and from uncaught exceptions, whoever raised them."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.logs import REDACTED, protect_token
from tests.conftest import PROJECT_ROOT

TOKEN = "555666777:AAHleakleakleakleakleakleakleakleak_z"
SECRET = TOKEN.split(":")[1]
URL = f"http://127.0.0.1:1/bot{TOKEN}/getMe"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    prelude = f"from bot.logs import protect_token\nprotect_token({TOKEN!r})\n"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_library_exceptions_in_log_records_lose_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect_token(TOKEN)
    caplog.set_level(logging.INFO)
    log = logging.getLogger("telegram.ext")  # as PTB's retry loop logs it
    for error in (
        InvalidToken(f"The token `{TOKEN}` was rejected by the server."),  # PTB's wording
        NetworkError(f"httpx.ConnectError: cannot connect to {URL}"),  # an HTTP error's URL
    ):
        try:
            raise error
        except Exception:
            log.exception("Network Retry Loop: aborting")
    log.info("POST %s", URL)
    text = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert SECRET not in text
    assert f"bot{REDACTED}/getMe" in text
    assert f"The token `{REDACTED}` was rejected" in text


def test_an_uncaught_exception_at_exit_is_printed_without_the_token() -> None:
    result = _python(f"raise RuntimeError('POST {URL} failed')\n")
    assert result.returncode == 1
    assert SECRET not in result.stderr
    assert "Traceback" in result.stderr  # a crash stays visible, only the secret goes
    assert f"RuntimeError: POST http://127.0.0.1:1/bot{REDACTED}/getMe failed" in result.stderr


def test_an_uncaught_exception_in_a_thread_is_printed_without_the_token() -> None:
    result = _python(
        f"""
        import threading

        def work():
            raise ConnectionError('{URL}')

        thread = threading.Thread(target=work, name="poller")
        thread.start()
        thread.join()
        """
    )
    assert result.returncode == 0
    assert SECRET not in result.stderr
    assert "Exception in thread poller" in result.stderr
    assert f"bot{REDACTED}/getMe" in result.stderr
