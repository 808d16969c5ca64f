"""`python -m index.bench.ask_pair` on a tiny archive: two workers answer every question."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bench import ask, ask_pair

ROOT = Path(__file__).resolve().parents[3]


def test_pair_times_both_trees_question_by_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = ["--passages", "300", "--questions", "4", "--work-dir", str(tmp_path)]
    assert ask.main([*sizes, "--json"]) == 0  # builds the archive both workers read
    capsys.readouterr()
    assert ask_pair.main([*sizes, "--base", str(ROOT), "--branch", str(ROOT)]) == 0
    line = capsys.readouterr().out
    assert "4 cold questions" in line and "median per-question difference" in line
    assert "p99 base" in line and "warm (the same questions again) p50 base" in line


def test_pair_needs_a_built_archive(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        ask_pair.main(["--work-dir", str(tmp_path), "--base", ".", "--branch", "."])
