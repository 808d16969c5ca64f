"""newsdesk's archive: extraction, the article store, analysis, the BM25 index and answers.

The library logs to ``logging.getLogger("index...")`` and attaches a NullHandler: the
application (CLI or bot) decides where logs go. This package never imports ``bot`` or
``telegram``.
"""

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.answer.filters import split_filters
    from index.archive import INGEST_SUFFIXES, Archive, migrate_store, open_archive
    from index.channels import ChannelPost
    from index.charts import render_daily_chart
    from index.errors import (
        FilterError,
        NewsdeskError,
        StoreUnavailableError,
        TopicError,
        is_store_unavailable,
    )
    from index.feeds.models import PollReport, SourcePoll
    from index.models import (
        LANGS,
        Alert,
        Answer,
        Article,
        ArticleAnswer,
        ArticleSummary,
        Attribution,
        Citation,
        DailyCounts,
        IngestReport,
        ItemResult,
        Lang,
        Passage,
        Progress,
        ReindexReport,
        Snippet,
        Source,
        SourceStatus,
        StoreStats,
        Story,
        Topic,
    )
    from index.settings import IndexSettings, SettingsError, load_settings
    from index.statements.answer import quote_question

# Where each public name lives, imported on first use (PEP 562): a process that needs one
# part of the package (a build worker: the encoder; the query process: the search engine)
# no longer imports the archive, the fetcher, settings and their dependencies (httpx,
# pydantic) with it: 26 MB less resident in each build worker and in a querying process
# (docs/performance.md, "Issue 16: footprint at 1M").
_LAZY = {
    "INGEST_SUFFIXES": "index.archive",
    "Archive": "index.archive",
    "migrate_store": "index.archive",
    "open_archive": "index.archive",
    "ChannelPost": "index.channels",
    "render_daily_chart": "index.charts",
    "FilterError": "index.errors",
    "NewsdeskError": "index.errors",
    "StoreUnavailableError": "index.errors",
    "TopicError": "index.errors",
    "is_store_unavailable": "index.errors",
    "PollReport": "index.feeds.models",
    "SourcePoll": "index.feeds.models",
    "LANGS": "index.models",
    "Alert": "index.models",
    "Answer": "index.models",
    "Article": "index.models",
    "ArticleAnswer": "index.models",
    "ArticleSummary": "index.models",
    "Attribution": "index.models",
    "Citation": "index.models",
    "DailyCounts": "index.models",
    "IngestReport": "index.models",
    "ItemResult": "index.models",
    "Lang": "index.models",
    "Passage": "index.models",
    "Progress": "index.models",
    "ReindexReport": "index.models",
    "Snippet": "index.models",
    "Source": "index.models",
    "SourceStatus": "index.models",
    "StoreStats": "index.models",
    "Story": "index.models",
    "Topic": "index.models",
    "IndexSettings": "index.settings",
    "SettingsError": "index.settings",
    "load_settings": "index.settings",
    "quote_question": "index.statements.answer",
    "split_filters": "index.answer.filters",
}

__all__ = [
    "INGEST_SUFFIXES",
    "LANGS",
    "Alert",
    "Answer",
    "Archive",
    "Article",
    "ArticleAnswer",
    "ArticleSummary",
    "Attribution",
    "ChannelPost",
    "Citation",
    "DailyCounts",
    "FilterError",
    "IndexSettings",
    "IngestReport",
    "ItemResult",
    "Lang",
    "NewsdeskError",
    "Passage",
    "PollReport",
    "Progress",
    "ReindexReport",
    "SettingsError",
    "Snippet",
    "Source",
    "SourcePoll",
    "SourceStatus",
    "StoreStats",
    "StoreUnavailableError",
    "Story",
    "Topic",
    "TopicError",
    "is_store_unavailable",
    "load_settings",
    "migrate_store",
    "open_archive",
    "quote_question",
    "render_daily_chart",
    "split_filters",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    """A public name's value on first use (``_LAZY``), then kept in the module."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
