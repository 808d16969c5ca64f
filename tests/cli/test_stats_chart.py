"""`newsdesk stats --chart FILE.png`: the /stats picture written to a file (issue 13)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_stats_chart_writes_a_png_of_the_archives_last_30_days(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    chart = tmp_path / "stats.png"
    result = newsdesk("stats", "--chart", str(chart))
    assert result.code == 0, result.err
    # The corpus ends on 2024-09-18: the window is the 30 days up to its newest article.
    assert f"chart:      {chart} (" in result.out
    assert "2024-08-20 .. 2024-09-18)" in result.out
    data = chart.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000


def test_stats_chart_with_json_keeps_stdout_one_document(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    chart = tmp_path / "stats.png"
    result = newsdesk("stats", "--json", "--chart", str(chart))
    assert result.code == 0
    assert result.json()["articles"] > 0  # type: ignore[index]
    assert chart.read_bytes().startswith(PNG_SIGNATURE)


def test_stats_chart_of_an_empty_archive_is_an_error_not_an_empty_picture(
    newsdesk: Run, empty_archive: Path, tmp_path: Path
) -> None:
    chart = tmp_path / "stats.png"
    result = newsdesk("stats", "--chart", str(chart))
    assert result.code == 1
    assert "no chart written" in result.err and "no dated articles" in result.err
    assert not chart.exists()
