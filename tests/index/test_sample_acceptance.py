"""Issue 3, acceptance on the bundled sample corpus, with our own questions in en/uk/ru.

The same behaviour as on the seed: a dated question finds the dated Background bullet (also
across languages and scripts), a question about a page's unrelated headlines finds nothing.
Asserted with keywords, never with copied sentences.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from index import Answer, Archive, IndexSettings, open_archive
from tests.conftest import SAMPLE_DIR

ASKED_AT = datetime(2024, 8, 20, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    if not (SAMPLE_DIR / "README.md").exists():
        pytest.skip(f"sample corpus not present: {SAMPLE_DIR}")
    data_dir = tmp_path_factory.mktemp("sample") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(SAMPLE_DIR)])
        assert report.failed == (), report.failed
        yield archive


def ask(archive: Archive, question: str) -> Answer:
    return archive.ask(question, now=ASKED_AT)


@pytest.mark.parametrize(
    "question",
    [
        "What did Putin say on 7 August?",
        "Що сказав Путін 7 серпня?",
        "Что сказал Путин 7 августа?",
    ],
    ids=["en", "uk", "ru"],
)
def test_dated_question_finds_the_dated_bullet_in_any_language(sample_archive, question):
    answer = ask(sample_archive, question)
    assert answer.found
    top = answer.articles[0]
    text = top.snippets[0].text
    assert "Putin" in text and "7 August" in text and "provocation" in text
    assert "9 August" not in text and "10 August" not in text
    assert "Kursk" in top.citation.title and "Syrskyi" in top.citation.title
    assert top.citation.published_at is not None
    assert top.citation.published_at.date() == date(2024, 8, 12)
    assert top.citation.author is not None and "havrylenko" in top.citation.author.casefold()


@pytest.mark.parametrize(
    "question",
    ["What did Blinken say about F-16 on 10 July?", "Що повідомив Блінкен 10 липня?"],
    ids=["en", "uk"],
)
def test_name_in_another_script_finds_the_bullet(sample_archive, question):
    answer = ask(sample_archive, question)
    assert answer.found
    text = answer.articles[0].snippets[0].text
    assert "Блінкен" in text and "10 липня" in text and "F-16" in text


def test_highlights_point_at_matched_words(sample_archive):
    snippet = ask(sample_archive, "What did Putin say on 7 August?").articles[0].snippets[0]
    marked = [snippet.text[start:end] for start, end in snippet.highlights]
    assert "Putin" in marked
    assert any("7 August" in m for m in marked)


@pytest.mark.parametrize(
    "question",
    [
        "Did the Ukrainian women's team reach the chess Olympiad semi-final?",
        "Скільки левенят прихистив Львівський зоопарк?",
        "Сколько стоит гречка в магазинах Днепра?",
    ],
    ids=["en", "uk", "ru"],
)
def test_unrelated_headline_questions_find_nothing(sample_archive, question):
    answer = ask(sample_archive, question)
    assert not answer.found
    assert answer.articles == ()
