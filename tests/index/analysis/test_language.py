"""Language detection on short and long texts, script rules first."""

from __future__ import annotations

import pytest

from index.analysis.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Stoltenberg", "en", id="one-latin-word"),
        pytest.param("what did Stoltenberg say on 14 July", "en", id="en-question"),
        pytest.param("Столтенберг", "ru", id="cyrillic-no-marker-letters-goes-to-lingua"),
        pytest.param("Київ", "uk", id="uk-letter-i"),
        pytest.param("Зеленський", "uk", id="uk-name"),
        pytest.param("Що сказав Столтенберг 14 липня?", "uk", id="uk-question"),
        pytest.param("Что сказал Столтенберг 14 июля?", "ru", id="ru-question"),
        pytest.param("Что сказал Зеленский?", "ru", id="ru-hard-sign-free"),
        pytest.param("Объявлена тревога", "ru", id="ru-hard-sign"),
        pytest.param("Єдність", "uk", id="uk-ye"),
        pytest.param("Щось сталося", "uk", id="uk-soft"),
        pytest.param("", "en", id="empty"),
        pytest.param("12345 !!!", "en", id="no-letters"),
        pytest.param("🙂🙂", "en", id="emoji"),
        pytest.param(
            "President Zelenskyy said (Зеленський заявив) that NATO must act", "en", id="mixed"
        ),
        pytest.param(
            "Президент заявив, що партнери мають посилити ППО. Він наголосив на важливості.",
            "uk",
            id="uk-sentence",
        ),
        pytest.param(
            "Президент заявил, что партнёры должны усилить ПВО. Он подчеркнул важность этого.",
            "ru",
            id="ru-sentence",
        ),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_cyrillic_with_both_marker_kinds_goes_to_lingua() -> None:
    uk_with_russian_quote = (
        "Український президент відповів на заяву, у якій прозвучало слово «объявить», "
        "і наголосив, що Україна не погодиться на такі умови."
    )
    assert detect_language(uk_with_russian_quote) == "uk"
