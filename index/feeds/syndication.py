"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds, parsed with feedparser into FeedEntry values.

feedparser is given the bytes as a stream, never a string: given a string it would treat it
as a URL or a file name and open it. It disables external entities in its SAX parser and
decodes by the XML declaration and the HTTP Content-Type, so cp1251 feeds read correctly.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import feedparser

from index.feeds.errors import FeedError
from index.feeds.fields import fingerprint, from_struct_time, html_to_text, to_lang
from index.feeds.models import FeedDocument, FeedEntry
from index.feeds.urls import canonical_url

logger = logging.getLogger(__name__)


def parse_syndication(
    data: bytes, *, url: str, content_type: str | None = None, language: str | None = None
) -> FeedDocument:
    """Parse a feed into entries that have an http(s) link.

    Args:
        data: the response body.
        url: the feed URL (relative links resolve against it; names the item in errors).
        content_type: the response Content-Type, whose charset feedparser honours.
        language: the source's configured language, overriding the feed's own.

    Raises:
        FeedError: the body is not an RSS or Atom feed feedparser can read.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({type(problem).__name__})" if problem else ""
        raise FeedError(f"not a valid RSS or Atom feed{detail}", item=url)
    feed_lang = to_lang(language) or to_lang(parsed.feed.get("language"))
    entries = []
    for raw in parsed.entries:
        entry = _to_entry(raw, feed_lang)
        if entry is None:
            logger.debug("feed %s: entry without an http(s) link skipped", url)
            continue
        entries.append(entry)
    return FeedDocument(
        kind="feed",
        entries=tuple(entries),
        title=html_to_text(parsed.feed.get("title")),
        language=feed_lang,
    )


def _to_entry(raw: Any, feed_lang: str | None) -> FeedEntry | None:
    """One feedparser entry → FeedEntry, or None when it links to no web page."""
    link = raw.get("link") or ""
    if not link.startswith(("http://", "https://")):
        guid = raw.get("id") or ""
        link = guid if guid.startswith(("http://", "https://")) else ""
    if not link:
        return None
    url = canonical_url(link)
    content_html = None
    if raw.get("content"):
        content_html = raw["content"][0].get("value")
    summary = html_to_text(raw.get("summary"))
    content = html_to_text(content_html)
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning.
    updated_parsed = from_struct_time(dict.get(raw, "updated_parsed"))
    updated = dict.get(raw, "updated") or raw.get("published")
    title = html_to_text(raw.get("title"))
    return FeedEntry(
        key=(raw.get("id") or "").strip() or url,
        url=url,
        fingerprint=fingerprint(updated, title, summary, content),
        title=title,
        author=html_to_text(raw.get("author")),
        summary=summary,
        content=content,
        published_at=from_struct_time(raw.get("published_parsed")) or updated_parsed,
        updated_at=updated_parsed,
        language=to_lang(raw.get("language")) or feed_lang,
    )
