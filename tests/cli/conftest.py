"""CLI fixtures: a data dir and a written corpus, and a helper running `newsdesk` in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from index import IndexSettings, open_archive
from tests.cli.corpus import write_corpus


@dataclass(frozen=True)
class Result:
    """What one in-process run printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def empty_archive(data_dir: Path) -> Path:
    """An archive with no articles at ``data_dir`` (only ingest may create one from the CLI)."""
    open_archive(IndexSettings(data_dir=data_dir, _env_file=None)).close()  # type: ignore[call-arg]
    return data_dir


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def newsdesk(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Run:
    """Run `newsdesk ARGS... --data-dir <tmp>` through ``bot.cli.main``, capturing output."""

    def run(*args: str, data: bool = True) -> Result:
        capsys.readouterr()
        argv = [*args, "--data-dir", str(data_dir)] if data else list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
