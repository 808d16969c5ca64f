"""Questions with a period on the sample corpus: relaxed with a note, or period-only listings.

The sample's articles are dated 2022-06-23..2024-08-12; July 2024 holds two (11 and 8 July),
the Kakhovka dam article is of 6 June 2023. Periods resolve against a fixed ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from index import Answer, Archive, IndexSettings, open_archive
from index.answer.assemble import NO_TERMS_REASON
from index.answer.period_answers import describe_period
from tests.conftest import SAMPLE_DIR

NOW = datetime(2024, 8, 14, 12, 0, tzinfo=UTC)
JULY_2024 = [date(2024, 7, 11), date(2024, 7, 8)]


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    if not (SAMPLE_DIR / "README.md").exists():
        pytest.skip(f"sample corpus not present: {SAMPLE_DIR}")
    data_dir = tmp_path_factory.mktemp("periods") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(SAMPLE_DIR)])
        assert report.failed == (), report.failed
        yield archive


def ask(archive: Archive, question: str, **kwargs: int) -> Answer:
    return archive.ask(question, now=NOW, **kwargs)


def days(answer: Answer) -> list[date]:
    return [a.citation.published_at.date() for a in answer.articles if a.citation.published_at]


@pytest.mark.parametrize(
    ("first", "last", "phrase"),
    [
        (date(2024, 7, 1), date(2024, 7, 31), "in July 2024"),
        (date(2024, 2, 1), date(2024, 2, 29), "in February 2024"),
        (date(2024, 2, 1), date(2024, 2, 28), "from 1 to 28 February 2024"),
        (date(2021, 1, 1), date(2021, 12, 31), "in 2021"),
        (date(2024, 8, 14), date(2024, 8, 14), "on 14 August 2024"),
        (date(2024, 7, 29), date(2024, 8, 4), "from 29 July to 4 August 2024"),
        (date(2023, 12, 30), date(2024, 1, 5), "from 30 December 2023 to 5 January 2024"),
    ],
)
def test_describe_period_reads_whole_months_and_years_as_such(first, last, phrase):
    assert describe_period(first, last) == phrase


def test_relaxed_period_is_said_in_the_note(sample_archive):
    answer = ask(sample_archive, "Kakhovka dam in July 2024")
    assert answer.found and answer.reason is None
    assert "Kakhovka" in answer.articles[0].citation.title
    assert days(answer)[0] == date(2023, 6, 6)
    assert answer.note is not None
    assert answer.note.startswith("Nothing published in July 2024 matches the question")
    assert "other dates" in answer.note


def test_period_that_matches_carries_no_note(sample_archive):
    answer = ask(sample_archive, "Kakhovka dam in June 2023")
    assert answer.found and answer.note is None
    assert days(answer)[0] == date(2023, 6, 6)
    assert ask(sample_archive, "Kakhovka dam").note is None


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("What happened in July 2024?", "Articles published in July 2024, newest first."),
        ("Що сталося у липні 2024?", "Статті, опубліковані у липні 2024 року, спершу найновіші."),
        (
            "Что случилось в июле 2024?",
            "Статьи, опубликованные в июле 2024 года, сначала самые новые.",
        ),
    ],
    ids=["en", "uk", "ru"],
)
def test_period_only_question_lists_the_window_newest_first(sample_archive, question, note):
    answer = ask(sample_archive, question)
    assert answer.found and answer.reason is None
    assert answer.note == note
    assert days(answer) == JULY_2024
    for item in answer.articles:
        (lead,) = item.snippets
        first = sample_archive.get_passages(item.citation.article_id)[0]
        assert lead.passage_id == first.passage_id and lead.passage_ordinal == first.ordinal
        assert first.text.startswith(lead.text)
        rest = first.text[len(lead.text) :]
        assert rest == "" or rest[0].isspace()  # whole sentences
        assert lead.text.rstrip()[-1] in '.!?»"”'
        assert item.citation.title and item.citation.source


def test_period_only_question_relative_to_now(sample_archive):
    answer = ask(sample_archive, "What happened last week?")
    assert answer.found
    assert days(answer) == [date(2024, 8, 12)]
    assert "Kursk" in answer.articles[0].citation.title
    assert answer.note is not None and "August 2024" in answer.note
    assert "Kursk" in answer.articles[0].snippets[0].text


def test_period_only_question_pages_with_offset(sample_archive):
    assert days(ask(sample_archive, "What happened in July 2024?", k=1)) == JULY_2024[:1]
    second = ask(sample_archive, "What happened in July 2024?", k=1, offset=1)
    assert days(second) == JULY_2024[1:]
    beyond = ask(sample_archive, "What happened in July 2024?", k=1, offset=2)
    assert beyond.found and beyond.articles == ()


def test_empty_window_names_it_and_the_archive_coverage(sample_archive):
    answer = ask(sample_archive, "What happened in 2021?")
    assert not answer.found and answer.articles == ()
    assert answer.reason is not None
    assert "in 2021" in answer.reason
    assert "23 June 2022" in answer.reason and "12 August 2024" in answer.reason


def test_no_words_and_no_period_still_says_so(sample_archive):
    answer = ask(sample_archive, "What happened?")
    assert not answer.found and answer.reason == NO_TERMS_REASON
