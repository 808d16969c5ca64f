"""Questions with a period on the sample corpus: relaxed with a note, or period-only listings.

The sample's articles are dated 2022-06-23..2024-08-12; July 2024 holds two (11 and 8 July),
the Kakhovka dam article is of 6 June 2023. Periods resolve against a fixed ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from index import Answer, Archive, IndexSettings, open_archive
from index.answer.period_answers import describe_period
from tests.conftest import SAMPLE_DIR

NOW = datetime(2024, 8, 14, 12, 0, tzinfo=UTC)


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
