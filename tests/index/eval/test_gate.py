"""The quality gate: measured figures must stay above the floors pinned in floors.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.eval.beir import load_beir
from index.eval.gate import FLOORS_PATH, check_floors, check_qa, check_retrieval, load_floors
from index.eval.qa import evaluate_qa
from index.eval.retrieval import evaluate_dataset
from tests.conftest import shared_data

QA_SAMPLE = FLOORS_PATH.with_name("qa_sample.jsonl")


def test_floors_file_pins_qa_and_the_three_collections() -> None:
    floors = load_floors()
    assert 0 < floors.epsilon < 0.05
    assert set(floors.qa) == {"answer_at_1", "answer_at_3", "nothing_found"}
    assert set(floors.retrieval) == {"cran", "med", "cisi"}


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
    report = evaluate_qa(QA_SAMPLE, work_dir=tmp_path)
    assert report.overall.unanswerable > 0
    assert check_qa(report, load_floors()) == []


@pytest.mark.slow
def test_med_retrieval_stays_above_its_floors(tmp_path: Path) -> None:
    dataset = load_beir(shared_data("eval/med"))
    report = evaluate_dataset(dataset, layer=True, work_dir=tmp_path)
    assert check_retrieval(report, load_floors()) == []


@pytest.mark.bench
@pytest.mark.parametrize("name", ["cran", "cisi"])
def test_full_retrieval_collections_stay_above_their_floors(tmp_path: Path, name: str) -> None:
    dataset = load_beir(shared_data(f"eval/{name}"))
    report = evaluate_dataset(dataset, layer=True, work_dir=tmp_path)
    assert check_retrieval(report, load_floors()) == []
