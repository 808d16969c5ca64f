"""Shared fixtures: isolated settings, and access to ../shared/data that skips when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.settings import IndexSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
SAMPLE_DIR = PROJECT_ROOT / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data(relpath: str) -> Path:
    """Resolve ``../shared/data/<relpath>``; skip the test, naming the path, when absent."""
    path = SHARED_DATA / relpath
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No NEWSDESK_* variable from the developer's shell and no .env leaks into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("NEWSDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> IndexSettings:
    """Settings with the data dir in tmp_path."""
    return IndexSettings(data_dir=tmp_path / "data", _env_file=None)
