"""``python -m index.eval qa FILE.jsonl [--no-layer] [--ours-only] [--json]``: answer quality.

Each line: ``{"id", "question", "answer", "documents": [{"title"?, "text", "published"?,
"url"?, "source"?, "author"?}, ...]}`` plus optional ``"lang"`` (for the breakdown; else
the detected language) and ``"now"`` (ISO time the question is asked at, for
"yesterday"-style questions).
Every document of the file goes, once (identical documents are deduplicated), into one fresh
temporary archive through ``Archive.ingest`` (in files of at most ``NEWSDESK_MAX_ITEM_BYTES``,
``components.write_corpus``); each question is asked through ``Archive.ask``.

Scores: answer@1 (the answer string, case- and whitespace-insensitive, is in the top
snippet), answer@3 (in any of the first three snippets), both over answerable questions;
false nothing-found (share of answerable questions answered ``found=False``) and
nothing-found (true nothing-found: share of ``"answer": null`` questions answered
``found=False``). Beside them, for information and not for any bar: answer@1 / answer@3
with titles (``answer_at_1_titled``, ``answer_at_3_titled``), where a snippet also counts
when the answer is in the title of the article it cites, which the reader sees on the
citation line under it ("Volkswagen recalls over 114,000 Beetles ..." for "Which automaker
recalled ...?").

Beside ours, the same questions are scored (unless ``--ours-only``) for two references:

* ``layer_off``: ``Archive.ask`` over the same archive with the ranking layer off;
* ``sentence_bm25``: the QA anchor, a plain answerer with no gate: every stored article body
  split into sentences (``snippets.split_sentences``), rank_bm25's BM25Okapi over each
  sentence's terms from our analyzer, the question's terms as the query, the top three
  sentences as the answer (``found=False`` only when no sentence scores above zero).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.errors import NewsdeskError
from index.eval.beir import DatasetError
from index.eval.components import ArchiveParts, archive_parts, ingest_corpus, write_corpus
from index.models import Answer
from index.settings import IndexSettings

logger = logging.getLogger(__name__)

TOP_SNIPPETS = 3
# The document fields passed on to the archive (JSON-archive fields: the outlet and author
# are stored as an ingested article's would be).
DOCUMENT_FIELDS = ("title", "text", "published", "url", "source", "author")


@dataclass(frozen=True, slots=True)
class QaItem:
    """One question of the set."""

    item_id: str
    question: str
    answer: str | None
    lang: str | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class QaOutcome:
    """What asking one question gave."""

    item_id: str
    question: str
    expected: str | None
    lang: str
    found: bool
    at_1: bool
    at_3: bool
    top_snippet: str | None
    # The same with each snippet's citation title counted (module docstring).
    at_1_titled: bool = False
    at_3_titled: bool = False


@dataclass(frozen=True, slots=True)
class QaScores:
    """Scores over a group of questions (all, or one language)."""

    answerable: int
    unanswerable: int
    answer_at_1: float
    answer_at_3: float
    nothing_found: float
    false_nothing_found: float = 0.0
    # For information (module docstring): a snippet's citation title counts too.
    answer_at_1_titled: float = 0.0
    answer_at_3_titled: float = 0.0


@dataclass(frozen=True, slots=True)
class QaReport:
    """The whole run: overall and per-language scores, failures, what was skipped."""

    file: str
    documents: int
    questions: int
    layer: bool
    overall: QaScores
    by_language: dict[str, QaScores]
    failures: tuple[QaOutcome, ...]
    seconds: float
    skipped: tuple[str, ...] = field(default=())
    # Overall scores of the references (module docstring): "layer_off", "sentence_bm25".
    baselines: dict[str, QaScores] = field(default_factory=dict)


def normalize_answer(text: str) -> str:
    """Casefolded, whitespace collapsed, apostrophe variants unified: how answers compare."""
    text = re.sub(r"[’ʼ`]", "'", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def load_qa(path: Path) -> tuple[list[QaItem], list[dict], list[str]]:
    """Questions, unique documents (first occurrence order) and malformed-line notes.

    Raises:
        DatasetError: the file is missing, unreadable or has no usable question.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"unreadable ({exc.__class__.__name__})", item=str(path)) from None
    items: list[QaItem] = []
    documents: dict[str, dict] = {}
    skipped: list[str] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{line_no}"
        try:
            record = json.loads(line)
            item, docs = _parse_record(record, where)
        except (json.JSONDecodeError, ValueError) as exc:
            skipped.append(f"{where}: malformed: {exc}")
            continue
        items.append(item)
        for doc in docs:
            documents.setdefault(json.dumps(doc, sort_keys=True, ensure_ascii=False), doc)
    if not items:
        raise DatasetError("no usable question", item=str(path))
    return items, list(documents.values()), skipped


def _parse_record(record: object, where: str) -> tuple[QaItem, list[dict]]:
    """One line as a question and its documents; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not an object")
    question = record.get("question")
    answer = record.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("no question")
    if answer is not None and (not isinstance(answer, str) or not answer.strip()):
        raise ValueError("answer must be a non-empty string or null")
    documents = record.get("documents", [])
    if not isinstance(documents, list):
        raise ValueError("documents must be a list")
    docs = []
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise ValueError("a document without text")
        docs.append({k: v for k, v in doc.items() if k in DOCUMENT_FIELDS})
    now = record.get("now")
    return (
        QaItem(
            item_id=str(record.get("id", where)),
            question=question,
            answer=answer,
            lang=record.get("lang") if isinstance(record.get("lang"), str) else None,
            now=datetime.fromisoformat(now) if isinstance(now, str) else None,
        ),
        docs,
    )


def score_answer(item: QaItem, answer: Answer) -> QaOutcome:
    """Whether the expected answer is in the top snippet / the top three snippets."""
    snippets = [s.text for article in answer.articles for s in article.snippets]
    titles = [article.citation.title for article in answer.articles for _ in article.snippets]
    return score_texts(
        item, found=answer.found, snippets=snippets, language=answer.language, titles=titles
    )


def score_texts(
    item: QaItem,
    *,
    found: bool,
    snippets: Sequence[str],
    language: str,
    titles: Sequence[str] = (),
) -> QaOutcome:
    """Score any answerer's ranked snippet texts the same way (``score_answer``); ``titles``
    are the snippets' citation titles, when they have any."""
    expected = normalize_answer(item.answer) if item.answer is not None else None
    hits = [expected is not None and expected in normalize_answer(s) for s in snippets]
    titled = [
        hit or (expected is not None and expected in normalize_answer(title))
        for hit, title in zip(hits, [*titles, *[""] * (len(hits) - len(titles))], strict=True)
    ]
    return QaOutcome(
        item_id=item.item_id,
        question=item.question,
        expected=item.answer,
        lang=item.lang or language,
        found=found,
        at_1=bool(hits[:1]) and hits[0],
        at_3=any(hits[:TOP_SNIPPETS]),
        top_snippet=snippets[0] if snippets else None,
        at_1_titled=bool(titled[:1]) and titled[0],
        at_3_titled=any(titled[:TOP_SNIPPETS]),
    )


def summarize(outcomes: Sequence[QaOutcome]) -> QaScores:
    """Scores of a group of outcomes; a rate with nothing to count is 0.0."""
    answerable = [o for o in outcomes if o.expected is not None]
    unanswerable = [o for o in outcomes if o.expected is None]

    def rate(hits: int, total: int) -> float:
        return hits / total if total else 0.0

    return QaScores(
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        answer_at_1=rate(sum(o.at_1 for o in answerable), len(answerable)),
        answer_at_3=rate(sum(o.at_3 for o in answerable), len(answerable)),
        nothing_found=rate(sum(not o.found for o in unanswerable), len(unanswerable)),
        false_nothing_found=rate(sum(not o.found for o in answerable), len(answerable)),
        answer_at_1_titled=rate(sum(o.at_1_titled for o in answerable), len(answerable)),
        answer_at_3_titled=rate(sum(o.at_3_titled for o in answerable), len(answerable)),
    )


def is_failure(outcome: QaOutcome) -> bool:
    """An answerable question missed at 1, or an unanswerable one answered with something."""
    return not outcome.at_1 if outcome.expected is not None else outcome.found


def evaluate_qa(
    path: Path, *, work_dir: Path, layer: bool = True, baselines: bool = True
) -> QaReport:
    """Ingest the file's documents into a fresh archive in ``work_dir`` and ask everything.

    Args:
        path: the QA set.
        work_dir: an empty folder for the archive.
        layer: ours with the ranking layer (else pure BM25Okapi ranking).
        baselines: also score the references (``layer_off`` when ``layer``, and
            ``sentence_bm25``).

    Raises:
        DatasetError: the file is unusable or none of its documents could be ingested.
    """
    started = time.perf_counter()
    asked_at = datetime.now(tz=UTC)
    items, documents, skipped = load_qa(path)
    settings = IndexSettings(data_dir=work_dir / "data", ranking_layer=layer, _env_file=None)
    corpus = write_corpus(documents, work_dir, "qa-documents", settings.max_item_bytes)
    references: dict[str, QaScores] = {}
    with archive_parts(settings) as parts:
        skipped += ingest_corpus(parts.archive, corpus)
        outcomes = ask_all(parts, items, asked_at)
        if baselines:
            anchor = sentence_anchor(parts, items, asked_at)
    if baselines and layer:
        without = settings.model_copy(update={"ranking_layer": False})
        with archive_parts(without) as parts:
            references["layer_off"] = summarize(ask_all(parts, items, asked_at))
    if baselines:
        references["sentence_bm25"] = summarize(anchor)
    languages = Counter(o.lang for o in outcomes)
    return QaReport(
        file=str(path),
        documents=len(documents),
        questions=len(items),
        layer=layer,
        overall=summarize(outcomes),
        by_language={
            lang: summarize([o for o in outcomes if o.lang == lang]) for lang in sorted(languages)
        },
        failures=tuple(o for o in outcomes if is_failure(o)),
        seconds=time.perf_counter() - started,
        skipped=tuple(skipped),
        baselines=references,
    )


def ask_all(parts: ArchiveParts, items: Sequence[QaItem], asked_at: datetime) -> list[QaOutcome]:
    """Every question through ``Archive.ask`` at its own ``now`` (else ``asked_at``)."""
    outcomes = []
    for item in items:
        try:
            answer = parts.archive.ask(item.question, now=item.now or asked_at)
        except NewsdeskError as exc:
            answer = Answer(question=item.question, found=False, reason=exc.reason)
        outcomes.append(score_answer(item, answer))
    return outcomes


def sentence_anchor(
    parts: ArchiveParts, items: Sequence[QaItem], asked_at: datetime
) -> list[QaOutcome]:
    """The QA anchor (module docstring): BM25Okapi over every stored sentence, top three."""
    from rank_bm25 import BM25Okapi

    from index.analysis.language import lang_or_default
    from index.answer.snippets import split_sentences

    sentences: list[str] = []
    tokens: list[list[str]] = []
    # term → the sentences holding it: only those can score above zero (BM25Okapi's idf is
    # floored above zero), so only those are scored (``get_batch_scores``, same formula).
    holding: dict[str, list[int]] = defaultdict(list)
    for article in parts.all_articles():
        lang = lang_or_default(article.language)
        for span in split_sentences(article.body):
            text = article.body[span.start : span.end]
            terms = parts.analyzer.document_terms(text, lang, article.published_at)
            if terms:
                for term in set(terms):
                    holding[term].append(len(tokens))
                sentences.append(text)
                tokens.append(list(terms))
    if not tokens:
        raise DatasetError("no stored sentence has a searchable word")
    bm25 = BM25Okapi(tokens)
    outcomes = []
    for item in items:
        question = parts.analyzer.question(item.question, item.now or asked_at)
        ids = sorted({i for term in question.terms for i in holding.get(term, ())})
        scores = np.asarray(bm25.get_batch_scores(list(question.terms), ids)) if ids else []
        order = np.argsort(-np.asarray(scores), kind="stable")[:TOP_SNIPPETS]
        top = [ids[int(i)] for i in order if scores[i] > 0]
        outcomes.append(
            score_texts(
                item,
                found=bool(top),
                snippets=[sentences[i] for i in top],
                language=question.language,
            )
        )
    return outcomes


def format_report(report: QaReport) -> str:
    """The human view: a score table per language, the references, then the failures."""
    layer = "layer on" if report.layer else "layer off"
    lines = [
        f"{report.file}: {report.questions} questions, {report.documents} documents, "
        f"{layer}, {report.seconds:.1f} s",
        f"{'group':<8} {'answerable':>10} {'answer@1':>9} {'answer@3':>9} {'false-NF':>9} "
        f"{'no-answer':>9} {'nothing-found':>13}",
    ]
    for name, scores in [("all", report.overall), *report.by_language.items()]:
        lines.append(
            f"{name:<8} {scores.answerable:>10} {scores.answer_at_1:>9.3f} "
            f"{scores.answer_at_3:>9.3f} {scores.false_nothing_found:>9.3f} "
            f"{scores.unanswerable:>9} {scores.nothing_found:>13.3f}"
        )
    titled = report.overall
    lines.append(
        f"with citation titles (information, not a bar): answer@1 "
        f"{titled.answer_at_1_titled:.3f}, answer@3 {titled.answer_at_3_titled:.3f}"
    )
    if report.baselines:
        lines.append(
            f"{'system':<24} {'answer@1':>9} {'answer@3':>9} {'false-NF':>9} {'true-NF':>9}"
        )
        names = {"layer_off": "newsdesk (layer off)", "sentence_bm25": "rank_bm25 sentences"}
        for key, scores in [(f"newsdesk ({layer})", report.overall), *report.baselines.items()]:
            lines.append(
                f"{names.get(key, key):<24} {scores.answer_at_1:>9.3f} {scores.answer_at_3:>9.3f} "
                f"{scores.false_nothing_found:>9.3f} {scores.nothing_found:>9.3f}"
            )
    if report.failures:
        lines.append(f"failures ({len(report.failures)}):")
        for o in report.failures:
            expected = repr(o.expected) if o.expected is not None else "nothing found"
            got = repr(o.top_snippet[:160]) if o.top_snippet else "nothing found"
            lines.append(f"  [{o.item_id}] {o.question}\n    expected {expected}\n    got {got}")
    if report.skipped:
        lines.append(f"skipped ({len(report.skipped)}):")
        lines.extend(f"  {item}" for item in report.skipped)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m index.eval qa``."""
    parser = argparse.ArgumentParser(
        prog="python -m index.eval qa", description="Answer quality on a JSON-lines QA set."
    )
    parser.add_argument("file", type=Path, help="JSON lines: id, question, answer, documents")
    parser.add_argument("--no-layer", action="store_true", help="pure BM25Okapi ranking")
    parser.add_argument(
        "--ours-only", action="store_true", help="skip the layer-off and sentence BM25 references"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the QA evaluation: 0 ok, 1 when lines or documents were skipped, 2 when unusable."""
    args = build_parser().parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="newsdesk-qa-") as tmp:
            report = evaluate_qa(
                args.file,
                work_dir=Path(tmp),
                layer=not args.no_layer,
                baselines=not args.ours_only,
            )
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2
    if args.json:
        print(json.dumps(asdict(report), indent=2, ensure_ascii=False))  # noqa: T201
    else:
        print(format_report(report))  # noqa: T201 - CLI output
    return 1 if report.skipped else 0
