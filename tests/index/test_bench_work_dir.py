"""`python -m index.bench --work-dir`: a missing directory is created, an impossible one is
one error line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bench.__main__ import main


def test_missing_work_dir_is_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "not" / "yet" / "there"
    argv = ["--passages", "200", "--queries", "5", "--no-baseline", "--work-dir", str(work)]
    argv += ["--news-seconds", "0"]  # the rate once, not repeated for 2 s
    assert main(argv) == 0
    assert work.is_dir()
    assert list(work.iterdir()) == []  # the temp dir inside it is cleaned up
    assert "newsdesk" in capsys.readouterr().out


def test_work_dir_that_cannot_be_created_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    work = blocker / "x"
    assert main(["--passages", "200", "--queries", "5", "--work-dir", str(work)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith("error: cannot create --work-dir") and str(work) in line
