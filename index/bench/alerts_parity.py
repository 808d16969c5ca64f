"""``python -m index.bench.alerts_parity ARCHIVE_DIR``: fingerprints of what the matcher alerts.

Deciding at match time and building the alert text at delivery must not change which topics
an article alerts, nor the text. This prints, for ``--topics`` broad and specific topics of
the generated corpus and ``--articles`` new articles stored in a copy of ``ARCHIVE_DIR``
(an archive ``index.bench.alerts`` built), the SHA-256 of the decided (article, topic)
pairs and of the built alerts (``answer_to_json``). Run it with the code before and after a
change (``PYTHONPATH`` on each checkout, this file taken from the newer one): equal
fingerprints mean equal decisions and texts. Code without ``TopicMatcher.decide`` reports
``match``'s topics as its decisions.

Usage: ``python -m index.bench.alerts_parity DIR --passages 20000 [--topics 30000]
[--articles 60]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.answer.follow import TopicMatcher, answer_to_json
from index.archive import open_archive
from index.bench.alerts import new_articles
from index.bench.corpus import ZipfCorpus
from index.settings import IndexSettings


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


def fingerprints(archive_dir: Path, n_passages: int, n_topics: int, n_articles: int) -> dict:
    """Decisions and alert texts per topic kind, on a throwaway copy of ``archive_dir``."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "archive"
        shutil.copytree(archive_dir, data)
        with open_archive(IndexSettings(data_dir=data, _env_file=None)) as archive:
            report = archive.ingest_bytes("new.jsonl", new_articles(n_passages, n_articles))
            ids = [item.article_id for item in report.items if item.article_id is not None]
            index = archive.keeper.current()
            corpus = ZipfCorpus(n_passages)
            kinds = {
                "broad": corpus.questions(n_topics),
                "specific": corpus.specific_questions(n_topics),
            }
            for kind, topics in kinds.items():
                matcher = TopicMatcher(
                    archive.keeper.analyzer, layer=archive.settings.ranking_layer
                )
                matcher.load(enumerate(topics, 1), datetime.now(UTC), version=1)
                decided, texts = [], []
                for article_id in ids:
                    article = archive.get_article(article_id)
                    passages = archive.get_passages(article_id)
                    records = archive.keeper.records_of(article, passages)
                    found = matcher.match(article, passages, records, index)
                    texts += [(article_id, t, answer_to_json(a)) for t, a in found]
                    if hasattr(matcher, "decide"):
                        picked = matcher.decide(article, passages, records, index)
                    else:
                        picked = [t for t, _ in found]
                    decided += [(article_id, t) for t in picked]
                out[kind] = {
                    "decisions": len(decided),
                    "decisions_sha": _sha(decided),
                    "alerts_sha": _sha(texts),
                }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench.alerts_parity")
    parser.add_argument("archive", type=Path, help="an archive index.bench.alerts built")
    parser.add_argument("--passages", type=int, required=True, help="its corpus size")
    parser.add_argument("--topics", type=int, default=30_000)
    parser.add_argument("--articles", type=int, default=60)
    args = parser.parse_args(argv)
    row = fingerprints(args.archive, args.passages, args.topics, args.articles)
    sys.stdout.write(json.dumps(row, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
