"""What statement extraction costs the reindex build (issue 14: it is measured in the build rate).

``newsdesk reindex`` re-extracts every article's statements (``StatementStore.rebuild``), so
the build benchmark runs ``extract_statements`` over the generated corpus's articles (its
passages joined per article, as the archive stores bodies) inside the timed build.

Generated text has no quotes and no attribution verbs, so there extraction costs only its
cue scan. The cost on text that quotes people is measured apart, on the hand-written
news-style units of ``index/eval/statements_*.jsonl``, per paragraph; the report combines
the two into the share extraction would take of a build over such text, by CPU time (a
busy shared machine inflates wall clocks, not CPU time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from index.statements import extract_statements

_EPOCH = date(1970, 1, 1)
_EVAL_DIR = Path(__file__).parents[1] / "eval"


def encode_and_extract(encoder: Any, payload: Any) -> Any:
    """A build worker's job in the bench: encode a chunk's passages and extract its articles'
    statements, as a reindex re-extracts them.

    Here rather than in ``measure``, so a worker imports what its job needs and not the
    bench's measuring (psutil, the corpus generator: ~2 MiB a worker).
    """
    from index.search.workers import Worked

    texts, article_ids, days = payload
    n = len(texts)
    terms = encoder.encode(texts, ["en"] * n, [None] * n)
    side = extract_texts(texts, article_ids.tolist(), days.tolist())
    return Worked(terms.new_terms, (terms,), side)


def extract_articles(chunk: Sequence[Any]) -> tuple[float, float, int]:
    """Wall and CPU seconds spent extracting a chunk's articles' statements, and how many.

    Args:
        chunk: generated passages (``article_id``, ``text``, ``published_day``), whole
            articles (the build's batches hold whole articles).
    """
    return extract_texts(
        [p.text for p in chunk], [p.article_id for p in chunk], [p.published_day for p in chunk]
    )


def extract_texts(
    texts: Sequence[str], article_ids: Sequence[int], days: Sequence[int]
) -> tuple[float, float, int]:
    """``extract_articles`` from the passages' columns (what a build worker is sent)."""
    bodies: dict[int, list[str]] = {}
    first_day: dict[int, int] = {}
    for text, article_id, day in zip(texts, article_ids, days, strict=True):
        bodies.setdefault(article_id, []).append(text)
        first_day.setdefault(article_id, day)
    started, cpu_started = time.perf_counter(), time.process_time()
    found = 0
    for article_id, parts in bodies.items():
        published = _EPOCH + timedelta(days=first_day[article_id])
        found += len(extract_statements("\n\n".join(parts), published))
    return time.perf_counter() - started, time.process_time() - cpu_started, found


def news_rate(min_seconds: float = 2.0) -> dict[str, Any]:
    """Extraction throughput on the hand-written news-style eval units (paragraphs per s)."""
    units: list[tuple[str, date | None]] = []
    for path in sorted(_EVAL_DIR.glob("statements_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                unit = json.loads(line)
                published = unit.get("published")
                day = date.fromisoformat(published[:10]) if published else None
                units.append((unit["text"], day))
    paragraphs = sum(len([p for p in text.split("\n") if p.strip()]) for text, _ in units)
    chars = sum(len(text) for text, _ in units)
    rounds, found = 0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        found = sum(len(extract_statements(text, day)) for text, day in units)
        rounds += 1
        took = time.perf_counter() - started
        if took >= min_seconds:
            break
    cpu = time.process_time() - cpu_started
    return {
        "news_units": len(units),
        "news_paragraphs": paragraphs,
        "news_statements": found,
        "news_paragraphs_per_s": paragraphs * rounds / took,
        "news_paragraphs_per_cpu_s": paragraphs * rounds / cpu if cpu > 0 else float("inf"),
        "news_chars_per_paragraph": chars / max(paragraphs, 1),
    }


def share_of_build(passages_per_s_without: float, news_paragraphs_per_s: float) -> float:
    """The share extraction would take of the build's time per passage on news text."""
    cost = 1 / news_paragraphs_per_s
    return cost / (1 / passages_per_s_without + cost)
