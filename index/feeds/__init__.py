"""News sources: RSS 2.0, RSS 1.0 and Atom feeds and news sitemaps, polled into the archive.

Pipeline: fetch the source (conditional GET, per-host politeness, fetch limits) → parse it
(``parse``: feedparser for feeds, lxml for sitemaps) → pick new or changed entries (the
``seen_entries`` table) → fetch each page and extract it (``index.extract``) → fill gaps from
the feed (``merge``) → the archive's ingestion path, which stores and indexes.

This package's ``__init__`` imports only leaf modules, so that ``index.store`` can use the
dataclasses without an import cycle; the poller lives in ``index.feeds.poller``.
"""

from index.feeds.errors import FeedError, SourceError
from index.feeds.models import FeedEntry, PollReport, Source, SourcePoll, SourceStatus

__all__ = [
    "FeedEntry",
    "FeedError",
    "PollReport",
    "Source",
    "SourceError",
    "SourcePoll",
    "SourceStatus",
]
