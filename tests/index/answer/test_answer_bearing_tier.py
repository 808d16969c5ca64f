"""The answer-bearing tier of the "nothing found" rule (``evidence.bears_answer``).

A question nothing answers at ``MIN_COVERAGE`` may still be answered by a snippet that bears
the answer: the snippet's own sentence matches ``RELAXED_COVERAGE`` of the question's
weight, holds a term of the expected answer type, and its passage (with the title) matches
every name the question has; and the question holds at most ``MAX_UNKNOWN_WHEN_RELAXED``
words the archive never saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import index.answer.assemble as assemble
from index import Archive
from index.answer.evidence import (
    MAX_UNKNOWN_WHEN_RELAXED,
    MIN_COVERAGE,
    MIN_KNOWN_FOR_DISCOUNT,
    RELAXED_COVERAGE,
    QuestionWord,
    bears_answer,
    may_relax,
    measure_evidence,
)
from tests.index.answer.titled_archive import titled_archive

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def word(text: str, weight: float = 1.0, *, known: bool = True, name: bool = False):
    return QuestionWord(
        text=text,
        terms=frozenset({text.lower()}),
        weight=weight,
        known=known,
        is_date=False,
        is_name=name,
    )


def test_the_thresholds_are_ordered() -> None:
    assert 0 < RELAXED_COVERAGE < MIN_COVERAGE
    assert MAX_UNKNOWN_WHEN_RELAXED >= 0


def test_the_snippet_itself_must_carry_the_relaxed_share() -> None:
    words = (
        word("Kelvora", name=True),
        *(word(w) for w in ("bridge", "reopen", "heavy", "lorries", "repairs")),
    )
    passage = measure_evidence(words, {"kelvora", "bridge"})
    assert not passage.enough  # a third of the weight
    assert bears_answer(words, passage, {"kelvora", "bridge"}, typed=True)
    # The title matched the name, but the snippet's own sentence holds one word of six.
    assert not bears_answer(words, passage, {"bridge"}, typed=True)


def test_an_untyped_snippet_or_an_unmatched_name_bears_no_answer() -> None:
    words = (word("Kelvora", name=True), word("Dastrel", name=True), word("bridge"))
    passage = measure_evidence(words, {"kelvora", "bridge"})
    assert not bears_answer(words, passage, {"kelvora", "bridge"}, typed=True)  # no Dastrel
    both = measure_evidence(words, {"kelvora", "dastrel", "bridge"})
    assert bears_answer(words, both, {"kelvora", "dastrel"}, typed=True)
    assert not bears_answer(words, both, {"kelvora", "dastrel"}, typed=False)


def test_a_question_with_unknown_words_is_not_relaxed() -> None:
    known = [word(w) for w in ("bridge", "reopen", "heavy", "lorries")][:MIN_KNOWN_FOR_DISCOUNT]
    unknown = [word(f"zq{i}", known=False) for i in range(MAX_UNKNOWN_WHEN_RELAXED + 1)]
    assert may_relax(known[:1])
    assert may_relax(known + unknown[:MAX_UNKNOWN_WHEN_RELAXED])
    assert not may_relax(known + unknown)
    # Beside fewer known words the unknown one is the topic ("the mayor of Kyiv").
    assert not may_relax(known[:-1] + unknown[:1])


DOCS = [
    (
        "Kelvora bridge",
        "Traffic over the Kelvora bridge resumed on 12 March 2024, the council said. "
        "The crossing had been closed since the autumn storms.",
    ),
    ("Museum", "The city museum will reopen in June after repairs to its roof and halls."),
    ("Old town", "Heavy lorries are banned from the old town centre from Monday."),
    ("Dastrel", "Dastrel council approved a new budget for schools and parks."),
    ("Harbour", "The harbour in Odesa unloaded grain from three ships."),
    ("Zoo", "A zoo in Lviv welcomed two bear cubs rescued near the front line."),
    ("Train", "A night train links Kyiv and Chernivtsi for the summer season."),
    ("Harvest", "Farmers near Poltava gathered a record wheat harvest."),
    ("Theatre", "A theatre in Kharkiv opened its season with a new comedy."),
    ("Weather", "Forecasters expect a warm week without rain in the south."),
    ("Football", "A team from Lviv won the regional football cup on penalties."),
    ("Metro", "Engineers tested signals on the new line of the city tramway."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    with titled_archive(tmp_path_factory.mktemp("bearing"), DOCS) as opened:
        yield opened


QUESTION = "When did the Kelvora bridge reopen to heavy lorries after repairs?"


def test_a_paraphrased_question_is_answered_by_the_sentence_that_bears_the_date(
    archive: Archive,
) -> None:
    answer = archive.ask(QUESTION, now=NOW)
    assert answer.found
    first = answer.articles[0]
    assert first.citation.title == "Kelvora bridge"
    assert "12 March 2024" in first.snippets[0].text
    # Only the Kelvora article names Kelvora: the museum's "reopen ... repairs" is not shown.
    assert [a.citation.title for a in answer.articles] == ["Kelvora bridge"]


def test_without_the_tier_the_same_question_is_nothing_found(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assemble, "may_relax", lambda words: False)
    assert not archive.ask(QUESTION, now=NOW).found


@pytest.mark.parametrize(
    "question",
    [
        # Two words the archive never saw ("trams", "flooding"): the topic is missing.
        "When did the Kelvora bridge reopen to heavy trams after flooding?",
        # A name the Kelvora article does not hold.
        "When did the Kelvora bridge near Dastrel reopen after repairs?",
        # "Who" asks for a name the sentence does not give.
        "Who reopened the Kelvora bridge to heavy lorries after repairs?",
    ],
)
def test_weak_evidence_without_the_answer_stays_nothing_found(
    archive: Archive, question: str
) -> None:
    assert not archive.ask(question, now=NOW).found
