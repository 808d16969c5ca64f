"""A year the question's period names chooses the sentence (``index.answer.year_words``).

"What did Newcastle University win in 2000?" reads "in 2000" as the question's period and
drops it from the search terms. An undated paragraph then answers, and the sentence that
names the year ("In 2000 Newcastle University received ...") repeats no more of the
question's other words than an earlier one, which won the tie: the year is given back to
sentence choice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.year_words import year_words

NOW = datetime(2024, 7, 11, 18, 0, tzinfo=UTC)
FILLER = (
    "The city has a long tradition of shipbuilding, coal mining and engineering, and its "
    "quayside, bridges and old market streets draw visitors from across the north of the "
    "country throughout the year."
)
PARAGRAPH = (
    "Newcastle University traces its origins to a school of medicine and surgery founded in "
    "1834, and Newcastle University became an independent institution in 1963, when the "
    "medical college and the college of science were joined by an act of parliament. "
    f"{FILLER} "
    "In 2000 Newcastle University received the award of university of the year from a "
    "national newspaper "
    "after a survey of teaching quality, research ratings, graduate employment and student "
    "satisfaction across all institutions. "
    f"{FILLER}"
)
OTHER = [
    "A chess club in Dnipro hosted a youth tournament with players from nine regions.",
    "Farmers near Poltava reported a record wheat harvest after a wet spring.",
    "A night train linked Kyiv and Chernivtsi for the summer season.",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("years")
    corpus = root / "paragraphs.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"title": "", "text": text}) for text in [PARAGRAPH, *OTHER]),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_the_sentence_naming_the_asked_year_is_shown_first(archive: Archive) -> None:
    answer = archive.ask("What did Newcastle University get in 2000?", now=NOW)
    assert answer.found
    assert answer.articles[0].snippets[0].text.startswith("In 2000 Newcastle University received")


def test_without_the_year_the_sentence_with_more_question_words_is_shown(
    archive: Archive,
) -> None:
    answer = archive.ask("What did Newcastle University get?", now=NOW)
    assert answer.articles[0].snippets[0].text.startswith("Newcastle University traces")


class _Index:
    """The two things ``year_words`` asks of an index."""

    n_docs = 100

    def document_frequency(self, term: str) -> int:
        return {"2000": 3, "1999": 0}.get(term, 10)


def test_only_years_of_the_period_that_the_index_holds_become_words() -> None:
    period = (date(2000, 1, 1), date(2000, 12, 31))
    words = year_words("Who won in 2000 and 2000, not 1999?", period, (), _Index())
    assert [(w.text, sorted(w.terms)) for w in words] == [("2000", ["2000"])]
    assert words[0].weight > 0 and words[0].known and not words[0].is_name


def test_no_period_or_a_year_already_searched_gives_no_word() -> None:
    period = (date(2000, 1, 1), date(2000, 12, 31))
    assert year_words("Who won in 2000?", None, (), _Index()) == ()
    assert year_words("Who won the 2000 cup in 2000?", period, ("2000",), _Index()) == ()
    assert year_words("What happened in 2001?", period, (), _Index()) == ()


def test_the_score_ceiling_counts_a_year_word_the_index_terms_cannot_show() -> None:
    """The passages' held terms are the question's terms only, so they never show the year:
    the ceiling must count it as matched to stay a bound (``SnippetCues.unindexed``)."""
    from index.answer.evidence import QuestionWord
    from index.answer.snippets import SnippetCues, snippet_score_ceiling

    def word(text: str, weight: float) -> QuestionWord:
        return QuestionWord(text, frozenset((text,)), weight, True, False, False)

    words = (word("university", 2.0), word("2000", 2.0))
    held = frozenset(("university",))
    bounded = SnippetCues(words=words, question_terms=frozenset(), unindexed=frozenset((1,)))
    blind = SnippetCues(words=words, question_terms=frozenset())
    assert snippet_score_ceiling(bounded, held, in_lead=False) == 1.0
    assert snippet_score_ceiling(blind, held, in_lead=False) == 0.5
