"""Hyphenated question words in the ranking layer (``candidates.ranking_words``).

The analyzer gives "boundary-layer" the terms of both parts as one stretch of question text,
so the layer used to score such a word as its best part: an article saying "layer" often beat
the one about the boundary layer. A compound of common words now counts each part as a word
(as BM25Okapi does), and a hyphenated name one word scored as the mean of its parts, so an
article naming only half of the name does not take its place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from index import IndexSettings, open_archive

_FILLER = [
    ("Budget talks resume", "Parliament resumed budget talks on pensions and teachers."),
    ("Harbour reopens", "The harbour reopened after the storm and ferries sailed again."),
    ("Railway strike", "Railway workers went on strike over wages and night shifts."),
    ("Grain exports", "Grain exports rose as the new harvest reached the port."),
    ("Hospital wing", "A new hospital wing opened with two hundred beds."),
]


def _archive_with(tmp_path: Path, articles: list[tuple[str, str, str]]):
    path = tmp_path / "articles.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for slug, title, text in [
            *articles,
            *((f"filler-{i}", t, x) for i, (t, x) in enumerate(_FILLER)),
        ]:
            record = {"title": title, "text": text, "url": f"https://hyphen.invalid/{slug}"}
            handle.write(json.dumps(record) + "\n")
    settings = IndexSettings(data_dir=tmp_path / "data", ranking_layer=True, _env_file=None)
    archive = open_archive(settings)
    assert not archive.ingest([str(path)]).failed
    return archive


def _first_url(archive, question: str) -> str | None:
    answer = archive.ask(question, k=1)
    return answer.articles[0].citation.url if answer.found else None


def _ranked_urls(archive, question: str) -> list[str]:
    """The articles ``rank_question`` ranks for ``question`` (the ranking ``Archive.ask`` uses)."""
    from index.answer import rank_question

    keeper = archive.keeper
    asked = keeper.analyzer.question(question, datetime(2024, 7, 14, tzinfo=UTC))
    ranked = rank_question(
        asked,
        index=keeper.current(),
        passages=archive.store,
        analyzer=keeper.analyzer,
        layer=True,
        n_articles=3,
        articles=keeper.articles(),
    )
    found = archive.store.articles_by_id([r.article_id for r in ranked])
    return [found[r.article_id].url for r in ranked]


def test_each_part_of_a_common_compound_counts(tmp_path: Path) -> None:
    archive = _archive_with(
        tmp_path,
        [
            (
                "boundary-layer",
                "Wind tunnel results",
                "The boundary layer separated behind the shock on the wing in the tunnel.",
            ),
            ("layer", "Paint layer", "A layer of paint separated, and a second layer separated."),
        ],
    )
    with archive:
        # Scored as its best part, "boundary-layer" let the paint article rank first.
        assert (
            _first_url(archive, "Why did the boundary-layer separate?")
            == "https://hyphen.invalid/boundary-layer"
        )


def test_a_hyphenated_name_needs_both_parts(tmp_path: Path) -> None:
    archive = _archive_with(
        tmp_path,
        [
            (
                "full-name",
                "Minister speaks",
                "Minister Zqbaba-Kolumbo said the pension reform would go ahead next year "
                "after long talks with unions.",
            ),
            ("half-name", "Zqbaba", "Anna Zqbaba said Zqbaba would wait."),
        ],
    )
    with archive:
        # Scored as its best part, the name let the article naming only "Zqbaba" twice win.
        ranked = _ranked_urls(archive, "What did Zqbaba-Kolumbo say?")
        assert ranked[:2] == [
            "https://hyphen.invalid/full-name",
            "https://hyphen.invalid/half-name",
        ]


def test_the_question_words_of_a_compound_keep_their_parts_apart() -> None:
    from index.answer.candidates import ranking_words
    from index.answer.evidence import QuestionWord

    def word(text: str, terms: set[str], is_name: bool = False) -> QuestionWord:
        return QuestionWord(text, frozenset(terms), 1.0, True, False, is_name)

    words = [
        word("boundary-layer", {"boundari", "layer"}),
        word("Bankman-Fried", {"bankman", "~bankman", "fri"}, is_name=True),
        word("F-16", {"f16", "16"}),
    ]
    terms = ["boundari", "layer", "bankman", "~bankman", "fri", "f16", "16"]
    ranked = ranking_words(terms, words, "en")
    assert [sorted(w.terms) for w in ranked] == [
        ["bankman", "fri", "~bankman"],
        ["boundari"],
        ["layer"],
        ["16", "f16"],
    ]
    assert [len(w.parts) for w in ranked] == [2, 0, 0, 0]
