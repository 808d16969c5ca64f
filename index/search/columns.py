"""Columns a loaded segment computes on demand instead of holding them as arrays.

Why: at a million passages the querying process held, on its heap, arrays that are plain
functions of what the segment files already hold: the passage ids of a segment whose ids run
without a gap (``first + row``, 3.8 MiB as uint32) and each term's tier split (``indptr`` plus
the stored count of tf ≥ 2 postings, 1.9 MiB). A query reads a handful of their values
(``item``); the rare whole-column users (merges, removals, writes, load checks) get the
array through ``__array__``, made for them and dropped after (docs/performance.md, "Issue 16:
query RSS at 1M, second round").
"""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import numpy as np

from index.search import kernels


class _Derived:
    """What a column computed on demand shares: anything but its own fast paths works on the
    array it stands for, made for the call (``__array__``): numpy functions, operators,
    comparisons and the common array methods."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # compared elementwise, as arrays are

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise NotImplementedError

    # The array methods callers use, on the array made for the call. (Not ``__getattr__``:
    # a class with one pays a slower lookup on every attribute, its own slots included:
    # +6% instructions over the bench's 500 questions.)
    def astype(self, dtype: Any, copy: bool = True) -> np.ndarray:
        return np.asarray(self).astype(dtype, copy=copy)

    def tolist(self) -> list:
        return np.asarray(self).tolist()

    def copy(self) -> np.ndarray:
        return np.array(self)

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return np.asarray(self).sum(*args, **kwargs)

    def min(self) -> Any:
        return np.asarray(self).min()

    def max(self) -> Any:
        return np.asarray(self).max()

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return np.asarray(self) == other

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        return np.asarray(self) != other

    def __lt__(self, other: Any) -> Any:
        return np.asarray(self) < other

    def __le__(self, other: Any) -> Any:
        return np.asarray(self) <= other

    def __gt__(self, other: Any) -> Any:
        return np.asarray(self) > other

    def __ge__(self, other: Any) -> Any:
        return np.asarray(self) >= other

    def __add__(self, other: Any) -> Any:
        return np.asarray(self) + other

    def __radd__(self, other: Any) -> Any:
        return other + np.asarray(self)

    def __sub__(self, other: Any) -> Any:
        return np.asarray(self) - other

    def __rsub__(self, other: Any) -> Any:
        return other - np.asarray(self)

    def __iter__(self) -> Any:
        return iter(np.asarray(self))


class IdRange(_Derived):
    """The passage ids ``first, first + 1, …`` of a segment without gaps, as a read-only
    stand-in for the array: indexing, ``take`` and ``item`` give what the array would (the
    same dtype), without holding 4 bytes a passage."""

    __slots__ = ("dtype", "first", "shape", "size")
    ndim = 1

    def __init__(self, first: int, n: int, dtype: type[np.integer]) -> None:
        self.first = int(first)
        self.size = int(n)
        self.shape = (self.size,)
        self.dtype = np.dtype(dtype)

    @property
    def nbytes(self) -> int:
        """Bytes the array would hold."""
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        return self.size

    def item(self, row: int) -> int:
        """The id of ``row`` (negative rows count from the end, as numpy's)."""
        if not -self.size <= row < self.size:
            raise IndexError(f"index {row} is out of bounds for size {self.size}")
        return self.first + (row % self.size)

    def take(self, rows: Any) -> np.ndarray:
        """The ids of ``rows`` (an int array)."""
        rows = np.asarray(rows)
        if not rows.size:
            return np.empty(rows.shape, self.dtype)
        low, high = int(rows.min()), int(rows.max())
        if low < -self.size or high >= self.size:
            raise IndexError(f"index out of bounds for size {self.size}")
        out = rows.astype(np.int64)
        if low < 0:
            out[out < 0] += self.size
        out += self.first
        return out.astype(self.dtype, copy=False)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.dtype.type(self.item(int(key)))
        if isinstance(key, slice):
            start, stop, step = key.indices(self.size)
            return np.arange(self.first + start, self.first + stop, step, dtype=np.int64).astype(
                self.dtype, copy=False
            )
        key = np.asarray(key)
        if key.dtype == np.bool_:
            if key.shape != self.shape:
                raise IndexError("boolean index does not match the ids")
            return self.take(np.flatnonzero(key))
        return self.take(key)

    def searchsorted(self, values: Any, side: str = "left") -> np.ndarray:
        """Where ``values`` would go, as ``np.searchsorted`` on the array."""
        values = np.asarray(values, dtype=np.int64)
        offset = 1 if side == "right" else 0
        return np.clip(values - self.first + offset, 0, self.size).astype(np.intp)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.arange(self.first, self.first + self.size, dtype=np.int64).astype(self.dtype)
        return out if dtype is None else out.astype(dtype, copy=False)


# Format 7's tf ≥ 2 count of a term at or above this is stored as this byte, its value in
# ``EscapedCounts.wide`` (``kernels.count_at`` reads both).
COUNT_ESCAPE = 255


class EscapedCounts(tuple):
    """Each term's count of tf ≥ 2 postings in one byte (format 7): a count of 255 or more is
    stored as 255 and found in ``wide``, the (term id, count) pairs of those terms sorted by
    term id (int64, (k, 2)). At 1M the counts were uint16 (0.96 MiB, nearly all resident
    after the bench's questions); 156 terms reach 255 (docs/performance.md, "Issue 16: query
    RSS at 1M, one-byte tf ≥ 2 counts"). The kernels take it as the pair ``(narrow, wide)``
    it is; ``item`` (from a dict of the escaped terms: the common terms that questions hold
    are the escaped ones) and ``__array__`` serve Python's readers."""

    _escaped: dict[int, int]

    def __new__(cls, narrow: np.ndarray, wide: np.ndarray) -> EscapedCounts:
        self = super().__new__(cls, (narrow, wide))
        pairs = wide.tolist() if wide.ndim == 2 and wide.shape[1] == 2 else []  # else refused
        self._escaped = {term: count for term, count in pairs}
        return self

    def __getnewargs__(self) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[override]
        return self[0], self[1]

    @property
    def narrow(self) -> np.ndarray:
        return self[0]

    @property
    def wide(self) -> np.ndarray:
        return self[1]

    @classmethod
    def of(cls, counts: np.ndarray) -> EscapedCounts:
        """The escaped form of the counts ``counts`` (non-negative integers)."""
        counts = np.asarray(counts, dtype=np.int64)
        escaped = np.flatnonzero(counts >= COUNT_ESCAPE)
        wide = np.empty((escaped.size, 2), dtype=np.int64)
        wide[:, 0] = escaped
        wide[:, 1] = counts[escaped]
        return cls(np.minimum(counts, COUNT_ESCAPE).astype(np.uint8), wide)

    def consistent(self, n_terms: int) -> bool:
        """Whether the two arrays fit each other and ``n_terms`` terms: a uint8 count per
        term, and the escaped terms exactly the bytes 255, in order, each 255 or more."""
        narrow, wide = self.narrow, self.wide
        if narrow.shape != (n_terms,) or narrow.dtype != np.uint8:
            return False
        if wide.dtype != np.int64 or wide.ndim != 2 or wide.shape[1] != 2:
            return False
        escaped = np.flatnonzero(np.asarray(narrow) == COUNT_ESCAPE)
        return bool(np.array_equal(escaped, wide[:, 0]) and np.all(wide[:, 1] >= COUNT_ESCAPE))

    @property
    def shape(self) -> tuple[int]:
        return self.narrow.shape

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.int64)

    def item(self, term: int) -> int:
        """The count of ``term`` (negative terms count from the end, as numpy's)."""
        value = self[0].item(term)
        if value != COUNT_ESCAPE:
            return value
        term %= self[0].shape[0]
        if term not in self._escaped:
            raise IndexError(f"term {term}'s escaped count is missing")
        return self._escaped[term]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.narrow.astype(np.int64)
        out[self.wide[:, 0]] = self.wide[:, 1]
        return out if dtype is None else out.astype(dtype, copy=False)


class TierSplit(_Derived):
    """Each term's tier split (where its tf = 1 run starts) as ``indptr[t] + multi[t]``, from
    the segment's ``indptr`` and its stored count of tf ≥ 2 postings per term (both memory-
    mapped): ``item`` reads two values; the whole column is made for the rare callers that
    want it (``__array__``)."""

    __slots__ = ("_indptr", "_multi", "dtype", "shape", "size")
    ndim = 1

    def __init__(self, indptr: np.ndarray, multi: np.ndarray | EscapedCounts) -> None:
        self._indptr = indptr
        self._multi = multi
        self.size = int(multi.shape[0])
        self.shape = (self.size,)
        self.dtype = indptr.dtype

    @property
    def multi(self) -> np.ndarray | EscapedCounts:
        """Each term's count of tf ≥ 2 postings (as stored; format 7's escaped)."""
        return self._multi

    def __len__(self) -> int:
        return self.size

    def item(self, term: int) -> int:
        """The split of ``term`` (negative terms count from the end, as numpy's)."""
        if term < 0:
            term += self.size  # ``indptr`` is one longer
            if term < 0:
                raise IndexError(f"index {term - self.size} is out of bounds for size {self.size}")
        return self._indptr.item(term) + self._multi.item(term)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.dtype.type(self.item(int(key)))
        return np.asarray(self)[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = (self._indptr[:-1] + np.asarray(self._multi)).astype(self.dtype, copy=False)
        return out if dtype is None else out.astype(dtype, copy=False)


class TermCounts(_Derived):
    """Each term's document frequency, ``indptr[t + 1] - indptr[t]``, from the memory-mapped
    ``indptr`` of a segment with nothing removed (int32 as the array was)."""

    __slots__ = ("_indptr", "shape", "size")
    ndim = 1
    dtype = np.dtype(np.int32)

    def __init__(self, indptr: np.ndarray) -> None:
        self._indptr = indptr
        self.size = max(int(indptr.shape[0]) - 1, 0)
        self.shape = (self.size,)

    def __len__(self) -> int:
        return self.size

    def item(self, term: int) -> int:
        """The frequency of ``term``."""
        if not -self.size <= term < self.size:
            raise IndexError(f"index {term} is out of bounds for size {self.size}")
        term %= self.size
        return self._indptr.item(term + 1) - self._indptr.item(term)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.dtype.type(self.item(int(key)))
        key = np.asarray(key)
        if key.dtype != np.bool_ and key.dtype.kind in "iu":
            if key.size and (int(key.min()) < -self.size or int(key.max()) >= self.size):
                raise IndexError(f"index out of bounds for size {self.size}")
            at = np.where(key < 0, key + self.size, key).astype(np.int64, copy=False)
            return (self._indptr[at + 1] - self._indptr[at]).astype(self.dtype)
        return np.asarray(self)[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.diff(self._indptr).astype(self.dtype)
        return out if dtype is None else out.astype(dtype, copy=False)


# Terms between two checkpoints (``kernels.CHECKPOINT_SHIFT``): a value is its checkpoint plus
# at most 63 narrow counts, summed in C.
CHECKPOINT_EVERY = 64


def _fitting(values_max: int) -> np.dtype:
    """int32 when the largest value fits, as the arrays these columns replace were."""
    return np.dtype(np.int32 if values_max < 1 << 31 else np.int64)


class TermStarts:
    """Per term, its first skip entry (``packed.term_blocks``) and where its tf ≥ 2 tfs start
    in the compact tf array (``postings.compact_tf_starts``), as two columns (``blocks``,
    ``tfs``) computed from ``indptr``, the stored tf ≥ 2 counts and the values at every 64th
    term (``kernels.term_starts``): 16 bytes per 64 terms instead of two int32 arrays of 4
    bytes a term each, and no whole-array temporaries at load (``kernels.term_checkpoints``
    makes the checkpoints in one pass)."""

    __slots__ = ("blocks", "checkpoints", "indptr", "multi", "tfs", "total_blocks", "total_tf")

    def __init__(
        self, indptr: np.ndarray, multi: np.ndarray | EscapedCounts, checkpoints: np.ndarray
    ) -> None:
        n_terms = int(multi.shape[0])
        self.indptr = indptr
        self.multi = multi
        self.checkpoints = checkpoints
        self.total_blocks, self.total_tf = self.at(n_terms)
        self.blocks = StartColumn(self, 0, n_terms + 1, _fitting(self.total_blocks))
        self.tfs = StartColumn(self, 1, n_terms, _fitting(self.total_tf))

    @classmethod
    def build(cls, indptr: np.ndarray, multi: np.ndarray | EscapedCounts) -> TermStarts | None:
        """The columns of a segment; None when a term's tf ≥ 2 count exceeds its postings."""
        n_terms = int(multi.shape[0])
        checkpoints = np.empty((n_terms // CHECKPOINT_EVERY + 1, 2), dtype=np.int64)
        if not kernels.term_checkpoints(indptr, multi, checkpoints):
            return None
        return cls(indptr, multi, checkpoints)

    def at(self, term: int) -> tuple[int, int]:
        """(first skip entry, tf start) of ``term`` (the totals for the term count)."""
        return kernels.term_starts(self.indptr, self.multi, self.checkpoints, term)


class _StartArrays(NamedTuple):
    """What a ``StartColumn`` reads of its owner: the arrays and checkpoints alone."""

    indptr: np.ndarray
    multi: np.ndarray | EscapedCounts
    checkpoints: np.ndarray


class RunStarts:
    """Format 7: per term, where its two runs are (a one-block run by its data offset, a
    longer one by its first skip entry) and where its tf ≥ 2 tfs start.

    A one-block run has no skip entry (``packed``), so its data offset is found from the
    offset stored at every 64th term (``offsets``, 8 bytes per 64 terms) and a walk over the
    runs of the terms between, each a step of its size and width byte (``kernels.
    run_starts``); the skip entries and tf starts come from checkpoints made at load from
    ``indptr`` and the tf ≥ 2 counts, as ``TermStarts``' (``kernels.run_checkpoints``)."""

    __slots__ = (
        "at",
        "checkpoints",
        "indptr",
        "multi",
        "offsets",
        "rows",
        "tfs",
        "total_blocks",
        "total_tf",
    )

    def __init__(
        self,
        indptr: np.ndarray,
        multi: np.ndarray | EscapedCounts,
        offsets: np.ndarray,
        checkpoints: np.ndarray,
        totals: tuple[int, int],
        rows: tuple,
    ) -> None:
        self.indptr = indptr
        self.multi = multi
        self.offsets = offsets
        self.checkpoints = checkpoints
        self.rows = rows
        self.total_blocks, self.total_tf = totals
        # ``at(term)`` → (tf ≥ 2 run, tf = 1 run, tf start): the kernel itself, one call a term
        self.at = partial(kernels.run_starts, indptr, multi, checkpoints, offsets, rows)
        # ``term_starts`` reads these checkpoints' tf starts as it reads ``TermStarts``'. The
        # column's owner is not ``self``: no reference cycle, so a dropped segment's mappings
        # are closed when its last reference goes, not by a garbage collection at any point
        # (whose ``munmap`` releases the GIL: a thread parsing an ``.npy`` header then can
        # meet CPython 3.11's AST recursion check, gh-106905)
        arrays = _StartArrays(indptr, multi, checkpoints)
        self.tfs = StartColumn(arrays, 1, int(multi.shape[0]), _fitting(self.total_tf))

    @classmethod
    def build(
        cls,
        indptr: np.ndarray,
        multi: np.ndarray | EscapedCounts,
        offsets: np.ndarray,
        rows: tuple,
    ) -> RunStarts | None:
        """The runs of a segment whose packed rows are ``rows`` (``(data, skips,
        first_bytes)``); None when a term's tf ≥ 2 count exceeds its postings or the offsets
        do not fit the terms."""
        n_terms = int(multi.shape[0])
        n_checkpoints = n_terms // CHECKPOINT_EVERY + 1
        if offsets.shape != (n_checkpoints,) or offsets.dtype != np.int64:
            return None
        checkpoints = np.empty((n_checkpoints, 2), dtype=np.int64)
        totals = kernels.run_checkpoints(indptr, multi, checkpoints)
        if totals is None:
            return None
        return cls(indptr, multi, offsets, checkpoints, totals, rows)


class StartColumn(_Derived):
    """One of ``TermStarts``' columns."""

    __slots__ = ("_which", "dtype", "owner", "shape", "size")
    ndim = 1

    def __init__(
        self, owner: TermStarts | _StartArrays, which: int, size: int, dtype: np.dtype
    ) -> None:
        self.owner = owner
        self._which = which
        self.size = size
        self.shape = (size,)
        self.dtype = dtype

    def __len__(self) -> int:
        return self.size

    def item(self, term: int) -> int:
        """The value of ``term`` (negative terms count from the end)."""
        if term < 0:
            term += self.size
        if not 0 <= term < self.size:
            raise IndexError(f"index {term} is out of bounds for size {self.size}")
        owner = self.owner
        return kernels.term_starts(owner.indptr, owner.multi, owner.checkpoints, term)[self._which]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.dtype.type(self.item(int(key)))
        return np.asarray(self)[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        owner = self.owner
        multi = np.asarray(owner.multi, dtype=np.int64)
        if self._which == 0:
            sizes = np.diff(np.asarray(owner.indptr, dtype=np.int64))
            per_term = (multi + 127) // 128 + (sizes - multi + 127) // 128
        else:
            per_term = multi[:-1] if self.size else multi
        out = np.zeros(self.size, dtype=np.int64)
        if self.size > 1:
            np.cumsum(per_term[: self.size - 1], out=out[1:])
        out = out.astype(self.dtype, copy=False)
        return out if dtype is None else out.astype(dtype, copy=False)


class PrefixSums(_Derived):
    """``0, c[0], c[0] + c[1], …`` over narrow counts ``c`` (the vocabulary's term lengths,
    memory-mapped) with the sums at every 64th position kept (``kernels.prefix_at``): the
    vocabulary's offsets without 4 bytes a term on the heap, nor a whole-array temporary at
    load (``kernels.prefix_checkpoints``)."""

    __slots__ = ("_checkpoints", "_counts", "dtype", "item", "shape", "size")
    ndim = 1

    def __init__(self, counts: np.ndarray) -> None:
        self._counts = counts
        n = int(counts.shape[0])
        self._checkpoints = np.empty(n // CHECKPOINT_EVERY + 1, dtype=np.int64)
        kernels.prefix_checkpoints(counts, self._checkpoints)
        # ``item(i)``, the sum of the counts before ``i`` (0 ≤ i ≤ counts), is the kernel
        # itself: the vocabulary's bisection calls it a dozen times a new term, and a Python
        # method around it cost more than the sums
        self.item = partial(kernels.prefix_at, counts, self._checkpoints)
        self.size = n + 1
        self.shape = (self.size,)
        self.dtype = _fitting(self.item(n))

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            i = int(key)
            return self.dtype.type(self.item(i + self.size if i < 0 else i))
        if (
            isinstance(key, slice)
            and key.step == CHECKPOINT_EVERY
            and key.start in (None, 0, 1)
            and (key.stop is None or key.stop >= 0)
        ):
            # every 64th offset (the vocabulary's sampled terms' starts, and their ends):
            # the checkpoints, without the whole column
            stop = self.size if key.stop is None else min(key.stop, self.size)
            at = np.arange(key.start or 0, stop, CHECKPOINT_EVERY)
            out = self._checkpoints[: at.size].copy()
            if key.start == 1:
                out += self._counts[at - 1]
            return out.astype(self.dtype, copy=False)
        return np.asarray(self)[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.int64)
        np.cumsum(self._counts, out=out[1:])
        out = out.astype(self.dtype, copy=False)
        return out if dtype is None else out.astype(dtype, copy=False)
