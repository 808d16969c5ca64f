"""Snippet choice through the real analyzer, for the tests of sentence-choice rules.

``choose`` analyses a text as the index does and picks its snippet for a question whose
every term counts as one everyday word of weight 1, so a test's outcome depends only on the
rule it checks, not on idf weights.
"""

from __future__ import annotations

from datetime import UTC, datetime

from index.analysis.analyzer import Analyzer
from index.answer.answer_type import answer_type_of
from index.answer.evidence import QuestionWord
from index.answer.snippets import SnippetCues, choose_snippet
from index.models import Lang

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
REAL = Analyzer()

# A short snippet takes its following sentence as context: this one, after the answer.
FILLER = {
    "en": " Nothing else happened.",
    "ru": " Больше ничего не произошло.",
    "uk": " Більше нічого не сталося.",
}


def cues(question: str) -> SnippetCues:
    """Cues from the real analyzer: one everyday word per question term, weight 1."""
    terms = frozenset(REAL.question(question, NOW).terms)
    return SnippetCues(
        words=[QuestionWord(t, frozenset([t]), 1.0, True, False, False) for t in sorted(terms)],
        question_terms=terms,
        answer_type=answer_type_of(question),
    )


def choose(text: str, question: str, lang: Lang) -> str:
    """The snippet ``choose_snippet`` picks from ``text`` for ``question``."""
    spans = REAL.term_spans(text, lang, NOW)
    return choose_snippet(text, spans, cues(question)).text
