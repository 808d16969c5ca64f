"""HTML pages: main text and metadata via trafilatura, htmldate as the date fallback.

trafilatura drops navigation, comments and related-article lists, and reads title, author,
date, site name and canonical URL from the page's metadata. Its date comes from htmldate;
we ask for the full timestamp so the publication time (not only the day) survives, and
call htmldate ourselves only when trafilatura found no date.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import htmldate
import trafilatura
from lxml import etree

from index.analysis.language import detect_language
from index.errors import ExtractionError
from index.extract.body import assemble_body
from index.extract.options import ExtractOptions
from index.models import ExtractedArticle

logger = logging.getLogger(__name__)

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_CLOSING_TAG = re.compile(r"</(html|body)\s*>", re.IGNORECASE)
_OPENING_TAG = re.compile(r"<(html|body)[\s>]", re.IGNORECASE)


def extract_html(
    text: str, name: str, *, url: str | None = None, options: ExtractOptions | None = None
) -> ExtractedArticle:
    """Extract the article of one HTML page.

    A truncated or malformed page still yields what the parser can recover; when that is
    no article text at all, the error says so (and that the page looks truncated when its
    closing tags are missing).

    Args:
        text: the decoded HTML.
        name: the item name, for errors and logs.
        url: the page URL when known (a canonical URL in the page wins).
        options: extraction options.

    Raises:
        ExtractionError: no article text could be found.
    """
    options = options or ExtractOptions()
    body_text, document = run_trafilatura(text, url=url, options=options)
    title = _clean(document.title if document else None) or ""
    body = _drop_leading_title(body_text, title)
    truncated = looks_truncated(text)
    if len(body.split()) < options.min_body_words:
        hint = " (the page looks truncated)" if truncated else ""
        raise ExtractionError(f"no article text found in the HTML{hint}", item=name)
    if truncated:
        logger.warning("%s: HTML has no closing tags; extracted what was recoverable", name)
    published_at = _parse_date(document.date if document else None, options)
    if published_at is None:
        published_at = _htmldate_fallback(text, options)
    return ExtractedArticle(
        title=title,
        body=body,
        url=_clean(document.url if document else None) or url,
        source=_clean(document.sitename if document else None)
        or _clean(document.hostname if document else None),
        author=_clean(document.author if document else None),
        published_at=published_at,
        language=detect_language(title + "\n" + body),
        summary=_clean(document.description if document else None),
    )


def looks_truncated(text: str) -> bool:
    """Whether a full page lost its end: it opens ``<html>``/``<body>`` but never closes it.

    Only a full page promises closing tags; an HTML fragment (the ``"html"`` field of a JSON
    archive record, ``<p>...</p>`` only) legitimately has none and is not truncated.
    """
    if _OPENING_TAG.search(text[:4096]) is None:
        return False
    return _CLOSING_TAG.search(text[-4096:]) is None


def run_trafilatura(text: str, *, url: str | None, options: ExtractOptions) -> tuple[str, Any]:
    """Run trafilatura once for text and metadata.

    Returns:
        (main text with one paragraph per line, trafilatura's Document or None).
    """
    try:
        document = trafilatura.bare_extraction(
            text,
            url=url,
            include_comments=False,
            favor_precision=options.favor_precision,
            with_metadata=True,
            date_extraction_params={
                "original_date": True,
                "extensive_search": True,
                "outputformat": _DATE_FORMAT,
                # a date in the URL has no time: read the page's metadata first
                "deferred_url_extractor": True,
                "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
            },
        )
    except (ValueError, etree.LxmlError) as exc:  # lxml gives up on some malformed input
        logger.warning("trafilatura failed: %s", exc)
        return "", None
    if document is None:
        return "", None
    return document.text or "", document


def _drop_leading_title(body_text: str, title: str) -> str:
    """Body in our shape; the page's ``<h1>``, which trafilatura keeps as line one, is dropped.

    trafilatura writes list items as "- item" lines; ``assemble_body`` turns them into
    bullets so that each becomes its own passage.
    """
    lines = [line.strip() for line in body_text.split("\n")]
    if lines and title and lines[0] == title:
        lines = lines[1:]
    return assemble_body(lines)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _parse_date(value: str | None, options: ExtractOptions) -> datetime | None:
    """An htmldate string → tz-aware datetime; a date without offset gets ``default_tz``."""
    if not value:
        return None
    for fmt in (_DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - tz attached below
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=options.tzinfo)
    logger.debug("unparsed date %r", value)
    return None


def _htmldate_fallback(text: str, options: ExtractOptions) -> datetime | None:
    try:
        found = htmldate.find_date(
            text,
            outputformat=_DATE_FORMAT,
            original_date=True,
            extensive_search=True,
            deferred_url_extractor=True,
        )
    except (ValueError, etree.LxmlError):
        return None
    return _parse_date(found, options)
