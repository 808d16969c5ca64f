"""Postings construction: CSR from tokens, tf runs, bounds, vocabulary lookups."""

from __future__ import annotations

import numpy as np
import pytest

from index.search import postings as postings_module
from index.search.postings import (
    BlockMinLengths,
    Vocabulary,
    block_min_lengths,
    build_postings,
    postings_from_pairs,
    sort_vocabulary,
    term_bounds,
    tier_postings,
)


def test_build_postings_counts_tf_and_sorts_rows() -> None:
    # doc 0: a a b ; doc 1: b ; doc 2: a
    terms = np.array([0, 0, 1, 1, 0])
    rows = np.array([0, 0, 0, 1, 2])
    postings = build_postings(terms, rows, n_terms=3, n_docs=3)
    assert postings.indptr.tolist() == [0, 2, 4, 4]
    assert postings.doc_rows.tolist() == [0, 2, 0, 1]
    assert postings.tf.tolist() == [2, 1, 1, 1]
    again = postings_from_pairs(
        np.array([1, 0, 1, 0]), np.array([1, 2, 0, 0]), np.array([1, 1, 1, 2]), 3, 3
    )
    assert again.indptr.tolist() == postings.indptr.tolist()
    assert again.doc_rows.tolist() == postings.doc_rows.tolist()
    assert again.tf.tolist() == postings.tf.tolist()


def test_tiers_put_tf_above_one_first_and_keep_each_run_sorted() -> None:
    rng = np.random.default_rng(5)
    terms = rng.integers(0, 20, 3000)
    rows = rng.integers(0, 200, 3000)
    postings = build_postings(terms, rows, n_terms=21, n_docs=200)
    tiered, split = tier_postings(postings)
    doc_len = rng.integers(1, 50, 200).astype(np.int32)
    max_tf, min_dl, min_dl_unit = term_bounds(tiered, split, doc_len)
    for t in range(21):
        lo, hi, mid = postings.indptr[t], postings.indptr[t + 1], split[t]
        before = dict(zip(postings.doc_rows[lo:hi], postings.tf[lo:hi], strict=True))
        after = dict(zip(tiered.doc_rows[lo:hi], tiered.tf[lo:hi], strict=True))
        assert before == after
        multi, unit = tiered.doc_rows[lo:mid], tiered.doc_rows[mid:hi]
        assert (np.diff(multi) > 0).all() and (np.diff(unit) > 0).all()
        assert (tiered.tf[lo:mid] > 1).all() and (tiered.tf[mid:hi] == 1).all()
        if mid > lo:
            assert max_tf[t] == tiered.tf[lo:mid].max()
            assert min_dl[t] == doc_len[multi].min()
        if hi > mid:
            assert min_dl_unit[t] == doc_len[unit].min()


def test_vocabulary_lookup_finds_every_term_and_only_those() -> None:
    terms = ["zelenskyy", "київ", "киев", "@d2024-07-14", "a", "ab", "~zelensk"]
    vocab, rank = sort_vocabulary(terms)
    for first_seen, term in enumerate(terms):
        assert vocab.lookup(term) == rank[first_seen]
        assert vocab.term(int(rank[first_seen])) == term
    assert vocab.lookup("missing") == -1
    assert vocab.lookup("") == -1
    assert vocab.terms() == sorted(terms, key=lambda t: t.encode())
    empty = Vocabulary.from_sorted([])
    assert empty.lookup("x") == -1 and empty.terms() == []


def test_vocabulary_lookup_matches_a_dict_across_sample_blocks() -> None:
    """Block bisection (sampled terms) finds every term and nothing else, at block edges too."""
    rng = np.random.default_rng(3)
    letters = list("abcdéжz")
    words = {"".join(rng.choice(letters, size=int(rng.integers(1, 7)))) for _ in range(3_000)}
    encoded = sorted(w.encode() for w in words)
    vocab = Vocabulary.from_sorted(encoded)
    ids = {w.decode(): i for i, w in enumerate(encoded)}
    probes = list(ids) + [w + "q" for w in ids] + ["", "\x00", "ё", "zzzzzzzzzz", "a" * 30]
    for word in probes:
        assert vocab.lookup(word) == ids.get(word, -1), word


def test_with_prefix_returns_the_terms_a_prefix_begins_in_order() -> None:
    rng = np.random.default_rng(11)
    letters = list("абвгдstuv")
    words = {"".join(rng.choice(letters, rng.integers(1, 7))) for _ in range(900)}
    encoded = sorted(w.encode("utf-8") for w in words)
    vocab = Vocabulary.from_sorted(encoded)
    ordered = [e.decode("utf-8") for e in encoded]
    for prefix in ["а", "аб", "вгд", "s", "stu", "ё", "vvvvvvvv", "", ordered[0], ordered[-1]]:
        expected = [t for t in ordered if t.startswith(prefix)] if prefix else []
        assert vocab.with_prefix(prefix, 10_000) == expected
        assert vocab.with_prefix(prefix, 3) == expected[:3]
    assert Vocabulary.from_sorted([]).with_prefix("a", 5) == []


@pytest.mark.parametrize("block", [1, 5, 32])
def test_block_min_lengths_are_each_blocks_shortest_document(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postings_module, "_BLOCK_CHUNK", 64)  # many steps, some partial
    rng = np.random.default_rng(5)
    doc_len = rng.integers(0, 400, 50).astype(np.int32)
    rows = rng.integers(0, 50, 1003).astype(np.int32)
    got = block_min_lengths(rows, doc_len, block)
    clipped = np.minimum(doc_len, 255)[rows]
    expected = [clipped[i : i + block].min() for i in range(0, rows.size, block)]
    assert got.dtype == np.uint8 and got.tolist() == expected
    assert block_min_lengths(np.empty(0, np.int32), doc_len, block).size == 0


def test_block_min_lengths_fed_in_uneven_pieces_equal_the_whole() -> None:
    rng = np.random.default_rng(6)
    doc_len = rng.integers(0, 300, 40).astype(np.int32)
    rows = rng.integers(0, 40, 500).astype(np.int32)
    blocks = BlockMinLengths(doc_len, 7)
    for piece in np.split(rows, [3, 4, 4, 50, 333, 499]):
        blocks.add(piece)
    assert np.array_equal(blocks.finish(), block_min_lengths(rows, doc_len, 7))
