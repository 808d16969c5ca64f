"""The optional ranking layer on top of pure BM25Okapi: word-level scoring and RM3 feedback.

With the layer off (``IndexSettings.ranking_layer = False`` or ``--no-layer``), ranking is the
engine's BM25Okapi score over the question's terms and nothing else. With it on, candidates
(the engine's top passages) are re-scored from the engine's exact per-term BM25Okapi scores:

1. **One word, one vote.** The analyzer gives a question word alternative terms (its stem and
   a transliteration fold key, so "Столтенберг" can meet "Stoltenberg"). Pure BM25 adds both
   when a passage has both forms (every capitalised word of a passage carries a fold key), so
   a word counts twice wherever it starts a sentence. The layer scores each word as the best
   of its alternatives: ``sum(count(w) * max(BM25(t, p) for t in w))``. Measured on CISI,
   whose text is cased, the double count cost 0.06 nDCG@10. Exact before folded: a
   candidate that matches a word only through its fold key scores it at ``folded_share``
   whenever another candidate matches it exactly (``word_scores``). A hyphenated word
   counts by its parts (``index.answer.candidates.ranking_words``): a common compound is one
   word per part, a hyphenated name one word scored as the mean of its parts.
2. **RM3 pseudo-relevance feedback** (Lavrenko & Croft, "Relevance-based language models",
   SIGIR 2001; RM3 interpolation of Abdul-Jaleel et al., TREC 2004): the top
   ``feedback_passages`` passages vote for their terms in proportion to each term's share of
   the passage and to the passage's score; the ``expansion_terms`` strongest become extra
   query terms, and the final score is ``original_weight * words + (1 - original_weight) *
   sum(weight(e) * BM25(e, p))``. The expansion re-scores the first search's candidates and
   searches for more only when that search came back short (``LayerOptions``).
3. **Proximity** chooses the passage shown for each answering article
   (``index.answer.candidates.order_by_proximity``): a passage's score is multiplied by
   ``1 + proximity_weight * c``, where ``c`` is the largest share of the question's idf
   weight matched inside one sentence of the passage, counting only the words the article's
   title does not already match. A passage whose matches sit together in one sentence beats
   one that scatters them. Article order is left alone: boosting it cost 0.015 nDCG@10 on
   cran, while choosing passages by it gained answer@1 on the QA set.

Every component is the engine's exact BM25Okapi score of one term: the layer only re-weights
them. Per-article aggregation (best passage fused with the whole-article score from the
article index, whose word votes use the same ``word_scores``) is done by
``index.answer.candidates`` for both settings. Figures with and without the layer, and the
measurements behind the choices above, are in docs/quality.md with their commands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from index.analysis.dates import DATE_PREFIX
from index.analysis.names import FOLD_PREFIX
from index.search.kernels import add_votes, add_weighted_rows, strongest_votes, term_shares


@dataclass(frozen=True, slots=True)
class LayerOptions:
    """Layer parameters. One configuration for every collection (no per-collection tuning).

    The RM3 defaults are textbook settings (5-10 feedback documents, 10-20 terms, λ = 0.5);
    10/20/0.5 was kept over 5/20/0.5 and 10/10/0.5 on cran, med and cisi together. Feedback
    is skipped below ``feedback_min_passages`` passages: when the top 10 are a large share of
    the archive they are not evidence of a topic, and expansion only drifts.

    The expansion terms re-score the first search's candidates; they are searched for more
    candidates only when that search came back with fewer passages than asked (a small
    archive, rare words, a deep page such as the retrieval eval's 100 articles), unless
    ``search_expansion_when_full``. Measured: with the candidate set full (capped at 200
    passages) the second search changed nDCG@10 by at most 0.001 on cran/med/cisi (cran
    0.4187 with, 0.4178 without) while costing ~3.5 ms of an 11 ms ``Archive.ask`` at 100k
    passages, where it changed the first answer of none of 1,000 generated questions (the
    2nd or 3rd of 7); with the set short it is what recall needs (med R@100 0.875 with,
    0.842 without).
    """

    feedback_passages: int = 10
    expansion_terms: int = 20
    original_weight: float = 0.5
    feedback: bool = True
    feedback_min_passages: int = 200
    proximity_weight: float = 1.0
    search_expansion_when_full: bool = False
    # A fold-only match's share of the word's score when another candidate has the exact
    # term: 0 makes the fold key pure recall there (300 of 300 exact names first, against
    # 180 with the best of stem and fold key; docs/quality.md).
    folded_share: float = 0.0


DEFAULT_LAYER = LayerOptions()

# The engine's ``score_passages(terms, passage_ids)``: exact BM25Okapi scores of given passages.
ScorePassages = Callable[[Sequence[str], Sequence[int]], np.ndarray]
# The engine's ``term_scores(terms, passage_ids)``: row i is ``score_passages([terms[i]], ids)``.
TermScores = Callable[[Sequence[str], np.ndarray], np.ndarray]
# Candidate ids → whether each candidate is in the question's language (bool array).
SameLanguage = Callable[[np.ndarray], np.ndarray]


def term_scores_of(score_passages: ScorePassages) -> TermScores:
    """``TermScores`` from a backend that only scores term lists (one call per term)."""

    def term_scores(terms: Sequence[str], passage_ids: np.ndarray) -> np.ndarray:
        out = np.zeros((len(terms), len(passage_ids)), dtype=np.float64)
        for i, term in enumerate(terms):
            out[i] = score_passages([term], passage_ids)
        return out

    return term_scores


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One question word: its alternative terms and how often the question repeats it.

    ``parts``: a hyphenated name's parts ("Bankman-Fried", "Коста-Рики"), each a set of
    alternative terms; the word then scores the mean of its parts (``word_scores``) and
    ``terms`` is their union. Empty for a word of one part.
    """

    terms: frozenset[str]
    count: int = 1
    parts: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class FeedbackPassage:
    """A first-pass passage that votes for expansion terms: its index terms and score."""

    terms: Sequence[str]
    score: float


def words_of_terms(
    terms: Sequence[str],
    groups: Sequence[frozenset[str]] = (),
    names: Sequence[tuple[frozenset[str], ...]] = (),
) -> tuple[QueryWord, ...]:
    """Query words from the question's terms and the analyzer's alternative groups.

    A term in no group is a word of its own. A word's count is how many times the question
    repeats it (its most repeated alternative), as BM25Okapi counts repeated terms.
    ``names``: hyphenated names, each as its parts' alternative groups; each becomes one word
    scored as the mean of its parts (``QueryWord.parts``), before ``groups`` are read.
    """
    counts = Counter(terms)
    words = []
    seen: set[str] = set()
    for name in names:
        parts = tuple(
            present
            for present in (
                frozenset(t for t in part if t in counts and t not in seen) for part in name
            )
            if present
        )
        if len(parts) > 1:
            union = frozenset().union(*parts)
            words.append(QueryWord(union, max(counts[t] for t in union), parts))
            seen |= union
    for group in groups:
        present = frozenset(t for t in group if t in counts and t not in seen)
        if present:
            words.append(QueryWord(present, max(counts[t] for t in present)))
            seen |= present
    words.extend(QueryWord(frozenset([t]), n) for t, n in counts.items() if t not in seen)
    return tuple(words)


# First characters of the terms RM3 never expands a question with (see ``TermShares.of``),
# and "" for the empty term; ``_SKIPPED`` is the same characters as one str, for the kernel.
_NOT_EXPANDED_STARTS = frozenset(("", DATE_PREFIX, FOLD_PREFIX))
_SKIPPED = "".join(sorted(_NOT_EXPANDED_STARTS))


@dataclass(frozen=True, slots=True)
class TermShares:
    """A feedback passage's expandable terms, each with its share ``tf / length``.

    In first-occurrence order; the length counts every term, date terms and fold keys too.
    It is all RM3 needs of a passage, so it can be kept per passage between questions.
    """

    terms: tuple[str, ...]
    shares: tuple[float, ...]

    @classmethod
    def of(cls, terms: Sequence[str]) -> TermShares:
        """The shares of a passage's index terms (date terms and fold keys left out).

        Counted and divided in one C call (``kernels.term_shares``: ``Counter``'s counts in
        first-occurrence order, the same ``tf / length`` divisions), not ``Counter``, a
        comprehension and a ``map``: the bench's ten feedback passages a cold question (~34
        terms each) took ~200 µs that way (docs/performance.md, "Archive.ask CPU, fourth
        cut"). The empty term and terms starting with a character of
        ``_NOT_EXPANDED_STARTS`` are left out; the length counts every term.
        """
        kept, shares = term_shares(terms if isinstance(terms, list) else list(terms), _SKIPPED)
        return cls(kept, shares)


def expansion_weights(
    feedback: Sequence[FeedbackPassage],
    *,
    options: LayerOptions = DEFAULT_LAYER,
    exclude: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """RM3's relevance model: the strongest feedback terms, weights summing to 1.

    Date terms (``@...``) and fold keys (``~...``) never expand a question: a date is a
    constraint the asker chose, and a fold key duplicates its word's stem.

    Args:
        feedback: the best first-pass passages, best first.
        options: feedback depth and expansion size.
        exclude: further terms never added.
    """
    return shares_expansion(
        [
            (TermShares.of(passage.terms), passage.score)
            for passage in feedback[: options.feedback_passages]
            if passage.terms
        ],
        options=options,
        exclude=exclude,
    )


def shares_expansion(
    feedback: Sequence[tuple[TermShares, float]],
    *,
    options: LayerOptions = DEFAULT_LAYER,
    exclude: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """``expansion_weights`` from the passages' ``TermShares`` and scores, best first."""
    votes: dict[str, float] = {}
    for passage, score in feedback[: options.feedback_passages]:
        if score <= 0:
            continue
        # ``votes[term] = votes.get(term, 0.0) + share * score`` for each term in order, in
        # C (``kernels.add_votes``): the loop's ~340 terms a cold bench question cost
        # ~80 µs in Python.
        add_votes(votes, passage.terms, passage.shares, score)
    for term in exclude:
        votes.pop(term, None)
    # The largest, ties in first-vote order (Counter.most_common's selection). ``sorted`` is
    # stable with ``reverse``, so this is exactly ``heapq.nlargest(n, ..., key=...)``, whose
    # documented equivalent it is (nlargest gives nothing for n <= 0, hence the ``max``);
    # nlargest's Python loop over the ~300 votes cost ~150 µs against ~50 µs for the sort in
    # C (2,000 random vote sets with ties: the same lists). ``kernels.strongest_votes`` is
    # that sort's head without sorting the ~290 votes (~50 → ~5 µs a bench question); it
    # declines (None) a vote that is not a float or is NaN, and the sort decides then.
    n_terms = max(options.expansion_terms, 0)
    strongest = strongest_votes(votes, n_terms)
    if strongest is None:
        strongest = sorted(votes.items(), key=itemgetter(1), reverse=True)[:n_terms]
    mass = sum(weight for _, weight in strongest)
    return {term: weight / mass for term, weight in strongest} if mass > 0 else {}


class CandidateRows:
    """Per-term BM25Okapi rows over one fixed candidate set, each term asked of the engine once.

    The layer scores the same candidates twice (the words, then the words plus the RM3
    expansion): keeping the rows means the second pass asks the engine only for the expansion
    terms the words did not already have, in one ``term_scores`` call.

    Args:
        term_scores: the engine's ``term_scores`` (``term_scores_of`` adapts a plain
            ``score_passages``).
        passage_ids: the candidates, in the order of every row.
    """

    def __init__(self, term_scores: TermScores, passage_ids: Sequence[int]) -> None:
        self._term_scores = term_scores
        self.passage_ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        self._rows: dict[str, np.ndarray] = {}
        self._columns: dict[int, int] | None = None

    def rows(self, terms: Sequence[str]) -> dict[str, np.ndarray]:
        """The rows of ``terms`` (fetching the missing ones in one engine call)."""
        missing = [term for term in dict.fromkeys(terms) if term not in self._rows]
        if missing and self.passage_ids.size:
            matrix = np.asarray(self._term_scores(missing, self.passage_ids), dtype=np.float64)
            self._rows.update(zip(missing, matrix, strict=True))
        elif missing:
            self._rows.update((term, np.zeros(0)) for term in missing)
        return {term: self._rows[term] for term in terms}

    def columns(self, passage_ids: Sequence[int]) -> np.ndarray:
        """The positions of candidates in every row (each id must be a candidate)."""
        if self._columns is None:
            ids = self.passage_ids.tolist()
            self._columns = dict(zip(ids, range(len(ids)), strict=True))
        return np.array(list(map(self._columns.__getitem__, passage_ids)), dtype=np.int64)

    def matrix(self, terms: Sequence[str], columns: np.ndarray) -> np.ndarray:
        """Rows of ``terms`` (fetched if missing) at candidate positions ``columns``."""
        found = self.rows(terms)
        return np.stack([found[term][columns] for term in terms])


def layer_scores(
    term_scores: TermScores,
    words: Sequence[QueryWord],
    passage_ids: Sequence[int],
    *,
    expansion: dict[str, float] | None = None,
    options: LayerOptions = DEFAULT_LAYER,
) -> np.ndarray:
    """The layer's score of each passage (see the module docstring), from exact BM25 parts.

    Args:
        term_scores: the engine's ``term_scores`` (one matrix for every term, so the engine
            maps ids to rows once; ``term_scores_of`` adapts a plain ``score_passages``).
        words: the question's words.
        passage_ids: the candidates.
        expansion: RM3 expansion weights (None or empty: words only).
        options: the interpolation weight.
    """
    return candidate_layer_scores(
        CandidateRows(term_scores, passage_ids), words, expansion=expansion, options=options
    )


def candidate_layer_scores(
    candidates: CandidateRows,
    words: Sequence[QueryWord],
    *,
    expansion: dict[str, float] | None = None,
    options: LayerOptions = DEFAULT_LAYER,
    same_language: SameLanguage | None = None,
    words_only: np.ndarray | None = None,
) -> np.ndarray:
    """``layer_scores`` over rows kept in ``candidates`` (the same sums in the same order).

    ``same_language``: which candidates (by id) are in the question's language
    (``word_scores``). ``words_only``: this function's result without ``expansion`` for the
    same candidates, words, options and languages, when the caller has it (the RM3 pass
    then adds only the expansion instead of summing the words again).
    """
    n = candidates.passage_ids.size
    original = np.zeros(n, dtype=np.float64)
    if n == 0 or not words:
        return original
    # Every distinct term once, in first-use order; the sums below keep the per-term order.
    wanted = [term for word in words for term in sorted(word.terms)]
    rows = candidates.rows([*wanted, *(expansion or ())])
    if words_only is not None:
        original = words_only
    else:
        total = sum(word.count for word in words)
        in_language = None
        if same_language is not None:
            ids = candidates.passage_ids

            def in_language(positions: np.ndarray) -> np.ndarray:
                return same_language(ids[positions])

        # ``original += word.count / total * scores`` per word, in order, in one C call
        # (``kernels.add_weighted_rows``: numpy's product and sum per element, no temporary
        # arrays); the same for the ~20 expansion terms below (docs/performance.md,
        # "Archive.ask CPU, fourth cut").
        add_weighted_rows(
            original,
            [word_scores(word, rows, options, in_language) for word in words],
            [word.count / total for word in words],
        )
    if not expansion:
        return original
    expanded = np.zeros(n, dtype=np.float64)
    add_weighted_rows(expanded, [rows[term] for term in expansion], list(expansion.values()))
    return options.original_weight * original + (1 - options.original_weight) * expanded


def is_folded(term: str) -> bool:
    """A transliteration fold key (``~...``): a spelling-blind alternative of a name."""
    return term.startswith("~")


def word_scores(
    word: QueryWord,
    rows: dict[str, np.ndarray],
    options: LayerOptions = DEFAULT_LAYER,
    same_language: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """One word's score per candidate: the best of its alternatives, exact before folded.

    A candidate holding an exact term of the word (its stem) scores the best of all its
    alternatives. A candidate in the question's language that matches the word only through
    a fold key is a variant spelling of the name ("Zqhunubaba" for "Zqgunubaba"): when some
    candidate matches the word exactly, it scores the fold key's BM25 times
    ``options.folded_share``, so the fold key adds recall but never lifts a variant above
    the exact name asked for (issue 11; tests/index/answer/test_exact_before_folded.py). In
    another language the fold key is how a name crosses scripts ("Зеленський" meets
    "Zelensky"), and it counts in full, as it does when no candidate has the exact term.

    A hyphenated name (``QueryWord.parts``) scores the mean of its parts, each the best of
    its alternatives as above: its parts name one thing, so counting each as a word would
    weigh the name two or three times against the question's other words, and a passage
    that names it holds every part ("Коста-Рики", not only "Коста"; xquad-ru-dev and
    multihop-rag-facts-dev, docs/quality.md "Hyphenated words in the ranking").

    Args:
        same_language: given candidate positions, whether each is in the question's
            language; asked only about fold-only candidates. None: all are.
    """
    if word.parts:
        total = sum(
            word_scores(QueryWord(part), rows, options, same_language) for part in word.parts
        )
        return np.asarray(total, dtype=np.float64) / len(word.parts)
    if len(word.terms) == 1:
        # One term, exact or folded, is its own best (what the general path returns too).
        (term,) = word.terms
        return rows[term]
    alternatives = sorted(word.terms)
    exact = [rows[t] for t in alternatives if not is_folded(t)]
    folded = [rows[t] for t in alternatives if is_folded(t)]
    best_exact = _row_max(exact)
    best_folded = _row_max(folded)
    if best_exact is None or best_folded is None:
        return best_folded if best_exact is None else best_exact
    held = best_exact > 0
    either = np.maximum(best_exact, best_folded)
    if not held.any():
        return either
    variants = np.flatnonzero(~held & (best_folded > 0))
    if variants.size and same_language is not None:
        variants = variants[np.asarray(same_language(variants), dtype=bool)]
    if not variants.size:
        return either
    out = either.copy()
    out[variants] = options.folded_share * best_folded[variants]
    return out


def _row_max(rows: list[np.ndarray]) -> np.ndarray | None:
    if not rows:
        return None
    best = rows[0]
    for row in rows[1:]:
        best = np.maximum(best, row)
    return best


def apply_proximity(
    scores: np.ndarray, sentence_coverage: np.ndarray, *, options: LayerOptions = DEFAULT_LAYER
) -> np.ndarray:
    """Scores times ``1 + proximity_weight * coverage`` (coverage in [0, 1], one per passage)."""
    return scores * (1.0 + options.proximity_weight * np.clip(sentence_coverage, 0.0, 1.0))
