"""Issue 10, fault 6: inputs and damage that used to end in a traceback give one line each."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Run

DEPTH = 10_000


def write_deep_json(folder: Path) -> tuple[Path, Path]:
    """A 10,000-deep array and a 10,000-deep object: json.loads raises RecursionError."""
    folder.mkdir(parents=True, exist_ok=True)
    array = folder / "deep-array.json"
    array.write_text("[" * DEPTH + "]" * DEPTH, encoding="utf-8")
    obj = folder / "deep-object.json"
    obj.write_text('{"a":' * DEPTH + "1" + "}" * DEPTH, encoding="utf-8")
    return array, obj


@pytest.mark.parametrize("which", [0, 1], ids=["array", "object"])
def test_deeply_nested_json_is_one_per_item_error(
    newsdesk: Run, tmp_path: Path, which: int
) -> None:
    path = write_deep_json(tmp_path / "in")[which]
    result = newsdesk("ingest", str(path))
    assert result.code == 1
    assert f"failed: {path}: JSON nested too deeply" in result.out
    assert "Traceback" not in result.err and "RecursionError" not in result.err + result.out


def test_a_folder_with_both_keeps_the_other_items(
    newsdesk: Run, tmp_path: Path, corpus: Path
) -> None:
    folder = tmp_path / "mixed"
    write_deep_json(folder)
    (folder / "storm.txt").write_bytes((corpus / "storm.txt").read_bytes())
    result = newsdesk("ingest", str(folder), "--json")
    assert result.code == 1
    outcomes = {Path(i["item"]).name: i["outcome"] for i in result.json()["items"]}  # type: ignore[index]
    assert outcomes == {
        "deep-array.json": "failed",
        "deep-object.json": "failed",
        "storm.txt": "new",
    }
    assert "Traceback" not in result.err
    assert [a["title"] for a in newsdesk("list", "--json").json()] == [  # type: ignore[union-attr]
        "Storm cuts power to the Odesa region"
    ]


def damage_tables(store: Path, tables: tuple[str, ...] = ("articles", "passages")) -> None:
    """Overwrite the root page of each table with garbage, as a bad disk sector would.

    The schema page and the small ``meta`` table stay intact, so the store still opens and
    the damage shows only when the articles are read.
    """
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [
        conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (t,)).fetchone()[0]
        for t in tables
    ]
    conn.close()
    with store.open("r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * page_size)
            handle.write(b"\xa5" * page_size)


@pytest.mark.parametrize("argv", [["stats"], ["list"], ["show", "1"], ["reindex"]], ids=" ".join)
def test_a_damaged_store_is_one_line_saying_what_to_do_exit_2(
    newsdesk: Run, corpus: Path, data_dir: Path, argv: list[str]
) -> None:
    assert newsdesk("ingest", str(corpus)).code == 0
    damage_tables(data_dir / "newsdesk.sqlite3")
    result = newsdesk(*argv)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert "Traceback" not in result.err
    assert len(lines) == 1, result.err
    assert "the store is damaged" in lines[0]
    assert "newsdesk restore BACKUP" in lines[0] and "newsdesk backup" in lines[0]
    json_result = newsdesk(*argv, "--json")
    assert json_result.code == 2
    assert "the store is damaged" in json_result.json()["error"]  # type: ignore[index]
