"""Loading a segment has large postings files read into the page cache from a background
thread, without mapping them into the process."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from index.models import DocRecord
from index.search import SearchIndex
from index.search import segments as store


def prefault_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "prefault"]


def build(tmp_path: Path) -> Path:
    docs = [DocRecord(i, i, 100, (f"w{i % 7}", "common")) for i in range(50)]
    SearchIndex.build(tmp_path / "index", docs)
    pointer = store.read_current(tmp_path / "index")
    assert pointer is not None
    return tmp_path / "index" / pointer.generation / "base"


def test_large_postings_are_read_ahead_by_a_background_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = build(tmp_path)
    read: list[Path] = []
    real = store._read_ahead

    def recording(paths: list[Path]) -> None:
        real(paths)  # the real call must not fail on a real file
        read.extend(paths)

    monkeypatch.setattr(store, "_PREFAULT_MIN_BYTES", 0)
    monkeypatch.setattr(store, "_read_ahead", recording)
    store.read_segment(base)
    for thread in prefault_threads():
        thread.join(timeout=10)
    assert read == [base / "row_data.npy", base / "tf.npy"]


def test_read_ahead_skips_a_file_that_is_gone(tmp_path: Path) -> None:
    store._read_ahead([tmp_path / "missing.npy"])  # no error: the load has checked the files


def test_read_ahead_without_posix_fadvise_opens_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows have no ``os.posix_fadvise``: the read-ahead is skipped, not failed."""
    base = build(tmp_path)
    opened: list[object] = []
    monkeypatch.delattr(store.os, "posix_fadvise", raising=False)
    monkeypatch.setattr(store.os, "open", lambda *args, **kwargs: opened.append(args))
    store._read_ahead([base / "doc_rows.npy"])
    assert opened == []


def test_small_postings_start_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = build(tmp_path)
    started: list[object] = []
    monkeypatch.setattr(store, "_read_ahead", started.append)
    store.read_segment(base)
    for thread in prefault_threads():
        thread.join(timeout=10)
    assert started == []
