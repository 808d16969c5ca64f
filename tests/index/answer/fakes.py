"""In-memory stand-ins for the store, engine and analyzer, to test the answer stage alone.

The engine fake scores with rank_bm25.BM25Okapi itself, so answer tests run on real BM25
scores; the analyzer fake lowercases words, drops a few stopwords and turns "14 July" into
a date term, which is all the answer stage needs to see.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from rank_bm25 import BM25Okapi

from index.answer.evidence import QuestionWord
from index.models import Article, Hit, Lang, Passage

STOPWORDS = frozenset(
    ["a", "an", "the", "of", "on", "in", "to", "what", "did", "is", "was", "about", "and", "or"]
)
_MONTHS = {"july": 7, "august": 8}
_TOKEN_RE = re.compile(r"(\d{1,2}) (July|August)|\w+")


@dataclass(frozen=True, slots=True)
class Span:
    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    language: Lang
    terms: tuple[str, ...]
    date_terms: tuple[str, ...]
    period: tuple[date, date] | None = None


class SimpleAnalyzer:
    """Lowercased words minus stopwords; "14 July" → "@m07-14"."""

    def term_spans(self, text: str, lang: Lang, published_at: datetime | None) -> list[Span]:
        spans = []
        for match in _TOKEN_RE.finditer(text):
            if match.group(1):
                month = _MONTHS[match.group(2).lower()]
                spans.append(Span(f"@m{month:02d}-{int(match.group(1)):02d}", *match.span()))
            elif match.group().lower() not in STOPWORDS:
                spans.append(Span(match.group().lower(), *match.span()))
        return spans

    def document_terms(self, text: str, lang: Lang, published_at: datetime | None) -> list[str]:
        return [span.term for span in self.term_spans(text, lang, published_at)]

    def question(self, text: str) -> Question:
        terms = tuple(self.document_terms(text, "en", None))
        return Question(text, "en", terms, tuple(t for t in terms if t.startswith("@")))


class MemoryArchive:
    """Articles split one passage per paragraph, an exact BM25Okapi index over them."""

    def __init__(self, articles: Sequence[tuple[str, str]], analyzer: SimpleAnalyzer) -> None:
        self.articles: dict[int, Article] = {}
        self.passages: dict[int, Passage] = {}
        self.corpus: list[list[str]] = []
        self._article_of: list[int] = []
        for article_id, (title, body) in enumerate(articles, start=1):
            published = datetime(2024, 8, 4, tzinfo=UTC)
            self.articles[article_id] = Article(
                article_id=article_id,
                title=title,
                body=body,
                content_hash=str(article_id),
                ingested_at=published,
                url=f"https://example.org/{article_id}",
                source="Example",
                author="A. Writer",
                published_at=published,
                language="en",
            )
            start = 0
            for ordinal, text in enumerate(body.split("\n\n")):
                passage_id = len(self.corpus)
                self.passages[passage_id] = Passage(
                    passage_id, article_id, ordinal, text, start, start + len(text)
                )
                start += len(text) + 2
                self.corpus.append(
                    analyzer.document_terms(title, "en", None)
                    + analyzer.document_terms(text, "en", None)
                )
                self._article_of.append(article_id)
        self.bm25 = BM25Okapi(self.corpus)

    # SearchBackend
    @property
    def n_docs(self) -> int:
        return len(self.corpus)

    def search(self, terms, k, *, day_range=None) -> list[Hit]:
        scores = self.bm25.get_scores(list(terms))
        known = set(terms)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [
            Hit(i, float(scores[i]))
            for i in order[:k]
            if scores[i] > 0 and known & set(self.corpus[i])
        ]

    def score_passages(self, terms, passage_ids) -> np.ndarray:
        return np.asarray(self.bm25.get_batch_scores(list(terms), list(passage_ids)))

    def term_scores(self, terms, passage_ids) -> np.ndarray:
        return np.array([self.score_passages([t], passage_ids) for t in terms]).reshape(
            len(terms), len(passage_ids)
        )

    def article_of(self, passage_id: int) -> int:
        return self._article_of[passage_id]

    def articles_of(self, passage_ids) -> np.ndarray:
        return np.array([self._article_of[p] for p in passage_ids], dtype=np.int64)

    def document_frequency(self, term: str) -> int:
        return sum(1 for doc in self.corpus if term in doc)

    def document_frequencies(self, terms) -> np.ndarray:
        return np.array([self.document_frequency(t) for t in terms], dtype=np.int64)

    # PassageSource
    def passages_by_id(self, ids) -> dict[int, Passage]:
        return {i: self.passages[i] for i in ids if i in self.passages}

    def articles_by_id(self, ids) -> dict[int, Article]:
        return {i: self.articles[i] for i in ids if i in self.articles}

    def passages_of(self, article_id: int) -> list[Passage]:
        return [p for p in self.passages.values() if p.article_id == article_id]


#: Words of ARTICLES' Tusk article, for random proximity questions and passages.
PROXIMITY_WORDS = ["tusk", "poland", "missiles", "allies", "air", "defence", "july", "said"]


def random_question_words(rng: random.Random) -> list[QuestionWord]:
    """Three distinct known question words with random weights."""
    return [
        QuestionWord(
            w, frozenset([w]), weight=rng.uniform(0.5, 3), known=True, is_date=False, is_name=False
        )
        for w in rng.sample(PROXIMITY_WORDS, 3)
    ]


def random_passage_text(rng: random.Random) -> str:
    """One to three short "sentences" of ``PROXIMITY_WORDS``."""
    return ". ".join(
        " ".join(rng.choice(PROXIMITY_WORDS) for _ in range(rng.randint(1, 5)))
        for _ in range(rng.randint(1, 3))
    )


class PrefixIndex:
    """Document frequencies and a sorted vocabulary, as ``SearchIndex`` gives them to the
    evidence stage (``with_prefix_stems``, ``evidence_idf``)."""

    n_docs = 100

    def __init__(self, dfs: dict[str, int]) -> None:
        self.dfs = dfs

    def document_frequency(self, term: str) -> int:
        return self.dfs.get(term, 0)

    def terms_with_prefix(self, prefix: str, limit: int) -> list[str]:
        return sorted(t for t in self.dfs if t.startswith(prefix))[:limit]
