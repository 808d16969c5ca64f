"""The test run's scratch space on a RAM disk, when the machine has one (a pytest plugin).

Every archive write ends in fsyncs (SQLite, the index's segments and their pointer files),
and the suite creates a few thousand archives. On a disk each fsync waits for the device;
on CI's 2-core machine that waiting was most of many tests' time: ``tests/index/
test_archive.py`` with ``test_archive_filters.py`` took 27-28 s of wall time with their
``tmp_path`` on disk and 16-18 s on ``/dev/shm``, for the same ~11 s of CPU (2026-12-07,
``python -m pytest -q -n 0 FILES`` against ``--basetemp`` on ``/dev/shm``). On tmpfs an
fsync returns at once; the code path under test is the same. Durability itself (what
survives a kill) does not depend on the fsyncs reaching a device: a killed process leaves
its writes in the page cache either way.

The plugin makes one run directory on the RAM disk, points ``TMPDIR`` at it before any test
asks for a temporary path (so ``tmp_path``, ``tempfile`` and the subprocesses and xdist
workers the tests start all write there), and removes it when the run ends without failures
(after a failure it is kept, and its path is printed, for a look at what the test left).
A ``TMPDIR`` or ``--basetemp`` the user gives is respected, and a machine without a tmpfs
with room (a container's 64 MB ``/dev/shm``) runs as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE = 2 << 30  # bytes; a full run writes ~100 MB, the margin is for the machine
_RUN_DIR = pytest.StashKey[Path]()
_FAILED = pytest.StashKey[bool]()


def ram_disk() -> Path | None:
    """``/dev/shm`` when it is a writable tmpfs with room, else None."""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            tmpfs = any(
                line.split()[1:3] == [str(RAM_DISK), "tmpfs"] for line in mounts if line.strip()
            )
        free = os.statvfs(RAM_DISK)
    except OSError:
        return None
    room = free.f_bavail * free.f_frsize >= RAM_DISK_MIN_FREE
    return RAM_DISK if tmpfs and room and os.access(RAM_DISK, os.W_OK) else None


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: it inherits the controller's TMPDIR and basetemp
    if config.option.basetemp is not None or os.environ.get("TMPDIR"):
        return
    disk = ram_disk()
    if disk is None:
        return
    run_dir = Path(tempfile.mkdtemp(prefix="newsdesk-tests-", dir=disk))
    # As /tmp: the PostgreSQL tests run the server as another user, who must reach its
    # cluster folder here when the suite runs as root.
    run_dir.chmod(0o1777)
    os.environ["TMPDIR"] = str(run_dir)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again on its next call
    config.stash[_RUN_DIR] = run_dir


def pytest_report_header(config: pytest.Config) -> str | None:
    run_dir = config.stash.get(_RUN_DIR, None)
    return f"scratch: {run_dir} (tmpfs)" if run_dir is not None else None


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    run_dir = config.stash.get(_RUN_DIR, None)
    config.stash[_FAILED] = exitstatus != 0
    if run_dir is not None and exitstatus != 0:
        terminalreporter.write_line(f"the failed run's scratch is kept in {run_dir}")


def pytest_unconfigure(config: pytest.Config) -> None:
    run_dir = config.stash.get(_RUN_DIR, None)
    if run_dir is not None and not config.stash.get(_FAILED, False):
        shutil.rmtree(run_dir, ignore_errors=True)
