"""Sentence choice: a Russian or Ukrainian question word matches another part of speech of its
root (``snippets.DERIVED_MIN_CHARS``).

Hand-written sentences in ru/uk: without the rule the other sentence wins (it matches as much
of the question, and comes first), so only the rule can pick the one that answers; in English
stems are not joined by their prefix.
"""

from __future__ import annotations

import pytest

from index.models import Lang
from tests.index.answer.real_snippets import FILLER, choose


@pytest.mark.parametrize(
    ("lang", "question", "other", "answer"),
    [
        (
            "ru",
            "Что нашли в текстах летописи?",
            "Летопись нашли в городском архиве.",
            "В текстовых вставках летописи нашли карту острова.",
        ),
        (
            "uk",
            "Що знайшли в текстах літопису?",
            "Літопис знайшли в міському архіві.",
            "У текстових вставках літопису знайшли карту острова.",
        ),
        (
            "ru",
            "Кого арестуют после обыска в порту?",
            "Обыск в порту продолжался всю ночь.",
            "Об арестах после обыска в порту сообщили двое таможенников.",
        ),
    ],
)
def test_a_question_word_matches_its_root_in_another_part_of_speech(
    lang: Lang, question: str, other: str, answer: str
) -> None:
    assert choose(f"{other} {answer}{FILLER[lang]}", question, lang).startswith(answer)


def test_english_stems_are_not_joined_by_their_prefix() -> None:
    # "election" → "elect", "electric" → "electr": roots are joined for Cyrillic only.
    text = f"The town elected a council. The electric grid of the town was upgraded.{FILLER['en']}"
    assert choose(text, "What did the town elect?", "en").startswith("The town elected")
