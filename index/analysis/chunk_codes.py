"""Whitespace chunks of many texts → their codes, read from UTF-8 bytes with numpy.

Why this exists (a hand-written replacement of ``str.split`` plus a ``dict`` lookup): the
bulk encoder's cost at a million passages was the per-word Python work, not the analysis.
``str.split`` makes a string object per word (~60 ns) and looking each one up in a
500k-entry dict costs ~150–250 ns, memory-bound, with no way to overlap the misses from
Python. Here a batch's text is encoded once, cut at whitespace bytes with vectorised
comparisons, and every chunk of up to ``KEY_BYTES`` bytes is packed into three 64-bit words
and looked up in an open-addressing table held in numpy arrays, all chunks of the batch at
once. Keys are the chunk's bytes themselves (plus its length), not a hash of them, so a
lookup never confuses two chunks. Chunks seen for the first time, and the rare longer ones,
go through the caller's ``code_of(chunk)`` (the analyzer), whose answers are then stored.

``str.split`` semantics are kept exactly: its whitespace is the ten ASCII bytes of
``_ASCII_SPACE`` plus the non-ASCII characters of ``_UNICODE_SPACE`` (checked against every
code point in the tests), which are replaced by a space before encoding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

#: Longest chunk (in UTF-8 bytes) the table holds; longer ones are looked up by ``code_of``.
KEY_BYTES = 24
_WORDS = KEY_BYTES // 8
_ASCII_SPACE = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_UNICODE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[list(_ASCII_SPACE)] = True
#: ``_MASKS[n]`` keeps the low n bytes of a little-endian word.
_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_LENGTH_MIX = np.uint64(0x27D4EB2F165667C5)
_INITIAL_SLOTS = 1 << 16
_MAX_LOAD = 0.5


class ChunkCodes:
    """An int32 code per distinct chunk, filled on first sight by ``code_of``.

    Args:
        code_of: the code of one chunk (a ``str`` without whitespace); called once per
            distinct chunk while the table keeps it, and for every chunk longer than
            ``KEY_BYTES`` bytes.
        max_entries: the table is emptied (and refilled on demand) beyond this many chunks.

    Layout: the slots hold 4-byte entry numbers; the entries (key words, length, code) are
    dense arrays beside them, as many as the load factor allows. Slots holding the entries
    themselves took 29 bytes a slot, half of them empty (29 MB at 1M slots, twice that while
    the table grew); here 4 bytes a slot and 29 an entry (19 MB at 1M slots). Encoding the
    first 400k passages of the 1M bench corpus: highest resident 174 → 152 MiB, encoding CPU
    the same (9.7–11.8 against 9.8–10.8 s, alternating; docs/performance.md, "Issue 16: build
    peak at 1M, second round").
    """

    def __init__(self, code_of: Callable[[str], int], max_entries: int) -> None:
        self.code_of = code_of
        self.max_entries = max_entries
        self._reset(_INITIAL_SLOTS)

    def __len__(self) -> int:
        return self._count

    def _reset(self, slots: int) -> None:
        self._count = 0
        self._slots = np.full(slots, -1, dtype=np.int32)  # entry index, -1 marks an empty slot
        self._alloc_entries(int(_MAX_LOAD * slots))

    def _alloc_entries(self, capacity: int) -> None:
        """Dense entry arrays for ``capacity`` chunks (the first ``_count`` are kept)."""
        keys = np.zeros((_WORDS, capacity), dtype=np.uint64)
        lengths = np.zeros(capacity, dtype=np.uint8)
        codes = np.zeros(capacity, dtype=np.int32)
        held = self._count
        if held:
            keys[:, :held] = self._keys[:, :held]
            lengths[:held] = self._lengths[:held]
            codes[:held] = self._codes[:held]
        self._keys, self._lengths, self._codes = keys, lengths, codes

    def codes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(code of every chunk, index of its text), in text order: ``str.split`` per text."""
        data = [
            (t if t.isascii() else _UNICODE_SPACE.sub(" ", t)).encode("utf-8", "surrogatepass")
            for t in texts
        ]
        text_starts = np.zeros(len(data) + 1, dtype=np.int64)
        np.cumsum([len(d) + 1 for d in data], out=text_starts[1:])
        blob = b" ".join(data) + b" " * (KEY_BYTES + 8)
        raw = np.frombuffer(blob, dtype=np.uint8)
        space = _IS_SPACE[raw]
        begins = np.flatnonzero(~space[1:] & space[:-1]) + 1
        if raw.size and not space[0]:
            begins = np.concatenate([[0], begins])
        ends = np.flatnonzero(space[1:] & ~space[:-1]) + 1
        owners = (np.searchsorted(text_starts, begins, side="right") - 1).astype(np.int32)
        lengths = ends - begins
        codes = np.empty(begins.size, dtype=np.int32)
        short = lengths <= KEY_BYTES
        if not short.all():
            for i in np.flatnonzero(~short).tolist():
                codes[i] = self.code_of(_text(blob, begins[i], ends[i]))
        positions = np.flatnonzero(short) if not short.all() else None
        starts = begins if positions is None else begins[positions]
        sizes = lengths if positions is None else lengths[positions]
        keys = _pack(raw, starts, sizes)
        found, missing = self._find(keys, sizes)
        if missing.size:
            found[missing] = self._learn(blob, starts[missing], sizes[missing], keys[:, missing])
        if positions is None:
            codes = found
        else:
            codes[positions] = found
        return codes, owners

    def _find(self, keys: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Codes of packed chunks (linear probing, all chunks at once) and where none is."""
        found = np.zeros(sizes.size, dtype=np.int32)
        missing: list[np.ndarray] = []
        mask = self._slots.size - 1
        pending = np.arange(sizes.size)
        slots = _hash(keys, sizes) & mask
        while pending.size:
            entries = self._slots[slots]
            empty = entries < 0
            if empty.any():
                missing.append(pending[empty])
            same = self._lengths[entries] == sizes[pending]  # -1 reads the last entry: unused
            same &= ~empty
            for word in range(_WORDS):
                same &= self._keys[word, entries] == keys[word, pending]
            found[pending[same]] = self._codes[entries[same]]
            again = ~(same | empty)
            pending = pending[again]
            slots = (slots[again] + 1) & mask
        gone = np.concatenate(missing) if missing else np.empty(0, dtype=np.int64)
        return found, gone

    def _learn(
        self, blob: bytes, starts: np.ndarray, sizes: np.ndarray, keys: np.ndarray
    ) -> np.ndarray:
        """Codes of chunks not in the table (asked of ``code_of`` once each), then stored.

        On a cold table most of a batch is missing, so the occurrences are first grouped by
        hash with numpy and only one per group is decoded and analysed. A group whose members
        do not all hold the same bytes (two chunks sharing a 64-bit hash) is not trusted: its
        odd members are resolved one by one by their text.
        """
        _, first, inverse = np.unique(_hash(keys, sizes), return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        same = sizes == sizes[first][inverse]
        for word in range(_WORDS):
            same &= keys[word] == keys[word, first][inverse]
        by_chunk: dict[str, int] = {}
        group_codes = np.empty(first.size, dtype=np.int32)
        for group, (start, size) in enumerate(
            zip(starts[first].tolist(), sizes[first].tolist(), strict=True)
        ):
            chunk = _text(blob, start, start + size)
            group_codes[group] = by_chunk[chunk] = self.code_of(chunk)
        codes = group_codes[inverse]
        new = [first]
        for i in np.flatnonzero(~same).tolist():  # a 64-bit hash shared by two chunks
            start = int(starts[i])
            chunk = _text(blob, start, start + int(sizes[i]))
            if chunk not in by_chunk:
                by_chunk[chunk] = self.code_of(chunk)
                new.append(np.asarray([i]))
            codes[i] = by_chunk[chunk]
        rows = np.concatenate(new)
        if self._count + rows.size > self.max_entries:
            self._reset(_INITIAL_SLOTS)
        self._insert(keys[:, rows], sizes[rows], codes[rows])
        return codes

    def _insert(self, keys: np.ndarray, sizes: np.ndarray, codes: np.ndarray) -> None:
        """Store distinct chunks that are not in the table yet."""
        needed = self._count + sizes.size
        if needed > _MAX_LOAD * self._slots.size:
            self._grow(needed)
        first = self._count
        self._keys[:, first:needed] = keys
        self._lengths[first:needed] = sizes
        self._codes[first:needed] = codes
        self._count = needed
        self._place(np.arange(first, needed, dtype=np.int32))

    def _place(self, entries: np.ndarray) -> None:
        """Give stored entries (not in any slot yet) their slots, by linear probing."""
        mask = self._slots.size - 1
        slots = _hash(self._keys[:, entries], self._lengths[entries]) & mask
        while entries.size:
            free = self._slots[slots] < 0
            # several chunks may want one free slot: the first of them takes it
            _, first = np.unique(slots, return_index=True)
            take = np.zeros(entries.size, dtype=bool)
            take[first] = True
            take &= free
            self._slots[slots[take]] = entries[take]
            again = ~take
            entries = entries[again]
            slots = slots[again]
            slots = np.where(free[again], slots, (slots + 1) & mask)

    def _grow(self, needed: int) -> None:
        slots = self._slots.size
        while needed > _MAX_LOAD * slots:
            slots *= 2
        self._alloc_entries(int(_MAX_LOAD * slots))
        self._slots = np.full(slots, -1, dtype=np.int32)
        self._place(np.arange(self._count, dtype=np.int32))


def _text(blob: bytes, start: int, end: int) -> str:
    return blob[start:end].decode("utf-8", "surrogatepass")


def _pack(raw: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each chunk's bytes as ``_WORDS`` little-endian words, zero past its end."""
    # every byte offset seen as the start of an unaligned 8-byte word (raw is padded)
    words = np.ndarray(shape=(raw.size - 7,), dtype="<u8", buffer=raw.data, strides=(1,))
    keys = np.empty((_WORDS, starts.size), dtype=np.uint64)
    for word in range(_WORDS):
        valid = np.clip(sizes - 8 * word, 0, 8)
        np.bitwise_and(words[starts + 8 * word], _MASKS[valid], out=keys[word])
    return keys


def _hash(keys: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash of packed chunks (only for choosing slots)."""
    h = sizes.astype(np.uint64) * _LENGTH_MIX
    for word in range(_WORDS):
        h ^= keys[word] * _MIX[word]
        h ^= h >> np.uint64(29)
    h *= _MIX[0]
    h ^= h >> np.uint64(32)
    return h
