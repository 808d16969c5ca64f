"""Matching new articles against followed topics: ask's gate, the reverse index, the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import question_words
from index.answer.follow import TopicMatcher, _weigh
from tests.bot.corpus import write_corpus

TOPICS = [
    "wheat harvest in Kherson",
    "yield in Poltava",
    "grain prices Kyiv exchange",
    "Koval gold medal",
    "storage prices",
    "What did the regional agriculture department say about Lviv?",
    "Finland membership talks",  # nothing in the corpus
    "врожай пшениці",
]
CHAT = 7


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Topics followed first, then the whole corpus ingested: every article is new to them."""
    folder = tmp_path_factory.mktemp("follow")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    for topic in TOPICS:
        archive.follow(CHAT, topic)
    assert archive.ingest([str(write_corpus(folder / "corpus"))]).failed == ()
    yield archive
    archive.close()


def test_a_topic_alerts_on_exactly_the_articles_ask_cites(followed: Archive) -> None:
    alerted: dict[str, set[int]] = {topic: set() for topic in TOPICS}
    for alert in followed.pending_alerts():
        alerted[alert.topic.text].add(alert.answer.citation.article_id)
    assert any(alerted.values())
    for topic in TOPICS:
        answer = followed.ask(topic, k=100)
        cited = {item.citation.article_id for item in answer.articles}
        assert alerted[topic] == cited, topic
    assert alerted["Finland membership talks"] == set()


def test_the_reverse_index_finds_every_topic_that_can_pass(followed: Archive) -> None:
    index = followed.keeper.current()
    matcher = followed._topic_matcher()
    all_ids = [t.topic_id for t in followed.following(CHAT)]
    for summary in followed.list_articles(limit=100):
        article = followed.get_article(summary.article_id)
        passages = followed.get_passages(article.article_id)
        records = followed.keeper.records_of(article, passages)
        by_index = matcher.match(article, passages, records, index)
        by_brute_force = matcher.match(article, passages, records, index, topic_ids=all_ids)
        assert by_index == by_brute_force


def test_weights_follow_question_words_as_frequencies_move(followed: Archive) -> None:
    index = followed.keeper.current()
    analyzer = followed.keeper.analyzer
    matcher = TopicMatcher(analyzer, layer=True)
    now = datetime.now(UTC)
    for number, topic in enumerate(TOPICS):
        query = matcher.analyse(number, topic, now)
        assert query is not None
        q = query.question
        expected = question_words(
            q.text, q.language, q.terms, q.date_terms, analyzer=analyzer, index=index
        )
        assert _weigh(query.shapes, index, {}) == expected


def test_the_cost_follows_the_article_not_the_number_of_topics(followed: Archive) -> None:
    index = followed.keeper.current()
    matcher = TopicMatcher(followed.keeper.analyzer, layer=True)
    # 3,000 topics about words the archive never saw, plus one it has.
    topics = [(n, f"Zorvex{n} Quilmar{n} accord") for n in range(3000)]
    matcher.load([*topics, (99_999, "wheat harvest in Kherson")], datetime.now(UTC), 1)
    article_terms = {"farmer", "kherson", "~herson", "wheat", "harvest", "region", "accord"}
    assert matcher.candidates(article_terms, index) == {99_999}


def test_a_topic_is_never_alerted_twice_about_one_story(followed: Archive) -> None:
    before = {(a.topic.topic_id, a.story_id) for a in followed.pending_alerts()}
    # As if a killed process had matched everything but not advanced its mark.
    with followed._db.transaction() as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'alerts_matched_up_to'")
    assert followed.match_new_articles() == 0
    after = [(a.topic.topic_id, a.story_id) for a in followed.pending_alerts()]
    assert len(after) == len(set(after)) and set(after) == before


def test_articles_stored_before_a_topic_do_not_alert_it(tmp_path: Path) -> None:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    try:
        archive.ingest([str(write_corpus(tmp_path / "corpus"))])
        archive.follow(CHAT, "wheat harvest in Kherson")
        assert archive.match_new_articles() == 0
        assert archive.pending_alerts() == []
    finally:
        archive.close()
