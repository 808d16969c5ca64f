"""newsdesk's archive: extraction, the article store, analysis, the BM25 index and answers.

The library logs to ``logging.getLogger("index...")`` and attaches a NullHandler: the
application (CLI or bot) decides where logs go. This package never imports ``bot`` or
``telegram``.
"""

import logging
from typing import Any

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
    """``split_filters`` on first use: it imports the answer stage (and numpy), which a plain
    ``import index`` (the CLI's start) should not pay for."""
    if name == "split_filters":
        from index.answer.filters import split_filters

        return split_filters
    raise AttributeError(f"module 'index' has no attribute {name!r}")
