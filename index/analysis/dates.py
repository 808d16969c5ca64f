"""Date expressions → date terms, resolved against the article's publication date.

Term scheme (documented in the README's analysis section):

- ``@d2024-07-14``: a calendar day with a known or resolved year;
- ``@m07-14``: the same day without the year, always emitted beside ``@d``.

A question "on 14 July" (no year) produces ``@m07-14`` and matches every passage that
reports 14 July in any year and any language; "14.07.2024" produces both terms, so a passage
of the right year gets both. Date terms are rare, so BM25's idf rewards the match strongly,
which is what makes "what did Stoltenberg say on 14 July" prefer the 14 July passage.

Candidates are found with explicit month-name and numeric patterns *before* anything is
parsed: dateparser's ``search_dates`` reads "we" as Wednesday and "may" as a month, so it is
not used. English "May" and "March" count as months before a day number only when
capitalised ("we may 5" is not a date; "14 may" is). Year-less dates resolve to the most
recent occurrence not after the publication date plus ``FUTURE_TOLERANCE_DAYS`` (an article
of 2024-08-04 saying "on 14 July" means 2024-07-14; "on 10 August" means 2024-08-10).
Relative words (yesterday, вчора, вчера...) and weekdays ("on Monday": the most recent such
weekday on or before the publication date) need a publication date; without one they yield
nothing.

Questions also carry *periods* ("in July 2024", "last week", "since Monday", "у липні 2024",
"на прошлой неделе"): ``find_periods`` turns them into a publication-date window resolved
against ``today``. A period's words produce no terms: a window is a filter, and the words
"July 2024" as terms would only reward passages that happen to name the month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

#: How far after publication a year-less date may lie and still count as this year's
#: (articles announce events of the coming days; two weeks covers "next week" plans).
FUTURE_TOLERANCE_DAYS = 14

DAY_PREFIX = "@d"
MONTH_DAY_PREFIX = "@m"

_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "січень", "січня", "січні", "январь", "января", "январе"),
    2: ("february", "feb", "лютий", "лютого", "лютому", "февраль", "февраля", "феврале"),
    3: ("march", "mar", "березень", "березня", "березні", "март", "марта", "марте"),
    4: ("april", "apr", "квітень", "квітня", "квітні", "апрель", "апреля", "апреле"),
    5: ("may", "травень", "травня", "травні", "май", "мая", "мае"),
    6: ("june", "jun", "червень", "червня", "червні", "июнь", "июня", "июне"),
    7: ("july", "jul", "липень", "липня", "липні", "июль", "июля", "июле"),
    8: ("august", "aug", "серпень", "серпня", "серпні", "август", "августа", "августе"),
    9: ("september", "sep", "sept", "вересень", "вересня", "вересні", "сентябрь", "сентября",
        "сентябре"),
    10: ("october", "oct", "жовтень", "жовтня", "жовтні", "октябрь", "октября", "октябре"),
    11: ("november", "nov", "листопад", "листопада", "листопаді", "ноябрь", "ноября", "ноябре"),
    12: ("december", "dec", "грудень", "грудня", "грудні", "декабрь", "декабря", "декабре"),
}  # fmt: skip
MONTHS: dict[str, int] = {form: m for m, forms in _MONTH_FORMS.items() for form in forms}
#: English month words that are also common verbs or modals.
AMBIGUOUS_MONTHS = frozenset(("may", "march", "mar"))

_WEEKDAY_FORMS: dict[int, tuple[str, ...]] = {
    0: ("monday", "понеділок", "понеділка", "понедельник", "понедельника"),
    1: ("tuesday", "вівторок", "вівторка", "вторник", "вторника"),
    2: ("wednesday", "середу", "середа", "середи", "среду", "среда", "среды"),
    3: ("thursday", "четвер", "четверга", "четверг"),
    4: ("friday", "п'ятницю", "п'ятниця", "п'ятниці", "пятницу", "пятница", "пятницы"),
    5: ("saturday", "суботу", "субота", "суботи", "субботу", "суббота", "субботы"),
    6: ("sunday", "неділю", "неділя", "неділі", "воскресенье", "воскресенья"),
}
WEEKDAYS: dict[str, int] = {form: wd for wd, forms in _WEEKDAY_FORMS.items() for form in forms}
RELATIVE_DAYS: dict[str, int] = {
    "today": 0, "yesterday": -1, "tomorrow": 1,
    "сьогодні": 0, "вчора": -1, "учора": -1, "позавчора": -2, "завтра": 1,
    "сегодня": 0, "вчера": -1, "позавчера": -2,
}  # fmt: skip

#: Normalised words whose presence makes a passage worth a date scan (the analyzer's
#: precheck; numeric dates are caught by the tokenizer itself).
TRIGGER_WORDS: frozenset[str] = frozenset((*MONTHS, *WEEKDAYS, *RELATIVE_DAYS))

_APOS = "['’ʼ‘`]"


def _alternation(words: object) -> str:
    forms = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "|".join(re.escape(w).replace("'", _APOS) for w in forms)


_MONTH_ALT = _alternation(MONTHS)
_WEEKDAY_ALT = _alternation(WEEKDAYS)
_RELATIVE_ALT = _alternation(RELATIVE_DAYS)
_ORD = r"(?:st|nd|rd|th|-?(?:го|е|ого|ое))?"
_YEAR = r"(?:,?\s+(?P<{name}>(?:19|20)\d\d)(?!\d)(?:\s*(?:року|р\.|года|г\.))?)?"

# "14-15 July", "14 and 15 July", "з 14 по 16 липня": the first day of a range.
_RANGE = r"(?:\s*[-–—]\s*|\s+(?:and|to|і|й|та|и|по|до)\s+)"
_WORD_DATE_PATTERN = (
    rf"(?<![\w.])(?:(?P<d0>[0-3]?\d){_ORD}{_RANGE})?"
    rf"(?P<d1>[0-3]?\d){_ORD}(?:\s+of)?\s+(?P<m1>{_MONTH_ALT})\.?(?!\w){_YEAR.format(name='y1')}"
    rf"|(?<!\w)(?P<m2>{_MONTH_ALT})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?![\w:.,]\d){_YEAR.format(name='y2')}"
    rf"|(?<!\w)(?P<rel>{_RELATIVE_ALT})(?!\w)"
    rf"|(?<!\w)(?P<wd>{_WEEKDAY_ALT})(?!\w)"
)
# Matching lowercased text without IGNORECASE is ~2.5x faster (measured on 30-char windows);
# the IGNORECASE form serves the rare text whose lowercase changes length (İ).
_WORD_DATE_RE = re.compile(_WORD_DATE_PATTERN)
_WORD_DATE_ANYCASE_RE = re.compile(_WORD_DATE_PATTERN, re.IGNORECASE)
_NUMERIC_DATE_RE = re.compile(
    r"(?<![\d.])(?:(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)"
    r"|(?P<d2>[0-3]?\d)(?P<sep>[./])(?P<m2>[01]?\d)(?P=sep)(?P<y2>(?:19|20)\d\d))(?![\d])"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date found in text: its span, the day (year may be unknown) and its terms."""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A publication-date window named in a question, with the span of its words."""

    start: int
    end: int
    window: tuple[date, date]


def date_terms(month: int, day: int, year: int | None) -> tuple[str, ...]:
    """The terms of a day: ``@dYYYY-MM-DD`` when the year is known, and always ``@mMM-DD``."""
    month_day = f"{MONTH_DAY_PREFIX}{month:02d}-{day:02d}"
    if year is None:
        return (month_day,)
    return (f"{DAY_PREFIX}{year:04d}-{month:02d}-{day:02d}", month_day)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_year(month: int, day: int, published: date) -> int | None:
    """The year of the most recent (month, day) not after ``published`` + the tolerance."""
    limit = published + timedelta(days=FUTURE_TOLERANCE_DAYS)
    for year in (limit.year, limit.year - 1, limit.year - 2, limit.year - 3, limit.year - 4):
        found = _valid(year, month, day)
        if found is not None and found <= limit:
            return year
    return None


def parse_numeric_date(token: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a whole numeric token: 2024-07-14, 14.07.2024, 14/07/2024.

    Slashed dates are read day-first (European news) unless only month-first is valid.
    """
    match = _NUMERIC_DATE_RE.fullmatch(token)
    if match is None:
        return None
    return _numeric_parts(match)


def _numeric_parts(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match.group("y"):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        year, month, day = int(match["y2"]), int(match["m2"]), int(match["d2"])
        if match["sep"] == "/" and month > 12 and day <= 12:
            month, day = day, month
    if _valid(year, month, day) is None:
        return None
    return year, month, day


def _mention(
    start: int, end: int, month: int, day: int, year: int | None, published: date | None
) -> DateMention | None:
    resolved = _resolve(month, day, year, published)
    if resolved is None:
        return None
    year, terms = resolved
    return DateMention(start, end, month, day, year, terms)


@lru_cache(maxsize=65536)
def _resolve(
    month: int, day: int, year: int | None, published: date | None
) -> tuple[int | None, tuple[str, ...]] | None:
    """(year, terms) of a day, or None when invalid; cached because news repeats its dates."""
    if _valid(year or 2000, month, day) is None:  # 2000 is a leap year: 29 Feb passes
        return None
    if year is None and published is not None:
        year = resolve_year(month, day, published)
    return year, date_terms(month, day, year)


def find_dates(
    text: str, published: date | None, *, numeric: bool = True, relative: bool = True
) -> list[DateMention]:
    """Find the calendar days that ``text`` names, in order of appearance.

    Args:
        text: original text; spans index into it.
        published: the article's publication date, for year-less, relative and weekday dates.
        numeric: also scan numeric dates (the analyzer's document path gets those from its
            tokenizer and passes False).
        relative: resolve yesterday/today and weekdays (questions treat those as periods).

    Returns:
        One ``DateMention`` per date found; none for candidates that are not valid dates.
    """
    found: list[DateMention] = []
    lowered = text.lower()
    if len(lowered) == len(text):
        matches = _WORD_DATE_RE.finditer(lowered)
    else:
        lowered = text
        matches = _WORD_DATE_ANYCASE_RE.finditer(text)
    for match in matches:
        mention = _word_mention(match, text, published, relative)
        if mention is not None:
            found.append(mention)
    if numeric:
        for match in _NUMERIC_DATE_RE.finditer(text):
            parts = _numeric_parts(match)
            if parts is not None:
                year, month, day = parts
                found.append(
                    DateMention(
                        match.start(), match.end(), month, day, year, date_terms(month, day, year)
                    )
                )
        found.sort(key=lambda mention: mention.start)
    return found


_APOS_FOLD = str.maketrans(dict.fromkeys("’ʼ‘`", "'"))


def _normal(word: str) -> str:
    return word.casefold().translate(_APOS_FOLD)


def _word_mention(
    match: re.Match[str], text: str, published: date | None, relative: bool
) -> DateMention | None:
    start, end = match.span()
    if match["m1"]:
        year = int(match["y1"]) if match["y1"] else None
        month = MONTHS[_normal(match["m1"])]
        mention = _mention(start, end, month, int(match["d1"]), year, published)
        if not match["d0"]:
            return mention
        first = _mention(start, end, month, int(match["d0"]), year, published)
        if mention is None or first is None:
            return mention or first
        terms = first.terms + mention.terms
        return DateMention(start, end, month, mention.day, mention.year, terms)
    if match["m2"]:
        word = match["m2"]
        if _normal(word) in AMBIGUOUS_MONTHS and not text[match.start("m2")].isupper():
            return None
        year = int(match["y2"]) if match["y2"] else None
        return _mention(start, end, MONTHS[_normal(word)], int(match["d2"]), year, published)
    if not relative or published is None:
        return None
    if match["rel"]:
        day = published + timedelta(days=RELATIVE_DAYS[_normal(match["rel"])])
    else:
        delta = (published.weekday() - WEEKDAYS[_normal(match["wd"])]) % 7
        day = published - timedelta(days=delta)
    return _mention(start, end, day.month, day.day, day.year, None)


# ---------------------------------------------------------------------------------------------
# Periods (questions only)

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

_PERIOD_RE = re.compile(
    rf"(?<!\w)(?:(?:{_IN}\s+)?(?:the\s+)?{_LAST}|за)\s+(?P<n>\d{{1,3}})\s+(?P<nunit>{_UNITS})(?!\w)"
    rf"|(?<!\w)(?P<ago>\d{{1,3}})\s+(?P<agounit>{_DAYS}|{_WEEKS})\s+{_AGO}(?!\w)"
    rf"|(?<!\w){_SINCE}\s+(?P<sy>(?:19|20)\d\d)(?!\d)(?:\s*(?:року|р\.|года|г\.|г\b))?"
    rf"|(?<!\w)(?:{_IN}\s+)?(?:the\s+)?(?P<last>{_LAST})\s+(?P<unit>{_WEEK}|{_MONTH_WORD}|{_YEAR_WORD})(?!\w)"
    rf"|(?<!\w)(?:{_IN}\s+)?(?P<pm>{_MONTH_ALT})\.?(?:\s+of)?\s+(?P<py>(?:19|20)\d\d)(?!\d)(?:\s*(?:року|р\.|года|г\.|г\b))?"
    rf"|(?<!\w){_IN}\s+(?P<yo>(?:19|20)\d\d)(?!\d)(?:\s*(?:році|року|р\.|году|года|г\.|г\b))?"
    rf"|(?<!\w)(?P<since>{_SINCE})\s+(?P<swd>{_WEEKDAY_ALT})(?!\w)"
    rf"|(?<!\w)(?:{_IN}\s+|on\s+)?(?P<rel>{_RELATIVE_ALT})(?!\w)"
    rf"|(?<!\w)(?:on\s+|last\s+|у\s+|в\s+|во\s+)?(?P<wd>{_WEEKDAY_ALT})(?!\w)"
    rf"|(?<!\w)(?:in|during|у|в|во)\s+(?P<mo>{_MONTH_ALT})(?!\w)",
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
        return _month_window(int(match["py"]), MONTHS[_normal(match["pm"])])
    if match["yo"]:
        year = int(match["yo"])
        return date(year, 1, 1), date(year, 12, 31)
    if match["since"]:
        delta = (today.weekday() - WEEKDAYS[_normal(match["swd"])]) % 7
        return today - timedelta(days=delta), today
    if match["rel"]:
        day = today + timedelta(days=RELATIVE_DAYS[_normal(match["rel"])])
        return day, min(day + timedelta(days=1), max(day, today))
    if match["wd"]:
        delta = (today.weekday() - WEEKDAYS[_normal(match["wd"])]) % 7
        day = today - timedelta(days=delta)
        return day, min(day + timedelta(days=1), today)
    month = MONTHS[_normal(match["mo"])]
    if match["mo"][0].islower() and _normal(match["mo"]) in AMBIGUOUS_MONTHS:
        return None
    year = today.year if month <= today.month else today.year - 1
    return _month_window(year, month)


_SINCE_DATE_RE = re.compile(rf"(?<!\w){_SINCE}\s+$", re.IGNORECASE)


def find_periods(text: str, today: date) -> list[PeriodMention]:
    """Find publication-date windows a question names, resolved against ``today``.

    Covers "in July 2024", "in 2024", "since 2023", "last/past/this week|month|year",
    "in the last 3 days", "2 days ago", "since Monday", "yesterday", "on Monday", "in July"
    and their Ukrainian and Russian forms
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
