"""``Analyzer.document_terms_many``: the index build's batch path gives ``document_terms``."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from index.analysis import Analyzer
from index.analysis import analyzer as analyzer_module
from tests.index.analysis.texts import PUBLISHED, sample_texts


@pytest.mark.parametrize("lang", ["en", "uk", "ru", "de"])
@pytest.mark.parametrize("published_at", [None, PUBLISHED])
def test_batch_terms_equal_per_text_terms(lang: str, published_at: datetime | None) -> None:
    texts = sample_texts()
    expected = [Analyzer().document_terms(text, lang, published_at) for text in texts]
    batch = Analyzer()
    got = batch.document_terms_many(texts, [lang] * len(texts), [published_at] * len(texts))
    assert [list(terms) for terms in got] == expected
    assert all(isinstance(terms, tuple) for terms in got)
    # Warm: the second pass takes the cached paths and still agrees.
    again = batch.document_terms_many(texts, [lang] * len(texts), [published_at] * len(texts))
    assert again == got


def test_batch_and_single_calls_interleave_on_one_analyzer() -> None:
    rng = random.Random(7)
    texts = sample_texts()
    langs = [rng.choice(["en", "uk", "ru", "xx"]) for _ in texts]
    dates = [rng.choice([None, PUBLISHED]) for _ in texts]
    expected = [
        Analyzer().document_terms(text, lang, day)
        for text, lang, day in zip(texts, langs, dates, strict=True)
    ]
    shared = Analyzer()
    got: list[list[str]] = []
    for start in range(0, len(texts), 37):
        stop = start + 37
        if start % 2:
            got.extend(
                shared.document_terms(text, lang, day)
                for text, lang, day in zip(
                    texts[start:stop], langs[start:stop], dates[start:stop], strict=True
                )
            )
        else:
            batch = shared.document_terms_many(
                texts[start:stop], langs[start:stop], dates[start:stop]
            )
            got.extend(list(terms) for terms in batch)
    assert got == expected


def test_batch_terms_survive_a_cache_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer_module, "MAX_CACHED_SURFACES", 50)
    texts = sample_texts()
    expected = [Analyzer().document_terms(text, "en", PUBLISHED) for text in texts]
    got = Analyzer().document_terms_many(texts, ["en"] * len(texts), [PUBLISHED] * len(texts))
    assert [list(terms) for terms in got] == expected


def test_batch_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        Analyzer().document_terms_many(["a text"], ["en", "en"], [None])


def test_term_spans_after_the_batch_path_still_match_document_terms() -> None:
    texts = sample_texts()
    shared = Analyzer()
    shared.document_terms_many(texts, ["en"] * len(texts), [PUBLISHED] * len(texts))
    for text in texts:
        spans = shared.term_spans(text, "en", PUBLISHED)
        assert sorted(s.term for s in spans) == sorted(
            Analyzer().document_terms(text, "en", PUBLISHED)
        )
