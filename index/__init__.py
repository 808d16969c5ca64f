"""newsdesk's archive: extraction, the article store, analysis, the BM25 index and answers.

The library logs to ``logging.getLogger("index...")`` and attaches a NullHandler: the
application (CLI or bot) decides where logs go. This package never imports ``bot`` or
``telegram``.
"""

import logging

from index.archive import INGEST_SUFFIXES, Archive, open_archive
from index.channels import ChannelPost
from index.charts import render_daily_chart
from index.errors import FilterError, NewsdeskError, TopicError
from index.feeds.models import PollReport, SourcePoll
from index.models import (
    LANGS,
    Alert,
    Answer,
    Article,
    ArticleAnswer,
    ArticleSummary,
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

__all__ = [
    "INGEST_SUFFIXES",
    "LANGS",
    "Alert",
    "Answer",
    "Archive",
    "Article",
    "ArticleAnswer",
    "ArticleSummary",
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
    "Story",
    "Topic",
    "TopicError",
    "load_settings",
    "open_archive",
    "render_daily_chart",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
