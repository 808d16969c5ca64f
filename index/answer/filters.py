"""Filter words in a question or topic: ``from:OUTLET``, ``since:``, ``until:``, ``lang:``.

A reader narrows a question by outlet, publication date and language by writing filter words
anywhere in it: ``Kakhovka dam from:"Kyiv Independent" since:2023-06-01 lang:en``. They are
restrictions, not words to look for, so they are cut out before analysis
(``split_filters``) and never count as question words; what is left is the question.

Two steps, because checking needs the archive and a reply needs a language:

- ``split_filters(text)`` finds the filter words (syntax only; never fails);
- ``resolve_filters(words, outlet_names, language)`` checks them against the archive's
  outlet names and turns them into ``QuestionFilters``, or raises ``FilterError`` with a
  reason in the question's language naming the filter word: a bad date, ``since`` after
  ``until``, an unknown language, or an outlet that matches nothing (then the closest
  outlet names, by ``difflib``).

``parse_question`` does both, and is what ``Archive.ask`` and topics (``/follow``) use.

Matching rules: ``from:`` matches an outlet whose name starts with the value, ignoring case
and runs of spaces (``from:kyiv`` is every outlet named "Kyiv …"); a name with spaces is
quoted (``from:"Kyiv Independent"``; typographic quotes “…” and «…», which phones type, work
too). Several ``from:`` or ``lang:`` words mean any of them; ``since`` and ``until`` are
inclusive, and when repeated the narrowest window is kept (all of them hold).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from index.errors import FilterError
from index.models import LANGS, Lang, QuestionFilters

# A filter word: a key and a colon at the start of a word, then a quoted or a bare value.
# The key is English in every language of the question, as in search engines' operators.
_FILTER = re.compile(
    r"""(?<!\S)(?P<key>from|since|until|lang):"""
    r"""(?:"(?P<q1>[^"]*)"|“(?P<q2>[^”]*)”|«(?P<q3>[^»]*)»|„(?P<q4>[^“”]*)[“”]|(?P<bare>\S*))""",
    re.IGNORECASE,
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# At most this many outlet names are offered for an unknown ``from:``.
CLOSEST_OUTLETS = 3

# Reasons, by language; ``FilterError.item`` names the filter word as typed.
_MESSAGES: dict[str, dict[Lang, str]] = {
    "needs_value": {
        "en": "this filter needs a value, e.g. {example}",
        "uk": "цьому фільтру потрібне значення, наприклад {example}",
        "ru": "этому фильтру нужно значение, например {example}",
    },
    "bad_date": {
        "en": "not a valid date; write it as YYYY-MM-DD, e.g. {key}:2024-06-01",
        "uk": "це не дата; пишіть РРРР-ММ-ДД, наприклад {key}:2024-06-01",
        "ru": "это не дата; пишите ГГГГ-ММ-ДД, например {key}:2024-06-01",
    },
    "date_order": {
        "en": "since: is later than until:, so no day fits both",
        "uk": "since: пізніше за until:, тож жоден день не підходить",
        "ru": "since: позже, чем until:, поэтому ни один день не подходит",
    },
    "bad_lang": {
        "en": "lang: takes uk, ru or en",
        "uk": "lang: приймає uk, ru або en",
        "ru": "lang: принимает uk, ru или en",
    },
    "unknown_outlet": {
        "en": "no outlet in the archive is called “{value}”; the closest: {closest}",
        "uk": "в архіві немає видання «{value}»; найближчі: {closest}",
        "ru": "в архиве нет издания «{value}»; ближайшие: {closest}",
    },
    "no_outlets": {
        "en": "no article in the archive names its outlet",
        "uk": "жодна стаття в архіві не називає свого видання",
        "ru": "ни одна статья в архиве не называет своего издания",
    },
    "only_filters": {
        "en": "the question has only filters; add what to look for, e.g. “dam {filters}”",
        "uk": "у питанні лише фільтри; додайте, що шукати, наприклад «ГЕС {filters}»",
        "ru": "в вопросе только фильтры; добавьте, что искать, например «ГЭС {filters}»",
    },
}
_EXAMPLES = {
    "from": 'from:BBC, from:"Kyiv Independent"',
    "since": "since:2024-06-01",
    "until": "until:2024-06-30",
    "lang": "lang:uk",
}


@dataclass(frozen=True, slots=True)
class FilterWord:
    """One filter word as typed: ``key`` (lower case), its unquoted ``value`` and the ``token``."""

    key: str
    value: str
    token: str


@dataclass(frozen=True, slots=True)
class SplitQuestion:
    """A question with its filter words cut out: the ``text`` to analyse and the ``words``."""

    text: str
    words: tuple[FilterWord, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """A question's text without filter words, and the filters it names (checked)."""

    text: str
    filters: QuestionFilters


def split_filters(text: str) -> SplitQuestion:
    """``text`` without its filter words, and those words in order. Never fails.

    Cheap when there is no filter word (one regex search), which is every question that
    does not use them: ``Archive.ask`` must not get slower for those.
    """
    words = [
        FilterWord(key=m["key"].lower(), value=_value_of(m), token=m.group(0))
        for m in _FILTER.finditer(text)
    ]
    if not words:
        return SplitQuestion(text, ())
    return SplitQuestion(" ".join(_FILTER.sub(" ", text).split()), tuple(words))


def resolve_filters(
    words: Sequence[FilterWord], outlet_names: Sequence[str], language: Lang = "en"
) -> QuestionFilters:
    """The filters ``words`` name, checked against the archive's ``outlet_names``.

    Raises:
        FilterError: a filter word that cannot be applied, with a reason in ``language``
            and the word as ``item``.
    """
    lang: Lang = language if language in LANGS else "en"
    outlets: list[str] = []
    languages: list[Lang] = []
    since: date | None = None
    until: date | None = None
    since_token = until_token = ""
    for word in words:
        value = word.value.strip()
        if not value:
            raise FilterError(
                _MESSAGES["needs_value"][lang].format(example=_EXAMPLES[word.key]), word.token
            )
        if word.key == "from":
            for name in match_outlets(value, outlet_names, word.token, lang):
                if name not in outlets:
                    outlets.append(name)
        elif word.key == "lang":
            code = value.lower()
            if code not in LANGS:
                raise FilterError(_MESSAGES["bad_lang"][lang], word.token)
            if code not in languages:
                languages.append(code)  # type: ignore[arg-type]
        else:
            day = _parse_day(value, word, lang)
            if word.key == "since" and (since is None or day > since):
                since, since_token = day, word.token
            elif word.key == "until" and (until is None or day < until):
                until, until_token = day, word.token
    if since is not None and until is not None and since > until:
        raise FilterError(_MESSAGES["date_order"][lang], f"{since_token} {until_token}")
    return QuestionFilters(
        outlets=tuple(outlets), since=since, until=until, languages=tuple(languages)
    )


def parse_question(
    text: str, outlet_names: Sequence[str], language: Lang | None = None
) -> ParsedQuestion:
    """Filters cut out of ``text`` and checked; the rest is the question (or topic).

    ``language`` is the language of the reasons; by default the rest's own language, or
    the first ``lang:`` value when nothing else is left, or English.

    Raises:
        FilterError: a filter word that cannot be applied (``resolve_filters``), or a text
            that is only filter words: there is nothing to look for.
    """
    return check_split(split_filters(text), outlet_names, language)


def check_split(
    split: SplitQuestion, outlet_names: Sequence[str], language: Lang | None = None
) -> ParsedQuestion:
    """``parse_question`` for a question already split (``split_filters``).

    Raises:
        FilterError: as ``parse_question``.
    """
    if not split.words:
        return ParsedQuestion(split.text, QuestionFilters())
    lang = language or reply_language(split)
    filters = resolve_filters(split.words, outlet_names, lang)
    if not split.text.strip():
        tokens = " ".join(word.token for word in split.words)
        raise FilterError(_MESSAGES["only_filters"][lang].format(filters=tokens))
    return ParsedQuestion(split.text, filters)


def reply_language(split: SplitQuestion) -> Lang:
    """The language to explain a filter problem in: the question's, else ``lang:``'s, else en."""
    if split.text.strip():
        from index.analysis.language import detect_language

        return detect_language(split.text)
    for word in split.words:
        if word.key == "lang" and word.value.lower() in LANGS:
            return word.value.lower()  # type: ignore[return-value]
    return "en"


def match_outlets(
    value: str, outlet_names: Sequence[str], token: str = "", language: Lang = "en"
) -> list[str]:
    """The outlet names that ``value`` starts, ignoring case and spacing; at least one.

    Raises:
        FilterError: none matches; the reason names the closest outlets.
    """
    found = [name for name in outlet_names if outlet_matches(value, name)]
    if found:
        return found
    if not outlet_names:
        raise FilterError(_MESSAGES["no_outlets"][language], token or f"from:{value}")
    closest = ", ".join(closest_outlets(value, outlet_names))
    raise FilterError(
        _MESSAGES["unknown_outlet"][language].format(value=value, closest=closest),
        token or f"from:{value}",
    )


def outlet_matches(value: str, name: str) -> bool:
    """Whether ``from:value`` names the outlet ``name``: its start, ignoring case and spacing.

    The one rule for questions (``match_outlets``) and followed topics, which check each new
    article's outlet with it (``index.answer.follow``) so that a topic's ``from:`` keeps
    meaning what ``ask`` makes of it as outlets are added.
    """
    return _fold(name).startswith(_fold(value))


def closest_outlets(
    value: str, outlet_names: Sequence[str], n: int = CLOSEST_OUTLETS
) -> list[str]:
    """The ``n`` outlet names most like ``value`` (difflib's ratio, whole name or its start).

    Comparing with the name's start as well lets a mistyped prefix ("kyev indep") find
    "Kyiv Independent"; there is always an answer, however far, so a reader sees what the
    archive's outlets are called.
    """
    wanted = _fold(value)

    def likeness(name: str) -> float:
        folded = _fold(name)
        whole = difflib.SequenceMatcher(None, wanted, folded).ratio()
        start = difflib.SequenceMatcher(None, wanted, folded[: len(wanted)]).ratio()
        return max(whole, start)

    return sorted(outlet_names, key=lambda name: (-likeness(name), name))[:n]


def _value_of(match: re.Match[str]) -> str:
    """A filter word's value: a quoted one as is; a bare one without a sentence's punctuation
    after it ("… from:BBC?") or a stray quote of an unclosed pair."""
    quoted = next((v for v in match.group("q1", "q2", "q3", "q4") if v is not None), None)
    if quoted is not None:
        return quoted
    return match["bare"].rstrip(",;:!?.)").strip('"“”«»„')


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _parse_day(value: str, word: FilterWord, lang: Lang) -> date:
    reason = _MESSAGES["bad_date"][lang].format(key=word.key)
    if not _DAY.fullmatch(value):
        raise FilterError(reason, word.token)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(reason, word.token) from None
