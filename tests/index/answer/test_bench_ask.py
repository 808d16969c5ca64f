"""`python -m index.bench.ask` on a tiny corpus, so the ask benchmark command cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.bench.ask import main


def test_ask_bench_times_cold_and_warm_rounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--passages", "300", "--questions", "5", "--work-dir", str(tmp_path), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passages"] == 300
    assert report["build_s"] > 0
    assert [r["round"] for r in report["rounds"]] == ["cold", "warm"]
    for latency in report["rounds"]:
        assert latency["questions"] == 5
        assert latency["found"] == 5  # every question samples words of a real passage
        assert 0 < latency["cpu_p50_ms"] <= latency["cpu_p99_ms"]
    assert main(args) == 0  # the kept archive is reused, not rebuilt
    assert json.loads(capsys.readouterr().out)["build_s"] is None


def test_ask_bench_rejects_a_useless_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--passages", "5"]) == 2
    assert "--passages" in capsys.readouterr().err
