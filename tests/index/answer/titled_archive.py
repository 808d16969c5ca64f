"""An archive of hand-written (title, text) articles, for the answer tests that ask through
``Archive.ask`` the real path: one JSON-lines corpus, ingested whole, every article of one day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index import Archive, IndexSettings, open_archive


@contextmanager
def titled_archive(
    root: Path, docs: Sequence[tuple[str, str]], published: str = "2024-05-06"
) -> Iterator[Archive]:
    """``docs`` ingested under ``root`` (checked: none failed), the archive open."""
    corpus = root / "news.jsonl"
    lines = [
        json.dumps({"title": t, "text": x, "published": published}, ensure_ascii=False)
        for t, x in docs
    ]
    corpus.write_text("\n".join(lines), encoding="utf-8")
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened
