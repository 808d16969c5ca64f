"""``SearchIndex.build_encoded``: the bulk build from term ids gives the index ``build`` gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from index.analysis import Analyzer
from index.analysis.encoding import PassageEncoder
from index.bench.corpus import ZipfCorpus
from index.models import DocRecord, EncodedBatch, EncodedTerms, Progress
from index.search import SearchIndex
from tests.comparison.test_bm25okapi_parity import assert_parity, random_corpus, random_queries

PUBLISHED = datetime(2024, 7, 20, tzinfo=UTC)
TEXTS = [
    "On 14 July NATO Secretary General Jens Stoltenberg said Poland may not shoot down missiles.",
    "Zelensky wants a coalition of NATO countries to shoot down missiles over Ukraine.",
    "Президент Зеленський 14 липня зустрівся зі Столтенбергом у Києві.",
    "Столтенберг заявил 14 июля, что НАТО не будет сбивать ракеты над Украиной.",
    "",
    "F-16 jets arrive in Kyiv; the Ukraine-NATO council meets on Monday.",
]


def _batches_from_docs(docs: list[DocRecord], size: int) -> list[EncodedBatch]:
    """Encoded batches holding exactly the docs' terms (interned here, batch by batch)."""
    ids: dict[str, int] = {}
    batches = []
    for start in range(0, len(docs), size):
        part = docs[start : start + size]
        known = len(ids)
        term_ids = [ids.setdefault(t, len(ids)) for d in part for t in d.terms]
        owners = [i for i, d in enumerate(part) for _ in d.terms]
        batches.append(
            EncodedBatch(
                passage_ids=np.asarray([d.passage_id for d in part], np.int64),
                article_ids=np.asarray([d.article_id for d in part], np.int64),
                published_days=np.asarray([d.published_day for d in part], np.int32),
                terms=EncodedTerms(
                    np.asarray(term_ids, np.int32),
                    np.asarray(owners, np.int32),
                    tuple(list(ids)[known:]),
                ),
            )
        )
    return batches


@pytest.mark.parametrize("seed", [1, 2])
def test_encoded_build_equals_rank_bm25(tmp_path: Path, seed: int) -> None:
    docs = random_corpus(seed, 600)
    index = SearchIndex.build_encoded(tmp_path / "index", _batches_from_docs(docs, 97))
    assert_parity(index, docs, random_queries(seed, 40))


def test_encoded_build_equals_docrecord_build_through_the_encoder(tmp_path: Path) -> None:
    texts = [p.text for p in ZipfCorpus(400).chunk(0, 400)] + TEXTS * 3
    langs = ["en"] * 400 + ["en", "en", "uk", "ru", "en", "en"] * 3
    analyzer = Analyzer()
    docs = [
        DocRecord(
            pid * 3 + 1,
            pid // 4,
            19_900 + pid % 7,
            tuple(analyzer.document_terms(t, lang, PUBLISHED)),
        )
        for pid, (t, lang) in enumerate(zip(texts, langs, strict=True))
    ]
    by_docs = SearchIndex.build(tmp_path / "docs", docs)
    encoder = PassageEncoder()
    batches = []
    for start in range(0, len(texts), 64):
        part = docs[start : start + 64]
        batches.append(
            EncodedBatch(
                passage_ids=np.asarray([d.passage_id for d in part], np.int64),
                article_ids=np.asarray([d.article_id for d in part], np.int64),
                published_days=np.asarray([d.published_day for d in part], np.int32),
                terms=encoder.encode(
                    texts[start : start + 64], langs[start : start + 64], [PUBLISHED] * len(part)
                ),
            )
        )
    ticks: list[Progress] = []
    by_ids = SearchIndex.build_encoded(
        tmp_path / "ids", batches, total=len(docs), progress=ticks.append
    )
    assert (by_ids.n_docs, by_ids.n_terms, by_ids.avgdl) == (
        by_docs.n_docs,
        by_docs.n_terms,
        by_docs.avgdl,
    )
    assert ticks[-1].stage == "swap" and ticks[-2].done == len(docs)
    queries = [list(d.terms[:4]) for d in docs[::9] if d.terms]
    queries += [analyzer.question(q, PUBLISHED).terms for q in ("Stoltenberg 14 July", "F16 Kyiv")]
    for terms in queries:
        assert by_ids.search(terms, 10) == by_docs.search(terms, 10)
    # and it stays a normal index: deltas and removals on top of it
    by_ids.add([DocRecord(10**6, 1, 19_900, ("stoltenberg", "~stltnbrg"))])
    by_ids.remove([docs[0].passage_id])
    assert by_ids.search(["stoltenberg"], 1)[0].passage_id == 10**6


def test_encoded_build_rejects_ids_without_terms_and_duplicates(tmp_path: Path) -> None:
    batch = EncodedBatch(
        passage_ids=np.asarray([1, 2], np.int64),
        article_ids=np.asarray([1, 1], np.int64),
        published_days=np.asarray([-1, -1], np.int32),
        terms=EncodedTerms(np.asarray([0, 5], np.int32), np.asarray([0, 1], np.int32), ("a",)),
    )
    with pytest.raises(ValueError, match="term ids"):
        SearchIndex.build_encoded(tmp_path / "index", [batch])
    docs = [DocRecord(1, 1, -1, ("a",)), DocRecord(1, 1, -1, ("b",))]
    with pytest.raises(ValueError, match="occurs twice"):
        SearchIndex.build_encoded(tmp_path / "index", _batches_from_docs(docs, 1))
