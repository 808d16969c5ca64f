"""``kernels.chunk_terms`` and ``chunk_spans``' ``plain`` argument: plain words met for the
first time analysed in C give the terms, cache entries and triggers of ``__missing__``."""

from __future__ import annotations

from collections import deque

import pytest

from index.analysis.analyzer import MAX_CACHED_SURFACES, _TermCache
from index.models import Lang
from index.search.kernels import chunk_spans, chunk_terms
from tests.index.analysis.test_chunk_spans import ODD_TEXTS, python_word_spans
from tests.index.analysis.texts import sample_texts

# Plain words of every kind: stopwords, date words (triggers), British spellings (respelt
# stems), a stem equal to its word, and words that are not plain (capitals, digits, accents).
PLAIN_TEXTS = [
    "the colour of the organisation may march on monday and in july, the centre said",
    "run runs running ran jets jet a an of z zz zzz",
    "May 14 march 3 Monday 5 may the Colour colour's café naïve x1 x_y",
]


def python_terms(cache: _TermCache, chunks: list[str]) -> list[str]:
    """``Analyzer.document_terms``' word terms before ``chunk_terms`` (all misses in Python)."""
    terms: list[str] = []
    deque(map(terms.extend, map(cache.__getitem__, chunks)), maxlen=0)
    return terms


def _caches(lang: Lang, limit: int | None = None) -> tuple[_TermCache, _TermCache]:
    c_cache = _TermCache(lang, question=False, triggers=set())
    py_cache = _TermCache(lang, question=False, triggers=set())
    assert c_cache.plain is not None
    if limit is not None:
        c_cache.plain = (*c_cache.plain[:5], limit)
    return c_cache, py_cache


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_chunk_terms_equal_the_python_path_cold_and_warm(lang: Lang) -> None:
    c_cache, py_cache = _caches(lang)
    texts = PLAIN_TEXTS + sample_texts() + ODD_TEXTS
    for _ in range(2):  # first sight (the caches fill), then every chunk from them
        for text in texts:
            chunks = text.split()
            assert chunk_terms(chunks, c_cache, c_cache.plain) == python_terms(py_cache, chunks)
    assert c_cache == py_cache
    assert c_cache.triggers == py_cache.triggers >= {"may", "march", "monday"}
    # A word whose stem is itself keeps the key's own string (``_analyze_plain``'s rule).
    (jet,) = c_cache["jet"]
    assert jet is next(key for key in c_cache if key == "jet")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_chunk_spans_with_plain_equal_the_python_loop(lang: Lang) -> None:
    c_cache, py_cache = _caches(lang)
    for _ in range(2):
        for text in PLAIN_TEXTS + sample_texts() + ODD_TEXTS:
            got = chunk_spans(
                text, c_cache, c_cache.token_spans, c_cache.inside_spans, c_cache.plain
            )
            assert got == python_word_spans(py_cache, text)
    assert c_cache == py_cache
    assert c_cache.token_spans == py_cache.token_spans
    assert c_cache.triggers == py_cache.triggers


def test_a_full_cache_leaves_new_words_to_missing() -> None:
    """Past the limit every miss goes to ``__missing__`` (which clears the cache at
    ``MAX_CACHED_SURFACES``): the terms are the same either way."""
    c_cache, py_cache = _caches("en", limit=5)
    assert MAX_CACHED_SURFACES > 5
    for text in PLAIN_TEXTS + sample_texts()[:50]:
        chunks = text.split()
        assert chunk_terms(chunks, c_cache, c_cache.plain) == python_terms(py_cache, chunks)
    assert c_cache == py_cache


def test_question_caches_have_no_plain_path() -> None:
    assert _TermCache("en", question=True, triggers=set()).plain is None


def test_chunk_terms_check_their_arguments() -> None:
    cache, _ = _caches("en")
    plain = cache.plain
    assert plain is not None
    with pytest.raises(TypeError):
        chunk_terms(("a", "b"), cache, plain)
    with pytest.raises(TypeError):
        chunk_terms(["a", 1], cache, plain)
    with pytest.raises(TypeError):
        chunk_terms(["a"], cache, plain[:5])
    with pytest.raises(TypeError):
        chunk_terms(["a"], cache, (list(plain[0]), *plain[1:]))
    with pytest.raises(TypeError):
        chunk_terms(["a"], cache, None)
    with pytest.raises(TypeError):
        chunk_spans("a b", list(cache), {}, cache.inside_spans, plain)
    # An error of the stemmer or of the cache's __missing__ propagates.
    with pytest.raises(ZeroDivisionError):
        chunk_terms(["newword"], cache, (plain[0], lambda word: 1 / 0, *plain[2:]))
    with pytest.raises(KeyError):
        chunk_terms(["Capital"], {}, plain)
