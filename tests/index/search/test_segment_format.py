"""Segment formats: format 2 keeps only the tfs of tf ≥ 2 runs; format-1 segments (a tf per
posting) are still read and give the same answers; an unknown format says to reindex."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexUnavailableError
from index.models import DocRecord
from index.search import SearchIndex
from index.search import segments as store
from index.search.packed import PackedRows
from index.search.postings import expand_tf
from tests.comparison.test_bm25okapi_parity import assert_parity, random_corpus, random_queries


def _base_dir(index_dir: Path) -> Path:
    pointer = store.read_current(index_dir)
    assert pointer is not None
    return index_dir / pointer.generation / "base"


def _rewrite_json(path: Path, change: dict) -> None:
    data = json.loads(path.read_bytes())
    data.pop("checksum")
    data.update(change)
    path.write_text(json.dumps(dict(data, checksum=store._digest(data)), sort_keys=True))


def _as_format_1(index_dir: Path) -> None:
    """Rewrite the current generation as format 1 wrote it: a tf for every posting."""
    base = _base_dir(index_dir)
    data = store.read_segment(base, prefault=False)
    full = expand_tf(data.postings, data.tier_split, data.tf_starts).astype(np.uint16)
    np.save(base / "tf.npy", full)
    rows = np.asarray(data.postings.doc_rows)  # int32 rows, as before format 5
    np.save(base / "doc_rows.npy", rows)
    meta = json.loads((base / "segment.json").read_bytes())
    arrays = {k: v for k, v in meta["arrays"].items() if k not in store._PACKED_ARRAYS}
    tf_meta = {"dtype": full.dtype.str, "shape": [full.size], "crc32": None}
    rows_meta = {"dtype": rows.dtype.str, "shape": [rows.size], "crc32": None}
    arrays |= {"tf": tf_meta, "doc_rows": rows_meta}
    # format 6's compact arrays as the earlier formats stored them (and format 7's offsets)
    for name in ("tier_multi", "tier_multi_wide", "vocab_lengths", "run_offsets"):
        arrays.pop(name, None)
        (base / f"{name}.npy").unlink(missing_ok=True)
    for name, array in (
        ("passage_ids", data.passage_ids.astype(np.int64)),
        ("tier_split", data.tier_split),
        ("vocab_offsets", data.vocab.offsets),
    ):
        np.save(base / f"{name}.npy", array)
        arrays[name] = {"dtype": array.dtype.str, "shape": [array.size], "crc32": None}
    meta.pop("passage_ids_first", None)
    meta.pop("first_row_bytes", None)
    meta.pop("checksum")
    (base / "segment.json").write_text(
        json.dumps(dict(meta, checksum=store._digest(meta)), sort_keys=True)
    )
    _rewrite_json(base / "segment.json", {"format": 1, "arrays": arrays})
    for path in [index_dir / "CURRENT", *base.parent.glob("manifest-*.json")]:
        _rewrite_json(path, {"format": 1})


def test_tfs_of_unit_runs_are_not_stored(tmp_path: Path) -> None:
    docs = random_corpus(11, 400)
    SearchIndex.build(tmp_path / "index", docs)
    data = store.read_segment(_base_dir(tmp_path / "index"), prefault=False)
    n_multi = int((data.tier_split - data.postings.indptr[:-1]).sum())
    assert 0 < data.postings.tf.size == n_multi < data.postings.doc_rows.size
    assert np.all(data.postings.tf > 1)


def test_format_1_index_is_read_and_answers_the_same(tmp_path: Path) -> None:
    docs = random_corpus(12, 500)
    queries = random_queries(12, 40)
    fresh = SearchIndex.build(tmp_path / "new", docs)
    SearchIndex.build(tmp_path / "old", docs)
    _as_format_1(tmp_path / "old")
    old = SearchIndex.load(tmp_path / "old")
    assert store.read_segment(_base_dir(tmp_path / "old")).tf_starts is not None
    for terms in queries:
        assert old.search(terms, 10) == fresh.search(terms, 10)
    assert_parity(old, docs, queries)
    # deltas, removals and a merge on top of a format-1 base
    extra = [DocRecord(10_000 + i, 1, -1, docs[i].terms * 2) for i in range(5)]
    for index in (old, fresh):
        index.add(extra)
        index.remove([docs[0].passage_id, docs[1].passage_id])
        index.merge()
    for terms in queries:
        assert old.search(terms, 10) == fresh.search(terms, 10)


def test_unknown_format_says_to_reindex_in_one_line(tmp_path: Path) -> None:
    SearchIndex.build(tmp_path / "index", random_corpus(13, 50))
    _rewrite_json(_base_dir(tmp_path / "index") / "segment.json", {"format": 99})
    with pytest.raises(IndexUnavailableError) as raised:
        SearchIndex.load(tmp_path / "index")
    message = str(raised.value)
    assert "format 99" in message and "newsdesk reindex" in message and "\n" not in message


def test_per_term_scores_read_compact_and_format_1_tfs_alike(tmp_path: Path) -> None:
    docs = random_corpus(14, 400)
    fresh = SearchIndex.build(tmp_path / "new", docs)
    SearchIndex.build(tmp_path / "old", docs)
    _as_format_1(tmp_path / "old")
    old = SearchIndex.load(tmp_path / "old")
    ids = [d.passage_id for d in docs[::3]]
    repeated = [t for d in docs[:40] for t in set(d.terms) if d.terms.count(t) > 1]
    assert repeated  # terms with tf ≥ 2 runs are among those scored
    terms = sorted(set(repeated))[:25]
    per_term = fresh.term_scores(terms, ids)
    assert np.array_equal(per_term, old.term_scores(terms, ids))
    for i, term in enumerate(terms):
        assert np.array_equal(per_term[i], fresh.score_passages([term], ids))


def test_lengths_are_stored_narrow_and_queried_in_place(tmp_path: Path) -> None:
    docs = random_corpus(15, 300)
    index = SearchIndex.build(tmp_path / "index", docs)
    data = index._state.base.data
    assert data.doc_len.dtype == np.uint8  # random_corpus passages are short
    assert np.array_equal(data.doc_len, [len(d.terms) for d in docs])  # ids ascend
    # the mapped file is the per-row table queries read, not a copy of it
    assert np.shares_memory(index._state.stats[0].lengths, data.doc_len)
    longer = [DocRecord(1, 1, -1, ("w",) * 300)]
    wide = SearchIndex.build(tmp_path / "wide", longer)._state.base.data.doc_len
    assert wide.dtype == np.uint16 and wide.tolist() == [300]


def test_int32_lengths_of_earlier_segments_answer_the_same(tmp_path: Path) -> None:
    docs = random_corpus(16, 400)
    queries = random_queries(16, 30)
    fresh = SearchIndex.build(tmp_path / "new", docs)
    SearchIndex.build(tmp_path / "old", docs)
    base = _base_dir(tmp_path / "old")
    lengths = np.load(base / "doc_len.npy").astype(np.int32)
    np.save(base / "doc_len.npy", lengths)
    meta = json.loads((base / "segment.json").read_bytes())
    meta["arrays"]["doc_len"] = {"dtype": "<i4", "shape": [lengths.size], "crc32": None}
    _rewrite_json(base / "segment.json", {"arrays": meta["arrays"]})
    old = SearchIndex.load(tmp_path / "old")
    assert old._state.base.data.doc_len.dtype == np.int32
    for terms in queries:
        assert old.search(terms, 10) == fresh.search(terms, 10)
    assert_parity(old, docs, queries)


def _without_block_bounds(index_dir: Path) -> None:
    """Rewrite the current base as written before block bounds: no ``block_min_len``."""
    base = _base_dir(index_dir)
    meta = json.loads((base / "segment.json").read_bytes())
    arrays = {k: v for k, v in meta["arrays"].items() if k != "block_min_len"}
    (base / "block_min_len.npy").unlink()
    _rewrite_json(base / "segment.json", {"arrays": arrays})
    data = json.loads((base / "segment.json").read_bytes())
    del data["block_postings"], data["checksum"]
    (base / "segment.json").write_text(json.dumps(dict(data, checksum=store._digest(data))))


def test_block_bounds_are_written_and_an_index_without_them_answers_the_same(
    tmp_path: Path,
) -> None:
    docs = random_corpus(15, 600)
    queries = random_queries(15, 40)
    fresh = SearchIndex.build(tmp_path / "new", docs)
    data = store.read_segment(_base_dir(tmp_path / "new"), prefault=False)
    assert data.block_min_len is not None
    assert data.block_min_len.size == -(-data.postings.doc_rows.size // data.block_postings)
    SearchIndex.build(tmp_path / "old", docs)
    _without_block_bounds(tmp_path / "old")
    old = SearchIndex.load(tmp_path / "old")
    assert old._state.base.data.block_min_len is None
    for terms in queries:
        assert old.search(terms, 10) == fresh.search(terms, 10)
    assert_parity(old, docs, queries)
    # a merge writes a new base, with block bounds again
    old.add([DocRecord(20_000, 1, -1, docs[3].terms)])
    old.merge()
    assert SearchIndex.load(tmp_path / "old")._state.base.data.block_min_len is not None


def test_block_bounds_of_the_wrong_size_say_to_reindex(tmp_path: Path) -> None:
    SearchIndex.build(tmp_path / "index", random_corpus(16, 80))
    _rewrite_json(_base_dir(tmp_path / "index") / "segment.json", {"block_postings": 7})
    with pytest.raises(IndexUnavailableError, match="newsdesk reindex"):
        SearchIndex.load(tmp_path / "index")


def test_format_2_segments_are_read_and_answer_as_packed_ones_bit_for_bit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 5 packs the doc rows (``packed``); segments written before (int32
    ``doc_rows``) are still read, and every query path gives the same ids and score bits,
    through deltas, removals and a merge (which writes format 5)."""
    docs = random_corpus(17, 700)
    queries = random_queries(17, 40)
    packed_index = SearchIndex.build(tmp_path / "new", docs)
    with monkeypatch.context() as patch:
        patch.setattr(store, "FORMAT_VERSION", 2)
        SearchIndex.build(tmp_path / "old", docs)
    base = _base_dir(tmp_path / "old")
    assert (base / "doc_rows.npy").exists() and not (base / "row_data.npy").exists()
    assert (_base_dir(tmp_path / "new") / "row_data.npy").exists()
    old = SearchIndex.load(tmp_path / "old")
    assert isinstance(packed_index._state.base.data.postings.doc_rows, PackedRows)
    ids = [d.passage_id for d in docs[::4]]

    def answers(index: SearchIndex) -> list:
        return _answers(index, queries, ids, ids[1:])  # ids[0] is removed below

    assert answers(old) == answers(packed_index)
    assert_parity(packed_index, docs, queries)
    extra = [DocRecord(20_000 + i, 1, -1, docs[i].terms * 2) for i in range(5)]
    for index in (old, packed_index):
        index.add(extra)
        index.remove([docs[0].passage_id, docs[3].passage_id])
    assert answers(old) == answers(packed_index)
    for index in (old, packed_index):
        index.merge()
    assert isinstance(old._state.base.data.postings.doc_rows, PackedRows)
    assert answers(old) == answers(packed_index)


@pytest.mark.parametrize("gap", [False, True], ids=["ids-without-gaps", "ids-with-a-gap"])
def test_format_5_segments_are_read_and_answer_as_format_6_ones_bit_for_bit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gap: bool
) -> None:
    """Format 6 stores passage ids without gaps as their first id, ids and days narrow, the
    tier split and the vocabulary offsets as counts; format 5 is still read, and both answer
    the same through deltas, removals and a merge (which writes format 6)."""
    # ids with a gap are stored (uint32), ids without one as the first id
    docs = [
        DocRecord(1 + i + (10**6 if gap and i > 250 else 0), d.article_id, i, d.terms)
        for i, d in enumerate(random_corpus(23, 500))
    ]
    queries = random_queries(23, 30)
    monkeypatch.setattr(store, "FORMAT_VERSION", 6)  # format 7 has its own test below
    new, old = _built_new_and_old(tmp_path, docs, monkeypatch, old_format=5)
    new_base, old_base = _base_dir(tmp_path / "new"), _base_dir(tmp_path / "old")
    assert (new_base / "passage_ids.npy").exists() == gap
    assert not (new_base / "tier_split.npy").exists() and (old_base / "tier_split.npy").exists()
    new_data, old_data = new._state.base.data, old._state.base.data
    for name in ("passage_ids", "article_ids", "published_days", "tier_split"):
        assert np.array_equal(getattr(new_data, name), getattr(old_data, name)), name
    assert np.array_equal(new_data.vocab.offsets, old_data.vocab.offsets)
    _assert_same_answers_through_changes(old, new, docs, queries, (), removed=(0, 3))


def test_format_6_segments_are_read_and_answer_as_format_7_ones_bit_for_bit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 7 stores runs of one block inline (no skip entry); format 6 is still read, and
    both answer the same through deltas, removals and a merge (which writes format 7)."""
    # a vocabulary of many rare terms, so that most runs are one block, as at a million
    docs = [
        DocRecord(1 + i, d.article_id, i, (*d.terms, f"rare{i % 97}", f"rarer{i}"))
        for i, d in enumerate(random_corpus(29, 600))
    ]
    queries = [
        [*q, f"rare{i % 97}", f"rarer{3 * i}"] for i, q in enumerate(random_queries(29, 40))
    ]
    new, old = _built_new_and_old(tmp_path, docs, monkeypatch, old_format=6)
    new_base, old_base = _base_dir(tmp_path / "new"), _base_dir(tmp_path / "old")
    assert (new_base / "run_offsets.npy").exists() and not (old_base / "run_offsets.npy").exists()
    new_rows = new._state.base.data.postings.doc_rows
    old_rows = old._state.base.data.postings.doc_rows
    assert isinstance(new_rows, PackedRows) and isinstance(old_rows, PackedRows)
    assert new_rows.first_bytes == 3 and old_rows.first_bytes == 0
    assert new_rows.skips.shape[0] < old_rows.skips.shape[0] // 2
    assert np.array_equal(np.asarray(new_rows), np.asarray(old_rows))
    assert store.segment_bytes(new_base) < store.segment_bytes(old_base)
    _assert_same_answers_through_changes(old, new, docs, queries, ("rare3",), removed=(0, 3))
    merged = old._state.base.data.postings.doc_rows
    assert isinstance(merged, PackedRows) and merged.first_bytes == 3  # written as format 7


def test_format_6_counts_of_the_wrong_size_say_to_reindex(tmp_path: Path) -> None:
    SearchIndex.build(tmp_path / "index", random_corpus(5, 100))
    base = _base_dir(tmp_path / "index")
    meta = json.loads((base / "segment.json").read_bytes())
    short = np.zeros(meta["n_terms"] - 1, dtype=np.uint8)
    np.save(base / "tier_multi.npy", short)
    arrays = dict(meta["arrays"])
    arrays["tier_multi"] = {"dtype": short.dtype.str, "shape": [short.size], "crc32": None}
    _rewrite_json(base / "segment.json", {"arrays": arrays})
    with pytest.raises(IndexUnavailableError, match="newsdesk reindex"):
        SearchIndex.load(tmp_path / "index")


def _escape_corpus() -> list[DocRecord]:
    """A corpus with terms of 300 and 255 tf ≥ 2 postings (escaped in format 7's one-byte
    counts) and one of 254 (not), among the random ones."""
    docs = []
    for i, d in enumerate(random_corpus(31, 600)):
        extra = ["under"] * (2 if i < 254 else 1)
        if i < 300:
            extra += ["pair", "pair"]
        if i % 2 == 0 and i < 510:
            extra += ["edge", "edge", "edge"]
        docs.append(DocRecord(1 + i, d.article_id, i, (*d.terms, *extra)))
    return docs


def test_format_7_counts_of_255_or_more_escape_to_a_side_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 7 stores each term's tf ≥ 2 count in a byte: 255 or more as 255, the count in
    ``tier_multi_wide`` (term id, count). Such terms are found, scored and merged as format
    6's uint16 counts are, bit for bit."""
    docs = _escape_corpus()
    queries = [
        [*q, ["pair", "edge", "under"][i % 3]] for i, q in enumerate(random_queries(31, 45))
    ]
    queries += [["pair"], ["edge"], ["under"], ["pair", "edge", "under", "usual"]]
    new, old = _built_new_and_old(tmp_path, docs, monkeypatch, old_format=6)
    new_base, old_base = _base_dir(tmp_path / "new"), _base_dir(tmp_path / "old")
    assert np.load(old_base / "tier_multi.npy").dtype == np.uint16
    assert not (old_base / "tier_multi_wide.npy").exists()
    narrow = np.load(new_base / "tier_multi.npy")
    wide = np.load(new_base / "tier_multi_wide.npy")
    assert narrow.dtype == np.uint8
    data = old._state.base.data
    counts = np.asarray(data.tier_split, np.int64) - np.asarray(data.postings.indptr[:-1])
    vocab = data.vocab
    assert [counts[vocab.lookup(t)] for t in ("pair", "edge", "under")] == [300, 255, 254]
    assert np.array_equal(wide[:, 0], np.flatnonzero(counts >= 255))
    assert np.array_equal(wide[:, 1], counts[counts >= 255])
    assert np.array_equal(narrow, np.minimum(counts, 255))
    new_split = new._state.base.data.tier_split
    assert np.array_equal(np.asarray(new_split), np.asarray(data.tier_split))
    assert [new_split.item(vocab.lookup(t)) for t in ("pair", "edge")] == [
        data.tier_split[vocab.lookup(t)] for t in ("pair", "edge")
    ]
    _assert_same_answers_through_changes(old, new, docs, queries, ("pair",), removed=(0, 3, 4))
    merged = _base_dir(tmp_path / "old")
    assert np.load(merged / "tier_multi.npy").dtype == np.uint8  # written as format 7
    merged_data = old._state.base.data
    split, indptr = np.asarray(merged_data.tier_split), merged_data.postings.indptr
    merged_counts = split.astype(np.int64) - np.asarray(indptr[:-1])
    merged_wide = np.load(merged / "tier_multi_wide.npy")
    assert merged_wide.shape[0] >= 1
    assert np.array_equal(merged_wide[:, 0], np.flatnonzero(merged_counts >= 255))


def _damage_wide(base: Path, how: str) -> None:
    """Rewrite format 7's escaped counts (or their byte) as damaged ``how``."""
    meta = json.loads((base / "segment.json").read_bytes())
    arrays = dict(meta["arrays"])
    narrow = np.load(base / "tier_multi.npy")
    wide = np.load(base / "tier_multi_wide.npy")
    assert wide.shape[0] >= 2
    if how == "missing":
        arrays.pop("tier_multi_wide")
        (base / "tier_multi_wide.npy").unlink()
    else:
        if how == "empty":
            wide = wide[:0]
        elif how == "unordered":
            wide = wide[::-1].copy()
        elif how == "not an escape":
            wide[0, 0] = int(np.flatnonzero(narrow < 255)[0])
        elif how == "out of range":
            wide[-1, 0] = narrow.size + 3
        elif how == "small count":
            wide[0, 1] = 254
        elif how == "one column":
            wide = wide[:, :1].copy()
        elif how == "byte":
            narrow[int(wide[0, 0])] = 254
            np.save(base / "tier_multi.npy", narrow)
            arrays["tier_multi"] = dict(arrays["tier_multi"], crc32=None)
        np.save(base / "tier_multi_wide.npy", wide)
        arrays["tier_multi_wide"] = {
            "dtype": wide.dtype.str,
            "shape": list(wide.shape),
            "crc32": None,
        }
    _rewrite_json(base / "segment.json", {"arrays": arrays})


@pytest.mark.parametrize(
    "how",
    [
        "missing",
        "empty",
        "unordered",
        "not an escape",
        "out of range",
        "small count",
        "one column",
        "byte",
    ],
)
def test_format_7_escaped_counts_that_do_not_match_say_to_reindex(
    tmp_path: Path, how: str
) -> None:
    SearchIndex.build(tmp_path / "index", _escape_corpus())
    _damage_wide(_base_dir(tmp_path / "index"), how)
    with pytest.raises(IndexUnavailableError, match="newsdesk reindex"):
        SearchIndex.load(tmp_path / "index")


def _built_new_and_old(
    tmp_path: Path, docs: list[DocRecord], monkeypatch: pytest.MonkeyPatch, old_format: int
) -> tuple[SearchIndex, SearchIndex]:
    """The same passages built in the format now written (``tmp_path / "new"``) and in
    ``old_format`` (``tmp_path / "old"``, loaded back as a reader of that format would)."""
    new = SearchIndex.build(tmp_path / "new", docs)
    with monkeypatch.context() as patch:
        patch.setattr(store, "FORMAT_VERSION", old_format)
        SearchIndex.build(tmp_path / "old", docs)
    return new, SearchIndex.load(tmp_path / "old")


def _assert_same_answers_through_changes(
    old: SearchIndex,
    new: SearchIndex,
    docs: list[DocRecord],
    queries: list[list[str]],
    added_terms: tuple[str, ...],
    removed: tuple[int, ...],
) -> None:
    """``old`` and ``new`` (one format each, same passages) answer alike, ``new`` with
    rank_bm25's scores, then alike again after the same additions (each holding
    ``added_terms`` too) and removals (of ``docs`` at ``removed``), and after a merge."""
    ids = [d.passage_id for d in docs[1::5]] + [3 * 10**9, -1]

    def answers(index: SearchIndex) -> list:
        return _answers(index, queries, ids, ids[:-2])

    assert answers(old) == answers(new)
    assert_parity(new, docs, queries)
    extra = [DocRecord(5 * 10**6 + i, 1, -1, (*docs[i].terms, *added_terms) * 2) for i in range(5)]
    for index in (old, new):
        index.add(extra)
        index.remove([docs[i].passage_id for i in removed])
    assert answers(old) == answers(new)
    for index in (old, new):
        index.merge()
    assert answers(old) == answers(new)


def _answers(
    index: SearchIndex,
    queries: list[list[str]],
    ids: list[int],
    indexed_ids: list[int],
) -> list:
    """What two indexes of one corpus must answer alike, scores as exact bits: each query's
    top 10 (also within a day range) and its scores for ``ids``, every query term's scores
    for ``ids``, the live passages, and the articles of ``indexed_ids``."""
    out: list = []
    for terms in queries:
        top = index.top_passages(terms, 10)
        out.append((top.passage_ids.tolist(), [s.hex() for s in top.scores.tolist()]))
        out.append([s.hex() for s in index.score_passages(terms, ids).tolist()])
        out.append(index.top_passages(terms, 10, day_range=(100, 300)).passage_ids.tolist())
    out.append(index.term_scores(sorted({t for q in queries for t in q}), ids).tobytes())
    out.append(index.live_passage_ids().tolist())
    out.append(index.articles_of(indexed_ids).tolist())
    return out
