"""The benchmark's generated corpus and questions: reproducible, Zipf-distributed, never stored.

Word ranks follow a finite Zipf law (exponent ``ZIPF_EXPONENT`` over ``VOCABULARY`` words),
as English text does. As in English, the most frequent ranks are function words: the top
``len(FUNCTION_WORDS)`` ranks are real English function words ("the", "of", "and", … about
35% of all tokens, which is their share in English prose), and the analyzer drops them as
stopwords. Every other rank is a pseudo-word of three or four consonant-vowel syllables
("kalomi", "zebutira"), which the analyzer treats as an ordinary word. The most common of these
content words occur in about one passage in ten, most are rare. Passages have about 60 words.

Questions: each picks a random passage and samples 3–6 distinct content words from it (a
reader's question names things, not "the" or "of"). Their terms therefore follow the corpus's
own Zipf law over content words: most questions mix one or two common words (postings lists
of 30k–110k passages at 1M) with rarer ones, and every question matches at least one passage
in full.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

SEED = 20_240_714
VOCABULARY = 500_000
ZIPF_EXPONENT = 1.05
MEAN_WORDS = 60
CHUNK = 20_000
PASSAGES_PER_ARTICLE = 8
FIRST_DAY = 19_000  # 2022-01-08, days since 1970-01-01
DAYS = 900
# The 43 most frequent English words, in frequency order (all in the analyzer's stopwords).
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "he",
    "for",
    "it",
    "with",
    "as",
    "his",
    "on",
    "be",
    "at",
    "by",
    "i",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "you",
    "were",
    "her",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
]
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]
_FUNCTION_SET = frozenset(FUNCTION_WORDS)


@dataclass(frozen=True, slots=True)
class GeneratedPassage:
    """One generated passage with the metadata the engine indexes."""

    passage_id: int
    article_id: int
    published_day: int
    text: str


def _word(rank: int) -> str:
    """The pseudo-word of a Zipf rank (bijective: distinct ranks give distinct words)."""
    n = len(_SYLLABLES)
    digits = 3 if rank < n**3 else 4
    value = rank if digits == 3 else rank - n**3
    out = []
    for _ in range(digits):
        value, digit = divmod(value, n)
        out.append(_SYLLABLES[digit])
    return "".join(out)


class ZipfCorpus:
    """A deterministic corpus of ``n_passages`` passages (same seed → same text)."""

    def __init__(self, n_passages: int, seed: int = SEED) -> None:
        self.n_passages = n_passages
        self.seed = seed
        # Shuffle which word gets which rank so frequent words are not alphabetically first.
        rng = np.random.default_rng(seed)
        self._word_of_rank = rng.permutation(VOCABULARY)
        self._words: dict[int, str] = {}  # rank → word, filled on first use
        weights = 1.0 / np.arange(1, VOCABULARY + 1, dtype=np.float64) ** ZIPF_EXPONENT
        self._cdf = np.cumsum(weights / weights.sum())
        self._cdf[-1] = 1.0

    def _chunk_words(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Word ranks and lengths of passages [start, stop), seeded per chunk."""
        rng = np.random.default_rng([self.seed, start])
        lengths = np.clip(rng.normal(MEAN_WORDS, 15, stop - start), 15, 120).astype(np.int64)
        ranks = np.searchsorted(self._cdf, rng.random(int(lengths.sum())), side="right")
        return ranks, lengths

    def _picked_ranks(self, picks: list[int]) -> Iterator[tuple[int, np.ndarray]]:
        """Each distinct picked passage with its word ranks, generating each chunk once."""
        for start in sorted({p - p % CHUNK for p in picks}):
            ranks, lengths = self._chunk_words(start, min(start + CHUNK, self.n_passages))
            ends = np.cumsum(lengths)
            for pick in {p for p in picks if start <= p < start + CHUNK}:
                end = int(ends[pick - start])
                yield pick, ranks[end - int(lengths[pick - start]) : end]

    def _words_of(self, ranks: np.ndarray) -> dict[int, str]:
        """The rank → word map, extended with any rank not seen before."""
        words = self._words
        if not words:
            words.update(enumerate(FUNCTION_WORDS))
        if len(words) < VOCABULARY:
            for rank in np.unique(ranks).tolist():
                if rank not in words:
                    words[rank] = _word(int(self._word_of_rank[rank]))
        return words

    def passages(self) -> Iterator[GeneratedPassage]:
        """All passages in id order (ids start at 1), generated chunk by chunk."""
        for start in range(0, self.n_passages, CHUNK):
            yield from self.chunk(start, min(start + CHUNK, self.n_passages))

    def chunk(self, start: int, stop: int) -> list[GeneratedPassage]:
        """Passages [start, stop) as text."""
        ranks, lengths = self._chunk_words(start, stop)
        words = self._words_of(ranks)
        tokens = [words[r] for r in ranks.tolist()]
        ends = np.cumsum(lengths).tolist()
        out = []
        begin = 0
        for offset, end in enumerate(ends):
            pid = start + offset + 1
            out.append(
                GeneratedPassage(
                    passage_id=pid,
                    article_id=pid // PASSAGES_PER_ARTICLE + 1,
                    published_day=FIRST_DAY + (pid * 7919) % DAYS,
                    text=" ".join(tokens[begin:end]),
                )
            )
            begin = end
        return out

    def questions(self, n: int) -> list[str]:
        """``n`` questions of 3–6 words sampled from random passages (see module docstring)."""
        rng = np.random.default_rng([self.seed, 1])
        picks = rng.integers(0, self.n_passages, n).tolist()
        sizes = rng.integers(3, 7, n).tolist()
        texts: dict[int, list[str]] = {}
        for pick, mine in self._picked_ranks(picks):
            words = self._words_of(mine)
            texts[pick] = [words[r] for r in mine.tolist()]
        out = []
        for pick, size in zip(picks, sizes, strict=True):
            words = [w for w in dict.fromkeys(texts[pick]) if w not in _FUNCTION_SET]
            chosen = rng.choice(len(words), size=min(len(words), size), replace=False)
            out.append(" ".join(words[i] for i in sorted(chosen.tolist())))
        return out

    def specific_questions(self, n: int, words: tuple[int, int] = (2, 3)) -> list[str]:
        """``n`` topics naming specific things: the 2–3 rarest content words of a passage.

        A reader follows a name, a place or an event, the rare words of a story, rather than
        a handful of its everyday words (``questions``), so these match few articles.
        """
        rng = np.random.default_rng([self.seed, 2])
        picks = rng.integers(0, self.n_passages, n).tolist()
        sizes = rng.integers(words[0], words[1] + 1, n).tolist()
        rare: dict[int, list[str]] = {}
        for pick, mine in self._picked_ranks(picks):
            names = self._words_of(mine)
            by_rarity = sorted(set(mine.tolist()), reverse=True)
            rare[pick] = [names[r] for r in by_rarity if names[r] not in _FUNCTION_SET]
        return [" ".join(rare[pick][:size]) for pick, size in zip(picks, sizes, strict=True)]

    def chunk_single(self, index: int) -> list[GeneratedPassage]:
        """The passage at position ``index`` (regenerates its chunk deterministically)."""
        start = index - index % CHUNK
        stop = min(start + CHUNK, self.n_passages)
        ranks, lengths = self._chunk_words(start, stop)
        offset = index - start
        begin = int(lengths[:offset].sum())
        mine = ranks[begin : begin + int(lengths[offset])]
        words = self._words_of(mine)
        words = [words[r] for r in mine.tolist()]
        pid = index + 1
        return [
            GeneratedPassage(
                pid,
                pid // PASSAGES_PER_ARTICLE + 1,
                FIRST_DAY + (pid * 7919) % DAYS,
                " ".join(words),
            )
        ]
