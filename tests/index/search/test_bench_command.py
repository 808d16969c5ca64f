"""`python -m index.bench` on a tiny corpus, so the benchmark command cannot rot."""

from __future__ import annotations

import json

import pytest

from index.bench.__main__ import main
from index.bench.corpus import ZipfCorpus

# The news-unit extraction rate once, not repeated for 2 s: the command's output is checked,
# never the rate.
ONE_NEWS_ROUND = ["--news-seconds", "0"]


def test_corpus_and_questions_are_reproducible() -> None:
    first, second = ZipfCorpus(300), ZipfCorpus(300)
    assert [p.text for p in first.passages()] == [p.text for p in second.passages()]
    assert first.questions(5) == second.questions(5)
    passage = first.chunk_single(123)[0]
    assert passage == list(first.passages())[123]
    for question in first.questions(20):
        assert 3 <= len(question.split()) <= 6


@pytest.mark.slow
def test_bench_command_reports_ours_and_rank_bm25(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--passages", "2000", "--queries", "20", "--json", *ONE_NEWS_ROUND]) == 0
    report = json.loads(capsys.readouterr().out)
    (row,) = report["results"]
    assert row["passages"] == 2000
    assert row["ours"]["questions"] == 20
    assert row["ours"]["passages_per_s"] > 0
    # Reindex extracts statements: timed inside the build, with its share (issue 14).
    assert 0 < row["ours"]["statements_s"] < row["ours"]["build_s"]
    assert 0 < row["ours"]["statements_share"] < 1
    assert row["ours"]["news_statements"] > 0 and row["ours"]["news_paragraphs_per_s"] > 0
    assert 0 < row["ours"]["p50_ms"] <= row["ours"]["p99_ms"]
    assert row["baseline"]["questions"] >= 5
    assert report["machine"]["cores"] >= 1


@pytest.mark.slow
def test_bench_table_says_when_rank_bm25_is_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--passages", "200", "--queries", "5", "--no-baseline", *ONE_NEWS_ROUND]) == 0
    out = capsys.readouterr().out
    assert "rank_bm25 | skipped: --no-baseline" in out
    assert "newsdesk" in out
    assert "Statements at 200 passages: " in out and "of the build" in out


@pytest.mark.slow
def test_build_paths_bench_builds_the_same_index_both_ways(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from index.bench.build_paths import main as build_paths

    assert build_paths(["--passages", "3000"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["path"] for line in lines] == ["encoders", "workers"]
    for line in lines:
        assert line["passages"] == 3000
        assert line["wall_s"] > 0 and line["cpu_s"] >= line["build_process_cpu_s"] > 0
    workers = lines[1]
    assert workers["workers_rss_sum_mb"] >= workers["worker_max_rss_mb"] > 0
    assert workers["worker_max_cpu_s"] > 0


def test_the_statement_line_of_a_build_in_workers_has_no_wall_share() -> None:
    # In worker processes extraction overlaps the build, so its wall share is NaN; the
    # line says where the time was spent instead of printing "nan%".
    from index.bench.report import statement_lines

    row = {"statements_s": 2.0, "statements_cpu_s": 1.0, "cpu_build_s": 4.0}
    row |= {"statements_found": 0}
    in_workers = statement_lines([{"passages": 10, "ours": row | {"statements_share": NAN}}])
    in_process = statement_lines([{"passages": 10, "ours": row | {"statements_share": 0.5}}])
    assert "nan" not in in_workers[0]
    assert "summed over the worker processes (25.0% of its CPU time" in in_workers[0]
    assert "50.0% of the build (25.0% of its CPU time" in in_process[0]


NAN = float("nan")
