"""Plural agreement in the fixed texts: CLDR categories, noun forms, the filled templates."""

from __future__ import annotations

import pytest

from bot.texts import NOUNS, counted, format_count, noun, plural_category, text
from index import LANGS

COUNTS = (0, 1, 2, 5, 11, 12, 14, 21, 22, 25, 101, 111)


# uk and ru share one rule: 1/21/101 one, 2/22 few (12–14 not), 0/5/11/25/111 many.
SLAVIC = {0: "many", 1: "one", 2: "few", 5: "many", 11: "many", 12: "many", 14: "many"} | {
    21: "one",
    22: "few",
    25: "many",
    101: "one",
    111: "many",
}


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_plural_category_follows_cldr(lang: str) -> None:
    expected = {n: "one" if n == 1 else "other" for n in COUNTS} if lang == "en" else SLAVIC
    assert set(expected) == set(COUNTS)
    assert {n: plural_category(n, lang) for n in COUNTS} == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "0 articles|1 article|2 articles|5 articles|11 articles|12 articles|14 articles|"
            "21 articles|22 articles|25 articles|101 articles|111 articles",
        ),
        (
            "uk",
            "0 статей|1 стаття|2 статті|5 статей|11 статей|12 статей|14 статей|21 стаття|"
            "22 статті|25 статей|101 стаття|111 статей",
        ),
        (
            "ru",
            "0 статей|1 статья|2 статьи|5 статей|11 статей|12 статей|14 статей|21 статья|"
            "22 статьи|25 статей|101 статья|111 статей",
        ),
    ],
)
def test_counted_articles(lang: str, expected: str) -> None:
    assert "|".join(counted("article", count, lang) for count in COUNTS) == expected  # type: ignore[arg-type]


def test_other_nouns_agree_too() -> None:
    assert (
        counted("passage", 3, "uk") == "3 уривки" and counted("passage", 3, "ru") == "3 фрагмента"
    )
    assert (
        counted("source", 1, "uk") == "1 джерело" and counted("source", 5, "ru") == "5 источников"
    )
    assert counted("term", 24, "ru") == "24 термина" and counted("item", 1, "en") == "1 item"
    assert noun("term", 113, "uk") == "термінів"


def test_every_noun_has_every_form_its_language_uses() -> None:
    needed = {"en": {"one", "other"}, "uk": {"one", "few", "many"}, "ru": {"one", "few", "many"}}
    for key, forms in NOUNS.items():
        assert set(forms) == set(LANGS), key
        for lang, by_category in forms.items():
            assert set(by_category) == needed[lang], (key, lang)


def test_large_counts_group_digits_per_language() -> None:
    assert format_count(1_234_567, "en") == "1,234,567"
    assert format_count(22_000, "uk") == "22\u00a0000"
    assert counted("passage", 100_001, "ru") == "100\u00a0001 фрагмент"


def test_start_no_longer_says_22_statei() -> None:
    def start(count: int, lang: str) -> str:
        return text(
            "start",
            lang,  # type: ignore[arg-type]
            count=format_count(count, lang),  # type: ignore[arg-type]
            article_noun=noun("article", count, lang),  # type: ignore[arg-type]
            first="2024-01-01",
            last="2024-02-01",
            examples="",
        )

    assert "<b>22</b> статті " in start(22, "uk") and "<b>22</b> статьи " in start(22, "ru")
    assert "<b>21</b> стаття " in start(21, "uk") and "<b>1</b> article " in start(1, "en")
    assert "<b>11</b> статей " in start(11, "ru")


@pytest.mark.parametrize(
    ("key", "lang", "values", "expected"),
    [
        ("ingest_working", "ru", {"items": counted("item", 3, "ru")}, "Добавляю 3 элемента…"),
        ("ingest_working", "en", {"items": counted("item", 1, "en")}, "Ingesting 1 item…"),
        ("poll_started", "en", {"sources": counted("source", 1, "en")}, "Polling 1 source…"),
        ("poll_started", "uk", {"sources": counted("source", 2, "uk")}, "Опитую 2 джерела…"),
        (
            "reindex_done",
            "uk",
            {
                "passages": counted("passage", 21, "uk"),
                "terms": counted("term", 12, "uk"),
                "seconds": "1.5",
                "size": "0.1",
            },
            "Переіндексацію завершено: 21 уривок, 12 термінів за 1.5 с (0.1 МБ).",
        ),
    ],
)
def test_counted_texts_read_naturally(
    key: str, lang: str, values: dict[str, str], expected: str
) -> None:
    assert text(key, lang, **values) == expected  # type: ignore[arg-type]
