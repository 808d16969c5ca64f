"""`python -m index.bench.ask --profile --profile-round`: the profile covers the chosen round."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bench.ask import main


@pytest.mark.parametrize("profile_round", ["cold", "warm"])
def test_profile_covers_the_chosen_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile_round: str
) -> None:
    args = ["--passages", "300", "--questions", "4", "--work-dir", str(tmp_path), "--profile"]
    assert main([*args, "--profile-round", profile_round]) == 0
    captured = capsys.readouterr()
    assert "function calls" in captured.err
    assert "(ask)" in captured.err  # Archive.ask is what the profile times
    assert "cold:" in captured.out and "warm:" in captured.out


def test_profile_round_must_be_cold_or_warm(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--profile-round", "hot"])
    assert "--profile-round" in capsys.readouterr().err
