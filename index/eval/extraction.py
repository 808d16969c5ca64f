"""Extraction quality on the article-extraction benchmark (181 pages, ``ground-truth.json``).

The metric replicates the benchmark's own ``evaluate.py``: tokens are ``\\w+`` matches
(no case folding), shingles are word 4-grams counted as a multiset, each page's TP/FP/FN
are normalised to sum to 1 (so long pages weigh no more than short ones), precision is
averaged over pages with TP+FP > 0, recall over pages with TP+FN > 0, and F1 is the
harmonic mean of those two averages. Pages go through our whole path (``extract_bytes``
on the ``.html.gz`` bytes), so gunzip, decoding and sniffing are measured too.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import ExtractionError, NewsdeskError
from index.extract import ExtractOptions, extract_bytes

logger = logging.getLogger(__name__)

# The bar of issue 2; trafilatura alone scores about 0.958 in the benchmark's README.
EXTRACTION_F1_FLOOR = 0.95
SHINGLE_N = 4
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


class BenchmarkError(NewsdeskError):
    """The benchmark folder is missing or malformed."""


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's normalised shingle counts (they sum to 1, or are all 0)."""

    page_id: str
    tp: float
    fp: float
    fn: float


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """Benchmark figures; ``failed`` lists pages where extraction raised, with the reason."""

    pages: int
    precision: float
    recall: float
    f1: float
    seconds: float
    pages_per_s: float
    failed: tuple[tuple[str, str], ...] = ()


def tokenize(text: str) -> list[str]:
    """The benchmark's tokenizer: ``\\w+`` matches, case kept."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Word n-grams as a multiset; a text shorter than n gives one shorter shingle."""
    tokens = tokenize(text)
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def score_page(page_id: str, true: str, pred: str) -> PageScore:
    """TP/FP/FN over shingles, normalised by their sum as the benchmark does."""
    true_shingles, pred_shingles = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for key in true_shingles.keys() | pred_shingles.keys():
        true_count, pred_count = true_shingles[key], pred_shingles[key]
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(page_id, tp, fp, fn)


def _precision(score: PageScore) -> float:
    if score.fp == score.fn == 0:
        return 1.0
    if score.tp == score.fp == 0:
        return 0.0
    return score.tp / (score.tp + score.fp)


def _recall(score: PageScore) -> float:
    if score.fp == score.fn == 0:
        return 1.0
    if score.tp == score.fn == 0:
        return 0.0
    return score.tp / (score.tp + score.fn)


def aggregate(scores: Sequence[PageScore]) -> tuple[float, float, float]:
    """(precision, recall, F1) averaged over pages, as the benchmark's evaluate.py does."""
    precision = statistics.mean(_precision(s) for s in scores if s.tp + s.fp > 0)
    recall = statistics.mean(_recall(s) for s in scores if s.tp + s.fn > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_extraction(
    bench_dir: Path, *, limit: int | None = None, options: ExtractOptions | None = None
) -> ExtractionReport:
    """Extract every benchmark page and score the bodies against the ground truth.

    Args:
        bench_dir: the benchmark folder (``ground-truth.json`` and ``html/<id>.html.gz``).
        limit: score only the first ``limit`` pages (sorted by id), for quick checks.
        options: extraction options; the defaults are what ingestion uses.

    Raises:
        BenchmarkError: the folder lacks the ground truth or a page.
    """
    truth_path = bench_dir / "ground-truth.json"
    if not truth_path.is_file():
        raise BenchmarkError("ground-truth.json not found", item=str(bench_dir))
    truth: dict[str, dict[str, str]] = json.loads(truth_path.read_text(encoding="utf-8"))
    page_ids = sorted(truth)[:limit] if limit else sorted(truth)
    scores: list[PageScore] = []
    failed: list[tuple[str, str]] = []
    elapsed = 0.0
    for page_id in page_ids:
        page_path = bench_dir / "html" / f"{page_id}.html.gz"
        if not page_path.is_file():
            raise BenchmarkError("page file missing", item=str(page_path))
        data = page_path.read_bytes()
        started = time.perf_counter()
        try:
            articles = extract_bytes(data, page_path.name, options=options)
            predicted = "\n".join(article.body for article in articles)
        except ExtractionError as exc:
            failed.append((page_id, exc.reason))
            predicted = ""
        elapsed += time.perf_counter() - started
        scores.append(score_page(page_id, truth[page_id].get("articleBody", ""), predicted))
    precision, recall, f1 = aggregate(scores)
    return ExtractionReport(
        pages=len(scores),
        precision=precision,
        recall=recall,
        f1=f1,
        seconds=elapsed,
        pages_per_s=len(scores) / elapsed if elapsed else 0.0,
        failed=tuple(failed),
    )


def format_report(report: ExtractionReport) -> str:
    """The human view of a report."""
    verdict = "ok" if report.f1 >= EXTRACTION_F1_FLOOR else "BELOW"
    lines = [
        f"pages      {report.pages}",
        f"precision  {report.precision:.4f}",
        f"recall     {report.recall:.4f}",
        f"F1         {report.f1:.4f}  ({verdict} floor {EXTRACTION_F1_FLOOR})",
        f"speed      {report.pages_per_s:.1f} pages/s ({report.seconds:.1f} s)",
    ]
    if report.failed:
        lines.append(f"failed ({len(report.failed)}):")
        lines.extend(f"  {page_id}: {reason}" for page_id, reason in report.failed)
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m index.eval extraction``."""
    parser.add_argument("bench_dir", type=Path, help="article-extraction-benchmark folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark: 0 when F1 meets the floor, 1 below it, 2 when unusable."""
    try:
        report = evaluate_extraction(args.bench_dir, limit=args.limit)
    except NewsdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2
    if args.json:
        print(json.dumps(asdict(report), indent=2))  # noqa: T201 - CLI output
    else:
        print(format_report(report))  # noqa: T201 - CLI output
    return 0 if report.f1 >= EXTRACTION_F1_FLOOR else 1
