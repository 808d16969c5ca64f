"""``python -m index.eval statements FILE [--json]``: statement extraction against gold.

The matching rule is issue 14's, exactly: a prediction matches a gold statement of the same
unit when their spans overlap by at least half of the gold span's characters and the
speakers share their last word (lowercased, ё → е, letters and digits kept, cut to 5
characters; equal, or a prefix of the other when one is shorter than 5 and at least 3). A
gold statement is matched at most once. A prediction matching nothing but covering half of
an ``unattributed`` span is not counted. Scores are micro-averaged, overall, per language
and per kind. Date accuracy is over matched gold statements whose ``date_source`` is
``text`` (the text gives the date), when the gold carries ``said_on``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from index.statements import extract_statements


def last_word_key(speaker: str) -> str:
    """The speaker comparison key of the matching rule."""
    words = speaker.split()
    if not words:
        return ""
    word = words[-1].lower().replace("ё", "е")
    return "".join(c for c in word if c.isalnum())[:5]


def speakers_match(a: str, b: str) -> bool:
    """Whether two speakers share their last word under the matching rule."""
    ka, kb = last_word_key(a), last_word_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return 3 <= len(short) < 5 and long_.startswith(short)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class _Counts:
    tp_pred: int = 0
    counted_pred: int = 0
    tp_gold: int = 0
    gold: int = 0

    def scores(self) -> dict[str, float | int]:
        p = self.tp_pred / self.counted_pred if self.counted_pred else 1.0
        r = self.tp_gold / self.gold if self.gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "predicted": self.counted_pred,
            "gold": self.gold,
        }


@dataclass
class Report:
    overall: _Counts = field(default_factory=_Counts)
    by_lang: dict[str, _Counts] = field(default_factory=dict)
    by_kind: dict[str, _Counts] = field(default_factory=dict)
    dated: int = 0
    dated_right: int = 0
    misses: list[dict[str, object]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "overall": self.overall.scores(),
            "per_language": {k: v.scores() for k, v in sorted(self.by_lang.items())},
            "per_kind": {k: v.scores() for k, v in sorted(self.by_kind.items())},
            "date_accuracy": round(self.dated_right / self.dated, 4) if self.dated else None,
            "dated_statements": self.dated,
        }


def evaluate_unit(unit: dict[str, object], report: Report) -> None:
    """Extract from one unit and add its counts to ``report``."""
    text = str(unit["text"])
    lang = str(unit.get("lang", "?"))
    published = date.fromisoformat(str(unit["published"])[:10]) if unit.get("published") else None
    gold = list(unit.get("statements") or [])  # type: ignore[arg-type]
    unattributed = list(unit.get("unattributed") or [])  # type: ignore[arg-type]
    predicted = extract_statements(text, published)
    used: set[int] = set()
    lang_counts = report.by_lang.setdefault(lang, _Counts())
    for g in gold:
        for counts in (
            report.overall,
            lang_counts,
            report.by_kind.setdefault(g["kind"], _Counts()),
        ):
            counts.gold += 1
    for pred in predicted:
        kind_counts = report.by_kind.setdefault(pred.kind, _Counts())
        match = None
        for i, g in enumerate(gold):
            if i in used:
                continue
            span = (int(g["start"]), int(g["end"]))
            if _overlap((pred.start, pred.end), span) * 2 >= span[1] - span[0] and speakers_match(
                pred.speaker, str(g["speaker"])
            ):
                match = i
                break
        if match is None:
            if any(
                _overlap((pred.start, pred.end), (int(u["start"]), int(u["end"]))) * 2
                >= int(u["end"]) - int(u["start"])
                for u in unattributed
            ):
                continue
            for counts in (report.overall, lang_counts, kind_counts):
                counts.counted_pred += 1
            report.misses.append(
                {"id": unit.get("id"), "wrong": pred.speaker, "text": pred.text[:80]}
            )
            continue
        used.add(match)
        g = gold[match]
        gold_kind = report.by_kind.setdefault(g["kind"], _Counts())
        for counts in (report.overall, lang_counts, kind_counts):
            counts.counted_pred += 1
            counts.tp_pred += 1
        for counts in (report.overall, lang_counts, gold_kind):
            counts.tp_gold += 1
        if g.get("date_source") == "text" and g.get("said_on"):
            report.dated += 1
            report.dated_right += int(
                pred.said_on is not None and pred.said_on.isoformat() == g["said_on"]
            )
    for i, g in enumerate(gold):
        if i not in used:
            report.misses.append(
                {
                    "id": unit.get("id"),
                    "missed": g["speaker"],
                    "text": text[g["start"] : g["end"]][:80],
                }
            )


def run(path: Path) -> Report:
    """Evaluate every unit of a JSON-lines file."""
    report = Report()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                evaluate_unit(json.loads(line), report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Print the scores (a table, or ``--json``); exit 2 when the file is missing."""
    parser = argparse.ArgumentParser(prog="python -m index.eval statements", description=__doc__)
    parser.add_argument("file", type=Path, help="JSON-lines annotated units")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--misses", action="store_true", help="list wrong and missed statements")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        sys.stderr.write(f"error: no such file: {args.file}\n")
        return 2
    report = run(args.file)
    scores = report.as_json()
    out = sys.stdout
    if args.json:
        out.write(json.dumps(scores, ensure_ascii=False, indent=2) + "\n")
    else:
        rows: list[tuple[str, dict[str, float | int]]] = [("overall", report.overall.scores())]
        rows += [(k, v.scores()) for k, v in sorted(report.by_lang.items())]
        rows += [(k, v.scores()) for k, v in sorted(report.by_kind.items())]
        for name, s in rows:
            out.write(
                f"{name:10} P {s['precision']:.3f}  R {s['recall']:.3f}  "
                f"F1 {s['f1']:.3f}  ({s['gold']} gold)\n"
            )
        out.write(
            f"date accuracy {scores['date_accuracy']} "
            f"on {scores['dated_statements']} dated statements\n"
        )
    if args.misses:
        for miss in report.misses:
            out.write(json.dumps(miss, ensure_ascii=False) + "\n")
    return 0
