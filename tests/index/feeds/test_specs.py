"""Source specifications, canonical URLs, backoff and per-host politeness."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from index.errors import SourceError
from index.feeds.politeness import HostThrottle
from index.feeds.schedule import MAX_BACKOFF_S, backoff_delay_s, next_poll_at
from index.feeds.specs import SourceSpec, default_source_name, parse_feeds_setting
from index.feeds.urls import canonical_url


def test_feeds_setting_takes_urls_and_named_urls() -> None:
    specs = parse_feeds_setting(
        " https://a.test/rss , up=https://b.test/feed?x=1&y=2,, c.d=http://c.test/s.xml"
    )
    assert specs == [
        SourceSpec("https://a.test/rss"),
        SourceSpec("https://b.test/feed?x=1&y=2", "up"),
        SourceSpec("http://c.test/s.xml", "c.d"),
    ]


def test_url_with_equals_in_query_is_not_a_name() -> None:
    assert parse_feeds_setting("https://a.test/rss?lang=uk") == [
        SourceSpec("https://a.test/rss?lang=uk")
    ]


@pytest.mark.parametrize(
    "value", ["ftp://a.test/rss", "not a url", "bad name=https://a.test/", "=https://a.test"]
)
def test_bad_feeds_setting_items_raise_source_error(value: str) -> None:
    with pytest.raises(SourceError):
        parse_feeds_setting(value)


def test_default_name_is_the_host_without_www() -> None:
    assert default_source_name("https://www.pravda.com.ua/rss/") == "pravda.com.ua"


def test_canonical_url_drops_tracking_fragment_and_default_port() -> None:
    assert (
        canonical_url("HTTPS://News.Test:443/a/B?id=7&utm_source=x&fbclid=y#top")
        == "https://news.test/a/B?id=7"
    )
    assert canonical_url("http://news.test:8080") == "http://news.test:8080/"


def test_backoff_doubles_per_failure_up_to_the_cap() -> None:
    delays = [backoff_delay_s(900, n) for n in range(1, 7)]
    assert delays[:4] == [1800, 3600, 7200, 14400]
    assert delays[4:] == [MAX_BACKOFF_S, MAX_BACKOFF_S]
    # an interval longer than the cap is never shortened by backoff
    assert backoff_delay_s(86400, 3) == 86400


def test_next_poll_is_jittered_within_ten_percent() -> None:
    now = datetime(2024, 8, 1, tzinfo=UTC)
    rng = random.Random(7)
    delays = {(next_poll_at(now, 1000, rng=rng) - now).total_seconds() for _ in range(50)}
    assert all(900 <= d <= 1100 for d in delays)
    assert len(delays) > 1
    assert next_poll_at(now, 1000, jitter=0) == now + timedelta(seconds=1000)


def test_host_throttle_spaces_requests_per_host_from_their_end() -> None:
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    throttle = HostThrottle(1.0, clock=lambda: clock[0], sleep=sleep)

    def request(url: str, takes_s: float = 0.0) -> float:
        with throttle.slot(url) as waited:
            clock[0] += takes_s  # the request itself
        return waited

    assert request("http://a.test/feed", takes_s=0.5) == 0
    assert request("http://a.test/page1") == pytest.approx(1.0)  # 1 s after the feed ended
    assert request("http://b.test/feed") == 0  # another host waits for nobody
    clock[0] += 0.25
    assert request("http://A.test/page2") == pytest.approx(0.75)
    assert slept == pytest.approx([1.0, 0.75])


def test_host_throttle_serialises_threads_on_one_host() -> None:
    throttle = HostThrottle(0.0)
    inside = []
    overlaps = []

    def worker() -> None:
        for _ in range(50):
            with throttle.slot("http://a.test/x"):
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                inside.pop()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
