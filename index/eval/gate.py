"""Quality floors: measured figures must not drop below the pinned ones by more than noise.

Modelled on trafilatura's ``tests/eval_gate.py``: ``floors.json`` (next to this module) pins
each metric's floor, measured when the floor was last raised, and ``check_floors`` lists
every metric that fell below ``floor - epsilon``. The tests run the evals and fail on any.
Raise a floor when quality improves; never lower one to make a change pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from index.eval.qa import QaReport
from index.eval.retrieval import RetrievalReport

FLOORS_PATH = Path(__file__).with_name("floors.json")


@dataclass(frozen=True, slots=True)
class Floors:
    """Pinned floors: ``qa`` metric → floor; ``retrieval`` dataset → metric → floor."""

    epsilon: float
    qa: dict[str, float]
    retrieval: dict[str, dict[str, float]]


def load_floors(path: Path = FLOORS_PATH) -> Floors:
    """Read ``floors.json``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Floors(
        epsilon=float(data["epsilon"]),
        qa={k: float(v) for k, v in data["qa"].items()},
        retrieval={
            name: {k: float(v) for k, v in metrics.items()}
            for name, metrics in data["retrieval"].items()
        },
    )


def check_floors(
    measured: Mapping[str, float], floors: Mapping[str, float], *, epsilon: float, label: str
) -> list[str]:
    """Every metric in ``floors`` that is missing from ``measured`` or below floor − epsilon."""
    problems = []
    for metric, floor in floors.items():
        value = measured.get(metric)
        if value is None:
            problems.append(f"{label}: {metric} was not measured")
        elif value < floor - epsilon:
            problems.append(f"{label}: {metric} {value:.4f} < floor {floor:.4f} - {epsilon}")
    return problems


def check_qa(report: QaReport, floors: Floors) -> list[str]:
    """The QA report against the QA floors."""
    return check_floors(asdict(report.overall), floors.qa, epsilon=floors.epsilon, label="qa")


def check_retrieval(report: RetrievalReport, floors: Floors) -> list[str]:
    """A retrieval report against its dataset's floors (none pinned: nothing to check)."""
    pinned = floors.retrieval.get(report.dataset, {})
    return check_floors(
        asdict(report.ours), pinned, epsilon=floors.epsilon, label=f"retrieval {report.dataset}"
    )
