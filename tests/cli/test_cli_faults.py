"""Faults seen through the CLI: one clear line and the right exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run

pytest.importorskip("index.search.engine", reason="the search engine (issue 3) has not landed")


def test_reindex_when_the_index_path_is_a_plain_file_names_it_and_exits_2(
    newsdesk: Run, corpus: Path, data_dir: Path
) -> None:
    assert newsdesk("ingest", str(corpus)).code == 0
    index_dir = data_dir / "index"
    for path in sorted(index_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    index_dir.rmdir()
    index_dir.write_text("not an index\n", encoding="utf-8")

    result = newsdesk("reindex")
    assert result.code == 2
    assert "Traceback" not in result.err
    [line] = result.err.strip().splitlines()
    assert str(index_dir) in line and "move the file away" in line
    assert newsdesk("ask", "budget").code == 2  # the same line, not "nothing found"

    index_dir.unlink()  # doing what the line says fixes it
    assert newsdesk("reindex").code == 0
    assert newsdesk("ask", "What did Marchenko say about the budget?").code == 0
