"""Every store module on both backends (``db`` is parametrised: SQLite, then PostgreSQL).

The same assertions run on each, so a query that means one thing on SQLite and another on
PostgreSQL (row order, scalar MIN/MAX, upserts, ids, large integers) fails here.
"""

from __future__ import annotations

from array import array
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from index.errors import TopicError
from index.store import ArticleStore, Database, NewAlert, StoryStore, TopicStore
from index.store.hosts import MAX_HOST_WAIT_S, HostSlots
from index.store.statements import StatementStore, StoredStatement, write_statements
from tests.index.store.conftest import make_article

NOW = datetime(2024, 8, 4, 12, 0, tzinfo=UTC)
# A supergroup id: beyond 32 bits, as Telegram's are.
SUPERGROUP = -1001234567890


def test_ids_are_handed_out_in_order_and_the_highest_is_known(db: Database) -> None:
    store = ArticleStore(db)
    assert store.max_passage_id() == 0
    first = store.save(*make_article(url="https://example.org/1"))
    second = store.save(*make_article("Other text.\n\nMore text.", url="https://example.org/2"))
    ids = [p.passage_id for p in (*first.passages, *second.passages)]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert store.max_passage_id() == ids[-1]
    assert store.pending_index_ops() == ([], ids)
    # An update queues the old passages' removal; the op replaces an earlier "add".
    store.save(*make_article("Rewritten.\n\nAgain.", url="https://example.org/1"))
    removes, adds = store.pending_index_ops()
    assert removes == ids[:2] and adds[:2] == ids[2:] and len(adds) == 4
    store.clear_index_ops(removes, adds)
    assert store.pending_index_ops() == ([], [])


def test_reads_by_id_come_back_in_id_order(db: Database) -> None:
    store = ArticleStore(db)
    saved = [
        store.save(*make_article(f"Body {n}.", title=f"T{n}", url=f"https://e.org/{n}"))
        for n in range(5)
    ]
    # Updating rows moves them on disk in PostgreSQL; reads must not follow the disk order.
    store.save(*make_article("Body 0 again.", title="T0", url="https://e.org/0"))
    ids = [s.article.article_id for s in saved]
    assert list(store.articles_by_id(list(reversed(ids)))) == ids
    assert store.article_ids_where() == ids


def test_daily_counts_per_outlet(db: Database) -> None:
    store = ArticleStore(db)
    for n, (day, outlet) in enumerate([(1, "A"), (1, "A"), (2, "B"), (3, "A"), (9, "A")]):
        article, spans = make_article(
            f"Story {n}.",
            title=f"S{n}",
            published_at=datetime(2024, 8, day, 10, tzinfo=UTC),
        )
        store.save(article, spans, source=outlet)
    rows = store.daily_counts(3, today=date(2024, 8, 5))
    assert rows == [
        (date(2024, 8, 1), "A", 2),
        (date(2024, 8, 2), "B", 1),
        (date(2024, 8, 3), "A", 1),
    ]
    assert store.daily_counts(3, today=date(2024, 7, 1)) == []


def test_topics_outbox_and_marks(db: Database) -> None:
    topics = TopicStore(db)
    store = ArticleStore(db)
    version = topics.version()
    kwargs = {"mode": "instant", "daily_hour": 8, "lang": "en", "now": NOW, "max_topics": 2}
    wheat = topics.add(SUPERGROUP, "wheat harvest", **kwargs)  # type: ignore[arg-type]
    grain = topics.add(SUPERGROUP, "grain corridor", **kwargs)  # type: ignore[arg-type]
    assert topics.version() == version + 2
    with pytest.raises(TopicError) as refused:
        topics.add(SUPERGROUP, "third", **kwargs)  # type: ignore[arg-type]
    assert refused.value.code == "too_many"
    assert [t.text for t in topics.list(SUPERGROUP)] == ["wheat harvest", "grain corridor"]
    assert [t.topic_id for t in topics.list()] == [wheat.topic_id, grain.topic_id]
    assert wheat.chat_id == SUPERGROUP and wheat.created_at == NOW

    article = store.save(*make_article(url="https://example.org/a")).article
    alerts = [
        NewAlert(wheat.topic_id, 7, article.article_id, '{"a": 1}'),
        NewAlert(wheat.topic_id, 7, article.article_id, '{"a": 2}'),  # same story: dropped
        NewAlert(grain.topic_id, 7, article.article_id, '{"a": 3}'),
        NewAlert(9999, 7, article.article_id, "{}"),  # a removed topic: dropped
    ]
    assert topics.record_matches(article.article_id, alerts, NOW) == 2
    assert topics.record_matches(article.article_id, alerts, NOW) == 0
    assert topics.matched_up_to() == article.article_id
    topics.record_matches(0, [], NOW)  # the mark never goes back
    assert topics.matched_up_to() == article.article_id
    pending = topics.pending()
    assert [(row.topic.text, row.payload) for row in pending] == [
        ("wheat harvest", '{"a": 1}'),
        ("grain corridor", '{"a": 3}'),
    ]
    topics.mark_sent([pending[0].alert_id], NOW, digest=False)
    assert [row.payload for row in topics.pending()] == ['{"a": 3}']
    assert topics.sent_alone_since(wheat.topic_id, NOW - timedelta(hours=1)) == 1
    assert topics.pause_chat(SUPERGROUP, NOW) == 2
    assert topics.pending() == []
    assert topics.resume_chat(SUPERGROUP) == 2
    assert topics.migrate_chat(SUPERGROUP, SUPERGROUP - 1) == 2
    removed = topics.remove(SUPERGROUP - 1, grain.topic_id)
    assert removed.text == "grain corridor"
    assert topics.pending() == []  # its alert went with it
    assert topics.articles_after(0, 10) == [article.article_id]
    assert topics.max_article_id() == article.article_id


def test_stories_group_reprints_and_find_candidates(db: Database) -> None:
    store = ArticleStore(db)
    stories = StoryStore(db)
    first = store.save(*make_article("Original text.", url="https://a.org/1")).article
    second = store.save(*make_article("Reprinted text.", url="https://b.org/1")).article
    third = store.save(*make_article("Unrelated text.", url="https://c.org/1")).article
    keys = [2**62 + 5, -(2**62), 42]  # LSH band keys are signed 64-bit
    signature = array("I", [1, 2, 3]).tobytes()
    assert stories.unsigned_article_ids() == [
        first.article_id,
        second.article_id,
        third.article_id,
    ]
    own = stories.file(first.article_id, [], size=3, signature=signature, keys=keys)
    found = stories.candidates(keys, exclude=second.article_id)
    assert found == [(first.article_id, 3, signature)]
    merged = stories.file(
        second.article_id, [first.article_id], size=3, signature=signature, keys=keys
    )
    assert merged == own
    with stories.batch():
        stories.file(third.article_id, [], size=1, signature=signature, keys=[7, 8, 9])
    story = stories.story_of(second.article_id)
    assert story is not None
    assert [m.article_id for m in story.members] == [first.article_id, second.article_id]
    assert stories.story_of(third.article_id).story_id != own  # type: ignore[union-attr]
    store.delete(first.article_id)
    story = stories.story_of(second.article_id)
    assert story is not None and [m.article_id for m in story.members] == [second.article_id]
    assert stories.candidates(keys, exclude=0) == [(second.article_id, 3, signature)]


def test_statements_by_speaker_and_date(db: Database) -> None:
    store = ArticleStore(db)
    article = store.save(*make_article("He said it. She said that.")).article
    said = StoredStatement(0, 0, "Ann Lee", "Ann", "ann lee", 0, 11, "direct", None, "text", 0, 2)
    statements = [
        replace(said, said_on=date(2024, 8, 4)),
        replace(said, start=12, end=26, said_on=date(2023, 8, 4)),
        replace(said, speaker_key="bob", said_on=date(2024, 8, 5)),
    ]
    with db.transaction() as conn:
        write_statements(conn, article.article_id, statements)
    reader = StatementStore(db)
    assert reader.count() == 3
    found = reader.by_speaker(["ann lee"])
    assert [(s.said_on, s.start, s.end) for s in found] == [
        (date(2024, 8, 4), 0, 11),
        (date(2023, 8, 4), 12, 26),
    ]
    assert len(reader.by_speaker(["ann lee"], month_days=[(8, 4)])) == 2
    assert len(reader.by_speaker(["ann lee"], since=date(2024, 1, 1))) == 1
    assert [s.start for s in reader.of_article(article.article_id)] == [0, 0, 12]


def test_host_slots_space_requests_and_cap_the_wait(db: Database) -> None:
    hosts = HostSlots(db)
    assert hosts.not_before("example.org") is None
    now = 1_722_770_000.123456  # Unix seconds: needs double precision
    assert hosts.reserve("example.org", now=now, delay_s=2.0) == pytest.approx(now)
    assert hosts.reserve("example.org", now=now, delay_s=2.0) == pytest.approx(now + 2.0)
    assert hosts.not_before("example.org") == pytest.approx(now + 4.0)
    for _ in range(400):
        hosts.reserve("example.org", now=now, delay_s=2.0)
    assert hosts.not_before("example.org") <= now + MAX_HOST_WAIT_S + 2.0 + 1e-6
