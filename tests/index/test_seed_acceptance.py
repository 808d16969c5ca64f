"""Issue 3, acceptance on the seed page (../shared/data/seed/, skipped when absent).

Asserted with keywords of the expected passage and citation, never with copied sentences.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from index import Answer, Archive

ASKED_AT = datetime(2024, 8, 10, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.slow


def ask(archive: Archive, question: str) -> Answer:
    return archive.ask(question, now=ASKED_AT)


def assert_cited_to_seed_article(answer: Answer) -> None:
    citation = answer.articles[0].citation
    title = citation.title.casefold()
    assert "zelenskyy" in title and "coalition" in title and "missiles" in title
    assert citation.published_at is not None
    assert citation.published_at.date() == date(2024, 8, 4)
    assert citation.author is not None and "tyshchenko" in citation.author.casefold()


def assert_is_stoltenberg_bullet(text: str) -> None:
    assert "Stoltenberg" in text
    assert "14 July" in text
    assert "air defence" in text
    assert "Tusk" not in text and "10 July" not in text


def test_stoltenberg_on_14_july_is_the_14_july_bullet(seed_archive: Archive) -> None:
    answer = ask(seed_archive, "what did Stoltenberg say on 14 July")
    assert answer.found
    assert_is_stoltenberg_bullet(answer.articles[0].snippets[0].text)
    assert_cited_to_seed_article(answer)


def test_tusk_on_russian_missiles_is_the_8_july_bullet(seed_archive: Archive) -> None:
    answer = ask(seed_archive, "What did Tusk say about Russian missiles?")
    assert answer.found
    top = answer.articles[0].snippets[0].text
    assert "Tusk" in top and "8 July" in top and "missiles" in top
    assert "Stoltenberg" not in top
    assert_cited_to_seed_article(answer)


def test_ukrainian_question_finds_the_english_stoltenberg_bullet(seed_archive: Archive) -> None:
    answer = ask(seed_archive, "Що сказав Столтенберг 14 липня?")
    assert answer.found
    assert_is_stoltenberg_bullet(answer.articles[0].snippets[0].text)
    assert_cited_to_seed_article(answer)


def test_highlights_mark_the_matched_name_and_date(seed_archive: Archive) -> None:
    snippet = ask(seed_archive, "what did Stoltenberg say on 14 July").articles[0].snippets[0]
    marked = [snippet.text[start:end] for start, end in snippet.highlights]
    assert "Stoltenberg" in marked
    assert any("14 July" in m for m in marked)


@pytest.mark.parametrize(
    "question",
    [
        "Is Russia going to block WhatsApp?",
        "Що відомо про блокування WhatsApp у Росії?",
        "Когда в России заблокируют WhatsApp?",
    ],
    ids=["en", "uk", "ru"],
)
def test_unrelated_headline_question_is_nothing_found(seed_archive: Archive, question: str):
    answer = ask(seed_archive, question)
    assert not answer.found
    assert answer.articles == ()
    assert answer.reason
