"""``ChunkCodes``: ``str.split`` plus a dict lookup, read from UTF-8 bytes with numpy."""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import pytest

from index.analysis import chunk_codes
from index.analysis.chunk_codes import KEY_BYTES, ChunkCodes

PIECES = [
    "word",
    "Kyiv,",
    "Київ",
    "Зеленського",
    "прем'єр-міністр",
    "a" * (KEY_BYTES - 1),
    "b" * KEY_BYTES,
    "c" * (KEY_BYTES + 1),
    "ж" * 12,  # 24 bytes
    "ж" * 13,  # 26 bytes: longer than a key
    "https://example.org/a/very/long/path?query=1",
    "nul\x00byte",
    "nul",
    "emoji🙂",
    "🙂",
    "lone\ud800surrogate",
    "x",
    "\u00e9t\u00e9",
    "tab\u200bjoined",  # zero-width space is not whitespace
]


class _Recorder:
    """A code per distinct chunk in first-seen order, counting how often each is asked."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.asked: Counter[str] = Counter()

    def __call__(self, chunk: str) -> int:
        assert chunk and not any(c.isspace() for c in chunk), repr(chunk)
        self.asked[chunk] += 1
        return self.ids.setdefault(chunk, len(self.ids) - 5)  # negative codes too


def _spaces() -> list[str]:
    return [chr(c) for c in range(0x110000) if chr(c).isspace()]


def _random_text(rng: random.Random, spaces: list[str]) -> str:
    parts = []
    for _ in range(rng.randrange(0, 30)):
        parts.append(rng.choice(PIECES))
        parts.append("".join(rng.choice(spaces) for _ in range(rng.randrange(1, 3))))
    if parts and rng.random() < 0.5:
        parts.pop()  # sometimes no whitespace at the end
    if rng.random() < 0.3:
        parts.insert(0, rng.choice(spaces))
    return "".join(parts)


def _expected(texts: list[str], code_of: _Recorder) -> tuple[list[int], list[int]]:
    """What ``str.split`` and the code each chunk was given say (every chunk was asked)."""
    codes, owners = [], []
    for index, text in enumerate(texts):
        for chunk in text.split():
            codes.append(code_of.ids[chunk])
            owners.append(index)
    return codes, owners


def test_whitespace_is_exactly_str_split_s() -> None:
    ascii_spaces = {c for c in _spaces() if c.isascii()}
    assert ascii_spaces == {chr(b) for b in chunk_codes._ASCII_SPACE}
    others = {c for c in _spaces() if not c.isascii()}
    assert {c for c in others if chunk_codes._UNICODE_SPACE.fullmatch(c)} == others
    assert not chunk_codes._UNICODE_SPACE.search("".join(PIECES))


@pytest.mark.parametrize("seed", range(4))
def test_codes_equal_split_then_lookup(seed: int) -> None:
    rng = random.Random(seed)
    spaces = _spaces()
    code_of = _Recorder()
    table = ChunkCodes(code_of, max_entries=10_000)
    for _ in range(5):
        texts = [_random_text(rng, spaces) for _ in range(rng.randrange(0, 60))]
        codes, owners = table.codes(texts)
        want_codes, want_owners = _expected(texts, code_of)
        assert codes.dtype == np.int32 and owners.dtype == np.int32
        assert codes.tolist() == want_codes
        assert owners.tolist() == want_owners


def test_each_short_chunk_is_asked_once_and_long_ones_every_time() -> None:
    code_of = _Recorder()
    table = ChunkCodes(code_of, max_entries=10_000)
    long_chunk = "z" * (KEY_BYTES + 5)
    texts = [f"one two one {long_chunk}", f"two  one\n{long_chunk}"]
    table.codes(texts)
    table.codes(texts)
    assert code_of.asked["one"] == 1 and code_of.asked["two"] == 1
    assert code_of.asked[long_chunk] == 4


def test_growth_and_reset_keep_codes_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunk_codes, "_INITIAL_SLOTS", 4)
    rng = random.Random(5)
    words = [f"w{i}" for i in range(3_000)]
    code_of = _Recorder()
    table = ChunkCodes(code_of, max_entries=1_000)
    for _ in range(6):
        texts = [" ".join(rng.choices(words, k=20)) for _ in range(200)]
        codes, _ = table.codes(texts)
        assert codes.tolist() == _expected(texts, code_of)[0]
        assert len(table) <= 1_000 + 3_000


def test_empty_inputs() -> None:
    table = ChunkCodes(_Recorder(), max_entries=100)
    for texts in ([], [""], ["", "  ", "\u3000"]):
        codes, owners = table.codes(texts)
        assert codes.size == 0 and owners.size == 0


def test_keys_are_bytes_not_hashes() -> None:
    """Chunks that differ only past a word boundary or in length never share a code."""
    code_of = _Recorder()
    table = ChunkCodes(code_of, max_entries=100)
    texts = ["abcdefgh abcdefghi abcdefgh\x00 abcdefghabcdefgh abcdefghabcdefgi"]
    codes, _ = table.codes(texts)
    assert len(set(codes.tolist())) == 5
    assert re.fullmatch(r"[ a-i\x00]+", texts[0])
