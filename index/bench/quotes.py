"""``python -m index.bench.quotes``: ``Archive.quotes`` latency at 100k articles (issue 14).

Fills a fresh archive's store with synthetic rows: ``--articles`` short articles and three
statements per article, ``--speaker-share`` of them by the asked speaker (3,000 of 300,000
by default: a much-quoted person), then times ``quotes`` plain, with ``--about`` and with a
day, p50 over 30 calls each. The rows go in by SQL, not ingest: the query path is what is
measured, and ingest of 100k articles would take minutes.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from index.archive import open_archive
from index.settings import IndexSettings

_BODY = (
    "On Monday, NATO Secretary General Jens Stoltenberg said that the alliance would send "
    "more air defence systems to Ukraine before winter."
)


def _day(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def run(articles: int, speaker_statements: int, repeats: int = 30) -> dict[str, float]:
    """p50 milliseconds of each kind of ``quotes`` call on the synthetic store."""
    rng = random.Random(14)
    seed = {"title": "seed", "text": _BODY, "language": "en", "published": "2024-07-18"}
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = IndexSettings(data_dir=Path(tmp) / "data", _env_file=None)
        with open_archive(settings) as archive:
            archive.ingest_bytes("seed.jsonl", json.dumps(seed).encode())  # builds the index
            with archive._db.transaction() as conn:
                conn.executemany(
                    "INSERT INTO articles (url, source, title, author, published_at, language,"
                    " body, content_hash, ingested_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (f"https://x.test/{i}", "X", f"t{i}", None, f"{_day(rng)}T10:00:00",
                         "en", _BODY, f"h{i}", "2024-12-01T00:00:00")
                        for i in range(articles)
                    ],
                )  # fmt: skip
                ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
                keys = ["~stoltenberh"] * speaker_statements
                keys += [f"~k{i}" for i in range(3 * articles - speaker_statements)]
                rng.shuffle(keys)
                conn.executemany(
                    "INSERT INTO statements (article_id, speaker, speaker_as_written,"
                    ' speaker_key, start, "end", kind, said_on, date_source, cue_start, cue_end)'
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (ids[i % len(ids)], "Jens Stoltenberg", "Stoltenberg", key, 69, 142,
                         "reported", _day(rng), "text", 0, 69)
                        for i, key in enumerate(keys)
                    ],
                )  # fmt: skip
            calls = {
                "quotes": {},
                "quotes --about": {"about": "air defence"},
                "quotes on a day": {"on": ("@m07-14",)},
            }
            for label, kwargs in calls.items():
                archive.quotes("Stoltenberg", **kwargs)  # type: ignore[arg-type]
                times = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    archive.quotes("Stoltenberg", **kwargs)  # type: ignore[arg-type]
                    times.append((time.perf_counter() - started) * 1000)
                results[label] = round(statistics.median(times), 2)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Print the p50 latencies as JSON."""
    parser = argparse.ArgumentParser(prog="python -m index.bench.quotes", description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--speaker-statements", type=int, default=3_000)
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(run(args.articles, args.speaker_statements)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
