"""Fold keys: names across spellings and scripts, and renamed places."""

from __future__ import annotations

import itertools

import pytest

from index.analysis.names import PLACE_ALIASES, fold_key, skeleton

ZELENSKYY = ("Zelenskyy", "Zelensky", "Zelenskiy", "Зеленський", "Зеленский", "Зеленського",
             "Зеленському", "Зеленским", "Zelenskyy’s", "ZELENSKYY")  # fmt: skip


@pytest.mark.parametrize(("left", "right"), list(itertools.combinations(ZELENSKYY, 2)))
def test_every_zelenskyy_spelling_pair_shares_a_fold_key(left: str, right: str) -> None:
    assert fold_key(left) == fold_key(right) == "~zelensk"


@pytest.mark.parametrize(
    "spellings",
    [
        pytest.param(("Stoltenberg", "Столтенберг", "Столтенберга", "Столтенбергом"), id="nato"),
        pytest.param(("Tusk", "Туск", "Туска"), id="tusk"),
        pytest.param(("Władysław", "Wladyslaw", "Владислав"), id="polish-diacritics"),
        pytest.param(("Kosiniak", "Косіняк"), id="kosiniak"),
        pytest.param(("Putin", "Путін", "Путина", "Путіним"), id="putin"),
        pytest.param(("Shmyhal", "Шмигаль", "Шмыгаль"), id="sh-digraph"),
        pytest.param(("Kuleba", "Кулеба", "Кулеби"), id="inflected-a"),
        pytest.param(("Kherson", "Херсон", "Херсоні"), id="kh"),
        pytest.param(("Luhansk", "Lugansk", "Луганськ", "Луганск"), id="g-h"),
        pytest.param(("Donetsk", "Донецьк", "Донецк"), id="ts"),
        pytest.param(("Odesa", "Odessa", "Одеса", "Одесса"), id="double-letters"),
    ],
)
def test_spellings_across_scripts_share_a_fold_key(spellings: tuple[str, ...]) -> None:
    assert len({fold_key(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(
    ("canonical", "spellings"),
    [
        ("kyiv", ("Kyiv", "Kiev", "Київ", "Києва", "Києві", "Киев", "Киеве")),
        ("kharkiv", ("Kharkiv", "Kharkov", "Харків", "Харкові", "Харьков")),
        ("odesa", ("Odesa", "Odessa", "Одеса", "Одесса")),
        ("lviv", ("Lviv", "Lvov", "Львів", "Львов")),
        ("mykolaiv", ("Mykolaiv", "Nikolaev", "Миколаїв", "Миколаєва", "Николаев")),
        ("zaporizhzhia", ("Zaporizhzhia", "Zaporozhye", "Запоріжжя", "Запорожье")),
        ("dnipro", ("Dnipro", "Dnepr", "Дніпро", "Днепр")),
    ],
)
def test_renamed_places_map_to_one_canonical_key(
    canonical: str, spellings: tuple[str, ...]
) -> None:
    assert {fold_key(spelling) for spelling in spellings} == {"~" + canonical}


def test_alias_groups_do_not_collide() -> None:
    owner: dict[str, str] = {}
    for canonical, spellings in PLACE_ALIASES.items():
        for spelling in spellings:
            assert fold_key(spelling) == "~" + canonical, spelling
            key = skeleton(spelling)
            assert owner.setdefault(key, canonical) == canonical, (spelling, owner[key])


@pytest.mark.parametrize(
    ("word", "place"),
    [("City", "~china"), ("Rose", "~russia"), ("Crime", "~crimea"), ("Yes", "~eu")],
)
def test_common_words_do_not_fall_into_short_aliases(word: str, place: str) -> None:
    assert fold_key(word) != place


@pytest.mark.parametrize(
    "spellings", [("EU", "ЄС", "ЕС"), ("US", "USA", "США"), ("NATO", "НАТО"), ("UN", "ООН")]
)
def test_abbreviations_meet_across_scripts(spellings: tuple[str, ...]) -> None:
    assert len({fold_key(spelling) for spelling in spellings}) == 1


def test_abbreviations_only_in_capitals() -> None:
    assert fold_key("Us") != fold_key("US")
    assert fold_key("Yes") != fold_key("ЄС")


def test_unlisted_inflection_of_a_long_alias_still_reaches_it() -> None:
    assert fold_key("Харковом") == fold_key("Kharkiv") == "~kharkiv"


@pytest.mark.parametrize(
    ("left", "right"),
    [("Tusk", "Trump"), ("Kyiv", "Kursk"), ("Zelenskyy", "Zelenograd"), ("Poland", "Putin")],
)
def test_different_names_keep_different_keys(left: str, right: str) -> None:
    assert fold_key(left) != fold_key(right)


@pytest.mark.parametrize("word", ["a", "of", "Ed", "Ли"])
def test_short_words_get_no_fold_key(word: str) -> None:
    assert fold_key(word) is None
