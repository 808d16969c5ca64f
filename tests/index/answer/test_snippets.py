"""Sentence splitting, snippet choice, highlights and answer types, on hand-made spans."""

from __future__ import annotations

import pytest

from index.answer.answer_type import answer_type_of, is_typed_term
from index.answer.evidence import QuestionWord
from index.answer.snippets import (
    best_sentence_coverage,
    choose_snippet,
    highlight_spans,
    split_sentences,
)
from tests.index.answer.fakes import SimpleAnalyzer

ANALYZER = SimpleAnalyzer()


def word(term: str, weight: float = 1.0) -> QuestionWord:
    return QuestionWord(term, frozenset([term]), weight, True, False, False)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here. Two there! Three?", ["One here.", "Two there!", "Three?"]),
        ("Mr. Smith met Dr. Jones. Then left.", ["Mr. Smith met Dr. Jones.", "Then left."]),
        ("U.S. forces came. They left.", ["U.S. forces came.", "They left."]),
        ('He said "no." Then went.', ['He said "no."', "Then went."]),
        ("Line one\nline two", ["Line one", "line two"]),
        ("Він сказав. Ось так.", ["Він сказав.", "Ось так."]),
        ("Version 2.5 was out. Fine.", ["Version 2.5 was out.", "Fine."]),
    ],
    ids=["punctuation", "titles", "initials", "quote", "newline", "cyrillic", "decimal"],
)
def test_split_sentences_keeps_exact_offsets(text, sentences):
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == sentences


def test_snippet_is_the_sentence_with_most_question_weight():
    text = "Weather was fine today across the whole of the region. " * 3 + (
        "Tusk said Poland would discuss downing Russian missiles with its NATO allies soon. "
        "Markets rose."
    )
    spans = ANALYZER.term_spans(text, "en", None)
    words = [word("tusk", 3.0), word("missiles", 2.0)]
    chosen = choose_snippet(text, spans, words, frozenset({"tusk", "missiles"}))
    assert chosen.text.startswith("Tusk said")
    assert chosen.text.endswith("Markets rose.")  # short: one sentence of context
    assert [chosen.text[s:e] for s, e in chosen.highlights] == ["Tusk", "missiles"]


def test_short_snippet_gets_one_sentence_of_context():
    text = "Tusk spoke. He said Poland would help its neighbour with air defence."
    spans = ANALYZER.term_spans(text, "en", None)
    chosen = choose_snippet(text, spans, [word("tusk")], frozenset({"tusk"}))
    assert chosen.text == text


def test_answer_type_prefers_the_sentence_with_a_number():
    text = (
        "The grain deal let ships sail from the ports of Odesa, Chornomorsk and Pivdennyi for "
        "a whole year, under inspection by a joint centre in the city of Istanbul. "
        "Over that year the ships carried 33 million tonnes of grain and other foodstuffs to "
        "buyers in Asia, Europe and Africa, according to the coordination centre."
    )
    spans = ANALYZER.term_spans(text, "en", None)
    words = [word("grain"), word("deal", 0.5)]
    plain = choose_snippet(text, spans, words, frozenset({"grain", "deal"}))
    typed = choose_snippet(text, spans, words, frozenset({"grain", "deal"}), answer_type="number")
    assert "33 million" not in plain.text
    assert "33 million" in typed.text


def test_best_sentence_coverage_is_a_share_of_the_question_weight():
    text = "Tusk spoke. Missiles flew over Poland."
    spans = ANALYZER.term_spans(text, "en", None)
    words = [word("tusk", 1.0), word("missiles", 3.0)]
    assert best_sentence_coverage(text, spans, words) == pytest.approx(0.75)


def test_highlights_merge_overlapping_spans_and_stay_inside_the_snippet():
    class Span:
        def __init__(self, term, start, end):
            self.term, self.start, self.end = term, start, end

    spans = [Span("a", 10, 14), Span("b", 12, 18), Span("a", 30, 32), Span("c", 40, 45)]
    assert highlight_spans(spans, frozenset({"a", "b"}), 5, 35) == ((5, 13), (25, 27))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When did Finland join NATO?", "date"),
        ("In what year was the dam built?", "date"),
        ("What year was the dam built?", "date"),
        ("How many people were evacuated?", "number"),
        ("Коли збудували ДніпроГЕС?", "date"),
        ("Скільки ракет випустила Росія?", "number"),
        ("Когда начался мятеж?", "date"),
        ("Во сколько произошел взрыв?", "number"),
        ("What did Stoltenberg say?", None),
    ],
)
def test_answer_type_of_question(question, expected):
    assert answer_type_of(question) == expected


@pytest.mark.parametrize(
    ("term", "answer_type", "expected"),
    [
        ("@d2024-07-14", "date", True),
        ("1932", "date", True),
        ("33", "date", False),
        ("33", "number", True),
        ("grain", "number", False),
    ],
)
def test_typed_terms(term, answer_type, expected):
    assert is_typed_term(term, answer_type) is expected
