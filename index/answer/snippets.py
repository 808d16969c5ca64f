"""Snippets: the sentence(s) of a passage that carry the question, with highlight spans.

``split_sentences`` is hand-written rather than taken from a library because it must return
exact character offsets into the passage (highlights are offsets), work the same for English,
Ukrainian and Russian, and need no model downloads; news text rarely needs more than
terminal punctuation, newlines and a short abbreviation list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.answer.answer_type import AnswerType, typed_span_starts
from index.answer.evidence import QuestionWord
from index.answer.protocols import TermSpanLike

# A snippet shorter than this many characters (about 25 words: under the length of an average
# news sentence) gets one neighbouring sentence of context; 100 left pronoun-led follow-ups
# ("He told lawmakers ...") out of answers on the QA set.
SHORT_SNIPPET_CHARS = 150
# A sentence holding the expected answer type (a date for "when", a number for "how many")
# gains this share of the question's weight when snippets and passages are chosen.
ANSWER_TYPE_SHARE = 0.5
# A snippet grows by adjacent sentences that add matched question words up to this length.
MAX_SNIPPET_CHARS = 500

# End of a sentence: terminal punctuation (plus closing quotes/brackets) then whitespace,
# before something that can start a sentence; or a line break.
_BOUNDARY_RE = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+(?=[\"'«“‘(\[•\-–—\d\w])|\n+")
_ABBREVIATION_TEXT = (
    "mr mrs ms dr prof st gen col lt sgt jr sr inc ltd co corp vs etc fig approx "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "т г гг им ул пер тыс млн млрд ст див тис"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A sentence as [start, end) offsets into its passage, whitespace trimmed."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ChosenSnippet:
    """The snippet's bounds in the passage and its highlight spans relative to the snippet."""

    start: int
    end: int
    text: str
    highlights: tuple[tuple[int, int], ...]


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
    text: str,
    spans: Sequence[TermSpanLike],
    words: Sequence[QuestionWord],
    question_terms: frozenset[str],
    answer_type: AnswerType | None = None,
) -> ChosenSnippet:
    """Pick the sentence(s) of ``text`` that match the most question weight.

    The best sentence scores the summed weight of the distinct question words it matches
    (ties: the earlier sentence). Adjacent sentences that match further question words are
    added while the snippet stays under ``MAX_SNIPPET_CHARS``; a snippet still shorter than
    ``SHORT_SNIPPET_CHARS`` gets the following (else the preceding) sentence as context.

    Args:
        text: the passage text.
        spans: ``analyzer.term_spans`` of ``text``.
        words: the question's words with weights.
        question_terms: every term of the question (for highlighting).
        answer_type: what the question asks for; a sentence holding a term of that type
            (a date, a number) gains ``ANSWER_TYPE_SHARE`` of the question's weight.

    Returns:
        The snippet and its highlights, as offsets relative to the snippet text.
    """
    sentences = split_sentences(text) or [SentenceSpan(0, len(text))]
    matched_by_sentence = _matched_by_sentence(sentences, spans, words)
    bonus = _type_bonus(sentences, spans, words, answer_type)

    def weight(indexes: set[int]) -> float:
        return sum(words[i].weight for i in indexes)

    best = max(
        range(len(sentences)), key=lambda i: (weight(matched_by_sentence[i]) + bonus[i], -i)
    )
    first, last = best, best
    covered = set(matched_by_sentence[best])
    grown = True
    while grown:
        grown = False
        for candidate in (last + 1, first - 1):
            if not 0 <= candidate < len(sentences):
                continue
            new = matched_by_sentence[candidate] - covered
            lo, hi = min(first, candidate), max(last, candidate)
            if new and sentences[hi].end - sentences[lo].start <= MAX_SNIPPET_CHARS:
                first, last = lo, hi
                covered |= new
                grown = True
                break
    if sentences[last].end - sentences[first].start < SHORT_SNIPPET_CHARS:
        if last + 1 < len(sentences):
            last += 1
        elif first > 0:
            first -= 1
    start, end = sentences[first].start, sentences[last].end
    highlights = highlight_spans(spans, question_terms, start, end)
    return ChosenSnippet(start=start, end=end, text=text[start:end], highlights=highlights)


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
    spans: Sequence[TermSpanLike], question_terms: frozenset[str], start: int, end: int
) -> tuple[tuple[int, int], ...]:
    """Spans of question terms inside [start, end), relative to ``start``, merged and sorted."""
    inside = sorted(
        (span.start - start, span.end - start)
        for span in spans
        if span.term in question_terms and span.start >= start and span.end <= end
    )
    merged: list[tuple[int, int]] = []
    for lo, hi in inside:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)
