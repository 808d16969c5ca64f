"""``SearchIndex.document_frequencies`` for terms the base lacks, many or few of them.

Under each state it reads the terms only the deltas hold either by walking those (when they
are fewer than the asked terms the base lacks) or by looking up each asked term: both give
``document_frequency`` of every term, repeated terms included.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.models import DocRecord
from index.search import SearchIndex
from tests.index.search.test_batch_lookups import WORDS, random_docs


def test_terms_the_base_lacks_are_read_whichever_side_is_smaller(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    index = SearchIndex.build(tmp_path / "i", random_docs(rng, range(1, 400)))
    few = (*WORDS[:5], "new-0", "never", "new-0", "w1")  # two the base lacks, one repeated
    many = (*WORDS[:5], *(f"new-{i}" for i in range(30)), *(f"never-{i}" for i in range(20)))

    def check(terms: tuple[str, ...]) -> None:
        found = index.document_frequencies(terms)
        assert found.tolist() == [index.document_frequency(t) for t in terms]

    for terms in (few, many, few, many):  # each asked twice: the kept ids, then new ones
        check(terms)
    index.add([DocRecord(500 + i, 300 + i, 3, (f"new-{i}", "w0")) for i in range(12)])
    assert len(index._state.extra_df) == 12
    for terms in (few, few, many, many):
        check(terms)  # few: 3 lacking < 12 delta terms; many: 50 lacking > 12
    assert index.document_frequencies(few).tolist()[5:7] == [1, 0]
    assert index.document_frequencies(many)[5:35].sum() == 12
