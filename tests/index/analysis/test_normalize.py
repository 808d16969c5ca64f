"""Normalisation of surface tokens: NFKC, casefold, apostrophes, hyphens, numbers."""

from __future__ import annotations

import pytest

from index.analysis.normalize import normalize_number, normalize_token, strip_apostrophes


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        pytest.param("Zelenskyy’s", "zelenskyy's", id="right-single-quote"),
        pytest.param("Zelenskyyʼs", "zelenskyy's", id="modifier-apostrophe"),
        pytest.param("Zelenskyy`s", "zelenskyy's", id="backtick"),
        pytest.param("Zelenskyy‘s", "zelenskyy's", id="left-single-quote"),
        pytest.param("F‑16", "f-16", id="non-breaking-hyphen"),
        pytest.param("F‐16", "f-16", id="unicode-hyphen"),
        pytest.param("ﬁnance", "finance", id="nfkc-ligature"),
        pytest.param("Ｋｙｉｖ", "kyiv", id="nfkc-fullwidth"),
        pytest.param("Ёлка", "елка", id="yo-to-ye"),
        pytest.param("и\u0306ти", "йти", id="decomposed-short-i-composed"),
        pytest.param("за\u0301мок", "замок", id="stress-mark-dropped"),
        pytest.param("inter\u00adnational", "international", id="soft-hyphen-dropped"),
        pytest.param("STRASSE", "strasse", id="casefold"),
    ],
)
def test_normalize_token_folds_variants(surface: str, expected: str) -> None:
    assert normalize_token(surface) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("14th", "14"),
        ("1st", "1"),
        ("22nd", "22"),
        ("3rd", "3"),
        ("14-го", "14"),
        ("1-й", "1"),
        ("07", "7"),
        ("8,000", "8000"),
        ("1,250,000", "1250000"),
        ("1.5", "1.5"),
        ("2024", "2024"),
    ],
)
def test_normalize_number_drops_ordinals_separators_and_leading_zeros(
    token: str, expected: str
) -> None:
    assert normalize_number(token) == expected


def test_strip_apostrophes_makes_ukrainian_spellings_equal() -> None:
    assert strip_apostrophes(normalize_token("м’ясо")) == strip_apostrophes("мясо")
    assert strip_apostrophes(normalize_token("мʼясо")) == "мясо"
