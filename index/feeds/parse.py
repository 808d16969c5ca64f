"""One entry point for a fetched source document: sniff sitemap vs feed, then parse."""

from __future__ import annotations

from index.feeds.models import FeedDocument
from index.feeds.sitemap import GZIP_MAGIC, gunzip_capped, is_sitemap, parse_sitemap
from index.feeds.syndication import parse_syndication


def parse_document(
    data: bytes,
    *,
    url: str,
    content_type: str | None = None,
    language: str | None = None,
    max_bytes: int = 20_000_000,
) -> FeedDocument:
    """Parse a source document, whichever of RSS, Atom or sitemap (plain or gzipped) it is.

    Raises:
        FeedError: the document is neither a readable feed nor a sitemap.
    """
    if data.startswith(GZIP_MAGIC):
        data = gunzip_capped(data, max_bytes=max_bytes, item=url)
    if is_sitemap(data):
        return parse_sitemap(data, url=url, language=language)
    return parse_syndication(data, url=url, content_type=content_type, language=language)
