"""A Russian question verb matches its partner in aspect in the evidence
(``evidence.with_prefix_stems`` with the question's language, ``_aspect_partner_stems``).

"Когда начала страдать Велмора?" asks about a paragraph that says "Велмора сильно
пострадала от наводнения 1954 года": "страдать" → "страда" and "пострадала" → "пострада"
share no stem, the verb was unknown to the archive and weighed as much as the name, so the
paragraph was "nothing found". Made-up places.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from index import Archive
from index.answer import evidence
from index.answer.evidence import QuestionWord, evidence_idf, with_prefix_stems
from tests.index.answer.fakes import PrefixIndex
from tests.index.answer.titled_archive import titled_archive

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def _word(text: str, term: str) -> QuestionWord:
    return QuestionWord(text, frozenset([term]), evidence_idf(1, 100), False, False, False)


def test_an_unknown_verb_matches_its_indexed_partner_and_weighs_as_it() -> None:
    index = PrefixIndex({"пострада": 4})
    (out,) = with_prefix_stems([_word("страдать", "страда")], index, lang="ru")
    assert out.terms == {"страда", "пострада"}
    assert out.known and out.weight == evidence_idf(4, 100)


def test_without_the_language_or_for_other_words_nothing_is_added() -> None:
    index = PrefixIndex({"пострада": 4, "suffer": 4})
    words = [_word("страдать", "страда")]
    assert with_prefix_stems(words, index) == tuple(words)
    english = [_word("suffered", "suffer")]
    assert with_prefix_stems(english, index, lang="en") == tuple(english)


DOCS = [
    (
        "Велмора после войны",
        "Как и многие портовые города, Велмора сильно пострадала от наводнения 1954 года, "
        "когда река вышла из берегов и затопила нижний город.",
    ),
    ("Мост", "Новый мост через реку в Ольхове открыли третьего мая."),
    ("Поезд", "Ночной поезд связал Ольхов и Торск на лето."),
    ("Урожай", "Фермеры под Торском собрали рекордный урожай пшеницы."),
    ("Театр", "Театр в Ольхове открыл сезон премьерой комедии."),
    ("Погода", "Синоптики обещают тёплую неделю без дождей на юге."),
    ("Футбол", "Команда из Торска выиграла кубок области по футболу."),
    ("Порт", "В порту Ольхова разгрузили зерно с трёх судов после наводнения."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    with titled_archive(tmp_path_factory.mktemp("aspect"), DOCS) as opened:
        yield opened


@pytest.mark.parametrize(
    "question", ["Когда начала страдать Велмора?", "Что заставило Велмору страдать?"]
)
def test_a_question_in_the_other_aspect_is_answered(
    archive: Archive, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = archive.ask(question, now=NOW)
    assert answer.found
    assert "пострадала от наводнения 1954 года" in answer.articles[0].snippets[0].text
    monkeypatch.setattr(evidence, "_aspect_partner_stems", lambda *args: set())
    assert not archive.ask(question, now=NOW).found  # the pair is what answers it
