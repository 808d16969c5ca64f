"""A capitalised Russian common word in a question is not an unknown name.

The answer gate refuses a question naming something the archive never mentions
(``evidence.key_word_indexes``). "Цельсия" in "(в градусах Цельсия)" or "Оснащенность"
opening a quoted title is capitalised, but pymorphy3 parses it as a common noun only, so,
as for fold keys (``is_russian_name``), it is no name: unknown to the index, it weighs
against the coverage but vetoes nothing. Real names the archive lacks still veto.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import _reads_as_name

NOW = datetime(2024, 7, 11, 18, 0, tzinfo=UTC)
DOCS = [
    "В паровых турбинах температура на входе обычно составляет 565 °C, а в конденсаторе "
    "около 30 °C.",
    "Ротор паровой турбины вращается на высокой скорости и соединён с генератором.",
    "Шахматный клуб в Днепре провёл юношеский турнир для игроков из девяти областей.",
    "Фермеры под Полтавой собрали рекордный урожай пшеницы после дождливой весны.",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("capitalised")
    corpus = root / "paragraphs.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"title": "", "text": text}, ensure_ascii=False) for text in DOCS),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_a_capitalised_common_word_does_not_veto(archive: Archive) -> None:
    answer = archive.ask("Какова температура на входе в паровую турбину (в градусах Цельсия)?")
    assert answer.found
    assert "565 °C" in answer.articles[0].snippets[0].text


def test_through_ask_an_unknown_name_still_vetoes(archive: Archive) -> None:
    answer = archive.ask("Какова температура на входе в паровую турбину Вестингауза?", now=NOW)
    assert not answer.found


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("Цельсия", "ru", False),
        ("Оснащенность", "ru", False),
        ("Вестингауза", "ru", True),
        ("Шотландская", "ru", True),
        ("НАТО", "ru", False),
        ("Apple", "en", True),
        ("Запоріжжі", "uk", True),
        ("турбину", "ru", False),
    ],
)
def test_reads_as_name(word: str, lang: str, expected: bool) -> None:
    assert _reads_as_name(word, lang) is expected  # type: ignore[arg-type]
