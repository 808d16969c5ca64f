"""Long questions told by several articles, and names the archive lacks among many.

MultiHop-RAG asks "Which company, reported by TechCrunch for ..., and by The Verge for ...?":
each article tells a few of the facts. The rules of ``evidence`` under test: a question of
more than ``2 * COMPOUND_WORDS`` words passes when its matched words weigh as much as its
``COMPOUND_WORDS`` heaviest, and unknown names veto only when they are at least
``UNKNOWN_NAMES_SHARE`` of the question's names.
"""

from __future__ import annotations

from index.answer.evidence import (
    COMPOUND_WORDS,
    UNKNOWN_NAMES_SHARE,
    QuestionWord,
    key_word_indexes,
    measure_evidence,
)


def word(text: str, weight: float, *, known: bool = True, name: bool = False) -> QuestionWord:
    return QuestionWord(
        text=text,
        terms=frozenset({text.casefold()}),
        weight=weight,
        known=known,
        is_date=False,
        is_name=name,
    )


LONG = (
    word("antitrust", 5.0),
    word("search", 4.0),
    word("default", 4.5),
    word("publishers", 3.0),
    word("revenue", 3.0),
    word("hardware", 3.5),
    word("payment", 3.0),
    word("distribution", 3.0),
)


def test_a_long_question_passes_on_as_much_as_its_heaviest_words() -> None:
    assert COMPOUND_WORDS == 3 and len(LONG) > 2 * COMPOUND_WORDS
    evidence = measure_evidence(LONG, {"antitrust", "default", "search"})
    assert evidence.coverage < 0.5
    assert evidence.enough


def test_a_long_question_needs_that_much_weight() -> None:
    # Three words, but not the heaviest three: 3.0 + 3.0 + 3.5 < 5.0 + 4.5 + 4.0.
    assert not measure_evidence(LONG, {"publishers", "revenue", "hardware"}).enough


def test_a_short_question_still_needs_half_of_its_weight() -> None:
    short = LONG[:6]
    evidence = measure_evidence(short, {"antitrust", "default"})
    assert evidence.coverage < 0.5 and not evidence.enough


def test_one_unknown_outlet_among_many_names_is_no_veto() -> None:
    names = (
        word("Google", 3.0, name=True),
        word("Apple", 3.0, name=True),
        word("Verge", 4.0, name=True),
        word("TechCrunch", 4.0, name=True),
        word("Fortune", 5.5, known=False, name=True),
    )
    assert key_word_indexes(names) == frozenset()


def test_unknown_names_that_are_the_topic_still_veto() -> None:
    assert UNKNOWN_NAMES_SHARE == 0.5
    alone = (word("inflation", 4.0), word("Finland", 5.5, known=False, name=True))
    assert key_word_indexes(alone) == {1}
    half = (
        word("Norway", 5.5, known=False, name=True),
        word("Kyiv", 3.0, name=True),
        word("mayor", 3.0),
    )
    assert key_word_indexes(half) == {0}
    assert not measure_evidence(half, {"kyiv", "mayor"}).enough
