"""An online, consistent copy of the store through SQLite's backup API.

Copying ``newsdesk.sqlite3`` with ``cp`` while the bot writes can tear a page or miss the
part of the data still in the ``-wal`` file. ``sqlite3.Connection.backup`` copies the
pages through SQLite itself; with all pages in one step it reads them inside one read
transaction, so the copy is one consistent moment of the store, and in WAL mode that read
never blocks the bot's writers. The copy is written under a temporary name, switched to
rollback-journal mode (one self-contained file), checked with ``PRAGMA integrity_check``
and only then renamed to its final name.

The search index is not copied: it is rebuilt from the store (``newsdesk reindex``), so a
restore is "copy the file back, then reindex".
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.errors import NewsdeskError

logger = logging.getLogger(__name__)


class BackupError(NewsdeskError):
    """The backup could not be written (bad destination, copy failed its check)."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What ``newsdesk backup`` copied: where to, how much, and how long it took."""

    path: Path
    articles: int
    passages: int
    sources: int
    bytes: int
    seconds: float


def backup_store(store_path: Path, dest: Path) -> BackupReport:
    """Copy the store at ``store_path`` to ``dest`` while other connections keep writing.

    Args:
        store_path: the live store file.
        dest: a new file, or an existing folder (the copy is then named
            ``newsdesk-YYYYMMDD-HHMMSS.sqlite3`` inside it). An existing file is never
            overwritten.

    Returns:
        The final path and the counts of the copy, read from the copy itself.

    Raises:
        BackupError: the destination exists, its folder does not, it is the store itself,
            or the copy failed SQLite's integrity check.
    """
    started = time.monotonic()
    target = _target(store_path, dest)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    source = sqlite3.connect(store_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # pages=-1: every page in one step, one read transaction
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = [r[0] for r in copy.execute("PRAGMA integrity_check") if r[0] != "ok"]
            if problems:
                raise BackupError(f"the copy failed its check ({problems[0]})", item=str(target))
            articles, passages, sources = (
                copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("articles", "passages", "sources")
            )
        finally:
            copy.close()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    finally:
        source.close()
    os.replace(partial, target)
    size = target.stat().st_size
    logger.info("backup: %d articles, %d passages to %s", articles, passages, target)
    return BackupReport(target, articles, passages, sources, size, time.monotonic() - started)


def _target(store_path: Path, dest: Path) -> Path:
    """The file the copy goes to, refusing anything that could overwrite data."""
    dest = dest.expanduser()
    if dest.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        dest = dest / f"newsdesk-{stamp}.sqlite3"
    if dest.exists():
        raise BackupError("already exists; choose a new name", item=str(dest))
    if not dest.parent.is_dir():
        raise BackupError("the folder does not exist", item=str(dest.parent))
    if dest.resolve() == store_path.resolve():
        raise BackupError("is the store itself", item=str(dest))
    return dest
