"""How much of a question a passage answers: question words, their weights, and the threshold.

A question is split into *words*: the alternative terms one stretch of question text produced
(a stem and its transliteration fold key, or a date expression's date terms). A word is
matched when any of its terms occurs. Each word weighs its rarest known term's idf; a word
unknown to the whole index weighs as much as a term seen once, so a question about something
the archive never mentions cannot reach the threshold on its common words alone. The one
exception is a single unknown everyday word (all lowercase letters: "decided", "collapsed")
in a question with at least ``MIN_KNOWN_FOR_DISCOUNT`` known words: an archive lacks such a
verb or adjective by chance, so it weighs as a term found in ``COMMON_UNKNOWN_DF_SHARE`` of
the passages. Unknown names (any capital, the first word included), numbers and dates keep
the full weight, and so do two or more unknown everyday words ("won ... song contest"): they
describe a topic the archive lacks.

The "nothing found" decision (``Evidence.enough``, from ``measure_evidence``) needs:

* coverage: the matched words' share of the question's total weight is at least
  ``MIN_COVERAGE`` (the passage's terms plus its article's title and publication day count;
  an everyday word also matches the terms its stem's prefix begins, ``with_prefix_stems``),
  or, for a long question (more than ``2 * COMPOUND_WORDS`` words), the matched words weigh
  at least as much as its ``COMPOUND_WORDS`` heaviest words;
* no name-like word (capitalised inside the question, not an all-caps abbreviation) is
  unknown to the whole index: a question about Finland is not answered from articles that
  never mention Finland, however well its other words match. A long question whose unknown
  names are fewer than ``UNKNOWN_NAMES_SHARE`` of its names is exempt (an outlet the archive
  does not hold among six names);
* for a passage in another language than the question: coverage over the words that can
  cross languages (names, dates, numbers the index knows, and capitalised names it does not)
  plus those that do match, and at least ``MIN_CROSS_LANGUAGE_MATCHES`` matched words. An
  unknown lowercase word ("кого", a typo) is left out there: it cannot match in any language.

Dates are not required outright (a question may date an event differently from the
article), but a date term is rare, so a missed date costs much of the coverage.

Evidence weights use the always-positive idf ``log(1 + (N - n + 0.5) / (n + 0.5))`` rather
than BM25Okapi's (which goes negative for terms in more than half the passages and is floored
with a collection-wide mean): the threshold must mean the same on a 15-passage archive as on
a million passages.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.analysis.dates import DATE_PREFIX
from index.analysis.names import FOLD_PREFIX
from index.analysis.stemming import (
    is_russian_name,
    ru_aspect_partners,
    script_language,
    stem_token,
)
from index.answer.protocols import AnalyzerLike, SearchBackend
from index.models import Lang
from index.search.ranking import CandidateRows

# Share of the question's idf weight the shown passage (with its article's title and day)
# must match. First calibrated on index/eval/qa_sample.jsonl at 0.5 (every one of its 15
# null questions "nothing found"); re-chosen on the four QA sets with prefix-stem matching
# (``with_prefix_stems``), grid in docs/quality.md: 0.45 moves xquad-ru's false "nothing
# found" from 0.173 to 0.109 and keeps 13 of qa_sample's 15 null questions (the bar is 80%)
# and 21 of MultiHop's 25; 0.42 and below keep 11 of 15.
MIN_COVERAGE = 0.45

# A question nothing answers at MIN_COVERAGE may still be answered by a snippet that bears
# the answer (``may_relax``, ``bears_answer``): a paraphrased or translated question shares
# few words with the sentence that answers it (XQuAD's Russian questions: the right
# paragraph ranks first for 0.93 nDCG@10, yet 11% were "nothing found"). Then the snippet
# itself (its sentence or two, not the article) must match RELAXED_COVERAGE of the weight,
# hold a term of the expected answer type (a date for "when"), and the passage with its
# title must match every name the question has; and the question may hold at most
# MAX_UNKNOWN_WHEN_RELAXED words the index never saw (two or more: the topic is missing),
# and one only beside MIN_KNOWN_FOR_DISCOUNT known words.
# Grid and per-set figures: docs/quality.md, "The answer-bearing tier".
RELAXED_COVERAGE = 0.3
MAX_UNKNOWN_WHEN_RELAXED = 1
# The same tier relaxes the long-question rule (``COMPOUND_WORDS``) in the same proportion:
# the matched words weigh at least as much as the question's 2 heaviest instead of 3. A
# multi-hop question whose facts each article tells only a part of ("Which company, covered
# by both Engadget and Polygon, is set to release an updated version of their hardware ...
# starting November 16th?": one article tells "improving the hardware ... improvements")
# is answered when its snippet names something of the type asked. MultiHop: false "nothing
# found" 0.032 → 0, null questions answered unchanged; docs/quality.md, "Multi-hop".
RELAXED_COMPOUND_WORDS = 2

# An unknown word written all in lowercase ("decided", "announced") is far weaker evidence of
# a missing topic than an unknown name: an archive lacks everyday verbs and adjectives by
# chance. Such a word weighs as a term found in this share of the passages. Calibrated on the
# sample corpus (157 passages) and index/eval/qa_sample.jsonl: every share from 0.01 to 0.5
# gives the same QA scores (answer@1 0.886, answer@3 0.975, all 15 unanswerable questions
# "nothing found"); "What was decided at the NATO summit in Vilnius?" needs about 0.07 to
# reach MIN_COVERAGE on its NATO + Vilnius passage, so 0.1 (a common verb of news text, as
# "stated" or "reported" in ~10% of the med set's articles) with some margin.
COMMON_UNKNOWN_DF_SHARE = 0.1
# Only this many unknown everyday words are discounted: with 2 ("стоит ... населения", "won
# ... contest") the QA set's unanswerable ru-21 and ru-22 were answered when this was set
# (today they are not either way; docs/quality.md).
MAX_COMMON_UNKNOWN = 1
# ...and only beside this many known words, so that the known words carry the question: with
# fewer, "Who is the mayor of Kyiv?" was answered from any Kyiv passage.
MIN_KNOWN_FOR_DISCOUNT = 3

# A long question describes its answer by several facts, often told by several articles
# (MultiHop-RAG's "Which company, reported by TechCrunch for ..., and by The Verge for ...?"):
# one article telling some of them answers it, though it covers far less than MIN_COVERAGE
# of the question. A question of more than 2 × COMPOUND_WORDS words therefore also passes
# when the matched words weigh at least as much as its COMPOUND_WORDS heaviest words. Grid
# 2/3/4 (docs/quality.md): 2 let 10 of MultiHop's 25 null questions and one of our set's 15
# through, 4 left 19% of MultiHop's answerable questions "nothing found"; 3 keeps 21 of 25
# and 15 of 15 and answers all but 10% of MultiHop's answerable ones.
COMPOUND_WORDS = 3
# Unknown names veto an answer only when they are at least this share of the question's
# names: "Finland" alone, or two of three, say the archive lacks the topic; one outlet or
# author of five names does not (a question may name where a story ran, not what it says).
# Measured with COMPOUND_WORDS (docs/quality.md): 0.67 kept 20 of MultiHop's 25 null
# questions and 14 of our 15; 0.5 keeps 21 and 15.
UNKNOWN_NAMES_SHARE = 0.5

# Prefix-stem matching of everyday words (``with_prefix_stems``): a stem less its last
# PREFIX_CUT characters, at least PREFIX_MIN_CHARS long, matches the indexed terms it
# begins (at most PREFIX_LIMIT of them). Grid on the four QA sets (docs/quality.md): 5
# characters answered two more of MultiHop's null questions (true NF 0.84 → 0.76); 6 with
# a cut of 2 moved xquad-ru's false "nothing found" from 0.173 to 0.146 at MIN_COVERAGE 0.5
# and changed no null question's answer; 7 matched fewer derivations.
PREFIX_MIN_CHARS = 6
PREFIX_CUT = 2
PREFIX_LIMIT = 30
# A Cyrillic stem also matches an indexed stem of this many letters that it begins with (one
# fewer than PREFIX_MIN_CHARS): Russian verbs keep a suffix their nouns lack ("арестуют" →
# "арестова", the passage's "арестах" → "арест"; "погодных" → "погодн", "погода" → "погод").
# xquad-ru answer@1 +1, answer@3 +2, two fewer "nothing found", retrieval and the other sets
# unchanged, no null question answered (docs/quality.md, "Words of one root and names carried
# between windows"). Not for Latin script: English Snowball stems of 5 letters join unrelated
# words ("electr" begins with "elect"), and 5 letters there cost MultiHop two null questions.
CYRILLIC_STEM_MIN_CHARS = 5
# A place's adjective in a question ("eliminated from European competitions") and the place
# in the article ("out of Europe") are one name: English demonym endings, longest first.
DEMONYM_ENDINGS = ("ian", "ean", "an", "n")
DEMONYM_MIN_BASE = 5

# Words that start with a capital letter inside a question (not its first word) are treated
# as names: when the index has never seen them, the question is about something else.
_NAME_RE = re.compile(r"[A-ZА-ЯЁІЇЄҐ]")
# A capitalised word right after (spaces or a hyphen between): the rest of a name.
_NEXT_NAME_RE = re.compile(r"[\s-]+[A-ZА-ЯЁІЇЄҐ]")
# Terms that mean the same in every language: fold keys (~), date terms (@) and numbers.
_TRANSFERABLE_MARKS = (FOLD_PREFIX, DATE_PREFIX)
# A passage in another language than the question is judged on its names, dates, numbers and
# whatever words it does share; it needs this many matched words (one shared year or name is
# chance, not evidence; measured on the QA set: 1 let 3 of 15 unanswerable questions through,
# 4 today; docs/quality.md).
MIN_CROSS_LANGUAGE_MATCHES = 2
# Question tokens whose question-mode terms are kept (a few hundred bytes each).
QUESTION_TOKEN_CACHE = 8192
# Questions with more distinct terms than this (the bits of an int64) read held terms per
# passage instead of by bit pattern (``indexed_question_terms``).
_MAX_CODED_TERMS = 62


@dataclass(frozen=True, slots=True)
class QuestionWord:
    """One stretch of question text and the alternative terms it produced."""

    text: str
    terms: frozenset[str]
    weight: float
    known: bool
    is_date: bool
    is_name: bool
    transferable: bool = False
    # The next word of the question is capitalised too: the word begins or continues a
    # name of several words ("Julian Assange"), so it is no place's adjective.
    before_name: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one passage (with its article title) matches of the question."""

    matched: frozenset[int]
    coverage: float
    weight: float
    enough: bool


def evidence_idf(df: int, n_docs: int) -> float:
    """The always-positive idf used for evidence weights (see the module docstring)."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def question_words(
    text: str,
    lang: Lang,
    terms: Sequence[str],
    date_terms: Sequence[str],
    *,
    analyzer: AnalyzerLike,
    index: SearchBackend,
    outlets: frozenset[str] = frozenset(),
) -> tuple[QuestionWord, ...]:
    """Group the question's terms into words and weigh each one.

    Args:
        text: the question as asked.
        lang: the question's language.
        terms: the question's BM25 terms (``AnalyzedQuestion.terms``).
        date_terms: the date terms among them.
        analyzer: gives each term's span in ``text``.
        index: gives document frequencies.
        outlets: the words of the archive's outlet names (``outlet_words``): a name inside
            the question that only names an outlet ("reported by Engadget") and that no
            passage holds says where a story ran, not what it says, so it is left out
            (neither weight nor an unknown-name veto).

    Returns:
        The question's words, in order of first appearance; terms the spans do not cover
        (date terms resolved against "now") form one word per distinct term group.
    """
    wanted = set(terms)
    dates = set(date_terms)
    by_span: dict[tuple[int, int], set[str]] = {}
    # The analyzer's own question-mode terms of a token (``Analyzer.question_token_terms``:
    # those ``Analyzer.question`` just computed, kept in its cache) when it has them.
    token_terms = getattr(analyzer, "question_token_terms", _question_terms)
    for span in analyzer.term_spans(text, lang, None):
        group = by_span.setdefault((span.start, span.end), set())
        surface = text[span.start : span.end]
        # Question mode adds fold keys of every content word; they belong to the same word.
        alternatives = [span.term] if " " in surface else [span.term, *token_terms(surface, lang)]
        group.update(term for term in alternatives if term in wanted)
    by_span = {key: group for key, group in by_span.items() if group}
    groups: list[tuple[str, set[str], int]] = []
    covered: set[str] = set()
    for (start, end), group in sorted(by_span.items()):
        merged = False
        for _, other, _ in groups:
            if other & group:
                other |= group
                merged = True
                break
        if not merged:
            groups.append((text[start:end], set(group), start))
        covered |= group
    leftover_dates = [t for t in dict.fromkeys(terms) if t not in covered and t in dates]
    if leftover_dates:
        groups.append(("", set(leftover_dates), len(text)))
    for term in dict.fromkeys(terms):
        if term not in covered and term not in dates:
            groups.append((term, {term}, len(text)))
    n_docs = max(index.n_docs, 1)
    unknown_weight = evidence_idf(1, n_docs)
    common_unknown_weight = evidence_idf(
        max(1, math.ceil(COMMON_UNKNOWN_DF_SHARE * n_docs)), n_docs
    )
    known_dfs = [
        [df for df in (index.document_frequency(term) for term in group) if df > 0]
        for _, group, _ in groups
    ]
    unknown_common = [
        i
        for i, (word_text, group, _) in enumerate(groups)
        if not known_dfs[i] and _is_common_word(word_text, group, dates)
    ]
    if outlets:
        kept = [
            i
            for i, (word_text, _, start) in enumerate(groups)
            if known_dfs[i]
            or not (start > 0 and _NAME_RE.match(word_text))
            or _outlet_key(word_text) not in outlets
        ]
        groups = [groups[i] for i in kept]
        known_dfs = [known_dfs[i] for i in kept]
        unknown_common = [kept.index(i) for i in unknown_common if i in kept]
    n_known = sum(1 for dfs in known_dfs if dfs)
    discounted = (
        set(unknown_common)
        if len(unknown_common) <= MAX_COMMON_UNKNOWN and n_known >= MIN_KNOWN_FOR_DISCOUNT
        else set()
    )
    words = []
    for i, (word_text, group, start) in enumerate(groups):
        known = known_dfs[i]
        if known:
            weight = evidence_idf(min(known), n_docs)
        elif i in discounted:
            weight = common_unknown_weight
        else:
            weight = unknown_weight
        words.append(
            QuestionWord(
                text=word_text,
                terms=frozenset(group),
                weight=weight,
                known=bool(known),
                is_date=bool(group & dates),
                is_name=start > 0 and _reads_as_name(word_text, lang),
                transferable=any(t[:1] in _TRANSFERABLE_MARKS or t[:1].isdigit() for t in group),
                before_name=bool(_NEXT_NAME_RE.match(text, start + len(word_text))),
            )
        )
    return tuple(words)


def with_prefix_stems(
    words: Sequence[QuestionWord], index: SearchBackend, *, lang: Lang | None = None
) -> tuple[QuestionWord, ...]:
    """The words with every indexed term sharing a stem's prefix added as an alternative.

    A translated or paraphrased question varies derivation, which a stemmer keeps apart
    ("называются" → "называ", the passage's "название" → "назван"; "innovative" /
    "innovation"): an everyday word (all lowercase letters, ``_is_common_word``) also matches
    a passage term that starts with its stem less its last ``PREFIX_CUT`` characters, but no
    fewer than ``PREFIX_MIN_CHARS`` (shorter stems are left alone: "стат" would match "статья"
    and "статус"), and an indexed term of at least ``PREFIX_MIN_CHARS`` characters
    (``CYRILLIC_STEM_MIN_CHARS`` in Cyrillic) that its stem begins with: an adjective asks
    about its noun ("колумбийский президент", "президент Колумбии": "колумбийск" begins
    with "колумб"; xquad-ru false "nothing found" 0.037 → 0.032, docs/quality.md "Russian
    question words"). A word already known
    keeps its weight (the rarer variants would make it heavier); an unknown word found this
    way weighs as its rarest variant. Numbers and dates match exactly, and names too but for
    a place's adjective, which also matches the place ("European" / "Europe",
    ``_with_place_of_demonym``). With the question's ``lang``, a Russian verb also matches
    the indexed stems of its partners in aspect (``_aspect_partner_stems``: "страдать" /
    "пострадал"). An index without ``terms_with_prefix`` matches no prefixes.
    """
    lookup = getattr(index, "terms_with_prefix", None)
    n_docs = max(index.n_docs, 1)
    out = []
    for word in words:
        if word.is_name and not word.is_date and not word.before_name:
            out.append(_with_place_of_demonym(word, index, n_docs))
            continue
        if (
            lookup is None
            or word.is_date
            or word.transferable
            or not _is_common_word(word.text, set(), set())
        ):
            out.append(word)
            continue
        variants: set[str] = set()
        for term in word.terms:
            if term[:1] in _TRANSFERABLE_MARKS or len(term) < PREFIX_MIN_CHARS:
                continue
            prefix = term[: max(PREFIX_MIN_CHARS, len(term) - PREFIX_CUT)]
            variants.update(lookup(prefix, PREFIX_LIMIT))
            shortest = (
                CYRILLIC_STEM_MIN_CHARS
                if term.isalpha() and not term.isascii()
                else PREFIX_MIN_CHARS
            )
            variants.update(
                term[:k]
                for k in range(shortest, len(prefix))
                if index.document_frequency(term[:k]) > 0
            )
        if lang is not None:
            variants.update(_aspect_partner_stems(word.text, lang, index))
        variants -= word.terms
        if not variants:
            out.append(word)
            continue
        weight = word.weight
        if not word.known:
            weight = evidence_idf(min(index.document_frequency(t) for t in variants), n_docs)
        out.append(replace(word, terms=word.terms | variants, weight=weight, known=True))
    return tuple(out)


def _aspect_partner_stems(word_text: str, lang: Lang, index: SearchBackend) -> set[str]:
    """The indexed stems of a Russian verb's partners in aspect (``ru_aspect_partners``:
    страдать / пострадать, сделал / делать); none for another word or language."""
    folded = word_text.casefold().replace("ё", "е")
    if not folded.isalpha() or folded.isascii() or script_language(folded, lang) != "ru":
        return set()
    stems = {stem_token(partner, "ru") for partner in ru_aspect_partners(folded)}
    return {stem for stem in stems if index.document_frequency(stem) > 0}


def _with_place_of_demonym(word: QuestionWord, index: SearchBackend, n_docs: int) -> QuestionWord:
    """A name read as a place's adjective ("European", "Ukrainian") also matches the place
    ("Europe", "Ukraine"): the stem less a demonym ending, when the index knows that term.
    Not for a word followed by another capitalised one (``QuestionWord.before_name``): that
    is a name of several words, where "Julian" is not "Julia" nor "Christian" "Christ".
    A name unknown to the index found this way weighs as that term (as ``with_prefix_stems``
    weighs an unknown everyday word), so it no longer vetoes as an unknown name."""
    variants: set[str] = set()
    for term in word.terms:
        if term[:1] in _TRANSFERABLE_MARKS:
            continue
        for ending in DEMONYM_ENDINGS:
            base = term[: -len(ending)]
            if (
                term.endswith(ending)
                and len(base) >= DEMONYM_MIN_BASE
                and index.document_frequency(base) > 0
            ):
                variants.add(base)
    variants -= word.terms
    if not variants:
        return word
    weight = word.weight
    if not word.known:
        weight = evidence_idf(min(index.document_frequency(t) for t in variants), n_docs)
    return replace(word, terms=word.terms | variants, weight=weight, known=True)


def outlet_words(sources: Iterable[str]) -> frozenset[str]:
    """The casefolded words of outlet names ("The Verge" → "the", "verge"), for ``outlets``."""
    return frozenset(
        word.casefold() for source in sources for word in re.findall(r"\w+", source or "")
    )


def _outlet_key(word_text: str) -> str:
    """A question word as compared with ``outlet_words``: casefolded, possessive dropped."""
    return re.sub(r"['’]s$", "", word_text).casefold()


def _reads_as_name(word_text: str, lang: Lang) -> bool:
    """Whether a question word (not the first) reads as a name: capitalised, not an all-caps
    abbreviation, and, for a Russian word, one pymorphy3 may parse as a name, place or
    organisation or does not know (``is_russian_name``, the analyzer's rule for fold keys).

    A capitalised common word ("Оснащенность" opening a quoted title, "(в градусах
    Цельсия)") is not a topic the archive lacks: as a name it vetoed answers its
    paragraph held (xquad-ru, docs/quality.md "Russian question words").
    """
    if not _NAME_RE.match(word_text) or word_text.isupper():
        return False
    folded = word_text.casefold().replace("ё", "е")
    if folded.isalpha() and script_language(folded, lang) == "ru":
        return is_russian_name(folded)
    return True


def _is_common_word(word_text: str, group: set[str], dates: set[str]) -> bool:
    """Whether an unknown word reads as an everyday word rather than a name, number or date.

    Only a word written all in lowercase letters qualifies ("decided", "заявив"): a capital
    anywhere (a name, also as the question's first word: "WhatsApp"), a digit, or a date term
    keeps the full weight of an unknown word.
    """
    if group & dates or not word_text:
        return False
    letters = word_text.replace("-", "").replace("'", "").replace("’", "")
    return letters.isalpha() and letters.islower()


@functools.lru_cache(maxsize=QUESTION_TOKEN_CACHE)
def _question_terms(surface: str, lang: Lang) -> tuple[str, ...]:
    """The question-mode terms of one token (stem plus fold key), as ``Analyzer.question``.

    Kept per token (``analyze_surface`` is context-free): questions repeat their words.
    """
    from index.analysis.analyzer import analyze_surface

    return analyze_surface(surface, lang, question=True)


def key_word_indexes(words: Sequence[QuestionWord]) -> frozenset[int]:
    """The words a passage must match to count as an answer: names the index never saw.

    Such a word can never be matched, so a question holding one is never answered; unless
    the unknown names are fewer than ``UNKNOWN_NAMES_SHARE`` of the question's names (a long
    question naming six companies and outlets, one of which the archive lacks): then none
    is required, and the coverage decides.
    """
    names = [i for i, word in enumerate(words) if word.is_name]
    unknown = frozenset(i for i in names if not words[i].known)
    if len(unknown) < UNKNOWN_NAMES_SHARE * len(names):
        return frozenset()
    return unknown


def measure_evidence(
    words: Sequence[QuestionWord],
    terms: Iterable[str],
    *,
    min_coverage: float = MIN_COVERAGE,
    compound_words: int = COMPOUND_WORDS,
    cross_language: bool = False,
) -> Evidence:
    """How much of the question the given terms (a passage's and its title's) match.

    Args:
        words: the question's words.
        terms: the passage's and its title's terms.
        min_coverage: the threshold.
        compound_words: a long question also passes when the matched words weigh as much
            as this many of its heaviest words (``COMPOUND_WORDS``; the answer-bearing
            tier's ``RELAXED_COMPOUND_WORDS``).
        cross_language: the passage is in another language than the question, so mostly
            names, dates and numbers can match: coverage counts only those words plus any
            word that does match (a shared cognate stem is evidence too), and at least
            ``MIN_CROSS_LANGUAGE_MATCHES`` words must match.
    """
    # A set is read as it is (the callers pass sets: ~24 checks a question, each copied
    # before), and a word's match is a disjointness test, not an intersection built.
    present = terms if isinstance(terms, (set, frozenset)) else set(terms)
    matched = frozenset([i for i, word in enumerate(words) if not word.terms.isdisjoint(present)])
    counted: Sequence[int] = (
        [
            i
            for i, word in enumerate(words)
            if i in matched or (word.transferable and (word.known or word.is_name))
        ]
        if cross_language
        else range(len(words))
    )
    total = sum(words[i].weight for i in counted)
    weight = sum(words[i].weight for i in matched)
    coverage = weight / total if total > 0 else 0.0
    enough = (
        bool(matched)
        and (
            coverage >= min_coverage
            or _carries_compound_question(words, counted, weight, compound_words)
        )
        and key_word_indexes(words) <= matched
    )
    if cross_language:
        enough = enough and len(matched) >= MIN_CROSS_LANGUAGE_MATCHES
    return Evidence(matched=matched, coverage=coverage, weight=weight, enough=enough)


def may_relax(words: Sequence[QuestionWord]) -> bool:
    """Whether the answer-bearing tier may answer the question (``RELAXED_COVERAGE``): at
    most ``MAX_UNKNOWN_WHEN_RELAXED`` of its words are unknown to the whole index, and an
    unknown word is excused only beside ``MIN_KNOWN_FOR_DISCOUNT`` known ones (as for the
    discount of unknown everyday words: in "Who is the mayor of Kyiv?" the one unknown word
    is the topic, and any Kyiv passage would do).
    """
    unknown = sum(not word.known for word in words)
    if unknown == 0:
        return True
    return unknown <= MAX_UNKNOWN_WHEN_RELAXED and len(words) - unknown >= MIN_KNOWN_FOR_DISCOUNT


def bears_answer(
    words: Sequence[QuestionWord],
    passage: Evidence,
    snippet_terms: Iterable[str],
    *,
    typed: bool,
    cross_language: bool = False,
) -> bool:
    """Whether a snippet that passed ``measure_evidence`` at ``RELAXED_COVERAGE`` bears the
    answer (the comment on ``RELAXED_COVERAGE``). Every name of the question must be matched;
    a date is not a name, though a month is capitalised ("starting November 16th"): dates
    are not required outright (the module docstring), and one article may tell a fact
    another dates.

    Args:
        words: the question's words.
        passage: the evidence of the snippet's passage with its article's title and day.
        snippet_terms: the terms of the snippet's own sentences.
        typed: the snippet holds a term of the expected answer type (True when the question
            expects none).
        cross_language: as ``measure_evidence``.
    """
    if not typed or any(
        w.is_name and not w.is_date and i not in passage.matched for i, w in enumerate(words)
    ):
        return False
    return measure_evidence(
        words,
        snippet_terms,
        min_coverage=RELAXED_COVERAGE,
        compound_words=RELAXED_COMPOUND_WORDS,
        cross_language=cross_language,
    ).enough


def _carries_compound_question(
    words: Sequence[QuestionWord],
    counted: Sequence[int],
    weight: float,
    n_heaviest: int = COMPOUND_WORDS,
) -> bool:
    """Whether a long question's matched words weigh as much as its ``n_heaviest`` heaviest.

    Only for questions of more than ``2 * COMPOUND_WORDS`` counted words (below that, half of
    the weight is at most the heaviest ``COMPOUND_WORDS``' weight anyway).
    """
    if len(counted) <= 2 * COMPOUND_WORDS:
        return False
    heaviest = sorted((words[i].weight for i in counted), reverse=True)[:n_heaviest]
    return weight >= sum(heaviest)


def indexed_question_terms(
    index: SearchBackend,
    words: Sequence[QuestionWord],
    passage_ids: Sequence[int],
    *,
    rows: CandidateRows | None = None,
) -> dict[int, frozenset[str]] | None:
    """The question's terms each passage holds, read from the index; None when it cannot tell.

    The index holds each passage's title and text terms (``Archive`` indexes both), which is
    what the evidence check matches a passage on, and a term occurs in a passage exactly when
    its BM25Okapi score there is non-zero: the tf part is positive for any tf ≥ 1, and the
    Robertson idf ``log((N - n + 0.5) / (n + 0.5))`` is positive when the term is in fewer
    than half of the passages. A term in half or more has a zero or epsilon-floored idf whose
    score says nothing, so then the caller analyses the passages' texts instead. A few terms'
    scores over ~200 passages (one ``term_scores`` call, or none when the ranking layer's
    ``rows`` already hold them) replace reading and analysing every candidate's text, which
    most candidates never need (they fail the check).

    Args:
        index: the engine the passages were found in.
        words: the question's words.
        passage_ids: the passages to read.
        rows: the layer's per-term scores over candidates including ``passage_ids``.
    """
    terms = sorted({term for word in words for term in word.terms})
    n_docs = index.n_docs
    if any(2 * index.document_frequency(term) >= n_docs for term in terms):
        return None  # (an empty index too)
    ids = list(dict.fromkeys(passage_ids))
    if not terms or not ids:
        return dict.fromkeys(ids, frozenset())
    if rows is None:
        matrix = np.asarray(index.term_scores(terms, ids))
    else:
        matrix = rows.matrix(terms, rows.columns(ids))
    held = matrix != 0
    if len(terms) > _MAX_CODED_TERMS:
        return {
            pid: frozenset(terms[row] for row in np.flatnonzero(held[:, col]).tolist())
            for col, pid in enumerate(ids)
        }
    # One bit per term: passages holding the same terms share one frozenset.
    # The ~100 passages are mapped with ``map`` in C (a Python loop over them cost more).
    codes = ((1 << np.arange(len(terms), dtype=np.int64)) @ held).tolist()
    sets = {
        code: frozenset(term for bit, term in enumerate(terms) if code >> bit & 1)
        for code in dict.fromkeys(codes)
    }
    return dict(zip(ids, map(sets.__getitem__, codes), strict=True))
