"""``python -m index.eval retrieval DATASET_DIR [--no-layer] [--json]``: ranking quality.

The corpus goes through the real path: it is written as a JSON-lines archive and ingested by
``Archive.ingest`` into a temporary data dir (extraction → store → analysis → index), one
document = one article, with the publication date, outlet and author a news corpus line
carries (``beir.METADATA_FIELDS``), as a news archive would hold them. Every query is asked
through ``index.answer.rank_question``, the ranking ``Archive.ask`` uses, and articles map
back to document ids by their URL.

Metrics come from pytrec_eval (trec_eval's own code): nDCG@10, MRR@10 (reciprocal rank of
the run cut at 10) and Recall@100. The baseline is rank_bm25.BM25Okapi over whole documents,
on exactly our tokens (``analyzer.document_terms`` of title and text, the question's terms).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytrec_eval
from rank_bm25 import BM25Okapi

from index.analysis.language import lang_or_default
from index.eval.beir import BeirDataset, DatasetError, load_beir
from index.eval.components import ArchiveParts, archive_parts, ingest_corpus, write_corpus
from index.settings import IndexSettings

logger = logging.getLogger(__name__)

DOC_URL_PREFIX = "https://beir.invalid/doc/"
RUN_DEPTH = 100
MEASURES = {"ndcg_cut.10", "recip_rank", "recall.100"}


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean metrics over the evaluated queries."""

    ndcg_10: float
    mrr_10: float
    recall_100: float


@dataclass(frozen=True, slots=True)
class RetrievalReport:
    """One dataset's figures: ours (with the layer as configured) beside rank_bm25."""

    dataset: str
    layer: bool
    documents: int
    passages: int
    queries: int
    ours: Scores
    baseline: Scores
    seconds: float
    skipped: tuple[str, ...]


def evaluate_run(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> Scores:
    """nDCG@10, MRR@10 and Recall@100 with pytrec_eval, averaged over every judged query.

    A query missing from the run counts as zero (pytrec_eval would silently drop it).
    """
    full = {q: run.get(q, {}) for q in qrels}
    cut = {
        q: dict(sorted(docs.items(), key=lambda kv: (-kv[1], kv[0]))[:10])
        for q, docs in full.items()
    }
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, MEASURES)
    per_query = evaluator.evaluate({q: docs for q, docs in full.items() if docs})
    per_query_cut = evaluator.evaluate({q: docs for q, docs in cut.items() if docs})
    n = len(qrels)

    def mean(results: dict, measure: str) -> float:
        return float(sum(r[measure] for r in results.values()) / n)

    return Scores(
        ndcg_10=mean(per_query, "ndcg_cut_10"),
        mrr_10=mean(per_query_cut, "recip_rank"),
        recall_100=mean(per_query, "recall_100"),
    )


def evaluate_dataset(
    dataset: BeirDataset, *, layer: bool, work_dir: Path, now: datetime | None = None
) -> RetrievalReport:
    """Index ``dataset`` through the archive in ``work_dir`` and score ours and the baseline.

    Raises:
        DatasetError: none of the documents could be ingested.
    """
    started = time.perf_counter()
    now = now or datetime.now(tz=UTC)
    records = (
        {
            "title": doc.title,
            "text": doc.text,
            "url": DOC_URL_PREFIX + doc.doc_id,
            **doc.metadata,
        }
        for doc in dataset.corpus
    )
    settings = IndexSettings(data_dir=work_dir / "data", ranking_layer=layer, _env_file=None)
    corpus = write_corpus(records, work_dir, dataset.name, settings.max_item_bytes)
    skipped = list(dataset.skipped)
    with archive_parts(settings) as parts:
        skipped += ingest_corpus(parts.archive, corpus)
        doc_of = _doc_ids_by_article(parts)
        ours = _run_ours(dataset, parts, doc_of, layer=layer, now=now)
        baseline = _run_baseline(dataset, parts, doc_of, now=now)
        passages = parts.index.n_docs
    return RetrievalReport(
        dataset=dataset.name,
        layer=layer,
        documents=len(doc_of),
        passages=passages,
        queries=len(dataset.queries),
        ours=evaluate_run(dataset.qrels, ours),
        baseline=evaluate_run(dataset.qrels, baseline),
        seconds=time.perf_counter() - started,
        skipped=tuple(skipped),
    )


def _doc_ids_by_article(parts: ArchiveParts) -> dict[int, str]:
    """article id → BEIR doc id, from the URL each document was ingested with."""
    doc_of = {}
    for article in parts.all_articles():
        if article.url and article.url.startswith(DOC_URL_PREFIX):
            doc_of[article.article_id] = article.url.removeprefix(DOC_URL_PREFIX)
    return doc_of


def _run_ours(
    dataset: BeirDataset,
    parts: ArchiveParts,
    doc_of: dict[int, str],
    *,
    layer: bool,
    now: datetime,
) -> dict[str, dict[str, float]]:
    """Each query through the ask ranking path; the top RUN_DEPTH articles as a run."""
    from index.answer import rank_question

    run: dict[str, dict[str, float]] = {}
    for query_id, text in dataset.queries.items():
        question = parts.analyzer.question(text, now)
        ranked = rank_question(
            question,
            index=parts.index,
            passages=parts.store,
            analyzer=parts.analyzer,
            layer=layer,
            n_articles=RUN_DEPTH,
            articles=parts.articles,
        )
        run[query_id] = {
            doc_of[r.article_id]: r.score for r in ranked[:RUN_DEPTH] if r.article_id in doc_of
        }
    return run


def _run_baseline(
    dataset: BeirDataset, parts: ArchiveParts, doc_of: dict[int, str], *, now: datetime
) -> dict[str, dict[str, float]]:
    """rank_bm25.BM25Okapi over whole documents, on our analyzer's tokens."""
    articles = [a for a in parts.all_articles() if a.article_id in doc_of]
    corpus = []
    for article in articles:
        lang = lang_or_default(article.language)
        corpus.append(
            parts.analyzer.document_terms(article.title, lang, article.published_at)
            + parts.analyzer.document_terms(article.body, lang, article.published_at)
        )
    bm25 = BM25Okapi(corpus)
    ids = [doc_of[a.article_id] for a in articles]
    run = {}
    for query_id, text in dataset.queries.items():
        terms = parts.analyzer.question(text, now).terms
        if not terms:
            run[query_id] = {}
            continue
        scores = bm25.get_scores(list(terms))
        top = np.argsort(-scores, kind="stable")[:RUN_DEPTH]
        run[query_id] = {ids[i]: float(scores[i]) for i in top if scores[i] > 0}
    return run


def format_report(report: RetrievalReport) -> str:
    """The human table: one row for ours, one for the baseline."""
    layer = "layer on" if report.layer else "layer off"
    lines = [
        f"{report.dataset}: {report.documents} documents, {report.passages} passages, "
        f"{report.queries} queries, {report.seconds:.1f} s",
        f"{'system':<28} {'nDCG@10':>8} {'MRR@10':>8} {'R@100':>8}",
    ]
    for name, scores in (
        (f"newsdesk ({layer})", report.ours),
        ("rank_bm25 BM25Okapi", report.baseline),
    ):
        lines.append(
            f"{name:<28} {scores.ndcg_10:>8.4f} {scores.mrr_10:>8.4f} {scores.recall_100:>8.4f}"
        )
    if report.skipped:
        lines.append(f"skipped ({len(report.skipped)}):")
        lines.extend(f"  {item}" for item in report.skipped)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m index.eval retrieval``."""
    parser = argparse.ArgumentParser(
        prog="python -m index.eval retrieval",
        description="Retrieval quality on a BEIR-layout dataset, beside rank_bm25.",
    )
    parser.add_argument(
        "dataset_dir", type=Path, help="folder with corpus.jsonl, queries.jsonl, qrels/test.tsv"
    )
    parser.add_argument("--no-layer", action="store_true", help="pure BM25Okapi ranking")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the retrieval evaluation.

    Returns:
        0 when evaluated; 1 when evaluated but some lines were malformed (listed under
        "skipped"); 2 when the dataset cannot be evaluated at all (missing files, nothing
        usable) or the arguments are wrong.
    """
    args = build_parser().parse_args(argv)
    try:
        dataset = load_beir(args.dataset_dir)
        with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
            report = evaluate_dataset(dataset, layer=not args.no_layer, work_dir=Path(tmp))
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2
    if args.json:
        print(json.dumps(asdict(report), indent=2))  # noqa: T201 - CLI output
    else:
        print(format_report(report))  # noqa: T201 - CLI output
    return 1 if dataset.malformed else 0
