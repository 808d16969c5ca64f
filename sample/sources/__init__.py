"""Source of truth of the sample corpus: articles per language and the QA questions."""

from __future__ import annotations

from sample.sources import en, ru, uk
from sample.sources.model import Question, SampleArticle

ARTICLES: tuple[SampleArticle, ...] = en.ARTICLES + uk.ARTICLES + ru.ARTICLES
BY_KEY: dict[str, SampleArticle] = {article.key: article for article in ARTICLES}

__all__ = ["ARTICLES", "BY_KEY", "Question", "SampleArticle"]
