"""Interrogatives in every case form are question words, never terms of the question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.analysis.analyzer import Analyzer

NOW = datetime(2024, 8, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "interrogative"),
    [
        ("Какова процентная доля домохозяек?", "какова"),
        ("Между какими двумя улицами жили торговцы?", "какими"),
        ("Чей пример привлек внимание?", "чей"),
        ("Чего не может делать парламент?", "чего"),
        ("Якої шкоди завдала повінь?", "якої"),
        ("Чий рекорд побив плавець?", "чий"),
        ("Whose record did the swimmer break?", "whose"),
    ],
)
def test_interrogative_forms_are_not_question_terms(question: str, interrogative: str) -> None:
    analysed = Analyzer().question(question, NOW)
    assert analysed.terms, question
    assert not any(term.startswith(interrogative[:4]) for term in analysed.terms), analysed.terms


@pytest.mark.parametrize(
    "question",
    [
        "К чему крепятся статоры?",
        "Кого избрали председателем комитета?",
        "О ком писал поэт?",
        "Чью позицию поддержал парламент?",
        "Кого обрали головою комітету?",
    ],
)
def test_inflected_interrogatives_leave_no_lemma_term(question: str) -> None:
    """ "кого", "чему", "ком" lemmatise to "кто" / "что", which would weigh as a rare word."""
    analysed = Analyzer().question(question, NOW)
    assert analysed.terms, question
    assert not {"кто", "что", "хто", "чей", "~koh", "~cem"} & set(analysed.terms), analysed.terms
