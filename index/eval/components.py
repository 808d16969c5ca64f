"""The archive's parts the evaluation commands drive: store, index and analyzer of one Archive.

The eval commands ingest through ``Archive`` (the real path) and then need the same index,
store and analyzer ``Archive.ask`` uses, to rank up to 100 articles per query without
building snippets for all of them.

A set's documents are written as JSON-lines files of at most ``NEWSDESK_MAX_ITEM_BYTES``
each (``write_corpus``): the archive refuses a larger item, and an eval corpus may be larger
than one upload. ``ingest_corpus`` refuses to go on when nothing was stored, so a broken set
is a clear error rather than a division by zero in a baseline over an empty corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.archive import Archive, open_archive
from index.eval.beir import DatasetError
from index.models import Article
from index.settings import IndexSettings

# list_articles is paged by a limit; an eval corpus is far below this.
_ALL = 10_000_000


@dataclass(frozen=True, slots=True)
class ArchiveParts:
    """An open archive with the components ``Archive.ask`` uses."""

    archive: Archive
    store: Any
    analyzer: Any

    @property
    def index(self) -> Any:
        """The current search index (reloaded after an ingest swapped in a delta)."""
        return self.archive.keeper.current()

    @property
    def articles(self) -> Any:
        """The current article index (whole-article records), as ``Archive.ask`` uses it."""
        return self.archive.keeper.articles()

    def all_articles(self) -> list[Article]:
        """Every stored article, oldest id first."""
        ids = sorted(summary.article_id for summary in self.archive.list_articles(limit=_ALL))
        found = self.store.articles_by_id(ids)
        return [found[i] for i in ids if i in found]


@contextmanager
def archive_parts(settings: IndexSettings) -> Iterator[ArchiveParts]:
    """Open an archive under ``settings.data_dir`` and yield its parts; closes it after."""
    archive = open_archive(settings)
    try:
        yield ArchiveParts(archive=archive, store=archive.store, analyzer=archive.keeper.analyzer)
    finally:
        archive.close()


def write_corpus(records: Iterable[dict], work_dir: Path, stem: str, max_bytes: int) -> list[Path]:
    """Write ``records`` as JSON-lines files ``stem-N.jsonl`` of at most ``max_bytes`` each.

    A record is never split: one larger than ``max_bytes`` gets a file of its own, which the
    archive then refuses as that one item (the ingest report names it).
    """
    paths: list[Path] = []
    handle = None
    size = 0
    try:
        for record in records:
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            if handle is None or size + len(line) > max_bytes:
                if handle is not None:
                    handle.close()
                paths.append(work_dir / f"{stem}-{len(paths) + 1}.jsonl")
                handle = paths[-1].open("wb")
                size = 0
            handle.write(line)
            size += len(line)
    finally:
        if handle is not None:
            handle.close()
    return paths


def ingest_corpus(archive: Archive, paths: list[Path]) -> list[str]:
    """Ingest the corpus files; the failed items as "skipped" notes.

    Raises:
        DatasetError: nothing at all was stored (no document, or every one refused).
    """
    report = archive.ingest([str(path) for path in paths])
    skipped = [f"ingest {item.item}: {item.reason}" for item in report.failed]
    if report.index_error:
        raise DatasetError(f"the index could not be updated: {report.index_error}")
    if archive.store.count_passages() == 0:
        reasons = "; ".join(skipped[:3]) or "no document"
        raise DatasetError(f"nothing was ingested ({reasons})")
    return skipped
