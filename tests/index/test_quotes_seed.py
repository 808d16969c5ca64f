"""Issue 14, seed acceptance (../shared/data/seed/, skipped when absent): who said what."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from index import Archive

ASKED_AT = datetime(2024, 8, 10, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["Stoltenberg", "Столтенберг"])
def test_stoltenberg_is_the_14_july_reported_statement(seed_archive: Archive, name: str):
    (quote,) = seed_archive.quotes(name)
    assert quote.speaker == "Jens Stoltenberg"
    assert quote.said_on == date(2024, 7, 14) and quote.date_source == "text"
    assert quote.kind == "reported"
    assert "opposed" in quote.text and "Poland" in quote.text and "missiles" in quote.text


def test_tusk_is_the_8_july_statement(seed_archive: Archive) -> None:
    quotes = seed_archive.quotes("Tusk")
    assert quotes and all(q.speaker == "Donald Tusk" for q in quotes)
    assert quotes[0].said_on == date(2024, 7, 8)
    assert "discussion with NATO allies" in quotes[0].text


def test_zelenskyy_has_his_two_quotes(seed_archive: Archive) -> None:
    quotes = seed_archive.quotes("Zelenskyy")
    assert len(quotes) == 2
    assert {q.kind for q in quotes} == {"direct"}
    assert any("technological feasibility" in q.text for q in quotes)
    assert any("small coalition" in q.text for q in quotes)


@pytest.mark.parametrize(
    "question",
    [
        "what did Stoltenberg say on 14 July",
        "Що сказав Столтенберг 14 липня?",
        "Что сказал Столтенберг 14 июля?",
    ],
    ids=["en", "uk", "ru"],
)
def test_stoltenberg_on_14_july_answers_through_statements(seed_archive: Archive, question):
    answer = seed_archive.ask(question, now=ASKED_AT)
    assert answer.found and answer.note and "Jens Stoltenberg" in answer.note
    (item,) = answer.articles
    text = item.snippets[0].text
    assert "opposed" in text and "14 July" in text and "Tusk" not in text
