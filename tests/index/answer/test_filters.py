"""The filter words' syntax and checks (``index.answer.filters``), without an archive."""

from __future__ import annotations

from datetime import date

import pytest

from index.answer.filters import (
    closest_outlets,
    parse_question,
    split_filters,
)
from index.errors import FilterError, QuestionError
from index.models import QuestionFilters

OUTLETS = ["BBC News", "Kyiv Independent", "Kyiv Post", "Українська правда"]


def test_a_question_without_filters_is_left_as_is() -> None:
    split = split_filters("What did Zelensky say: since when?")
    assert split.words == () and split.text == "What did Zelensky say: since when?"
    parsed = parse_question("Kakhovka dam", OUTLETS)
    assert parsed.text == "Kakhovka dam" and parsed.filters == QuestionFilters()
    assert not parsed.filters


def test_filter_words_are_cut_out_wherever_they_are() -> None:
    parsed = parse_question(
        'from:"Kyiv Independent" Kakhovka SINCE:2023-06-01 dam until:2023-06-30 lang:EN?',
        OUTLETS,
    )
    assert parsed.text == "Kakhovka dam"
    assert parsed.filters == QuestionFilters(
        outlets=("Kyiv Independent",),
        since=date(2023, 6, 1),
        until=date(2023, 6, 30),
        languages=("en",),
    )


@pytest.mark.parametrize(
    ("word", "outlets"),
    [
        ("from:kyiv", ("Kyiv Independent", "Kyiv Post")),  # a prefix: every outlet it starts
        ("from:KYIV-POST", None),  # hyphen is not a space: no match (checked below)
        ('from:"kyiv  post"', ("Kyiv Post",)),  # case and runs of spaces do not matter
        ("from:“Kyiv Post”", ("Kyiv Post",)),  # typographic quotes, as phones type them
        ("from:«Українська правда»", ("Українська правда",)),
        ("from:bbc from:укр", ("BBC News", "Українська правда")),  # several: any of them
    ],
)
def test_from_matches_outlet_names_by_prefix(word: str, outlets: tuple[str, ...] | None) -> None:
    if outlets is None:
        with pytest.raises(FilterError):
            parse_question(f"dam {word}", OUTLETS)
        return
    assert parse_question(f"dam {word}", OUTLETS).filters.outlets == outlets


def test_an_unknown_outlet_names_the_closest_ones() -> None:
    with pytest.raises(FilterError) as caught:
        parse_question("Kakhovka dam from:kyev", OUTLETS)
    assert caught.value.item == "from:kyev"
    assert "Kyiv Independent" in caught.value.reason and "Kyiv Post" in caught.value.reason
    assert closest_outlets("kyev indep", OUTLETS)[0] == "Kyiv Independent"
    assert closest_outlets("BCC", OUTLETS)[0] == "BBC News"


def test_reasons_are_in_the_questions_language() -> None:
    with pytest.raises(FilterError) as uk:
        parse_question("Каховська ГЕС from:укрправда", OUTLETS)
    assert "найближчі" in uk.value.reason and "Українська правда" in uk.value.reason
    with pytest.raises(FilterError) as ru:
        parse_question("Каховская ГЭС since:2024-13-01", OUTLETS)
    assert ru.value.item == "since:2024-13-01" and "ГГГГ-ММ-ДД" in ru.value.reason


@pytest.mark.parametrize(
    ("question", "item", "says"),
    [
        ("dam since:2024-13-01", "since:2024-13-01", "YYYY-MM-DD"),
        ("dam until:2024-02-30", "until:2024-02-30", "YYYY-MM-DD"),
        ("dam since:yesterday", "since:yesterday", "YYYY-MM-DD"),
        ("dam since:2024-06-02 until:2024-06-01", "since:2024-06-02 until:2024-06-01", "later"),
        ("dam lang:de", "lang:de", "uk, ru or en"),
        ("dam from:", "from:", "needs a value"),
    ],
)
def test_bad_filters_get_a_clear_reason_naming_the_filter(
    question: str, item: str, says: str
) -> None:
    with pytest.raises(FilterError) as caught:
        parse_question(question, OUTLETS)
    assert caught.value.item == item and says in caught.value.reason
    assert isinstance(caught.value, QuestionError)


def test_repeated_dates_keep_the_narrowest_window() -> None:
    parsed = parse_question(
        "dam since:2023-01-01 since:2023-06-01 until:2024-01-01 until:2023-12-01", OUTLETS
    )
    assert (parsed.filters.since, parsed.filters.until) == (date(2023, 6, 1), date(2023, 12, 1))


def test_a_question_of_only_filters_is_refused_clearly() -> None:
    with pytest.raises(FilterError) as caught:
        parse_question("from:bbc since:2024-01-01", OUTLETS)
    assert "only filters" in caught.value.reason
    with pytest.raises(FilterError) as uk:
        parse_question("from:bbc lang:uk", OUTLETS)
    assert "лише фільтри" in uk.value.reason


def test_words_that_merely_look_like_filters_stay_question_words() -> None:
    split = split_filters("https://example.org/from:x and fromage:brie, language:en")
    assert split.words == ()
