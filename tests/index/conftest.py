"""Fixtures shared by the index tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index import Archive, IndexSettings, open_archive
from tests.conftest import shared_data

SEED = "seed/up-2024-08-04-zelenskyy-coalition.txt"


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An archive holding only the seed page (../shared/data/seed/; skips when absent)."""
    path = shared_data(SEED)
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(path)])
        assert report.count("new") == 1, report
        yield archive
