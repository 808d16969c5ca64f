"""A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, 127.0.0.1 only.

The server binaries come from the distribution's packages (``/usr/lib/postgresql/N/bin``),
``pg_config --bindir`` or PATH; without them the PostgreSQL tests skip, saying so. ``initdb``
refuses to run as root, so under root the cluster belongs to the ``postgres`` system user
(``nobody`` when there is none) and every server command runs through ``runuser``.

Each pytest-xdist worker starts its own cluster on a free port (a session fixture runs once
per worker process), so workers never share a database; each test gets a fresh database.
Durability is switched off (``fsync=off``): the cluster lives as long as the test session.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path

SUPERUSER = "newsdesk"
PASSWORD = "s3cret-Pa55"  # test-only cluster on 127.0.0.1, gone at the end of the session
START_TIMEOUT_S = 60


def find_bindir() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None (then tests skip)."""
    candidates: list[Path] = []
    for version in ("15", "16", "17", "14", "13"):
        candidates.append(Path(f"/usr/lib/postgresql/{version}/bin"))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
        candidates.append(Path(out.stdout.strip()))
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(os.path.realpath(found)).parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """Under root, the system user that owns the cluster (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither 'postgres' nor 'nobody' exists")


@dataclass
class Cluster:
    """A running cluster: its port, folder and how to reach it."""

    bindir: Path
    root: Path
    port: int
    user: str | None
    _names: count = None  # type: ignore[assignment]
    _options: str = ""

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        done = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._options = options
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
            "-w", "-t", str(START_TIMEOUT_S), "start",
        )  # fmt: skip
        if done.returncode != 0:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr or done.stdout}\n{log}")
        self._names = count()

    def restart(self) -> None:
        """Stop (fast: connections are cut) and start again on the same port."""
        log = str(self.root / "log")
        done = self._run("pg_ctl", "-D", str(self.data), "-l", log, "-m", "fast", "-w", "restart")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed: {done.stderr or done.stdout}")

    def halt(self) -> None:
        """Stop the server (connections are cut) and keep its data: ``resume`` starts it."""
        done = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {done.stderr or done.stdout}")

    def resume(self) -> None:
        """Start a halted server again, on the same port."""
        log = str(self.root / "log")
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", self._options, "-w",
            "-t", str(START_TIMEOUT_S), "start",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr or done.stdout}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster() -> Cluster | None:
    """Start a cluster, or None when no PostgreSQL server binaries are installed."""
    bindir = find_bindir()
    if bindir is None:
        return None
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    cluster = Cluster(bindir, root, _free_port(), user)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
