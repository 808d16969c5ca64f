"""Quality floors: measured figures must not drop below the pinned ones by more than noise.

Modelled on trafilatura's ``tests/eval_gate.py``: ``floors.json`` (next to this module) pins
each metric's floor, measured when the floor was last raised, and ``check_floors`` lists
every metric that fell below ``floor - epsilon``. The tests run the evals and fail on any.
Raise a floor when quality improves; never lower one to make a change pass.

QA floors are per set (``qa_set_name``: the folder of a shared set's ``qa.jsonl``, else the
file's stem, ``qa_sample``). ``false_nothing_found`` is the one metric where lower is
better: ``qa_ceilings`` pins it, and a value above ``ceiling + epsilon`` is a problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.eval.qa import QaReport
from index.eval.retrieval import RetrievalReport

FLOORS_PATH = Path(__file__).with_name("floors.json")


@dataclass(frozen=True, slots=True)
class Floors:
    """Pinned floors: ``qa`` and ``retrieval`` set → metric → floor; ``qa_ceilings`` set →
    metric → ceiling (lower is better)."""

    epsilon: float
    qa: dict[str, dict[str, float]]
    retrieval: dict[str, dict[str, float]]
    qa_ceilings: dict[str, dict[str, float]] = field(default_factory=dict)


def load_floors(path: Path = FLOORS_PATH) -> Floors:
    """Read ``floors.json``."""
    data = json.loads(path.read_text(encoding="utf-8"))

    def nested(section: dict) -> dict[str, dict[str, float]]:
        return {
            name: {k: float(v) for k, v in metrics.items()} for name, metrics in section.items()
        }

    return Floors(
        epsilon=float(data["epsilon"]),
        qa=nested(data["qa"]),
        retrieval=nested(data["retrieval"]),
        qa_ceilings=nested(data.get("qa_ceilings", {})),
    )


def qa_set_name(path: Path) -> str:
    """The name a QA set's floors are pinned under (see the module docstring)."""
    return path.parent.name if path.name == "qa.jsonl" else path.stem


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


def check_ceilings(
    measured: Mapping[str, float], ceilings: Mapping[str, float], *, epsilon: float, label: str
) -> list[str]:
    """Every metric in ``ceilings`` missing from ``measured`` or above ceiling + epsilon."""
    problems = []
    for metric, ceiling in ceilings.items():
        value = measured.get(metric)
        if value is None:
            problems.append(f"{label}: {metric} was not measured")
        elif value > ceiling + epsilon:
            problems.append(f"{label}: {metric} {value:.4f} > ceiling {ceiling:.4f} + {epsilon}")
    return problems


def check_qa(report: QaReport, floors: Floors) -> list[str]:
    """A QA report against its set's floors and ceilings (none pinned: a problem)."""
    name = qa_set_name(Path(report.file))
    if name not in floors.qa:
        return [f"qa {name}: no floors pinned"]
    measured = asdict(report.overall)
    label = f"qa {name}"
    return check_floors(
        measured, floors.qa[name], epsilon=floors.epsilon, label=label
    ) + check_ceilings(
        measured, floors.qa_ceilings.get(name, {}), epsilon=floors.epsilon, label=label
    )


def check_retrieval(report: RetrievalReport, floors: Floors) -> list[str]:
    """A retrieval report against its dataset's floors (none pinned: nothing to check)."""
    pinned = floors.retrieval.get(report.dataset, {})
    return check_floors(
        asdict(report.ours), pinned, epsilon=floors.epsilon, label=f"retrieval {report.dataset}"
    )
