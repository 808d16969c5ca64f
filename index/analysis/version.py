"""Which analyzer version an index's terms were made with: a small file beside the index.

An index keeps the terms it was built with, and ``ANALYSIS_VERSION`` changes whenever the
analyzer would give some text other terms. The index keeper writes the version into the index
folder when it creates an index empty and after every full rebuild, never after a delta: an
index built by another version keeps its old terms (after more ingests, a mix of both), and
only ``newsdesk reindex`` replaces them all. Reading it back tells the keeper (a warning on
opening) and ``newsdesk check`` (a problem with the reindex fix) that questions, analysed by
this version, may miss words the index spells the old way.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from index.analysis.analyzer import ANALYSIS_VERSION

ANALYSIS_FILE = "analysis.json"
#: What an index without the file was built with: the version before it was recorded.
UNRECORDED_ANALYSIS_VERSION = 1


def recorded_analysis_version(index_dir: Path) -> int | None:
    """The analyzer version the index in ``index_dir`` was built with; None if unreadable."""
    try:
        return int(json.loads((index_dir / ANALYSIS_FILE).read_bytes())["version"])
    except FileNotFoundError:
        return UNRECORDED_ANALYSIS_VERSION
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stale_analysis(index_dir: Path) -> str | None:
    """Why the index's terms are not this analyzer's, or None when they are."""
    recorded = recorded_analysis_version(index_dir)
    if recorded == ANALYSIS_VERSION:
        return None
    built = "an unknown analyzer" if recorded is None else f"analyzer version {recorded}"
    return (
        f"the search index was built by {built}, and this version analyses text as version "
        f"{ANALYSIS_VERSION}, so some words of questions may miss"
    )


def record_analysis_version(index_dir: Path) -> None:
    """Record this analyzer's version for the index just built (written whole or not at all)."""
    path = index_dir / ANALYSIS_FILE
    tmp = path.with_name(f".tmp-{ANALYSIS_FILE}-{os.getpid()}")
    try:
        tmp.write_bytes(json.dumps({"version": ANALYSIS_VERSION}).encode("ascii"))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
