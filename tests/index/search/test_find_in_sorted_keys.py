"""``kernels.find_in_runs`` with keys in ascending order (each search starts where the last
ended) and with keys that fall back: the same pairs as a ``searchsorted`` per run, on int32
and on packed rows; ``kernels.score_in_runs`` writes numpy's parts bit for bit and refuses
indexes out of range; ``score_rows_per_term`` the same bits whatever the order of its rows."""

from __future__ import annotations

import numpy as np
import pytest

from index.search import kernels, packed
from index.search.maxscore import QueryTerm, RowStats, score_rows_per_term
from index.search.postings import Postings
from index.search.scoring import DEFAULT_PARAMS, term_scores

K1_PLUS_1 = DEFAULT_PARAMS.k1 + 1


def _runs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Strictly increasing runs across block edges (empty, one posting, 3,000), and their
    bounds as (lo, hi) pairs."""
    rng = np.random.default_rng(seed)
    sizes = [1, 0, 40, 127, 128, 129, 900, 3000, 3]
    runs = [np.unique(rng.integers(0, 20_000, size)) for size in sizes]
    runs = [run if run.size else np.zeros(0, np.int64) for run in runs]
    ends = np.cumsum([run.size for run in runs])
    bounds = np.stack([ends - [run.size for run in runs], ends], axis=1).astype(np.int64)
    return np.concatenate(runs).astype(np.int32), bounds


def _expected(doc_rows: np.ndarray, bounds: np.ndarray, keys: np.ndarray) -> list[tuple]:
    expected = []
    for r, (lo, hi) in enumerate(bounds.tolist()):
        if hi <= lo:
            continue
        pos = doc_rows[lo : hi - 1].searchsorted(keys) + lo
        expected += [(r, i, p) for i, p in enumerate(pos.tolist()) if doc_rows[p] == keys[i]]
    return expected


def _key_orders(doc_rows: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = np.concatenate(
        [doc_rows[::11], rng.integers(0, 20_000, 300), [-3, 0, 19_999, 2**40, doc_rows[-1]]]
    ).astype(np.int64)
    ascending = np.sort(keys)
    half = ascending.size // 2
    return {
        "ascending": ascending,  # duplicates and out-of-range keys among them
        "random": rng.permutation(keys),
        "two-ascending-stretches": np.concatenate([ascending[half:], ascending[:half]]),
        "descending": ascending[::-1].copy(),
    }


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("order", ["ascending", "random", "two-ascending-stretches", "descending"])
def test_pairs_equal_a_searchsorted_per_run_in_any_key_order(seed: int, order: str) -> None:
    doc_rows, bounds = _runs(seed)
    keys = _key_orders(doc_rows, seed)[order]
    expected = _expected(doc_rows, bounds, keys)
    done = packed.pack(doc_rows, np.concatenate([bounds[:, 0], bounds[-1:, 1]]))
    blocks = np.concatenate([[0], np.cumsum(packed.blocks_of(bounds[:, 1] - bounds[:, 0]))])
    packed_bounds = np.concatenate([bounds, blocks[:-1, None]], axis=1).astype(np.int64)
    forms = ((doc_rows, bounds), ((done.data, done.skips), np.ascontiguousarray(packed_bounds)))
    slots = bounds.shape[0] * keys.size
    for rows, lookup in forms:
        for typed in (keys, keys[(keys >= 0) & (keys < 2**31)].astype(np.int32)):
            out = [np.empty(slots, np.int64) for _ in range(3)]
            found = kernels.find_in_runs(rows, lookup, typed, *out)
            got = list(zip(*(o[:found].tolist() for o in out), strict=True))
            assert got == _expected(doc_rows, bounds, typed)
    assert expected  # the keys do hit rows


def test_per_term_scores_are_the_same_bits_for_rows_in_any_order() -> None:
    doc_rows, bounds = _runs(3)
    n_rows = 20_000
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 60, n_rows).astype(np.int32)
    tf = rng.integers(2, 9, doc_rows.size).astype(np.uint16)
    indptr = np.concatenate([bounds[:, 0], bounds[-1:, 1]]).astype(np.int64)
    postings = Postings(indptr, doc_rows, tf)
    stats = RowStats.of(lengths, 30.0)
    runs = [
        QueryTerm(int(lo), int(hi), 1.0 + r / 7, 0.0, r % 2 == 1)
        for r, (lo, hi) in enumerate(bounds.tolist())
        if hi > lo
    ]
    owners = [r // 2 for r in range(len(runs))]
    distinct = np.unique(np.concatenate([doc_rows[::13], rng.integers(0, n_rows, 200)]))
    rows = rng.permutation(distinct).astype(np.int64)
    shuffled = score_rows_per_term(postings, stats, runs, owners, max(owners) + 1, rows)
    order = rows.argsort()
    ascending = score_rows_per_term(postings, stats, runs, owners, max(owners) + 1, rows[order])
    assert (shuffled != 0).any()
    assert shuffled[:, order].tobytes() == ascending.tobytes()


def _score_args(seed: int) -> dict:
    """``kernels.score_in_runs``' inputs over ``_runs(seed)``: a term per two runs (tf ≥ 2,
    then tf = 1), keys in any order with the column each fills."""
    doc_rows, bounds = _runs(seed)
    rng = np.random.default_rng(seed)
    n_rows = 20_000
    stats = RowStats.of(rng.integers(1, 60, n_rows).astype(np.int32), 30.0)
    tfs = rng.integers(2, 9, doc_rows.size + 5).astype(np.uint16)
    n_runs = bounds.shape[0]
    keys = np.unique(np.concatenate([doc_rows[::9], rng.integers(0, n_rows, 150)]))
    keys = rng.permutation(keys).astype(np.int64)
    return {
        "doc_rows": doc_rows,
        "bounds": bounds,
        "owners": np.arange(n_runs) // 2,
        "shifts": np.full(n_runs, 5, np.int64),
        "weights": 1.0 + np.arange(n_runs) / 7,
        "unit": np.arange(n_runs) % 2 == 1,
        "keys": keys,
        "tfs": tfs,
        "stats": stats,
    }


def _numpy_parts(a: dict) -> np.ndarray:
    """What the kernel must write: ``find_in_runs``'s pairs scored with numpy."""
    doc_rows, bounds, keys, stats = a["doc_rows"], a["bounds"], a["keys"], a["stats"]
    out = np.zeros((int(a["owners"].max()) + 1, keys.size))
    for r, i, p in _expected(doc_rows, bounds, keys):
        row = keys[i : i + 1]
        if a["unit"][r]:
            part = stats.units_of(row) * a["weights"][r]
        else:
            tf = a["tfs"][p + a["shifts"][r] : p + a["shifts"][r] + 1]
            part = term_scores(a["weights"][r], tf, stats.norms_of(row))
        out[a["owners"][r], i] += part[0]
    return out


def _score(a: dict, rows: object, table: np.ndarray, keys: np.ndarray, columns: np.ndarray):
    stats = a["stats"]
    out = np.zeros((int(a["owners"].max()) + 1, a["keys"].size))
    found = kernels.score_in_runs(
        rows,
        table,
        a["weights"],
        a["unit"],
        keys,
        columns,
        a["tfs"],
        stats.lengths,
        stats.norms,
        stats.unit_parts,
        K1_PLUS_1,
        out,
    )
    return found, out


def _tables(a: dict) -> list[tuple[object, np.ndarray]]:
    """The plain and the packed form of the runs with their tables."""
    bounds = a["bounds"]
    base = np.stack([bounds[:, 0], bounds[:, 1], a["owners"], a["shifts"]], 1).astype(np.int64)
    done = packed.pack(a["doc_rows"], np.concatenate([bounds[:, 0], bounds[-1:, 1]]))
    blocks = np.concatenate([[0], np.cumsum(packed.blocks_of(bounds[:, 1] - bounds[:, 0]))])
    with_blocks = np.concatenate([base, blocks[:-1, None]], axis=1).astype(np.int64)
    return [(a["doc_rows"], base), ((done.data, done.skips), np.ascontiguousarray(with_blocks))]


@pytest.mark.parametrize("seed", [4, 5])
def test_score_in_runs_writes_the_numpy_parts_bit_for_bit(seed: int) -> None:
    a = _score_args(seed)
    expected = _numpy_parts(a)
    assert (expected != 0).any()
    order = a["keys"].argsort(kind="stable")
    for rows, table in _tables(a):
        for keys, columns in ((a["keys"], np.arange(a["keys"].size)), (a["keys"][order], order)):
            found, out = _score(a, rows, table, keys, columns)
            assert found == len(_expected(a["doc_rows"], a["bounds"], a["keys"]))
            assert out.tobytes() == expected.tobytes()


def test_score_in_runs_refuses_what_is_out_of_range() -> None:
    a = _score_args(6)
    columns = np.arange(a["keys"].size)
    for rows, table in _tables(a):
        bad_term = table.copy()
        bad_term[2, 2] = 99
        bad_tfs = table.copy()
        bad_tfs[:, 3] = a["tfs"].size  # tf ≥ 2 runs' tfs past the array
        for changed in (bad_term, bad_tfs):
            with pytest.raises(IndexError):
                _score(a, rows, changed, a["keys"], columns)
        with pytest.raises(IndexError):  # a column past ``out``
            _score(a, rows, table, a["keys"], columns + a["keys"].size)
        short = RowStats.of(a["stats"].lengths[:100], 30.0)
        with pytest.raises(IndexError):  # a row past the lengths
            kernels.score_in_runs(
                rows,
                table,
                a["weights"],
                a["unit"],
                a["keys"],
                columns,
                a["tfs"],
                short.lengths,
                short.norms,
                short.unit_parts,
                K1_PLUS_1,
                np.zeros((10, a["keys"].size)),
            )
        with pytest.raises(ValueError):  # a weight missing
            kernels.score_in_runs(
                rows,
                table,
                a["weights"][1:],
                a["unit"],
                a["keys"],
                columns,
                a["tfs"],
                *a["stats"],
                K1_PLUS_1,
                np.zeros((10, a["keys"].size)),
            )
