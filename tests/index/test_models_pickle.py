"""Models cross process boundaries pickled (answers from a worker process to the bot): as
their constructor and field values in order (``index.models._pickled_by_position``)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime

from index import models
from index.models import (
    Answer,
    ArticleAnswer,
    ArticleSummary,
    Attribution,
    Citation,
    Hit,
    Snippet,
    Story,
)

WHEN = datetime(2024, 8, 4, 12, 30, tzinfo=UTC)


def _answer() -> Answer:
    citation = Citation(7, "Council approves budget", "Example Times", None, WHEN, "https://x/1")
    snippet = Snippet("The council approved it.", ((4, 11),), 70, 2, 3.5, 10, 34)
    story = Story(
        3, (ArticleSummary(7, "Council approves budget", None, "Times", None, WHEN, "en"),)
    )
    article = ArticleAnswer(
        citation,
        (snippet,),
        1.25,
        story=story,
        reprints_note="+1 reprint: Other",
        said_by=(Attribution("Jens Stoltenberg", date(2024, 7, 14)),),
        answer_share=0.5,
    )
    return Answer("what did the council approve", True, (article,), ("Other",), "en", None,
                  ("council", "approv"), "a note")  # fmt: skip


def test_an_answer_comes_back_equal_through_pickle_and_copy() -> None:
    answer = _answer()
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(answer, protocol))  # noqa: S301 - our own bytes
        assert again == answer
        assert type(again.articles[0].snippets[0]) is Snippet
    assert copy.copy(answer) == answer
    assert copy.deepcopy(answer) == answer
    assert pickle.loads(pickle.dumps(Hit(5, 0.5))) == Hit(5, 0.5)  # noqa: S301 - ours


def test_every_model_pickles_as_its_constructor_and_field_values() -> None:
    """Each dataclass of ``index.models`` reduces to ``(cls, values in field order)``, which
    its ``__init__`` takes positionally (no keyword-only or non-init fields)."""
    classes = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and is_dataclass(value) and value.__module__ == models.__name__
    ]
    assert Answer in classes and len(classes) > 20
    for cls in classes:
        assert all(item.init and not item.kw_only for item in fields(cls)), cls
        assert "__reduce__" in vars(cls), cls
    summary = ArticleSummary(1, "t", None, None, None, WHEN, "en")
    assert summary.__reduce__() == (ArticleSummary, (1, "t", None, None, None, WHEN, "en"))
