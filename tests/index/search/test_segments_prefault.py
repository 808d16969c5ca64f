"""Loading a segment maps large postings arrays in from a background thread."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
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


def test_large_postings_are_mapped_in_by_a_background_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = build(tmp_path)
    touched: list[int] = []
    real = store._prefault

    def recording(arrays: list[np.ndarray]) -> None:
        real(arrays)
        touched.extend(a.size for a in arrays)

    monkeypatch.setattr(store, "_PREFAULT_MIN_BYTES", 0)
    monkeypatch.setattr(store, "_prefault", recording)
    data = store.read_segment(base)
    for thread in prefault_threads():
        thread.join(timeout=10)
    assert touched == [data.postings.doc_rows.size, data.postings.tf.size]


def test_small_postings_start_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = build(tmp_path)
    started: list[object] = []
    monkeypatch.setattr(store, "_prefault", started.append)
    store.read_segment(base)
    for thread in prefault_threads():
        thread.join(timeout=10)
    assert started == []
