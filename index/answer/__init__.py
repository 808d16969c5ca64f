"""Turning search hits into answers: cited snippets with highlights, or "nothing found".

``answer_question`` is the entry point (used by ``index.archive.Archive.ask``);
``rank_articles`` is the ranking path it shares with ``python -m index.eval retrieval``.
"""

from index.answer.assemble import answer_question, rank_question
from index.answer.candidates import RankedArticle, RankedPassage, rank_articles
from index.answer.protocols import PassageSource

__all__ = [
    "PassageSource",
    "RankedArticle",
    "RankedPassage",
    "answer_question",
    "rank_articles",
    "rank_question",
]
