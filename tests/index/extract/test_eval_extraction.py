"""``python -m index.eval extraction``: the benchmark's metric, and a 3-page run when present."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index.eval.__main__ import main
from index.eval.extraction import (
    EXTRACTION_F1_FLOOR,
    PageScore,
    aggregate,
    evaluate_extraction,
    score_page,
    shingles,
    tokenize,
)
from tests.conftest import shared_data

BENCHMARK = "extraction/article-extraction-benchmark"


def test_tokens_are_word_runs_with_case_kept() -> None:
    assert tokenize("Hello, world! Привіт-світ 2024") == [
        "Hello",
        "world",
        "Привіт",
        "світ",
        "2024",
    ]


def test_a_text_shorter_than_four_words_is_one_shingle() -> None:
    assert shingles("one two") == {("one", "two"): 1}
    assert shingles("") == {}


def test_identical_texts_score_one_and_disjoint_texts_zero() -> None:
    text = "a b c d e f g"
    same = score_page("p", text, text)
    assert (same.tp, same.fp, same.fn) == (1.0, 0.0, 0.0)
    disjoint = score_page("p", text, "h i j k l")
    assert disjoint.tp == 0.0
    assert disjoint.fp + disjoint.fn == pytest.approx(1.0)


def test_extra_predicted_text_lowers_precision_only() -> None:
    score = score_page("p", "a b c d e", "a b c d e x y z w")
    precision, recall, _ = aggregate([score])
    assert recall == 1.0
    assert precision == pytest.approx(2 / 6)


def test_averages_are_over_pages_then_f1_of_the_averages() -> None:
    pages = [PageScore("a", 0.5, 0.5, 0.0), PageScore("b", 1.0, 0.0, 0.0)]
    precision, recall, f1 = aggregate(pages)
    assert precision == pytest.approx(0.75)
    assert recall == 1.0
    assert f1 == pytest.approx(2 * 0.75 / 1.75)


def test_evaluation_on_a_tiny_benchmark_we_write(tmp_path: Path) -> None:
    body = "Officials in Kyiv said the new air defence systems arrived on Monday morning."
    html = f"<html><body><nav>Home News</nav><article><p>{body}</p></article></body></html>"
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    (tmp_path / "html" / "p2.html.gz").write_bytes(gzip.compress(b"<html><body></body></html>"))
    truth = {"p1": {"articleBody": body}, "p2": {"articleBody": "Lost page text here today."}}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth))
    report = evaluate_extraction(tmp_path)
    assert report.pages == 2
    assert report.recall == pytest.approx(0.5)
    assert [page for page, _reason in report.failed] == ["p2"]


def test_missing_benchmark_folder_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["extraction", str(tmp_path)]) == 2
    assert "ground-truth.json" in capsys.readouterr().err


def test_three_benchmark_pages_through_the_command(capsys) -> None:
    bench = shared_data(BENCHMARK)
    code = main(["extraction", str(bench), "--limit", "3", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 3
    assert report["f1"] > 0.8
    assert report["pages_per_s"] > 0
    assert code == (0 if report["f1"] >= EXTRACTION_F1_FLOOR else 1)


@pytest.mark.bench
def test_full_benchmark_meets_the_floor() -> None:
    report = evaluate_extraction(shared_data(BENCHMARK))
    assert report.pages == 181
    assert report.f1 >= EXTRACTION_F1_FLOOR
