"""``python -m index.bench.stories [--passages 20000] [--into DATA_DIR] [--json]``: what grouping
reprints costs.

Times, in CPU seconds (steadier than the wall clock on a shared machine), the story step of
ingestion over the generated Zipf corpus (``index.bench.corpus``, ~480 words per article)
stored in a fresh archive:

- ``sign``: shingling and the MinHash signature (``index.dedup.shingles`` + ``sign``);
- ``file``: the whole step per article as ``Archive`` runs it at the end of an ingest
  (``StoryKeeper.file_many``: sign, LSH look-up in the store, prefilter, exact check,
  membership and band keys written, one transaction per batch);

and, for comparison, the same archive's ingest without the story step (extraction,
passages, store, index), so the share of ingest time is visible.

``--into DATA_DIR`` measures the same in a large existing archive (e.g. the 1M-passage one
``python -m index.bench.alerts --passages 1000000`` keeps): ``--articles`` new generated
articles are ingested with ``Archive.ingest_bytes`` and the story step (its LSH look-ups and
band rows now go to a table of ~128 rows per stored article) is timed apart from the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from index.archive import open_archive
from index.bench.archive_corpus import ingest_generated_archive
from index.dedup import shingles, sign
from index.reprints import StoryKeeper
from index.settings import IndexSettings


@dataclass(frozen=True, slots=True)
class StoryCost:
    """Per-article CPU milliseconds of the story step, and of ingest without it."""

    articles: int
    words_per_article: float
    sign_ms: float
    file_ms: float
    ingest_without_stories_ms: float
    candidates_per_article: float
    texts_read_per_article: float


def measure(passages: int, work_dir: Path) -> StoryCost:
    """Build the generated archive without stories, then time signing and filing its articles."""
    original = StoryKeeper.file_many
    StoryKeeper.file_many = lambda self, ids: []  # type: ignore[method-assign,assignment]
    try:
        started = time.process_time()
        ingest_generated_archive(work_dir / "data", passages, work_dir / "source")
        ingest_cpu = time.process_time() - started
    finally:
        StoryKeeper.file_many = original  # type: ignore[method-assign]
    with open_archive(IndexSettings(data_dir=work_dir / "data", _env_file=None)) as archive:
        ids = archive.stories.unsigned_article_ids()
        articles = archive.store.articles_by_id(ids)
        started = time.process_time()
        words = 0
        for article in articles.values():
            words += len(article.body.split())
            sign(shingles(article.title, article.body))
        sign_cpu = time.process_time() - started
        keeper = StoryKeeper(archive.store, archive.stories)
        keeper._caught_up = True  # time filing alone, not the start-up catch-up
        started = time.process_time()
        filings = keeper.file_many(ids)
        file_cpu = time.process_time() - started
    n = max(1, len(ids))
    return StoryCost(
        articles=len(ids),
        words_per_article=round(words / n, 1),
        sign_ms=round(sign_cpu / n * 1000, 3),
        file_ms=round(file_cpu / n * 1000, 3),
        ingest_without_stories_ms=round(ingest_cpu / n * 1000, 3),
        candidates_per_article=round(sum(f.candidates for f in filings) / n, 3),
        texts_read_per_article=round(sum(f.checked for f in filings) / n, 3),
    )


def measure_into(data_dir: Path, n_articles: int) -> dict[str, float]:
    """CPU ms per article of the story step and of the rest of an ingest into ``data_dir``."""
    from index.bench.alerts import new_articles

    original = StoryKeeper.file_many
    spent = [0.0]

    def timed(self: StoryKeeper, ids: Sequence[int]) -> list:  # type: ignore[type-arg]
        started = time.process_time()
        try:
            return original(self, ids)
        finally:
            spent[0] += time.process_time() - started

    sign(shingles("warm", "up: datasketch's import and permutations are paid once"))
    StoryKeeper.file_many = timed  # type: ignore[method-assign,assignment]
    try:
        with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
            stored = archive.stats().articles
            base = archive.keeper.current().n_docs + 50_000  # passages no archive article has
            data = new_articles(base, n_articles)
            started = time.process_time()
            report = archive.ingest_bytes(f"stories-bench-{time.time_ns()}.jsonl", data)
            total = time.process_time() - started
    finally:
        StoryKeeper.file_many = original  # type: ignore[method-assign]
    n = max(1, report.count("new") + report.count("updated"))
    return {
        "articles_stored_before": stored,
        "articles": n,
        "file_ms": round(spent[0] / n * 1000, 3),
        "ingest_without_stories_ms": round((total - spent[0]) / n * 1000, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(prog="python -m index.bench.stories", description=__doc__)
    parser.add_argument("--passages", type=int, default=20_000, help="corpus size")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--into", type=Path, help="an existing archive's data dir to ingest into")
    parser.add_argument("--articles", type=int, default=500, help="new articles (with --into)")
    args = parser.parse_args(argv)
    if args.into is not None:
        print(json.dumps(measure_into(args.into, args.articles), indent=2))  # noqa: T201
        return 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-stories-") as tmp:
        cost = measure(args.passages, Path(tmp))
    if args.json:
        print(json.dumps(asdict(cost), indent=2))  # noqa: T201
    else:
        print(  # noqa: T201
            f"{cost.articles} articles of {cost.words_per_article:.0f} words: "
            f"sign {cost.sign_ms:.2f} ms, file (whole story step) {cost.file_ms:.2f} ms, "
            f"ingest without stories {cost.ingest_without_stories_ms:.2f} ms per article (CPU); "
            f"{cost.candidates_per_article:.2f} LSH candidates and "
            f"{cost.texts_read_per_article:.2f} texts read per article"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
