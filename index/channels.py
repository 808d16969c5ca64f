"""Telegram channels as sources: which channels are allowed, and a post as an article.

A channel is allowed by an admin (``/addsource @channel``, ``newsdesk sources add @channel``
or ``NEWSDESK_CHANNELS``) and kept as a row of the ``sources`` table with kind
``telegram``: its name is ``@username`` (or the chat id of a private channel), its URL the
channel's ``https://t.me/...`` link. Channel rows are never polled (Telegram pushes their
posts to the bot); the table is reused so that ``/sources`` lists them, ``/removesource``
removes them and no schema change is needed.

This module knows nothing of Telegram's library: the bot turns an update into a
``ChannelPost`` and the facade stores what ``post_article`` makes of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from index.errors import SourceError
from index.models import ExtractedArticle

# Public channel usernames: 5-32 letters, digits and underscores, starting with a letter.
_USERNAME = r"[A-Za-z][A-Za-z0-9_]{3,31}"
_REF_AT = re.compile(rf"^@({_USERNAME})$")
_REF_LINK = re.compile(
    rf"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?({_USERNAME})/?$", re.IGNORECASE
)
_REF_PRIVATE_LINK = re.compile(r"^(?:https?://)?(?:www\.)?t\.me/c/(\d{5,20})/?$", re.IGNORECASE)
_REF_ID = re.compile(r"^-100(\d{5,20})$")
# A title longer than this is cut at a word boundary (a post's first line can be a paragraph).
MAX_TITLE_CHARS = 120
# A first line this long or more is cut at its first sentence end instead, when it has one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """An allowed channel as stored: the source name and the channel's t.me URL."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """A channel post as the bot received it (a new post, an edit, or a forwarded copy).

    ``username`` is None for a private channel; ``chat_id`` is Telegram's (``-100…``) id.
    ``text`` is the post's text or caption as plain text (formatting entities dropped).
    """

    chat_id: int
    username: str | None
    title: str
    message_id: int
    date: datetime
    text: str


def is_channel_ref(value: str) -> bool:
    """Whether ``value`` names a Telegram channel (``@name``, a t.me link or a ``-100…`` id)."""
    value = value.strip()
    return any(p.match(value) for p in (_REF_AT, _REF_LINK, _REF_PRIVATE_LINK, _REF_ID))


def parse_channel_ref(value: str) -> ChannelRef:
    """A channel as written by an admin, as the name and URL it is stored under.

    Raises:
        SourceError: ``value`` is not ``@username``, a ``t.me`` link or a ``-100…`` chat id.
    """
    value = value.strip()
    match = _REF_AT.match(value) or _REF_LINK.match(value)
    if match:
        username = match.group(1).lower()  # Telegram usernames are case-insensitive
        return ChannelRef(name=f"@{username}", url=f"https://t.me/{username}")
    match = _REF_PRIVATE_LINK.match(value) or _REF_ID.match(value)
    if match:
        internal = match.group(1)
        return ChannelRef(name=f"-100{internal}", url=f"https://t.me/c/{internal}")
    raise SourceError(
        "a channel is @username, a https://t.me/username link or a -100… chat id", item=value
    )


def parse_channels_setting(value: str) -> list[ChannelRef]:
    """Parse ``NEWSDESK_CHANNELS``: channel references separated by commas.

    Raises:
        SourceError: an item is not a channel reference.
    """
    refs = []
    for item in value.split(","):
        if item.strip():
            try:
                refs.append(parse_channel_ref(item))
            except SourceError as exc:
                raise SourceError(f"NEWSDESK_CHANNELS: {exc.reason}", item=exc.item) from None
    return refs


def channel_urls(chat_id: int, username: str | None) -> list[str]:
    """The URLs an allowed channel may be stored under: by username and by chat id."""
    urls = []
    if username:
        urls.append(f"https://t.me/{username.lower()}")
    internal = _internal_id(chat_id)
    if internal is not None:
        urls.append(f"https://t.me/c/{internal}")
    return urls


def post_url(post: ChannelPost) -> str:
    """The post's public link: ``t.me/<username>/<id>``, or ``t.me/c/<internal id>/<id>``."""
    if post.username:
        return f"https://t.me/{post.username}/{post.message_id}"
    internal = _internal_id(post.chat_id) or str(abs(post.chat_id))
    return f"https://t.me/c/{internal}/{post.message_id}"


def post_title(text: str) -> str:
    """The title of a post: its first non-empty line, cut at a sentence or word boundary."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) > MAX_TITLE_CHARS:
        sentences = _SENTENCE_END.split(line, maxsplit=1)
        line = sentences[0] if len(sentences[0]) <= MAX_TITLE_CHARS else line
    if len(line) > MAX_TITLE_CHARS:
        cut = line[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] or line[:MAX_TITLE_CHARS]
        line = cut.rstrip(" ,;:-–—") + "…"
    return line


def post_article(post: ChannelPost) -> ExtractedArticle:
    """The article a post becomes: channel title as outlet, post date, first line as title.

    Raises:
        SourceError: the post has no text (a photo without a caption, a sticker, a poll).
    """
    body = post.text.strip()
    if not body:
        raise SourceError("the post has no text or caption", item=post_url(post))
    return ExtractedArticle(
        title=post_title(body),
        body=body,
        url=post_url(post),
        source=post.title.strip() or (f"@{post.username}" if post.username else None),
        published_at=post.date,
    )


def _internal_id(chat_id: int) -> str | None:
    """The id in ``t.me/c/<id>`` links: the channel's chat id without its ``-100`` prefix."""
    text = str(chat_id)
    return text[4:] if text.startswith("-100") and len(text) > 4 else None
