"""``python -m index.eval speaker-names FILE [--json]``: names in cases → nominative, by method.

FILE has one name a line, ``lang<TAB>as written<TAB>nominative`` (``#`` lines are comments).
Each method's output is right only when the whole name equals the nominative. Methods:

- ``pymorphy3``: ``index.statements.names.nominative``, what extraction uses;
- ``rules``: the hand suffix rules below, the baseline a library had to beat;
- ``natasha``: natasha's person spans normalised by its morph vocabulary, Russian only
  (the name is put in a sentence, "По словам X, …", since natasha's NER needs context);
  skipped when natasha is not installed (it is not a dependency).

The figures are in docs/quality.md; the measurement picked pymorphy3.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def rules_nominative(name: str, lang: str) -> str:
    """The hand-rule nominative: ``index.statements.names.suffix_rule`` on every word."""
    from index.statements.names import suffix_rule

    return " ".join(suffix_rule(word, lang) for word in name.split(" "))


def _natasha() -> Callable[[str, str], str] | None:
    try:
        from natasha import (
            Doc,
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )
    except ImportError:
        return None
    segmenter, vocab, emb = Segmenter(), MorphVocab(), NewsEmbedding()
    morph, ner = NewsMorphTagger(emb), NewsNERTagger(emb)

    def normalise(name: str, lang: str) -> str:
        if lang != "ru":
            return name
        doc = Doc(f"По словам {name}, переговоры продолжатся.")
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        for span in doc.spans:
            if span.type == "PER":
                span.normalize(vocab)
                return span.normal
        return name

    return normalise


def _pymorphy3() -> Callable[[str, str], str]:
    from index.statements.names import nominative

    return lambda name, lang: nominative(name, lang)


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """(lang, as written, nominative) rows of a cases file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, written, expected = line.split("\t")
        rows.append((lang, written, expected))
    return rows


def measure(rows: Sequence[tuple[str, str, str]]) -> dict[str, dict[str, object]]:
    """Accuracy per method and language, with time per name and the misses."""
    methods: dict[str, Callable[[str, str], str]] = {
        "pymorphy3": _pymorphy3(),
        "rules": rules_nominative,
    }
    natasha = _natasha()
    if natasha is not None:
        methods["natasha"] = natasha
    report: dict[str, dict[str, object]] = {}
    for method, function in methods.items():
        for lang in ("uk", "ru"):  # load dictionaries and models outside the timing
            function("Марії Захарової" if lang == "uk" else "Марии Захаровой", lang)
        right: dict[str, list[int]] = {}
        misses = []
        started = time.perf_counter()
        for lang, written, expected in rows:
            if method == "natasha" and lang != "ru":
                continue
            got = function(written, lang)
            ok = re.sub(r"\s+", " ", got.strip()) == expected
            right.setdefault(lang, []).append(int(ok))
            if not ok:
                misses.append(f"{written} → {got} (want {expected})")
        took = time.perf_counter() - started
        count = sum(len(v) for v in right.values())
        report[method] = {
            **{lang: round(sum(v) / len(v), 3) for lang, v in right.items()},
            "names": count,
            "us_per_name": round(took / max(count, 1) * 1e6, 1),
            "misses": misses,
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Print each method's accuracy per language (``--json``: the whole report)."""
    parser = argparse.ArgumentParser(prog="python -m index.eval speaker-names")
    parser.add_argument("file", type=Path, help="lang<TAB>as written<TAB>nominative lines")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = measure(read_cases(args.file))
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return 0
    for method, row in report.items():
        scores = "  ".join(f"{k}={row[k]}" for k in ("uk", "ru") if k in row)
        sys.stdout.write(
            f"{method:10} {scores}  names={row['names']}  µs/name={row['us_per_name']}\n"
        )
        for miss in row["misses"]:  # type: ignore[attr-defined]
            sys.stdout.write(f"    {miss}\n")
    return 0
