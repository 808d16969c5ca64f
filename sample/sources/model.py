"""The shape of one sample article and of one QA question, plus calendar words per language.

The article texts live in Python rather than in the rendered files so that the sample files
(HTML, text dumps, JSON) and the QA set are generated from one place and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Lang = Literal["en", "uk", "ru"]
Format = Literal["html", "dump", "jsonl", "json"]
Kind = Literal["fact", "date", "spelling", "cross", "unanswerable", "boilerplate"]


@dataclass(frozen=True, slots=True)
class SampleArticle:
    """One news article of the sample corpus, written in our own words.

    Attributes:
        key: Short stable id that questions refer to (e.g. ``"en-kakhovka"``).
        lang: Language of the text.
        fmt: Which kind of file it is rendered into.
        path: Path of the rendered file, relative to ``sample/``; ``.gz`` means gzip.
        url: Canonical URL (fake, on a ``.test`` domain).
        outlet: Name of the (fictional) outlet.
        author: Byline.
        published: Publication time, timezone-aware, in the outlet's local time.
        title: Headline.
        paragraphs: Body paragraphs in order (dumps keep their "Source:"/"Quote:" labels).
        background: "Background:" bullets of a dump (empty for other formats).
        caption: Photo caption shown under the title (dumps and HTML; not part of the body).
        tags: Subjects/tags of the page (not part of the body).
        encoding: Byte encoding of the rendered file (``utf-8``, ``utf-8-sig``, ``cp1251``,
            ``koi8-r``).
        as_html: For JSON archives: store the body as an ``"html"`` field instead of ``"text"``.
    """

    key: str
    lang: Lang
    fmt: Format
    path: str
    url: str
    outlet: str
    author: str
    published: datetime
    title: str
    paragraphs: tuple[str, ...]
    background: tuple[str, ...] = ()
    caption: str = ""
    tags: tuple[str, ...] = ()
    encoding: str = "utf-8"
    as_html: bool = False

    @property
    def body(self) -> str:
        """The article body as extraction should yield it: paragraphs, then background bullets."""
        parts = list(self.paragraphs)
        if self.background:
            parts.append(BACKGROUND_LABEL[self.lang])
            parts.append("\n".join(f"  • {item}" for item in self.background))
        return "\n\n".join(parts)

    @property
    def words(self) -> int:
        """Word count of the body (the brief asks for 150–400 words per article)."""
        return len(self.body.split())


@dataclass(frozen=True, slots=True)
class Question:
    """One QA item over the sample corpus.

    Attributes:
        id: Stable id, e.g. ``"en-07"``.
        lang: Language of the question.
        kind: What it tests: a plain fact, a date expression, a name-spelling variant, a
            question in another language than its article, or no answer in the corpus
            (``unanswerable``; ``boilerplate`` when the words only occur in page boilerplate
            such as headline lists, which extraction must drop).
        question: The question text.
        answer: A short string that occurs verbatim (case- and whitespace-insensitive) in the
            sentence that answers the question; ``None`` when the corpus has no answer.
        articles: Keys of the articles that answer it (empty for unanswerable questions).
    """

    id: str
    lang: Lang
    kind: Kind
    question: str
    answer: str | None
    articles: tuple[str, ...] = ()


BACKGROUND_LABEL: dict[str, str] = {
    "en": "Background:",
    "uk": "Передісторія:",
    "ru": "Предыстория:",
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "uk": ("Понеділок", "Вівторок", "Середа", "Четвер", "П’ятниця", "Субота", "Неділя"),
    "ru": ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье"),
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "uk": (
        "січня", "лютого", "березня", "квітня", "травня", "червня",
        "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip


def long_date(lang: str, when: datetime) -> str:
    """``Sunday, 4 August 2024, 17:25`` in the dump's language (the byline date of the layout)."""
    weekday = WEEKDAYS[lang][when.weekday()]
    month = MONTHS[lang][when.month - 1]
    return f"{weekday}, {when.day} {month} {when.year}, {when:%H:%M}"
