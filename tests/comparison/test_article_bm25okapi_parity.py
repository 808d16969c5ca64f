"""The article index against rank_bm25.BM25Okapi over the same article tokens.

An article record (``index.indexing``) is the article's head terms (title, then byline:
outlet and author) ``ARTICLE_TITLE_COPIES`` times, then the terms of each of its passages.
Here those tokens are rebuilt independently from the store (the analyzer over the stored
head and passage texts), and every article's
score for every question must equal rank_bm25's over them: after an incremental ingest,
after an update and a delete, and after a full reindex (which encodes term ids instead).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import IndexSettings, open_archive
from index.indexing import ARTICLE_TITLE_COPIES, byline
from tests.comparison.test_bm25okapi_parity import TOLERANCE

pytest.importorskip("index.analysis.analyzer", reason="the analyser has not landed")

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
QUESTIONS = (
    "What did Zelensky tell Congress?",
    "Що сталося з Каховською ГЕС 6 червня?",
    "Что сказал мэр о бюджете?",
    "energy prices and the harbour railway",
    "Stoltenberg NATO summit Vilnius 14 July",
    "What did the Harbour Gazette say about the railway?",
    "Zqgunubaba",
)


def _article_tokens(archive, article_id: int) -> list[str]:
    """Head terms (ARTICLE_TITLE_COPIES times) + each passage's terms, from the store."""
    analyzer = archive.keeper.analyzer
    article = archive.store.articles_by_id([article_id])[article_id]
    lang = article.language or "en"
    head = [article.title, byline(article.source, article.author)]
    tokens = [
        term
        for text in head
        if text
        for term in analyzer.document_terms(text, lang, article.published_at)
    ] * ARTICLE_TITLE_COPIES
    for passage in archive.store.passages_of(article_id):
        tokens += analyzer.document_terms(passage.text, lang, article.published_at)
    return tokens


def _question_terms(archive) -> list[list[str]]:
    now = datetime(2024, 7, 14, tzinfo=UTC)
    analyzer = archive.keeper.analyzer
    rng = random.Random(5)
    vocab = sorted({t for q in QUESTIONS for t in analyzer.question(q, now).terms})
    queries = [list(analyzer.question(q, now).terms) for q in QUESTIONS]
    queries += [rng.sample(vocab, 3) for _ in range(10)]
    queries.append([vocab[0], vocab[0]])  # a repeated term counts twice
    return queries


def assert_article_parity(archive) -> None:
    ids = sorted(s.article_id for s in archive.list_articles(limit=10_000))
    reference = BM25Okapi([_article_tokens(archive, i) for i in ids])
    index = archive.keeper.articles()
    assert index is not None
    assert index.n_docs == len(ids)
    assert index.avgdl == pytest.approx(reference.avgdl, abs=1e-12)
    for terms in _question_terms(archive):
        np.testing.assert_allclose(
            index.score_passages(terms, ids), reference.get_scores(terms), rtol=0, atol=TOLERANCE
        )
        by_term = index.term_scores(terms, ids)
        for row, term in zip(by_term, terms, strict=True):
            np.testing.assert_allclose(row, reference.get_scores([term]), atol=TOLERANCE)


def test_article_scores_equal_rank_bm25_through_ingest_update_delete_and_reindex(
    tmp_path: Path,
) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        assert not archive.ingest([str(SAMPLE)]).failed
        assert_article_parity(archive)

        update = tmp_path / "update.jsonl"
        record = {
            "source": "Harbour Gazette",
            "author": "Ivan Zqgunubaba",
            "title": "Harbour railway reopens",
            "text": "The harbour railway reopened on Monday.\n\nEnergy prices fell.",
            "url": "https://example.invalid/harbour",
        }
        update.write_text(json.dumps(record) + "\n", encoding="utf-8")
        archive.ingest([str(update)])
        record["text"] += "\n\nThe mayor said the budget covers the harbour."
        update.write_text(json.dumps(record) + "\n", encoding="utf-8")
        assert archive.ingest([str(update)]).count("updated") == 1
        assert_article_parity(archive)

        first = min(s.article_id for s in archive.list_articles(limit=10_000))
        archive.delete(first)
        assert_article_parity(archive)

        archive.reindex()
        assert_article_parity(archive)


def test_a_reindex_in_small_batches_never_splits_an_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.indexing

    monkeypatch.setattr(index.indexing, "ENCODE_BATCH", 4)  # articles have 1–12 passages
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        assert not archive.ingest([str(SAMPLE)]).failed
        archive.reindex()
        assert_article_parity(archive)


@pytest.mark.parametrize("stretch", [10, 100_000], ids=["many-stretches", "one-stretch"])
def test_a_reindex_in_two_worker_processes_gives_the_one_process_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stretch: int
) -> None:
    """Workers encode and sort the runs of both indexes (``index.search.workers``); with
    stretches of 10 passages and runs of 300 tokens each index has many runs from both."""
    import index.indexing
    from index.analysis import parallel
    from index.search import runs, workers
    from tests.index.search.test_streamed_build import _segment_arrays

    monkeypatch.setattr(index.indexing, "ENCODE_BATCH", 4)  # many chunks for the pool
    monkeypatch.setattr(workers, "STRETCH_DOCS", stretch)
    monkeypatch.setattr(runs, "RUN_TOKENS", 300)
    monkeypatch.setattr(runs, "MERGE_POSTINGS", 50)
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        assert not archive.ingest([str(SAMPLE)]).failed
        keeper = archive.keeper
        archive.reindex()
        one = [_segment_arrays(d) for d in (keeper.index_dir, keeper.articles_dir)]
        monkeypatch.setattr(parallel, "MIN_PASSAGES_PER_WORKER", 1)
        assert parallel.workers_for(archive.store.count_passages()) == 2
        archive.reindex()
        two = [_segment_arrays(d) for d in (keeper.index_dir, keeper.articles_dir)]
        for expected, got in zip(one, two, strict=True):
            for name, array in expected.items():
                assert got[name].dtype == array.dtype, name
                assert np.array_equal(got[name], array), name
        assert_article_parity(archive)
        for directory in (keeper.index_dir, keeper.articles_dir):
            assert not [p for p in directory.iterdir() if p.name.startswith(".tmp")]


def test_a_reindex_failing_in_worker_processes_leaves_no_workers_and_no_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.indexing
    from index.analysis import parallel
    from index.search import runs, workers
    from tests.index.search.test_streamed_build import _no_workers_left

    monkeypatch.setattr(index.indexing, "ENCODE_BATCH", 4)
    monkeypatch.setattr(workers, "STRETCH_DOCS", 10)
    monkeypatch.setattr(runs, "RUN_TOKENS", 300)
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        assert not archive.ingest([str(SAMPLE)]).failed
        keeper = archive.keeper
        archive.reindex()
        generations = [keeper.current().generation(), keeper.articles().generation()]
        monkeypatch.setattr(parallel, "MIN_PASSAGES_PER_WORKER", 1)
        rows = archive.store.iter_index_rows

        def failing(*args, **kwargs):
            for i, row in enumerate(rows(*args, **kwargs)):
                if i == 40:
                    raise OSError(28, "No space left on device")
                yield row

        monkeypatch.setattr(archive.store, "iter_index_rows", failing)
        with pytest.raises(OSError, match="No space"):
            archive.reindex()
        _no_workers_left()
        for directory in (keeper.index_dir, keeper.articles_dir):
            assert not [p for p in directory.iterdir() if p.name.startswith(".tmp")]
        assert [keeper.current().generation(), keeper.articles().generation()] == generations
        assert_article_parity(archive)
