"""Markup in questions: tags and script/style contents out, inline-tag text and entities kept.

Users paste questions from web pages and chats, sometimes with HTML in them ("<b>When</b>
did ..."); a curious one types ``<script>alert(1)</script>``. Tag names and script code
are not words of the question: counted as question words, they find no article and turn
a good answer into "nothing found". The stdlib ``html.parser`` does the parsing (it keeps
a bare "<" such as "a < b" as text and decodes entities); this module only decides what
each tag does to the text around it.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Tags whose text belongs to the word around them: "Dni<b>pro</b>" is "Dnipro".
_INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    ]
)
# Tags whose contents are code, never words of the question. Only these two: a stray
# unclosed tag hides everything after it, and for other tags that would hide real words.
_HIDDEN_TAGS = frozenset({"script", "style"})


def strip_markup(text: str) -> str:
    """Text without HTML/XML tags, comments and script/style contents; entities decoded.

    Inline tags (``<b>``, ``<i>``, ``<a>``...) vanish and leave their text joined to its
    neighbours; any other tag separates words, as a block or line break does on a page.
    Text without "<" or "&" is returned as is (most questions), so plain questions pay one
    scan.
    """
    if "<" not in text and "&" not in text:
        return text
    parser = _TextCollector()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


class _TextCollector(HTMLParser):
    """Collects the text outside hidden elements; block tags become a space."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE_TAGS and tag not in _HIDDEN_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)
