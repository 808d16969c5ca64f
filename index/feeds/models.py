"""Frozen dataclasses of the feeds stage: parsed entries and poll outcomes.

They live beside the feeds code rather than in ``index/models.py`` because only the feeds
stage, the facade and the adapters (CLI, bot) use them; ``index`` re-exports the public ones.
``Source`` and ``SourceStatus`` are in ``index/models.py``: the store reads and writes them,
and the store sits below the feeds stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from index.models import ItemResult, Lang, SourceKind

PollOutcome = Literal["ok", "not_modified", "failed", "deferred"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed or one ``<url>`` of a sitemap, normalised.

    ``key`` identifies the entry across polls: the GUID/Atom id when the feed gives one,
    otherwise the canonical URL. ``fingerprint`` changes when the entry's ``updated`` date or
    its title/summary/content change, which is what "updated in place" keys on.
    """

    key: str
    url: str
    fingerprint: str
    title: str | None = None
    author: str | None = None
    summary: str | None = None
    content: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: Lang | None = None


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """A parsed feed or sitemap: its entries, and for a sitemap index the child sitemaps."""

    kind: SourceKind
    entries: tuple[FeedEntry, ...] = ()
    title: str | None = None
    language: Lang | None = None
    child_sitemaps: tuple[ChildSitemap, ...] = ()


@dataclass(frozen=True, slots=True)
class ChildSitemap:
    """A ``<sitemap>`` of a sitemap index file."""

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourcePoll:
    """What one poll did to one source.

    ``items`` holds one result per entry whose page was fetched (new, updated or failed);
    entries skipped because they were already seen are only counted in ``seen``.
    ``deferred`` means the source was not fetched because its server asked to wait
    (``error`` says until when).
    """

    name: str
    outcome: PollOutcome
    entries: int = 0
    seen: int = 0
    items: tuple[ItemResult, ...] = ()
    error: str | None = None
    next_poll_at: datetime | None = None

    def count(self, outcome: str) -> int:
        """How many entries ended with ``outcome`` ("new", "updated", "unchanged", "failed")."""
        return sum(1 for item in self.items if item.outcome == outcome)


@dataclass(frozen=True, slots=True)
class PollReport:
    """One poll over the due sources, in the order they were polled."""

    sources: tuple[SourcePoll, ...] = ()
    started_at: datetime | None = None
    seconds: float = 0.0
    changed_article_ids: tuple[int, ...] = field(default=())

    def count(self, outcome: str) -> int:
        """Entries with ``outcome`` over all sources."""
        return sum(poll.count(outcome) for poll in self.sources)

    @property
    def failed_sources(self) -> tuple[SourcePoll, ...]:
        """Sources whose feed itself could not be fetched or parsed."""
        return tuple(poll for poll in self.sources if poll.outcome == "failed")

    @property
    def ok(self) -> bool:
        """True when no source and no entry failed."""
        return not self.failed_sources and self.count("failed") == 0
