"""The article store: the only code that speaks SQL.

SQLite in WAL mode under the data dir by default, or PostgreSQL (``index.store.pg``) when
``NEWSDESK_DATABASE_URL`` names one; ``open_database`` picks, and the store modules run on
either (``index.store.dialect``).
"""

from index.store.articles import ArticleStore, IndexRow, SaveResult, content_hash
from index.store.db import RESTORE_HINT, STORE_FILENAME, Database, open_database
from index.store.schema import MIGRATIONS, SCHEMA_VERSION, Migration
from index.store.stories import StoryStore
from index.store.topics import UNBUILT, NewAlert, OutboxRow, TopicStore

__all__ = [
    "MIGRATIONS",
    "RESTORE_HINT",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "UNBUILT",
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
    "open_database",
]
