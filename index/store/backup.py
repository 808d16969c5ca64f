"""An online, consistent copy of the store through SQLite's backup API.

Copying ``newsdesk.sqlite3`` with ``cp`` while the bot writes can tear a page or miss the
part of the data still in the ``-wal`` file. ``sqlite3.Connection.backup`` copies the
pages through SQLite itself; with all pages in one step it reads them inside one read
transaction, so the copy is one consistent moment of the store, and in WAL mode that read
never blocks the bot's writers. The copy is written under a temporary name, switched to
rollback-journal mode (one self-contained file), checked with ``PRAGMA integrity_check``
and only then renamed to its final name.

The search index is not copied: it is rebuilt from the store, so a restore is "put the
file back, then reindex" (``newsdesk restore BACKUP`` does both).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
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


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What ``newsdesk restore`` put back, and where the store it replaced was moved."""

    backup: Path
    articles: int
    passages: int
    replaced: Path | None


def restore_store(backup: Path, store_path: Path) -> RestoreReport:
    """Put a backup in place of the store at ``store_path``, keeping the old one aside.

    The backup is checked first (a readable SQLite store passing its integrity check), then
    copied beside the store under a temporary name. The old store, with its ``-wal`` and
    ``-shm`` files, is renamed to ``newsdesk.sqlite3.before-restore-DATE-TIME`` (never
    deleted), and the copy renamed into place: a stale ``-wal`` left beside a restored file
    would be replayed into it and corrupt it. The index must be rebuilt afterwards.

    Raises:
        BackupError: the backup is missing, unreadable, damaged or not a newsdesk store.
    """
    if not backup.is_file():
        raise BackupError("no such backup file", item=str(backup))
    articles, passages = _checked_counts(backup)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    partial = store_path.with_name(store_path.name + ".partial")
    shutil.copyfile(backup, partial)
    replaced = None
    if store_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        replaced = store_path.with_name(f"{store_path.name}.before-restore-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            part = store_path.with_name(store_path.name + suffix)
            if part.exists():
                os.replace(part, replaced.with_name(replaced.name + suffix))
    os.replace(partial, store_path)
    logger.info("restored %s (%d articles) to %s", backup, articles, store_path)
    return RestoreReport(backup, articles, passages, replaced)


def _checked_counts(backup: Path) -> tuple[int, int]:
    """Articles and passages of a backup that passes SQLite's integrity check."""
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the backup ({exc})", item=str(backup)) from None
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if problems:
            raise BackupError(f"the backup is damaged ({problems[0]})", item=str(backup))
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a newsdesk store backup ({exc})", item=str(backup)) from None
    finally:
        conn.close()
    return int(articles), int(passages)
