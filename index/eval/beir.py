"""BEIR-layout datasets: ``corpus.jsonl``, ``queries.jsonl``, ``qrels/test.tsv``.

Lines that cannot be used are skipped and listed (with file and line number) so the report
can say what was left out; a dataset with a missing file, no usable document or no query
with judgements raises ``DatasetError``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import NewsdeskError

# Optional news fields a corpus line may carry; ingested with the document as an article's.
METADATA_FIELDS = ("published", "source", "author")
# Marks skipped lines that make the dataset broken (exit status 1) rather than merely unusable.
_MALFORMED_MARK = "malformed: "


class DatasetError(NewsdeskError):
    """An evaluation dataset is missing, unreadable or has nothing to evaluate."""


@dataclass(frozen=True, slots=True)
class BeirDocument:
    """One corpus document."""

    doc_id: str
    title: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BeirDataset:
    """A loaded dataset; ``queries`` holds only queries that have judgements."""

    name: str
    corpus: tuple[BeirDocument, ...]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    skipped: tuple[str, ...] = field(default=())

    @property
    def malformed(self) -> tuple[str, ...]:
        """Skipped lines that were broken (not JSON, missing fields), not merely unusable."""
        return tuple(item for item in self.skipped if _MALFORMED_MARK in item)


def load_beir(directory: Path) -> BeirDataset:
    """Read a BEIR dataset directory.

    Raises:
        DatasetError: a file is missing or unreadable, or nothing is left to evaluate.
    """
    corpus_path = directory / "corpus.jsonl"
    queries_path = directory / "queries.jsonl"
    qrels_path = directory / "qrels" / "test.tsv"
    for path in (corpus_path, queries_path, qrels_path):
        if not path.is_file():
            raise DatasetError("missing file", item=str(path))
    skipped: list[str] = []
    corpus: list[BeirDocument] = []
    seen: set[str] = set()
    for line_no, record in _read_jsonl(corpus_path, skipped):
        doc_id = str(record.get("_id", "")).strip()
        text = record.get("text")
        title = record.get("title") or ""
        if not doc_id or not isinstance(text, str) or not isinstance(title, str):
            skipped.append(f"{corpus_path.name}:{line_no}: {_MALFORMED_MARK}no _id or text")
        elif not (title.strip() or text.strip()):
            skipped.append(f"{corpus_path.name}:{line_no}: empty document {doc_id}")
        elif doc_id in seen:
            skipped.append(f"{corpus_path.name}:{line_no}: duplicate _id {doc_id}")
        else:
            seen.add(doc_id)
            metadata = {
                key: value.strip()
                for key in METADATA_FIELDS
                if isinstance(value := record.get(key), str) and value.strip()
            }
            corpus.append(
                BeirDocument(
                    doc_id=doc_id, title=title.strip(), text=text.strip(), metadata=metadata
                )
            )
    queries: dict[str, str] = {}
    for line_no, record in _read_jsonl(queries_path, skipped):
        query_id = str(record.get("_id", "")).strip()
        text = record.get("text")
        if not query_id or not isinstance(text, str) or not text.strip():
            skipped.append(f"{queries_path.name}:{line_no}: {_MALFORMED_MARK}no _id or text")
        else:
            queries[query_id] = text.strip()
    qrels = _read_qrels(qrels_path, seen, skipped)
    without = sorted(set(queries) - set(qrels))
    if without:
        skipped.append(f"{len(without)} queries without judgements")
    queries = {q: text for q, text in queries.items() if q in qrels}
    if not corpus:
        raise DatasetError("no usable document", item=str(corpus_path))
    if not queries:
        raise DatasetError("no query with judgements", item=str(directory))
    return BeirDataset(
        name=directory.name,
        corpus=tuple(corpus),
        queries=queries,
        qrels={q: qrels[q] for q in queries},
        skipped=tuple(skipped),
    )


def _read_jsonl(path: Path, skipped: list[str]) -> list[tuple[int, dict]]:
    """JSON objects by line number; bad lines go to ``skipped``."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"unreadable ({exc.__class__.__name__})", item=str(path)) from None
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            skipped.append(f"{path.name}:{line_no}: {_MALFORMED_MARK}not JSON")
            continue
        if not isinstance(record, dict):
            skipped.append(f"{path.name}:{line_no}: {_MALFORMED_MARK}not an object")
            continue
        records.append((line_no, record))
    return records


def _read_qrels(path: Path, doc_ids: set[str], skipped: list[str]) -> dict[str, dict[str, int]]:
    """query id → {doc id: relevance}; judgements of unknown documents are skipped."""
    qrels: dict[str, dict[str, int]] = {}
    unknown = 0
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"unreadable ({exc.__class__.__name__})", item=str(path)) from None
    for line_no, row in enumerate(rows, start=1):
        if line_no == 1 and row[:1] == ["query-id"]:
            continue
        if len(row) < 3:
            skipped.append(
                f"qrels/{path.name}:{line_no}: {_MALFORMED_MARK}not query-id, corpus-id, score"
            )
            continue
        try:
            score = int(row[2])
        except ValueError:
            skipped.append(
                f"qrels/{path.name}:{line_no}: {_MALFORMED_MARK}score is not an integer"
            )
            continue
        if row[1] not in doc_ids:
            unknown += 1
            continue
        qrels.setdefault(row[0], {})[row[1]] = score
    if unknown:
        skipped.append(f"{unknown} judgements of documents not in the corpus")
    return qrels
