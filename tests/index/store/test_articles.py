"""The article store: identity by URL or content hash, transactions, reads, statistics."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from index.errors import NotFoundError, StoreError
from index.models import PassageSpan
from index.store import ArticleStore, content_hash
from tests.index.store.conftest import make_article

KYIV_SUMMER = timezone(timedelta(hours=3))


def test_new_article_is_stored_with_its_passages(store: ArticleStore) -> None:
    article, spans = make_article(url="https://example.org/a", language="en", author="A. B.")
    saved = store.save(article, spans, source="Example")
    assert saved.outcome == "new"
    stored = store.get(saved.article.article_id)
    assert (stored.title, stored.url, stored.source, stored.author, stored.language) == (
        "A title",
        "https://example.org/a",
        "Example",
        "A. B.",
        "en",
    )
    passages = store.passages_of(stored.article_id)
    assert [p.text for p in passages] == [s.text for s in spans]
    assert [p.ordinal for p in passages] == [0, 1]
    assert all(stored.body[p.start : p.end] == p.text for p in passages)
    assert saved.passages == tuple(passages)


def test_reingest_same_url_updates_in_place(store: ArticleStore) -> None:
    first = store.save(*make_article(url="https://example.org/a"))
    article, spans = make_article(
        "Rewritten lede.\n\nNew detail.\n\nThird paragraph.", url="https://example.org/a"
    )
    second = store.save(article, spans)
    assert second.outcome == "updated"
    assert second.article.article_id == first.article.article_id
    assert set(second.removed_passage_ids) == {p.passage_id for p in first.passages}
    assert [p.text for p in store.passages_of(first.article.article_id)] == [
        "Rewritten lede.",
        "New detail.",
        "Third paragraph.",
    ]
    assert store.count_articles() == 1
    assert store.count_passages() == 3


def test_same_url_same_content_is_unchanged(store: ArticleStore) -> None:
    first = store.save(*make_article(url="https://example.org/a"))
    again = store.save(*make_article(url="https://example.org/a"))
    assert again.outcome == "unchanged"
    assert again.article.article_id == first.article.article_id
    assert again.passages == () and again.removed_passage_ids == ()
    assert store.passages_of(first.article.article_id) == list(first.passages)


def test_same_url_with_new_metadata_is_updated(store: ArticleStore) -> None:
    store.save(*make_article(url="https://example.org/a"))
    article, spans = make_article(url="https://example.org/a", author="New Author")
    assert store.save(article, spans).outcome == "updated"
    assert store.list_articles()[0].author == "New Author"


def test_identical_content_without_url_is_not_stored_twice(store: ArticleStore) -> None:
    first = store.save(*make_article())
    # Line breaks differing only in whitespace still count as the same content.
    article, spans = make_article("First paragraph about Kyiv.\n\nSecond paragraph  about NATO.")
    second = store.save(article, spans)
    assert second.outcome == "unchanged"
    assert second.article.article_id == first.article.article_id
    assert store.count_articles() == 1


def test_same_content_later_with_its_url_adopts_the_article(store: ArticleStore) -> None:
    first = store.save(*make_article())
    with_url = store.save(*make_article(url="https://example.org/a"))
    assert with_url.outcome == "updated"
    assert with_url.article.article_id == first.article.article_id
    assert store.get(first.article.article_id).url == "https://example.org/a"


def test_different_content_without_url_is_a_new_article(store: ArticleStore) -> None:
    store.save(*make_article())
    assert store.save(*make_article("Another story.")).outcome == "new"
    assert store.count_articles() == 2


def test_passage_ids_are_never_reused_after_an_update(store: ArticleStore) -> None:
    first = store.save(*make_article(url="https://example.org/a"))
    second = store.save(*make_article("Changed.\n\nText.", url="https://example.org/a"))
    old = {p.passage_id for p in first.passages}
    assert old.isdisjoint(p.passage_id for p in second.passages)
    assert store.max_passage_id() == max(p.passage_id for p in second.passages)


def test_published_at_is_stored_in_utc_and_read_back_aware(store: ArticleStore) -> None:
    published = datetime(2024, 8, 4, 17, 25, tzinfo=KYIV_SUMMER)
    saved = store.save(*make_article(published_at=published))
    stored = store.get(saved.article.article_id).published_at
    assert stored == published
    assert stored is not None and stored.utcoffset() == timedelta(0)
    assert stored.hour == 14
    raw = store.db.conn.execute("SELECT published_at FROM articles").fetchone()[0]
    assert raw == "2024-08-04T14:25:00+00:00"


def test_passages_must_match_the_body_offsets(store: ArticleStore) -> None:
    article, _ = make_article()
    with pytest.raises(StoreError, match="offsets"):
        store.save(article, [PassageSpan(0, "not in the body", 0, 15)])
    assert store.count_articles() == 0


def test_a_failed_write_leaves_nothing_behind(store: ArticleStore) -> None:
    article, spans = make_article()
    # The second passage insert breaks UNIQUE (article_id, ordinal) after the article row and
    # a first passage were written: the transaction must roll all of them back.
    original = store._insert_passages
    calls = []

    def insert_then_fail(conn, article_id, spans):  # type: ignore[no-untyped-def]
        calls.append(article_id)
        original(conn, article_id, spans[:1])
        conn.execute(
            'INSERT INTO passages (article_id, ordinal, text, start, "end", kind) '
            "VALUES (?, 0, 'x', 0, 1, 'paragraph')",
            (article_id,),
        )

    store._insert_passages = insert_then_fail  # type: ignore[method-assign]
    with pytest.raises(StoreError, match="could not write"):
        store.save(article, spans)
    assert calls
    assert store.count_articles() == 0
    assert store.count_passages() == 0


def test_empty_body_is_refused(store: ArticleStore) -> None:
    article, _ = make_article(" \n ")
    with pytest.raises(StoreError, match="no body"):
        store.save(article, [])


def test_delete_removes_article_and_passages(store: ArticleStore) -> None:
    saved = store.save(*make_article())
    article, passage_ids = store.delete(saved.article.article_id)
    assert article.article_id == saved.article.article_id
    assert set(passage_ids) == {p.passage_id for p in saved.passages}
    assert store.count_articles() == 0 and store.count_passages() == 0
    with pytest.raises(NotFoundError):
        store.get(saved.article.article_id)
    with pytest.raises(NotFoundError):
        store.delete(saved.article.article_id)


def test_lookups_by_id_skip_unknown_ids(store: ArticleStore) -> None:
    saved = store.save(*make_article())
    ids = [p.passage_id for p in saved.passages]
    assert set(store.passages_by_id([*ids, 999])) == set(ids)
    assert set(store.articles_by_id([saved.article.article_id, 999])) == {saved.article.article_id}
    many = store.passages_by_id(list(range(1, 2500)))  # more ids than one IN (...) takes
    assert set(many) == set(ids)


def test_article_summaries_are_the_articles_without_bodies(store: ArticleStore) -> None:
    saved = store.save(*make_article()).article
    summaries = store.article_summaries_by_id([saved.article_id, 999])
    assert list(summaries) == [saved.article_id]
    summary = summaries[saved.article_id]
    whole = store.articles_by_id([saved.article_id])[saved.article_id]
    fields = ("article_id", "title", "url", "source", "author", "published_at", "language")
    assert [getattr(summary, f) for f in fields] == [getattr(whole, f) for f in fields]
    assert not hasattr(summary, "body")


def test_list_is_newest_first_with_filters(store: ArticleStore) -> None:
    for day, src in ((1, "A"), (3, "B"), (2, "A")):
        store.save(
            *make_article(
                f"Story of day {day}.",
                title=f"Day {day}",
                published_at=datetime(2024, 7, day, 12, tzinfo=UTC),
            ),
            source=src,
        )
    assert [a.title for a in store.list_articles()] == ["Day 3", "Day 2", "Day 1"]
    assert [a.title for a in store.list_articles(source="A")] == ["Day 2", "Day 1"]
    assert [a.title for a in store.list_articles(since=date(2024, 7, 2))] == ["Day 3", "Day 2"]
    assert [a.title for a in store.list_articles(limit=1)] == ["Day 3"]


def test_list_until_is_inclusive_of_the_whole_day(store: ArticleStore) -> None:
    for day, hour in ((1, 0), (2, 23), (3, 0)):
        store.save(
            *make_article(
                f"Story of day {day}.",
                title=f"Day {day}",
                published_at=datetime(2024, 7, day, hour, 59, 59, 500000, tzinfo=UTC),
            )
        )
    store.save(*make_article("Undated story.", title="Undated"))
    assert [a.title for a in store.list_articles(until=date(2024, 7, 2))] == ["Day 2", "Day 1"]
    window = store.list_articles(since=date(2024, 7, 2), until=date(2024, 7, 2))
    assert [a.title for a in window] == ["Day 2"]
    assert store.list_articles(since=date(2024, 7, 4), until=date(2024, 7, 31)) == []


def test_counts_report_languages_sources_and_date_range(store: ArticleStore) -> None:
    store.save(
        *make_article("One.", language="en", published_at=datetime(2024, 7, 1, tzinfo=UTC)),
        source="A",
    )
    store.save(
        *make_article("Два.", language="uk", published_at=datetime(2024, 8, 4, tzinfo=UTC)),
        source="A",
    )
    store.save(*make_article("Три.", language="ru"))
    counts = store.counts()
    assert counts.articles == 3 and counts.passages == 3
    assert counts.languages == {"en": 1, "ru": 1, "uk": 1}
    assert counts.sources == {"A": 2, "unknown": 1}
    assert counts.first_published == datetime(2024, 7, 1, tzinfo=UTC)
    assert counts.last_published == datetime(2024, 8, 4, tzinfo=UTC)


def test_index_rows_carry_article_fields_in_passage_order(store: ArticleStore) -> None:
    a = store.save(*make_article(title="T1", language="en"))
    b = store.save(*make_article("Other.\n\nText.", title="T2", language="uk"))
    rows = list(store.iter_index_rows(batch=1))
    assert [r.passage_id for r in rows] == sorted(p.passage_id for p in (*a.passages, *b.passages))
    assert {(r.article_id, r.title, r.language) for r in rows} == {
        (a.article.article_id, "T1", "en"),
        (b.article.article_id, "T2", "uk"),
    }
    assert [r.passage_id for r in store.iter_index_rows(after_id=rows[1].passage_id)] == [
        r.passage_id for r in rows[2:]
    ]


def test_content_hash_ignores_whitespace_but_not_words() -> None:
    assert content_hash("T", "a  b\nc") == content_hash("T", "a b c")
    assert content_hash("T", "a b c") != content_hash("T", "a b d")
    assert content_hash("T", "a b c") != content_hash("U", "a b c")


def test_each_thread_gets_its_own_connection(store: ArticleStore) -> None:
    store.save(*make_article())
    seen: list[object] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            seen.append(store.db.conn)
            assert store.count_articles() == 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({id(c) for c in seen}) == 4
    assert store.db.conn not in seen


def test_concurrent_writers_from_threads_all_commit(store: ArticleStore) -> None:
    def write(n: int) -> None:
        for i in range(10):
            store.save(*make_article(f"Thread {n} story {i}."))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_articles() == 40
    assert store.check_integrity() == []


def test_store_uses_wal_and_foreign_keys(store: ArticleStore) -> None:
    conn = store.db.conn
    if store.db.backend == "sqlite":
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    # Both backends enforce the foreign key (PostgreSQL's error is a sqlite3 subclass).
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            'INSERT INTO passages (article_id, ordinal, text, start, "end") '
            "VALUES (12345, 0, 'x', 0, 1)"
        )


def test_undated_articles_list_last_and_drop_out_of_since(store: ArticleStore) -> None:
    store.save(*make_article("Undated story.", title="Undated"))
    store.save(
        *make_article("Dated story.", title="Dated", published_at=datetime(2024, 7, 1, tzinfo=UTC))
    )
    assert [a.title for a in store.list_articles()] == ["Dated", "Undated"]
    assert [a.title for a in store.list_articles(since=date(2024, 1, 1))] == ["Dated"]


def _queue(store: ArticleStore) -> tuple[list[int], list[int]]:
    return store.pending_index_ops()


def test_saves_and_deletes_queue_their_index_changes(store: ArticleStore) -> None:
    first = store.save(*make_article(url="https://example.org/a"))
    added = [p.passage_id for p in first.passages]
    assert _queue(store) == ([], added)
    store.clear_index_ops([], added)
    assert _queue(store) == ([], [])
    second = store.save(*make_article("New.\n\nText.", url="https://example.org/a"))
    assert _queue(store) == (added, [p.passage_id for p in second.passages])
    store.clear_index_ops(added, [p.passage_id for p in second.passages])
    _, removed = store.delete(first.article.article_id)
    assert _queue(store) == (list(removed), [])
    store.clear_index_ops_up_to(max(removed))
    assert _queue(store) == ([], [])


def test_clearing_keeps_an_entry_whose_op_changed(store: ArticleStore) -> None:
    saved = store.save(*make_article())
    ids = [p.passage_id for p in saved.passages]
    store.delete(saved.article.article_id)  # the "add" entries became "remove" entries
    store.clear_index_ops([], ids)
    assert _queue(store) == (ids, [])


def test_unchanged_saves_queue_nothing(store: ArticleStore) -> None:
    saved = store.save(*make_article())
    store.clear_index_ops([], [p.passage_id for p in saved.passages])
    store.save(*make_article())
    assert _queue(store) == ([], [])


def test_index_rows_by_id_skips_missing_passages(store: ArticleStore) -> None:
    saved = store.save(*make_article(title="T", language="en"))
    ids = [p.passage_id for p in saved.passages]
    rows = store.index_rows_by_id([*ids, 999])
    assert [r.passage_id for r in rows] == ids
    assert {(r.title, r.language) for r in rows} == {("T", "en")}
    assert list(store.passage_ids_up_to(ids[0])) == ids[:1]


def test_index_rows_can_stop_at_an_id(store: ArticleStore) -> None:
    first = store.save(*make_article("One.\n\nTwo.\n\nThree."))
    ids = [p.passage_id for p in first.passages]
    assert [r.passage_id for r in store.iter_index_rows(up_to=ids[1])] == ids[:2]
    assert [r.passage_id for r in store.iter_index_rows(after_id=ids[0], up_to=ids[1])] == [ids[1]]
    store.save(*make_article("Another story."))  # the snapshot generator was exhausted


def test_counts_work_while_a_rebuild_read_is_open(store: ArticleStore) -> None:
    store.save(*make_article())
    rows = store.iter_index_rows(batch=1)
    next(rows)  # the rebuild's snapshot is open on this thread's connection
    assert store.counts().articles == 1
    assert len(list(rows)) == 1


def test_passages_read_back_equal_the_saved_ones(store: ArticleStore) -> None:
    """Rows become ``Passage`` positionally: a column out of order would show here."""
    saved = store.save(*make_article()).passages
    ids = [p.passage_id for p in saved]
    read = list(store.passages_by_id(ids).values())
    assert read == list(saved)
    assert store.passages_of(saved[0].article_id) == list(saved)
    assert all(type(p.passage_id) is int and type(p.start) is int for p in read)
