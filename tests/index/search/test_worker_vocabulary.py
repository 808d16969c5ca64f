"""The vocabulary a build in workers makes of each worker's sorted terms (``workers._union``)."""

from __future__ import annotations

import random
from types import SimpleNamespace

import numpy as np
import pytest

from index.search.term_table import TermTable
from index.search.workers import _SortedTerms, _union, _WorkerState


def _sorted_terms(terms: list[str]) -> _SortedTerms:
    """A worker's answer for terms given ids in list order (first seen first)."""
    table = TermTable()
    assert [table.intern(t) for t in terms] == list(range(len(terms)))
    return _WorkerState.sorted_terms(SimpleNamespace(terms=table))  # type: ignore[arg-type]


def test_a_worker_sends_its_terms_in_byte_order() -> None:
    terms = ["b", "\u044f", "a", "\ud800x", "\U0001f600", "ab", "\ue000", "z", ""]
    sent = _sorted_terms(terms)
    expected = sorted(range(len(terms)), key=lambda i: terms[i].encode("utf-8", "surrogatepass"))
    assert sent.ids.tolist() == expected
    encoded = [terms[i].encode("utf-8", "surrogatepass") for i in expected]
    assert sent.blob == b"".join(encoded)
    assert np.diff(sent.offsets).tolist() == [len(t) for t in encoded]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_union_is_the_byte_ordered_vocabulary_and_maps_every_worker_id(workers: int) -> None:
    rng = random.Random(workers)
    pool = [
        "".join(rng.choice("abé\u044f\U0001f600z") for _ in range(rng.randint(1, 6)))
        for _ in range(400)
    ] + ["", "a", "ab", "\ud800x"]
    lists = [rng.sample(sorted(set(pool)), rng.randint(0, 150)) for _ in range(workers)]
    vocab, maps = _union([_sorted_terms(terms) for terms in lists])
    expected = sorted({t.encode("utf-8", errors="surrogatepass") for ts in lists for t in ts})
    assert [t.encode("utf-8", errors="surrogatepass") for t in vocab.terms()] == expected
    for terms, mapping in zip(lists, maps, strict=True):
        assert mapping.dtype == np.int32
        assert [vocab.term(int(i)) for i in mapping] == terms


def test_union_of_no_workers_is_empty() -> None:
    vocab, maps = _union([])
    assert vocab.size == 0
    assert maps == []
