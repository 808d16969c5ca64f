"""Replicas on one PostgreSQL store: an ingest anywhere is answerable everywhere within 2 s.

Each replica is an ``Archive`` with its own data dir (its own local index) on the same
database; ``follow_changes`` replays the change log and then follows it through
LISTEN/NOTIFY (``index.store.changes``). The writer is another ``Archive`` in this process,
or `newsdesk ingest` in another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

pytestmark = pytest.mark.slow

PROPAGATION_S = 2.0
KAKHOVKA = SAMPLE_DIR / "dumps" / "en-2023-06-06-kakhovka-dam.txt"
KAKHOVKA_Q = "How much water did the Kakhovka reservoir hold?"
NATO = SAMPLE_DIR / "dumps" / "uk-2024-07-11-samit-nato-vashyngton.txt"
NATO_Q = "саміт НАТО у Вашингтоні"


def _replica(data_dir: Path, url: str) -> Archive:
    return open_archive(IndexSettings(data_dir=data_dir, database_url=url, _env_file=None))


def _cited(archive: Archive, question: str) -> set[int]:
    return {a.citation.article_id for a in archive.ask(question).articles}


def _within(seconds: float, condition: Callable[[], bool]) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not propagated within {seconds} s")
        time.sleep(0.02)
    return time.monotonic() - started


def test_an_ingest_or_delete_on_one_replica_reaches_the_other_within_2_s(
    pg_url: str, tmp_path: Path
) -> None:
    with _replica(tmp_path / "a", pg_url) as a, _replica(tmp_path / "b", pg_url) as b:
        assert b.follow_changes() is True
        assert not b.ask(KAKHOVKA_Q).found
        report = a.ingest([str(KAKHOVKA)])
        assert report.count("new") == 1
        (article_id,) = _cited(a, KAKHOVKA_Q)
        _within(PROPAGATION_S, lambda: article_id in _cited(b, KAKHOVKA_Q))
        a.delete(article_id)
        # B's own index drops the passages (its answers stop citing them even sooner: the
        # store no longer has them).
        _within(PROPAGATION_S, lambda: b.stats().index_passages == 0)
        assert article_id not in _cited(b, KAKHOVKA_Q)


def test_a_cli_ingest_in_another_process_reaches_a_running_replica(
    pg_url: str, tmp_path: Path
) -> None:
    with _replica(tmp_path / "b", pg_url) as b:
        b.follow_changes()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        done = subprocess.run(
            [sys.executable, "-m", "index", "ingest", str(KAKHOVKA)],
            env={
                **clean,
                "PYTHONPATH": str(PROJECT_ROOT),
                "NEWSDESK_DATABASE_URL": pg_url,
                "NEWSDESK_DATA_DIR": str(tmp_path / "cli"),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        _within(PROPAGATION_S, lambda: b.ask(KAKHOVKA_Q).found)


def test_a_replica_that_was_down_replays_the_log_at_start(pg_url: str, tmp_path: Path) -> None:
    with _replica(tmp_path / "a", pg_url) as a:
        with _replica(tmp_path / "b", pg_url) as b:
            b.follow_changes()
        # b is down: two ingests it must catch up with.
        a.ingest([str(KAKHOVKA)])
        a.ingest([str(NATO)])
        with _replica(tmp_path / "b", pg_url) as b:
            b.follow_changes()  # replays before it returns
            assert b.ask(KAKHOVKA_Q).found and b.ask(NATO_Q).found
            assert b.stats().index_passages == a.stats().index_passages


def test_one_replica_leads_and_another_takes_over_when_it_is_gone(
    pg_url: str, tmp_path: Path
) -> None:
    a = _replica(tmp_path / "a", pg_url)
    with _replica(tmp_path / "b", pg_url) as b:
        assert a.is_leader() is True
        assert a.is_leader() is True  # still, on every check
        assert b.is_leader() is False
        a.close()  # the leader is gone (a killed process drops its connection the same way)
        assert b.is_leader() is True


LEADER = """
import sys, time
from pathlib import Path
from index import IndexSettings, open_archive
archive = open_archive(IndexSettings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]))
print("leader" if archive.is_leader() else "follower", flush=True)
time.sleep(120)
"""


def test_a_leader_killed_with_sigkill_is_replaced(pg_url: str, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    leader = subprocess.Popen(
        [sys.executable, "-c", LEADER, str(tmp_path / "a"), pg_url],
        env={**clean, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert leader.stdout is not None and leader.stdout.readline().strip() == "leader"
        with _replica(tmp_path / "b", pg_url) as b:
            assert b.is_leader() is False
            leader.kill()
            leader.wait(timeout=10)
            _within(5.0, b.is_leader)
    finally:
        leader.kill()
        leader.wait(timeout=10)
        if leader.stdout is not None:
            leader.stdout.close()


def test_two_replicas_ingesting_the_same_url_at_once_make_one_article(
    pg_url: str, tmp_path: Path
) -> None:
    import threading

    page = tmp_path / "same.jsonl"
    page.write_text(
        '{"url": "https://example.org/same", "title": "Dam breach floods the valley", '
        '"text": "The dam breach flooded the valley overnight, officials said.", '
        '"published": "2024-08-01T10:00:00Z"}\n',
        encoding="utf-8",
    )
    with _replica(tmp_path / "a", pg_url) as a, _replica(tmp_path / "b", pg_url) as b:
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def ingest(archive: Archive) -> None:
            start.wait()
            report = archive.ingest([str(page)])
            outcomes.extend(item.outcome for item in report.items)

        threads = [threading.Thread(target=ingest, args=(r,)) for r in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["new", "unchanged"]
        assert a.stats().articles == b.stats().articles == 1


def test_a_server_restart_is_survived_by_reads_writes_and_the_follower(
    postgres_cluster, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A database of its own, created here: the restart cuts every connection of the cluster.
    url = postgres_cluster.create_database()
    with _replica(tmp_path / "a", url) as a, _replica(tmp_path / "b", url) as b:
        b.follow_changes()
        a.ingest([str(KAKHOVKA)])
        _within(PROPAGATION_S, lambda: b.ask(KAKHOVKA_Q).found)
        postgres_cluster.restart()
        assert a.ask(KAKHOVKA_Q).found and b.ask(KAKHOVKA_Q).found  # stale pooled connections
        assert a.ingest([str(NATO)]).count("new") == 1
        # The follower reconnects (with backoff) and catches up.
        _within(10.0, lambda: b.ask(NATO_Q).found)
    postgres_cluster.drop_database(url)


def test_a_replica_down_past_the_log_pruning_rebuilds_its_index(
    pg_url: str, tmp_path: Path
) -> None:
    from index.store.pg import PgDatabase

    with _replica(tmp_path / "a", pg_url) as a:
        with _replica(tmp_path / "b", pg_url) as b:
            b.follow_changes()
            a.ingest([str(KAKHOVKA)])
            _within(PROPAGATION_S, lambda: b.ask(KAKHOVKA_Q).found)
        a.ingest([str(NATO)])  # while b is down...
        db = PgDatabase(pg_url)
        db.prune_replica_tables(keep_s=0.0, now=time.time())  # ...the log is pruned past it
        assert db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
        db.close()
        a.ingest([str(SAMPLE_DIR / "html")])  # and logs more
        with _replica(tmp_path / "b", pg_url) as b:
            b.follow_changes()  # the gap is seen: the index is rebuilt from the store
            assert b.ask(NATO_Q).found
            assert b.stats().index_passages == a.stats().passages


def test_a_stopped_server_leaves_answers_from_the_cache_and_writes_waiting_for_it(
    postgres_cluster, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import threading

    from index import NewsdeskError

    # A database of its own, created here: stopping the server cuts every connection.
    url = postgres_cluster.create_database()
    with _replica(tmp_path / "a", url) as a, _replica(tmp_path / "b", url) as b:
        b.follow_changes()
        a.ingest([str(KAKHOVKA)])
        _within(PROPAGATION_S, lambda: b.ask(KAKHOVKA_Q).found)
        postgres_cluster.halt()
        try:
            # Answered from B's local index and its cache of the rows it read, at once.
            started = time.monotonic()
            for _ in range(5):
                assert b.ask(KAKHOVKA_Q).found
            assert time.monotonic() - started < 2.0
            # Rows never read cannot be shown: a clear refusal, fast, not a crash.
            started = time.monotonic()
            with pytest.raises(NewsdeskError, match="cannot be reached"):
                b.passages_for([10**6])
            assert time.monotonic() - started < 2.0
            # A write waits for the server with backoff (it comes back within the budget).
            outcome: list[object] = []
            writer = threading.Thread(
                target=lambda: outcome.append(a.ingest([str(NATO)]).count("new"))
            )
            writer.start()
            time.sleep(1.0)
        finally:
            postgres_cluster.resume()
        writer.join(timeout=60)
        assert outcome == [1]
        # B's follower reconnects (with backoff) and catches up.
        _within(20.0, lambda: b.ask(NATO_Q).found)
        assert b.ask(KAKHOVKA_Q).found
    postgres_cluster.drop_database(url)


def test_a_process_watching_the_log_drops_rows_another_process_replaced(
    pg_url: str, tmp_path: Path
) -> None:
    # The bot's answer workers: they answer from the bot's index, and only watch the change
    # log so that their cache of article rows never serves a replaced or deleted article.
    with _replica(tmp_path / "a", pg_url) as a, _replica(tmp_path / "w", pg_url) as w:
        report = a.ingest([str(KAKHOVKA)])
        article_id = report.items[0].article_id
        assert article_id is not None
        assert w.watch_changes() is True
        passages = a.get_passages(article_id)
        assert w.passages_for([p.passage_id for p in passages])  # now cached in w
        cached = w.store.articles_by_id([article_id])[article_id]
        a.delete(article_id)
        _within(PROPAGATION_S, lambda: not w.store.articles_by_id([article_id]))
        assert not w.passages_for([p.passage_id for p in passages])
        assert cached.article_id == article_id


def test_a_story_change_by_another_process_reaches_a_watching_process(
    pg_url: str, tmp_path: Path
) -> None:
    # Stories move in a transaction of their own (``StoryStore.file``), without passages:
    # the log's ``story`` entry is what tells a watching process that its cached stories
    # (kept long while it follows the log) are stale.
    with _replica(tmp_path / "a", pg_url) as a, _replica(tmp_path / "w", pg_url) as w:
        first = a.ingest([str(KAKHOVKA)]).items[0].article_id
        second = a.ingest([str(NATO)]).items[0].article_id
        assert first is not None and second is not None
        assert w.watch_changes() is True
        before = w.story_of(second)
        assert before is not None and len(before.members) == 1  # now cached in w
        a.stories.file(second, [first], size=0, signature=b"", keys=[])
        _within(PROPAGATION_S, lambda: len(w.story_of(second).members) == 2)  # type: ignore[union-attr]
        assert w.story_of(first).story_id == w.story_of(second).story_id  # type: ignore[union-attr]


def test_a_replica_following_one_article_at_a_time_never_rewrites_its_base_index(
    pg_url: str, tmp_path: Path
) -> None:
    # Issue 15: on a replica whose index had taken a few deltas more than the writer's (the
    # log of earlier ingests replayed at start), every ninth article followed made it
    # rewrite its whole base index under the writer lock, and the next articles waited for
    # that (3.5-10.6 s at 100,000 passages). A trickle of articles now folds the deltas
    # into one and leaves the base as it is, so each change costs what it adds.
    from index.search import SearchIndex
    from index.search.engine import MERGE_MAX_DELTAS

    with _replica(tmp_path / "a", pg_url) as a:
        a.ingest([str(SAMPLE_DIR)])
        with _replica(tmp_path / "b", pg_url) as b:
            b.follow_changes()  # builds B's index from the store: one base
            index_dir = tmp_path / "b" / "index"
            base = str(SearchIndex.disk_generation(index_dir)).split(".")[0]
            for n in range(MERGE_MAX_DELTAS + 2):
                word = f"zorvex{n:03d}"
                page = tmp_path / f"article-{n}.txt"
                page.write_text(
                    f"Council approves the {word} budget\n\nThe city council approved the "
                    f"{word} budget on Monday. Officials said the {word} plan would fund "
                    "new bus routes.\n",
                    encoding="utf-8",
                )
                assert a.ingest([str(page)]).count("new") == 1
                _within(PROPAGATION_S, lambda w=word: b.ask(f"{w} budget").found)
            assert str(SearchIndex.disk_generation(index_dir)).split(".")[0] == base
            assert b.stats().index_passages == a.stats().passages
