"""Per-host politeness across processes: two pollers on one data dir share the host's pace.

The bot and ``newsdesk poll`` are separate processes with separate throttles; the store's
``host_slots`` table is what keeps them from hitting one host back to back. Here two archives
opened on the same data dir (each with its own database connections, pollers and threads)
poll two sources of one 127.0.0.1 server at the same time, and the server records when each
request arrived.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path

import pytest

from index import open_archive
from index.feeds.politeness import HostThrottle
from index.feeds.urls import host_of
from index.settings import IndexSettings
from index.store import MIGRATIONS, SCHEMA_VERSION, Database
from index.store.hosts import MAX_HOST_WAIT_S, HostSlots
from index.store.sources import SourceStore
from tests.index.feeds.conftest import FeedServer

DELAY_S = 0.25


def settings_for(data_dir: Path, delay_s: float = DELAY_S) -> IndexSettings:
    return IndexSettings(
        _env_file=None, data_dir=data_dir, host_delay_s=delay_s, fetch_timeout_s=2.0
    )


def test_two_pollers_on_one_data_dir_space_their_requests_to_a_host(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss2.xml", "rss2.xml", content_type="application/rss+xml")
    for name in ("bridge", "library", "ferry"):
        feed_server.serve_page(f"/news/{name}.html", f"{name}.html")
    feed_server.serve("/atom.xml", "atom.xml", content_type="application/atom+xml")
    feed_server.serve_page("/observer/wind.html", "observer-wind.html")
    settings = settings_for(tmp_path / "data")
    with open_archive(settings) as first, open_archive(settings) as second:
        first.add_source(feed_server.url("/rss2.xml"), name="gazette")
        second.add_source(feed_server.url("/atom.xml"), name="observer")
        reports = {}
        start = threading.Barrier(2)

        def poll(archive, name):
            start.wait()
            reports[name] = archive.poll(names=[name])

        threads = [
            threading.Thread(target=poll, args=(first, "gazette")),
            threading.Thread(target=poll, args=(second, "observer")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert reports["gazette"].count("new") == 3 and reports["observer"].count("new") == 1
    times = sorted(r.at for r in feed_server.requests)
    assert len(times) == 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= DELAY_S * 0.85, gaps  # never back to back, whichever poller asked
    # the pace is kept in the store, where the next process (or restart) finds it
    with open_archive(settings) as archive:
        slots = HostSlots(archive._db)
        assert slots.not_before(feed_server.host) is not None


def test_a_slot_is_reserved_in_one_statement_and_queues_behind_others(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    slots = HostSlots(db)
    assert slots.reserve("news.test", now=1000.0, delay_s=1.0) == 1000.0  # free: now
    assert slots.reserve("news.test", now=1000.2, delay_s=1.0) == 1001.0  # queued
    assert slots.reserve("news.test", now=1000.3, delay_s=1.0) == 1002.0  # behind that
    assert slots.reserve("other.test", now=1000.3, delay_s=1.0) == 1000.3  # per host
    assert slots.reserve("news.test", now=1010.0, delay_s=1.0) == 1010.0  # long free again
    db.close()
    reopened = Database(tmp_path / "s.sqlite3")
    assert HostSlots(reopened).not_before("news.test") == 1011.0  # survives a restart
    reopened.close()


def test_a_slot_far_in_the_future_is_a_clock_jump_not_a_queue(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    slots = HostSlots(db)
    db.conn.execute("INSERT INTO host_slots (host, not_before) VALUES ('news.test', 1e12)")
    assert slots.reserve("news.test", now=1000.0, delay_s=1.0) == 1000.0 + MAX_HOST_WAIT_S
    db.close()


def test_throttle_waits_for_a_slot_another_process_reserved(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    other = Database(tmp_path / "s.sqlite3")  # another process's connection
    url = "https://news.test/feed.xml"
    HostSlots(other).reserve(host_of(url), now=500.0, delay_s=2.0)
    slept: list[float] = []
    throttle = HostThrottle(
        2.0,
        clock=lambda: 0.0,
        sleep=slept.append,
        shared=HostSlots(db),
        wall_clock=lambda: 500.5,
    )
    with throttle.slot(url) as waited:
        assert waited == pytest.approx(1.5)
    assert slept == [pytest.approx(1.5)]
    assert HostSlots(other).not_before(host_of(url)) == pytest.approx(504.0)
    # politeness off: no wait and no write
    off = HostThrottle(0.0, shared=HostSlots(db), sleep=slept.append)
    with off.slot("https://quiet.test/") as waited:
        assert waited == 0.0
    assert HostSlots(db).not_before("quiet.test") is None
    db.close()
    other.close()


def test_an_older_store_is_migrated_to_the_shared_politeness_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    old = Database(path, migrations=MIGRATIONS[:3])
    assert old.schema_version == 3
    old.conn.execute(
        "INSERT INTO sources (name, url, outlet, interval_s, added_at, failures, next_poll_at) "
        "VALUES ('gazette', 'https://news.test/rss', 'Gazette', 900, "
        "'2024-01-01T00:00:00.000000+00:00', 2, '2024-01-01T01:00:00.000000+00:00')"
    )
    old.close()
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(path).execute("SELECT * FROM host_slots")

    new = Database(path)

    assert new.schema_version == SCHEMA_VERSION >= 4  # later migrations apply too
    (status,) = SourceStore(new).list_all()
    assert status.source.name == "gazette" and status.failures == 2
    assert status.retry_after_until is None
    assert HostSlots(new).reserve("news.test", now=10.0, delay_s=1.0) == 10.0
    new.close()
