"""``RestrictedIndex``: its array read (``top_passages``) filters as ``search`` does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from index.answer.restrict import RestrictedIndex
from index.models import DocRecord, QuestionFilters
from index.search import SearchIndex

WORDS = ["dam", "flood", "reservoir", "river"]


def test_restricted_top_passages_are_its_hits_as_arrays(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    docs = [
        DocRecord(
            pid,
            int(rng.integers(1, 30)),
            19_500 + int(rng.integers(0, 40)),  # days since 1970: within 2023
            tuple(rng.choice(WORDS, size=int(rng.integers(1, 6))).tolist()),
        )
        for pid in range(1, 400)
    ]
    engine = SearchIndex.build(tmp_path / "index", docs)
    mask = rng.random(30) < 0.4
    since, until = date(2023, 5, 20), date(2023, 6, 10)
    cases = [
        RestrictedIndex(engine, QuestionFilters(since=since, until=until), None),
        RestrictedIndex(engine, QuestionFilters(languages=("en",)), mask),
        RestrictedIndex(engine, QuestionFilters(languages=("en",)), np.zeros(30, dtype=bool)),
        RestrictedIndex(engine, QuestionFilters(since=until, until=since), None),  # empty
    ]
    for restricted in cases:
        for day_range in (None, (19_510, 19_520)):
            ids, scores = restricted.top_passages(["dam", "river"], 50, day_range=day_range)
            hits = restricted.search(["dam", "river"], 50, day_range=day_range)
            assert ids.tolist() == [hit.passage_id for hit in hits]
            assert scores.tolist() == [hit.score for hit in hits]
    # The filters are applied: fewer passages than the unrestricted engine finds.
    assert cases[1].top_passages(["dam"], 400)[0].size < engine.top_passages(["dam"], 400)[0].size
