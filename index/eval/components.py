"""The archive's parts the evaluation commands drive: store, index and analyzer of one Archive.

The eval commands ingest through ``Archive`` (the real path) and then need the same index,
store and analyzer ``Archive.ask`` uses, to rank up to 100 articles per query without
building snippets for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from index.archive import Archive, open_archive
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
