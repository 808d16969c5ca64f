"""Helpers for the extraction tests: our own fixture files under tests/fixtures/extract/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES

EXTRACT_FIXTURES = FIXTURES / "extract"


def fixture_path(name: str) -> Path:
    """A file of tests/fixtures/extract/."""
    return EXTRACT_FIXTURES / name


@pytest.fixture
def read_fixture():
    """Read a fixture file's bytes by name."""

    def read(name: str) -> bytes:
        return fixture_path(name).read_bytes()

    return read
