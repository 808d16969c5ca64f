"""A period in a question ("this week", "recently", "in June") prefers, never filters.

Issue 11: the asking time is the message date in the bot, ``now`` in the eval and the clock
in the CLI; articles published in the period the question names rank first, and articles of
other dates that match still appear beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index import Answer, Archive, IndexSettings, open_archive

NOW = datetime(2024, 7, 11, 18, 0, tzinfo=UTC)  # a Thursday
DOCS = [
    # The best match for the words, published in March.
    (
        "Odesa harbour bridge reopens",
        "The harbour bridge in Odesa reopened after repairs. The harbour bridge carries trams "
        "across the port.",
        "2024-03-01",
    ),
    # A weaker match, published this week.
    ("Night closure in Odesa", "The harbour bridge closed for one night in Odesa.", "2024-07-10"),
    ("Museum", "The city museum in Lviv showed Bronze Age tools.", "2024-07-02"),
    ("Harvest", "Farmers near Poltava reported a record wheat harvest.", "2024-06-20"),
    ("Rail", "A night train linked Kyiv and Chernivtsi for the summer.", "2024-05-09"),
    ("Chess", "A chess club in Dnipro hosted a youth tournament.", "2024-04-18"),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("preference")
    corpus = root / "news.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": t, "text": x, "published": f"{d}T09:00:00+00:00"})
            for t, x, d in DOCS
        ),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def days(answer: Answer) -> list[date]:
    return [a.citation.published_at.date() for a in answer.articles if a.citation.published_at]


def test_without_a_period_the_best_match_comes_first(archive: Archive) -> None:
    answer = archive.ask("What happened to the harbour bridge in Odesa?", now=NOW)
    assert days(answer)[:2] == [date(2024, 3, 1), date(2024, 7, 10)]


@pytest.mark.parametrize(
    "question",
    [
        "What happened to the harbour bridge in Odesa this week?",
        "What happened to the harbour bridge in Odesa recently?",
        "What happened to the harbour bridge in Odesa in July?",
        "What happened to the harbour bridge in Odesa yesterday?",
    ],
)
def test_a_period_puts_its_articles_first_and_keeps_the_others(
    archive: Archive, question: str
) -> None:
    answer = archive.ask(question, now=NOW)
    assert answer.found and answer.note is None
    # Preferred, not filtered: the March article is still an answer, after this week's.
    assert days(answer)[:2] == [date(2024, 7, 10), date(2024, 3, 1)]


def test_the_period_is_relative_to_the_asking_time(archive: Archive) -> None:
    question = "What happened to the harbour bridge in Odesa this week?"
    early_march = datetime(2024, 3, 2, 12, 0, tzinfo=UTC)
    assert days(archive.ask(question, now=early_march))[0] == date(2024, 3, 1)


# The same story twice, neither published this week: one names this week's day in its text.
DATED_IN_TEXT = [
    (
        "Odesa harbour bridge reopens",
        "The harbour bridge in Odesa reopened after repairs. The harbour bridge carries trams "
        "across the port.",
        "2024-03-01",
    ),
    (
        "Odesa weekly digest",
        "On 10 July 2024 the harbour bridge in Odesa closed for one night.",
        "2024-01-05",
    ),
    *DOCS[2:],
]


@pytest.fixture(scope="module")
def dated_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("dated-in-text")
    corpus = root / "news.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": t, "text": x, "published": f"{d}T09:00:00+00:00"})
            for t, x, d in DATED_IN_TEXT
        ),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_a_day_of_the_period_named_in_the_text_counts_as_in_it(dated_archive: Archive) -> None:
    plain = dated_archive.ask("What happened to the harbour bridge in Odesa?", now=NOW)
    assert plain.articles[0].citation.title == "Odesa harbour bridge reopens"
    answer = dated_archive.ask("What happened to the harbour bridge in Odesa this week?", now=NOW)
    assert answer.articles[0].citation.title == "Odesa weekly digest"
    assert answer.note is None
