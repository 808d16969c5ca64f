"""Passages → term ids in bulk, for building the index: the analyzer's terms without strings.

A full build analyses every passage of the archive, and at a million passages the cost is
the words themselves, ~60 per passage. Producing term strings
(``Analyzer.document_terms_many``: ``str.split`` and a dict lookup per word) and then mapping
each string to an id for the postings (the engine's ``TokenCollector``, another lookup per
word) cost ~25 µs per bench passage on one core, nearly all of it per-word Python work that
is memory-bound on a 500k-word vocabulary. ``PassageEncoder`` does neither: a batch's text
goes through ``ChunkCodes`` (``chunk_codes``), which cuts it at whitespace and looks every
chunk up in a numpy hash table at once, and a chunk's code is already the id of its term.

How a batch is read, and why it gives exactly the analyzer's terms:

- The terms of a whitespace chunk never depend on its neighbours (``Analyzer`` caches them
  per chunk), and ``ChunkCodes`` cuts exactly where ``str.split`` does.
- A chunk's code is its term's id (≥ 0), ``NO_TERM`` (a stopword, punctuation), or a
  "special" entry for the chunks that need more: several terms (a capitalised word's stem and
  fold key, "F-16") or a date word. Special entries are expanded with numpy; a passage holding
  a date word is then scanned for dates as ``Analyzer.document_terms`` does and gets those
  date terms too.
- First sights are analysed by the same ``Analyzer`` caches ``document_terms`` uses, so the
  terms are the same by construction (``tests/index/analysis/test_encoding.py`` checks it on
  every language, with dates, names and cache clears).

Ids are the encoder's own: the first term seen gets 0, and each batch lists the terms it saw
first (``EncodedTerms.new_terms``), so a consumer rebuilds the id → term list batch by batch.

Measured on the 1M-passage bench corpus (60 words a passage, one core, CPU time): 13.5 µs
per passage including every first sight, against ~25 µs for the string path plus id mapping
(~23 µs with one dict lookup per word from a chunk → id dict, the step between the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from index.analysis.analyzer import MAX_CACHED_SURFACES, Analyzer
from index.analysis.chunk_codes import ChunkCodes
from index.analysis.language import DEFAULT_LANG
from index.models import LANGS, EncodedTerms, Lang

# The build's term table is C in the search stage's one extension (as the analyzer's
# chunk_spans kernel): a build worker's terms with no Python object a term.
from index.search.term_table import TermTable

#: A chunk with no term (stopword, punctuation).
NO_TERM = -1
#: Codes at or below this are special entries: ``_FIRST_SPECIAL - code`` indexes the table.
_FIRST_SPECIAL = -2


class _Specials:
    """Chunks that need more than one id: their ids in one pool, plus a date-word flag.

    Kept as growing Python lists and mirrored into numpy arrays when a batch needs them, so
    expanding every special chunk of a batch is a few vectorised gathers.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.lengths: list[int] = []
        self.dates: list[bool] = []
        self.pool: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, ids: Sequence[int], has_date_word: bool) -> int:
        """Record one chunk's ids; returns its code."""
        self.starts.append(len(self.pool))
        self.lengths.append(len(ids))
        self.dates.append(has_date_word)
        self.pool.extend(ids)
        self._arrays = None
        return _FIRST_SPECIAL - (len(self.starts) - 1)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(starts, lengths, date flags, pool) as numpy arrays."""
        if self._arrays is None:
            self._arrays = (
                np.asarray(self.starts, dtype=np.int64),
                np.asarray(self.lengths, dtype=np.int64),
                np.asarray(self.dates, dtype=bool),
                np.asarray(self.pool, dtype=np.int32),
            )
        return self._arrays


#: Texts encoded at once: a batch's per-chunk temporaries (a str per word, hashes, codes) are
#: ~10 KB a passage, and glibc keeps the largest such heap for good. Encoding a 10,000-passage
#: batch in slices of 2,500 gave the same ids and took a build worker's resident set from
#: 245 to 192 MiB after 300k bench passages, at the same CPU time (docs/performance.md,
#: "Issue 16: footprint at 1M"). Slices of 1,000 rather than 2,500: the first 400k passages'
#: highest resident 154 → 147 MiB, encoding CPU 9.8–12.0 against 10.4–10.6 s (alternating,
#: load 5–6; 500: 143 MiB, 250: no lower; "Issue 16: build peak at 1M, second round").
ENCODE_SLICE = 1_000


class _Coder:
    """Chunk codes of one language: the analyzer's terms of a chunk turned into ids."""

    def __init__(self, encoder: PassageEncoder, lang: Lang) -> None:
        self.encoder = encoder
        self.terms = encoder.analyzer.chunk_terms(lang)
        self.table = ChunkCodes(self.code_of, MAX_CACHED_SURFACES)

    def code_of(self, chunk: str) -> int:
        encoder = self.encoder
        plain = encoder.analyzer.plain_word_term(chunk)
        if plain is not None:
            return encoder.intern(plain) if plain else NO_TERM
        terms = self.terms[chunk]
        date_word = encoder.analyzer.is_date_chunk(chunk)
        if len(terms) == 1 and not date_word:
            return encoder.intern(terms[0])
        if not terms and not date_word:
            return NO_TERM
        return encoder.specials.add([encoder.intern(t) for t in terms], date_word)


class PassageEncoder:
    """Encodes passages to term ids for one index build (ids are only valid within it).

    Args:
        analyzer: the analyzer whose caches (and so whose terms) to use; a fresh one if None.
    """

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer if analyzer is not None else Analyzer()
        self.specials = _Specials()
        # no dict of ``str`` terms and no list of them: a worker held both through the
        # build (~46 MB at 500k terms; ``term_table`` says why)
        self._terms = TermTable()
        self._reported = 0
        self._coders = {lang: _Coder(self, lang) for lang in LANGS}

    @property
    def terms(self) -> TermTable:
        """Every term given an id (``TermTable``: ids in first-seen order): the encoder's own
        table (not a copy), which grows as it encodes; read it, never intern into it."""
        return self._terms

    @property
    def n_terms(self) -> int:
        """Terms given an id so far (the next new term's id)."""
        return len(self._terms)

    def intern(self, term: str) -> int:
        """The id of ``term``, given the next free one on first sight."""
        return self._terms.intern(term)

    def encode(
        self,
        texts: Sequence[str],
        langs: Sequence[Lang],
        published_ats: Sequence[datetime | None],
        extra_terms: Sequence[Sequence[str]] | None = None,
    ) -> EncodedTerms:
        """The terms of each text (``Analyzer.document_terms``), plus its ``extra_terms``.

        Args:
            texts: passage texts.
            langs: each text's language (a language we do not analyse gets English rules,
                as in ``document_terms``).
            published_ats: each text's publication time, for resolving dates.
            extra_terms: terms to add to each passage as they are (the article's title
                terms, which the index counts in every passage); the same sequence object
                for consecutive passages is interned once.
        """
        n = len(texts)
        if len(langs) != n or len(published_ats) != n:
            raise ValueError("texts, langs and published_ats must have the same length")
        if extra_terms is not None and len(extra_terms) != n:
            raise ValueError("extra_terms must have one entry per text")
        if n <= ENCODE_SLICE:
            return self._encode_slice(texts, langs, published_ats, extra_terms)
        id_parts, passage_parts, new_terms = [], [], []
        for start in range(0, n, ENCODE_SLICE):
            stop = min(start + ENCODE_SLICE, n)
            part = self._encode_slice(
                texts[start:stop],
                langs[start:stop],
                published_ats[start:stop],
                None if extra_terms is None else extra_terms[start:stop],
            )
            id_parts.append(part.term_ids)
            passage_parts.append(part.passages + np.int32(start))
            new_terms.extend(part.new_terms)
        return EncodedTerms(
            np.concatenate(id_parts), np.concatenate(passage_parts), tuple(new_terms)
        )

    def _encode_slice(
        self,
        texts: Sequence[str],
        langs: Sequence[Lang],
        published_ats: Sequence[datetime | None],
        extra_terms: Sequence[Sequence[str]] | None,
    ) -> EncodedTerms:
        """``encode`` of at most ``ENCODE_SLICE`` texts."""
        id_parts: list[np.ndarray] = []
        passage_parts: list[np.ndarray] = []
        for lang, members in _by_language(langs):
            group = texts if members is None else [texts[i] for i in members]
            ids, local, date_rows = self._encode_group(group, lang)
            if members is not None:
                positions = np.asarray(members, dtype=np.int32)
                local = positions[local]
                date_rows = positions[date_rows]
            id_parts.append(ids)
            passage_parts.append(local)
            for index in date_rows.tolist():
                dates = self.analyzer.date_terms_of(texts[index], published_ats[index])
                if dates:
                    id_parts.append(np.fromiter(map(self.intern, dates), np.int32, len(dates)))
                    passage_parts.append(np.full(len(dates), index, np.int32))
        if extra_terms is not None:
            ids, owners = self._encode_extra(extra_terms)
            id_parts.append(ids)
            passage_parts.append(owners)
        new_terms = self._terms.terms_from(self._reported)
        self._reported = len(self._terms)
        if not id_parts:
            empty = np.empty(0, np.int32)
            return EncodedTerms(empty, empty.copy(), new_terms)
        return EncodedTerms(np.concatenate(id_parts), np.concatenate(passage_parts), new_terms)

    def _encode_group(
        self, texts: Sequence[str], lang: Lang
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One language's texts → (term ids, passage of each, passages holding a date word)."""
        coder = self._coders.get(lang)
        if coder is None:  # a language we do not analyse: English rules (Latin script)
            coder = self._coders[DEFAULT_LANG]
        codes, passages = coder.table.codes(texts)
        plain = codes >= 0
        ids, owners = codes[plain], passages[plain]
        special = np.flatnonzero(codes <= _FIRST_SPECIAL)
        if not special.size:
            return ids, owners, np.empty(0, np.int32)
        starts, lengths, date_flags, pool = self.specials.arrays()
        entries = _FIRST_SPECIAL - codes[special].astype(np.int64)
        counts = lengths[entries]
        # a ragged gather: the pool slice of every special chunk, one after another
        offsets = np.repeat(starts[entries] - (np.cumsum(counts) - counts), counts)
        expanded = pool[offsets + np.arange(offsets.size)]
        special_owners = passages[special]
        date_rows = np.unique(special_owners[date_flags[entries]])
        return (
            np.concatenate([ids, expanded]),
            np.concatenate([owners, np.repeat(special_owners, counts)]),
            date_rows,
        )

    def _encode_extra(self, extra_terms: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        ids: list[int] = []
        owners: list[int] = []
        last: Sequence[str] | None = None
        last_ids: list[int] = []
        for index, terms in enumerate(extra_terms):
            if not terms:
                continue
            if terms is not last:
                last, last_ids = terms, [self.intern(t) for t in terms]
            ids.extend(last_ids)
            owners.extend([index] * len(last_ids))
        return np.asarray(ids, np.int32), np.asarray(owners, np.int32)


def _by_language(langs: Sequence[Lang]) -> list[tuple[Lang, list[int] | None]]:
    """Group positions by language; ``None`` members means "all of them" (the common case)."""
    first = langs[0] if len(langs) else DEFAULT_LANG
    if all(lang == first for lang in langs):
        return [(first, None)] if len(langs) else []
    groups: dict[Lang, list[int]] = {}
    for index, lang in enumerate(langs):
        groups.setdefault(lang, []).append(index)
    return list(groups.items())
