"""Normalising feed field values: language codes, dates, HTML snippets and fingerprints.

Feeds and sitemaps write these in many shapes (``uk-UA``, ``en-us``, ``ua``; RFC 822 or
ISO 8601 dates, date-only or naive); every parser funnels them through here.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from datetime import UTC, datetime

import lxml.html
from lxml import etree

from index.models import LANGS, Lang

# ISO 639-1 is "uk", but "ua" (the country code) is common in Ukrainian feeds.
LANG_ALIASES: dict[str, Lang] = {"ua": "uk", "ukr": "uk", "rus": "ru", "eng": "en"}
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
# Block elements whose end is a paragraph break in the text.
_BLOCK_END = re.compile(r"(?i)</(?:p|div|li|h[1-6]|blockquote|tr)\s*>|<br\s*/?>")


def to_lang(code: str | None) -> Lang | None:
    """Map a feed language code (``uk-UA``, ``en_us``, ``ua``) to en/uk/ru, else None."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if primary in LANGS:
        return primary  # type: ignore[return-value]
    return LANG_ALIASES.get(primary)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC struct_time; make them aware datetimes."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError):
        return None


def parse_iso_datetime(value: str | None) -> datetime | None:
    """Parse a W3C/ISO 8601 date as sitemaps write it; naive or date-only values count as UTC."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def html_to_text(value: str | None) -> str | None:
    """Plain text of a feed's HTML summary or content; None when empty.

    Block ends (``</p>``, ``<br>``, ...) become paragraph breaks, so that a full-text feed
    body still splits into paragraphs; other whitespace runs collapse to one space.
    """
    if not value or not value.strip():
        return None
    if "<" not in value:
        text = value
    else:
        marked = _BLOCK_END.sub("\n\n", value)
        try:
            text = lxml.html.fragment_fromstring(marked, create_parent="div").text_content()
        except (etree.ParserError, ValueError):
            text = re.sub(r"<[^>]*>", " ", marked)
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _BLANK_LINES.split(text))
    text = "\n\n".join(part for part in paragraphs if part)
    return text or None


def fingerprint(*parts: object) -> str:
    """A short stable hash of the fields whose change means "this entry was updated"."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:32]
