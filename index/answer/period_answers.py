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

# English month names, not ``calendar.month_name``, which follows the process locale.
_MONTHS = (
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
)


def describe_period(first: date, last: date) -> str:
    """The inclusive window ``first``..``last`` as an English phrase: "in July 2024".

    Whole months and years read as such; other windows as "from 5 to 14 August 2024".
    """
    if first == last:
        return f"on {_day(first)}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and (
        first.year == last.year
    ):
        return f"in {first.year}"
    if (
        (first.year, first.month) == (last.year, last.month)
        and first.day == 1
        and last.day == calendar.monthrange(last.year, last.month)[1]
    ):
        return f"in {_MONTHS[first.month - 1]} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"from {first.day} to {_day(last)}"
    if first.year == last.year:
        return f"from {first.day} {_MONTHS[first.month - 1]} to {_day(last)}"
    return f"from {_day(first)} to {_day(last)}"


def relaxed_note(period: tuple[date, date]) -> str:
    """The note of an answer whose period was dropped because nothing in it matched."""
    return (
        f"Nothing published {describe_period(*period)} matches the question; "
        "these are the best matches from other dates."
    )


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
    when = describe_period(first, last)
    base = {"question": text, "language": language, "terms": ()}
    listed = passages.list_articles(since=first, until=last, limit=offset + k)
    if not listed:
        return Answer(found=False, reason=_empty_window_reason(when, passages), **base)
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
        note=f"Articles published {when}, newest first.",
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
    )


def _empty_window_reason(when: str, passages: PassageSource) -> str:
    """Why a period-only question found nothing, with the dates the archive does cover."""
    coverage = passages.counts()
    oldest, newest = coverage.first_published, coverage.last_published
    if oldest is None or newest is None:
        return f"Nothing in the archive was published {when}; it holds no dated articles."
    return (
        f"Nothing in the archive was published {when}; "
        f"its articles are from {_day(oldest.date())} to {_day(newest.date())}."
    )


def _day(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
