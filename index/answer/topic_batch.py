"""Judging all of an article's candidate topics at once, with numpy (``TopicMatcher.decide``).

A broad topic is a candidate for many articles and alerts on most of them, so deciding the
candidates one at a time in Python (presence codes, kept verdicts, the per-passage checks)
cost ~25 µs a topic, ~11 ms an article at 1M passages. Here the same checks run on arrays:

- ``TopicTable``: every topic's words as term ids of the reverse index's vocabulary, padded
  to ``WORDS`` words of ``TERMS_PER_WORD`` terms (a pad id whose bits are always 0).
- ``TopicWeights``: the words' weights (``follow._weighed``) and what ``measure_evidence``
  derives from them (total, key words, the compound rule's heaviest words), as rows kept
  per index generation and filled when a topic is first a candidate under it, for all of
  an article's candidates at once (``weigh``, bit for bit what ``fill`` keeps).
- ``ArticleBits``: a term set of the article (records, indexed terms, document terms, span
  terms, title and day) as an array over the vocabulary: the positions holding each term.
- ``judge``: ``measure_evidence(...).enough`` for many (topic, matched words) pairs. The
  weights are summed word by word in word order, as ``measure_evidence`` sums them (a
  frozenset of word numbers below 8 iterates in ascending order), adding 0.0 for an
  unmatched word, which leaves a float unchanged: the same floats, so the same verdicts.

Only topics the arrays describe exactly are judged here: at most ``WORDS`` words of at most
``TERMS_PER_WORD`` terms, the question's terms being its words' terms, no filter words, in
the article's language. The others, and every case the batch cannot read without scoring
(``BatchOutcome.referred``), go through the per-topic rule in ``follow``, which stays the
reference: ``tests/index/test_follow_broad.py`` checks the two agree topic by topic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.answer.assemble import PASSAGES_CHECKED_PER_ARTICLE
from index.answer.evidence import (
    COMMON_UNKNOWN_DF_SHARE,
    COMPOUND_WORDS,
    MAX_COMMON_UNKNOWN,
    MIN_COVERAGE,
    MIN_KNOWN_FOR_DISCOUNT,
    UNKNOWN_NAMES_SHARE,
    QuestionWord,
    evidence_idf,
    key_word_indexes,
)

# The most words a batched topic has: ``measure_evidence`` sums matched weights over a
# frozenset of word numbers, which iterates in ascending order only below its first table
# size (8); the batch sums in ascending order, so longer topics are judged one by one.
WORDS = 8
# The most terms a batched topic's word has (a name has its fold key too; a few have more).
TERMS_PER_WORD = 4
# The most positions (records, passages) an article's bits hold: a term's bits fit in an
# int64-sized uint64 below the sign bit, which numpy converts from Python ints as is.
POSITIONS = 63
# A term held at every position (the article's day, with every record; the title).
EVERYWHERE = np.uint64(2**64 - 1)


class ArticleReads(Protocol):
    """What the batch reads from ``follow._ArticleView`` (the article analysed once)."""

    def article_terms(self) -> frozenset[str]: ...

    def document_terms(self, wanted: int) -> dict[str, int]: ...

    def shown_of(self, candidates: tuple[int, ...]) -> tuple[int, ...]: ...


@dataclass(frozen=True, slots=True)
class TableRow:
    """One topic as ``TopicTable.build`` reads it."""

    words: Sequence[frozenset[str]]  # each word's terms
    question_terms: frozenset[str]
    language: str
    filtered: bool  # it has filter words
    names: Sequence[bool]  # by word: ``QuestionWord.is_name``
    common: Sequence[bool]  # by word: an everyday word (``follow._Shape.common``)


@dataclass(frozen=True, slots=True)
class TopicTable:
    """Every topic of a reverse index build as padded term-id arrays, by row.

    Rows are the reverse index's topic numbers; ``pad`` is the id past the vocabulary,
    which every ``ArticleBits`` array holds as 0.
    """

    word_terms: np.ndarray  # (topics, WORDS, TERMS_PER_WORD) int32 term ids, ``pad`` padded
    n_words: np.ndarray  # (topics,) int8
    language: np.ndarray  # (topics,) int16, an index into ``languages``
    batched: np.ndarray  # (topics,) bool: judged here (else by the per-topic rule)
    languages: dict[str, int]
    pad: int
    # (topics, WORDS) bool: the word is a name / an everyday word (``follow._Shape``), what
    # ``TopicWeights.weigh`` reads beside the frequencies (False for the pad words).
    names: np.ndarray
    common: np.ndarray

    @classmethod
    def build(
        cls,
        topics: Sequence[TableRow],
        term_ids: dict[str, int],
    ) -> TopicTable:
        """The table of ``topics`` (``TableRow``), in row order. ``term_ids``: the reverse
        index's."""
        pad = len(term_ids)
        n = len(topics)
        word_terms = np.full((n, WORDS, TERMS_PER_WORD), pad, dtype=np.int32)
        n_words = np.zeros(n, dtype=np.int8)
        language = np.zeros(n, dtype=np.int16)
        batched = np.zeros(n, dtype=bool)
        names = np.zeros((n, WORDS), dtype=bool)
        common = np.zeros((n, WORDS), dtype=bool)
        languages: dict[str, int] = {}
        for row, topic in enumerate(topics):
            words = topic.words
            language[row] = languages.setdefault(topic.language, len(languages))
            fits = (
                not topic.filtered
                and 0 < len(words) <= WORDS
                and all(len(terms) <= TERMS_PER_WORD for terms in words)
                and frozenset().union(*words) == topic.question_terms
            )
            if not fits:
                continue
            batched[row] = True
            n_words[row] = len(words)
            names[row, : len(words)] = topic.names
            common[row, : len(words)] = topic.common
            for k, terms in enumerate(words):
                for m, term in enumerate(sorted(terms)):
                    word_terms[row, k, m] = term_ids[term]
        return cls(word_terms, n_words, language, batched, languages, pad, names, common)


class TopicWeights:
    """The batched topics' weights under one index generation.

    ``fill`` takes a topic's words weighed under the generation (``follow._weighed``) and
    keeps what ``measure_evidence`` computes from them that does not depend on the matched
    words, with the same Python expressions (so the same floats); ``weigh`` computes the
    same for many rows from document frequencies, on arrays, with the same floats.
    """

    def __init__(self, n_topics: int, n_terms: int) -> None:
        self.generation: str | None = None
        self.weights = np.zeros((n_topics, WORDS), dtype=np.float64)
        self.total = np.zeros(n_topics, dtype=np.float64)
        self.keys = np.zeros((n_topics, WORDS), dtype=bool)
        # The compound rule's bar (the heaviest words' weight); inf when it does not apply.
        self.compound = np.full(n_topics, np.inf, dtype=np.float64)
        self.filled = np.zeros(n_topics, dtype=bool)
        self.n_words = np.zeros(n_topics, dtype=np.int8)
        # Per term id: the sign of its BM25 idf under the generation, 2 while not read.
        self.idf_sign = np.full(n_terms + 1, 2, dtype=np.int8)
        self.idf_sign[-1] = 0  # the pad: neither positive nor negative

    def reset(self, generation: str | None) -> None:
        """Forget every row and idf sign: the weights of another index generation follow."""
        self.generation = generation
        self.filled[:] = False
        self.idf_sign[:-1] = 2

    def fill(self, row: int, words: Sequence[QuestionWord]) -> None:
        """Keep a topic's words weighed under the generation (``follow._weighed``)."""
        weights = [word.weight for word in words]
        self.weights[row, : len(words)] = weights
        self.total[row] = sum(word.weight for word in words)
        self.keys[row] = False
        for k in key_word_indexes(words):
            self.keys[row, k] = True
        self.compound[row] = (
            sum(sorted(weights, reverse=True)[:COMPOUND_WORDS])
            if len(words) > 2 * COMPOUND_WORDS
            else np.inf
        )
        self.n_words[row] = len(words)
        self.filled[row] = True

    def weigh(self, table: TopicTable, rows: np.ndarray, df: np.ndarray, n_docs: int) -> None:
        """``fill`` the batched ``rows`` at once with the words ``follow._weigh`` gives them
        under document frequencies ``df`` (by term id, the pad's 0) and ``n_docs``.

        ``_weigh``'s rules on arrays, with its floats: a known word weighs
        ``evidence_idf`` of its rarest known term, computed by ``evidence_idf`` itself once
        for each distinct frequency (numpy's log may differ from ``math.log`` in the last
        bit); an unknown word as a term seen once or, the one unknown everyday word of a
        topic with enough known words, as a common word. ``fill``'s sums run word by word
        in word order, adding 0.0 past the last word, which leaves a float unchanged.
        """
        if rows.size == 0:
            return
        n_words = table.n_words[rows].astype(np.int64)
        valid = np.arange(WORDS) < n_words[:, None]
        found = df[table.word_terms[rows]]
        none = np.iinfo(np.int64).max
        rarest = np.where(found > 0, found, none).min(axis=2)
        known = valid & (rarest != none)
        unknown = valid & ~known
        common = unknown & table.common[rows]
        discounting = (common.sum(axis=1) <= MAX_COMMON_UNKNOWN) & (
            known.sum(axis=1) >= MIN_KNOWN_FOR_DISCOUNT
        )
        values, inverse = np.unique(rarest[known], return_inverse=True)
        weight = np.zeros((rows.size, WORDS), dtype=np.float64)
        weight[known] = np.asarray(
            [evidence_idf(value, n_docs) for value in values.tolist()], dtype=np.float64
        )[inverse.ravel()]
        unknown_weight = evidence_idf(1, n_docs)
        common_weight = evidence_idf(max(1, math.ceil(COMMON_UNKNOWN_DF_SHARE * n_docs)), n_docs)
        weight[unknown] = np.where(
            (common & discounting[:, None])[unknown], common_weight, unknown_weight
        )
        self.weights[rows] = weight
        total = weight[:, 0]
        for k in range(1, WORDS):
            total = total + weight[:, k]
        self.total[rows] = total
        # ``key_word_indexes``: the unknown names, unless fewer than a share of the names.
        names = table.names[rows] & valid
        unknown_names = names & ~known
        required = ~(unknown_names.sum(axis=1) < UNKNOWN_NAMES_SHARE * names.sum(axis=1))
        self.keys[rows] = unknown_names & required[:, None]
        # The compound rule: the ``COMPOUND_WORDS`` heaviest words, summed heaviest first.
        heaviest = -np.sort(np.where(valid, -weight, np.inf), axis=1)
        compound = np.zeros(rows.size, dtype=np.float64)
        for k in range(COMPOUND_WORDS):
            compound = compound + heaviest[:, k]
        self.compound[rows] = np.where(n_words > 2 * COMPOUND_WORDS, compound, np.inf)
        self.n_words[rows] = n_words
        self.filled[rows] = True

    def signs(
        self,
        ids: np.ndarray,
        idf: Callable[[str], float],
        terms: Sequence[str],
        of_df: tuple[Callable[[int], float], np.ndarray] | None = None,
        signs_of_df: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        """Read the idf sign of the term ids in ``ids`` not read yet (``terms``: by id).

        ``of_df``: the index's idf of a document frequency (``SearchIndex.idf_of_df``, what
        ``idf`` computes) with the frequencies by term id, to read each distinct frequency
        once instead of each term; ``signs_of_df``: the index's signs of those idfs for an
        array of frequencies (``SearchIndex.idf_signs``), to read them all at once.
        """
        missing = np.unique(ids[self.idf_sign[ids] == 2])
        if of_df is not None and signs_of_df is not None:
            self.idf_sign[missing] = signs_of_df(of_df[1][missing])
            return
        if of_df is not None:
            of, df = of_df
            values, inverse = np.unique(df[missing], return_inverse=True)
            read = [of(value) for value in values.tolist()]
            signs = np.asarray([1 if v > 0 else (-1 if v < 0 else 0) for v in read], np.int8)
            self.idf_sign[missing] = signs[inverse.ravel()]
            return
        for i in missing.tolist():
            value = idf(terms[i])
            self.idf_sign[i] = 1 if value > 0 else (-1 if value < 0 else 0)


def judge(weights: TopicWeights, rows: np.ndarray, matched: np.ndarray) -> np.ndarray:
    """``measure_evidence(words, terms).enough`` in the topic's language, for each row.

    ``matched``: (len(rows), WORDS) bool, word k of the row's topic has a term present.
    """
    w = weights.weights[rows]
    weight = np.zeros(len(rows), dtype=np.float64)
    # Words past the longest topic's are 0.0 and unmatched: adding them changes nothing.
    for k in range(int(weights.n_words[rows].max(initial=0))):
        weight = weight + np.where(matched[:, k], w[:, k], 0.0)
    total = weights.total[rows]
    positive = total > 0
    coverage = np.where(positive, weight / np.where(positive, total, 1.0), 0.0)
    passes = (coverage >= MIN_COVERAGE) | (weight >= weights.compound[rows])
    keys_held = ~(weights.keys[rows] & ~matched).any(axis=1)
    return matched.any(axis=1) & keys_held & passes


class ArticleBits:
    """An article's term sets as arrays over the reverse index's vocabulary.

    The arrays (one uint64 per term id: the positions holding the term) are kept from one
    article to the next and only the entries an article set are cleared (``release``), so an
    article costs its own terms, not the vocabulary's size.
    """

    def __init__(self, term_ids: dict[str, int], pad: int) -> None:
        self.term_ids = term_ids
        self.size = pad + 1
        self._free: list[np.ndarray] = []
        self._used: list[tuple[np.ndarray, np.ndarray]] = []

    def lookup(self, bits: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """The term ids of ``bits``' terms in the vocabulary, with their positions."""
        get = self.term_ids.get
        ids = []
        values = []
        for term, where in bits.items():
            i = get(term)
            if i is not None:
                ids.append(i)
                values.append(where)
        return np.asarray(ids, dtype=np.int64), np.asarray(values, dtype=np.uint64)

    def ids_of(self, terms: Iterable[str]) -> np.ndarray:
        """The term ids of ``terms`` in the vocabulary."""
        get = self.term_ids.get
        return np.asarray([i for i in map(get, terms) if i is not None], dtype=np.int64)

    def array(self, ids: np.ndarray, values: np.ndarray | np.uint64) -> np.ndarray:
        """A vocabulary-wide array holding ``values`` at ``ids`` and 0 elsewhere (valid
        until ``release``)."""
        out = self._free.pop() if self._free else np.zeros(self.size, dtype=np.uint64)
        out[ids] = values
        self._used.append((out, ids))
        return out

    def of(self, bits: dict[str, int]) -> np.ndarray:
        """``array`` of a term set kept as term → positions."""
        return self.array(*self.lookup(bits))

    def flags(self, terms: Iterable[str]) -> np.ndarray:
        """``array`` with every position set for the terms of ``terms``, 0 for the others."""
        return self.array(self.ids_of(terms), EVERYWHERE)

    def release(self) -> None:
        """Clear what the article set, for the next one."""
        for out, ids in self._used:
            out[ids] = 0
            self._free.append(out)
        self._used = []


@dataclass(frozen=True, slots=True)
class ArticleArrays:
    """The article as ``decide_rows`` reads it (arrays from ``bits``, valid until its
    ``release``)."""

    bits: ArticleBits
    records: np.ndarray  # by record, the day's terms at every record
    n_records: int
    indexed: np.ndarray  # by passage: the terms the index scores each passage on


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """The batch's verdicts: rows decided to alert, and rows left to the per-topic rule."""

    decided: np.ndarray
    referred: np.ndarray


def decide_rows(
    table: TopicTable,
    weights: TopicWeights,
    rows: np.ndarray,
    view: ArticleReads,
    article: ArticleArrays,
    idf: Callable[[str], float],
    terms: Sequence[str],
    of_df: tuple[Callable[[int], float], np.ndarray] | None = None,
    signs_of_df: Callable[[np.ndarray], np.ndarray] | None = None,
) -> BatchOutcome:
    """``TopicMatcher.decide``'s per-topic checks for batched, filled rows in the article's
    language, in the same order:

    1. the whole article's records (with the day) hold enough;
    2. one record does;
    3. ``ask``'s candidate passages (indexed terms with a positive idf) exist, no more than
       ``PASSAGES_CHECKED_PER_ARTICLE`` (else referred, as is a topic with a term of
       negative idf: the passages must be scored);
    4. their document terms with the title and day hold enough (the best case);
    5. one of the passages shown (``shown_of``) does, on its terms with the title and day.

    ``terms``: the vocabulary by term id (the idf is read by term, or by frequency through
    ``of_df`` and ``signs_of_df``: ``TopicWeights.signs``).
    """
    none = np.zeros(0, dtype=np.int64)
    bits = article.bits
    word_terms = table.word_terms[rows]
    # 1 and 2: the records holding each word, then the whole article and each record.
    held = np.bitwise_or.reduce(article.records[word_terms], axis=2)
    ok = judge(weights, rows, held != 0)
    rows, word_terms, held = rows[ok], word_terms[ok], held[ok]
    ok = _any_position(weights, rows, held, _low_bits(article.n_records), None)
    rows, word_terms = rows[ok], word_terms[ok]
    if rows.size == 0:
        return BatchOutcome(none, none)
    # 3: the passages ``_ranked`` keeps, read from the indexed terms of positive idf.
    weights.signs(word_terms.ravel(), idf, terms, of_df, signs_of_df)
    signs = weights.idf_sign[word_terms]
    kept = np.bitwise_or.reduce(
        np.where(signs > 0, article.indexed[word_terms], np.uint64(0)), axis=(1, 2)
    )
    counts = np.bitwise_count(kept)
    referred = (signs < 0).any(axis=(1, 2)) | (counts > PASSAGES_CHECKED_PER_ARTICLE)
    go = ~referred & (counts > 0)
    rows_referred = rows[referred]
    rows, word_terms, kept = rows[go], word_terms[go], kept[go]
    if rows.size == 0:
        return BatchOutcome(none, rows_referred)
    # 4: the title and day, and the candidate passages' document terms. Their terms are
    # read for the passages shown too (step 5): a passage's span terms are its document
    # terms (``Analyzer.term_spans``' contract, which ``PassageCache.terms`` relies on too).
    distinct, which = np.unique(kept, return_inverse=True)
    shown_masks = np.asarray(
        [_mask(view.shown_of(_positions(value))) for value in distinct.tolist()],
        dtype=np.uint64,
    )
    read = int(np.bitwise_or.reduce(distinct) | np.bitwise_or.reduce(shown_masks))
    documents = np.bitwise_or.reduce(bits.of(view.document_terms(read))[word_terms], axis=2)
    titled = np.bitwise_or.reduce(bits.flags(view.article_terms())[word_terms], axis=2) != 0
    ok = judge(weights, rows, titled | (documents & kept[:, None] != 0))
    # 5: the passages shown for the row's candidates, on their terms with the title and day.
    rows, documents, titled = rows[ok], documents[ok], titled[ok]
    shown = shown_masks[which.ravel()[ok]]
    ok = _any_position(weights, rows, documents, shown, titled)
    return BatchOutcome(rows[ok], rows_referred)


def _any_position(
    weights: TopicWeights,
    rows: np.ndarray,
    held: np.ndarray,
    positions: np.ndarray | np.uint64,
    also: np.ndarray | None,
) -> np.ndarray:
    """Whether, for each row, one of its ``positions`` (bits, per row or for all) holds
    enough: word k is matched there when bit p of ``held[row, k]`` is set, or ``also``.

    Only the (row, position) pairs with a word matched are judged (no word: not enough).
    """
    positions = np.atleast_1d(positions)
    shifts = np.arange(int(np.bitwise_or.reduce(positions)).bit_length(), dtype=np.uint64)
    one = np.uint64(1)
    wanted = (positions[None, :] >> shifts[:, None]) & one != 0
    some = (np.bitwise_or.reduce(held, axis=1)[None, :] >> shifts[:, None]) & one != 0
    if also is not None:
        some |= also.any(axis=1)[None, :]
    where, which = np.nonzero(wanted & some)
    matched = (held[which] >> shifts[where][:, None]) & np.uint64(1) != 0
    if also is not None:
        matched |= also[which]
    passed = judge(weights, rows[which], matched)
    return np.bincount(which[passed], minlength=len(rows)) > 0


def _low_bits(n: int) -> np.uint64:
    return np.uint64((1 << n) - 1)


def _positions(bits: int) -> tuple[int, ...]:
    # ``follow._positions`` as a tuple (``shown_of``'s key); kept here to avoid a cycle.
    """The set bits' positions, lowest first."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return tuple(out)


def _mask(positions: Sequence[int]) -> int:
    out = 0
    for i in positions:
        out |= 1 << i
    return out
