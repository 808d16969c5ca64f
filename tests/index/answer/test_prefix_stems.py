"""Prefix-stem matching in the "nothing found" rule (``evidence.with_prefix_stems``).

A paraphrased question varies derivation the stemmer keeps apart ("обозначают" → "обознача",
the article's "обозначения" → "обозначен"): an everyday word also matches the indexed terms
its stem's prefix begins, so the article that answers is no longer "nothing found".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from index import Archive
from index.answer.evidence import (
    CYRILLIC_STEM_MIN_CHARS,
    PREFIX_MIN_CHARS,
    QuestionWord,
    evidence_idf,
    measure_evidence,
    with_prefix_stems,
)
from tests.index.answer.fakes import PrefixIndex
from tests.index.answer.titled_archive import titled_archive

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def word(text: str, terms: set[str], weight: float, *, known: bool, **flags) -> QuestionWord:
    return QuestionWord(
        text=text,
        terms=frozenset(terms),
        weight=weight,
        known=known,
        is_date=flags.get("is_date", False),
        is_name=flags.get("is_name", False),
        transferable=flags.get("transferable", False),
    )


def test_an_unknown_everyday_word_matches_its_derivations_and_weighs_as_the_rarest() -> None:
    index = PrefixIndex({"обозначен": 2, "обозначени": 7, "статор": 30})
    words = (
        word("обозначают", {"обознача"}, evidence_idf(1, 100), known=False),
        word("статоры", {"статор"}, evidence_idf(30, 100), known=True),
    )
    expanded = with_prefix_stems(words, index)
    assert expanded[0].terms == {"обознача", "обозначен", "обозначени"}
    assert expanded[0].known and expanded[0].weight == evidence_idf(2, 100)
    assert expanded[1] == words[1]  # "статор" is shorter than the prefix: left alone
    before = measure_evidence(words, {"обозначен", "статор"})
    after = measure_evidence(expanded, {"обозначен", "статор"})
    assert not before.enough and after.enough


def test_a_known_word_keeps_its_weight_and_names_dates_and_short_stems_stay_exact() -> None:
    index = PrefixIndex({"протестова": 3, "протестовал": 1, "zorbexia": 1, "газет": 5})
    known = word("протестовать", {"протестова"}, evidence_idf(3, 100), known=True)
    name = word("Zorbex", {"zorbex"}, evidence_idf(1, 100), known=False, is_name=True)
    short = word("газ", {"газ"}, evidence_idf(1, 100), known=False)
    assert len("газ") < PREFIX_MIN_CHARS
    out = with_prefix_stems((known, name, short), index)
    assert out[0].terms == {"протестова", "протестовал"}
    assert out[0].weight == known.weight
    assert out[1:] == (name, short)


def test_an_index_without_a_vocabulary_leaves_the_words() -> None:
    class NoPrefixes:
        n_docs = 10

        def document_frequency(self, term: str) -> int:
            return 1

    words = (word("обозначают", {"обознача"}, 1.0, known=False),)
    assert with_prefix_stems(words, NoPrefixes()) == words  # type: ignore[arg-type]


DOCS = [
    ("Турбина", "Статоры турбины закреплены на корпусе и не вращаются вместе с валом."),
    ("Ремонт", "Статоры и роторы осматривают на электростанции каждые два года."),
    ("Чертежи", "На чертежах обозначения статоров выделяют синим цветом: буква С и номер."),
    ("Генератор", "Статоры генератора охлаждает водород под давлением."),
    ("Порт", "В порту Одессы разгрузили зерно с трёх судов."),
    ("Музей", "Музей во Львове показал орудия бронзового века."),
    ("Мост", "Новый мост через реку в Днепре открыли третьего мая."),
    ("Поезд", "Ночной поезд связал Киев и Черновцы на лето."),
    ("Урожай", "Фермеры под Полтавой собрали рекордный урожай пшеницы."),
    ("Театр", "Театр в Харькове открыл сезон премьерой комедии."),
    ("Погода", "Синоптики обещают тёплую неделю без дождей на юге."),
    ("Футбол", "Команда из Львова выиграла кубок области по футболу."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    with titled_archive(tmp_path_factory.mktemp("prefix"), DOCS) as opened:
        yield opened


def test_a_paraphrased_russian_question_is_answered_from_the_derived_word(
    archive: Archive,
) -> None:
    answer = archive.ask("Как обозначают статоры?", now=NOW)
    assert answer.found
    assert "обозначения статоров" in answer.articles[0].snippets[0].text


def test_a_question_whose_words_have_no_derivation_here_stays_nothing_found(
    archive: Archive,
) -> None:
    assert not archive.ask("Как проектируют статоры?", now=NOW).found


def test_an_everyday_word_also_matches_the_indexed_stems_its_own_stem_begins_with() -> None:
    """ "колумбийский президент" asks about "президент Колумбии": the adjective's stem
    "колумбийск" begins with the country's "колумб"; "революционного" with "революц"."""
    index = PrefixIndex({"колумб": 2, "революц": 4, "рев": 9, "революционер": 1})
    words = (
        word("колумбийский", {"колумбийск"}, evidence_idf(1, 100), known=False),
        word("революционного", {"революцион"}, evidence_idf(1, 100), known=False),
    )
    out = with_prefix_stems(words, index)
    assert out[0].terms == {"колумбийск", "колумб"}
    assert out[0].known and out[0].weight == evidence_idf(2, 100)
    # "рев" is shorter than PREFIX_MIN_CHARS: too short a stem to stand for the word.
    assert out[1].terms == {"революцион", "революц", "революционер"}


def test_a_cyrillic_stem_also_matches_the_five_letter_stem_it_begins_with() -> None:
    """ "арестуют" → "арестова" asks about the passage's "арестах" → "арест" (Ukrainian
    "арештують" → "арештуват" and "арештах" → "арешт" alike). An English stem keeps
    PREFIX_MIN_CHARS: "electr" (electric) must not stand for "elect" (elected)."""
    index = PrefixIndex({"арест": 3, "elect": 3})
    words = (
        word("арестуют", {"арестова"}, evidence_idf(1, 100), known=False),
        word("electric", {"electr"}, evidence_idf(1, 100), known=False),
    )
    assert CYRILLIC_STEM_MIN_CHARS == 5 < PREFIX_MIN_CHARS
    out = with_prefix_stems(words, index)
    assert out[0].terms == {"арестова", "арест"}
    assert out[0].known and out[0].weight == evidence_idf(3, 100)
    assert out[1] == words[1]
