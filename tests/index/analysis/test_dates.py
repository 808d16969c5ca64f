"""Date candidates, resolution against the publication date, and question periods."""

from __future__ import annotations

from datetime import date

import pytest

from index.analysis.dates import date_terms, find_dates, parse_numeric_date, resolve_year

PUBLISHED = date(2024, 8, 4)  # a Sunday


def _terms(text: str, published: date | None = PUBLISHED) -> list[tuple[str, ...]]:
    return [mention.terms for mention in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("On 14 July, NATO said", "2024-07-14", id="day-month"),
        pytest.param("on 10 July", "2024-07-10", id="day-month-lower"),
        pytest.param("July 14th", "2024-07-14", id="month-day-ordinal"),
        pytest.param("the 14th of July", "2024-07-14", id="day-of-month"),
        pytest.param("14 липня", "2024-07-14", id="uk-genitive"),
        pytest.param("14 июля", "2024-07-14", id="ru-genitive"),
        pytest.param("14-го липня", "2024-07-14", id="uk-ordinal"),
        pytest.param("14 July 2023", "2023-07-14", id="explicit-year"),
        pytest.param("May 5, 2024", "2024-05-05", id="month-day-comma-year"),
        pytest.param("14 июля 2023 года", "2023-07-14", id="ru-year-word"),
        pytest.param("14.07.2024", "2024-07-14", id="dotted"),
        pytest.param("2024-07-14", "2024-07-14", id="iso"),
        pytest.param("14/07/2024", "2024-07-14", id="slashed-day-first"),
        pytest.param("07/14/2024", "2024-07-14", id="slashed-month-first-only-valid"),
        pytest.param("Aug. 3", "2024-08-03", id="abbreviation"),
        pytest.param("on 10 August", "2024-08-10", id="near-future-same-year"),
        pytest.param("on 20 December", "2023-12-20", id="far-future-means-last-year"),
        pytest.param("yesterday he said", "2024-08-03", id="yesterday"),
        pytest.param("вчора", "2024-08-03", id="uk-yesterday"),
        pytest.param("сегодня", "2024-08-04", id="ru-today"),
        pytest.param("on Monday", "2024-07-29", id="weekday-before"),
        pytest.param("on Sunday", "2024-08-04", id="weekday-same-day"),
        pytest.param("у п’ятницю", "2024-08-02", id="uk-weekday-apostrophe"),
        pytest.param("в среду", "2024-07-31", id="ru-weekday"),
    ],
)
def test_dates_are_found_and_resolved(text: str, expected: str) -> None:
    _year, month, day = expected.split("-")
    assert _terms(text) == [(f"@d{expected}", f"@m{month}-{day}")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("we will see", id="we-is-not-wednesday"),
        pytest.param("we may see more attacks", id="may-verb"),
        pytest.param("they may 5 times", id="may-lowercase-before-number"),
        pytest.param("protesters march on the capital", id="march-verb"),
        pytest.param("1 of 14 drones", id="one-of-fourteen"),
        pytest.param("call +380 44 123-45-67", id="phone"),
        pytest.param("the score was 3-1", id="score"),
        pytest.param("31 February", id="invalid-day"),
        pytest.param("version 1.14.2024", id="version-number"),
        pytest.param("at 14:30", id="time"),
        pytest.param("Sat and Sun", id="weekday-abbreviations"),
        pytest.param("8,000 targets", id="thousands"),
        pytest.param("защита окружающей среды", id="ru-environment-not-wednesday"),
        pytest.param("2024 Olympic Games", id="bare-year"),
    ],
)
def test_no_false_dates(text: str) -> None:
    assert _terms(text) == []


@pytest.mark.parametrize(
    "text", ["14-15 July", "14 and 15 July", "з 14 по 15 липня", "14–15 июля"]
)
def test_day_ranges_give_both_days(text: str) -> None:
    (terms,) = _terms(text)
    assert terms == ("@d2024-07-14", "@m07-14", "@d2024-07-15", "@m07-15")


def test_relative_words_need_a_publication_date() -> None:
    assert _terms("yesterday", None) == []
    assert _terms("on 14 July", None) == [("@m07-14",)]


def test_same_day_in_every_language_gives_the_same_terms() -> None:
    texts = ["on 14 July", "July 14th", "14 липня", "14 июля", "14th of July"]
    assert len({tuple(_terms(text)) for text in texts}) == 1


def test_resolve_year_prefers_recent_past_with_tolerance() -> None:
    assert resolve_year(7, 14, PUBLISHED) == 2024
    assert resolve_year(8, 15, PUBLISHED) == 2024
    assert resolve_year(9, 1, PUBLISHED) == 2023
    assert resolve_year(2, 29, date(2025, 3, 1)) == 2024


def test_date_terms_scheme() -> None:
    assert date_terms(7, 14, 2024) == ("@d2024-07-14", "@m07-14")
    assert date_terms(7, 14, None) == ("@m07-14",)
    assert parse_numeric_date("2024-02-30") is None


def test_spans_point_at_the_date_words() -> None:
    text = "Background: On 14 July, NATO"
    (mention,) = find_dates(text, PUBLISHED)
    assert text[mention.start : mention.end] == "14 July"
