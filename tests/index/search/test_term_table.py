"""``TermTable``: a build's terms interned by their UTF-8 bytes (``index.search.term_table``)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from index.search.term_table import TermTable


def _utf8(term: str) -> bytes:
    return term.encode("utf-8", "surrogatepass")


def _words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters = "abz\u00e9\u044f\u0456\U0001f600\ud800\ue000-"
    words = {"", "a", "ab", "a" * 300}
    while len(words) < n:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(1, 14))))
    return list(words)


def test_ids_follow_first_sight_and_repeat_for_a_known_term() -> None:
    table = TermTable()
    assert [table.intern(t) for t in ["b", "a", "b", "\ud800x", "\u044f", "a"]] == [
        0,
        1,
        0,
        2,
        3,
        1,
    ]
    assert len(table) == 4
    assert table.terms_from(0) == ("b", "a", "\ud800x", "\u044f")
    assert table.terms_from(2) == ("\ud800x", "\u044f")
    assert table.terms_from(4) == ()
    assert table.term(2) == "\ud800x"


def test_many_terms_survive_the_table_growing() -> None:
    words = _words(20_000, 1)
    table = TermTable()
    assert [table.intern(w) for w in words] == list(range(len(words)))
    assert [table.intern(w) for w in reversed(words)] == list(reversed(range(len(words))))
    assert list(table.terms_from(0)) == words
    assert table.nbytes >= sum(len(_utf8(w)) for w in words)


def test_sorted_terms_are_in_byte_order_with_their_ids() -> None:
    words = _words(5_000, 2)
    table = TermTable()
    for w in words:
        table.intern(w)
    blob, offsets, ids = table.sorted_terms()
    expected = sorted(range(len(words)), key=lambda i: _utf8(words[i]))
    assert ids.dtype == np.int32 and ids.tolist() == expected
    assert offsets.dtype == np.int64 and offsets.size == len(words) + 1
    assert [blob[offsets[k] : offsets[k + 1]] for k in range(len(words))] == [
        _utf8(words[i]) for i in expected
    ]
    # byte order is code point order: the order the str terms sorted in before
    assert [words[i] for i in expected] == sorted(words)


def test_sort_ids_orders_a_subset_and_refuses_unknown_ids() -> None:
    words = _words(3_000, 3)
    table = TermTable()
    for w in words:
        table.intern(w)
    subset = np.asarray(random.Random(4).sample(range(len(words)), 1_000), dtype=np.int32)
    got = table.sort_ids(subset)
    assert got.tolist() == sorted(subset.tolist(), key=lambda i: _utf8(words[i]))
    assert subset.tolist() != got.tolist()  # a new array; the argument is untouched
    assert table.sort_ids(np.empty(0, np.int32)).size == 0
    with pytest.raises(IndexError):
        table.sort_ids(np.asarray([0, len(words)], dtype=np.int32))
    with pytest.raises(IndexError):
        table.sort_ids(np.asarray([-1], dtype=np.int32))
    with pytest.raises(IndexError):
        table.term(len(words))


def test_an_empty_table_and_wrong_arguments() -> None:
    table = TermTable()
    blob, offsets, ids = table.sorted_terms()
    assert blob == b"" and offsets.tolist() == [0] and ids.size == 0
    with pytest.raises(TypeError):
        table.intern(b"bytes")  # type: ignore[arg-type]
