"""News sources: RSS 2.0, RSS 1.0 and Atom feeds and news sitemaps, polled into the archive.

Pipeline: fetch the source (conditional GET, per-host politeness, fetch limits) → parse it
(``parse``: feedparser for feeds, lxml for sitemaps) → pick new or changed entries (the
``seen_entries`` table) → fetch each page and extract it (``index.extract``) → fill gaps from
the feed (``merge``) → the archive's ingestion path, which stores and indexes.

The sources themselves (``Source``, ``SourceStatus``, ``SourceError``) are in
``index/models.py`` and ``index/errors.py``, because the store below this stage keeps them.
This package's ``__init__`` imports only leaf modules; the poller lives in
``index.feeds.poller``.
"""

from index.feeds.errors import FeedError
from index.feeds.models import FeedEntry, PollReport, SourcePoll

__all__ = [
    "FeedEntry",
    "FeedError",
    "PollReport",
    "SourcePoll",
]
