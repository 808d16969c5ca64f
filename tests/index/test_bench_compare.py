"""`python -m index.bench --compare`: every engine on the same tokens, end to end.

The real path: one generated corpus, each engine building in a fresh process and querying in
another, the table with a row per engine, exact parity with rank_bm25 and tantivy's overlap.
Only correctness is checked, never timing. A missing optional engine is one line, not a
traceback.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from index.bench.__main__ import main


def test_compare_prints_a_row_per_engine_and_exact_parity(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("tantivy", reason="tantivy is the bench extra: pip install -e '.[bench]'")
    pytest.importorskip("bm25s", reason="bm25s is the bench extra: pip install -e '.[bench]'")
    argv = ["--compare", "tantivy,bm25s,rank_bm25", "--passages", "2000", "--queries", "20"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    assert {"newsdesk", "tantivy", "bm25s", "rank_bm25"} <= set(rows)
    assert not any("skipped" in line for line in rows.values())
    assert re.search(r"^Machine: .*tantivy \d.*bm25s \d.*rank_bm25 \d", out, re.M)
    assert "Ratios, ours/tantivy: build " in out
    parity = re.search(r"Parity with rank_bm25: (\d+) of (\d+) questions give identical", out)
    assert parity and parity.group(1) == parity.group(2) == "20"
    overlap = re.search(r"tantivy top-10 overlap with ours: (\d+) of (\d+) hits", out)
    # a different idf changes the order of near ties, not which passages match best
    assert overlap and int(overlap.group(1)) >= 0.8 * int(overlap.group(2)) > 0


def test_a_missing_engine_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)  # find_spec now says: not installed
    argv = ["--compare", "tantivy,rank_bm25", "--passages", "300", "--queries", "5", "--json"]
    assert main([*argv, "--no-baseline"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "skipping tantivy not installed: pip install tantivy (or pip install -e '.[bench]')"
    ]
    [row] = json.loads(captured.out)["results"]
    assert row["engines"]["tantivy"]["skipped"].startswith("tantivy not installed")
    assert row["engines"]["rank_bm25"] == {"skipped": "--no-baseline"}
    assert row["engines"]["newsdesk"]["p50_ms"] > 0


def test_an_unknown_engine_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--compare", "tantivy,lucene", "--passages", "100"])
    assert exit_info.value.code == 2
    assert "unknown engine(s) lucene" in capsys.readouterr().err
