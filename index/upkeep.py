"""`newsdesk check`: is the store sound, and is the index in step with it?

An operator wants one command that says whether anything is wrong and what to do about
it. The store is the source of truth, so it is checked first (SQLite's integrity check,
then every passage against its article body); the index is then compared with it by
counts: passages stored against passages indexed, and the queue of index updates the
store holds for the index (``index_queue``: a killed or concurrent process's changes,
applied by the next command that searches). Every problem comes with its fix.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.analysis.version import stale_analysis
from index.errors import NewsdeskError
from index.models import StoreStats
from index.store import RESTORE_HINT, STORE_FILENAME, ArticleStore

REINDEX_FIX = "run `newsdesk reindex` to rebuild the index from the store"
RESTORE_FIX = RESTORE_HINT


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing wrong, and the command or step that fixes it."""

    what: str
    fix: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``newsdesk check`` found; counts are None when the damaged store hid them."""

    store_problems: tuple[str, ...]
    articles: int | None
    passages: int | None
    indexed_passages: int | None
    pending_index_updates: int | None
    store_bytes: int
    index_bytes: int
    problems: tuple[CheckProblem, ...]

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.problems


class Checked(Protocol):
    """What the check reads of the facade (``Archive``), which imports this module."""

    data_dir: Path
    index_dir: Path
    store: ArticleStore

    def stats(self) -> StoreStats: ...


def check_archive(archive: Checked) -> CheckReport:
    """Check the store's integrity and the index against the store.

    Never raises for damage: a damaged store is a finding, reported with its fix.
    """
    problems: list[CheckProblem] = []
    try:
        store_problems = tuple(archive.store.check_integrity())
    except sqlite3.DatabaseError as exc:
        store_problems = (str(exc),)
    if store_problems:
        shown = "; ".join(store_problems[:3])
        more = f" (and {len(store_problems) - 3} more)" if len(store_problems) > 3 else ""
        problems.append(CheckProblem(f"the store is damaged: {shown}{more}", RESTORE_FIX))
    articles = passages = indexed = pending = None
    try:
        stats = archive.stats()
        removes, adds = archive.store.pending_index_ops()
    except (sqlite3.DatabaseError, NewsdeskError) as exc:
        if not store_problems:
            problems.append(CheckProblem(f"the store cannot be read ({exc})", RESTORE_FIX))
    else:
        articles, passages, indexed = stats.articles, stats.passages, stats.index_passages
        pending = len(removes) + len(adds)
        if indexed != passages:
            what = f"the index holds {indexed} passages, the store {passages}"
            if pending:
                what += f" ({pending} index updates are queued)"
            problems.append(CheckProblem(what, REINDEX_FIX))
    stale = stale_analysis(archive.index_dir) if indexed else None
    if stale is not None:
        problems.append(CheckProblem(stale, REINDEX_FIX))
    return CheckReport(
        store_problems=store_problems,
        articles=articles,
        passages=passages,
        indexed_passages=indexed,
        pending_index_updates=pending,
        store_bytes=_store_bytes(archive),
        index_bytes=_tree_bytes(archive.index_dir),
        problems=tuple(problems),
    )


def _store_bytes(archive: Checked) -> int:
    """The store file and its WAL side files; on PostgreSQL, the database on the server
    (``pg_database_size``: the data dir holds no store file there), 0 when unreachable."""
    db = archive.store.db
    if db.backend == "postgresql":
        try:
            return db.size_bytes()
        except sqlite3.DatabaseError:
            return 0
    return sum(
        part.stat().st_size
        for part in archive.data_dir.glob(f"{STORE_FILENAME}*")
        if part.is_file() and not part.name.endswith(".partial")
    )


def _tree_bytes(path: Path) -> int:
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
