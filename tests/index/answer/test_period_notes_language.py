"""Period notes in the question's language: en, uk and ru, through ``Archive.ask`` and the CLI.

The archive is the small CLI corpus (6 articles, 2024-06-12..2024-09-18 in three languages);
periods resolve against a fixed ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.period_answers import describe_period, format_day, relaxed_note
from tests.cli.corpus import write_corpus

NOW = datetime(2024, 9, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("period-notes")
    corpus = write_corpus(root / "corpus")
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as archive:
        report = archive.ingest([str(corpus)])
        assert report.failed == (), report.failed
        yield archive


@pytest.mark.parametrize(
    ("first", "last", "language", "phrase"),
    [
        (date(2024, 7, 14), date(2024, 7, 14), "uk", "14 липня 2024"),
        (date(2024, 7, 14), date(2024, 7, 14), "ru", "14 июля 2024"),
        (date(2024, 7, 1), date(2024, 7, 31), "uk", "у липні 2024 року"),
        (date(2024, 7, 1), date(2024, 7, 31), "ru", "в июле 2024 года"),
        (date(2024, 5, 1), date(2024, 5, 31), "ru", "в мае 2024 года"),
        (date(2024, 11, 1), date(2024, 11, 30), "uk", "у листопаді 2024 року"),
        (date(2021, 1, 1), date(2021, 12, 31), "uk", "у 2021 році"),
        (date(2021, 1, 1), date(2021, 12, 31), "ru", "в 2021 году"),
        (date(2024, 8, 5), date(2024, 8, 14), "uk", "з 5 по 14 серпня 2024"),
        (date(2024, 8, 5), date(2024, 8, 14), "ru", "с 5 по 14 августа 2024"),
        (date(2024, 8, 2), date(2024, 8, 9), "ru", "со 2 по 9 августа 2024"),
        (date(2024, 7, 29), date(2024, 8, 4), "uk", "з 29 липня по 4 серпня 2024"),
        (date(2023, 12, 30), date(2024, 1, 5), "ru", "с 30 декабря 2023 по 5 января 2024"),
        (date(2024, 7, 14), date(2024, 7, 14), "en", "on 14 July 2024"),
    ],
)
def test_describe_period_speaks_the_questions_language(first, last, language, phrase):
    assert describe_period(first, last, language) == phrase


def test_dates_are_written_naturally_per_language():
    day = date(2024, 2, 29)
    assert [format_day(day, lang) for lang in ("en", "uk", "ru")] == [
        "29 February 2024",
        "29 лютого 2024",
        "29 февраля 2024",
    ]


def test_relaxed_note_defaults_to_english_for_an_unknown_language():
    period = (date(2024, 7, 1), date(2024, 7, 31))
    assert relaxed_note(period, "de").startswith("Nothing published in July 2024")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "language", "note_start", "title"),
    [
        (
            "What did Marchenko say about the budget in March 2021?",
            "en",
            "Nothing published in March 2021 matches the question",
            "Parliament passes the 2025 budget",
        ),
        (
            "Що сказав Терехов про станцію метро у березні 2021?",
            "uk",
            "Серед статей, опублікованих у березні 2021 року, немає відповіді на питання",
            "У Харкові відкрили нову станцію метро",
        ),
        (
            "Что сказал Филатов о ремонте моста в марте 2021?",
            "ru",
            "Среди статей, опубликованных в марте 2021 года, нет ответа на вопрос",
            "В Днепре завершили ремонт моста через реку",
        ),
    ],
    ids=["en", "uk", "ru"],
)
def test_relaxed_period_note_is_in_the_questions_language(
    small_archive, question, language, note_start, title
):
    answer = small_archive.ask(question, now=NOW)
    assert answer.found and answer.language == language
    assert answer.articles[0].citation.title == title
    assert answer.note is not None and answer.note.startswith(note_start), answer.note


@pytest.mark.parametrize(
    ("question", "note", "days"),
    [
        (
            "What happened in June 2024?",
            "Articles published in June 2024, newest first.",
            [date(2024, 6, 12)],
        ),
        (
            "Що сталося у серпні 2024?",
            "Статті, опубліковані у серпні 2024 року, спершу найновіші.",
            [date(2024, 8, 20), date(2024, 8, 2)],
        ),
        (
            "Что случилось в сентябре 2024?",
            "Статьи, опубликованные в сентябре 2024 года, сначала самые новые.",
            [date(2024, 9, 18)],
        ),
    ],
    ids=["en", "uk", "ru"],
)
def test_period_listing_note_is_in_the_questions_language(small_archive, question, note, days):
    answer = small_archive.ask(question, now=NOW)
    assert answer.found and answer.note == note
    assert [a.citation.published_at.date() for a in answer.articles] == days


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What happened in 2021?", ["in 2021", "12 June 2024", "18 September 2024"]),
        ("Що сталося у 2021 році?", ["у 2021 році", "з 12 червня 2024 по 18 вересня 2024"]),
        ("Что случилось в 2021 году?", ["в 2021 году", "с 12 июня 2024 по 18 сентября 2024"]),
    ],
    ids=["en", "uk", "ru"],
)
def test_empty_window_reason_is_in_the_questions_language(small_archive, question, expected):
    answer = small_archive.ask(question, now=NOW)
    assert not answer.found and answer.reason is not None
    for part in expected:
        assert part in answer.reason, answer.reason
