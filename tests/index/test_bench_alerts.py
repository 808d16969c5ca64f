"""The alerts and stories benchmarks run end to end on a tiny generated archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.bench import alerts, alerts_parity, stories


def test_the_alerts_bench_splits_deciding_from_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--passages", "400", "--topics", "300", "--articles", "6", "--json"]
    assert alerts.main([*argv, "--work-dir", str(tmp_path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["articles"] == 6 and row["topics"] == 300
    assert row["match_cpu_p50_ms"] > 0
    assert row["match_cpu_p50_ms"] <= row["with_build_cpu_p99_ms"]
    assert row["alerts"] > 0 and row["alert_build_p99_ms"] > 0
    assert row["decided_but_not_built"] == 0  # every decision builds on the same index
    assert row["reweigh_cpu_ms"] > 0  # every posting weighed again past the window
    table = alerts.format_table(row["machine"], row)
    assert "with building" in table and "ms per alert" in table


def test_an_index_state_per_article_decides_the_same_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the matcher keeps per index state is computed again, with the same decisions."""
    argv = ["--passages", "400", "--topics", "1000", "--articles", "6", "--topic-kind", "broad"]
    assert alerts.main([*argv, "--work-dir", str(tmp_path / "a"), "--json"]) == 0
    shared = json.loads(capsys.readouterr().out)
    assert (
        alerts.main([*argv, "--work-dir", str(tmp_path / "b"), "--json", "--state-per-article"])
        == 0
    )
    fresh = json.loads(capsys.readouterr().out)
    assert fresh["state_per_article"] and not shared["state_per_article"]
    assert fresh["alerts"] == shared["alerts"] > 0
    assert "index state of its own" in alerts.format_table(fresh["machine"], fresh)


def test_a_moved_state_per_article_weighs_the_reverse_index_again_before_each_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--passages", "400", "--topics", "300", "--articles", "4", "--topic-kind", "broad"]
    argv += ["--work-dir", str(tmp_path), "--json", "--moved-per-article"]
    assert alerts.main(argv) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["moved_per_article"] and row["state_per_article"]
    assert row["articles"] == 4 and row["match_cpu_p50_ms"] > 0
    assert "passage count moved" in alerts.format_table(row["machine"], row)


def test_an_ingest_per_article_matches_each_under_the_state_it_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each article is stored by an ingest of its own (new passages, so the frequencies of
    its terms move) and matched under that state; the reverse index weighs again only what
    left its windows, and the report counts it."""
    argv = ["--passages", "400", "--topics", "300", "--articles", "5", "--topic-kind", "broad"]
    argv += ["--work-dir", str(tmp_path), "--json"]
    assert alerts.main(argv) == 0  # builds the archive and stores the bench's articles
    before = json.loads(capsys.readouterr().out)
    assert alerts.main([*argv, "--ingest-per-article"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["ingest_per_article"] and row["articles"] == 5
    assert row["passages"] > before["passages"]  # five more articles stored
    assert row["match_cpu_max_ms"] >= row["match_cpu_p99_ms"] > 0
    assert row["full_weighings"] + row["partial_weighings"] > 0
    assert "an ingest of its own" in alerts.format_table(row["machine"], row)


def test_the_stories_bench_measures_an_existing_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--passages", "400", "--topics", "1", "--articles", "1"]
    assert alerts.main([*argv, "--work-dir", str(tmp_path)]) == 0  # builds the archive
    capsys.readouterr()
    assert stories.main(["--into", str(tmp_path / "archive-400"), "--articles", "5"]) == 0
    cost = json.loads(capsys.readouterr().out)
    assert cost["articles"] == 5 and cost["articles_stored_before"] > 0
    assert cost["file_ms"] > 0 and cost["ingest_without_stories_ms"] > 0


def test_the_parity_fingerprints_repeat_on_one_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--passages", "400", "--topics", "1", "--articles", "1"]
    assert alerts.main([*argv, "--work-dir", str(tmp_path)]) == 0  # builds the archive
    capsys.readouterr()
    found = alerts_parity.fingerprints(tmp_path / "archive-400", 400, 1000, 6)
    assert found == alerts_parity.fingerprints(tmp_path / "archive-400", 400, 1000, 6)
    assert found["broad"]["decisions"] + found["specific"]["decisions"] > 0
