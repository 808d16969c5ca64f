"""The years a question names as its period, as words for choosing the sentence that answers.

"Что выиграл Ньюкаслский университет в 2000 году?", "Who won the Eurovision Song Contest in
2022?": the analyzer reads "в 2000 году" as the question's period (a preference among
articles by date, ``assemble.PERIOD_BOOST``) and drops it from the question's terms. An
encyclopedia paragraph or a news archive's background article has no publication date in
that year, yet the sentence stating what happened then names the year ("В 2000 году он
получил заслуженную награду ..."), while its neighbours repeat the question's other words.
So a year written in the question that its period covers is given back to sentence choice
as one more question word, weighted like the others (its evidence idf). It is not part of
the evidence ("nothing found" is decided as before): the period already says which articles
to prefer, and a year is one rare term that would otherwise weigh as much as a topic word.
"""

from __future__ import annotations

import re
from datetime import date

from index.answer.evidence import QuestionWord, evidence_idf
from index.answer.protocols import SearchBackend

# A year as the analyzer indexes it: a plain number of four digits, 1000 to 2099.
_YEAR_RE = re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?![\d.,]\d)")


def year_words(
    text: str,
    period: tuple[date, date] | None,
    terms: tuple[str, ...],
    index: SearchBackend,
) -> tuple[QuestionWord, ...]:
    """The years of ``text`` that its ``period`` covers and its ``terms`` lack, as words.

    Only years the index holds (a year no passage names can match no sentence), each once,
    weighted by its evidence idf; none when the question names no period ("this week"
    names a period but no year).
    """
    if period is None:
        return ()
    first, last = period
    held = set(terms)
    words: dict[str, QuestionWord] = {}
    for year in _YEAR_RE.findall(text):
        if year in held or year in words or not first.year <= int(year) <= last.year:
            continue
        df = index.document_frequency(year)
        if df <= 0:
            continue
        words[year] = QuestionWord(
            text=year,
            terms=frozenset((year,)),
            weight=evidence_idf(df, max(index.n_docs, 1)),
            known=True,
            is_date=False,
            is_name=False,
            transferable=True,
        )
    return tuple(words.values())
