"""Sentence choice: a Russian or Ukrainian question word matches another part of speech of its
root (``snippets.DERIVED_MIN_CHARS``).

Hand-written sentences in ru/uk: without the rule the other sentence wins (it matches as much
of the question, and comes first), so only the rule can pick the one that answers; in English
stems are not joined by their prefix.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.analysis.analyzer import Analyzer
from index.answer.answer_type import answer_type_of
from index.answer.evidence import QuestionWord
from index.answer.snippets import SnippetCues, choose_snippet
from index.models import Lang

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
REAL = Analyzer()


def _cues(question: str) -> SnippetCues:
    """Cues from the real analyzer: one everyday word per question term, weight 1."""
    terms = frozenset(REAL.question(question, NOW).terms)
    return SnippetCues(
        words=[QuestionWord(t, frozenset([t]), 1.0, True, False, False) for t in sorted(terms)],
        question_terms=terms,
        answer_type=answer_type_of(question),
    )


def choose(text: str, question: str, lang: Lang) -> str:
    spans = REAL.term_spans(text, lang, NOW)
    return choose_snippet(text, spans, _cues(question)).text


# A short snippet takes its following sentence as context: this one, after the answer.
FILLER = {
    "en": " Nothing else happened.",
    "ru": " Больше ничего не произошло.",
    "uk": " Більше нічого не сталося.",
}


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
