"""Question filters through ``Archive.ask``: the answers obey outlet, dates and language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.errors import FilterError
from tests.auxil.filter_corpus import BIG_WIRE_ITEMS, QUESTION, write_filter_corpus

pytest.importorskip("index.search.engine", reason="the search engine (issue 3) has not landed")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("filters")
    with open_archive(IndexSettings(data_dir=folder / "data", _env_file=None)) as opened:
        report = opened.ingest([str(write_filter_corpus(folder / "corpus"))])
        assert report.failed == () and report.index_error is None
        yield opened


def _cited(archive: Archive, question: str, **kwargs: object) -> list[tuple[str, date]]:
    answer = archive.ask(question, k=5, **kwargs)  # type: ignore[arg-type]
    assert answer.found, answer.reason
    return [
        (a.citation.source or "", a.citation.published_at.date())  # type: ignore[union-attr]
        for a in answer.articles
    ]


def test_without_filters_the_big_wire_fills_the_answer(archive: Archive) -> None:
    assert {source for source, _ in _cited(archive, QUESTION)} == {"Big Wire"}


def test_the_filters_restrict_inside_the_search_not_after_it(archive: Archive) -> None:
    """The filtered articles are not even in the unfiltered candidate pool, yet are found.

    A filter applied to the results of an unrestricted search (of any pool smaller than the
    Big Wire's items) would answer "nothing found" here.
    """
    from index.answer.candidates import CANDIDATE_PASSAGES

    assert BIG_WIRE_ITEMS > CANDIDATE_PASSAGES
    index = archive.keeper.current()
    terms = archive.keeper.analyzer.question(QUESTION, datetime.now(UTC)).terms
    pool = index.search(list(terms), CANDIDATE_PASSAGES)
    sources = {archive.get_article(index.article_of(hit.passage_id)).source for hit in pool}
    assert sources == {"Big Wire"}
    assert _cited(archive, f"{QUESTION} from:kyiv") == [
        ("Kyiv Independent", date(2023, 6, 6)),
        ("Kyiv Post", date(2023, 6, 10)),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ('from:"Kyiv Post"', {("Kyiv Post", date(2023, 6, 10))}),
        ("from:bbc", {("BBC News", date(2024, 1, 15))}),
        ("lang:uk", {("Українська правда", date(2023, 6, 7))}),
        ("lang:ru", {("Новая газета", date(2023, 6, 8))}),
        (
            "lang:ru lang:uk",
            {("Новая газета", date(2023, 6, 8)), ("Українська правда", date(2023, 6, 7))},
        ),
        ("since:2024-01-01", {("BBC News", date(2024, 1, 15))}),
        ("since:2023-06-06 until:2023-06-06", {("Kyiv Independent", date(2023, 6, 6))}),
        ("from:kyiv until:2023-06-09", {("Kyiv Independent", date(2023, 6, 6))}),
        ("since:2023-06-07 until:2023-06-08 lang:en", None),  # nothing passes all three
    ],
)
def test_answers_obey_the_filters(
    archive: Archive, filters: str, expected: set[tuple[str, date]] | None
) -> None:
    answer = archive.ask(f"{QUESTION} {filters}", k=5)
    assert answer.question == f"{QUESTION} {filters}"  # kept whole, so paging filters too
    if expected is None:
        assert not answer.found and not answer.articles
        return
    assert answer.found
    assert {(a.citation.source, a.citation.published_at.date()) for a in answer.articles} == (
        expected
    )


def test_filter_words_are_not_question_words(archive: Archive) -> None:
    answer = archive.ask(f"{QUESTION} from:bbc since:2023-01-01 lang:en")
    assert answer.terms == archive.ask(QUESTION).terms
    assert not any("bbc" in term or "2023" in term for term in answer.terms)


def test_later_pages_keep_the_filters(archive: Archive) -> None:
    first = archive.ask(f"{QUESTION} from:kyiv", k=1)
    second = archive.ask(first.question, k=1, offset=1)
    third = archive.ask(first.question, k=1, offset=2)
    assert [a.citation.source for a in (*first.articles, *second.articles)] == [
        "Kyiv Independent",
        "Kyiv Post",
    ]
    assert third.found and third.articles == ()


def test_a_period_only_question_lists_only_what_passes(archive: Archive) -> None:
    answer = archive.ask("What happened in June 2023? from:kyiv", k=5)
    assert answer.found and answer.note
    assert [a.citation.source for a in answer.articles] == ["Kyiv Post", "Kyiv Independent"]


def test_an_unknown_outlet_names_the_closest_in_the_questions_language(
    archive: Archive,
) -> None:
    with pytest.raises(FilterError) as en:
        archive.ask(f"{QUESTION} from:kiev")
    assert en.value.item == "from:kiev"
    assert "closest" in en.value.reason and "Kyiv Post" in en.value.reason
    with pytest.raises(FilterError) as uk:
        archive.ask("Що сталося із Зеленодарським водосховищем? from:правда")
    assert "найближчі" in uk.value.reason and "Українська правда" in uk.value.reason


def test_only_filters_and_bad_dates_are_refused(archive: Archive) -> None:
    with pytest.raises(FilterError, match="only filters"):
        archive.ask("from:bbc since:2024-01-01")
    with pytest.raises(FilterError, match="since:2024-13-01"):
        archive.ask(f"{QUESTION} since:2024-13-01")
    with pytest.raises(FilterError, match="later than"):
        archive.ask(f"{QUESTION} since:2024-02-01 until:2024-01-01")


def test_an_outlet_added_later_can_be_filtered(tmp_path: Path) -> None:
    """The outlet names are re-read when an ingest changes the index."""
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as archive:
        archive.ingest([str(write_filter_corpus(tmp_path / "corpus"))])
        with pytest.raises(FilterError):
            archive.ask(f"{QUESTION} from:coast")
        page = tmp_path / "coast.json"
        page.write_text(
            '{"title": "Zelenodar reservoir flood seen from the coast", "text": "The Zelenodar '
            'reservoir flood reached the coast.", "source": "Coast News", "language": "en", '
            '"url": "https://coast.example/z"}',
            encoding="utf-8",
        )
        archive.ingest([str(page)])
        assert [a.citation.source for a in archive.ask(f"{QUESTION} from:coast").articles] == [
            "Coast News"
        ]
