"""The bot benchmark runs end to end on a tiny input, so the command cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bench import main


@pytest.mark.slow
def test_bot_bench_runs_on_a_tiny_archive(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["--passages", "400", "--users", "3", "--seconds", "1", "--rate", "20", "--json"]
    assert main([*argv, "--data-dir", str(tmp_path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["handled"] > 0 and result["updates_per_s"] > 0
    assert result["rejected"] == 0 and result["timeouts"] == 0
    assert result["latency_ms"]["all"]["p99"] >= result["latency_ms"]["all"]["p50"] > 0
    assert (tmp_path / "archive-400" / "newsdesk.sqlite3").exists()


def test_bot_bench_refuses_nonsense_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--users", "0"]) == 2
    assert "--users" in capsys.readouterr().err
