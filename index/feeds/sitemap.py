"""Sitemaps (``<urlset>``, with Google News extensions) and sitemap index files.

Parsed with lxml and a parser that resolves no entities, loads no DTD and never touches the
network: the defusedxml precautions without the extra dependency. Elements are matched by
local name, so sitemaps that get the namespace slightly wrong still read.
"""

from __future__ import annotations

import re
import zlib

from lxml import etree

from index.feeds.errors import FeedError
from index.feeds.fields import fingerprint, parse_iso_datetime, to_lang
from index.feeds.models import ChildSitemap, FeedDocument, FeedEntry
from index.feeds.urls import canonical_url

_SITEMAP_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>/]")
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(rss|feed|RDF)[\s>/]")
GZIP_MAGIC = b"\x1f\x8b"


def is_sitemap(data: bytes) -> bool:
    """True when the document's root element is ``urlset`` or ``sitemapindex``."""
    head = data[:4096]
    sitemap = _SITEMAP_ROOT.search(head)
    if sitemap is None:
        return False
    feed = _FEED_ROOT.search(head)
    return feed is None or sitemap.start() < feed.start()


def gunzip_capped(data: bytes, *, max_bytes: int, item: str) -> bytes:
    """Decompress a gzipped sitemap (``.xml.gz``) without letting it expand past ``max_bytes``.

    Raises:
        FeedError: the data is corrupt or expands beyond the cap.
    """
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise FeedError("corrupt gzip data", item=item) from None
    if len(out) > max_bytes:
        raise FeedError(f"expands beyond the size cap of {max_bytes} bytes", item=item)
    return out


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def parse_sitemap(data: bytes, *, url: str, language: str | None = None) -> FeedDocument:
    """Parse a sitemap or sitemap index.

    Args:
        data: the (already decompressed) XML.
        url: the sitemap URL, naming the item in errors.
        language: the source's configured language, overriding ``news:language``.

    Raises:
        FeedError: not well-formed XML, or the root is neither urlset nor sitemapindex.
    """
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not a well-formed sitemap ({exc.msg})", item=url) from None
    kind = _local(root)
    if kind == "sitemapindex":
        children = []
        for node in root:
            if _local(node) != "sitemap":
                continue
            loc = _child_text(node, "loc")
            if loc and loc.startswith(("http://", "https://")):
                lastmod = parse_iso_datetime(_child_text(node, "lastmod"))
                children.append(ChildSitemap(url=loc, lastmod=lastmod))
        return FeedDocument(kind="sitemap", child_sitemaps=tuple(children))
    if kind != "urlset":
        raise FeedError(f"not a sitemap (root element <{kind}>)", item=url)
    entries = [
        entry
        for node in root
        if _local(node) == "url" and (entry := _to_entry(node, language)) is not None
    ]
    return FeedDocument(kind="sitemap", entries=tuple(entries), title=_publication_name(root))


def _publication_name(root: etree._Element) -> str | None:
    """The outlet a news sitemap names (``news:publication/news:name`` of its first URL)."""
    for node in root:
        news = _child(node, "news") if _local(node) == "url" else None
        publication = _child(news, "publication") if news is not None else None
        if publication is not None:
            return _child_text(publication, "name")
    return None


def _to_entry(node: etree._Element, language: str | None) -> FeedEntry | None:
    loc = _child_text(node, "loc")
    if not loc or not loc.startswith(("http://", "https://")):
        return None
    lastmod = _child_text(node, "lastmod")
    news = _child(node, "news")
    title = published = news_lang = None
    if news is not None:
        title = _child_text(news, "title")
        published = _child_text(news, "publication_date")
        publication = _child(news, "publication")
        if publication is not None:
            news_lang = _child_text(publication, "language")
    url = canonical_url(loc)
    return FeedEntry(
        key=url,
        url=url,
        fingerprint=fingerprint(lastmod, title),
        title=title,
        published_at=parse_iso_datetime(published) or parse_iso_datetime(lastmod),
        updated_at=parse_iso_datetime(lastmod),
        language=to_lang(language) or to_lang(news_lang),
    )
