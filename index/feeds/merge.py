"""Feed metadata filling what a fetched page lacks (title, date, author, summary, body).

The page is the better source for the text, the feed for metadata the page hides (many
pages carry no machine-readable date or byline). The source's settings say which outlet the
article belongs to and, when configured, its language.
"""

from __future__ import annotations

from dataclasses import replace

from index.feeds.models import FeedEntry
from index.models import ExtractedArticle, Source

# Below this many words a feed's summary is a teaser, not an article body worth storing.
MIN_FEED_BODY_WORDS = 40


def fill_from_entry(page: ExtractedArticle, entry: FeedEntry, source: Source) -> ExtractedArticle:
    """The page's article with empty fields filled from the feed entry and the source.

    The URL is the entry's canonical URL, so a later poll of the same entry updates the
    same stored article; the outlet is the source's label.
    """
    return replace(
        page,
        url=entry.url,
        source=source.outlet,
        title=page.title or entry.title or "",
        author=page.author or entry.author,
        published_at=page.published_at or entry.published_at,
        language=source.language or page.language or entry.language,
        summary=page.summary or entry.summary,
    )


def article_from_entry(entry: FeedEntry, source: Source) -> ExtractedArticle | None:
    """An article from the feed alone, for a page whose text could not be extracted.

    Only feeds that carry the full text (``content:encoded``, Atom ``content``) qualify;
    a short teaser returns None so that the entry is reported as failed, not stored thin.
    """
    body = entry.content or entry.summary
    if not body or len(body.split()) < MIN_FEED_BODY_WORDS:
        return None
    return ExtractedArticle(
        title=entry.title or "",
        body=body,
        url=entry.url,
        source=source.outlet,
        author=entry.author,
        published_at=entry.published_at,
        language=source.language or entry.language,
        summary=entry.summary,
    )
