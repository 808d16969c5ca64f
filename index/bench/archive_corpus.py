"""The generated Zipf corpus as a real archive: JSONL articles ingested through ``Archive.ingest``.

Both whole-path benchmarks (``python -m index.bench.ask`` and ``python -m bot.bench``) measure
answers over an archive built the way users build theirs, so they share this one builder.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from index.archive import open_archive
from index.bench.corpus import ZipfCorpus
from index.settings import IndexSettings

ARTICLES_PER_FILE = 1000  # keeps each JSONL file far below the ingest size cap
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ingest_generated_archive(data_dir: Path, n_passages: int, source_dir: Path) -> float:
    """Write ``n_passages`` generated passages as JSONL articles and ingest them.

    Args:
        data_dir: the archive's data dir.
        n_passages: corpus size (the generator groups passages into articles).
        source_dir: where the JSONL files are written before ingesting.

    Returns:
        Seconds the ingest took (writing the files is not counted).

    Raises:
        SystemExit: an article failed to ingest, which makes the benchmark meaningless.
    """
    texts: dict[int, list[str]] = {}
    days: dict[int, int] = {}
    for passage in ZipfCorpus(n_passages).passages():
        texts.setdefault(passage.article_id, []).append(passage.text)
        days.setdefault(passage.article_id, passage.published_day)
    lines = [
        json.dumps(
            {
                "url": f"https://bench.example.org/article/{article_id}",
                "title": " ".join(body[0].split()[:6]).capitalize(),
                "text": "\n\n".join(body),
                "published": (_EPOCH + timedelta(days=days[article_id], hours=8)).isoformat(),
                "source": "Bench",
                "language": "en",
            }
        )
        for article_id, body in texts.items()
    ]
    source_dir.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, len(lines), ARTICLES_PER_FILE)):
        chunk = lines[start : start + ARTICLES_PER_FILE]
        (source_dir / f"part-{number:04d}.jsonl").write_text("\n".join(chunk) + "\n")
    started = time.perf_counter()
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(source_dir)])
    if report.failed:
        raise SystemExit(f"bench corpus failed to ingest: {report.failed[0]}")
    return time.perf_counter() - started
