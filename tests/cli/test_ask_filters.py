"""`newsdesk ask` with filter words: answers obey them, bad filters are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auxil.filter_corpus import QUESTION, write_filter_corpus
from tests.cli.conftest import Run

pytest.importorskip("index.search.engine", reason="the search engine (issue 3) has not landed")


@pytest.fixture
def ingested(newsdesk: Run, tmp_path: Path) -> Run:
    assert newsdesk("ingest", str(write_filter_corpus(tmp_path / "corpus"))).code == 0
    return newsdesk


def test_ask_obeys_from_and_dates(ingested: Run) -> None:
    result = ingested("ask", f"{QUESTION} from:kyiv until:2023-06-09")
    assert result.code == 0
    assert "Kyiv Independent · 2023-06-06" in result.out
    assert "Big Wire" not in result.out and "Kyiv Post" not in result.out


def test_ask_json_obeys_quoted_outlets_and_language(ingested: Run) -> None:
    data = ingested("ask", f'{QUESTION} from:"Kyiv Post"', "--json").json()
    assert data["question"] == f'{QUESTION} from:"Kyiv Post"' and data["found"] is True
    assert [a["article"]["source"] for a in data["answers"]] == ["Kyiv Post"]
    data = ingested("ask", f"{QUESTION} lang:uk", "--json", "--k", "5").json()
    assert [a["article"]["source"] for a in data["answers"]] == ["Українська правда"]


def test_an_unknown_outlet_names_the_closest_ones(ingested: Run) -> None:
    result = ingested("ask", f"{QUESTION} from:kyev")
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("error: from:kyev: no outlet in the archive is called “kyev”")
    assert "Kyiv Independent" in result.err and "Kyiv Post" in result.err
    data = ingested("ask", f"{QUESTION} from:kyev", "--json").json()
    assert "closest: Kyiv" in data["error"]


@pytest.mark.parametrize(
    ("question", "says"),
    [
        (f"{QUESTION} since:2024-13-01", "since:2024-13-01: not a valid date"),
        (f"{QUESTION} since:2024-02-01 until:2024-01-01", "since: is later than until:"),
        ("from:bbc lang:en", "the question has only filters"),
    ],
)
def test_bad_filters_are_one_clear_line(ingested: Run, question: str, says: str) -> None:
    result = ingested("ask", question)
    assert result.code == 1 and says in result.err and len(result.err.splitlines()) == 1
