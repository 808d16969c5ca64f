"""The article index kept by the index keeper: one record per stored article, always.

Scores are checked against rank_bm25 in tests/comparison/test_article_bm25okapi_parity.py;
here: the record set follows every path that changes the store (replay of a killed ingest,
changes made while a reindex runs), and a data dir built before the article index still
answers and gets one from ``newsdesk reindex``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import Archive, IndexSettings, open_archive
from index.models import ExtractedArticle, PassageSpan, Progress
from tests.cli.corpus import N_ARTICLES, write_corpus

pytest.importorskip("index.analysis.analyzer", reason="the analyser has not landed")


@pytest.fixture
def archive(settings: IndexSettings, tmp_path: Path) -> Archive:
    with open_archive(settings) as opened:
        assert opened.ingest([str(write_corpus(tmp_path / "corpus"))]).index_error is None
        yield opened


def _article_ids(archive: Archive) -> list[int]:
    return sorted(s.article_id for s in archive.list_articles(limit=10_000))


def assert_one_record_per_article(archive: Archive) -> None:
    articles = archive.keeper.articles()
    assert articles is not None
    ids = _article_ids(archive)
    assert articles.n_docs == len(ids)
    # every stored article has a live record: its own id scores its own title's first term
    for article_id in ids:
        article = archive.store.articles_by_id([article_id])[article_id]
        lang = article.language or "en"
        terms = archive.keeper.analyzer.document_terms(article.title, lang, None)[:1]
        assert articles.score_passages(terms, [article_id])[0] > 0, article.title


def _store_only(archive: Archive, town: str) -> int:
    """An article committed to the store whose index delta never ran (a killed ingest)."""
    body = f"A ferry between {town} and the islands resumed service after repairs."
    saved = archive.store.save(
        ExtractedArticle(title=f"Ferry resumes in {town}", body=body, language="en"),
        [PassageSpan(0, body, 0, len(body))],
    )
    return saved.article.article_id


def test_ingest_gives_every_article_one_record(archive: Archive) -> None:
    assert len(_article_ids(archive)) == N_ARTICLES
    assert_one_record_per_article(archive)


def test_a_replayed_ingest_adds_the_article_record(
    settings: IndexSettings, archive: Archive
) -> None:
    article_id = _store_only(archive, "Vylkove")
    with open_archive(settings) as reader:
        assert reader.ask("ferry in Vylkove").articles[0].citation.article_id == article_id
        assert_one_record_per_article(reader)


def test_a_reindex_reconciles_article_records_changed_during_the_build(
    settings: IndexSettings, archive: Archive
) -> None:
    doomed = _article_ids(archive)[0]
    done: list[int] = []

    def meanwhile(tick: Progress) -> None:
        if done:
            return
        with open_archive(settings) as other:  # another process, while the build runs
            other.store.delete(doomed)
            done.append(_store_only(other, "Zatoka"))

    archive.reindex(progress=meanwhile)
    assert done and doomed not in _article_ids(archive)
    assert_one_record_per_article(archive)
    scores = archive.keeper.articles().score_passages(["zatoka"], [done[0], doomed])
    assert scores[0] > 0 and scores[1] == 0


def test_an_archive_without_article_index_answers_and_reindex_builds_it(
    settings: IndexSettings, archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    # Not a who-said-what question: those are answered from statements (issue 14), and
    # this test is about the article index that ordinary search reads.
    question = "Marchenko on the budget"
    expected = archive.ask(question).articles[0].citation.article_id
    archive.close()
    shutil.rmtree(settings.data_dir / "index" / "articles")  # a data dir from before
    with open_archive(settings) as older, caplog.at_level(logging.WARNING):
        answer = older.ask(question)
        assert answer.found
        assert "no article index" in caplog.text
        older.reindex()
        assert_one_record_per_article(older)
        assert older.ask(question).articles[0].citation.article_id == expected
        assert np.isfinite(older.keeper.articles().avgdl)


def test_healing_a_lost_article_restores_its_record(
    settings: IndexSettings, archive: Archive
) -> None:
    """Passages lost from both indexes (an old bug, a restored backup) come back whole."""
    lost = _article_ids(archive)[0]
    passage_ids = [p.passage_id for p in archive.store.passages_of(lost)]
    archive.keeper.current().remove(passage_ids)
    archive.keeper.articles().remove([lost])
    with open_archive(settings) as reader:  # its first question heals the index
        reader.ask("What did Marchenko say about the budget?")
        assert reader.stats().index_passages == reader.stats().passages
        assert_one_record_per_article(reader)
