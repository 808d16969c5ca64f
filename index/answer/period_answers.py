"""Answers shaped by a question's period: the window in words, and period-only questions.

A period ("in July 2024", "last week", "у липні 2024") restricts the answer to articles
published in that window (``assemble``). Two cases need more than a filter:

- nothing in the window matches the question, so ``assemble`` answers from other dates and
  says so (``relaxed_note``) rather than silently citing, say, a June 2023 article for
  "Kakhovka dam in July 2024";
- the question is only a period ("What happened last week?", "Що сталося у липні 2024?"):
  it has no words to search, but it does ask for something the archive can answer: what was
  published then. ``answer_period`` lists those articles newest first, each with its lead,
  and, like a ranked answer, shows a story once: the wire copies and reprints published in
  the window collapse into one entry citing the earliest member listed (the original when
  it is in the window) with "+N reprints: outlet, outlet" (``story_notes``).
"""

from __future__ import annotations

import calendar
import logging
from datetime import UTC, date

from index.answer.protocols import PassageSource, StorySource
from index.answer.snippets import SHORT_SNIPPET_CHARS, split_sentences
from index.answer.story_notes import reprints_note
from index.models import Answer, ArticleAnswer, ArticleSummary, Citation, Lang, Snippet, Story

logger = logging.getLogger(__name__)

# Articles read per story wanted when a listing collapses reprints: most stories have one
# member, so a page rarely needs a second read (the read doubles while it is short).
_LISTED_PER_STORY = 3
# Articles read of one day to find whether a story's earlier member is in the listing.
_DAY_LISTING_LIMIT = 1000

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
    stories: StorySource | None = None,
) -> Answer:
    """The articles published in ``period``, newest first, each with its lead sentence(s).

    The answer to a question that names only a period. A later page that runs out is
    ``found=True`` with no articles, as for any question; an empty window is ``found=False``
    with a reason naming the window and the dates the archive does cover. With ``stories``
    each story is listed once (``_listed_stories``), so ``k`` and ``offset`` count stories.
    """
    first, last = period
    base = {"question": text, "language": language, "terms": ()}
    if stories is None:
        entries = [
            (s, None) for s in passages.list_articles(since=first, until=last, limit=offset + k)
        ]
    else:
        entries = _listed_stories(period, passages, stories, offset + k)
    if not entries:
        reason = _empty_window_reason(period, language, passages)
        return Answer(found=False, reason=reason, **base)
    articles = []
    for summary, story in entries[offset : offset + k]:
        lead = _lead_snippet(summary, passages)
        if lead is None:
            logger.warning("article %s has no passages", summary.article_id)
            continue
        answer = ArticleAnswer(citation=Citation.of(summary), snippets=(lead,), score=0.0)
        if story is not None:
            note = reprints_note(story, summary.article_id, _lang(language))
            answer = ArticleAnswer(
                citation=answer.citation,
                snippets=answer.snippets,
                score=0.0,
                story=story,
                reprints_note=note,
            )
        articles.append(answer)
    return Answer(
        found=True,
        articles=tuple(articles),
        note=listing_note(period, language),
        **base,
    )


def _listed_stories(
    period: tuple[date, date], passages: PassageSource, stories: StorySource, wanted: int
) -> list[tuple[ArticleSummary, Story | None]]:
    """The window's first ``wanted`` stories, each as (the article cited, its story or None).

    A story sits where its newest listed member does (the listing is newest first) and
    cites its earliest member in the listing: the original when the window (and the
    question's filters, which ``passages`` applies) holds it, as a ranked answer cites the
    original only when it answers too. A story of one member is listed as its article.
    The read grows until ``wanted`` stories are found or the window runs out; a story
    whose earlier members lie beyond the read asks the listing for each member's day.
    """
    first, last = period
    limit = max(1, wanted * _LISTED_PER_STORY)
    while True:
        listed = passages.list_articles(since=first, until=last, limit=limit)
        truncated = len(listed) >= limit
        found = stories.stories_of([s.article_id for s in listed])
        order: list[int] = []  # story keys, newest listed member first
        seen: dict[int, list[ArticleSummary]] = {}
        for summary in listed:
            story = found.get(summary.article_id)
            key = (
                story.story_id
                if story is not None and len(story.members) > 1
                else -summary.article_id
            )
            if key not in seen:
                order.append(key)
                seen[key] = []
            seen[key].append(summary)
        if len(order) >= wanted or not truncated:
            break
        limit *= 2
    entries: list[tuple[ArticleSummary, Story | None]] = []
    for key in order[:wanted]:
        members = seen[key]
        if key < 0:
            entries.append((members[0], None))
            continue
        story = found[members[0].article_id]
        entries.append((_earliest_listed(story, members, period, passages, truncated), story))
    return entries


def _earliest_listed(
    story: Story,
    listed: list[ArticleSummary],
    period: tuple[date, date],
    passages: PassageSource,
    truncated: bool,
) -> ArticleSummary:
    """The story's earliest member (original first) that the window's listing holds."""
    by_id = {s.article_id: s for s in listed}
    for member in story.members:
        if member.article_id in by_id:
            return by_id[member.article_id]
        if not truncated or member.published_at is None:
            continue  # the whole window was read: this member is not in it
        published = member.published_at
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        day = published.astimezone(UTC).date()
        if not period[0] <= day <= period[1]:
            continue
        same_day = passages.list_articles(since=day, until=day, limit=_DAY_LISTING_LIMIT)
        hit = next((s for s in same_day if s.article_id == member.article_id), None)
        if hit is not None:
            return hit
    return listed[-1]


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
