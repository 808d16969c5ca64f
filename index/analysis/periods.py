"""Periods named in questions → publication-date windows, resolved against today.

"in July 2024", "last week", "since Monday", "in the last 3 days", "у липні 2024",
"за останній тиждень", "на прошлой неделе": ``find_periods`` turns each into an inclusive
(first, last) window of publication dates. A period's words produce no terms: a window is a
filter, and "July 2024" as terms would only reward passages that happen to name the month.
A named day wins over a month period that contains it ("14 July 2024" is a date, handled by
``dates``), and "since 14 July" turns a date into a window (``find_since_dates``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.analysis.dates import (
    AMBIGUOUS_MONTHS,
    MONTH_PATTERN,
    MONTHS,
    RELATIVE_DAYS,
    RELATIVE_PATTERN,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    DateMention,
    normal_word,
    resolve_year,
)


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A publication-date window named in a question, with the span of its words."""

    start: int
    end: int
    window: tuple[date, date]


_IN = r"(?:in|during|for|у|в|во|за|на|протягом|от|of)"
_LAST = (
    r"(?:last|past|previous|this|current|минул(?:ого|ому|ий)|останн(?:ій|ього|ьому)|попередн(?:ього|ій)"
    r"|ць(?:ого|ому)|поточн(?:ого|ому)|прошл(?:ой|ом|ую|ый|ого)|последн(?:юю|ий|ей|ем|ие)|эт(?:ой|ом|от)"
    r"|останні)"
)
_WEEK = r"(?:week|тижн[яіь]|тиждень|недел[юиея])"
_MONTH_WORD = r"(?:month|місяц[яіь]|місяць|месяц[аеу]?)"
_YEAR_WORD = r"(?:year|ро(?:ку|ці|к)|год[ау]?|году)"
_SINCE = r"(?:since|from|з|із|зі|починаючи з|с|со|начиная с)"

_DAYS = r"(?:days?|дн(?:ів|і|я|ей)|день|діб|суток|сутки)"
_WEEKS = r"(?:weeks?|тижн(?:і|ів|я)|тиждень|недел(?:и|ь|ю|я))"
_MONTHS_N = r"(?:months?|місяц(?:і|ів|я|ь)|месяц(?:а|ев)?)"
_UNITS = rf"(?:{_DAYS}|{_WEEKS}|{_MONTHS_N})"
_AGO = r"(?:ago|тому|назад)"
# "Recently" names no window of its own; in news it means about the last month.
_RECENT = (
    r"(?:recently|lately|of\s+late|нещодавно|недавно|останнім\s+часом"
    r"|в\s+последнее\s+время|за\s+последнее\s+время)"
)
RECENT_DAYS = 30

_PERIOD_RE = re.compile(
    rf"(?<!\w)(?:(?:{_IN}\s+)?(?:the\s+)?{_LAST}|за)\s+(?P<n>\d{{1,3}})\s+(?P<nunit>{_UNITS})(?!\w)"
    rf"|(?<!\w)(?P<ago>\d{{1,3}})\s+(?P<agounit>{_DAYS}|{_WEEKS})\s+{_AGO}(?!\w)"
    rf"|(?<!\w){_SINCE}\s+(?P<sy>(?:19|20)\d\d)(?!\d)(?:\s*(?:року|р\.|года|г\.|г\b))?"
    rf"|(?<!\w)(?:{_IN}\s+)?(?:the\s+)?(?P<last>{_LAST})\s+(?P<unit>{_WEEK}|{_MONTH_WORD}|{_YEAR_WORD})(?!\w)"
    rf"|(?<!\w)(?:{_IN}\s+)?(?P<pm>{MONTH_PATTERN})\.?(?:\s+of)?\s+(?P<py>(?:19|20)\d\d)(?!\d)(?:\s*(?:року|р\.|года|г\.|г\b))?"
    rf"|(?<!\w){_IN}\s+(?P<yo>(?:19|20)\d\d)(?!\d)(?:\s*(?:році|року|р\.|году|года|г\.|г\b))?"
    rf"|(?<!\w)(?P<since>{_SINCE})\s+(?P<swd>{WEEKDAY_PATTERN})(?!\w)"
    rf"|(?<!\w)(?P<recent>{_RECENT})(?!\w)"
    rf"|(?<!\w)(?:{_IN}\s+|on\s+)?(?P<rel>{RELATIVE_PATTERN})(?!\w)"
    rf"|(?<!\w)(?:on\s+|last\s+|у\s+|в\s+|во\s+)?(?P<wd>{WEEKDAY_PATTERN})(?!\w)"
    rf"|(?<!\w)(?:in|during|у|в|во)\s+(?P<mo>{MONTH_PATTERN})(?!\w)",
    re.IGNORECASE,
)


def _month_window(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _last_unit_window(last: str, unit: str, today: date) -> tuple[date, date]:
    word = last.casefold()
    this = word.startswith(("this", "current", "ць", "поточн", "эт"))
    unit = unit.casefold()
    if unit.startswith(("week", "тиж", "нед")):
        start_of_week = today - timedelta(days=today.weekday())
        if this:
            return start_of_week, today
        if word.startswith(("past", "останн", "последн")):
            return today - timedelta(days=7), today
        return start_of_week - timedelta(days=7), today
    if unit.startswith(("month", "міс", "мес")):
        first = today.replace(day=1)
        if this:
            return first, today
        if word.startswith(("past", "останн", "последн")):
            return today - timedelta(days=30), today
        previous = (first - timedelta(days=1)).replace(day=1)
        return previous, today
    if this or word.startswith(("past", "останн", "последн")):
        return (today.replace(month=1, day=1) if this else today - timedelta(days=365)), today
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def _unit_days(unit: str) -> int:
    """Days in one named unit: day 1, week 7, month 30."""
    first = unit[:1].casefold()
    if first in "dд" or unit.casefold().startswith("сут"):
        return 1
    if first in "wтн":
        return 7
    return 30


def _period_window(match: re.Match[str], today: date) -> tuple[date, date] | None:
    if match["n"]:
        return today - timedelta(days=int(match["n"]) * _unit_days(match["nunit"])), today
    if match["ago"]:
        span = _unit_days(match["agounit"])
        day = today - timedelta(days=int(match["ago"]) * span)
        half = timedelta(days=span // 2)
        return day - half, min(day + half + timedelta(days=1), today)
    if match["sy"]:
        return date(int(match["sy"]), 1, 1), today
    if match["last"]:
        return _last_unit_window(match["last"], match["unit"], today)
    if match["pm"]:
        return _month_window(int(match["py"]), MONTHS[normal_word(match["pm"])])
    if match["yo"]:
        year = int(match["yo"])
        return date(year, 1, 1), date(year, 12, 31)
    if match["since"]:
        delta = (today.weekday() - WEEKDAYS[normal_word(match["swd"])]) % 7
        return today - timedelta(days=delta), today
    if match["recent"]:
        return today - timedelta(days=RECENT_DAYS), today
    if match["rel"]:
        day = today + timedelta(days=RELATIVE_DAYS[normal_word(match["rel"])])
        return day, min(day + timedelta(days=1), max(day, today))
    if match["wd"]:
        delta = (today.weekday() - WEEKDAYS[normal_word(match["wd"])]) % 7
        day = today - timedelta(days=delta)
        return day, min(day + timedelta(days=1), today)
    month = MONTHS[normal_word(match["mo"])]
    if match["mo"][0].islower() and normal_word(match["mo"]) in AMBIGUOUS_MONTHS:
        return None
    year = today.year if month <= today.month else today.year - 1
    return _month_window(year, month)


_SINCE_DATE_RE = re.compile(rf"(?<!\w){_SINCE}\s+$", re.IGNORECASE)


def find_periods(text: str, today: date) -> list[PeriodMention]:
    """Find publication-date windows a question names, resolved against ``today``.

    Covers "in July 2024", "in 2024", "since 2023", "last/past/this week|month|year",
    "in the last 3 days", "2 days ago", "since Monday", "yesterday", "on Monday", "in July",
    "recently" (the last ``RECENT_DAYS`` days) and their Ukrainian and Russian forms
    ("у липні 2024", "за останній тиждень", "на прошлой неделе", "з понеділка").
    "since 14 July" is handled by ``find_since_dates``.
    """
    found: list[PeriodMention] = []
    for match in _PERIOD_RE.finditer(text):
        window = _period_window(match, today)
        if window is not None:
            found.append(PeriodMention(match.start(), match.end(), window))
    return found


def find_since_dates(text: str, dates: list[DateMention], today: date) -> list[PeriodMention]:
    """Dates introduced by "since"/"з"/"с" become windows from that day until ``today``."""
    found: list[PeriodMention] = []
    for mention in dates:
        head = text[max(0, mention.start - 20) : mention.start]
        since = _SINCE_DATE_RE.search(head)
        if since is None:
            continue
        year = (
            mention.year
            if mention.year is not None
            else resolve_year(mention.month, mention.day, today)
        )
        if year is None:
            continue
        start = date(year, mention.month, mention.day)
        begin = mention.start - (len(head) - since.start())
        found.append(PeriodMention(begin, mention.end, (start, max(start, today))))
    return found
