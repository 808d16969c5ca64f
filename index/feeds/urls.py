"""Canonical URLs: the form under which an entry's page counts as "already seen".

Feeds link the same article with tracking parameters, fragments or a different host case;
those must not look like new articles. Only what cannot change the page is dropped.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from index.errors import SourceError

# Query parameters that only track the click, never select content (Google Analytics'
# utm_*, Facebook, Google Ads, Mailchimp and Yandex click ids).
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "_openstat"})


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters.

    Args:
        url: an absolute http(s) URL as found in a feed.

    Returns:
        The canonical form; the path and the remaining query keep their case and order.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith(TRACKING_PREFIXES) and key.lower() not in TRACKING_PARAMS
        ]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def check_source_url(url: str) -> str:
    """Validate a source URL given by an admin and return it stripped.

    Raises:
        SourceError: the URL is not absolute http(s) with a host.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SourceError("not an http(s) URL", item=url or "(empty)")
    return url


def host_of(url: str) -> str:
    """The host (with a non-default port) that politeness limits apply to."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host
