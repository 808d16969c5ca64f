"""Source specifications as people write them: ``NEWSDESK_FEEDS`` entries and source names.

``NEWSDESK_FEEDS`` is a comma-separated list of URLs, each optionally prefixed ``name=``.
A source without a name is named after its host, so ``sources remove`` has a handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from index.errors import SourceError
from index.feeds.urls import check_source_url

# Names are typed in chat commands (/removesource NAME): one word, no spaces, short.
NAME_RE = re.compile(r"^[\w][\w.\-]{0,63}$")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as configured, before it is stored: a URL and an optional name."""

    url: str
    name: str | None = None


def parse_feeds_setting(value: str) -> list[SourceSpec]:
    """Parse ``NEWSDESK_FEEDS``: ``URL`` or ``name=URL`` items separated by commas.

    Raises:
        SourceError: an item has a bad name or is not an http(s) URL.
    """
    specs: list[SourceSpec] = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        name: str | None = None
        head, sep, tail = item.partition("=")
        # "name=URL" only when the part before "=" is not itself inside a URL's query.
        if sep and "://" not in head:
            name, item = check_source_name(head.strip()), tail.strip()
        try:
            url = check_source_url(item)
        except SourceError as exc:
            raise SourceError(f"NEWSDESK_FEEDS: {exc.reason}", item=item) from None
        specs.append(SourceSpec(url=url, name=name))
    return specs


def check_source_name(name: str) -> str:
    """Validate a source name: one word of letters, digits, ``.``, ``-``, ``_``; ≤ 64 chars.

    Raises:
        SourceError: the name is empty, too long or has other characters.
    """
    if not NAME_RE.match(name):
        raise SourceError(
            "a source name is one word of letters, digits, '.', '-' or '_' (at most 64)",
            item=name or "(empty)",
        )
    return name


def default_source_name(url: str) -> str:
    """Name a source after its host without ``www.`` (``www.bbc.co.uk`` → ``bbc.co.uk``)."""
    host = (urlsplit(url).hostname or "source").lower()
    host = host.removeprefix("www.")
    name = re.sub(r"[^\w.\-]", "-", host)[:64]
    return name or "source"
