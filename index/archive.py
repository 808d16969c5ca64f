"""The facade: the one object the CLI and the bot talk to.

It joins the stages (extract → store → analysis → search → answer) and is the only module
that knows all of them. Every public method here has a CLI subcommand and a bot action.
Thread-safety: the bot calls ``ask`` from worker threads while ``reindex`` or ``ingest`` may
run in another, so each thread gets its own SQLite connection and index swaps are atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from index.models import (
    Answer,
    Article,
    ArticleSummary,
    IngestReport,
    Passage,
    Progress,
    ReindexReport,
    StoreStats,
)
from index.settings import IndexSettings

ProgressCallback = Callable[[Progress], None]


class Archive:
    """A news archive on disk: article store plus search index under ``settings.data_dir``."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        raise NotImplementedError  # filled in by the store/archive work of issue 2

    def close(self) -> None:
        """Release connections and memory maps."""
        raise NotImplementedError

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self,
        items: Sequence[str],
        *,
        source: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest paths (files, folders, .gz) and http(s) URLs; one bad item costs only itself."""
        raise NotImplementedError

    def ingest_bytes(self, name: str, data: bytes, *, source: str | None = None) -> IngestReport:
        """Ingest one uploaded file given as bytes (the bot's document uploads)."""
        raise NotImplementedError

    def ask(
        self, question: str, *, k: int = 3, offset: int = 0, now: datetime | None = None
    ) -> Answer:
        """Answer a question with cited snippets, or say honestly that nothing matched."""
        raise NotImplementedError

    def reindex(self, progress: ProgressCallback | None = None) -> ReindexReport:
        """Rebuild the whole index and swap it in atomically."""
        raise NotImplementedError

    def stats(self) -> StoreStats:
        """Counts, languages, sources, date range and sizes on disk."""
        raise NotImplementedError

    def list_articles(
        self, *, source: str | None = None, since: date | None = None, limit: int = 20
    ) -> list[ArticleSummary]:
        """Newest articles first."""
        raise NotImplementedError

    def get_article(self, article_id: int) -> Article:
        """One stored article; raises NotFoundError."""
        raise NotImplementedError

    def get_passages(self, article_id: int) -> list[Passage]:
        """An article's passages in order; raises NotFoundError."""
        raise NotImplementedError

    def delete(self, article_id: int) -> Article:
        """Delete an article and its passages from store and index; returns what was deleted."""
        raise NotImplementedError

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions this archive can answer, built from its own recent articles."""
        raise NotImplementedError


def open_archive(settings: IndexSettings) -> Archive:
    """Open (creating if needed) the archive under ``settings.data_dir``."""
    return Archive(settings)
