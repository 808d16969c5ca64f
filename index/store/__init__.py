"""The article store: the only code that speaks SQL (SQLite in WAL mode under the data dir)."""

from index.store.articles import ArticleStore, IndexRow, SaveResult, content_hash
from index.store.db import RESTORE_HINT, STORE_FILENAME, Database
from index.store.schema import MIGRATIONS, SCHEMA_VERSION, Migration
from index.store.stories import StoryStore
from index.store.topics import NewAlert, OutboxRow, TopicStore

__all__ = [
    "MIGRATIONS",
    "RESTORE_HINT",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "ArticleStore",
    "Database",
    "IndexRow",
    "Migration",
    "NewAlert",
    "OutboxRow",
    "SaveResult",
    "StoryStore",
    "TopicStore",
    "content_hash",
]
