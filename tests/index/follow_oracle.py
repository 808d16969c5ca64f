"""Helpers for the follow tests that check the matcher against ``ask``'s article check.

Those tests load 1,200-3,900 generated topics into several matchers each and run ``render``
(``ask``'s check) for every topic on every new article. Two things made most of their time
and are not what they test: analysing the same topic texts again for every matcher, and
scoring topics on articles that hold none of their terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from index.answer.follow import TopicMatcher, _TopicQuery
from index.models import Article, Passage


class SharedAnalyses:
    """The analyses made for one analyzer, handed to every matcher of a test module.

    A matcher made with ``matcher(...)`` analyses a text once for all of them; each gets its
    own ``_TopicQuery`` (its topic id, no weights or verdicts yet), as its own ``analyse``
    would make it.
    """

    def __init__(self, analyzer: object) -> None:
        self.analyzer = analyzer
        # by (topic text, day): all ``TopicMatcher.analyse`` reads besides the analyzer
        # (``now`` only through its date, for the periods a question names)
        self._made: dict[tuple[str, object], _TopicQuery | None] = {}

    def matcher(self, cls: type[TopicMatcher] = TopicMatcher, **kwargs: object) -> TopicMatcher:
        """A ``cls`` (``TopicMatcher`` or a subclass) for this analyzer sharing the analyses."""
        shared = self

        class _Sharing(cls):  # type: ignore[valid-type, misc]
            def analyse(self, topic_id: int, text: str, now: datetime) -> _TopicQuery | None:
                key = (text, now.date())
                if key not in shared._made:
                    shared._made[key] = super().analyse(topic_id, text, now)
                made = shared._made[key]
                if made is None:
                    return None
                return replace(made, topic_id=topic_id, weighed=None, verdicts=None)

        return _Sharing(self.analyzer, **kwargs)


def asked(
    matcher: TopicMatcher,
    topic_ids: Iterable[int],
    article: Article,
    passages: Sequence[Passage],
    index: object,
) -> list[int]:
    """The topics for which ``render`` (``ask``'s article check) answers on ``article``.

    ``render`` answers only from passages whose BM25 score for the topic's question is above
    0, and that score is the sum of its terms' scores. So a topic none of whose terms scores
    on any of the article's passages (the index's per-term scores, ``term_scores``, all 0)
    gets no answer, and ``render`` runs only for the others. In ``test_follow_broad.py`` that
    is 16,482 of the 52,800 renders, exactly those whose BM25 ranking was not empty.
    """
    ids = list(topic_ids)
    questions = {tid: matcher._topics[tid].question for tid in ids if tid in matcher._topics}
    terms = sorted({term for q in questions.values() for term in q.terms})  # type: ignore[attr-defined]
    scores = index.term_scores(terms, [p.passage_id for p in passages])  # type: ignore[attr-defined]
    scoring = {terms[i] for i in np.flatnonzero(scores.any(axis=1)).tolist()}
    return [
        tid
        for tid in ids
        if (tid not in questions or not scoring.isdisjoint(questions[tid].terms))  # type: ignore[attr-defined]
        and matcher.render(tid, article, passages, index) is not None  # type: ignore[arg-type]
    ]
