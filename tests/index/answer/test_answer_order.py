"""The order of a page's answers (``assemble._answers_first``).

The ranking says which articles are about the question; the first snippet's answer share
says which of them states the answer. A page is ordered by score × (1 + share), only within
the page (paging neither repeats nor skips an article) and only among neighbours on the same
side of the question's period.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.assemble import ANSWER_SHARE_WEIGHT, _answers_first
from index.models import ArticleAnswer, Citation


def answer(article_id: int, score: float, share: float) -> ArticleAnswer:
    citation = Citation(
        article_id=article_id,
        title=f"article {article_id}",
        source=None,
        author=None,
        published_at=None,
        url=None,
    )
    return ArticleAnswer(citation=citation, snippets=(), score=score, answer_share=share)


def ids(answers: list[ArticleAnswer]) -> list[int]:
    return [a.citation.article_id for a in answers]


def test_a_snippet_that_answers_lifts_its_article_within_the_page() -> None:
    assert ANSWER_SHARE_WEIGHT > 0
    page = [answer(1, 1.0, 0.1), answer(2, 0.9, 1.0), answer(3, 0.5, 0.2)]
    assert ids(_answers_first(page, 3)) == [2, 1, 3]


def test_pages_keep_their_articles() -> None:
    accepted = [answer(1, 1.0, 0.0), answer(2, 0.9, 0.0), answer(3, 0.8, 2.0), answer(4, 0.7, 2.0)]
    ordered = _answers_first(accepted, 2)
    assert ids(ordered[:2]) == [1, 2]  # article 3 answers better, but belongs to page two
    assert ids(ordered[2:]) == [3, 4]


def test_the_period_side_is_kept() -> None:
    # Article 1 is in the question's period (the ranking boosted it); article 2 is not.
    page = [answer(1, 1.0, 0.0), answer(2, 0.9, 1.0), answer(3, 0.8, 2.0)]
    assert ids(_answers_first(page, 3, frozenset({1}))) == [1, 3, 2]
    assert ids(_answers_first(page, 3)) == [3, 2, 1]


DOCS = [
    (
        "Port news",
        "The port of Odesa handled more ships this spring. Cranes were repaired. "
        "Officials praised the dock workers for their effort during the season.",
    ),
    (
        "Grain corridor",
        "Ships carrying grain left Odesa port. The corridor carried 33 million tonnes of grain.",
    ),
    ("Harbour", "A harbour in Izmail unloaded fertiliser from two ships."),
    ("Zoo", "A zoo in Lviv welcomed two bear cubs."),
    ("Train", "A night train links Kyiv and Chernivtsi for the summer season."),
    ("Theatre", "A theatre in Kharkiv opened its season with a new comedy."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("order")
    corpus = root / "news.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "text": x, "published": "2024-05-06"}) for t, x in DOCS),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_the_article_whose_sentence_gives_the_number_comes_first(
    archive: Archive,
) -> None:
    answer = archive.ask("How many tonnes of grain did ships carry from Odesa port?", now=None)
    assert answer.found
    assert answer.articles[0].citation.title == "Grain corridor"
    assert "33 million tonnes" in answer.articles[0].snippets[0].text
    assert all(a.answer_share > 0 for a in answer.articles)
