"""Extraction: bytes in, articles out; knows nothing of SQL or the index.

The pipeline for one item reads like trafilatura's core: size check → gunzip (bounded) →
binary check → decode → sniff kind → the kind's extractor → language. Every rejection is
an ExtractionError naming the item and the reason, so a batch loses only the bad item.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from index.analysis.language import detect_language
from index.errors import ExtractionError
from index.extract.html_page import extract_html
from index.extract.json_archive import RecordResult, extract_json_records
from index.extract.options import ExtractOptions
from index.extract.passages import split_passages
from index.extract.sniff import (
    check_not_binary,
    declared_charset,
    decode_text,
    gunzip,
    is_gzip,
    sniff_kind,
)
from index.extract.text_dump import extract_text_dump
from index.models import ExtractedArticle

__all__ = [
    "ExtractOptions",
    "RecordResult",
    "detect_language",
    "extract_bytes",
    "extract_records",
    "split_passages",
]

logger = logging.getLogger(__name__)


def extract_records(
    data: bytes,
    name: str,
    *,
    content_type: str | None = None,
    url: str | None = None,
    options: ExtractOptions | None = None,
) -> list[RecordResult]:
    """Extract every article of an item, with a per-record outcome.

    A page or text dump gives one result; a JSON/JSONL archive gives one per object, where
    a bad object is an ExtractionError named ``name#N`` and the good ones still come back.

    Args:
        data: the raw bytes of a file, upload or download (gzip is detected by magic).
        name: the item's name (file name or URL); its extension guides the kind.
        content_type: the HTTP Content-Type, when the item was fetched.
        url: the item's URL, when known.
        options: extraction options (size cap, default time zone).

    Raises:
        ExtractionError: the item as a whole is unusable (empty, binary, too large,
            corrupt gzip, not JSON, no article text).
    """
    options = options or ExtractOptions()
    if len(data) > options.max_bytes:
        raise ExtractionError(
            f"file is {len(data)} bytes, over the size limit of {options.max_bytes}", item=name
        )
    if is_gzip(data):
        data = gunzip(data, name, max_bytes=options.max_bytes)
        if content_type and "gzip" in content_type.lower():
            content_type = None  # the wrapper's type says nothing about what is inside
    if not data.strip():
        raise ExtractionError("empty file", item=name)
    check_not_binary(data, name)
    kind = sniff_kind(data[:4096].decode("utf-8", errors="ignore"), name, content_type)
    decoded = decode_text(data, declared=declared_charset(data) if kind == "html" else None)
    logger.debug("%s: kind %s, encoding %s", name, kind, decoded.encoding)
    if kind == "html":
        results: list[RecordResult] = [extract_html(decoded.text, name, url=url, options=options)]
    elif kind in ("json", "jsonl"):
        results = extract_json_records(decoded.text, name, jsonl=kind == "jsonl", options=options)
    else:
        results = [extract_text_dump(decoded.text, name, url=url, options=options)]
    if decoded.warning is None:
        return results
    logger.warning("%s: %s", name, decoded.warning)
    return [
        replace(result, warning=decoded.warning)
        if isinstance(result, ExtractedArticle)
        else result
        for result in results
    ]


def extract_bytes(
    data: bytes,
    name: str,
    *,
    content_type: str | None = None,
    url: str | None = None,
    options: ExtractOptions | None = None,
) -> list[ExtractedArticle]:
    """Extract the articles of an item, skipping (and logging) bad records of an archive.

    Same as ``extract_records`` but returns only articles; when no record of an archive
    is usable, the first record's error is raised.

    Raises:
        ExtractionError: the item is unusable, or none of its records is.
    """
    results = extract_records(data, name, content_type=content_type, url=url, options=options)
    articles = [result for result in results if isinstance(result, ExtractedArticle)]
    errors = [result for result in results if isinstance(result, ExtractionError)]
    for error in errors:
        logger.warning("skipped %s: %s", error.item, error.reason)
    if not articles:
        raise errors[0]
    return articles
