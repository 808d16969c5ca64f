"""SearchIndex.articles_of and term_scores: exactly article_of and per-term score_passages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.errors import NotFoundError
from index.models import DocRecord
from index.search import SearchIndex

WORDS = [f"w{i}" for i in range(40)]


def random_docs(rng: np.random.Generator, pids: range) -> list[DocRecord]:
    """Zipf-ish term draws so terms have tf 1 and tf ≥ 2 postings and varied df."""
    docs = []
    for pid in pids:
        n = int(rng.integers(0, 25))
        ranks = np.minimum(rng.zipf(1.3, size=n), len(WORDS)) - 1
        terms = tuple(WORDS[r] for r in ranks)
        docs.append(DocRecord(pid, pid // 3, int(rng.integers(-1, 500)), terms))
    return docs


def changed_index(tmp_path: Path, seed: int) -> tuple[SearchIndex, list[int]]:
    """A base with deltas and tombstones in base and deltas (below the merge thresholds)."""
    rng = np.random.default_rng(seed)
    index = SearchIndex.build(tmp_path / f"i{seed}", random_docs(rng, range(1, 400)))
    index.add(random_docs(rng, range(400, 412)))
    index.add(random_docs(rng, range(500, 508)))
    index.remove([int(p) for p in rng.choice(np.arange(1, 400), 15, replace=False)] + [403, 501])
    assert len(index._state.segments) == 3  # the deltas were not merged away
    live = [p for p in [*range(1, 400), *range(400, 412), *range(500, 508)] if _live(index, p)]
    return index, live


def _live(index: SearchIndex, pid: int) -> bool:
    try:
        index.article_of(pid)
    except NotFoundError:
        return False
    return True


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_term_scores_equal_per_term_score_passages_bit_for_bit(tmp_path: Path, seed: int) -> None:
    index, live = changed_index(tmp_path, seed)
    rng = np.random.default_rng(seed + 100)
    # Unsorted, repeated, removed and never-indexed ids among live ones.
    ids = [*rng.choice(live, 120).tolist(), 403, 501, 9999, -5, live[0], live[0]]
    rng.shuffle(ids)
    terms = [*WORDS, "unknown", "w0", "w3"]
    matrix = index.term_scores(terms, ids)
    assert matrix.shape == (len(terms), len(ids)) and matrix.dtype == np.float64
    for row, term in zip(matrix, terms, strict=True):
        expected = index.score_passages([term], ids)
        assert row.tobytes() == expected.tobytes(), term
    assert matrix.any()


def test_term_scores_of_nothing_are_empty(tmp_path: Path) -> None:
    index, live = changed_index(tmp_path, 4)
    assert index.term_scores([], live).shape == (0, len(live))
    assert index.term_scores(["w1"], []).shape == (1, 0)
    empty = SearchIndex.empty(tmp_path / "empty")
    assert not empty.term_scores(["w1", "w2"], [1, 2]).any()


def test_articles_of_equals_article_of(tmp_path: Path) -> None:
    index, live = changed_index(tmp_path, 5)
    ids = list(reversed(live)) + live[:7]
    got = index.articles_of(ids)
    assert got.dtype == np.int64
    assert got.tolist() == [index.article_of(p) for p in ids]
    assert index.articles_of([]).shape == (0,)


def test_articles_of_names_the_first_passage_not_indexed(tmp_path: Path) -> None:
    index, live = changed_index(tmp_path, 6)
    with pytest.raises(NotFoundError, match="passage 501"):
        index.articles_of([live[0], 501, 9999])
    with pytest.raises(NotFoundError, match="passage 9999"):
        index.articles_of([9999, live[1]])


def test_document_frequencies_follow_every_state_of_one_term_list(tmp_path: Path) -> None:
    """The same term tuple asked about under each state (its base ids are kept while the base
    stays): a delta with new terms, removals, a merge that makes a new base."""
    rng = np.random.default_rng(7)
    index = SearchIndex.build(tmp_path / "i", random_docs(rng, range(1, 200)))
    terms = (*WORDS, "unknown", "only-in-delta", "w0")

    def check() -> None:
        found = index.document_frequencies(terms)
        assert found.dtype == np.int64
        assert found.tolist() == [index.document_frequency(t) for t in terms]

    check()
    delta = [DocRecord(300, 100, 5, ("only-in-delta", "w1")), *random_docs(rng, range(301, 310))]
    index.add(delta)
    check()
    assert index.document_frequency("only-in-delta") == 1
    index.remove([1, 2, 3, 300])
    check()
    assert index.document_frequency("only-in-delta") == 0
    index.add([DocRecord(400, 101, 5, ("only-in-delta",))])
    index.merge()
    assert len(index._state.segments) == 1  # a new base, with the delta's terms in it
    check()
    assert index.document_frequencies(("w0", "unknown")).tolist() == [
        index.document_frequency("w0"),
        0,
    ]


def _searched_rows(seg, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``live_rows_of`` by binary search, as it was before contiguous ids took a shortcut."""
    pids = seg.data.passage_ids
    pos = np.minimum(np.searchsorted(pids, ids), pids.size - 1)
    found = pids[pos] == ids
    if seg.dead_mask is not None:
        found &= ~seg.dead_mask[pos]
    return found.nonzero()[0], pos[found]


@pytest.mark.parametrize("step", [1, 3])
def test_live_rows_are_those_a_binary_search_finds(tmp_path: Path, step: int) -> None:
    # step 1: every segment's ids are contiguous (the shortcut); step 3: the base has gaps.
    rng = np.random.default_rng(step)
    index = SearchIndex.build(tmp_path / "i", random_docs(rng, range(5, 600, step)))
    index.add(random_docs(rng, range(700, 720)))
    index.remove([5, 5 + step, 599 - (599 - 5) % step, 703, 719])
    ids = np.asarray(
        [*rng.integers(-3, 760, 300).tolist(), 4, 5, 6, 598, 599, 600, 699, 700, 719, 720],
        dtype=np.int64,
    )
    for seg in index._state.segments:
        positions, rows = seg.live_rows_of(ids)
        expected_positions, expected_rows = _searched_rows(seg, ids)
        assert positions.tolist() == expected_positions.tolist()
        assert rows.tolist() == expected_rows.tolist()
        assert rows.dtype == np.int64


def test_term_scores_stay_exact_when_the_kept_runs_are_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.search.engine as engine

    monkeypatch.setattr(engine, "MAX_KEPT_TERM_RUNS", 5)
    index, live = changed_index(tmp_path, 5)
    rng = np.random.default_rng(7)
    for _ in range(12):  # overlapping term lists: some kept, some new, the cap overflowing
        terms = [*rng.choice(WORDS, 6).tolist(), "unknown"]
        ids = rng.choice(live, 50).tolist()
        matrix = index.term_scores(terms, ids)
        for row, term in zip(matrix, terms, strict=True):
            assert row.tobytes() == index.score_passages([term], ids).tobytes(), term
    assert len(index._term_runs[1]) <= 5 + 7
