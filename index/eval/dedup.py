"""``python -m index.eval dedup FILE.jsonl [--json]``: precision and recall of "reprint".

Each line of FILE is a pair ``{"a": article, "b": article, "label": "reprint" |
"same_topic_different_story"}`` (optionally ``case`` and ``lang`` for breakdowns), the
articles in the JSON-lines archive layout the ingester reads (title, text or html,
published, url, source, ...).

Every pair goes through the real path: both articles are ingested, a then b, into a fresh
archive (``Archive.ingest_bytes`` of a two-line JSON-lines file: extraction, store, story
filing with the LSH look-up, index), and the pair is predicted a reprint when
``Archive.story_of`` puts them in one story. So the figures include what the LSH misses,
not only the verdict.

Beside it, the report measures simpler rules on the same pairs from the exact shingle sets
(``index.dedup``): Jaccard alone at a few thresholds, containment alone, and containment
with the date distance (the verdict without the LSH), which is the measurement behind the
choice of rule (``docs/quality.md``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from index.archive import Archive
from index.dedup import Comparison, compare, figures, shingles
from index.settings import IndexSettings

REPRINT = "reprint"
LABELS = (REPRINT, "same_topic_different_story")
JACCARD_THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9)


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision and recall of "reprint" over a set of pairs, with the counts behind them."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    pairs: int


@dataclass(frozen=True, slots=True)
class PairResult:
    """One pair: its label and case, the prediction, and the exact measures."""

    line: int
    label: str
    case: str
    predicted: bool
    containment: float
    jaccard: float
    days_apart: float | None


@dataclass(frozen=True, slots=True)
class DedupReport:
    """What ``python -m index.eval dedup`` prints: the system, per case, and simpler rules."""

    file: str
    scores: Scores
    by_case: dict[str, Scores]
    rules: dict[str, Scores]
    errors: list[str] = field(default_factory=list)
    mistakes: list[PairResult] = field(default_factory=list)
    seconds: float = 0.0


def score(pairs: Sequence[tuple[str, bool]]) -> Scores:
    """Precision, recall and F1 of "reprint" from (label, predicted reprint) pairs."""
    tp = sum(1 for label, p in pairs if p and label == REPRINT)
    fp = sum(1 for label, p in pairs if p and label != REPRINT)
    fn = sum(1 for label, p in pairs if not p and label == REPRINT)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), tp, fp, fn, len(pairs))


def read_pairs(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The well-formed pairs of the file with their line numbers, and one error per bad line."""
    pairs, errors = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if record.get("label") not in LABELS:
                raise ValueError(f"label must be one of {', '.join(LABELS)}")
            if not isinstance(record.get("a"), dict) or not isinstance(record.get("b"), dict):
                raise ValueError('"a" and "b" must be article objects')
        except (json.JSONDecodeError, ValueError, AttributeError) as exc:
            errors.append(f"line {number}: {exc}")
            continue
        pairs.append((number, record))
    return pairs, errors


def _published(article: dict[str, Any]) -> datetime | None:
    value = article.get("published")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(article: dict[str, Any]) -> str:
    return str(article.get("text") or article.get("html") or "")


def measure(
    article_a: dict[str, Any], article_b: dict[str, Any], *, with_figures: bool = True
) -> Comparison:
    """The exact measures of a pair, from the fields as given."""
    title_a, title_b = str(article_a.get("title") or ""), str(article_b.get("title") or "")
    return compare(
        shingles(title_a, _text(article_a)),
        _published(article_a),
        shingles(title_b, _text(article_b)),
        _published(article_b),
        a_figures=figures(f"{title_a}\n{_text(article_a)}") if with_figures else None,
        b_figures=figures(f"{title_b}\n{_text(article_b)}") if with_figures else None,
    )


def predict(work_dir: Path, record: dict[str, Any]) -> bool | str:
    """Ingest a then b into a fresh archive; True when they end up in one story.

    Returns an error text when either article could not be ingested.
    """
    settings = IndexSettings(data_dir=work_dir, _env_file=None)
    data = "".join(
        json.dumps(record[side], ensure_ascii=False) + "\n" for side in ("a", "b")
    ).encode("utf-8")
    with Archive(settings) as archive:
        report = archive.ingest_bytes("pair.jsonl", data)
        ids = [item.article_id for item in report.items if item.article_id is not None]
        if report.failed or len(ids) != 2:
            reasons = "; ".join(f"{i.item}: {i.reason}" for i in report.failed)
            return reasons or "both articles were stored as one (same URL or text)"
        story_a, story_b = archive.story_of(ids[0]), archive.story_of(ids[1])
        return story_a is not None and story_b is not None and story_a.story_id == story_b.story_id


def _rules() -> dict[str, Callable[[Comparison], bool]]:
    rules: dict[str, Callable[[Comparison], bool]] = {
        f"jaccard >= {t}": (lambda c, t=t: c.jaccard >= t) for t in JACCARD_THRESHOLDS
    }
    rules["containment >= 0.5"] = lambda c: c.containment >= 0.5
    rules["the verdict without the LSH"] = lambda c: c.reprint
    return rules


def evaluate(path: Path, work_dir: Path) -> DedupReport:
    """Run every pair of ``path`` through ingestion in its own archive under ``work_dir``."""
    started = time.monotonic()
    pairs, errors = read_pairs(path)
    results: list[PairResult] = []
    for number, record in pairs:
        predicted = predict(work_dir / f"pair-{number}", record)
        if isinstance(predicted, str):
            errors.append(f"line {number}: {predicted}")
            continue
        measured = measure(record["a"], record["b"])
        results.append(
            PairResult(
                line=number,
                label=record["label"],
                case=str(record.get("case") or "-"),
                predicted=predicted,
                containment=round(measured.containment, 4),
                jaccard=round(measured.jaccard, 4),
                days_apart=None if measured.days_apart is None else round(measured.days_apart, 2),
            )
        )
    cases: dict[str, list[tuple[str, bool]]] = {}
    for r in results:
        cases.setdefault(r.case, []).append((r.label, r.predicted))
    measured_all = [(record["label"], measure(record["a"], record["b"])) for _, record in pairs]
    rules = {
        name: score([(label, rule(c)) for label, c in measured_all])
        for name, rule in _rules().items()
    }
    rules["containment + dates, no figures check"] = score(
        [
            (record["label"], measure(record["a"], record["b"], with_figures=False).reprint)
            for _, record in pairs
        ]
    )
    return DedupReport(
        file=str(path),
        scores=score([(r.label, r.predicted) for r in results]),
        by_case={case: score(items) for case, items in sorted(cases.items())},
        rules=rules,
        errors=errors,
        mistakes=[r for r in results if r.predicted != (r.label == REPRINT)],
        seconds=round(time.monotonic() - started, 2),
    )


def format_report(report: DedupReport) -> str:
    """The text view: overall, per case, the simpler rules, and every mistake."""

    def row(name: str, s: Scores) -> str:
        return (
            f"{name:<44} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
            f"(tp {s.true_positives}, fp {s.false_positives}, fn {s.false_negatives}, "
            f"{s.pairs} pairs)"
        )

    lines = [f"{report.file}: {report.scores.pairs} pairs in {report.seconds:.1f} s"]
    lines.append(row("newsdesk (ingest, LSH, containment + dates)", report.scores))
    lines.append("by case:")
    lines += [row(f"  {case}", s) for case, s in report.by_case.items()]
    lines.append("simpler rules on the exact shingle sets:")
    lines += [row(f"  {name}", s) for name, s in report.rules.items()]
    for m in report.mistakes:
        lines.append(
            f"mistake: line {m.line} ({m.case}, {m.label}): predicted "
            f"{'reprint' if m.predicted else 'different'}; containment {m.containment}, "
            f"jaccard {m.jaccard}, days apart {m.days_apart}"
        )
    lines += [f"error: {e}" for e in report.errors]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """``python -m index.eval dedup``'s arguments."""
    parser = argparse.ArgumentParser(prog="python -m index.eval dedup", description=__doc__)
    parser.add_argument("file", type=Path, help="JSON lines: a, b, label (case, lang optional)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation; exit 2 when the file cannot be read."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)  # noqa: T201
        return 2
    with tempfile.TemporaryDirectory(prefix="newsdesk-dedup-") as tmp:
        report = evaluate(args.file, Path(tmp))
    if args.json:
        print(json.dumps(asdict(report), indent=2, ensure_ascii=False))  # noqa: T201
    else:
        print(format_report(report))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
