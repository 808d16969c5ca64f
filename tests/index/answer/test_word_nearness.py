"""Sentence choice: a question word held only as a stem of its root weighs less
(``snippets.DERIVED_SHARE``), and a unit pays for how far apart its question words are
(``snippets.SPREAD_COST``, ``_match_window``).

Hand-written sentences in ru/uk/en: the first sentence matches as many question words as the
second, so without the rule it wins the tie by coming first; only the rule picks the second,
which answers. Each test also checks that the rule is what decides.
"""

from __future__ import annotations

import pytest

from index.answer import snippets
from index.models import Lang
from tests.index.answer.real_snippets import FILLER, choose

SPREAD = [
    (
        "en",
        "What did the council decide about the bridge?",
        "The council met on Monday and argued for hours about taxes, schools, parking and"
        " the old bridge, but nothing was decided.",
        "The council decided to rebuild the bridge by 2026.",
    ),
    (
        "ru",
        "Что совет решил насчет моста?",
        "Совет заседал в понедельник и долго спорил о налогах, школах, парковках и старом"
        " мосте, но так ничего и не решил.",
        "Совет решил перестроить мост к 2026 году.",
    ),
    (
        "uk",
        "Що рада вирішила щодо мосту?",
        "Рада засідала в понеділок і довго сперечалася про податки, школи, парковки та старий"
        " міст, але так нічого й не вирішила.",
        "Рада вирішила перебудувати міст до 2026 року.",
    ),
]


@pytest.mark.parametrize(("lang", "question", "other", "answer"), SPREAD)
def test_the_sentence_holding_the_question_words_together_wins(
    lang: Lang, question: str, other: str, answer: str
) -> None:
    assert choose(f"{other} {answer}{FILLER[lang]}", question, lang).startswith(answer)


@pytest.mark.parametrize(("lang", "question", "other", "answer"), SPREAD)
def test_without_the_spread_cost_the_earlier_sentence_wins(
    monkeypatch: pytest.MonkeyPatch, lang: Lang, question: str, other: str, answer: str
) -> None:
    monkeypatch.setattr(snippets, "SPREAD_COST", 0.0)
    assert choose(f"{other} {answer}{FILLER[lang]}", question, lang).startswith(other)


DERIVED = [
    (
        "ru",
        "Какой князь упомянут в текстах летописи?",
        "В текстовых вставках летописи упомянут князь.",
        "В текстах летописи упомянут князь Игорь.",
    ),
    (
        "uk",
        "Який князь згаданий у текстах літопису?",
        "У текстових вставках літопису згаданий князь.",
        "У текстах літопису згаданий князь Ігор.",
    ),
]


@pytest.mark.parametrize(("lang", "question", "other", "answer"), DERIVED)
def test_a_word_held_itself_beats_a_word_of_its_root(
    monkeypatch: pytest.MonkeyPatch, lang: Lang, question: str, other: str, answer: str
) -> None:
    monkeypatch.setattr(snippets, "SPREAD_COST", 0.0)  # the derived share alone decides
    assert choose(f"{other} {answer}{FILLER[lang]}", question, lang).startswith(answer)
    monkeypatch.setattr(snippets, "DERIVED_SHARE", 1.0)
    assert choose(f"{other} {answer}{FILLER[lang]}", question, lang).startswith(other)


def test_english_words_are_never_weighed_as_derived() -> None:
    # Roots are joined for Cyrillic stems only: "elected" is not "electric", at any share.
    text = f"The electric grid of the town was upgraded. The town elected a council.{FILLER['en']}"
    assert choose(text, "What did the town elect?", "en").startswith("The town elected")


@pytest.mark.parametrize(
    ("hits", "start", "end", "window"),
    [
        ([], 0, 100, 0),
        ([(10, 15, 0), (40, 45, 0)], 0, 100, 0),  # one word: nothing to spread
        ([(10, 15, 0), (40, 45, 1)], 0, 100, 35),
        # the nearest pair of the two words, not the first of each
        ([(0, 5, 0), (50, 55, 0), (60, 65, 1)], 0, 100, 15),
        ([(0, 5, 0), (20, 25, 1), (30, 35, 2), (90, 95, 0)], 0, 100, 35),
        ([(10, 15, 0), (40, 45, 1), (120, 125, 2)], 0, 100, 35),  # hits outside the range
    ],
)
def test_match_window(hits: list[tuple[int, int, int]], start: int, end: int, window: int) -> None:
    assert snippets._match_window(hits, start, end) == window
