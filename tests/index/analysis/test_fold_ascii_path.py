"""``names._folded`` skips transliteration for ASCII letters: the same keys as the full path."""

from __future__ import annotations

import random
import re
import string

import pytest

from index.analysis import names
from index.analysis.names import _DOUBLES_RE, _FOLDS, fold_key, transliterate
from tests.index.analysis.texts import sample_texts

_WORD_RE = re.compile(r"\w[\w'’ʼ-]*", re.UNICODE)


def _folded_reference(token: str) -> str:
    """``names._folded`` before the ASCII path: every token transliterated and filtered."""
    text = token.casefold()
    for suffix in ("'s", "’s", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    text = transliterate(text)
    text = "".join(c for c in text if c.isalpha())
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLES_RE.sub(r"\1", text).lower()


def _tokens() -> list[str]:
    words = {word for text in sample_texts() for word in _WORD_RE.findall(text)}
    rng = random.Random(7)
    alphabet = string.ascii_letters + "'’-\0\1 ßéłŁйїёЁ" + "\u0301"
    words.update("".join(rng.choices(alphabet, k=rng.randint(1, 9))) for _ in range(3000))
    words.update(
        ("", "'", "'s", "O'Brien", "Zelenskyy's", "STRASSE", "Straße", "İstanbul", "\0a", "a\1")
    )
    return sorted(words)


def test_folded_keys_are_those_of_the_full_path() -> None:
    for token in _tokens():
        assert names._folded(token) == _folded_reference(token), token


def test_fold_keys_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = _tokens()
    keys = [fold_key(token) for token in tokens]
    monkeypatch.setattr(names, "_folded", _folded_reference)
    assert keys == [fold_key(token) for token in tokens]
    assert sum(key is not None for key in keys) > 1000
