"""Analyzer: text → terms, one path for passages and questions.

Term scheme (see also ``dates`` and ``names``):

- word terms: Snowball stems (en), of pymorphy3 lemmas (ru) or of simplemma lemmas (uk),
  chosen by the token's script (``stemming``), after NFKC, casefolding and apostrophe
  folding; stopwords dropped; hyphenated words split
  into their parts ("Ukraine-NATO" → ukrain, nato), and compounds with a digit or a one-letter
  part also kept joined ("F-16" → f16, 16) so "F16" and "F-16" meet;
- numbers: digits without ordinal suffix or thousands separators ("14th", "14-го" → 14);
- fold keys ``~skeleton`` beside the stem of every capitalised word in documents, and in
  questions of capitalised (not first), unknown-to-the-dictionary or place words (users do
  not always capitalise names; see ``_word_terms`` for the measurement);
- date terms ``@dYYYY-MM-DD`` and ``@mMM-DD`` for each date mentioned.

Speed: the text is cut with ``str.split``; each distinct whitespace chunk is tokenized and
analysed once and its terms kept in a per-language dict (``_TermCache``), so the steady-state
cost per word is one dict lookup. The date scan runs only on windows around chunks holding a
month, weekday or relative-day word (numeric dates come out of the tokenizer directly).
Measured on one core (CPU time): ~45k passages/s warm on the bench's 60-word Zipf corpus
(500k-word vocabulary), ~50k/s on real English news passages; a first sight of a word
costs ~0.8 µs (lowercase ASCII, ``_TermCache._analyze_plain``), ~2 µs (other English),
~15 µs (Ukrainian, simplemma) and ~12 µs more (Russian, pymorphy3). On a large vocabulary the
warm lookups themselves are memory-bound (each touches a dict entry, its key, the terms
tuple and the term). A full index build therefore does not ask for term strings at all:
``index.analysis.encoding`` maps each chunk straight to a term id through these same caches.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from itertools import chain
from typing import NamedTuple

from index.analysis.dates import (
    AMBIGUOUS_MONTHS,
    TRIGGER_WORDS,
    DateMention,
    date_terms,
    find_dates,
    parse_numeric_date,
)
from index.analysis.language import DEFAULT_LANG, detect_language
from index.analysis.markup import strip_markup
from index.analysis.names import fold_key, is_place_key
from index.analysis.normalize import fold_mixed_script, normalize_number, normalize_token
from index.analysis.periods import PeriodMention, find_periods, find_since_dates
from index.analysis.stemming import (
    ascii_word_stemming,
    is_known_word,
    is_russian_name,
    script_language,
    stem_ascii_word,
    stem_token,
)
from index.analysis.stopwords import QUESTION_WORDS, STOPWORDS
from index.models import LANGS, Lang

logger = logging.getLogger(__name__)

#: Bumped whenever a change alters the terms of some text: an index built by another version
#: holds other terms, so the index keeper records this beside the index it builds and, on
#: opening one recorded with another version, warns and asks for ``newsdesk reindex``
#: (``newsdesk check`` lists it too). 2: Russian words are stemmed from their pymorphy3 lemma.
ANALYSIS_VERSION = 2

#: Distinct chunks kept per cache before it is cleared: ~250 bytes each with the token cache,
#: so ≤ ~250 MB; the 1M-passage bench corpus (500k-word vocabulary) has ~450k distinct chunks.
MAX_CACHED_SURFACES = 1_000_000
#: Questions longer than this are cut: the bot accepts 4096 characters, and beyond a few
#: hundred words a "question" is a pasted article whose tail adds only noise.
MAX_QUESTION_CHARS = 2000

_APOS = "'\u2019\u2018\u02bc`"
_HYPH = "\\-\u2010\u2011"
_TOKEN_RE = re.compile(
    r"(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)"
    r"|[0-3]?\d\.[01]?\d\.(?:19|20)\d\d(?!\d)"
    r"|[0-3]?\d/[01]?\d/(?:19|20)\d\d(?!\d)"
    r"|\d+(?:[.,]\d+)*(?:(?:st|nd|rd|th)(?!\w)"
    rf"|[{_HYPH}](?:го|ого|му|ому|й|ий|ій|ої|ою|а|е|є|я|ї|ю|і)(?!\w))?"
    rf"|[^\W\d_](?:[\w\u0300-\u036f\u00ad\u200b-\u200d]|[{_APOS}{_HYPH}](?=[^\W_]))*"
)
_PUNCT = ".,;:!?)]}»\"'”’"
#: Chunks a date phrase can reach either side of its month or weekday word.
DATE_REACH = 3  # "14 and 15 July": three chunks before the month word
_POSSESSIVE = "'s"
_EN_STOPWORDS = STOPWORDS["en"]


class TermSpan(NamedTuple):
    """A term and the [start, end) character span of the original text it came from.

    A named tuple rather than a frozen dataclass (immutable all the same): the answer stage
    builds a few hundred per candidate passage, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) cost ~1.2 µs a span against ~0.3 µs for a tuple, about
    a tenth of a first-time ``Archive.ask`` at 100k passages (docs/quality.md).
    """

    term: str
    start: int
    end: int


# A ``TermSpan`` from a (term, start, end) tuple, in C (the named tuple's ``__new__`` and
# ``_make`` are Python functions).
_new_term_span = partial(tuple.__new__, TermSpan)


@dataclass(frozen=True, slots=True)
class AnalyzedQuestion:
    """A question ready for the engine.

    ``terms`` are the BM25 query terms (repeats count) including fold keys and date terms;
    ``date_terms`` are the date terms among them; ``period`` is a publication-date window
    (inclusive) the question names, for filtering or boosting, or None.
    """

    text: str
    language: Lang
    terms: tuple[str, ...]
    date_terms: tuple[str, ...] = ()
    period: tuple[date, date] | None = None


class _TermCache(dict[str, tuple[str, ...]]):
    """whitespace-delimited chunk → its terms, computed on first sight (``__missing__``).

    Keying by ``str.split()`` chunks rather than regex tokens is what makes the hot path fast:
    ``str.split`` costs a tenth of a Unicode-aware ``re.findall`` over the same passage, and a
    chunk's tokens never depend on anything outside it (no token crosses whitespace), so the
    terms are exactly those of tokenizing the whole text. Tokens are cached under their own
    text too (tokenizing a token yields itself), so "Ukraine", "Ukraine," and "(Ukraine" are
    stemmed once. Chunks holding a month, weekday or
    relative-day word are remembered in ``triggers`` for the date precheck.
    """

    def __init__(self, lang: Lang, *, question: bool, triggers: set[str]) -> None:
        super().__init__()
        self.lang = lang
        self.question = question
        self.triggers = triggers
        # Chunk → its tokens' (term, start, end) inside it, for ``Analyzer.term_spans``:
        # filled only for chunks that need the tokenizer, cleared with the terms.
        self.token_spans: dict[str, tuple[tuple[str, int, int], ...]] = {}
        # Questions fold unknown lowercase words too, so only documents take the plain path.
        self.plain_words = not question
        # What ``_analyze_plain`` reads, for the kernels that analyse a plain word met for
        # the first time in C (``kernels.chunk_terms``, ``chunk_spans``) instead of calling
        # ``__missing__``; None for questions.
        self.plain: tuple | None = (
            (_EN_STOPWORDS, *ascii_word_stemming(), TRIGGER_WORDS, triggers, MAX_CACHED_SURFACES)
            if self.plain_words
            else None
        )

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= MAX_CACHED_SURFACES:
            logger.info("term cache for %s reached %s entries; clearing", self.lang, len(self))
            self.clear()
            self.token_spans.clear()
        if self.plain_words and chunk.isascii() and chunk.isalpha() and chunk.islower():
            return self._analyze_plain(chunk)
        if chunk.isalpha():  # one token, the common case: skip the tokenizer
            result = self._analyze_token(chunk)
        else:
            terms: list[str] = []
            for surface in _TOKEN_RE.findall(chunk):
                cached = self.get(surface)
                if cached is None:
                    cached = self._analyze_token(surface)
                if surface in self.triggers:
                    self.triggers.add(chunk)
                terms.extend(cached)
            result = tuple(terms)
        self[chunk] = result
        return result

    def inside_spans(self, chunk: str) -> tuple[tuple[str, int, int], ...]:
        """The (term, start, end) of a non-alphabetic chunk's tokens inside it, kept in
        ``token_spans`` (``Analyzer.span_columns`` asks after looking the chunk up)."""
        inside = tuple(
            (term, match.start(), match.end())
            for match in _TOKEN_RE.finditer(chunk)
            for term in self[match.group()]
        )
        self.token_spans[chunk] = inside
        return inside

    def _analyze_plain(self, word: str) -> tuple[str, ...]:
        """``_analyze_token`` of a lowercase ASCII word in a document, the bulk of first sights.

        Such a word is its own normal form, English by script, no number, no compound, not
        capitalised (so no fold key): its terms are its stem unless it is a stopword. Taking
        this path directly costs about a third of the general one, which matters on a large
        vocabulary where many words are seen once or twice. When the stem is the word itself
        the cached tuple holds the key's own string object, so a warm lookup touches one
        string fewer in memory (the lookups are memory-bound on a large vocabulary).
        ``kernels.chunk_terms`` and ``chunk_spans`` do the same in C (``cached_terms`` in
        ``_kernels.c``, from ``self.plain``): a change here must be made there too
        (tests/index/analysis/test_chunk_terms.py holds them equal).
        """
        if word in _EN_STOPWORDS:
            terms: tuple[str, ...] = ()
        else:
            stem = stem_ascii_word(word)
            terms = (word,) if stem == word else (stem,)
        self[word] = terms
        if word in TRIGGER_WORDS:
            self.triggers.add(word)
        return terms

    def _analyze_token(self, surface: str) -> tuple[str, ...]:
        """Analyse one token and cache it under its own text (a token is also a chunk)."""
        token = normalize_token(surface)
        terms = _analyze(surface, token, self.lang, self.question)
        self[surface] = terms
        if token in TRIGGER_WORDS:
            self.triggers.add(surface)
        return terms


def _word_terms(part: str, surface_part: str, lang: Lang, question: bool) -> list[str]:
    """Terms of one hyphen-free word: its stem, and its fold key when name-like.

    Documents fold every capitalised word. Questions fold a word that the dictionary does not
    know (names: "Stoltenberg", "zelensky", "столтенберг"), a listed place, and a capitalised
    Cyrillic word (the question's first word is lowercased by the caller). Latin capitalised
    words are not folded on capitalisation alone: on CISI, whose queries are title-cased,
    folding every question word cost 0.06 nDCG@10 (0.411 → 0.349) and folding capitalised
    words 0.011 (→ 0.400), because the same word then matched twice; folding only unknown
    words and places gained 0.003 (→ 0.414). cran and med did not move. Folding every
    Cyrillic word in documents and questions (to meet uk/ru cognates: резервістів,
    резервистов) cost answer@1 on our QA set 0.810 → 0.734, so it is not done. A capitalised
    Russian question word is folded only when it may be a name (``is_russian_name``: unknown
    to pymorphy3, or parsed as a name, place or organisation): the keys of "Соединенных
    Штатов" only counted the words twice, and dropping them moved xquad-ru-dev nDCG@10 with
    the layer off 0.948 → 0.951 (rank_bm25 0.943 → 0.947; with the layer, which takes the
    best of a word's terms, unchanged); our QA set did not move. Ukrainian keeps the rule.
    """
    word_lang = script_language(part, lang)
    if word_lang == "en" and part.endswith(_POSSESSIVE):
        part = part[: -len(_POSSESSIVE)]
    if not part or part in STOPWORDS[word_lang]:
        return []
    if question and part in QUESTION_WORDS[word_lang]:
        return []
    if part[0].isdigit():
        return [normalize_number(part)]
    terms = [stem_token(part, lang)]
    if not part.isalpha():
        return terms
    capitalised = surface_part[:1].isupper()
    if capitalised or question:
        key = fold_key(surface_part if capitalised else part)
        if key is not None and (
            not question
            or is_place_key(key)
            or (capitalised and word_lang == "uk")
            or (capitalised and word_lang == "ru" and is_russian_name(part))
            or not is_known_word(part, word_lang)
        ):
            terms.append(key)
    return terms


def analyze_surface(surface: str, lang: Lang, *, question: bool = False) -> tuple[str, ...]:
    """All terms of one surface token as the tokenizer cut it (context-free, hence cacheable).

    Args:
        surface: the token exactly as it appears in the text.
        lang: the passage's (or question's) language.
        question: question mode drops question words and folds name-like words.
    """
    return _analyze(surface, normalize_token(surface), lang, question)


def _analyze(surface: str, token: str, lang: Lang, question: bool) -> tuple[str, ...]:
    """``analyze_surface`` given the surface's normalised form (computed once by the caller)."""
    if surface[0].isdigit():
        parsed = parse_numeric_date(surface)
        if parsed is not None:
            year, month, day = parsed
            return date_terms(month, day, year)
        return (normalize_number(token),)
    if "-" not in token:
        return tuple(_word_terms(token, surface, lang, question))
    parts, surface_parts = _hyphen_parts(surface, token)
    terms: list[str] = []
    joined = _kept_joined(parts)
    for part, surface_part in zip(parts, surface_parts, strict=True):
        if joined and not part.isdigit():
            continue
        terms.extend(_word_terms(part, surface_part, lang, question))
    if joined:
        whole = "".join(parts)
        terms.append(whole if whole[0].isdigit() else stem_token(whole, lang))
    return tuple(terms)


def _hyphen_parts(surface: str, token: str) -> tuple[list[str], list[str]]:
    """A hyphenated token's normalised parts and the matching surface parts."""
    parts = [p for p in token.split("-") if p]
    surface_parts = re.split(f"[{_HYPH}]", surface)
    if len(surface_parts) != len(parts):
        surface_parts = parts
    return parts, surface_parts


def _kept_joined(parts: list[str]) -> bool:
    """A compound with a digit or a one-letter part is also kept joined ("F-16" → f16, 16)."""
    return any(len(p) == 1 or p[0].isdigit() or p[-1].isdigit() for p in parts)


class CompoundParts(NamedTuple):
    """The question terms of each part of a hyphenated word, and whether it reads as a name."""

    parts: tuple[tuple[str, ...], ...]
    is_name: bool


def compound_parts(surface: str, lang: Lang) -> CompoundParts | None:
    """The parts of a hyphenated question word the analyzer splits ("Коста-Рики", "shock-wave").

    ``analyze_surface`` gives such a word the terms of all its parts as one stretch of text;
    the ranking needs to know which terms belong to which part (``index.answer.candidates``).
    ``is_name``: every part is capitalised ("Bankman-Fried", "Нью-Йорк"). None for a word
    without a hyphen, with fewer than two parts, or kept joined ("F-16", "COVID-19"), whose
    terms are alternatives of one word.
    """
    token = normalize_token(surface)
    if "-" not in token:
        return None
    parts, surface_parts = _hyphen_parts(surface, token)
    if len(parts) < 2 or _kept_joined(parts):
        return None
    return CompoundParts(
        tuple(
            tuple(_word_terms(part, surface_part, lang, True))
            for part, surface_part in zip(parts, surface_parts, strict=True)
        ),
        all(surface_part[:1].isupper() for surface_part in surface_parts),
    )


def _published_day(published_at: datetime | None) -> date | None:
    return published_at.date() if published_at is not None else None


class Analyzer:
    """The one entry point from text to terms, for passages and questions alike.

    Thread-safety: the caches are plain dicts; concurrent readers at worst analyse a surface
    twice. One Analyzer per process is the intended use.
    """

    def __init__(self) -> None:
        self._triggers: set[str] = set()
        self._documents = {
            lang: _TermCache(lang, question=False, triggers=self._triggers) for lang in LANGS
        }
        self._questions = {
            lang: _TermCache(lang, question=True, triggers=self._triggers) for lang in LANGS
        }

    def document_terms(self, text: str, lang: Lang, published_at: datetime | None) -> list[str]:
        """The terms of a passage (or title) for the index, in text order, dates last.

        Args:
            text: passage text.
            lang: the article's language (Latin/Cyrillic tokens still get their script's stemmer).
            published_at: the article's publication time, for resolving year-less and
                relative dates; None leaves those year-less or unresolved.
        """
        chunks = text.split()
        cache = self._documents.get(lang)
        if cache is None:  # a language we do not analyse: English rules (Latin script)
            cache = self._documents[DEFAULT_LANG]
        # Each chunk's cached terms, flattened, in one C call (``kernels.chunk_terms``), which
        # also analyses a lowercase ASCII word met for the first time (most new words) as
        # ``_TermCache._analyze_plain`` would, without a ``__missing__`` call and two Python
        # frames per word; other new chunks still go to ``__missing__``. Imported here, as
        # in ``span_columns``.
        from index.search.kernels import chunk_terms

        terms: list[str] = chunk_terms(chunks, cache, cache.plain)
        if not self._triggers.isdisjoint(chunks):
            published = _published_day(published_at)
            for first, last in self._date_windows(chunks):
                for mention in find_dates(" ".join(chunks[first:last]), published, numeric=False):
                    terms.extend(mention.terms)
        return terms

    def document_terms_many(
        self,
        texts: Iterable[str],
        langs: Iterable[Lang],
        published_ats: Iterable[datetime | None],
    ) -> list[tuple[str, ...]]:
        """``document_terms`` of each text, as tuples (what ``DocRecord`` holds), in order.

        Incremental adds analyse an article's passages with this; a full build encodes
        passages straight to term ids instead (``index.analysis.encoding``).

        Args:
            texts: passage texts.
            langs: each text's language (same length as ``texts``).
            published_ats: each text's publication time (same length as ``texts``).
        """
        documents = self._documents
        default = documents[DEFAULT_LANG]
        isdisjoint = self._triggers.isdisjoint
        out: list[tuple[str, ...]] = []
        for text, lang, published_at in zip(texts, langs, published_ats, strict=True):
            chunks = text.split()
            cache = documents.get(lang, default)
            terms = tuple(chain.from_iterable(map(cache.__getitem__, chunks)))
            if not isdisjoint(chunks):
                terms += self._chunk_dates(chunks, published_at)
            out.append(terms)
        return out

    def plain_word_term(self, chunk: str) -> str | None:
        """A document's term for a lowercase ASCII word that is no date word; else None.

        "" means a stopword (no term). Any other chunk (capitals, digits, punctuation,
        Cyrillic, a month or weekday) gets None: ask ``chunk_terms``. Most words a bulk build
        sees for the first time are plain, and this answers them without the term cache
        (which the encoder does not need: it keeps codes of its own). Same terms as
        ``_TermCache._analyze_plain``, in every document language (the script decides).
        """
        if chunk.isascii() and chunk.isalpha() and chunk.islower():
            if chunk in TRIGGER_WORDS:
                return None
            return "" if chunk in _EN_STOPWORDS else stem_ascii_word(chunk)
        return None

    def chunk_terms(self, lang: Lang) -> Mapping[str, tuple[str, ...]]:
        """The document terms of one whitespace chunk, computed on first sight and cached.

        For the bulk encoder: a chunk's terms never depend on its neighbours, except date
        phrases, which ``is_date_chunk`` flags and ``date_terms_of`` finds.
        """
        return self._documents.get(lang, self._documents[DEFAULT_LANG])

    def is_date_chunk(self, chunk: str) -> bool:
        """Whether a chunk already looked up in ``chunk_terms`` may be part of a date."""
        return chunk in self._triggers

    def date_terms_of(self, text: str, published_at: datetime | None) -> tuple[str, ...]:
        """The date terms ``document_terms`` appends to ``text``'s word terms."""
        chunks = text.split()
        if self._triggers.isdisjoint(chunks):
            return ()
        return self._chunk_dates(chunks, published_at)

    def _chunk_dates(self, chunks: list[str], published_at: datetime | None) -> tuple[str, ...]:
        """The date terms of a passage given its chunks (``document_terms``' last part)."""
        published = _published_day(published_at)
        found: list[str] = []
        for first, last in self._date_windows(chunks):
            for mention in find_dates(" ".join(chunks[first:last]), published, numeric=False):
                found.extend(mention.terms)
        return tuple(found)

    def _date_windows(self, chunks: list[str]) -> list[tuple[int, int]]:
        """Chunk ranges [first, last) around each date word, merged where they touch.

        A date phrase reaches at most three chunks either side of its month/weekday word
        ("14 and 15 July", "July 14, 2024"), so scanning these windows finds exactly what
        scanning the whole text would (the date patterns treat any whitespace run alike),
        at a fraction of the cost. A lowercase "may"/"march" with no digit before it is the
        verb, not the month, and opens no window.
        """
        triggers = self._triggers
        windows: list[tuple[int, int]] = []
        for i, chunk in enumerate(chunks):
            if chunk not in triggers:
                continue
            if chunk[0].islower() and chunk.rstrip(_PUNCT) in AMBIGUOUS_MONTHS:
                previous = chunks[i - 1] if i else ""
                if not any(c.isdigit() for c in previous):
                    continue
            first, last = max(0, i - DATE_REACH), min(len(chunks), i + DATE_REACH + 1)
            if windows and first <= windows[-1][1]:
                windows[-1] = (windows[-1][0], last)
            else:
                windows.append((first, last))
        return windows

    def term_spans(self, text: str, lang: Lang, published_at: datetime | None) -> list[TermSpan]:
        """The terms of ``document_terms`` with the character span each came from."""
        terms, starts, ends = self.span_columns(text, lang, published_at)
        return list(map(_new_term_span, zip(terms, starts, ends, strict=True)))

    def span_columns(
        self, text: str, lang: Lang, published_at: datetime | None
    ) -> tuple[list[str], list[int], list[int]]:
        """``term_spans`` as three columns: the terms, their starts and their ends.

        What the answer stage's passage cache keeps (as tuples of strings and of ints, which
        the garbage collector stops tracking): three lists instead of a tuple per span, which
        the cache only took apart again, and which the collector counted until its next
        collection (``PassageCache._pack_spans`` says what that cost).
        """
        cache = self._documents.get(lang)
        if cache is None:  # a language we do not analyse: English rules (Latin script)
            cache = self._documents[DEFAULT_LANG]
        # The word spans in one C call (``kernels.chunk_spans``, the loop this was in Python):
        # each chunk is looked up in the term cache and found from the previous one's end
        # (only whitespace lies between, so ``find`` lands on the chunk itself); an
        # alphabetic chunk is one token (as in ``_TermCache.__missing__``), so its terms all
        # span it and the tokenizer is skipped for most chunks; another chunk's token spans
        # are kept per chunk (``_TermCache.inside_spans``).
        # Imported here: the extension's package loads the engine and numpy, which a process
        # that only analyses text (~0.8 s of imports) does not need.
        from index.search.kernels import chunk_spans

        terms, starts, ends, chunks, places = chunk_spans(
            text, cache, cache.token_spans, cache.inside_spans, cache.plain
        )
        if not self._triggers.isdisjoint(chunks):
            published = _published_day(published_at)
            for first, last in self._date_windows(chunks):
                offset = places[first]
                window = text[offset : places[last - 1] + len(chunks[last - 1])]
                for mention in find_dates(window, published, numeric=False):
                    for term in mention.terms:
                        terms.append(term)
                        starts.append(offset + mention.start)
                        ends.append(offset + mention.end)
        return terms, starts, ends

    def question_token_terms(self, surface: str, lang: Lang) -> tuple[str, ...]:
        """``analyze_surface(surface, lang, question=True)`` of one token, from the question
        term cache: the answer stage asks it of the tokens ``question`` has just analysed
        (``evidence.question_words``), and analysing them again cost ~10 µs a new word
        (fold keys, the dictionary's word check)."""
        cache = self._questions.get(lang)
        if cache is None:
            return analyze_surface(surface, lang, question=True)
        return cache[surface]

    def question(self, text: str, now: datetime) -> AnalyzedQuestion:
        """Analyse a question in its own detected language.

        Dates ("on 14 July", "14.07.2024") become date terms; periods ("in July 2024",
        "last week", "since Monday") become ``period`` and add no terms. The narrowest period
        wins when several are named.

        Args:
            text: the question as typed; cut to ``MAX_QUESTION_CHARS``. HTML/XML tags and
                script/style contents are removed first and entities decoded
                (``strip_markup``): tag names are not words of the question, and counted as
                unmatched words they would turn a good answer into "nothing found".
            now: the current time, for resolving periods.
        """
        text = text[:MAX_QUESTION_CHARS]
        plain = strip_markup(text)
        if plain is not text:  # the removed tags leave runs of spaces
            text = " ".join(plain.split())
        text = fold_mixed_script(text)
        lang = detect_language(text)
        today = now.date()
        dates: list[DateMention] = find_dates(text, None, relative=False)
        day_spans = [(d.start, d.end) for d in dates]
        # A named day wins over a month period it contains ("14 July 2024" is not "July 2024").
        periods: list[PeriodMention] = [
            p for p in find_periods(text, today) if not _overlaps(p.start, p.end, day_spans)
        ]
        periods.extend(find_since_dates(text, dates, today))
        consumed = [(p.start, p.end) for p in periods]
        kept_dates = [d for d in dates if not _overlaps(d.start, d.end, consumed)]
        consumed.extend((d.start, d.end) for d in kept_dates)
        cache = self._questions[lang]
        terms: list[str] = []
        for index, match in enumerate(_TOKEN_RE.finditer(text)):
            if not _overlaps(match.start(), match.end(), consumed):
                surface = match.group()
                if index == 0:
                    surface = _uncapitalise_first(surface, lang)
                terms.extend(cache[surface])
        found_dates = tuple(chain.from_iterable(d.terms for d in kept_dates))
        terms.extend(found_dates)
        period = min((p.window for p in periods), key=lambda w: w[1] - w[0], default=None)
        return AnalyzedQuestion(text, lang, tuple(terms), found_dates, period)


def _uncapitalise_first(surface: str, lang: Lang) -> str:
    """A question's first word is capitalised by grammar: do not read that as a name.

    Only Latin title-case words are lowered. Abbreviations (NATO) keep their capitals, and
    Cyrillic words stay as typed: a Ukrainian or Russian question rarely opens with anything
    but a question word, and when it opens with a name ("Зеленський про коаліцію?") that
    name needs its fold key to meet English passages.
    """
    if surface.isupper() or script_language(surface.casefold(), lang) != "en":
        return surface
    return surface[0].lower() + surface[1:]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)
