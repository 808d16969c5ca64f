"""Passages: the units of retrieval and citation, cut from an article body with exact offsets.

Paragraphs come first (blank lines separate them); a bullet line ("• ...") is its own
passage; a paragraph much longer than the target splits at sentence boundaries into
windows of about ``target_words`` words. Every passage satisfies
``body[p.start:p.end] == p.text``, so a citation can always point back into the body.

The sentence splitter is hand-written rather than taken from nltk's punkt or pysbd: those
return sentence strings (offsets would have to be recovered by searching), need models or
rules per language, and know no Ukrainian abbreviations; a boundary rule (terminal
punctuation, closing quotes, a capital next) plus a short abbreviation list is enough to
cut windows, where a rare missed boundary costs only a slightly longer window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.models import PassageKind, PassageSpan

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_LINE = re.compile(r"[^\n]+")
_BULLET_START = re.compile(r"\s*[•·▪●◦‣]\s")
# A sentence ends at . ! ? … (possibly doubled), then closing quotes/brackets, then space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+")
# The next sentence starts with a capital, a digit, an opening quote or a dash.
_SENTENCE_START = re.compile(r"[\"'«“‘(\[–—-]?\s*[^\W_a-zа-яіїєґё]", re.UNICODE)
# Tokens after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    (
        "mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "sgt", "no", "vs", "etc",
        "jr", "sr", "inc", "ltd", "co", "вул", "м", "р", "г", "ст", "див", "т.е", "т.д",
        "т.п", "им", "пр", "напр", "проф", "ген", "тис", "млн", "млрд",
    )
)  # fmt: skip
# A paragraph up to this many times the target stays whole: splitting 100 words into
# 80 + 20 helps no one. A final window shorter than the fraction below joins the previous.
_WHOLE_PARAGRAPH_FACTOR = 1.5
_MIN_TAIL_FRACTION = 0.25
# "Background:" and similar one-line headings carry nothing to retrieve on their own.
_HEADING_MAX_WORDS = 3


def split_passages(body: str, *, target_words: int = 80) -> list[PassageSpan]:
    """Cut ``body`` into passages with exact character offsets.

    Args:
        body: the article body (paragraphs separated by blank lines, bullets as "• " lines).
        target_words: about how many words a window of a long paragraph holds.

    Returns:
        Passages in body order, ordinals from 0. Heading-only paragraphs ("Background:")
        and text without letters or digits produce no passage.
    """
    if target_words < 1:
        raise ValueError(f"target_words must be positive, got {target_words}")
    spans: list[PassageSpan] = []
    for start, end, kind in _blocks(body):
        pieces = _split_block(body, start, end, kind, target_words)
        for piece_start, piece_end, piece_kind in pieces:
            spans.append(
                PassageSpan(
                    ordinal=len(spans),
                    text=body[piece_start:piece_end],
                    start=piece_start,
                    end=piece_end,
                    kind=piece_kind,
                )
            )
    return spans


def _blocks(body: str) -> Iterator[tuple[int, int, PassageKind]]:
    """Paragraphs, with each bullet line of a paragraph as its own block."""
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(body), None]:
        end = match.start() if match else len(body)
        yield from _paragraph_blocks(body, position, end)
        if match:
            position = match.end()


def _paragraph_blocks(body: str, start: int, end: int) -> Iterator[tuple[int, int, PassageKind]]:
    run_start: int | None = None
    run_end = start
    for line in _LINE.finditer(body, start, end):
        if _BULLET_START.match(line.group()):
            if run_start is not None:
                yield from _trimmed(body, run_start, run_end, "paragraph")
                run_start = None
            yield from _trimmed(body, line.start(), line.end(), "bullet")
        else:
            if run_start is None:
                run_start = line.start()
            run_end = line.end()
    if run_start is not None:
        yield from _trimmed(body, run_start, run_end, "paragraph")


def _trimmed(
    body: str, start: int, end: int, kind: PassageKind
) -> Iterator[tuple[int, int, PassageKind]]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    text = body[start:end]
    if not any(char.isalnum() for char in text):
        return
    if kind == "paragraph" and text.endswith(":") and len(text.split()) <= _HEADING_MAX_WORDS:
        return
    yield start, end, kind


def _split_block(
    body: str, start: int, end: int, kind: PassageKind, target_words: int
) -> Iterator[tuple[int, int, PassageKind]]:
    if len(body[start:end].split()) <= target_words * _WHOLE_PARAGRAPH_FACTOR:
        yield start, end, kind
        return
    window_kind: PassageKind = "bullet" if kind == "bullet" else "window"
    windows: list[list[tuple[int, int]]] = [[]]
    words_in_window = 0
    for sentence_start, sentence_end in _sentences(body, start, end, target_words):
        words = len(body[sentence_start:sentence_end].split())
        if windows[-1] and words_in_window + words > target_words:
            windows.append([])
            words_in_window = 0
        windows[-1].append((sentence_start, sentence_end))
        words_in_window += words
    last_words = sum(len(body[s:e].split()) for s, e in windows[-1])
    if len(windows) > 1 and last_words < target_words * _MIN_TAIL_FRACTION:
        windows[-2].extend(windows.pop())
    for window in windows:
        yield window[0][0], window[-1][1], window_kind


def _sentences(body: str, start: int, end: int, target_words: int) -> Iterator[tuple[int, int]]:
    """Sentence spans in ``body[start:end]``; a run-on sentence is cut every target_words."""
    sentence_start = start
    for match in _SENTENCE_END.finditer(body, start, end):
        if not _is_boundary(body, match, end):
            continue
        sentence_end = match.end()
        while sentence_end > sentence_start and body[sentence_end - 1].isspace():
            sentence_end -= 1
        yield from _word_windows(body, sentence_start, sentence_end, target_words)
        sentence_start = match.end()
    if sentence_start < end:
        yield from _word_windows(body, sentence_start, end, target_words)


def _is_boundary(body: str, match: re.Match[str], end: int) -> bool:
    if match.end() >= end or not _SENTENCE_START.match(body, match.end(), end):
        return False
    if body[match.start()] != ".":
        return True
    token_start = match.start()
    while token_start > 0 and not body[token_start - 1].isspace():
        token_start -= 1
    token = body[token_start : match.start()].lower().lstrip("(«\"'“")
    single_initial = len(token) == 1 and token.isalpha()
    return not (single_initial or token in _ABBREVIATIONS)


def _word_windows(body: str, start: int, end: int, target_words: int) -> Iterator[tuple[int, int]]:
    """A sentence as is, or, when it alone exceeds twice the target, cut between words."""
    words = list(re.finditer(r"\S+", body[start:end]))
    if len(words) <= 2 * target_words:
        if words:
            yield start, end
        return
    for first in range(0, len(words), target_words):
        chunk = words[first : first + target_words]
        yield start + chunk[0].start(), start + chunk[-1].end()
