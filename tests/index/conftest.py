"""Fixtures shared by the index tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from tests.conftest import shared_data

SEED = "seed/up-2024-08-04-zelenskyy-coalition.txt"
RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE = 1 << 30  # bytes; a smaller /dev/shm (containers: 64 MB) is not used


def _ram_disk() -> Path | None:
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


@pytest.fixture
def ram_path(tmp_path: Path) -> Iterator[Path]:
    """A fresh folder on a tmpfs (``tmp_path`` where there is none), removed after the test.

    For tests that create many archives: every archive write ends in fsyncs (SQLite, the
    index's segments and pointers), which on a disk wait for the device and on a busy CI
    machine made most of such a test's time; on tmpfs an fsync returns at once and the code
    path is the same.
    """
    disk = _ram_disk()
    if disk is None:
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="newsdesk-test-", dir=disk))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An archive holding only the seed page (../shared/data/seed/; skips when absent)."""
    path = shared_data(SEED)
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(path)])
        assert report.count("new") == 1, report
        yield archive
