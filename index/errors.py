"""Errors that carry a user-safe reason.

Everything ``index`` raises on purpose is a ``NewsdeskError``: its message is safe to show a
user (no paths outside the data dir, no tokens, no tracebacks). Batch operations catch them
per item into ``IngestReport`` so one bad file costs only itself.
"""

from __future__ import annotations

import errno


class NewsdeskError(Exception):
    """Base class: ``item`` names what failed, ``reason`` says why, in plain words."""

    def __init__(self, reason: str, item: str | None = None) -> None:
        self.reason = reason
        self.item = item
        super().__init__(f"{item}: {reason}" if item else reason)


class ExtractionError(NewsdeskError):
    """An item could not be turned into an article (empty, binary, malformed, too large)."""


class FetchError(NewsdeskError):
    """A URL could not be fetched (unreachable, timeout, wrong content type, too large)."""


class HttpStatusError(FetchError):
    """A server answered with an HTTP error status (4xx/5xx).

    ``retry_after`` keeps the raw Retry-After header (seconds or an HTTP-date) of a 429 or
    503, so the feed poller can wait as long as the server asked instead of guessing.
    """

    def __init__(
        self, reason: str, item: str | None = None, *, status: int, retry_after: str | None = None
    ) -> None:
        super().__init__(reason, item)
        self.status = status
        self.retry_after = retry_after


class StoreError(NewsdeskError):
    """The article store is unusable (corrupt, newer schema than this code knows)."""


class StoreUnavailableError(StoreError):
    """The store's server cannot be reached right now (PostgreSQL stopped or restarting).

    Passing, unlike the other ``StoreError``s: the same call succeeds once the server is
    back, so a user is told to try again, and nothing is wrong with the archive itself.
    """


def is_store_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means "the store's server cannot be reached right now".

    True for ``StoreUnavailableError`` and for the driver-level error the store modules
    raise when a statement cannot reach the server (``index.store.pg.PgOperationalError``,
    which callers above the store may meet unwrapped; it says so with a class attribute
    ``store_unreachable``, as this module imports nothing from the store).
    """
    return isinstance(error, StoreUnavailableError) or getattr(error, "store_unreachable", False)


class DataDirError(StoreError):
    """Something in the data folder is in the way (a file where a folder must be)."""


class ArchiveMissingError(NewsdeskError):
    """A command that reads the archive found none under the data dir (a mistyped path)."""


class IndexUnavailableError(NewsdeskError):
    """The search index is missing or corrupt; ``newsdesk reindex`` rebuilds it."""


class QuestionError(NewsdeskError):
    """A question that cannot be asked (empty, too long)."""


class FilterError(QuestionError):
    """A question's filter word that cannot be applied: ``item`` is the word as typed.

    The reason is in the question's language (``index.answer.filters``), with the closest
    outlet names when ``from:`` matched none.
    """


class NotFoundError(NewsdeskError):
    """An article id or source name that does not exist."""


class SourceError(NewsdeskError):
    """A source that cannot be registered or found (bad URL, bad or duplicate name)."""


class DiskFullError(StoreError):
    """The disk holding the archive is full: an ingest stops here rather than fail each item."""


#: SQLite's primary result code for "database or disk is full" (``sqlite3.SQLITE_FULL``).
_SQLITE_FULL = 13


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database or disk is full" or an ``ENOSPC`` OSError."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == _SQLITE_FULL


class TopicError(NewsdeskError):
    """A topic to follow was refused; ``code`` names the rule, so each adapter can word it.

    Codes: ``empty``, ``no_terms`` (only stopwords or symbols), ``too_long``, ``too_many``
    (the chat's limit), ``unknown_id``.
    """

    def __init__(self, reason: str, code: str, item: str | None = None) -> None:
        super().__init__(reason, item)
        self.code = code
