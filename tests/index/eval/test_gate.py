"""The quality gate: measured figures must stay above the floors pinned in floors.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.eval.beir import load_beir
from index.eval.gate import (
    FLOORS_PATH,
    Floors,
    check_floors,
    check_qa,
    check_retrieval,
    load_floors,
    qa_set_name,
)
from index.eval.qa import QaReport, QaScores, evaluate_qa
from index.eval.retrieval import evaluate_dataset
from tests.conftest import shared_data

QA_SAMPLE = FLOORS_PATH.with_name("qa_sample.jsonl")
# Dev sets from ../shared/data/eval that take a few seconds: run in CI. realtimeqa-dev
# (1,247 full articles, ~10 s and more on a shared machine) is a bench test.
QA_DEV_SETS = ("multihop-rag-facts-dev", "xquad-ru-dev")


def test_floors_file_pins_qa_and_the_three_collections() -> None:
    floors = load_floors()
    assert 0 < floors.epsilon < 0.05
    assert set(floors.qa) == set(QA_DEV_SETS) | {"qa_sample", "realtimeqa-dev"}
    assert set(floors.qa_ceilings) == set(floors.qa)
    assert all({"answer_at_1", "answer_at_3"} <= set(pinned) for pinned in floors.qa.values())
    # The sets with questions that have no answer pin how many are answered "nothing found".
    assert "nothing_found" in floors.qa["qa_sample"]
    assert "nothing_found" in floors.qa["multihop-rag-facts-dev"]
    assert set(floors.retrieval) == {"cran", "med", "cisi", *QA_DEV_SETS, "realtimeqa-dev"}


def report_of(file: str, **scores: float) -> QaReport:
    overall = QaScores(
        answerable=10,
        unanswerable=5,
        answer_at_1=scores.get("answer_at_1", 0.9),
        answer_at_3=scores.get("answer_at_3", 0.9),
        nothing_found=scores.get("nothing_found", 1.0),
        false_nothing_found=scores.get("false_nothing_found", 0.0),
    )
    return QaReport(
        file=file,
        documents=1,
        questions=15,
        layer=True,
        overall=overall,
        by_language={},
        failures=(),
        seconds=0.0,
    )


def test_qa_sets_are_checked_against_their_own_floors_and_ceilings() -> None:
    floors = Floors(
        epsilon=0.02,
        qa={"x-dev": {"answer_at_1": 0.5}},
        retrieval={},
        qa_ceilings={"x-dev": {"false_nothing_found": 0.1}},
    )
    assert qa_set_name(Path("data/eval/x-dev/qa.jsonl")) == "x-dev"
    assert qa_set_name(Path("index/eval/qa_sample.jsonl")) == "qa_sample"
    assert check_qa(report_of("data/eval/x-dev/qa.jsonl"), floors) == []
    assert check_qa(report_of("data/eval/x-dev/qa.jsonl", false_nothing_found=0.13), floors) == [
        "qa x-dev: false_nothing_found 0.1300 > ceiling 0.1000 + 0.02"
    ]
    assert check_qa(report_of("data/eval/y-dev/qa.jsonl"), floors) == [
        "qa y-dev: no floors pinned"
    ]


@pytest.mark.parametrize(
    ("measured", "problems"),
    [
        ({"a": 0.50}, []),
        ({"a": 0.49}, []),
        ({"a": 0.47}, ["x: a 0.4700 < floor 0.5000 - 0.02"]),
        ({}, ["x: a was not measured"]),
    ],
    ids=["at-floor", "within-epsilon", "below", "missing"],
)
def test_check_floors_flags_drops_beyond_epsilon(measured, problems) -> None:
    assert check_floors(measured, {"a": 0.5}, epsilon=0.02, label="x") == problems


@pytest.mark.slow
def test_qa_sample_stays_above_its_floors(tmp_path: Path) -> None:
    if not QA_SAMPLE.exists():
        pytest.skip(f"QA set not present: {QA_SAMPLE}")
    report = evaluate_qa(QA_SAMPLE, work_dir=tmp_path, baselines=False)
    assert report.overall.unanswerable > 0
    assert check_qa(report, load_floors()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", QA_DEV_SETS)
def test_qa_dev_sets_stay_above_their_floors(tmp_path: Path, name: str) -> None:
    report = evaluate_qa(shared_data(f"eval/{name}/qa.jsonl"), work_dir=tmp_path, baselines=False)
    assert report.skipped == ()
    assert check_qa(report, load_floors()) == []


@pytest.mark.bench
def test_realtimeqa_dev_stays_above_its_floors(tmp_path: Path) -> None:
    path = shared_data("eval/realtimeqa-dev/qa.jsonl")
    report = evaluate_qa(path, work_dir=tmp_path, baselines=False)
    assert check_qa(report, load_floors()) == []


@pytest.mark.slow
def test_med_retrieval_stays_above_its_floors(tmp_path: Path) -> None:
    dataset = load_beir(shared_data("eval/med"))
    report = evaluate_dataset(dataset, layer=True, work_dir=tmp_path)
    assert check_retrieval(report, load_floors()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", QA_DEV_SETS)
def test_news_dev_retrieval_stays_above_its_floors(tmp_path: Path, name: str) -> None:
    """The article ranking on real news (issue 11), a few seconds per set."""
    dataset = load_beir(shared_data(f"eval/{name}"))
    report = evaluate_dataset(dataset, layer=True, work_dir=tmp_path)
    assert check_retrieval(report, load_floors()) == []


@pytest.mark.bench
@pytest.mark.parametrize("name", ["cran", "cisi", "realtimeqa-dev"])
def test_full_retrieval_collections_stay_above_their_floors(tmp_path: Path, name: str) -> None:
    dataset = load_beir(shared_data(f"eval/{name}"))
    report = evaluate_dataset(dataset, layer=True, work_dir=tmp_path)
    assert check_retrieval(report, load_floors()) == []
