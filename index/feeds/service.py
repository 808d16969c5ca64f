"""The feeds stage as the facade uses it: register, list and remove sources, poll them.

``Archive`` holds one ``FeedService`` and delegates its source methods to it, giving it the
archive's own ingestion path so that polled articles are stored and indexed exactly like
ingested files. Sources named in ``NEWSDESK_FEEDS`` are registered on first use.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from index.errors import SourceError
from index.feeds.fields import to_lang
from index.feeds.models import PollReport
from index.feeds.poller import ExtractFn, FetchFn, IngestFn, Poller, PollOptions
from index.feeds.specs import check_source_name, default_source_name, parse_feeds_setting
from index.feeds.urls import check_source_url
from index.fetch import fetch_url
from index.models import ExtractedArticle, Progress, Source, SourceStatus
from index.settings import IndexSettings
from index.store.db import Database
from index.store.sources import SourceStore

logger = logging.getLogger(__name__)

# Shorter intervals than this would hammer a news site for little gain (same floor as
# NEWSDESK_POLL_INTERVAL_S).
MIN_INTERVAL_S = 30
# `newsdesk poll` without --once re-checks at least this often, so sources added meanwhile
# (by the bot or another CLI) are picked up without a restart.
MAX_IDLE_S = 60.0


def extractor_for(settings: IndexSettings) -> ExtractFn:
    """``extract_bytes`` bound to the extraction options of ``settings``."""

    def extract(
        data: bytes, name: str, *, content_type: str | None = None, url: str | None = None
    ) -> list[ExtractedArticle]:
        from index.extract import ExtractOptions, extract_bytes

        options = ExtractOptions.from_settings(settings)
        return extract_bytes(data, name, content_type=content_type, url=url, options=options)

    return extract


class FeedService:
    """Sources and polling over one store.

    Args:
        settings: intervals, politeness, fetch limits and ``NEWSDESK_FEEDS``.
        db: the archive's database (sources live beside the articles).
        ingest: the archive's ingestion path for extracted articles.
        fetch, extract, clock, rng: stand-ins for tests; the real ones by default.
    """

    def __init__(
        self,
        settings: IndexSettings,
        db: Database,
        ingest: IngestFn,
        *,
        fetch: FetchFn = fetch_url,
        extract: ExtractFn | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.store = SourceStore(db)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.poller = Poller(
            self.store,
            ingest,
            options=PollOptions(
                timeout_s=settings.fetch_timeout_s,
                max_bytes=settings.max_item_bytes,
                host_delay_s=settings.host_delay_s,
            ),
            fetch=fetch,
            extract=extract or extractor_for(settings),
            clock=self._clock,
            rng=rng,
        )
        self._preseeded = False
        self._preseed_lock = threading.Lock()

    def close(self) -> None:
        """Stop the poller's worker threads (waits for a running poll to finish)."""
        self.poller.close()

    def preseed(self) -> list[Source]:
        """Register the ``NEWSDESK_FEEDS`` sources not registered yet (once per service).

        A preseeded source removed by an admin comes back at the next start while it stays
        in ``NEWSDESK_FEEDS``: the setting is the operator's word.

        Raises:
            SourceError: ``NEWSDESK_FEEDS`` holds a bad item.
        """
        with self._preseed_lock:
            if self._preseeded:
                return []
            self._preseeded = True
            known = {status.source.url for status in self.store.list_all()}
            added = []
            for spec in parse_feeds_setting(self.settings.feeds):
                if spec.url in known:
                    continue
                added.append(self._add(spec.url, name=spec.name))
                known.add(spec.url)
            if added:
                logger.info("registered %d sources from NEWSDESK_FEEDS", len(added))
            return added

    def add_source(
        self,
        url: str,
        *,
        name: str | None = None,
        outlet: str | None = None,
        language: str | None = None,
        interval_s: int | None = None,
    ) -> Source:
        """Register a source, due for its first poll at once.

        Raises:
            SourceError: a bad URL, name, language or interval, or a duplicate name or URL.
        """
        self.preseed()
        return self._add(url, name=name, outlet=outlet, language=language, interval_s=interval_s)

    def _add(
        self,
        url: str,
        *,
        name: str | None = None,
        outlet: str | None = None,
        language: str | None = None,
        interval_s: int | None = None,
    ) -> Source:
        url = check_source_url(url)
        if name is not None:
            name = check_source_name(name.strip())
        else:
            name = _free_name(default_source_name(url), self.store.names())
        lang = to_lang(language)
        if language and lang is None:
            raise SourceError("the language must be en, uk or ru", item=language)
        interval = self.settings.poll_interval_s if interval_s is None else int(interval_s)
        if interval < MIN_INTERVAL_S:
            raise SourceError(
                f"the interval must be at least {MIN_INTERVAL_S} seconds", item=str(interval)
            )
        label = (outlet or "").strip() or name
        source = self.store.add(
            name=name,
            url=url,
            outlet=label,
            interval_s=interval,
            language=lang,
            now=self._clock(),
        )
        logger.info("source %s added: %s (every %d s)", source.name, source.url, interval)
        return source

    def list_sources(self) -> list[SourceStatus]:
        """Every source with its polling record, in the order they were added."""
        self.preseed()
        return self.store.list_all()

    def remove_source(self, name: str) -> Source:
        """Unregister a source; its articles stay in the archive. Raises NotFoundError."""
        self.preseed()
        source = self.store.remove(name)
        logger.info("source %s removed", source.name)
        return source

    def poll(
        self,
        *,
        due_only: bool = True,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> PollReport:
        """Poll the due sources (or all) once; new articles are searchable on return."""
        self.preseed()
        return self.poller.poll(due_only=due_only, names=names, progress=progress)

    def seconds_until_due(self) -> float | None:
        """Seconds until the next source falls due (0 when overdue, None without sources)."""
        when = self.store.next_due_at()
        if when is None:
            return None
        return max(0.0, (when - self._clock()).total_seconds())

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        on_report: Callable[[PollReport], None] | None = None,
        max_idle_s: float = MAX_IDLE_S,
    ) -> PollReport:
        """Poll until ``stop`` is set (or KeyboardInterrupt), sleeping until the next due source.

        Args:
            stop: set it from another thread to end the loop after the current poll.
            on_report: called with each poll that polled at least one source.
            max_idle_s: the longest sleep, so that newly added sources are noticed.

        Returns:
            The last poll that polled at least one source (empty if none did).
        """
        stop = stop or threading.Event()
        last = PollReport()
        while not stop.is_set():
            report = self.poll()
            if report.sources:
                last = report
                if on_report is not None:
                    on_report(report)
            wait = self.seconds_until_due()
            wait = max_idle_s if wait is None else min(max(wait, 1.0), max_idle_s)
            stop.wait(wait)
        return last


def _free_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... when taken (two feeds of one site)."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
