"""What kind of answer a question expects: a date ("when"), a number ("how many"), a name,
a cause ("why").

A classic question-answering cue (the "answer type" of TREC QA systems): a "when" question is
answered by a sentence holding a date, a "how many" question by one holding a number (not a
date's day or year: ``is_count_span``), a "who", "where" or "which" question by one naming
someone or something, and a "why" question by one stating a cause ("потому что", "because",
"бо": ``states_reason``, read from the sentence's text: connectives are stopwords). The
analyzer drops question words before search, so the type is read here from the raw text
with a few patterns per language; snippet and passage choice then favour sentences that
hold a term of that type (``index.answer.snippets``). Names are the analyzer's own: a
capitalised word gets a transliteration key (``FOLD_PREFIX``, "~"), places included, so no
list of names is kept here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from index.analysis.dates import DATE_PREFIX
from index.analysis.names import FOLD_PREFIX
from index.answer.protocols import TermSpanLike

AnswerType = Literal["date", "number", "name", "reason"]

_DATE_RE = re.compile(
    r"\b(?:when|what\s+(?:day|date|year)|which\s+(?:day|date|year)|коли|якого\s+числа|"
    r"в\s+якому\s+році|у\s+якому\s+році|когда|какого\s+числа|в\s+каком\s+году)\b(?!-)",
    re.IGNORECASE,
)
# "How many", and "which share / size / number" ("какой процент", "какова численность",
# "яка частка", "what percentage"): a noun of quantity asks for a number as "how many" does
# (xquad-ru-dev: 7 questions, answer@1 +1; docs/quality.md, "Question types").
_NUMBER_RE = re.compile(
    r"\b(?:how\s+(?:many|much|far|long|old|large|big)|what\s+time|скільки|о\s+котрій|"
    r"сколько|во\s+сколько|what\s+(?:percentage|percent|proportion|share)|"
    r"как(?:ой|ому|ого|ова|ов|ое|ая|ую)\s+(?:был[аио]?\s+)?(?:процент\w*|дол[яюи]|"
    r"численност\w*|количеств\w*|размер\w*|сумм\w*|площад\w*)|"
    r"як(?:ий|а|у|ою|ого|ої)\s+(?:(?:був|була|було)\s+)?(?:відсот\w*|частк\w*|кількіст\w*|"
    r"чисельніст\w*|розмір\w*|сум\w*|площ\w*))\b(?!-)",
    re.IGNORECASE,
)
# "Who", "where", "which" (and "what is the name", "как называется/назывался", "як
# називається"): answered by a name or a place. "Как называется" was 35 of xquad-ru-dev's
# 405 questions; as a name question: answer@1 +1, nothing else moved (docs/quality.md).
_NAME_RE = re.compile(
    r"\b(?:who|whom|whose|where|which|what\s+is\s+the\s+name|хто|кого|кому|ким|чий|чия|чиє|"
    r"чиї|де|куди|звідки|кто|кем|чей|чья|чьё|чье|чьи|где|куда|откуда|как\s+называ\w*|как\s+зовут|как\s+звали|як\s+назива\w*|як\s+звуть|як\s+звали)\b(?!-)",
    re.IGNORECASE,
)
# "Why", "what for": answered by a sentence stating a cause or a purpose. Checked first:
# a "why" question may hold "when" as a conjunction ("Why did prices rise when ...?").
# xquad-ru-dev has 13 such questions, realtimeqa-dev 3 (docs/quality.md, "Question types").
_REASON_RE = re.compile(
    r"\b(?:why|почему|зачем|с\s+какой\s+целью|по\s+какой\s+причине|чому|навіщо|"
    r"з\s+якою\s+метою|з\s+якої\s+причини)\b(?!-)",
    re.IGNORECASE,
)
# Connectives that state a cause or a purpose, per language.
_CAUSE_RE = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|thanks\s+to|as\s+a\s+result|in\s+order\s+to|"
    r"so\s+that|потому\s+что|поскольку|так\s+как|из-за|благодаря|вследствие|в\s+связи\s+с|"
    r"чтобы|тому\s+що|оскільки|через\s+те\s+що|бо|щоб|завдяки|внаслідок|у\s+зв'язку\s+з)\b",
    re.IGNORECASE,
)
# Each pattern ends in ``(?!-)``: hyphenated indefinites ("когда-то", "кто-то", "коли-небудь",
# "де-небудь") are not question words (XQuAD: "когда-то проживали" read as a "when").
# Years as plain numbers also answer "when" questions ("built in 1927-1932").
_YEAR_MIN, _YEAR_MAX = 1000, 2100


def answer_type_of(question: str) -> AnswerType | None:
    """The expected answer type of a question, or None when it does not say."""
    if _REASON_RE.search(question):
        return "reason"
    if _DATE_RE.search(question):
        return "date"
    if _NUMBER_RE.search(question):
        return "number"
    if _NAME_RE.search(question):
        return "name"
    return None


def is_typed_term(term: str, answer_type: AnswerType) -> bool:
    """Whether an index term can answer a question of ``answer_type``."""
    if answer_type == "date":
        return term.startswith(DATE_PREFIX) or (
            term.isdigit() and _YEAR_MIN <= int(term) <= _YEAR_MAX
        )
    if answer_type == "name":
        return term.startswith(FOLD_PREFIX)
    if answer_type == "reason":
        return False  # a cause is stated by connectives, not by a term (``states_reason``)
    return term[:1].isdigit()


def states_reason(sentence: str) -> bool:
    """Whether a sentence states a cause or a purpose (a connective of ``_CAUSE_RE``)."""
    return _CAUSE_RE.search(sentence) is not None


# The words that follow a year ("в 1913 году", "у 2022 році", "1975 г."): such a number is
# a date, not a count.
_YEAR_WORD_TERMS = frozenset({"год", "г", "рик", "р."})


def is_count_span(
    span: TermSpanLike, following: TermSpanLike | None, dates: Sequence[tuple[int, int]]
) -> bool:
    """Whether a number span can answer "how many": not inside a date ("9 листопада", "1
    August 1963") and not a year followed by a year word ("в 1913 году").

    A "how many" sentence was chosen for "основанного в 1834 году" over "старше 18 лет", and
    for "9 листопада" over "понад 30 тисяч" (docs/quality.md, "Question types").

    Args:
        span: a span whose term is a number.
        following: the next span of the text, if any.
        dates: [start, end) ranges of the text's day dates (``DAY_PREFIX`` spans).
    """
    if any(start <= span.start < end for start, end in dates):
        return False
    return not (
        span.term.isdigit()
        and _YEAR_MIN <= int(span.term) <= _YEAR_MAX
        and following is not None
        and following.term in _YEAR_WORD_TERMS
    )


def typed_span_starts(
    spans: list[TermSpanLike] | tuple[TermSpanLike, ...], answer_type: AnswerType | None
) -> list[int]:
    """Start offsets of the spans whose term fits the answer type (none without a type)."""
    if answer_type is None:
        return []
    return [span.start for span in spans if is_typed_term(span.term, answer_type)]
