"""``PassageEncoder``: term ids for a bulk build, exactly ``Analyzer.document_terms``' terms."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from weakref import WeakKeyDictionary

import numpy as np
import pytest

from index.analysis import Analyzer
from index.analysis import analyzer as analyzer_module
from index.analysis import encoding as encoding_module
from index.analysis.encoding import PassageEncoder
from index.models import EncodedTerms
from tests.index.analysis.texts import PUBLISHED, sample_texts

#: The id → term list of each encoder in use (weakly keyed: it goes with its encoder).
_TERMS: WeakKeyDictionary[PassageEncoder, list[str]] = WeakKeyDictionary()


def _decoded(
    batches: list[EncodedTerms], sizes: list[int], terms: list[str]
) -> list[Counter[str]]:
    """Per passage, the multiset of terms the batches encode (ids resolved batch by batch).

    ``terms`` is the id → term list of the encoder's earlier batches; it is extended here.
    """
    out: list[Counter[str]] = []
    for encoded, size in zip(batches, sizes, strict=True):
        terms.extend(encoded.new_terms)
        assert encoded.term_ids.dtype == np.int32 and encoded.passages.dtype == np.int32
        assert encoded.term_ids.shape == encoded.passages.shape
        for passage in range(size):
            ids = encoded.term_ids[encoded.passages == passage].tolist()
            out.append(Counter(terms[i] for i in ids))
    return out


def _encode_in_batches(
    encoder: PassageEncoder,
    texts: list[str],
    langs: list[str],
    dates: list[datetime | None],
    size: int,
    extra: list[tuple[str, ...]] | None = None,
) -> list[Counter[str]]:
    terms = _TERMS.setdefault(encoder, [])
    batches, sizes = [], []
    for start in range(0, len(texts), size):
        stop = start + size
        batches.append(
            encoder.encode(
                texts[start:stop],
                langs[start:stop],
                dates[start:stop],
                extra[start:stop] if extra is not None else None,
            )
        )
        sizes.append(len(texts[start:stop]))
    return _decoded(batches, sizes, terms)


@pytest.mark.parametrize("lang", ["en", "uk", "ru", "de"])
@pytest.mark.parametrize("published_at", [None, PUBLISHED])
def test_encoded_terms_equal_document_terms(lang: str, published_at: datetime | None) -> None:
    texts = sample_texts()
    expected = [Counter(Analyzer().document_terms(t, lang, published_at)) for t in texts]
    encoder = PassageEncoder()
    n = len(texts)
    got = _encode_in_batches(encoder, texts, [lang] * n, [published_at] * n, 50)
    assert got == expected
    # Warm: a second pass over the same texts reads every chunk from the table.
    again = _encode_in_batches(encoder, texts, [lang] * n, [published_at] * n, 77)
    assert again == expected


def test_mixed_languages_dates_and_extra_terms_in_one_batch() -> None:
    rng = random.Random(11)
    texts = sample_texts()
    langs = [rng.choice(["en", "uk", "ru", "xx"]) for _ in texts]
    dates = [rng.choice([None, PUBLISHED]) for _ in texts]
    title = ("zelenski", "~zlnsk", "@d2024-07-14")
    extra = [title if i % 3 else () for i in range(len(texts))]
    expected = [
        Counter(Analyzer().document_terms(t, lang, day)) + Counter(more)
        for t, lang, day, more in zip(texts, langs, dates, extra, strict=True)
    ]
    got = _encode_in_batches(PassageEncoder(), texts, langs, dates, 64, extra)
    assert got == expected


def test_encoder_shares_the_analyzer_with_single_calls() -> None:
    analyzer = Analyzer()
    texts = sample_texts()
    analyzer.document_terms_many(texts[:100], ["en"] * 100, [PUBLISHED] * 100)
    expected = [Counter(Analyzer().document_terms(t, "en", PUBLISHED)) for t in texts]
    n = len(texts)
    got = _encode_in_batches(PassageEncoder(analyzer), texts, ["en"] * n, [PUBLISHED] * n, 40)
    assert got == expected


def test_encoding_survives_cache_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer_module, "MAX_CACHED_SURFACES", 50)
    monkeypatch.setattr(encoding_module, "MAX_CACHED_SURFACES", 50)
    texts = sample_texts()
    expected = [Counter(Analyzer().document_terms(t, "en", PUBLISHED)) for t in texts]
    n = len(texts)
    got = _encode_in_batches(PassageEncoder(), texts, ["en"] * n, [PUBLISHED] * n, 30)
    assert got == expected


def test_ids_are_dense_and_listed_once() -> None:
    encoder = PassageEncoder()
    first = encoder.encode(["Kyiv talks", "talks again"], ["en", "en"], [None, None])
    second = encoder.encode(["talks in Kharkiv"], ["en"], [None])
    terms = list(first.new_terms) + list(second.new_terms)
    assert len(terms) == len(set(terms))
    assert int(max(first.term_ids.max(), second.term_ids.max())) == len(terms) - 1
    assert "talk" in first.new_terms and "talk" not in second.new_terms


def test_empty_batch_and_bad_lengths() -> None:
    encoder = PassageEncoder()
    empty = encoder.encode([], [], [])
    assert empty.term_ids.size == 0 and empty.passages.size == 0 and empty.new_terms == ()
    with pytest.raises(ValueError, match="same length"):
        encoder.encode(["a text"], ["en", "en"], [None])
    with pytest.raises(ValueError, match="extra_terms"):
        encoder.encode(["a text"], ["en"], [None], [(), ()])
