"""Our SearchIndex against rank_bm25.BM25Okapi run on the same seeded corpora.

Settings that reproduce BM25Okapi: k1=1.5, b=0.75, epsilon=0.25 (rank_bm25's defaults, which
the engine uses). Every score must match within 1e-9 and the ranking must be rank_bm25's
scores sorted descending with ties broken by passage id (rank_bm25 has no tie rule of its own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.models import DocRecord
from index.search import SearchIndex, maxscore

TOLERANCE = 1e-9


def random_corpus(seed: int, n_docs: int, vocab: int = 400) -> list[DocRecord]:
    """Zipf words, some empty or one-word docs, and terms present in most docs (negative idf)."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        length = int(rng.choice([0, 1, 2, rng.integers(3, 40)], p=[0.03, 0.04, 0.03, 0.9]))
        terms = [f"w{int(x) % vocab}" for x in rng.zipf(1.25, length)]
        if rng.random() < 0.7:
            terms.append("usual")  # in ~70% of docs: negative raw idf, epsilon floor
        if rng.random() < 0.55:
            terms.append("often")  # ~55%: negative idf too
        rng.shuffle(terms)
        docs.append(
            DocRecord(
                passage_id=int(i * 7 + 3),
                article_id=i // 5,
                published_day=int(rng.integers(19_000, 19_060)),
                terms=tuple(terms),
            )
        )
    return docs


def random_queries(seed: int, n: int, vocab: int = 400) -> list[list[str]]:
    """3–6 terms; duplicates, unknown words and the very common terms on purpose."""
    rng = np.random.default_rng(seed)
    queries = []
    for _ in range(n):
        terms = [f"w{int(x) % vocab}" for x in rng.zipf(1.25, int(rng.integers(1, 5)))]
        if rng.random() < 0.5:
            terms.append("usual")
        if rng.random() < 0.3:
            terms.append(terms[0])  # a repeated query term counts twice
        if rng.random() < 0.2:
            terms.append("never-seen")
        if rng.random() < 0.3:
            terms.append("often")
        queries.append(terms)
    queries.append(["usual"])
    queries.append(["w1", "w1", "w1"])
    return queries


def assert_parity(index: SearchIndex, docs: list[DocRecord], queries: list[list[str]]) -> None:
    """All scores within TOLERANCE; top-k equal to rank_bm25's order up to exact ties."""
    docs = sorted(docs, key=lambda d: d.passage_id)
    reference = BM25Okapi([list(d.terms) for d in docs])
    ids = np.array([d.passage_id for d in docs], dtype=np.int64)
    assert index.n_docs == len(docs)
    assert index.avgdl == pytest.approx(reference.avgdl, abs=1e-12)
    for terms in queries:
        expected = reference.get_scores(terms)
        ours = index.score_passages(terms, ids)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=TOLERANCE)
        # Hits are the docs holding a query term with a non-zero idf.
        wanted = {t for t in terms if reference.idf.get(t, 0) != 0}
        matched = np.array([bool(wanted & set(d.terms)) for d in docs])
        order = np.lexsort((ids, -expected))
        order = order[matched[order]]
        for k in (1, 5, 10, len(docs)):
            hits = index.search(terms, k)
            want = order[:k]
            assert len(hits) == len(want)
            got_scores = np.array([h.score for h in hits])
            np.testing.assert_allclose(got_scores, expected[want], rtol=0, atol=TOLERANCE)
            # Same passages in the same order, except where rank_bm25's scores tie.
            by_id = dict(zip(ids.tolist(), expected.tolist(), strict=True))
            for hit, index_in_ref in zip(hits, want, strict=True):
                assert abs(by_id[hit.passage_id] - expected[index_in_ref]) <= TOLERANCE
                if hit.passage_id != ids[index_in_ref]:
                    assert abs(expected[index_in_ref] - by_id[hit.passage_id]) <= TOLERANCE


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_and_ranking_equal_rank_bm25_on_random_corpora(tmp_path: Path, seed: int) -> None:
    docs = random_corpus(seed, 300)
    index = SearchIndex.build(tmp_path / "index", docs)
    reference = BM25Okapi([list(d.terms) for d in sorted(docs, key=lambda d: d.passage_id)])
    assert reference.idf["usual"] == pytest.approx(index.idf("usual"), abs=1e-12)
    assert index.idf("usual") > 0  # floored: raw idf is negative
    assert index.idf("never-seen") == 0.0
    assert_parity(index, docs, random_queries(seed + 100, 60))


def test_parity_holds_after_loading_from_disk(tmp_path: Path) -> None:
    docs = random_corpus(7, 200)
    SearchIndex.build(tmp_path / "index", docs)
    assert_parity(SearchIndex.load(tmp_path / "index"), docs, random_queries(8, 30))


def test_parity_after_adds_and_removes_equals_rank_bm25_rebuilt_on_live_docs(
    tmp_path: Path,
) -> None:
    docs = random_corpus(11, 400)
    index = SearchIndex.build(tmp_path / "index", docs[:300])
    live = {d.passage_id: d for d in docs[:300]}
    queries = random_queries(12, 25)
    steps = [
        ("add", docs[300:320]),  # small delta: stays a delta segment
        ("remove", [d.passage_id for d in docs[0:40:3]] + [10**9]),  # unknown id ignored
        ("add", docs[320:330]),
        ("remove", [docs[305].passage_id, docs[325].passage_id]),  # from deltas
        ("add", docs[330:400]),  # large: triggers a merge into a new generation
        ("remove", [d.passage_id for d in docs[100:220]]),  # many: merge again
    ]
    for action, payload in steps:
        if action == "add":
            index.add(payload)
            live.update({d.passage_id: d for d in payload})
        else:
            index.remove(payload)
            for pid in payload:
                live.pop(pid, None)
        assert_parity(index, list(live.values()), queries)
        # A new process sees the same state.
        assert_parity(SearchIndex.load(tmp_path / "index"), list(live.values()), queries[:5])


def test_adding_an_indexed_passage_id_replaces_it(tmp_path: Path) -> None:
    docs = random_corpus(21, 100)
    index = SearchIndex.build(tmp_path / "index", docs)
    changed = DocRecord(docs[10].passage_id, docs[10].article_id, 19_001, ("brand", "new"))
    index.add([changed])
    live = [changed if d.passage_id == changed.passage_id else d for d in docs]
    assert_parity(index, live, [["brand"], ["w1", "new", "usual"]])


def test_day_range_results_equal_rank_bm25_ranking_restricted_to_the_range(
    tmp_path: Path,
) -> None:
    docs = random_corpus(31, 300)
    index = SearchIndex.build(tmp_path / "index", docs)
    ordered = sorted(docs, key=lambda d: d.passage_id)
    reference = BM25Okapi([list(d.terms) for d in ordered])
    ids = np.array([d.passage_id for d in ordered])
    days = np.array([d.published_day for d in ordered])
    for terms in random_queries(32, 20):
        expected = reference.get_scores(terms)
        wanted = {t for t in terms if reference.idf.get(t, 0) != 0}
        matched = np.array([bool(wanted & set(d.terms)) for d in ordered])
        inside = matched & (days >= 19_010) & (days <= 19_030)
        order = np.lexsort((ids, -expected))
        order = order[inside[order]][:10]
        hits = index.search(terms, 10, day_range=(19_010, 19_030))
        np.testing.assert_allclose(
            [h.score for h in hits], expected[order], rtol=0, atol=TOLERANCE
        )


def zipf_corpus(seed: int, n_docs: int) -> list[DocRecord]:
    """Bigger corpus whose common terms have postings long enough for every MaxScore path."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 40, n_docs)
    words = rng.zipf(1.3, int(lengths.sum())) % 3000
    docs, start = [], 0
    for i, length in enumerate(lengths.tolist()):
        terms = tuple(f"z{w}" for w in words[start : start + length].tolist())
        start += length
        docs.append(DocRecord(i + 1, i // 3, 19_000 + i % 50, terms))
    return docs


@pytest.mark.slow
@pytest.mark.parametrize("blocks", ["as-tuned", "every-bounded-merge"])
def test_top_k_with_pruning_equals_rank_bm25_on_a_larger_zipf_corpus(
    tmp_path: Path, blocks: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if blocks == "every-bounded-merge":  # block bounds in every bounded tf = 1 merge
        monkeypatch.setattr(maxscore, "_LARGE_ROWS", 0)
    docs = zipf_corpus(41, 12_000)
    index = SearchIndex.build(tmp_path / "index", docs)
    reference = BM25Okapi([list(d.terms) for d in docs])
    ids = np.array([d.passage_id for d in docs])
    rng = np.random.default_rng(42)
    for _ in range(40):
        doc_terms = docs[int(rng.integers(0, len(docs)))].terms
        size = min(len(doc_terms), int(rng.integers(2, 7)))
        terms = [doc_terms[int(i)] for i in rng.choice(len(doc_terms), size, replace=False)]
        terms += ["z0", "z1"][: int(rng.integers(0, 3))]  # the longest postings lists
        expected = reference.get_scores(terms)
        order = np.lexsort((ids, -expected))
        for k in (1, 10, 50):
            hits = index.search(terms, k)
            np.testing.assert_allclose(
                [h.score for h in hits], expected[order[:k]], rtol=0, atol=TOLERANCE
            )
