"""``python -m index.bench.stories [--passages 20000] [--json]``: what grouping reprints costs.

Times, in CPU seconds (steadier than the wall clock on a shared machine), the story step of
ingestion over the generated Zipf corpus (``index.bench.corpus``, ~480 words per article)
stored in a fresh archive:

- ``sign``: shingling and the MinHash signature (``index.dedup.shingles`` + ``sign``);
- ``file``: the whole step per article as ``Archive`` runs it at the end of an ingest
  (``StoryKeeper.file_many``: sign, LSH look-up in the store, prefilter, exact check,
  membership and band keys written, one transaction per batch);

and, for comparison, the same archive's ingest without the story step (extraction,
passages, store, index), so the share of ingest time is visible.
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(prog="python -m index.bench.stories", description=__doc__)
    parser.add_argument("--passages", type=int, default=20_000, help="corpus size")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
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
