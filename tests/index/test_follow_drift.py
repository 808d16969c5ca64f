"""The reverse index's filter under document frequencies that moved since its build.

Until this test was written the reverse index (``follow._ReverseIndex``) kept the weights of
its build, rebuilt when the index grew by 5%, and kept a topic whose words an article held
0.4 of that weight, a margin under the gate's ``MIN_COVERAGE`` (0.45). A burst of articles
on a new name moves that word's document frequency within the 5%, its weight falls, and the
topic's other words carry more of the topic than the build's weights say: the topic missed
an alert ``ask`` gives. The filter must keep every topic ``ask``'s article check accepts,
whatever moved since the build.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import MIN_COVERAGE, evidence_idf, question_words

CHAT = 7
# Filler vocabulary: made-up everyday words, so no real word's frequency is in play.
_FILLER = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in ("al", "en", "ir", "os") for c in "kmt"]
TOPIC = "harbour dredging Quorvath"
FILLERS = 400  # single-passage articles stored before the topic is followed
# Each of the topic's everyday words is in this many filler articles (never both in one).
COMMON = 80
BURST = 18  # articles naming Quorvath after the build: under 5% of the index
# What the reverse index did before: rebuilt every 5% of growth, a candidate at 0.4.
OLD_RESIGN_SHARE = 0.05
OLD_FILTER_COVERAGE = 0.4


def _article(number: int, words: list[str], rng: random.Random, tag: str) -> dict[str, str]:
    filler = rng.sample(_FILLER, 30)
    body = " ".join(filler[:15] + words + filler[15:])
    return {
        "url": f"https://drift.example.org/{tag}/{number}",
        "title": " ".join(filler[:4]),
        "text": body + ".",
        "published": "2024-07-19T08:00:00Z",
        "language": "en",
    }


def _jsonl(articles: list[dict[str, str]]) -> bytes:
    return ("\n".join(json.dumps(a) for a in articles) + "\n").encode()


@dataclass(frozen=True)
class _Drifted:
    archive: Archive
    target: int  # the article holding "harbour dredging" after the burst
    burst: tuple[int, ...]


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Drifted]:
    """An archive where a topic's name was rare when the reverse index was built and is
    common (a burst) when an article holding the topic's two other words arrives."""
    folder: Path = tmp_path_factory.mktemp("drift")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    rng = random.Random(12)
    fillers = []
    for number in range(FILLERS):
        words = []
        if number < COMMON:
            words = ["harbour"]
        elif number < 2 * COMMON:
            words = ["dredging"]
        elif number == 2 * COMMON:
            words = ["Quorvath"]
        fillers.append(_article(number, words, rng, "filler"))
    assert archive.ingest_bytes("fillers.jsonl", _jsonl(fillers)).failed == ()
    archive.follow(CHAT, TOPIC)
    # The first match after the follow builds the reverse index, with Quorvath in 1 passage.
    opener = [_article(0, ["lighthouse"], rng, "opener")]
    assert archive.ingest_bytes("opener.jsonl", _jsonl(opener)).failed == ()
    built_at = archive.keeper.current().n_docs
    burst = [_article(n, ["Quorvath"], rng, "burst") for n in range(BURST)]
    report = archive.ingest_bytes("burst.jsonl", _jsonl(burst))
    target = _article(0, ["harbour", "dredging"], rng, "target")
    last = archive.ingest_bytes("target.jsonl", _jsonl([target]))
    # Inside the old window: the reverse index was not rebuilt.
    assert archive.keeper.current().n_docs - built_at <= OLD_RESIGN_SHARE * built_at
    ids = tuple(item.article_id for item in report.items if item.article_id is not None)
    (target_id,) = (item.article_id for item in last.items if item.article_id is not None)
    yield _Drifted(archive, target_id, ids)
    archive.close()


def test_the_scenario_is_a_burst_the_build_weights_hide(drifted: _Drifted) -> None:
    """The build's weights put the target's two words under the old filter's bar; today's
    put them over the gate's (so the test is about drift, not about the gate)."""
    n_then = FILLERS + 1  # the fillers and the opener when the reverse index was built
    name_then, common_then = evidence_idf(1, n_then), evidence_idf(COMMON, n_then)
    assert 2 * common_then < OLD_FILTER_COVERAGE * (name_then + 2 * common_then)
    index = drifted.archive.keeper.current()
    question = drifted.archive.keeper.analyzer.question(TOPIC, datetime.now(UTC))
    words = question_words(
        question.text,
        question.language,
        question.terms,
        question.date_terms,
        analyzer=drifted.archive.keeper.analyzer,
        index=index,
    )
    weights = {word.text: word.weight for word in words}
    assert weights["Quorvath"] == evidence_idf(1 + BURST, index.n_docs)
    held = weights["harbour"] + weights["dredging"]
    assert held >= MIN_COVERAGE * sum(weights.values())


def test_a_burst_on_a_name_does_not_hide_an_alert_ask_gives(drifted: _Drifted) -> None:
    archive = drifted.archive
    cited = {a.citation.article_id for a in archive.ask(TOPIC, k=100).articles}
    assert drifted.target in cited  # ask answers the topic from the target article
    alerted = {a.answer.citation.article_id for a in archive.pending_alerts()}
    assert drifted.target in alerted
    # Exactly ask's answers among the articles stored after the follow.
    assert alerted == cited & {drifted.target, *drifted.burst}
