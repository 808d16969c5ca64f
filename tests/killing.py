"""Helpers for the `kill -9` tests: run a writer until the store holds N articles, then kill it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def count_articles(store_file: Path | str) -> int:
    """Articles in a store another process is writing; 0 before the table exists.

    ``store_file`` is a SQLite file, or a PostgreSQL URL.
    """
    if isinstance(store_file, str):
        import psycopg

        with psycopg.connect(store_file, autocommit=True) as conn:
            try:
                return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            except psycopg.errors.UndefinedTable:
                return 0
    if not store_file.exists():
        return 0
    conn = sqlite3.connect(store_file, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def kill_after_articles(
    command: list[str], store_file: Path | str, articles: int, timeout_s: float
) -> None:
    """Start ``command``, wait until ``store_file`` holds ``articles`` articles, then SIGKILL it.

    Fails the test when the writer exits on its own or makes no progress within ``timeout_s``,
    and checks that it really died of the kill.
    """
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + timeout_s
        while count_articles(store_file) < articles:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
