"""`python -m bot` end to end: a real process, configured only through NEWSDESK_* variables."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from index import Archive
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import ADMIN, TOKEN, USER
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


async def test_python_m_bot_answers_and_stops_cleanly_on_sigterm(
    fake_api: FakeBotApi, module_archive: Archive
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")},
        "NEWSDESK_BOT_TOKEN": TOKEN,
        "NEWSDESK_BOT_API_URL": fake_api.base_url,
        "NEWSDESK_ADMIN_IDS": str(ADMIN.id),
        "NEWSDESK_DATA_DIR": str(module_archive.settings.data_dir),
        # Asked in English only: each worker warms up for English alone (the languages it
        # skips are ~2 s of CPU per worker; tests/bot/test_warmup.py covers all three).
        "NEWSDESK_WARM_UP_LANGUAGES": "en",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=Path.cwd(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    children: list[psutil.Process] = []
    commands: list[str] = []
    try:
        fake_api.offer(fake_api.private_message(USER, "Koval gold"))
        (reply,) = await fake_api.wait_for("sendMessage", timeout=60)
        assert "Koval" in reply.params["text"]
        assert fake_api.commands_for({"type": "chat", "chat_id": ADMIN.id})
        children = psutil.Process(process.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    # The default answers in two worker processes; SIGTERM stops them all, no orphans.
    assert len([command for command in commands if "resource_tracker" not in command]) == 2
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert TOKEN.split(":")[1] not in stderr
    assert "Traceback" not in stderr
    assert "Unclosed" not in stderr  # every Bot API session closed, the start check's too
    assert "warm-up done in" in stderr  # post_init warmed the archive before polling
