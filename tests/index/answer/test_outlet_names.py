"""A name that only names one of the archive's outlets is left out of the evidence.

"What pay deal ended the strike, as Zorbex reported?": the archive holds Zorbex's articles,
but no text says "Zorbex", so the word would be an unknown name and veto every answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import outlet_words, question_words
from tests.index.answer.fakes import SimpleAnalyzer

NOW = datetime(2024, 5, 10, tzinfo=UTC)


class FrequencyIndex:
    n_docs = 200

    def document_frequency(self, term: str) -> int:
        return {"pay": 5, "deal": 9, "strike": 4, "odesa": 6, "ended": 20}.get(term, 0)


def words_of(text: str, outlets: frozenset[str]) -> list[str]:
    analyzer = SimpleAnalyzer()
    terms = analyzer.document_terms(text, "en", None)
    words = question_words(
        text, "en", terms, [], analyzer=analyzer, index=FrequencyIndex(), outlets=outlets
    )
    return [word.text for word in words]


def test_outlet_words_are_the_casefolded_words_of_the_names() -> None:
    assert outlet_words(["The Verge", "usatoday.com", None]) == {"the", "verge", "usatoday", "com"}


def test_an_unknown_name_that_is_an_outlet_is_left_out() -> None:
    question = "What pay deal ended the Odesa strike, as Zorbex reported?"
    assert "Zorbex" in words_of(question, frozenset())
    assert "Zorbex" not in words_of(question, outlet_words(["Zorbex"]))
    # Only unknown names: a known word that also names an outlet stays.
    assert "Odesa" in words_of(question, outlet_words(["Odesa Daily"]))


DOCS = [
    ("Harbour strike", "Dock workers in Odesa ended their strike after a pay deal of 12 percent."),
    ("Bridge opens", "The new river bridge in Dnipro opened on 3 May."),
    ("Museum", "The city museum in Lviv showed Bronze Age tools."),
    ("Harvest", "Farmers near Poltava reported a record wheat harvest."),
    ("Rail", "A night train linked Kyiv and Chernivtsi for the summer."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("outlets")
    corpus = root / "news.jsonl"
    lines = [
        json.dumps({"title": t, "text": x, "source": "Zorbex", "published": "2024-05-06"})
        for t, x in DOCS
    ]
    corpus.write_text("\n".join(lines), encoding="utf-8")
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_a_question_naming_the_outlet_is_answered(archive: Archive) -> None:
    answer = archive.ask("What pay deal ended the Odesa dock strike, as Zorbex reported?", now=NOW)
    assert answer.found
    assert "12 percent" in answer.articles[0].snippets[0].text


def test_a_name_that_is_no_outlet_still_vetoes(archive: Archive) -> None:
    answer = archive.ask(
        "What pay deal ended the Odesa dock strike, as Quorvan reported?", now=NOW
    )
    assert not answer.found
