"""Answers shaped by a question's period: the window in words, and period-only questions.

A period ("in July 2024", "last week", "у липні 2024") restricts the answer to articles
published in that window (``assemble``). Two cases need more than a filter:

- nothing in the window matches the question, so ``assemble`` answers from other dates and
  says so (``relaxed_note``) rather than silently citing, say, a June 2023 article for
  "Kakhovka dam in July 2024";
- the question is only a period ("What happened last week?", "Що сталося у липні 2024?"):
  it has no words to search, but it does ask for something the archive can answer: what was
  published then. ``answer_period`` lists those articles newest first, each with its lead.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date

from index.answer.protocols import PassageSource
from index.answer.snippets import SHORT_SNIPPET_CHARS, split_sentences
from index.models import Answer, ArticleAnswer, ArticleSummary, Citation, Lang, Snippet

logger = logging.getLogger(__name__)

# Month names by hand, not ``calendar.month_name`` (it follows the process locale) nor
# babel's CLDR data (not a dependency, and CLDR has no locative forms: "у липні", "в июле").
# Genitive forms serve dates ("14 липня 2024"), locative ones whole months ("у липні").
_MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "uk": (
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ),
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
}
_MONTHS_IN: dict[Lang, tuple[str, ...]] = {
    "en": _MONTHS["en"],
    "uk": (
        "січні",
        "лютому",
        "березні",
        "квітні",
        "травні",
        "червні",
        "липні",
        "серпні",
        "вересні",
        "жовтні",
        "листопаді",
        "грудні",
    ),
    "ru": (
        "январе",
        "феврале",
        "марте",
        "апреле",
        "мае",
        "июне",
        "июле",
        "августе",
        "сентябре",
        "октябре",
        "ноябре",
        "декабре",
    ),
}

# The window phrases, by shape. {first}/{last} are dates or bare days as the shape needs.
_ON_DAY = {"en": "on {day}", "uk": "{day}", "ru": "{day}"}
_IN_YEAR = {"en": "in {year}", "uk": "у {year} році", "ru": "в {year} году"}
_IN_MONTH = {
    "en": "in {month} {year}",
    "uk": "у {month} {year} року",
    "ru": "в {month} {year} года",
}
_SPAN = {
    "en": "from {first} to {last}",
    "uk": "з {first} по {last}",
    "ru": "{since} {first} по {last}",
}

# The notes and reasons around the window phrase, by language.
_RELAXED_NOTE = {
    "en": (
        "Nothing published {when} matches the question; "
        "these are the best matches from other dates."
    ),
    "uk": (
        "Серед статей, опублікованих {when}, немає відповіді на питання; "
        "ось найкращі збіги з інших дат."
    ),
    "ru": (
        "Среди статей, опубликованных {when}, нет ответа на вопрос; "
        "вот лучшие совпадения за другие даты."
    ),
}
_LISTING_NOTE = {
    "en": "Articles published {when}, newest first.",
    "uk": "Статті, опубліковані {when}, спершу найновіші.",
    "ru": "Статьи, опубликованные {when}, сначала самые новые.",
}
_EMPTY_WINDOW = {
    "en": (
        "Nothing in the archive was published {when}; its articles are from {oldest} to {newest}."
    ),
    "uk": "В архіві немає статей, опублікованих {when}; у ньому статті з {oldest} по {newest}.",
    "ru": "В архиве нет статей, опубликованных {when}; в нём статьи с {oldest} по {newest}.",
}
_EMPTY_UNDATED = {
    "en": "Nothing in the archive was published {when}; it holds no dated articles.",
    "uk": "В архіві немає статей, опублікованих {when}; у ньому немає датованих статей.",
    "ru": "В архиве нет статей, опубликованных {when}; в нём нет датированных статей.",
}


def describe_period(first: date, last: date, language: Lang = "en") -> str:
    """The inclusive window ``first``..``last`` as a phrase in ``language``.

    Whole months and years read as such ("in July 2024", "у липні 2024 року", "в июле 2024
    года"); a day as a date ("on 14 July 2024", "14 липня 2024", "14 июля 2024"); other
    windows as a span ("from 5 to 14 August 2024", "з 5 по 14 серпня 2024").
    """
    lang = _lang(language)
    if first == last:
        return _ON_DAY[lang].format(day=format_day(first, lang))
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and (
        first.year == last.year
    ):
        return _IN_YEAR[lang].format(year=first.year)
    if (
        (first.year, first.month) == (last.year, last.month)
        and first.day == 1
        and last.day == calendar.monthrange(last.year, last.month)[1]
    ):
        return _IN_MONTH[lang].format(month=_MONTHS_IN[lang][first.month - 1], year=first.year)
    if (first.year, first.month) == (last.year, last.month):
        start = str(first.day)
    elif first.year == last.year:
        start = f"{first.day} {_MONTHS[lang][first.month - 1]}"
    else:
        start = format_day(first, lang)
    # Russian says "со 2" (со второго) but "с 5": "со" before a word starting "вт".
    since = "со" if first.day == 2 else "с"
    return _SPAN[lang].format(first=start, last=format_day(last, lang), since=since)


def format_day(value: date, language: Lang = "en") -> str:
    """A date as people write it in ``language``: "14 July 2024", "14 липня 2024"."""
    lang = _lang(language)
    return f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"


def relaxed_note(period: tuple[date, date], language: Lang = "en") -> str:
    """The note of an answer whose period was dropped because nothing in it matched.

    Written in the question's ``language``: the note is read beside answers the user asked
    for in that language.
    """
    return _RELAXED_NOTE[_lang(language)].format(when=describe_period(*period, language))


def listing_note(period: tuple[date, date], language: Lang = "en") -> str:
    """The note introducing a period-only question's listing, in the question's language."""
    return _LISTING_NOTE[_lang(language)].format(when=describe_period(*period, language))


def _lang(language: str) -> Lang:
    return language if language in _MONTHS else "en"  # type: ignore[return-value]


def answer_period(
    text: str,
    language: Lang,
    period: tuple[date, date],
    passages: PassageSource,
    *,
    k: int,
    offset: int,
) -> Answer:
    """The articles published in ``period``, newest first, each with its lead sentence(s).

    The answer to a question that names only a period. A later page that runs out is
    ``found=True`` with no articles, as for any question; an empty window is ``found=False``
    with a reason naming the window and the dates the archive does cover.
    """
    first, last = period
    base = {"question": text, "language": language, "terms": ()}
    listed = passages.list_articles(since=first, until=last, limit=offset + k)
    if not listed:
        reason = _empty_window_reason(period, language, passages)
        return Answer(found=False, reason=reason, **base)
    articles = []
    for summary in listed[offset : offset + k]:
        lead = _lead_snippet(summary, passages)
        if lead is None:
            logger.warning("article %s has no passages", summary.article_id)
            continue
        articles.append(ArticleAnswer(citation=Citation.of(summary), snippets=(lead,), score=0.0))
    return Answer(
        found=True,
        articles=tuple(articles),
        note=listing_note(period, language),
        **base,
    )


def _lead_snippet(summary: ArticleSummary, passages: PassageSource) -> Snippet | None:
    """The article's first passage's first sentence, plus the next while it is short.

    The lead of a news article says what happened, which is what "what happened in July"
    asks; a short first sentence (a dateline, "Kyiv, 11 July.") gets its neighbours, by
    the same length rule as answer snippets.
    """
    first = next(iter(passages.passages_of(summary.article_id)), None)
    if first is None:
        return None
    sentences = split_sentences(first.text)
    if not sentences:
        return None
    end = sentences[0].end
    for sentence in sentences[1:]:
        if end - sentences[0].start >= SHORT_SNIPPET_CHARS:
            break
        end = sentence.end
    return Snippet(
        text=first.text[sentences[0].start : end],
        highlights=(),
        passage_id=first.passage_id,
        passage_ordinal=first.ordinal,
        score=0.0,
        start=sentences[0].start,
        end=end,
    )


def _empty_window_reason(
    period: tuple[date, date], language: Lang, passages: PassageSource
) -> str:
    """Why a period-only question found nothing, with the dates the archive does cover."""
    lang = _lang(language)
    when = describe_period(*period, lang)
    coverage = passages.counts()
    oldest, newest = coverage.first_published, coverage.last_published
    if oldest is None or newest is None:
        return _EMPTY_UNDATED[lang].format(when=when)
    return _EMPTY_WINDOW[lang].format(
        when=when, oldest=format_day(oldest.date(), lang), newest=format_day(newest.date(), lang)
    )
