"""Errors of the feeds stage, carrying an item (a source URL) and a user-safe reason.

``SourceError`` (a source that cannot be registered or found) is in ``index/errors.py``: the
store raises it too, and the store sits below the feeds stage.
"""

from __future__ import annotations

from index.errors import NewsdeskError


class FeedError(NewsdeskError):
    """A source that could not be polled this time (invalid feed or sitemap, bad response)."""
