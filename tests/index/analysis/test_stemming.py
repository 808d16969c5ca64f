"""Stems per language and the curated stopword lists."""

from __future__ import annotations

import pytest

from index.analysis.stemming import ru_lemma, script_language, stem_token
from index.analysis.stopwords import QUESTION_WORDS, STOPWORDS, is_stopword


@pytest.mark.parametrize(
    ("forms", "lang"),
    [
        pytest.param(("missile", "missiles"), "en", id="en-plural"),
        pytest.param(("defend", "defending", "defended"), "en", id="en-verb"),
        pytest.param(("ракета", "ракети", "ракет", "ракетами"), "uk", id="uk-lemma-noun"),
        pytest.param(("заявив", "заявила", "заявити"), "uk", id="uk-lemma-verb"),
        pytest.param(("липня", "липень"), "uk", id="uk-month"),
        pytest.param(("ракета", "ракеты", "ракетами"), "ru", id="ru-noun"),
        pytest.param(("вырос", "выросли", "вырасти"), "ru", id="ru-lemma-verb"),
        pytest.param(("идти", "шел", "шла", "шли"), "ru", id="ru-lemma-suppletive"),
        pytest.param(("человек", "людей", "люди"), "ru", id="ru-lemma-plural"),
        pytest.param(("июля", "июль"), "ru", id="ru-month"),
    ],
)
def test_inflected_forms_share_a_stem(forms: tuple[str, ...], lang: str) -> None:
    assert len({stem_token(form, lang) for form in forms}) == 1  # type: ignore[arg-type]


def test_ukrainian_terms_are_russian_stems_of_lemmas() -> None:
    assert stem_token("липня", "uk") == stem_token("липень", "uk")
    assert stem_token("ракетами", "uk") == stem_token("ракетами", "ru")
    assert stem_token("спікер", "uk") == stem_token("спикер", "ru")


def test_russian_terms_are_snowball_stems_of_pymorphy3_lemmas() -> None:
    # Snowball alone gives вырос / выросл / выраст and шел / шла: the lemma joins them, and
    # keeps the Snowball form where it already did (ракет, июл), so uk/ru cognates still meet.
    assert ru_lemma("выросли") == "вырасти"
    assert stem_token("выросли", "ru") == stem_token("вырасти", "ru") == "выраст"
    assert (stem_token("июля", "ru"), stem_token("ракетами", "ru")) == ("июл", "ракет")
    assert ru_lemma("столтенберга") == "столтенберг"  # an unknown name: pymorphy3's guess


def test_ukrainian_lemma_drops_apostrophe_variants() -> None:
    assert stem_token("м'ясо", "uk") == stem_token("мясо", "uk")


@pytest.mark.parametrize(
    ("token", "lang", "expected"),
    [
        ("nato", "uk", "en"),
        ("nato", "ru", "en"),
        ("київ", "en", "uk"),
        ("объект", "en", "ru"),
        ("ракета", "ru", "ru"),
        ("ракета", "uk", "uk"),
    ],
)
def test_stemmer_follows_the_token_script(token: str, lang: str, expected: str) -> None:
    assert script_language(token, lang) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_stopword_lists_are_short(lang: str) -> None:
    assert 40 <= len(STOPWORDS[lang]) <= 200  # type: ignore[index]


@pytest.mark.parametrize(
    ("word", "lang"),
    [
        ("said", "en"),
        ("new", "en"),
        ("state", "en"),
        ("war", "en"),
        ("first", "en"),
        ("year", "en"),
        ("government", "en"),
        ("заявив", "uk"),
        ("новий", "uk"),
        ("держава", "uk"),
        ("заявил", "ru"),
        ("новый", "ru"),
        ("государство", "ru"),
    ],
)
def test_news_words_are_not_stopwords(word: str, lang: str) -> None:
    assert not is_stopword(word, lang)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "lang"), [("the", "en"), ("of", "en"), ("та", "uk"), ("від", "uk"), ("что", "ru")]
)
def test_function_words_are_stopwords(word: str, lang: str) -> None:
    assert is_stopword(word, lang)  # type: ignore[arg-type]


def test_question_words_cover_interrogatives_and_speech_verbs() -> None:
    assert {"what", "say", "said"} <= QUESTION_WORDS["en"]
    assert {"що", "хто", "коли", "сказав"} <= QUESTION_WORDS["uk"]
    assert {"что", "кто", "когда", "сказал"} <= QUESTION_WORDS["ru"]


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("defence", "defense"),
        ("kilometres", "kilometers"),
        ("neighbouring", "neighboring"),
        ("mobilisation", "mobilization"),
        ("armoured", "armored"),
        ("centre", "center"),
    ],
)
def test_british_and_american_spellings_share_a_stem(british: str, american: str) -> None:
    assert stem_token(british, "en") == stem_token(american, "en")
