"""Shared fixtures: isolated settings, and access to ../shared/data that skips when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.settings import IndexSettings

# The run's temporary files on a RAM disk when there is one, and the project's bytecode
# compiled once for every process the run starts (see each module's docstring).
pytest_plugins = ["tests.auxil.ram_scratch", "tests.auxil.bytecode"]

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


# .ci/run sets it so that CI fails instead of skipping the PostgreSQL tests; read at import,
# before the per-test fixture clears NEWSDESK_* variables.
REQUIRE_POSTGRES = bool(os.environ.get("NEWSDESK_TEST_REQUIRE_POSTGRES"))
NO_POSTGRES = (
    "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; install postgresql-15"
)


@pytest.fixture(scope="session")
def postgres_cluster():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL cluster per test session (per xdist worker); skips without one."""
    from tests.auxil.postgres import start_cluster

    cluster = start_cluster()
    if cluster is None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{NO_POSTGRES} (and NEWSDESK_TEST_REQUIRE_POSTGRES is set, as in CI)")
        pytest.skip(NO_POSTGRES)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(postgres_cluster) -> str:  # type: ignore[no-untyped-def]
    """The URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store lives, once per backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite3"
    return request.getfixturevalue("pg_url")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``slow`` tests first (a stable sort: each group keeps its order, modules stay whole).

    The two xdist workers then end the run on short tests, which the idle one can take from
    the other (``--dist worksteal``), instead of one worker finishing a long test alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
