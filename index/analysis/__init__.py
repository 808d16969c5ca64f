"""Text analysis: text → terms, the same path for passages and questions.

``Analyzer`` is the entry point; ``detect_language`` is shared with extraction.
"""

from index.analysis.analyzer import ANALYSIS_VERSION, AnalyzedQuestion, Analyzer, TermSpan
from index.analysis.language import detect_language

__all__ = ["ANALYSIS_VERSION", "AnalyzedQuestion", "Analyzer", "TermSpan", "detect_language"]
