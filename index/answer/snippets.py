"""Snippets: the sentence(s) of a passage that carry the question, with highlight spans.

``split_sentences`` is hand-written rather than taken from a library because it must return
exact character offsets into the passage (highlights are offsets), work the same for English,
Ukrainian and Russian, and need no model downloads; news text rarely needs more than
terminal punctuation, newlines and a short abbreviation list.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import compress
from operator import attrgetter

from index.analysis.dates import DATE_PREFIX, DAY_PREFIX
from index.answer.answer_type import (
    AnswerType,
    is_count_span,
    is_typed_term,
    states_reason,
    typed_span_starts,
)
from index.answer.evidence import QuestionWord
from index.answer.protocols import TermSpanLike

# A span's term, read in C (``_word_hits``).
_TERM_OF = attrgetter("term")
# A snippet shorter than this many characters (about 50 words: one long news sentence, or two
# short ones) gets one neighbouring sentence of context; 100 left pronoun-led follow-ups ("He
# told lawmakers ...") out of answers on the QA set. 150 → 200 with PAIR_COST 0.05, on the
# four QA sets (docs/quality.md, "Snippet choice"): xquad-ru 0.773 / 0.817 → 0.783 / 0.832,
# realtimeqa 0.476 / 0.614 → 0.483 / 0.621. 200 → 300 (docs/quality.md, "Context for one
# long sentence"): a first snippet of 201–290 characters left out the next paragraph's
# sentence that names the answer ("... will face off against Donald Trump ... in their first
# and only scheduled debate." then "... from The National Constitution Center in
# Philadelphia."): realtimeqa 0.600 / 0.710 → 0.614 / 0.738, xquad-ru 0.810 / 0.899 → 0.825
# / 0.899, multihop and qa_sample unchanged.
SHORT_SNIPPET_CHARS = 300
# A sentence holding the expected answer type (a date for "when", a number for "how many")
# gains this share of the question's weight when passages are ordered
# (``best_sentence_coverage``), and its snippet score this much more (``choose_snippet``).
# Snippet bonuses multiply the question words' share, so a sentence that matches none of
# them never wins on bonuses alone (added, they picked "Opinion contributor"-like lines).
# Figures: docs/quality.md, "Snippet choice".
ANSWER_TYPE_SHARE = 0.5
# Two adjacent sentences make one snippet only within this length.
MAX_SNIPPET_CHARS = 500
# A sentence repeating all the title's words the question does not hold scores this much more
# (proportionally for some of them): the headline states the story's main fact.
TITLE_SHARE = 0.5
# A sentence holding a title word of the expected answer type (a name in the headline of a
# "who"/"which" question) scores this much more: the headline names the story's main actor.
HEADLINE_ANSWER_SHARE = 0.5
# A question word the title holds weighs this share of its weight in sentence choice.
TITLE_WORD_FACTOR = 0.5
# A sentence starting in the article's lead (the body's first ``LEAD_CHARS``) scores this
# much more: news leads state who, what, where and when.
LEAD_SHARE = 0.25
LEAD_CHARS = 400
# Two sentences cost this share of the question's weight over one, so a pair wins only when
# the question's words really span both. Grid 0 / 0.025 / 0.05 / 0.1 / 0.2 on the four QA sets
# (docs/quality.md): 0.05 and 0.025 best on xquad-ru (answer@1 0.780 against 0.773 at 0.1),
# the others unchanged; 0 cost qa_sample one answer@1, 0.2 cost xquad-ru 0.013.
PAIR_COST = 0.05
# A question word that a unit holds only as a stem of its root (``DERIVED_MIN_CHARS``:
# "определить" in "определенном") weighs this share of its weight: a derived word is weaker
# evidence than the word itself. xquad-ru answer@1 +1 −0 at 0.6, 0.75 and 0.9, −1 at 0.25;
# the other sets unchanged (docs/quality.md, "Nearness of the question's words").
DERIVED_SHARE = 0.75
# A unit pays this share of the question's weight times the share of ``MAX_SNIPPET_CHARS``
# its question words are spread over (``_match_window``): of two sentences matching the same
# words, the one holding them together ("Шотландскую ассамблею проголосовало 51,6 %", "Любой
# узел может быть выражен ...") states them as one fact. xquad-ru answer@1 +1 at 0.025, +2
# at 0.04, 0.05 and 0.07 (answer@3 +1 −1), noise from 0.1; the other sets' answers unchanged
# up to 0.07 (docs/quality.md, "Nearness of the question's words").
SPREAD_COST = 0.05

# In sentence choice only, a Russian or Ukrainian question stem of at least this many letters
# also matches a sentence's stem it begins or that begins it: one root across parts of speech
# that the stemmer keeps apart ("текстах" / "текстовых": текст / текстов, "арестуют" /
# "арестах": арестова / арест). ``evidence.with_prefix_stems`` joins stems of 6 letters and
# more through the index, for the evidence too; 5 here only reorders the sentences of an
# article already found. Cyrillic only: English Snowball stems of 5 letters join unrelated
# words ("elect" / "electr"). xquad-ru answer@1 +2 −1, answer@3 +1; 4 letters +3 −3 / +2,
# 6 letters +0 −1 (docs/quality.md, "Words of one root and names carried between windows").
DERIVED_MIN_CHARS = 5
_CYRILLIC_RE = re.compile(r"[а-яё]+")

# End of a sentence: terminal punctuation (plus closing quotes/brackets) then whitespace,
# before something that can start a sentence; or a line break. Written as
# ``[.!?…]+[\"'»”’)\]]*\s+(?=…)|\n+`` reads, but led by the one character class both
# branches start with (the branch taken told by a lookbehind at it): ``re`` then skips to
# the next such character instead of trying the whole pattern at every position, and
# ``split_sentences`` ran ~6.6x faster over the bench's and the QA sets' texts (the same
# matches on all 22,765; tests/index/answer/test_sentence_boundaries.py). The unled pattern
# was ~5% of a cold question's instructions at 100k passages (docs/performance.md).
_BOUNDARY_RE = re.compile(
    r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])[.!?…]*[\"'»”’)\]]*\s+(?=[\"'«“‘(\[•\-–—\d\w]))"
)
# Titles before a name ("Gov.", "Sen.", "Rep.", "Rev.") are among them: a sentence cut at
# "North Carolina Gov." loses the name it introduces (realtimeqa answer@3 +1 question, the
# other sets unchanged; docs/quality.md, "Which snippets are shown first").
_ABBREVIATION_TEXT = (
    "mr mrs ms dr prof st gen col lt sgt jr sr inc ltd co corp vs etc fig approx gov sen rep rev "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "т г гг им ул пер тыс млн млрд ст див тис"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
# Dotted initials ("U.S.", "D.C.", "a.m.", "Т.Т."): a period after them rarely ends the
# sentence ("a major honor from the U.S. Navy."), and a snippet cut there loses its subject.
_INITIALS_RE = re.compile(r"(?:\w\.)+\w")


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A sentence as [start, end) offsets into its passage, whitespace trimmed."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SnippetCues:
    """What a sentence is scored on: the question, its answer type, the article's title.

    Attributes:
        words: the question's words with weights.
        question_terms: every term of the question (highlights; typed terms the question
            itself holds are not an answer).
        answer_type: what the question asks for (``answer_type.answer_type_of``).
        title_words: the article title's words the question does not hold, each as its set
            of terms (``title_words``): a sentence repeating them is about what the headline
            says, which is where a news article states its main fact.
        title_matched: the indexes of the question words the title holds: a lead sentence
            that names the headline's answer (a title term of the answer type) states the
            headline, so it matches them too ("Volkswagen recalls over 114,000 Beetles" and
            its lead "Volkswagen is recalling nearly 115,000 Beetle and Passat models").
        unindexed: the indexes of the words whose terms the index's held terms of a
            passage do not include (the years of the question's period,
            ``year_words``): ``snippet_score_ceiling`` counts them as matched.
    """

    words: Sequence[QuestionWord]
    question_terms: frozenset[str]
    answer_type: AnswerType | None = None
    title_words: tuple[frozenset[str], ...] = ()
    title_matched: frozenset[int] = frozenset()
    unindexed: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ChosenSnippet:
    """The snippet's bounds in the passage, its highlight spans relative to the snippet, and
    its score (``SnippetCues`` shares: comparable between passages of one article)."""

    start: int
    end: int
    text: str
    highlights: tuple[tuple[int, int], ...]
    score: float = 0.0
    # Whether a sentence of the snippet holds a term of the expected answer type that the
    # question does not (a date for "when"): the snippet can state the answer.
    typed: bool = False
    # Whether a sentence of the snippet (context included) holds the headline's answer.
    headline: bool = False


def split_sentences(text: str) -> list[SentenceSpan]:
    """Split ``text`` into sentences with exact offsets (see the module docstring)."""
    spans: list[SentenceSpan] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.group().strip() and not match.group().startswith("\n"):
            words = text[start : match.start()].split()
            last = words[-1].lower().rstrip(".") if words else ""
            next_char = text[match.end() : match.end() + 1]
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            if (
                _INITIALS_RE.fullmatch(last)
                and match.group().rstrip() == "."
                and "\n" not in match.group()
            ):
                continue
            if next_char.islower():
                continue
        end = match.start() + len(match.group().rstrip())
        _append_trimmed(text, start, end, spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[SentenceSpan]) -> None:
    """Append [start, end) without surrounding whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(SentenceSpan(start, end))


def choose_snippet(
    text: str, spans: Sequence[TermSpanLike], cues: SnippetCues, *, lead: int = 0
) -> ChosenSnippet:
    """The best snippet of ``text`` (``choose_snippets``, the first)."""
    return choose_snippets(text, spans, cues, lead=lead)[0]


def choose_snippets(
    text: str, spans: Sequence[TermSpanLike], cues: SnippetCues, *, lead: int = 0, n: int = 1
) -> list[ChosenSnippet]:
    """Pick the sentence, or two adjacent sentences, of ``text`` that best answer the question.

    A unit (one sentence, or two adjacent ones within ``MAX_SNIPPET_CHARS``) scores the
    share of the question's weight its distinct matched words carry, times one plus its best
    sentence's bonus: ``ANSWER_TYPE_SHARE`` when the sentence holds a term of the expected
    answer type that the question does not (a name for "who", a date for "when"),
    ``HEADLINE_ANSWER_SHARE`` when that term is also in the title, ``TITLE_SHARE`` times the
    share of the title's other words it repeats, and ``LEAD_SHARE`` when it starts in the
    article's lead. A pair pays ``PAIR_COST`` and takes only one sentence's bonus, so it
    wins only when the question's words really span both sentences. A question word held
    only as a stem of its root weighs ``DERIVED_SHARE``, and a unit pays ``SPREAD_COST`` for
    how far apart its question words are. Ties go to the earlier,
    shorter unit. A question word also matches a stem of its root (``DERIVED_MIN_CHARS``).
    A unit still shorter than ``SHORT_SNIPPET_CHARS`` gets a neighbouring sentence as
    context, one no earlier unit took: the one holding a term of the type asked
    (``context_choice``), else the following one, else the preceding one. A passage with
    no such sentence left leaves the snippet short, and the caller may take the context from
    the neighbouring passage (``assemble._with_context``). A longer unit that does not name
    the headline's answer (a title term of the type asked) takes a neighbour that does,
    within ``MAX_SNIPPET_CHARS``: "... said a law professor who served in the antitrust
    division." then "Google said it would appeal the decision." under "Google loses
    antitrust case".

    Args:
        text: the passage text.
        spans: ``analyzer.term_spans`` of ``text``.
        cues: the question, its answer type and the article's title words.
        lead: how many characters at the start of ``text`` belong to the article's lead
            (0: none; the passage starts later in the article).
        n: at most this many snippets, best first, sharing no sentence: an article's
            second snippet may come from the same passage as its first (one passage of a
            short article often holds both the matching sentence and the answer).

    Returns:
        The snippets (at least one), each with its highlights as offsets relative to the
        snippet text, and its score.
    """
    sentences = split_sentences(text) or [SentenceSpan(0, len(text))]
    features = _sentence_features(sentences, spans, cues, text)
    total = sum(word.weight for word in cues.words)
    n_title = len(cues.title_words)
    any_derived = any(feature.derived for feature in features)

    def bonus(i: int) -> float:
        value = ANSWER_TYPE_SHARE if features[i].typed else 0.0
        if features[i].headline_typed:
            value += HEADLINE_ANSWER_SHARE
        if n_title:
            value += TITLE_SHARE * len(features[i].titled) / n_title
        if sentences[i].start < lead:
            value += LEAD_SHARE
        return value

    def score(first: int, last: int) -> float:
        matched = set().union(*(features[i].matched for i in range(first, last + 1)))
        if sentences[first].start < lead and any(
            features[i].headline_typed for i in range(first, last + 1)
        ):
            matched |= cues.title_matched
        # Words held only as a stem of their root in every sentence of the unit (a title
        # word a lead sentence is credited with is held in full); none when no sentence
        # holds a derived word (every question but Russian and Ukrainian ones, mostly).
        weak = (
            set().union(*(features[i].derived for i in range(first, last + 1)))
            - set().union(
                *(features[i].matched - features[i].derived for i in range(first, last + 1))
            )
            if any_derived
            else set()
        )
        weight = sum(cues.words[i].weight * (DERIVED_SHARE if i in weak else 1.0) for i in matched)
        value = weight / total if total > 0 else 0.0
        value *= 1 + max(bonus(i) for i in range(first, last + 1))
        return value - PAIR_COST * (last - first)

    units = [(i, i) for i in range(len(sentences))] + [
        (i, i + 1)
        for i in range(len(sentences) - 1)
        if sentences[i + 1].end - sentences[i].start <= MAX_SNIPPET_CHARS
    ]
    hits = _word_hits(spans, cues.words)
    scored = sorted(
        (
            (
                score(first, last)
                - _spread_cost(hits, sentences[first].start, sentences[last].end),
                -first,
                first - last,
                first,
                last,
            )
            for first, last in units
        ),
        reverse=True,
    )
    chosen: list[ChosenSnippet] = []
    taken: set[int] = set()
    for unit_score, _, _, first, last in scored:
        if len(chosen) >= n:
            break
        if taken.intersection(range(first, last + 1)):
            continue
        typed = any(features[i].typed for i in range(first, last + 1))
        headline = any(features[i].headline_typed for i in range(first, last + 1))
        free = [i for i in (last + 1, first - 1) if 0 <= i < len(sentences) and i not in taken]
        if sentences[last].end - sentences[first].start < SHORT_SNIPPET_CHARS:
            if free:
                side = free[context_choice([features[i] for i in free])]
                first, last = min(first, side), max(last, side)
        elif not headline:
            free = [
                i
                for i in free
                if features[i].headline_typed
                and max(sentences[last].end, sentences[i].end)
                - min(sentences[first].start, sentences[i].start)
                <= MAX_SNIPPET_CHARS
            ]
            if free:
                side = free[context_choice([features[i] for i in free])]
                first, last = min(first, side), max(last, side)
        headline = any(features[i].headline_typed for i in range(first, last + 1))
        taken.update(range(first, last + 1))
        start, end = sentences[first].start, sentences[last].end
        chosen.append(
            ChosenSnippet(
                start=start,
                end=end,
                text=text[start:end],
                highlights=highlight_spans(spans, cues.question_terms, start, end, text=text),
                score=unit_score,
                typed=typed,
                headline=headline,
            )
        )
    return chosen


def _word_hits(
    spans: Sequence[TermSpanLike], words: Sequence[QuestionWord]
) -> list[tuple[int, int, int]]:
    """(start, end, word index) of every span of a question word's own terms, by start."""
    word_of: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        for term in word.terms:
            word_of.setdefault(term, []).append(i)
    # Most spans are of no question word: ``compress`` drops them in C, so the generator
    # only visits the few that are (the same tuples in the same order).
    held = compress(spans, map(word_of.__contains__, map(_TERM_OF, spans)))
    return sorted((span.start, span.end, i) for span in held for i in word_of[span.term])


def _spread_cost(hits: Sequence[tuple[int, int, int]], start: int, end: int) -> float:
    """``SPREAD_COST`` times the share of ``MAX_SNIPPET_CHARS`` (at most all of it) that the
    question words of [start, end) are spread over (``_match_window``)."""
    return SPREAD_COST * min(1.0, _match_window(hits, start, end) / MAX_SNIPPET_CHARS)


def _match_window(hits: Sequence[tuple[int, int, int]], start: int, end: int) -> int:
    """The fewest characters of [start, end) that hold one occurrence of every question word
    the range holds (``hits``: sorted (start, end, word index) of the passage's spans of
    question terms); 0 with fewer than two words."""
    lo_at = bisect.bisect_left(hits, (start, -1, -1))
    hi_at = bisect.bisect_left(hits, (end, -1, -1), lo_at)
    inside = [hit for hit in hits[lo_at:hi_at] if hit[1] <= end]
    if len(inside) < 2:
        return 0
    wanted = len({word for _, _, word in inside})
    if wanted < 2:
        return 0
    best = end - start
    counts: dict[int, int] = {}
    lo = 0
    for _, hit_end, word in inside:
        counts[word] = counts.get(word, 0) + 1
        while len(counts) == wanted:
            best = min(best, hit_end - inside[lo][0])
            left = inside[lo][2]
            counts[left] -= 1
            if not counts[left]:
                del counts[left]
            lo += 1
    return best


def context_choice(neighbours: Sequence[SentenceFeatures]) -> int:
    """Which neighbouring sentence a short snippet takes as context (an index into
    ``neighbours``, the default first).

    The one that can state the answer: a term of the type asked that the headline holds
    (the headline's name for a "which company" question), else any new term of that type,
    else the first listed (in a passage the following sentence, across passages the
    preceding paragraph's last: ``assemble._with_context``). A news paragraph is often one
    sentence, and the answer's name sits in the sentence beside the one matching the
    question ("Tom Cruise is choosing to accept a major honor from the U.S. Navy." before
    "The "Top Gun" star, 62, on Tuesday received the Navy's Distinguished Public Service
    Award ...").
    """
    return max(
        range(len(neighbours)),
        key=lambda i: (neighbours[i].headline_typed, neighbours[i].typed, -i),
    )


def untyped_context_choice(
    neighbours: Sequence[SentenceFeatures], own: frozenset[int], following: Sequence[bool]
) -> int | None:
    """Which neighbouring paragraph's edge sentence a short snippet takes as context when the
    question asks for no type ("what is ..."): an index into ``neighbours``, or None.

    No sentence can "name the answer" there (``context_choice``), so the neighbour must carry
    the question further: the one holding the most question words the snippet lacks (``own``
    are the question words the snippet matches; a tie goes to the earlier listed, the
    preceding paragraph's last sentence). Else the following paragraph's first sentence
    (``following``), the one a news paragraph's statement goes on in: "Merriam-Webster
    announced its 2024 Word of the Year. Ironically, it is something on which many would
    agree." and then "The dictionary and publishing company announced the word of the year
    ...". Never the preceding paragraph for nothing: a paragraph break before a snippet
    separates topics ("Tusk stated it would need approval." before "On 14 July, Secretary
    General Stoltenberg said ...").
    """
    adding = [i for i, features in enumerate(neighbours) if features.matched - own]
    if adding:
        return max(adding, key=lambda i: (len(neighbours[i].matched - own), -i))
    return next((i for i, after in enumerate(following) if after), None)


def sentence_features(
    text: str, spans: Sequence[TermSpanLike], sentence: SentenceSpan, cues: SnippetCues
) -> SentenceFeatures:
    """``_sentence_features`` of one sentence of ``text`` (a neighbouring passage's edge
    sentence, for ``context_choice`` across passages)."""
    inside = [span for span in spans if sentence.start <= span.start < sentence.end]
    return _sentence_features([sentence], inside, cues, text)[0]


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """What one sentence holds: question words (indexes), a typed term, title words,
    whether a typed term is one of the title's, and which question words it holds only as a
    stem of their root."""

    matched: frozenset[int]
    typed: bool
    titled: frozenset[int]
    headline_typed: bool = False
    # The question words of ``matched`` it holds only as a stem of their root
    # (``_derived_matches``), none of their own terms.
    derived: frozenset[int] = frozenset()


def _sentence_features(
    sentences: Sequence[SentenceSpan],
    spans: Sequence[TermSpanLike],
    cues: SnippetCues,
    text: str | None = None,
) -> list[SentenceFeatures]:
    """Per sentence: the question words it matches (a stem of the same root too,
    ``_derived_matches``), whether it holds a new typed term (one not at a place where the
    question's own terms are; for names, not inside a date nor a sentence's capitalised
    first word seen nowhere else; for "how many", no date's day or year,
    ``is_count_span``), whether that term is also in the title, and the title words it
    repeats. A "why" question's type is read from the sentence's words (``states_reason``),
    so it needs ``text``, the passage the sentences and spans index into."""
    term_words: dict[str, list[int]] = {}
    for i, word in enumerate(cues.words):
        for term in word.terms:
            term_words.setdefault(term, []).append(i)
    term_titles: dict[str, list[int]] = {}
    for j, terms in enumerate(cues.title_words):
        for term in terms:
            term_titles.setdefault(term, []).append(j)
    headline_answers = (
        {
            term
            for terms in cues.title_words
            if any(is_typed_term(t, cues.answer_type) for t in terms)
            for term in terms
        }
        if cues.answer_type is not None
        else set()
    )
    starts = [sentence.start for sentence in sentences]
    matched: list[set[int]] = [set() for _ in sentences]
    derived: list[set[int]] = [set() for _ in sentences]
    exact_matched: list[set[int]] = [set() for _ in sentences]
    titled: list[set[int]] = [set() for _ in sentences]
    related = _related_words(cues.words)
    typed = [False] * len(sentences)
    headline_typed = [False] * len(sentences)
    # The question and title words each sentence holds: only the spans of question and title
    # terms (and of stems a question word's root begins) are located, ~1 in 8 of a passage's.
    _match_words(
        spans,
        sentences,
        starts,
        term_words,
        term_titles,
        related,
        matched,
        exact_matched,
        derived,
        titled,
    )
    if cues.answer_type is None or cues.answer_type == "reason":
        # No span can be a typed term ("reason" is read from the sentence's words).
        if cues.answer_type == "reason" and text is not None:
            for index, sentence in enumerate(sentences):
                typed[index] = states_reason(text[sentence.start : sentence.end])
        return _features_of(matched, typed, titled, headline_typed, derived, exact_matched)
    located = [(span, _sentence_at(sentences, starts, span.start)) for span in spans]
    asked = {span.start for span in spans if span.term in cues.question_terms}
    dates = [(span.start, span.end) for span in spans if span.term.startswith(DAY_PREFIX)]
    ordered: list[TermSpanLike] = []
    order_starts: list[int] = []
    if cues.answer_type == "number":
        ordered = sorted(spans, key=lambda span: span.start)
        order_starts = [span.start for span in ordered]
    # Every sentence's first word is capitalised: it is a name only when the same key is
    # also written capitalised inside a sentence, or in the title.
    first_word: dict[int, int] = {}
    names: set[str] = set()
    if cues.answer_type == "name":
        for span, index in located:
            if index is not None:
                first_word.setdefault(index, span.start)
        names = {term for terms in cues.title_words for term in terms} | {
            span.term
            for span, index in located
            if index is not None and span.start != first_word[index]
        }
    for span, index in located:
        if index is None:
            continue
        if span.start in asked or not is_typed_term(span.term, cues.answer_type):
            continue
        if cues.answer_type == "name" and (
            _inside(span.start, dates)
            or (span.start == first_word[index] and span.term not in names)
        ):
            continue
        if cues.answer_type == "number" and not is_count_span(
            span, _following_span(ordered, order_starts, span), dates
        ):
            continue
        typed[index] = True
        if span.term in headline_answers:
            headline_typed[index] = True
    return _features_of(matched, typed, titled, headline_typed, derived, exact_matched)


def _match_words(
    spans: Sequence[TermSpanLike],
    sentences: Sequence[SentenceSpan],
    starts: Sequence[int],
    term_words: dict[str, list[int]],
    term_titles: dict[str, list[int]],
    related: dict[str, set[int]],
    matched: list[set[int]],
    exact_matched: list[set[int]],
    derived: list[set[int]],
    titled: list[set[int]],
) -> None:
    """``_sentence_features``' word and title matches, in span order: a span of no question
    or title term, and no stem a question word's root begins, changes none of the sets, so
    only the others are located (``_sentence_at``). Kept apart from the typed terms' loop,
    which locates every span but only for questions that ask a type."""
    for span in spans:
        term = span.term
        in_words = term in term_words
        in_titles = term in term_titles
        derive = not in_words and related and term[:DERIVED_MIN_CHARS] in related
        if not (in_words or in_titles or derive):
            continue
        index = _sentence_at(sentences, starts, span.start)
        if index is None:
            continue
        if in_words:
            matched[index].update(term_words[term])
            exact_matched[index].update(term_words[term])
        elif derive:
            found = _derived_matches(term, related)
            matched[index].update(found)
            derived[index].update(found)
        if in_titles:
            titled[index].update(term_titles[term])


def _features_of(
    matched: list[set[int]],
    typed: list[bool],
    titled: list[set[int]],
    headline_typed: list[bool],
    derived: list[set[int]],
    exact_matched: list[set[int]],
) -> list[SentenceFeatures]:
    """The ``SentenceFeatures`` of each sentence from ``_sentence_features``' per-sentence
    sets."""
    return [
        SentenceFeatures(frozenset(m), t, frozenset(ti), h, frozenset(d - exact))
        for m, t, ti, h, d, exact in zip(
            matched, typed, titled, headline_typed, derived, exact_matched, strict=True
        )
    ]


def _related_words(words: Sequence[QuestionWord]) -> dict[str, set[int]]:
    """Every prefix of at least ``DERIVED_MIN_CHARS`` letters of the Cyrillic terms of the
    question's everyday words (no name, date or number), with the words it belongs to."""
    related: dict[str, set[int]] = {}
    for i, word in enumerate(words):
        if word.is_name or word.is_date or word.transferable:
            continue
        for term in word.terms:
            if len(term) >= DERIVED_MIN_CHARS and _CYRILLIC_RE.fullmatch(term):
                for k in range(DERIVED_MIN_CHARS, len(term) + 1):
                    related.setdefault(term[:k], set()).add(i)
    return related


def _derived_matches(term: str, related: dict[str, set[int]]) -> set[int]:
    """The indexes of the question words whose stem begins ``term`` or that ``term`` begins
    (``_related_words``)."""
    if term[:DERIVED_MIN_CHARS] not in related:
        return set()  # most terms: every related key begins with DERIVED_MIN_CHARS letters
    found = set(related.get(term, ()))
    if len(term) > DERIVED_MIN_CHARS and _CYRILLIC_RE.fullmatch(term):
        for k in range(DERIVED_MIN_CHARS, len(term)):
            found |= related.get(term[:k], set())
    return found


def _following_span(
    ordered: Sequence[TermSpanLike], starts: Sequence[int], span: TermSpanLike
) -> TermSpanLike | None:
    """The first span of ``ordered`` (sorted by start) starting after ``span`` ends."""
    at = bisect.bisect_left(starts, span.end)
    return ordered[at] if at < len(ordered) else None


def _inside(offset: int, ranges: Sequence[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies in one of the [start, end) ranges."""
    return any(start <= offset < end for start, end in ranges)


def _sentence_at(
    sentences: Sequence[SentenceSpan], starts: Sequence[int], offset: int
) -> int | None:
    """The index of the sentence containing ``offset`` (None in between), by bisection."""
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and offset < sentences[index].end:
        return index
    return None


def snippet_score_ceiling(cues: SnippetCues, held: frozenset[str], *, in_lead: bool) -> float:
    """The highest ``choose_snippet`` score a passage holding the terms ``held`` can reach.

    No sentence matches more question words than its passage holds (a lead sentence, its
    title's too: ``SnippetCues.title_matched``), and every bonus is at most its full share,
    so this bounds the score without the passage's spans. Words ``held`` cannot tell of
    (``SnippetCues.unindexed``) count as matched.
    """
    total = sum(word.weight for word in cues.words)
    if total <= 0:
        return 0.0
    coverage = (
        sum(
            word.weight
            for i, word in enumerate(cues.words)
            if word.terms & held or i in cues.unindexed or (in_lead and i in cues.title_matched)
        )
        / total
    )
    bonus = LEAD_SHARE if in_lead else 0.0
    if cues.title_words:
        bonus += TITLE_SHARE
    if cues.answer_type is not None:
        bonus += ANSWER_TYPE_SHARE
        if any(
            is_typed_term(term, cues.answer_type) for terms in cues.title_words for term in terms
        ):
            bonus += HEADLINE_ANSWER_SHARE
    return coverage * (1 + bonus)


def beyond_title(
    words: Sequence[QuestionWord], title_terms: frozenset[str]
) -> tuple[QuestionWord, ...]:
    """The question's words for choosing among one article's sentences: those the title
    holds weigh ``TITLE_WORD_FACTOR`` of their weight.

    Every sentence of an article shares its title, so a question word the title holds says
    which article, and less which sentence; the rest say where the answer is. Kept at a
    share rather than dropped, so that among sentences that hold the same new words the one
    that also names the topic wins.
    """
    return tuple(
        replace(word, weight=word.weight * TITLE_WORD_FACTOR) if word.terms & title_terms else word
        for word in words
    )


def title_words(
    spans: Sequence[TermSpanLike], question_terms: frozenset[str]
) -> tuple[frozenset[str], ...]:
    """A title's words (its spans grouped by start) that hold no question term and no date.

    A word is one stretch of text, whatever number of terms it gave (a stem and a
    transliteration key), so a name counts once.
    """
    grouped: dict[int, set[str]] = {}
    for span in spans:
        grouped.setdefault(span.start, set()).add(span.term)
    return tuple(
        frozenset(terms)
        for terms in grouped.values()
        if not terms & question_terms and not any(t.startswith(DATE_PREFIX) for t in terms)
    )


def _matched_by_sentence(
    sentences: Sequence[SentenceSpan],
    spans: Sequence[TermSpanLike],
    words: Sequence[QuestionWord],
) -> list[set[int]]:
    """For each sentence, the indexes of the question words it matches."""
    term_words: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        for term in word.terms:
            term_words.setdefault(term, []).append(i)
    matched: list[set[int]] = [set() for _ in sentences]
    for span in spans:
        if span.term in term_words:
            index = _sentence_of(sentences, span.start)
            if index is not None:
                matched[index].update(term_words[span.term])
    return matched


def best_sentence_coverage(
    text: str,
    spans: Sequence[TermSpanLike],
    words: Sequence[QuestionWord],
    answer_type: AnswerType | None = None,
) -> float:
    """The largest share of the question's weight that one sentence of ``text`` matches.

    Matched terms inside one sentence are close together: this is the ranking layer's
    proximity signal (``index.search.ranking.apply_proximity``). A sentence holding a term of
    the expected answer type counts ``ANSWER_TYPE_SHARE`` more.
    """
    total = sum(word.weight for word in words)
    if total <= 0:
        return 0.0
    sentences = split_sentences(text) or [SentenceSpan(0, len(text))]
    matched = _matched_by_sentence(sentences, spans, words)
    bonus = _type_bonus(sentences, spans, words, answer_type)
    return (
        max(
            sum(words[i].weight for i in indexes) + extra
            for indexes, extra in zip(matched, bonus, strict=True)
        )
        / total
    )


def _type_bonus(
    sentences: Sequence[SentenceSpan],
    spans: Sequence[TermSpanLike],
    words: Sequence[QuestionWord],
    answer_type: AnswerType | None,
) -> list[float]:
    """Per sentence: ``ANSWER_TYPE_SHARE`` of the question's weight if it holds the type."""
    bonus = [0.0] * len(sentences)
    starts = typed_span_starts(list(spans), answer_type)
    if not starts:
        return bonus
    share = ANSWER_TYPE_SHARE * sum(word.weight for word in words)
    for start in starts:
        index = _sentence_of(sentences, start)
        if index is not None:
            bonus[index] = share
    return bonus


def _sentence_of(sentences: Sequence[SentenceSpan], offset: int) -> int | None:
    """The index of the sentence containing ``offset`` (None in between sentences)."""
    for i, sentence in enumerate(sentences):
        if sentence.start <= offset < sentence.end:
            return i
    return None


def highlight_spans(
    spans: Sequence[TermSpanLike],
    question_terms: frozenset[str],
    start: int,
    end: int,
    *,
    text: str | None = None,
) -> tuple[tuple[int, int], ...]:
    """Spans of question terms inside [start, end), relative to ``start``, sorted and merged.

    The one place highlights are normalised (the CLI and the bot only render them):
    overlapping spans merge, and so do spans separated only by spaces in ``text`` (the
    passage), so a name reads as one highlight ("**Jens Stoltenberg**", not "**Jens**
    **Stoltenberg**"); punctuation between keeps them apart ("**Tusk**, **Duda**").
    """
    inside = sorted(
        (span.start - start, span.end - start)
        for span in spans
        if span.term in question_terms and span.start >= start and span.end <= end
    )
    merged: list[tuple[int, int]] = []
    for lo, hi in inside:
        if merged and (
            lo <= merged[-1][1]
            or (text is not None and not text[start + merged[-1][1] : start + lo].strip(" "))
        ):
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)
