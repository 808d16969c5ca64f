"""Plain-text dumps of news pages: the Ukrainska Pravda layout family, else a generic cleaner.

A "page dump" is what copying a whole news page as text gives: site navigation, the title,
a byline glued to the date, the article, then appeals, tags and lists of unrelated
headlines. The known layout (Ukrainska Pravda, English, Ukrainian and Russian editions) is
anchored on its byline and cut at its end markers; markers are data in tables below, so a
new edition or outlet is a table row, not new code. Anything else goes through justext over
the paragraphs, with the stoplist of the detected language.

The outlet (``source``) is read from the dump itself when the dump names it: a copyright
line such as "© 2024 Ukrainian Pages", "Copyright © 2000-2024, Foo Daily. All rights
reserved." or "Foo Daily © 2024", outside the article body (the last one wins: it is the
page footer). Copyright lines are what page dumps carry most often, in every language, and
they name the site rather than a quoted source ("Source: ..." lines in the UP layout name
whom the article cites, so they are never read as the outlet). Only when the dump names no
outlet does a dump of the UP layout family that carries the UP mark ("Support UP", "УП",
"Українська правда") get the label "Ukrainska Pravda": the layout alone is shared by other
sites and by our own sample dumps, and citing them under a real outlet would be wrong.

trafilatura is not used here: fed one ``<p>`` per line, it keeps the navigation and the
headline lists and drops the Background bullets (measured on the seed page).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import justext

from index.analysis.language import detect_language
from index.errors import ExtractionError
from index.extract.body import assemble_body, is_noise_line
from index.extract.options import ExtractOptions
from index.models import ExtractedArticle, Lang

logger = logging.getLogger(__name__)

# Ukrainska Pravda publishes in Kyiv time in every edition.
UP_SOURCE = "Ukrainska Pravda"
UP_TZ = ZoneInfo("Europe/Kyiv")

_MONTHS: dict[str, int] = {
    name: number
    for names in (
        # English
        "january february march april may june july august september october november december",
        # Ukrainian, genitive as in "4 серпня"
        "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
        # Russian, genitive as in "4 августа"
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    )
    for number, name in enumerate(names.split(), start=1)
}
_WEEKDAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    "Понеділок|Вівторок|Середа|Четвер|П[’'ʼ`]?ятниця|Субота|Неділя|"
    "Понедельник|Вторник|Среда|Четверг|Пятница|Суббота|Воскресенье"
)
# "KATERYNA TYSHCHENKOSunday, 4 August 2024, 17:25": the author may be glued to the weekday.
_BYLINE = re.compile(
    rf"^(?P<author>.*?)\s*(?:{_WEEKDAYS}),\s*(?P<day>\d{{1,2}})\s+(?P<month>\w+)\s+"
    r"(?P<year>\d{4}),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*$",
    re.IGNORECASE,
)
# A byline is a name and a date; longer lines are prose and are not even matched.
_BYLINE_MAX_CHARS = 200
# Lines after which nothing belongs to the article (appeals, tags, headline lists).
_END_MARKERS = re.compile(
    r"^(?:"
    r"Support UP\b.*|Підтримайте УП\b.*|Поддержите (?:УП|Украинскую правду)\b.*|"
    r"Subjects:.*|Теми:.*|Темы:.*|"
    r"RECENT NEWS|ОСТАННІ НОВИНИ|ПОСЛЕДНИЕ НОВОСТИ|"
    r"All News|Всі новини|Усі новини|Все новости"
    r")\s*$",
    re.IGNORECASE,
)
_TIMESTAMP_LINE = re.compile(r"^\s*\d{1,2}:\d{2}\s*$")
_UP_MARK = re.compile(r"\bUP\b|\bУП\b|Ukrainska Pravda|Українськ\w+ правд\w+|Украинск\w+ правд\w+")
# Copyright lines: "© 2024 X", "Copyright © 2000–2024, X. All rights reserved.", "X © 2024",
# "(c) 2024 X". The sign alone marks a footer; "Copyright" or "(c)" without it also needs a
# year, so a headline "Copyright law passes" is no footer. A credit inside a sentence
# ("Photo: © Reuters") does not start with the mark.
_COPYRIGHT_LEAD = re.compile(
    r"^(?:copyright\s*©?|copr\.\s*©?|©|\(c\))\s*(?P<name>.+)$", re.IGNORECASE
)
_COPYRIGHT_TRAIL = re.compile(r"^(?P<name>[^©]+?)\s*©[\d\s,.–—-]*$")
_YEARS = re.compile(r"\b(?:19|20)\d{2}(?:\s*[–—-]\s*(?:19|20)\d{2})?\b")
# The rights clause that follows the name: "All rights reserved", "Усі права захищені", ...
_RIGHTS = re.compile(r"\b(?:all rights|усі права|всі права|все права)\b", re.IGNORECASE)
# A footer names the site in a few words; a longer remainder is a sentence, not a name.
_COPYRIGHT_MAX_CHARS = 160
_OUTLET_MAX_WORDS = 8

# A dump is "page-like" (worth a boilerplate remover) when many of its lines are short
# fragments: navigation, tags, headlines. Plain article files are mostly long paragraphs.
_SHORT_LINE_WORDS = 6
_PAGE_LIKE_SHORT_SHARE = 0.4
_TITLE_MIN_WORDS = 3
_TITLE_MAX_WORDS = 25
# A first line set apart by a blank line is a heading when it is this short and unpunctuated.
_HEADING_MAX_CHARS = 200
_SENTENCE_END = (".", "!", "?", "…", ":", ";", ",")
_JUSTEXT_STOPLISTS: dict[Lang, str] = {"en": "English", "uk": "Ukrainian", "ru": "Russian"}


@dataclass(frozen=True, slots=True)
class Byline:
    """A parsed byline: who wrote it and when, in Kyiv time."""

    line_index: int
    author: str | None
    published_at: datetime


def extract_text_dump(
    text: str,
    name: str,
    *,
    url: str | None = None,
    options: ExtractOptions | None = None,
) -> ExtractedArticle:
    """Turn a text dump of a news page into an article.

    Args:
        text: the decoded text.
        name: the item name, for error messages.
        url: the page URL when known.
        options: extraction options (unused by the layout parser; kept for symmetry).

    Raises:
        ExtractionError: nothing that looks like article text was found.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    byline = _find_byline(lines)
    if byline is not None:
        article = _parse_up_layout(lines, byline, text, url=url)
        if article is not None:
            return article
        logger.info("%s: byline found but no body after it; using the generic cleaner", name)
    title, body = _clean_generic(lines, detect_language(text))
    if not body.strip():
        raise ExtractionError("no article text found in the text file", item=name)
    return ExtractedArticle(
        title=title,
        body=body,
        url=url,
        source=declared_outlet(line for line in lines if " ".join(line.split()) not in body),
        language=detect_language(title + "\n" + body),
    )


def declared_outlet(lines: Iterable[str]) -> str | None:
    """The outlet a dump names in its copyright line(s); the last one wins (the footer).

    Years, the copyright mark and a trailing rights clause are removed, so
    "Copyright © 2000-2024, Foo Daily. All rights reserved." gives "Foo Daily".
    """
    outlet = None
    for line in lines:
        name = _copyright_holder(" ".join(line.split()))
        if name is not None:
            outlet = name
    return outlet


def _copyright_holder(line: str) -> str | None:
    if not line or len(line) > _COPYRIGHT_MAX_CHARS:
        return None
    match = _COPYRIGHT_LEAD.match(line) or _COPYRIGHT_TRAIL.match(line)
    if match is None or ("©" not in line and not _YEARS.search(line)):
        return None
    rest = _YEARS.sub(" ", match["name"])
    rest = re.split(r"[.!?|·•]\s|\s[–—-]\s", rest + " ", maxsplit=1)[0]
    name = " ".join(rest.split()).strip(' ,;:.–—-«»"“”„')
    if not name or _RIGHTS.search(name) or not re.search(r"[^\W\d_]", name):
        return None
    if len(name.split()) > _OUTLET_MAX_WORDS:
        return None
    return name


def _find_byline(lines: list[str]) -> Byline | None:
    for index, line in enumerate(lines):
        if len(line) > _BYLINE_MAX_CHARS:
            continue
        match = _BYLINE.match(line.strip())
        if match is None:
            continue
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            continue
        try:
            published_at = datetime(
                int(match["year"]),
                month,
                int(match["day"]),
                int(match["hour"]),
                int(match["minute"]),
                tzinfo=UP_TZ,
            )
        except ValueError:
            continue
        return Byline(index, _normalize_author(match["author"]), published_at)
    return None


def _normalize_author(raw: str) -> str | None:
    """``"KATERYNA TYSHCHENKO"`` → ``"Kateryna Tyshchenko"``; mixed case is kept as written.

    ``str.title`` is not used: it capitalises after apostrophes ("П'Ятниця", "O'Neill" is
    fine but "D'Souza" style Ukrainian names are not).
    """
    author = " ".join(raw.split()).strip(" ,;–—-")
    if not author:
        return None
    if author.upper() != author:
        return author
    return re.sub(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*", lambda m: _capitalize(m.group()), author)


def _capitalize(word: str) -> str:
    """Capitalise a name word; Latin "O'NEILL" → "O'Neill", Cyrillic "П'ЯТНИЦЯ" → "П'ятниця"."""
    match = re.search(r"['’ʼ]", word)
    if match and match.start() == 1 and word[0].isascii():
        tail = word[match.end() :]
        return word[0].upper() + match.group() + tail[:1].upper() + tail[1:].lower()
    return word[:1].upper() + word[1:].lower()


def _parse_up_layout(
    lines: list[str], byline: Byline, text: str, *, url: str | None
) -> ExtractedArticle | None:
    """The Ukrainska Pravda family: title above the byline, article below, cut at end markers.

    The outlet is the one the page names outside the article (see ``declared_outlet``);
    "Ukrainska Pravda" only when it names none and carries the UP mark.
    """
    title = next(
        (line.strip() for line in reversed(lines[: byline.line_index]) if line.strip()), ""
    )
    start = byline.line_index + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and title and lines[start].strip() == title:
        start += 1  # the page repeats its title as the photo's heading
    end = start
    while end < len(lines):
        stripped = lines[end].strip()
        if _END_MARKERS.match(stripped) or _TIMESTAMP_LINE.match(stripped):
            break
        end += 1
    body = assemble_body(lines[start:end])
    if not body:
        return None
    source = declared_outlet([*lines[: byline.line_index], *lines[end:]])
    if source is None and _UP_MARK.search(text):
        source = UP_SOURCE
    return ExtractedArticle(
        title=title,
        body=body,
        url=url,
        source=source,
        author=byline.author,
        published_at=byline.published_at,
        language=detect_language(title + "\n" + body),
    )


def _clean_generic(lines: list[str], language: Lang) -> tuple[str, str]:
    """Unknown layouts: a plain article is kept whole; a page-like dump goes through justext.

    Returns:
        (title, body). The title is the last title-like line (short, no final punctuation)
        before the first body paragraph: in a plain file that is its first line, in a page
        dump the headline that justext dropped as too short. A plain file's first line set
        apart by a blank line is its title however short (``_leading_heading``). The title
        is kept out of the body.
    """
    content = [" ".join(line.split()) for line in lines]
    content = [line for line in content if line and not is_noise_line(line)]
    if not content:
        return "", ""
    kept = content
    short = sum(1 for line in content if len(line.split()) < _SHORT_LINE_WORDS)
    if short / len(content) >= _PAGE_LIKE_SHORT_SHARE and len(content) > 3:
        kept = _justext_paragraphs(content, language) or content
    first_kept = content.index(kept[0]) if kept[0] in content else 0
    title = ""
    for line in reversed(content[: first_kept + 1]):
        if _is_title_like(line):
            title = line
            break
    if not title and kept is content:
        title = _leading_heading(lines)
    if kept and kept[0] == title:
        kept = kept[1:]
    return title, assemble_body(kept)


def _leading_heading(lines: list[str]) -> str:
    """A plain file's first line when it is set apart as a heading, else "".

    Short headlines ("Заголовок статті", "Budget passed") have fewer words than
    ``_is_title_like`` asks of a line found anywhere, but a plain article file marks its
    headline by layout: the first line, short, with no sentence-final punctuation, and a
    blank line before the first paragraph. The heading becomes the title and leaves the
    body, as the ``_is_title_like`` title does.
    """
    stripped = [line.strip() for line in lines]
    first = next((i for i, line in enumerate(stripped) if line), None)
    if first is None or first + 2 >= len(stripped) or stripped[first + 1]:
        return ""
    heading = " ".join(stripped[first].split())
    if len(heading) > _HEADING_MAX_CHARS or heading.endswith(_SENTENCE_END):
        return ""
    if is_noise_line(heading) or not any(stripped[first + 2 :]):
        return ""
    return heading


def _is_title_like(line: str) -> bool:
    words = len(line.split())
    return _TITLE_MIN_WORDS <= words <= _TITLE_MAX_WORDS and not line.endswith(
        (".", "!", "?", ":", ";", ",")
    )


def _justext_paragraphs(paragraphs: list[str], language: Lang) -> list[str]:
    """The paragraphs justext judges to be content, in order."""
    page = "<html><body>{}</body></html>".format(
        "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    )
    stoplist = justext.get_stoplist(_JUSTEXT_STOPLISTS[language])
    return [p.text for p in justext.justext(page, stoplist) if not p.is_boilerplate]
