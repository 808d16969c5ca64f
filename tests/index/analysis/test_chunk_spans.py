"""``kernels.chunk_spans``: ``Analyzer.span_columns``' word spans in C, against the Python loop
it replaced (kept here as the reference), cold and warm, and its argument checks."""

from __future__ import annotations

from datetime import datetime

import pytest

from index.analysis import Analyzer
from index.analysis.analyzer import _TOKEN_RE, _TermCache
from index.models import Lang
from index.search.kernels import chunk_spans
from tests.index.analysis.texts import PUBLISHED, sample_texts

# Separators ``str.split`` cuts at beside the ASCII ones (no-break, thin, line and ideographic
# spaces, the file separator), and characters it does not (zero-width space, soft hyphen).
ODD_TEXTS = [
    "Zelenskyy’s aides (AP) said: «м’ясо» F‑16 jets, 14.07.2024; Kyiv. Kyiv, Kyiv. "
    "inter\u00adnational e\u0301te 5-го 1st ﬁnance x_y said, said,\u00a0Kyiv\u2028said"
    "\x1cKyiv\u200bsaid\u3000on 14 July  \n",
    "\u00a0\u2009leading and trailing separators\u3000",
    "—, ... (!) 2024-07-14 $5.6bn 3,000 100% U.S.-led",
]


def python_word_spans(
    cache: _TermCache, text: str
) -> tuple[list[str], list[int], list[int], list[str], list[int]]:
    """The loop ``Analyzer.span_columns`` ran in Python before ``chunk_spans``."""
    terms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    chunks = text.split()
    places: list[int] = []
    end = 0
    for chunk in chunks:
        found = cache[chunk]
        start = text.find(chunk, end)
        end = start + len(chunk)
        places.append(start)
        if chunk.isalpha():
            for term in found:
                terms.append(term)
                starts.append(start)
                ends.append(end)
            continue
        inside = cache.token_spans.get(chunk)
        if inside is None:
            inside = tuple(
                (term, match.start(), match.end())
                for match in _TOKEN_RE.finditer(chunk)
                for term in cache[match.group()]
            )
            cache.token_spans[chunk] = inside
        for term, first, last in inside:
            terms.append(term)
            starts.append(start + first)
            ends.append(start + last)
    return terms, starts, ends, chunks, places


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_chunk_spans_equal_the_python_loop_cold_and_warm(lang: Lang) -> None:
    texts = sample_texts() + ODD_TEXTS
    c_cache = _TermCache(lang, question=False, triggers=set())
    py_cache = _TermCache(lang, question=False, triggers=set())
    for _ in range(2):  # first sight (the caches fill), then every chunk from them
        for text in texts:
            got = chunk_spans(text, c_cache, c_cache.token_spans, c_cache.inside_spans)
            assert got == python_word_spans(py_cache, text)
    assert c_cache == py_cache
    assert c_cache.token_spans == py_cache.token_spans


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
@pytest.mark.parametrize("published_at", [None, PUBLISHED])
def test_span_columns_hold_document_terms(lang: Lang, published_at: datetime | None) -> None:
    """Date spans are added after the word spans: the terms are ``document_terms``'."""
    analyzer = Analyzer()
    for text in sample_texts() + ODD_TEXTS:
        terms, starts, ends = analyzer.span_columns(text, lang, published_at)
        assert terms == analyzer.document_terms(text, lang, published_at)
        assert len(starts) == len(ends) == len(terms)
        assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends, strict=True))


def test_chunk_spans_check_their_arguments_and_the_token_spans() -> None:
    cache = _TermCache("en", question=False, triggers=set())
    with pytest.raises(TypeError):
        chunk_spans(b"bytes", cache, {}, cache.inside_spans)
    with pytest.raises(TypeError):
        chunk_spans("text", cache, [], cache.inside_spans)
    with pytest.raises(TypeError):
        chunk_spans("text", cache, {}, None)
    with pytest.raises(TypeError):
        chunk_spans("text", cache, {})  # type: ignore[call-arg]
    # A kept token span reaching past its chunk ("Kyiv," is 5 characters) is refused, not
    # shifted onto the next chunk's text.
    with pytest.raises(IndexError):
        chunk_spans("Kyiv, Lviv", cache, {"Kyiv,": (("kyiv", 0, 6),)}, cache.inside_spans)
    with pytest.raises(IndexError):
        chunk_spans("Kyiv, Lviv", cache, {"Kyiv,": (("kyiv", -1, 4),)}, cache.inside_spans)
    with pytest.raises(TypeError):
        chunk_spans("Kyiv, Lviv", cache, {"Kyiv,": (("kyiv", 0),)}, cache.inside_spans)
    with pytest.raises(TypeError):
        chunk_spans("Kyiv, Lviv", cache, {"Kyiv,": ((1, 0, 4),)}, cache.inside_spans)
    with pytest.raises(TypeError):
        chunk_spans("Kyiv, Lviv", cache, {}, lambda chunk: [("kyiv", 0, 4)])
    # An error in the term cache propagates.
    with pytest.raises(KeyError):
        chunk_spans("Kyiv", {}, {}, cache.inside_spans)
