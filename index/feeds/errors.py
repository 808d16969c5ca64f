"""Errors of the feeds stage; both carry an item (a source name or URL) and a user-safe reason."""

from __future__ import annotations

from index.errors import NewsdeskError


class SourceError(NewsdeskError):
    """A source that cannot be registered or found (bad URL, bad or duplicate name)."""


class FeedError(NewsdeskError):
    """A source that could not be polled this time (invalid feed or sitemap, bad response)."""
