"""Polling: fetch each due source, find new or updated entries, fetch and ingest their pages.

Up to ``POLL_WORKERS`` sources are polled at once, each worker fetching one request at a
time and every request waiting for its host's slot (``HostThrottle``), so politeness holds
per host however many sources share it. Every source is isolated: whatever goes wrong with
it (timeout, HTTP error, invalid feed, redirect loop, oversized body) is recorded on that
source with exponential backoff, and the poll moves on. A server that answers 429 or 503
with Retry-After gets the wait it asked for instead (``schedule.requested_wait_s``), kept on
the source so that neither a forced poll nor another process fetches it sooner. Within a
source, a failing page costs only its entry, which is retried on the next polls up to
``MAX_ENTRY_ATTEMPTS`` times.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx

from index.errors import ExtractionError, FetchError, NewsdeskError
from index.feeds.errors import FeedError
from index.feeds.merge import article_from_entry, fill_from_entry
from index.feeds.models import FeedDocument, FeedEntry, PollReport, SourcePoll
from index.feeds.parse import parse_document
from index.feeds.politeness import HostThrottle
from index.feeds.schedule import (
    JITTER_FRACTION,
    next_poll_at,
    requested_wait_s,
    retry_poll_at,
)
from index.fetch import USER_AGENT, FetchedPage, deadline_client, fetch_url
from index.models import (
    ExtractedArticle,
    IngestReport,
    ItemResult,
    Progress,
    Source,
    SourceStatus,
)
from index.store.hosts import HostSlots
from index.store.sources import SourceStore, Validators

logger = logging.getLogger(__name__)

# Pages fetched per source and poll. A news sitemap lists a few hundred URLs; the first poll
# of a big one would otherwise take an hour at 1 request/s. The rest follow in later polls,
# newest first.
MAX_PAGES_PER_POLL = 100
# Children of a sitemap index fetched per poll (the most recently modified first).
MAX_CHILD_SITEMAPS = 10
# A page that failed this many polls in a row is given up until its entry changes.
MAX_ENTRY_ATTEMPTS = 3
MAX_REDIRECTS = 5
# Sources polled at once. Politeness is per host, so sources on different hosts need not
# wait for each other: 4 workers poll 40 sources of 20 new pages each in ~4 minutes at
# 1 request/s instead of ~15; SQLite and the index serialise the writes.
POLL_WORKERS = 4
MAX_OUTLET_CHARS = 80  # a feed title used as outlet label; citations show it on one line
# Pages the poller ingests: HTML only. Feeds may be served as anything XML-ish or text.
PAGE_CONTENT_TYPES = ("text/html", "application/xhtml+xml")

FetchFn = Callable[..., FetchedPage]
ExtractFn = Callable[..., list[ExtractedArticle]]
IngestFn = Callable[[Sequence[ExtractedArticle]], IngestReport]
"""Stores and indexes articles, returning one ItemResult per article in input order."""


@dataclass(frozen=True, slots=True)
class PollOptions:
    """The limits and politeness of one poller (from IndexSettings, overridable by tests)."""

    timeout_s: float = 15.0
    max_bytes: int = 20_000_000
    max_redirects: int = MAX_REDIRECTS
    host_delay_s: float = 1.0
    max_pages_per_poll: int = MAX_PAGES_PER_POLL
    jitter: float = JITTER_FRACTION
    workers: int = POLL_WORKERS


def _default_extract(
    data: bytes, name: str, *, content_type: str | None = None, url: str | None = None
) -> list[ExtractedArticle]:
    from index.extract import extract_bytes  # the extraction stage, imported when first used

    return extract_bytes(data, name, content_type=content_type, url=url)


class Poller:
    """Polls sources registered in a ``SourceStore`` and hands new pages to ``ingest``.

    Args:
        store: the sources and seen-entries tables.
        ingest: stores and indexes extracted articles (the archive's ingestion path), so
            new articles are searchable when ``poll`` returns.
        options: fetch limits and politeness.
        fetch: ``index.fetch.fetch_url`` or a stand-in with its signature.
        extract: ``index.extract.extract_bytes`` or a stand-in with its signature.
        clock: the current time (tests move it forward).
        rng: jitter randomness (tests seed it).
        throttle: per-host spacing; by default one is made from ``options.host_delay_s``,
            shared through the store with every other poller of it.
    """

    def __init__(
        self,
        store: SourceStore,
        ingest: IngestFn,
        *,
        options: PollOptions | None = None,
        fetch: FetchFn = fetch_url,
        extract: ExtractFn = _default_extract,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        throttle: HostThrottle | None = None,
    ) -> None:
        self.store = store
        self.options = options or PollOptions()
        self._ingest = ingest
        self._fetch = fetch
        self._extract = extract
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not crypto
        self.throttle = throttle or HostThrottle(
            self.options.host_delay_s, shared=HostSlots(store.db)
        )
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    # -- the poll ---------------------------------------------------------------------------

    def poll(
        self,
        *,
        due_only: bool = True,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> PollReport:
        """Poll the due sources (all of them with ``due_only=False``) once.

        Polls never overlap: a second caller (the bot's job and an admin's ``/poll``) waits
        for the first to finish, then polls whatever is still due.

        Args:
            due_only: skip sources whose next poll time has not come.
            names: only these sources (still subject to ``due_only``).
            progress: called after each source with done/total sources.
        """
        with self._lock:
            started = self._clock()
            t0 = time.monotonic()
            statuses = self.store.due(started) if due_only else self.store.pollable()
            if names is not None:
                wanted = set(names)
                statuses = [s for s in statuses if s.source.name in wanted]
            done = 0
            tick_lock = threading.Lock()

            def poll_one(status: SourceStatus) -> tuple[SourcePoll, list[int]]:
                nonlocal done
                result = self._poll_isolated(status, client)
                if progress is not None:
                    with tick_lock:
                        done += 1
                        progress(
                            Progress(
                                stage="poll",
                                done=done,
                                total=len(statuses),
                                unit="sources",
                                elapsed_s=time.monotonic() - t0,
                            )
                        )
                return result

            results: list[tuple[SourcePoll, list[int]]] = []
            # Nothing due (the bot asks every minute, most often for nothing): no HTTP
            # client, whose TLS context alone cost ~20 ms of CPU, holding the GIL against
            # the bot's event loop (a p99 blip under load: docs/postgres.md).
            if statuses:
                with deadline_client(
                    timeout=self.options.timeout_s,
                    max_redirects=self.options.max_redirects,
                    headers={"User-Agent": USER_AGENT},
                ) as client:
                    if len(statuses) <= 1 or self.options.workers <= 1:
                        results = [poll_one(status) for status in statuses]
                    else:
                        results = list(self._pool().map(poll_one, statuses))
            polls = [poll for poll, _ in results]
            changed = [article_id for _, ids in results for article_id in ids]
            report = PollReport(
                sources=tuple(polls),
                started_at=started,
                seconds=time.monotonic() - t0,
                changed_article_ids=tuple(changed),
            )
        logger.info(
            "poll: %d sources, %d new, %d updated, %d failed entries, %d failed sources",
            len(polls),
            report.count("new"),
            report.count("updated"),
            report.count("failed"),
            len(report.failed_sources),
        )
        return report

    def _pool(self) -> ThreadPoolExecutor:
        """Worker threads, kept between polls: each holds its own SQLite connection."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.options.workers, thread_name_prefix="feeds-poll"
            )
        return self._executor

    def close(self) -> None:
        """Stop the worker threads (idle ones; a running poll finishes first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _poll_isolated(
        self, status: SourceStatus, client: httpx.Client
    ) -> tuple[SourcePoll, list[int]]:
        """Poll one source; whatever fails is recorded on it and never escapes."""
        source = status.source
        now = self._clock()
        if status.retry_after_until is not None and status.retry_after_until > now:
            # A forced poll (or one that found the source due anyway) still waits.
            reason = _waiting_reason(status.retry_after_until)
            logger.info("source %s: not fetched, %s", source.name, reason)
            deferred = SourcePoll(
                name=source.name,
                outcome="deferred",
                error=reason,
                next_poll_at=status.next_poll_at,
            )
            return deferred, []
        error: NewsdeskError | None = None
        try:
            return self._poll_source(status, client)
        except NewsdeskError as exc:
            reason, error = exc.reason, exc
            logger.warning("source %s failed: %s", source.name, reason)
        except Exception:  # the boundary that keeps one source from stopping the others
            logger.exception("source %s failed unexpectedly", source.name)
            reason = "internal error while polling (see the logs)"
        now = self._clock()
        failures = status.failures + 1
        until = None
        wait_s = requested_wait_s(error, now) if error is not None else None
        if wait_s is not None:
            until = now + timedelta(seconds=wait_s)
            when = retry_poll_at(now, source.interval_s, wait_s)
            reason = f"{reason}; {_waiting_reason(until)}"
        else:
            when = next_poll_at(
                now,
                source.interval_s,
                failures=failures,
                rng=self._rng,
                jitter=self.options.jitter,
            )
        self.store.record_failure(
            source.source_id,
            now=now,
            error=reason,
            failures=failures,
            next_poll_at=when,
            retry_after_until=until,
        )
        return SourcePoll(name=source.name, outcome="failed", error=reason, next_poll_at=when), []

    def _poll_source(
        self, status: SourceStatus, client: httpx.Client
    ) -> tuple[SourcePoll, list[int]]:
        source = status.source
        page, validators = self._fetch_source(source, client)
        if page.status == 304:
            now = self._clock()
            when = self._next_ok(source, now)
            self.store.record_success(
                source.source_id,
                now=now,
                next_poll_at=when,
                kind=None,
                validators=None,
                ingested=0,
            )
            logger.info("source %s: not modified", source.name)
            return SourcePoll(name=source.name, outcome="not_modified", next_poll_at=when), []
        document = parse_document(
            page.data,
            url=page.final_url,
            content_type=_content_type_header(page),
            language=source.language,
            max_bytes=self.options.max_bytes,
        )
        source = self._learn_outlet(source, document)
        items: list[ItemResult] = []
        entries = list(document.entries)
        if document.child_sitemaps:
            entries.extend(self._fetch_children(source, document, client, items))
        todo, seen = self._select(source, entries)
        if len(todo) > self.options.max_pages_per_poll:
            # The rest waits for the next poll, which must then read the whole document
            # again: forget the validators, or a 304 would hide the remaining entries.
            logger.info(
                "source %s: %d pages to fetch, %d this poll",
                source.name,
                len(todo),
                self.options.max_pages_per_poll,
            )
            todo = todo[: self.options.max_pages_per_poll]
            validators = Validators(None, None)
        ids = self._ingest_entries(source, todo, client, items)
        now = self._clock()
        when = self._next_ok(source, now)
        ingested = sum(1 for item in items if item.outcome == "new")
        self.store.record_success(
            source.source_id,
            now=now,
            next_poll_at=when,
            kind=document.kind,
            validators=validators,
            ingested=ingested,
        )
        poll = SourcePoll(
            name=source.name,
            outcome="ok",
            entries=len(entries),
            seen=seen,
            items=tuple(items),
            next_poll_at=when,
        )
        logger.info(
            "source %s: %d entries, %d seen, %d new, %d updated, %d failed",
            source.name,
            len(entries),
            seen,
            poll.count("new"),
            poll.count("updated"),
            poll.count("failed"),
        )
        return poll, ids

    def _learn_outlet(self, source: Source, document: FeedDocument) -> Source:
        """A source added without an outlet label (label = name) takes the feed's title.

        "Harbour Gazette" cites better than "gazette.example.org"; a label the admin chose
        is never overwritten.
        """
        title = (document.title or "").strip()[:MAX_OUTLET_CHARS]
        if not title or source.outlet != source.name or title == source.outlet:
            return source
        self.store.set_outlet(source.source_id, title)
        logger.info("source %s: outlet label set to the feed's title %r", source.name, title)
        return replace(source, outlet=title)

    def _next_ok(self, source: Source, now: datetime) -> datetime:
        return next_poll_at(now, source.interval_s, rng=self._rng, jitter=self.options.jitter)

    # -- fetching ---------------------------------------------------------------------------

    def _get(
        self, url: str, client: httpx.Client, headers: dict[str, str] | None = None
    ) -> FetchedPage:
        """One polite, bounded GET (holding the host's slot until the body is read)."""
        with self.throttle.slot(url):
            return self._fetch(
                url,
                timeout_s=self.options.timeout_s,
                max_bytes=self.options.max_bytes,
                max_redirects=self.options.max_redirects,
                headers=headers,
                client=client,
            )

    def _fetch_source(
        self, source: Source, client: httpx.Client
    ) -> tuple[FetchedPage, Validators | None]:
        """The feed or sitemap, conditionally when we hold validators from the last 200."""
        stored = self.store.validators(source.source_id)
        headers: dict[str, str] = {}
        if stored.etag:
            headers["If-None-Match"] = stored.etag
        if stored.last_modified:
            headers["If-Modified-Since"] = stored.last_modified
        page = self._get(source.url, client, headers)
        if page.status == 304:
            return page, None
        if not page.data.strip():
            raise FeedError("the server sent an empty document", item=source.url)
        lowered = {key.lower(): value for key, value in page.headers.items()}
        return page, Validators(lowered.get("etag"), lowered.get("last-modified"))

    def _fetch_children(
        self,
        source: Source,
        document: FeedDocument,
        client: httpx.Client,
        items: list[ItemResult],
    ) -> list[FeedEntry]:
        """Entries of a sitemap index's changed children (unchanged children are skipped)."""
        children = sorted(
            document.child_sitemaps,
            key=lambda child: child.lastmod or datetime.max.replace(tzinfo=UTC),
            reverse=True,
        )
        entries: list[FeedEntry] = []
        fetched = 0
        for child in children:
            if fetched >= MAX_CHILD_SITEMAPS:
                break
            key = f"sitemap:{child.url}"
            mark = child.lastmod.isoformat() if child.lastmod else ""
            known = self.store.seen(source.source_id, key)
            if known is not None and child.lastmod is not None and known.fingerprint == mark:
                continue
            fetched += 1
            try:
                page = self._get(child.url, client)
                sub = parse_document(
                    page.data,
                    url=page.final_url,
                    content_type=_content_type_header(page),
                    language=source.language,
                    max_bytes=self.options.max_bytes,
                )
            except NewsdeskError as exc:
                if requested_wait_s(exc, self._clock()) is not None:
                    raise  # the server asked the whole source to wait: the poll stops here
                logger.warning("source %s: child sitemap %s: %s", source.name, child.url, exc)
                items.append(ItemResult(item=child.url, outcome="failed", reason=exc.reason))
                continue
            entries.extend(sub.entries)
            self.store.mark_seen(
                source.source_id,
                entry_key=key,
                url=child.url,
                fingerprint=mark,
                article_id=None,
                now=self._clock(),
            )
        return entries

    # -- entries ----------------------------------------------------------------------------

    def _select(self, source: Source, entries: list[FeedEntry]) -> tuple[list[FeedEntry], int]:
        """The entries whose pages must be fetched (new or changed), newest first.

        Returns:
            (entries to fetch; count of entries skipped because they were seen unchanged
            or are known under another source).
        """
        todo: list[FeedEntry] = []
        seen = 0
        keys: set[str] = set()
        for entry in entries:
            if entry.key in keys:
                continue
            keys.add(entry.key)
            known = self.store.seen(source.source_id, entry.key)
            if known is not None:
                if known.fingerprint == entry.fingerprint and (
                    known.article_id is not None or known.failures >= MAX_ENTRY_ATTEMPTS
                ):
                    seen += 1
                    continue
            else:
                elsewhere = self.store.article_for_url(entry.url)
                if elsewhere is not None:
                    self.store.mark_seen(
                        source.source_id,
                        entry_key=entry.key,
                        url=entry.url,
                        fingerprint=entry.fingerprint,
                        article_id=elsewhere,
                        now=self._clock(),
                    )
                    seen += 1
                    continue
            todo.append(entry)
        oldest = datetime.min.replace(tzinfo=UTC)
        todo.sort(key=lambda e: e.updated_at or e.published_at or oldest, reverse=True)
        return todo, seen

    def _ingest_entries(
        self,
        source: Source,
        entries: list[FeedEntry],
        client: httpx.Client,
        items: list[ItemResult],
    ) -> list[int]:
        """Fetch and extract each entry's page, then ingest them together (one index update)."""
        ready: list[tuple[FeedEntry, ExtractedArticle]] = []
        for entry in entries:
            try:
                ready.append((entry, self._article_for(source, entry, client)))
            except NewsdeskError as exc:
                self._entry_failed(source, entry, exc.reason, items)
        if not ready:
            return []
        report = self._ingest([article for _, article in ready])
        changed: list[int] = []
        for (entry, _), result in zip(ready, report.items, strict=True):
            if result.outcome == "failed":
                self._entry_failed(source, entry, result.reason or "ingest failed", items)
                continue
            items.append(
                ItemResult(
                    item=entry.url,
                    outcome=result.outcome,
                    article_id=result.article_id,
                    title=result.title,
                )
            )
            if result.outcome in ("new", "updated") and result.article_id is not None:
                changed.append(result.article_id)
            self.store.mark_seen(
                source.source_id,
                entry_key=entry.key,
                url=entry.url,
                fingerprint=entry.fingerprint,
                article_id=result.article_id,
                now=self._clock(),
            )
        return changed

    def _article_for(
        self, source: Source, entry: FeedEntry, client: httpx.Client
    ) -> ExtractedArticle:
        """The entry's page as an article, feed metadata filling the gaps.

        Raises:
            NewsdeskError: the page could not be fetched, is not HTML, or has no text
                (unless the feed itself carries the full text).
        """
        page = self._get(entry.url, client)
        if page.content_type is not None and page.content_type not in PAGE_CONTENT_TYPES:
            raise FetchError(f"not an HTML page ({page.content_type})", item=entry.url)
        try:
            extracted = self._extract(
                page.data, entry.url, content_type=_content_type_header(page), url=page.final_url
            )
        except ExtractionError as exc:
            fallback = article_from_entry(entry, source)
            if fallback is None:
                raise
            logger.info("entry %s: page unreadable (%s), using the feed text", entry.url, exc)
            return fallback
        if not extracted:
            raise ExtractionError("no article text found on the page", item=entry.url)
        return fill_from_entry(extracted[0], entry, source)

    def _entry_failed(
        self, source: Source, entry: FeedEntry, reason: str, items: list[ItemResult]
    ) -> None:
        attempts = self.store.mark_failed(
            source.source_id,
            entry_key=entry.key,
            url=entry.url,
            fingerprint=entry.fingerprint,
            error=reason,
            now=self._clock(),
        )
        logger.warning(
            "source %s: entry %s failed (attempt %d): %s", source.name, entry.url, attempts, reason
        )
        items.append(ItemResult(item=entry.url, outcome="failed", reason=reason))


def _waiting_reason(until: datetime) -> str:
    """How a source's last error and a deferred poll say when the server wants us back."""
    return f"the server asked to wait until {until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _content_type_header(page: FetchedPage) -> str | None:
    """The Content-Type with its charset, as parsers that honour the charset want it."""
    if page.content_type is None:
        return None
    return f"{page.content_type}; charset={page.charset}" if page.charset else page.content_type
