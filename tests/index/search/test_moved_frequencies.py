"""``SearchIndex.moved_frequencies``: which document frequencies an index state moved.

The topic matcher reads only the frequencies that moved since the state it last read
(``follow._ReverseIndex.reweigh``) and keeps the others; a frequency that moved and is not
reported would leave a topic weighed for another state. So under random adds (terms the base
holds and new ones), removals from the base and from deltas, folds of the deltas and full
merges, every position whose frequency moved is reported, with its frequency now.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.models import DocRecord
from index.search import SearchIndex, engine
from index.search.engine import MERGE_MAX_DELTAS
from tests.index.search.test_batch_lookups import WORDS, random_docs


def _docs(rng: np.random.Generator, pids: range) -> list[DocRecord]:
    """``random_docs`` with some terms the base never held (``new-…``)."""
    docs = random_docs(rng, pids)
    return [
        DocRecord(d.passage_id, d.article_id, d.published_day,
                  (*d.terms, *(f"new-{int(rng.integers(0, 30))}" for _ in range(2))))
        for d in docs
    ]  # fmt: skip


@pytest.mark.parametrize("share", [0, engine.WHOLE_COMPARE_SHARE, 10**6])
def test_every_moved_frequency_is_reported_with_its_value_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    """Read from the segments that changed (share 0), or from the frequencies compared
    (the largest share: any change), or as the engine chooses."""
    monkeypatch.setattr(engine, "WHOLE_COMPARE_SHARE", share)
    rng = np.random.default_rng(5)
    index = SearchIndex.build(tmp_path / "i", random_docs(rng, range(1, 300)))
    terms = (*WORDS, *(f"new-{i}" for i in range(30)), "never", "w3")  # w3 twice
    found = index.moved_frequencies(terms, None)
    assert found.every and found.positions.tolist() == list(range(len(terms)))
    df = found.frequencies.copy()
    mark = found.mark
    live = list(range(1, 300))
    next_pid = 1000
    kinds = set()
    for step in range(40):
        kind = rng.choice(["add", "add", "remove", "nothing", "merge"])
        if kind == "add":
            count = int(rng.integers(1, 6))
            index.add(_docs(rng, range(next_pid, next_pid + count)))
            live += range(next_pid, next_pid + count)
            next_pid += count
        elif kind == "remove":
            gone = [int(p) for p in rng.choice(live, int(rng.integers(1, 4)), replace=False)]
            index.remove(gone)
            live = [p for p in live if p not in gone]
        elif kind == "merge":
            index.merge()
        found = index.moved_frequencies(terms, mark)
        now = np.asarray([index.document_frequency(t) for t in terms], dtype=np.int64)
        assert found.frequencies.tolist() == now[found.positions].tolist(), step
        if found.every:
            kinds.add("every")
            assert kind == "merge"  # a new base: the index cannot tell what moved
        else:
            kinds.add("some" if found.positions.size else "none")
            assert np.all(np.diff(found.positions) > 0)
            untold = np.setdiff1d(np.arange(len(terms)), found.positions)
            assert now[untold].tolist() == df[untold].tolist(), step  # nothing else moved
        df[found.positions] = found.frequencies
        mark = found.mark
    assert len(index._state.segments) <= MERGE_MAX_DELTAS + 1
    assert kinds == {"every", "some", "none"}


def test_idf_signs_on_arrays_are_the_signs_of_each_idf(tmp_path: Path) -> None:
    """``idf_signs`` (every frequency at once) against ``idf_of_df`` one by one, for every
    frequency of indexes whose floor is above, at or below 0 and passage counts odd and even
    (2 df = n gives an idf of exactly 0)."""
    floors = set()
    for number, (size, common) in enumerate([(40, 0.1), (41, 0.9), (300, 0.5), (7, 1.0)]):
        rng = np.random.default_rng(number)
        docs = [
            DocRecord(
                pid,
                pid,
                1,
                (*(t for t in ("all", "also", "again") if rng.random() < common), f"w{pid % 5}"),
            )
            for pid in range(1, size + 1)
        ]
        index = SearchIndex.build(tmp_path / f"i{number}", docs)
        df = np.arange(-1, index.n_docs + 1)
        expected = [int(np.sign(index.idf_of_df(int(d)))) for d in df.tolist()]
        assert index.idf_signs(df).tolist() == expected
        floors.add(int(np.sign(index._state.floor)))
    assert floors >= {1, -1}
