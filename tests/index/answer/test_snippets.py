"""Sentence splitting, snippet choice, highlights and answer types, on hand-made spans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.analysis.analyzer import Analyzer
from index.answer.answer_type import answer_type_of, is_typed_term
from index.answer.evidence import QuestionWord
from index.answer.snippets import (
    SHORT_SNIPPET_CHARS,
    SnippetCues,
    best_sentence_coverage,
    beyond_title,
    choose_snippet,
    highlight_spans,
    split_sentences,
    title_words,
)
from tests.index.answer.fakes import SimpleAnalyzer

ANALYZER = SimpleAnalyzer()
NOW = datetime(2024, 8, 4, tzinfo=UTC)


def word(term: str, weight: float = 1.0) -> QuestionWord:
    return QuestionWord(term, frozenset([term]), weight, True, False, False)


def cues(words, answer_type=None, title: str = "") -> SnippetCues:
    """The cues of a question made of ``words``, over an article titled ``title``."""
    question_terms = frozenset(term for w in words for term in w.terms)
    title_spans = ANALYZER.term_spans(title, "en", None)
    return SnippetCues(
        words=beyond_title(words, frozenset(span.term for span in title_spans)),
        question_terms=question_terms,
        answer_type=answer_type,
        title_words=title_words(title_spans, question_terms),
    )


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
    chosen = choose_snippet(text, spans, cues(words))
    assert chosen.text.startswith("Tusk said")
    assert chosen.text.endswith("Markets rose.")  # short: one sentence of context
    assert [chosen.text[s:e] for s, e in chosen.highlights] == ["Tusk", "missiles"]


def test_short_snippet_gets_one_sentence_of_context():
    text = "Tusk spoke. He said Poland would help its neighbour with air defence."
    spans = ANALYZER.term_spans(text, "en", None)
    chosen = choose_snippet(text, spans, cues([word("tusk")]))
    assert chosen.text == text


def test_answer_type_prefers_the_sentence_with_a_number():
    text = (
        "The grain deal let ships sail from the ports of Odesa, Chornomorsk and Pivdennyi for "
        "a whole year, under inspection by a joint centre in the city of Istanbul, where "
        "officials of four parties checked every vessel before it was allowed to leave the "
        "strait and to continue its long voyage towards the distant ports of its buyers. "
        "Over that year the ships carried 33 million tonnes of grain and other foodstuffs to "
        "buyers in Asia, Europe and Africa, according to the coordination centre."
    )
    spans = ANALYZER.term_spans(text, "en", None)
    words = [word("grain"), word("deal", 0.5)]
    plain = choose_snippet(text, spans, cues(words))
    typed = choose_snippet(text, spans, cues(words, "number"))
    assert plain.end - plain.start >= SHORT_SNIPPET_CHARS  # long: no context sentence
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
        ("Who proposed the budget?", "name"),
        ("Which state banned plastic bags?", "name"),
        ("Where was the treaty signed?", "name"),
        ("Хто очолив делегацію?", "name"),
        ("Где подписали договор?", "name"),
        ("Как назывался шторм, обрушившийся на город в мае?", "name"),
        ("Как зовут нового директора музея?", "name"),
        ("Як називається нова станція метро?", "name"),
        ("Как часто называют этот район старым городом?", None),
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
        ("~hrytsenk", "name", True),
        ("grain", "name", False),
    ],
)
def test_typed_terms(term, answer_type, expected):
    assert is_typed_term(term, answer_type) is expected


REAL = Analyzer()


def real_cues(question: str, answer_type, title: str = "") -> SnippetCues:
    """Cues from the real analyzer: one word per question term, weight 1."""
    question_terms = frozenset(REAL.question(question, NOW).terms)
    words = [word(term) for term in sorted(question_terms)]
    title_spans = REAL.term_spans(title, "en", NOW)
    return SnippetCues(
        words=beyond_title(words, frozenset(span.term for span in title_spans)),
        question_terms=question_terms,
        answer_type=answer_type,
        title_words=title_words(title_spans, question_terms),
    )


FILLER = " Nothing else of note happened in the town that week, the local paper reported."


def choose(text: str, question: str, title: str = "", lead: int = 0) -> str:
    """The snippet chosen from ``text`` plus a filler sentence (which takes the context a
    short snippet gets, so the chosen sentence starts the snippet)."""
    text += FILLER
    spans = REAL.term_spans(text, "en", NOW)
    return choose_snippet(
        text, spans, real_cues(question, answer_type_of(question), title), lead=lead
    ).text


def test_who_question_prefers_the_sentence_that_names_someone_new():
    first = "Officials debated the city budget at length on the floor of the old hall for hours."
    second = "The budget came from Olena Hrytsenko, who runs the finance office of the city."
    text = f"{first} {second}"
    assert choose(text, "Who drafted the city budget?").startswith(second)
    # Without the answer-type cue the earlier sentence wins the tie.
    assert choose(text, "Did they draft the city budget?").startswith(first)


def test_a_name_the_question_already_holds_is_not_an_answer():
    first = "Olena Hrytsenko said the budget was late again, at length, in the old city hall."
    second = "Mykola Bondar wrote the budget for Olena Hrytsenko over the long winter months."
    text = f"{first} {second}"
    assert choose(text, "Who wrote the budget for Olena Hrytsenko?").startswith(second)


def test_headline_name_marks_the_sentence_that_answers():
    title = "Veloria bans plastic bags at shop checkouts"
    answer = "Veloria's governor signed a ban on plastic bags in shops on Monday morning."
    decoy = (
        "Several states have weighed a plastic bag ban for years, according to a long report "
        "on household waste that the environment agency published in the spring."
    )
    text = f"{answer} {decoy}"
    assert answer in choose(text, "Which state will ban plastic bags?", title)
    assert answer not in choose(text, "Which state will ban plastic bags?")


def real_cues_titled(question: str, title: str) -> SnippetCues:
    """``real_cues`` with the title's question words marked (``title_matched``)."""
    plain = real_cues(question, answer_type_of(question), title)
    title_terms = {span.term for span in REAL.term_spans(title, "en", NOW)}
    return SnippetCues(
        words=plain.words,
        question_terms=plain.question_terms,
        answer_type=plain.answer_type,
        title_words=plain.title_words,
        title_matched=frozenset(i for i, w in enumerate(plain.words) if w.terms & title_terms),
    )


def test_a_lead_naming_the_headline_answer_states_the_headline():
    # Only the title says "recall ... cars ... airbag"; the lead names its answer.
    title = "Volkswagen recalls 114,000 cars over airbag faults"
    lead = "Volkswagen is acting on problems found in two of its older models, regulators said."
    later = (
        "The affected cars carry airbags that have been subject to a recall for years, "
        "and owners will get letters from dealers in the coming weeks, the company said."
    )
    middle = "Shares of the group were steady in Frankfurt trading on the day of the notice."
    text = f"{lead} {middle} {later}{FILLER}"
    spans = REAL.term_spans(text, "en", NOW)
    question = "Which automaker will recall cars over airbag faults?"
    titled = real_cues_titled(question, title)
    assert titled.title_matched
    with_title = choose_snippet(text, spans, titled, lead=len(lead))
    assert with_title.start == 0 and with_title.typed
    # Without the title's words the later sentences, which match more, win; not naming the
    # headline's answer, they take the lead that does as context (its score unchanged).
    untitled = real_cues(question, answer_type_of(question), title)
    without = choose_snippet(text, spans, untitled, lead=len(lead))
    assert without.text.startswith(lead) and without.text.endswith(later)
    assert with_title.score > without.score


def test_the_lead_wins_over_a_slightly_better_later_sentence():
    text = (
        "Tusk said the missiles were the topic of the day when he spoke to the press. "
        "Tusk said Poland would discuss downing Russian missiles with its NATO allies soon."
    )
    spans = ANALYZER.term_spans(text + FILLER, "en", None)
    words = [word("tusk"), word("missiles"), word("poland", 0.4)]
    in_lead = choose_snippet(text + FILLER, spans, cues(words), lead=1)
    later = choose_snippet(text + FILLER, spans, cues(words), lead=0)
    assert in_lead.text.startswith("Tusk said the missiles")
    assert later.text.startswith("Tusk said Poland")


def test_two_adjacent_sentences_when_the_match_spans_them():
    text = (
        "Heavy rain fell over the northern valley for three days without a break. "
        "The river burst its banks near the old mill, flooding forty homes. "
        "Rescue teams worked through the night. "
        "Officials said the dam upstream held, and that the water was falling slowly."
    )
    chosen = choose(text, "Which river flooded homes after rain in the valley?")
    assert chosen.startswith("Heavy rain") and "forty homes." in chosen


def test_highlights_merge_a_name_split_by_spaces_but_not_by_punctuation():
    text = "Jens Stoltenberg met Tusk, Duda and others."
    spans = REAL.term_spans(text, "en", NOW)
    terms = frozenset(REAL.question("Jens Stoltenberg Tusk Duda", NOW).terms)
    marked = highlight_spans(spans, terms, 0, len(text), text=text)
    assert [text[s:e] for s, e in marked] == ["Jens Stoltenberg", "Tusk", "Duda"]
