"""The facade: the one object the CLI and the bot talk to.

It joins the stages (extract → store → analysis → search → answer) and is the only module
that knows all of them. Every public method here has a CLI subcommand and a bot action.

Durability: the store is the source of truth. Each article is committed (with its passages)
before the index hears of it, so when the index is missing or broken an ingest still stores
everything and only reports that ``newsdesk reindex`` is needed; the index can always be
rebuilt from the store.

Thread-safety: the bot calls ``ask`` from worker threads while ``reindex`` or ``ingest`` may
run in another, so each thread gets its own SQLite connection (``index.store.db``). The
index itself, with its locks, deltas, replay and rebuild, belongs to the index keeper
(``index.indexing``); this module only tells it what the store changed.

The extraction, analysis, search and answer stages are imported on first use, so commands
that only read the store (``list``, ``show``, ``stats``) start without loading trafilatura,
lingua or numpy.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from index.errors import (
    ArchiveMissingError,
    DiskFullError,
    ExtractionError,
    IndexUnavailableError,
    NewsdeskError,
    QuestionError,
    StoreError,
    TopicError,
)
from index.feeds.models import PollReport
from index.fetch import check_content_type, fetch_url
from index.indexing import IndexDelta, IndexKeeper, dir_size
from index.models import (
    Alert,
    Answer,
    Article,
    ArticleAnswer,
    ArticleSummary,
    Citation,
    DailyCounts,
    ExtractedArticle,
    IngestReport,
    ItemResult,
    Passage,
    Progress,
    Quote,
    ReindexReport,
    Source,
    SourceStatus,
    StoreStats,
    Story,
    Topic,
)
from index.reading import read_file_capped
from index.settings import IndexSettings
from index.store import (
    STORE_FILENAME,
    UNBUILT,
    ArticleStore,
    NewAlert,
    OutboxRow,
    StoryStore,
    TopicStore,
)
from index.store.db import open_database
from index.store.row_cache import STORY_TTL_FOLLOWED_S, RowCache
from index.store.sources import SourceStore
from index.store.statements import StatementStore

_T = TypeVar("_T")

if TYPE_CHECKING:
    from index.answer.filters import SplitQuestion
    from index.answer.follow import TopicMatcher
    from index.answer.passage_cache import PassageCache
    from index.channels import ChannelPost
    from index.feeds.service import FeedService
    from index.reprints import StoryKeeper
    from index.store.backup import BackupReport, RestoreReport
    from index.store.changes import ChangeFollower
    from index.store.copy import CopyReport
    from index.store.pg_loop import LoopStatements
    from index.upkeep import CheckReport

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]

INDEX_DIRNAME = "index"
# The last replica change-log id applied to this data dir's index (``follow_changes``).
CHANGES_POSITION_FILENAME = "changes-position"
# File types a folder is searched for (anything else in a folder is skipped silently; a file
# named explicitly is always tried, and extraction sniffs what it really is).
INGEST_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".text", ".json", ".jsonl", ".ndjson")
# Least time between two "articles" progress ticks within one file, in seconds.
ARTICLE_TICK_S = 0.25
# Filter masks (articles passing a question's outlet and language filters) kept at once.
FILTER_MASKS_KEPT = 32
# How many recent articles example_questions looks at before giving up.
EXAMPLE_CANDIDATES = 30
# New articles matched against the followed topics per outbox transaction.
MATCH_BATCH = 200


@dataclass(frozen=True, slots=True)
class _Unit:
    """One thing to read: a file or a URL, or an item that already failed (missing path)."""

    name: str
    path: Path | None = None
    url: str | None = None
    error: str | None = None


class Archive:
    """A news archive on disk: article store plus search index under ``settings.data_dir``.

    Raises:
        StoreError: the store is unreadable or was written by a newer newsdesk.
    """

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.index_dir = self.data_dir / INDEX_DIRNAME
        self._db = open_database(store_location(settings))
        # With the store on a server, article and passage rows are also kept in this process
        # (``index.store.row_cache``), kept current by the change log (``follow_changes``).
        cache = RowCache() if self._db.backend == "postgresql" else None
        self.store = ArticleStore(self._db, cache)
        self.stories = StoryStore(self._db, cache)
        self._story_keeper: StoryKeeper | None = None
        self._keeper = IndexKeeper(self.index_dir, self.store)
        # Passage analysis kept between questions (index.answer.passage_cache).
        self._passage_cache: PassageCache | None = None
        # The words of the store's outlet names, with the index generation they were read at.
        self._outlets: tuple[str, frozenset[str]] | None = None
        # The store's outlet names for ``from:``, with the index generation they were read at.
        self._outlet_name_list: tuple[str, list[str]] | None = None
        # Article masks of question filters (``_restricted``), with their index generation.
        self._masks: tuple[str, dict[tuple[tuple[str, ...], tuple[str, ...]], Any]] = ("", {})
        self._feed_service: FeedService | None = None
        self.topics = TopicStore(self._db)
        self.statements = StatementStore(self._db)
        self._matcher: TopicMatcher | None = None
        self._match_lock = threading.Lock()
        self._channels = SourceStore(self._db)
        self._channels_preseeded = False
        self._channels_lock = threading.Lock()
        self._follower: ChangeFollower | None = None
        # The bot's per-question statements on the shared store, sent from its event loop.
        self._on_loop: LoopStatements | None = None

    def close(self) -> None:
        """Release connections and memory maps."""
        if self._follower is not None:
            self._follower.stop()
        if self._on_loop is not None:
            self._on_loop.close()
        self._keeper.close()
        if self._feed_service is not None:
            self._feed_service.close()
        self._db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- replicas (store on PostgreSQL) ------------------------------------------------------

    def follow_changes(self) -> bool:
        """Keep this process's index in step with what other processes write to the store.

        Only with the store on PostgreSQL, where each replica has its own local index: the
        change log is replayed from the position saved in the data dir, then followed
        through LISTEN/NOTIFY (``index.store.changes``) until ``close``. Returns whether it
        follows (False on SQLite, whose processes share one index on disk).
        """
        if self._db.backend != "postgresql" or self._follower is not None:
            return self._follower is not None
        from index.store.changes import ChangeFollower

        follower = ChangeFollower(
            self._db,  # type: ignore[arg-type]
            self.data_dir / CHANGES_POSITION_FILENAME,
            self._apply_changes,
            on_gap=self._rebuild_index,
            on_stories=self.store.stories_changed_elsewhere,
        )
        try:
            self._keeper.current()
        except IndexUnavailableError as exc:
            # A new replica (or a lost index): build it from the store, then follow the log
            # from where the store stood before the build (changes since are replayed).
            logger.info("%s: building this replica's index from the store", exc.reason)
            logged = follower.latest_id()
            self.reindex()
            follower.position = max(follower.position, logged)
        follower.start()
        self._follower = follower
        if self.store.cache is not None:
            self.store.cache.story_ttl_s = STORY_TTL_FOLLOWED_S  # the log says when they change
        return True

    def watch_changes(self) -> bool:
        """Keep this process's row cache current without applying changes to the index.

        For processes that answer from an index another process keeps (the bot's answer
        workers share the bot's data dir, and the bot follows the change log): another
        process's update or delete must still leave the rows this one cached
        (``index.store.row_cache``). Returns whether it watches (False on SQLite).
        """
        if self.store.cache is None or self._follower is not None:
            return self._follower is not None
        from index.store.changes import ChangeFollower

        cache = self.store.cache
        follower = ChangeFollower(
            self._db,  # type: ignore[arg-type]
            None,
            self.store.changed_elsewhere,
            on_gap=cache.clear,
            on_stories=self.store.stories_changed_elsewhere,
        )
        follower.start()
        cache.story_ttl_s = STORY_TTL_FOLLOWED_S
        self._follower = follower
        return True

    @property
    def shares_state(self) -> bool:
        """Whether several processes serve this archive's bot (the store is on PostgreSQL),
        so that short-lived bot state must live in the store (``put_shared``)."""
        return self._db.backend == "postgresql"

    def put_shared(self, key: str, value: str, ttl_s: float) -> None:
        """Keep ``value`` for ``ttl_s`` seconds where every replica reads it (PostgreSQL).

        Raises:
            StoreError: the store is SQLite (``shares_state`` is false).
        """
        if not self.shares_state:
            raise StoreError("shared state needs the store on PostgreSQL")
        self._db.put_shared(key, value, now=time.time(), ttl_s=ttl_s)  # type: ignore[union-attr]

    def get_shared(self, key: str) -> str | None:
        """What ``put_shared`` kept under ``key`` in any replica, None when unknown or expired."""
        if not self.shares_state:
            return None
        return self._db.get_shared(key, now=time.time())  # type: ignore[union-attr]

    def flood_check(self, user_id: int, max_events: int, window_s: float) -> str:
        """The replicas' shared flood guard: ``allow``, ``warn`` or ``drop`` this question.

        Raises:
            StoreError: the store is SQLite (``shares_state`` is false), or unreachable.
        """
        if not self.shares_state:
            raise StoreError("shared state needs the store on PostgreSQL")
        return self._db.flood_check(  # type: ignore[union-attr]
            user_id, now=time.time(), max_events=max_events, window_s=window_s
        )

    async def put_shared_async(self, key: str, value: str, ttl_s: float) -> None:
        """``put_shared`` for an event loop: sent from the loop itself when it can be
        (``index.store.pg_loop``), else through the pool in a thread; the same errors."""
        await self._loop_statements().put_shared(key, value, ttl_s=ttl_s)

    async def flood_check_async(self, user_id: int, max_events: int, window_s: float) -> str:
        """``flood_check`` for an event loop (see ``put_shared_async``)."""
        return await self._loop_statements().flood_check(
            user_id, max_events=max_events, window_s=window_s
        )

    def _loop_statements(self) -> LoopStatements:
        if not self.shares_state:
            raise StoreError("shared state needs the store on PostgreSQL")
        if self._on_loop is None:
            from index.store.pg_loop import LoopStatements

            self._on_loop = LoopStatements(self._db)  # type: ignore[arg-type]
        return self._on_loop

    def is_leader(self) -> bool:
        """Whether this process should poll feeds and send alerts now.

        Always on SQLite. On PostgreSQL exactly one process at a time, under an advisory lock
        that the server frees when that process dies: another takes over at its next check.
        """
        return self._db.try_lead()

    def _rebuild_index(self) -> None:
        if self.store.cache is not None:
            self.store.cache.clear()
        self.reindex()

    def _apply_changes(self, removed: list[int], added: list[int]) -> None:
        """Another process's passages into this index (idempotent, like the queue replay)."""
        self.store.changed_elsewhere(removed, added)
        docs, articles = self._keeper.records_with_articles(self.store.index_rows_by_id(added))
        self._keeper.apply(removed, docs, articles)

    # -- ingest -------------------------------------------------------------------------------

    def ingest(
        self,
        items: Sequence[str],
        *,
        source: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest paths (files, folders, .gz) and http(s) URLs; one bad item costs only itself.

        Folders are searched recursively for the file types in ``INGEST_SUFFIXES`` (and their
        ``.gz``). Every new or updated article is in the index when this returns.

        Args:
            items: paths and URLs, in the order they are reported.
            source: an outlet label that overrides what extraction found.
            progress: called with ``files`` ticks (with a total) and ``articles`` ticks.

        Returns:
            Every item's outcome; ``index_error`` says when the index could not be updated.
        """
        started = time.monotonic()
        units = [unit for item in items for unit in self._expand(item)]
        articles = 0
        last_tick = started

        def article_stored() -> None:
            # Per article, so a single large JSON archive still shows its rate; at most
            # every ARTICLE_TICK_S so a fast ingest is not slowed down by redrawing.
            nonlocal articles, last_tick
            articles += 1
            now = time.monotonic()
            if now - last_tick >= ARTICLE_TICK_S:
                last_tick = now
                _emit(progress, Progress("articles", articles, None, "articles", now - started))

        delta = self._keeper.delta(article_stored if progress is not None else None)
        results: list[ItemResult] = []
        for done, unit in enumerate(units, 1):
            try:
                results.extend(self._ingest_unit(unit, source, delta))
            except _Stopped as stop:
                results.extend(stop.results)
                not_read = (*stop.rest, *(u.name for u in units[done:]))
                return self._finish_ingest(results, delta, started, stop.reason, not_read)
            elapsed = time.monotonic() - started
            _emit(progress, Progress("files", done, len(units), "files", elapsed))
            _emit(progress, Progress("articles", articles, None, "articles", elapsed))
        return self._finish_ingest(results, delta, started)

    def ingest_bytes(self, name: str, data: bytes, *, source: str | None = None) -> IngestReport:
        """Ingest one uploaded file given as bytes (the bot's document uploads)."""
        started = time.monotonic()
        delta = self._keeper.delta()
        try:
            results = self._ingest_data(name, data, source, delta)
        except _Stopped as stop:
            return self._finish_ingest(stop.results, delta, started, stop.reason)
        return self._finish_ingest(results, delta, started)

    def _finish_ingest(
        self,
        results: list[ItemResult],
        delta: IndexDelta,
        started: float,
        stopped: str | None = None,
        not_read: tuple[str, ...] = (),
    ) -> IngestReport:
        if stopped is None:  # a stopped ingest (a full disk) leaves them to the next one
            self._file_stories(
                [r.article_id for r in results if r.outcome in ("new", "updated") and r.article_id]
            )
        index_error = delta.flush()
        if index_error is None:
            self._match_quietly()  # alerts for followed topics, whatever path stored these
        report = IngestReport(
            tuple(results), index_error=index_error, stopped=stopped, not_read=not_read
        )
        logger.info(
            "ingest: %d new, %d updated, %d unchanged, %d failed in %.2f s",
            report.count("new"),
            report.count("updated"),
            report.count("unchanged"),
            report.count("failed"),
            time.monotonic() - started,
        )
        return report

    def _expand(self, item: str) -> list[_Unit]:
        """A command-line item as the units to read: a URL, a file, or a folder's files."""
        if re.match(r"^https?://", item, re.IGNORECASE):
            return [_Unit(item, url=item)]
        path = Path(item).expanduser()
        if not path.exists():
            return [_Unit(item, error="no such file or folder")]
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and _is_ingestible(p) and not _is_hidden(p.relative_to(path))
            )
            if not files:
                kinds = ", ".join(s.lstrip(".") for s in INGEST_SUFFIXES)
                return [_Unit(item, error=f"the folder holds no ingestible files ({kinds}, .gz)")]
            return [_Unit(str(p), path=p) for p in files]
        return [_Unit(item, path=path)]

    def _ingest_unit(self, unit: _Unit, source: str | None, delta: IndexDelta) -> list[ItemResult]:
        if unit.error is not None:
            logger.warning("ingest: %s: %s", unit.name, unit.error)
            return [ItemResult(unit.name, "failed", reason=unit.error)]
        try:
            if unit.url is not None:
                page = fetch_url(
                    unit.url,
                    timeout_s=self.settings.fetch_timeout_s,
                    max_bytes=self.settings.max_item_bytes,
                )
                check_content_type(page)
                return self._ingest_data(
                    unit.name,
                    page.data,
                    source,
                    delta,
                    content_type=page.content_type,
                    url=page.final_url,
                )
            assert unit.path is not None  # noqa: S101 (a _Unit is a URL, a path or an error)
            data = read_file_capped(unit.path, self.settings.max_item_bytes, name=unit.name)
        except NewsdeskError as exc:
            logger.warning("ingest: %s: %s", unit.name, exc.reason)
            return [ItemResult(unit.name, "failed", reason=exc.reason)]
        except OSError as exc:
            reason = f"could not read the file ({exc.strerror or type(exc).__name__})"
            logger.warning("ingest: %s: %s", unit.name, reason)
            return [ItemResult(unit.name, "failed", reason=reason)]
        return self._ingest_data(unit.name, data, source, delta)

    def _ingest_data(
        self,
        name: str,
        data: bytes,
        source: str | None,
        delta: IndexDelta,
        *,
        content_type: str | None = None,
        url: str | None = None,
    ) -> list[ItemResult]:
        """Extract one file's bytes and store each article in it, reporting each record."""
        from index.extract import ExtractOptions, extract_records

        cap = self.settings.max_item_bytes
        try:
            if len(data) > cap:
                raise ExtractionError(
                    f"the data is {len(data)} bytes, over the size cap of {cap}", item=name
                )
            records = extract_records(
                data,
                name,
                content_type=content_type,
                url=url,
                options=ExtractOptions.from_settings(self.settings),
            )
        except NewsdeskError as exc:
            logger.warning("ingest: %s: %s", name, exc.reason)
            return [ItemResult(name, "failed", reason=exc.reason)]
        except Exception as exc:
            # A bug or a library crash on one odd file must not cost the rest of the batch.
            # One line for the user; the traceback for a bug report at -vv.
            logger.error("ingest: %s: unexpected error (%s)", name, type(exc).__name__)
            logger.debug("ingest: traceback of %s", name, exc_info=True)
            return [ItemResult(name, "failed", reason=f"unexpected error ({type(exc).__name__})")]
        if not records:
            return [ItemResult(name, "failed", reason="no article found")]
        results = []
        for number, record in enumerate(records, 1):
            item = name if len(records) == 1 else f"{name}#{number}"
            if isinstance(record, NewsdeskError):
                logger.warning("ingest: %s: %s", record.item or item, record.reason)
                results.append(ItemResult(record.item or item, "failed", reason=record.reason))
                continue
            results.append(self._store_article(item, record, source, delta))
            rest = f"{name}#{number + 1}-{len(records)}" if number < len(records) else None
            _stop_if_disk_full(results, delta, rest)
        return results

    def _store_article(
        self, item: str, record: ExtractedArticle, source: str | None, delta: IndexDelta
    ) -> ItemResult:
        from index.extract.passages import split_passages

        try:
            if record.language is None:
                from index.analysis.language import detect_language

                record = replace(record, language=detect_language(record.body))
            spans = split_passages(record.body, target_words=self.settings.passage_words)
            saved = self.store.save(
                record, spans, source=source, statements=_statements_of(item, record)
            )
        except DiskFullError as exc:
            # Every later article would fail the same way: stop (one line, not one each).
            logger.info("ingest: %s: %s", item, exc.reason)
            delta.disk_full = True
            return ItemResult(item, "failed", title=record.title or None, reason=exc.reason)
        except NewsdeskError as exc:
            logger.warning("ingest: %s: %s", item, exc.reason)
            return ItemResult(item, "failed", title=record.title or None, reason=exc.reason)
        except Exception as exc:
            logger.error("ingest: %s: unexpected error storing (%s)", item, type(exc).__name__)
            logger.debug("ingest: traceback of %s", item, exc_info=True)
            return ItemResult(item, "failed", reason=f"unexpected error ({type(exc).__name__})")
        delta.add(saved)
        logger.debug("ingest: %s → article %s (%s)", item, saved.article.article_id, saved.outcome)
        return ItemResult(
            item,
            saved.outcome,
            saved.article.article_id,
            saved.article.title,
            warning=record.warning,
        )

    def _file_stories(self, article_ids: Sequence[int]) -> None:
        """Group the articles an ingest stored with their reprints (``index.reprints``).

        Every ingest path (files, URLs, uploads, feed polls) ends in ``_finish_ingest``,
        which calls this for the new and updated articles, in batches of one transaction
        each. A failure costs only the grouping: the articles are stored and indexed, stay
        stories of their own, and are filed by the next process that ingests.
        """
        if not article_ids:
            return
        if self._story_keeper is None:
            from index.reprints import StoryKeeper

            self._story_keeper = StoryKeeper(self.store, self.stories)
        try:
            self._story_keeper.file_many(article_ids)
        except NewsdeskError as exc:  # a full disk included: one line, not one per article
            logger.warning("ingest: %d articles not grouped: %s", len(article_ids), exc.reason)
        except Exception:
            logger.exception("ingest: unexpected error grouping %d articles", len(article_ids))

    def story_of(self, article_id: int) -> Story | None:
        """The story an article belongs to (a story of one when it has no reprints).

        None when no article has this id. The follow-a-topic alerts send once per
        ``story_id``; answers cite ``original_id`` and list the reprints.
        """
        return self.stories.story_of(article_id)

    # -- the search index ---------------------------------------------------------------------

    @property
    def keeper(self) -> IndexKeeper:
        """The index keeper: the index handle, deltas, replay and rebuild (``index.indexing``).

        For the evaluation commands, which rank with the same index and analyser as ``ask``.
        """
        return self._keeper

    def reindex(self, progress: ProgressCallback | None = None) -> ReindexReport:
        """Rebuild the whole index from the store and swap it in atomically.

        Readers keep answering from the old index until the swap. What other processes
        change in the store during the build is reconciled right after it: passages stored
        meanwhile are added, passages deleted or replaced meanwhile are removed.
        """
        report = self._keeper.reindex(progress)
        from index.statements import extract_statements

        self.statements.rebuild(extract_statements)
        return report

    # -- questions ----------------------------------------------------------------------------

    def warm_search(self) -> None:
        """Open the passage and the article index now (their segments' memory maps), before
        a first question would. Raises what opening the index raises."""
        self._keeper.current()
        self._keeper.articles()

    def ask(
        self, question: str, *, k: int = 3, offset: int = 0, now: datetime | None = None
    ) -> Answer:
        """Answer a question with cited snippets, or say honestly that nothing matched.

        Filter words in the question (``from:OUTLET``, ``since:``/``until:YYYY-MM-DD``,
        ``lang:uk|ru|en``; ``index.answer.filters``) restrict the articles it is answered
        from and are not question words; ``Answer.question`` keeps them, so paging asks
        the same filtered question.

        Raises:
            QuestionError: the question is empty.
            FilterError: a filter word cannot be applied (a bad date, an unknown outlet:
                the reason names the closest ones), or the question is only filters.
            IndexUnavailableError: the index is missing or corrupt (run ``newsdesk reindex``).
        """
        from index.answer import answer_question
        from index.answer.filters import split_filters

        text = question.strip()
        if not text:
            raise QuestionError("the question is empty")
        split = split_filters(text)
        # The first question of a reader that never ingests (the bot) also catches the index
        # up with what a killed or failed ingest left queued (``IndexKeeper.current``).
        index = self._keeper.current()
        analyzer = self._keeper.analyzer
        if self._passage_cache is None or self._passage_cache.analyzer is not analyzer:
            from index.answer.passage_cache import PassageCache

            self._passage_cache = PassageCache(analyzer)
        search, passages = index, self.store
        if split.words:
            search, passages = self._restricted(split, index)
        analysed = analyzer.question(split.text, now or datetime.now(UTC))
        note = None
        if not split.words and offset == 0:
            from index.statements.answer import parse_quote_question

            request = parse_quote_question(split.text)
            if request is not None:
                quoted = self._quote_answer(request, analysed, k)
                if quoted.found:
                    return quoted
                # Only a speaker with no statements at all gets the note; one quoted on
                # other days is left to ordinary search and its own period note.
                if not self.quotes(request.speaker, limit=1):
                    note = quoted.note
        answer = answer_question(
            analysed,
            index=search,
            passages=passages,
            analyzer=analyzer,
            k=k,
            offset=offset,
            layer=self.settings.ranking_layer,
            cache=self._passage_cache,
            outlets=self._outlet_words(index),
            articles=self._keeper.articles(),
            stories=self.stories,
        )
        if note is not None:
            answer = replace(answer, note=f"{note} {answer.note}" if answer.note else note)
        return replace(answer, question=text) if split.words else answer

    def quotes(
        self,
        speaker: str,
        *,
        about: str | None = None,
        since: date | None = None,
        until: date | None = None,
        on: Sequence[str] = (),
        limit: int = 10,
        now: datetime | None = None,
    ) -> list[Quote]:
        """The statements of ``speaker`` (any script, any case), newest first (issue 14).

        Args:
            speaker: a name as the reader writes it; its last word's fold key is matched.
            about: a subject; statements are then ranked by BM25 over their text.
            since, until: an inclusive window on the statement date.
            on: date terms of a question (``@d…``/``@m…``); only statements of those days.
            limit: at most this many.
        """
        from index.statements.answer import (
            build_quote,
            date_filter,
            rank_about,
            speaker_keys,
        )

        days, month_days = date_filter(on)
        stored = self.statements.by_speaker(
            speaker_keys(speaker),
            since=since,
            until=until,
            days=sorted(days),
            month_days=sorted(month_days),
            # Without a subject the newest are the answer (exact spellings first, so the
            # window is wider than the limit); with one, BM25 ranks the speaker's newest
            # QUOTE_CANDIDATES statements.
            limit=max(limit, QUOTE_EXACT_WINDOW) if not about else QUOTE_CANDIDATES,
        )
        if not stored:
            return []
        scores = [0.0] * len(stored)
        analyzer = self._keeper.analyzer
        asked_at = now or datetime.now(UTC)
        query_terms: tuple[str, ...] = ()
        articles: dict[int, Article] = {}
        if about:
            articles = self.store.articles_by_id([s.article_id for s in stored])
            stored = [s for s in stored if s.article_id in articles]
            query_terms = analyzer.question(about, asked_at).terms
            texts = [
                analyzer.document_terms(
                    articles[s.article_id].body[s.start : s.end],
                    articles[s.article_id].language or "en",  # type: ignore[arg-type]
                    articles[s.article_id].published_at,
                )
                for s in stored
            ]
            scores = rank_about(texts, query_terms)
            if query_terms:
                # Statements about something else are not an answer about this subject:
                # with none left, ``ask`` falls back to ordinary search.
                kept = [(sc, s) for sc, s in zip(scores, stored, strict=True) if sc > 0]
                scores, stored = [sc for sc, _ in kept], [s for _, s in kept]
        # The fold key joins spellings (Zelenskyy, Zelensky, Зеленський); among equal
        # scores the one the reader wrote goes first, as in ordinary search.
        asked_last = speaker.split()[-1].casefold() if speaker.split() else ""
        exact = [s.speaker_as_written.split()[-1].casefold() == asked_last for s in stored]
        order = sorted(range(len(stored)), key=lambda i: (-scores[i], not exact[i]))[:limit]
        if not about:
            articles = self.store.articles_by_id([stored[i].article_id for i in order])
        order = [i for i in order if stored[i].article_id in articles]
        out: list[Quote] = []
        for i in order[:limit]:
            article = articles[stored[i].article_id]
            quote = build_quote(stored[i], article, scores[i])
            wanted = set(query_terms) | set(on) | set(speaker_keys(speaker))
            spans = analyzer.term_spans(
                quote.context,
                article.language or "en",
                article.published_at,  # type: ignore[arg-type]
            )
            marks = sorted({(t.start, t.end) for t in spans if t.term in wanted})
            out.append(replace(quote, highlights=tuple(marks)))
        return out

    def _quote_answer(self, request: Any, analysed: Any, k: int) -> Answer:
        """An answer made of the speaker's statements, or not found with the fallback note."""
        from index.statements.answer import quotes_as_answer

        quotes = self.quotes(
            request.speaker,
            about=request.about,
            on=analysed.date_terms,
            since=analysed.period[0] if analysed.period else None,
            until=analysed.period[1] if analysed.period else None,
            limit=k,
        )
        return quotes_as_answer(analysed.text, analysed.language, request.speaker, quotes, self)

    def _restricted(self, split: SplitQuestion, index: object) -> tuple[object, object]:
        """The index and store as a filtered question sees them (``index.answer.restrict``).

        Raises:
            FilterError: as ``parse_question``.
        """
        from index.answer.filters import check_split
        from index.answer.restrict import RestrictedIndex, RestrictedPassages, article_mask

        parsed = check_split(split, self._outlet_names(index))
        f = parsed.filters
        # The articles passing outlet and language filters, kept per index generation like
        # the outlet names: ``lang:`` alone scans the store's rows, so a repeated filter
        # (paging, a popular outlet) should not pay for it again.
        generation = str(getattr(index, "generation", lambda: "")())
        if self._masks[0] != generation or len(self._masks[1]) >= FILTER_MASKS_KEPT:
            self._masks = (generation, {})
        key = (f.outlets, f.languages)
        if key not in self._masks[1]:
            self._masks[1][key] = article_mask(self.store, f)
        mask = self._masks[1][key]
        return (
            RestrictedIndex(index, parsed.filters, mask),
            RestrictedPassages(self.store, parsed.filters),
        )

    def _outlet_names(self, index: object) -> list[str]:
        """The stored articles' outlet names, for ``from:`` (read once per index generation)."""
        self._outlet_name_list = _per_generation(
            self._outlet_name_list, index, self.store.outlet_names
        )
        return self._outlet_name_list[1]

    def _outlet_words(self, index: object) -> frozenset[str]:
        """The words of the stored articles' outlet names (``evidence.outlet_words``).

        Read from the store once per index generation: outlets change only with an ingest,
        and every ingest swaps in a new generation.
        """
        from index.answer.evidence import outlet_words

        self._outlets = _per_generation(
            self._outlets, index, lambda: outlet_words(self.store.counts().sources)
        )
        return self._outlets[1]

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions this archive can answer, built from its own recent articles.

        Each candidate comes from a recent title (see ``question_from_title``). When the
        index is available, a candidate is kept only if asking it cites the article it came
        from, so the examples are known to work.
        """
        from index.analysis.language import lang_or_default

        questions: list[str] = []
        for article in self.store.recent_articles(EXAMPLE_CANDIDATES):
            if len(questions) >= n:
                break
            candidate = question_from_title(article.title, lang_or_default(article.language))
            if candidate is None or candidate in questions:
                continue
            if self._answers_with(candidate, article.article_id) is False:
                continue
            questions.append(candidate)
        return questions

    def _answers_with(self, question: str, article_id: int) -> bool | None:
        """Whether asking ``question`` cites ``article_id``; None when it cannot be checked."""
        try:
            answer = self.ask(question)
        except (NewsdeskError, ImportError):
            return None
        return any(a.citation.article_id == article_id for a in answer.articles)

    # -- the store ----------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        """Counts, languages, sources and date range, sizes on disk, passages indexed."""
        counts = self.store.counts()
        index_passages = self._keeper.passage_count()
        return StoreStats(
            articles=counts.articles,
            passages=counts.passages,
            languages=counts.languages,
            sources=counts.sources,
            first_published=counts.first_published,
            last_published=counts.last_published,
            store_bytes=self._db.size_bytes(),
            index_bytes=dir_size(self.index_dir),
            index_passages=index_passages,
        )

    def list_articles(
        self,
        *,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 20,
    ) -> list[ArticleSummary]:
        """Newest articles first; ``since``/``until`` bound the publication day (inclusive)."""
        return self.store.list_articles(source=source, since=since, until=until, limit=limit)

    def get_article(self, article_id: int) -> Article:
        """One stored article; raises NotFoundError."""
        return self.store.get(article_id)

    def get_passages(self, article_id: int) -> list[Passage]:
        """An article's passages in order; raises NotFoundError."""
        self.store.get(article_id)
        return self.store.passages_of(article_id)

    def passages_for(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """Stored passages by id; ids no longer stored are left out (e.g. deleted meanwhile)."""
        return self.store.passages_by_id(passage_ids)

    def delete(self, article_id: int) -> Article:
        """Delete an article and its passages from store and index; returns what was deleted.

        The store delete commits first; if the index cannot be updated the passages stay in
        it until the next reindex, but answers never cite them (the store no longer has them).
        """
        article, passage_ids = self.store.delete(article_id)
        try:
            self._keeper.remove_passages(passage_ids)
        except (IndexUnavailableError, ImportError) as exc:
            logger.warning("delete: article %s left in the index: %s", article_id, exc)
        logger.info("deleted article %s (%d passages)", article_id, len(passage_ids))
        return article

    # -- news sources (index/feeds) ---------------------------------------------------------

    def _feeds(self) -> FeedService:
        """The feeds stage, created on first use (it loads feedparser and lxml)."""
        if self._feed_service is None:
            from index.feeds.service import FeedService

            self._feed_service = FeedService(self.settings, self._db, self._ingest_extracted)
        return self._feed_service

    def _ingest_extracted(self, articles: Sequence[ExtractedArticle]) -> IngestReport:
        """Store and index articles a poll fetched: the same path as files and URLs."""
        started = time.monotonic()
        delta = self._keeper.delta()
        results: list[ItemResult] = []
        try:
            for article in articles:
                results.append(
                    self._store_article(article.url or article.title, article, None, delta)
                )
                _stop_if_disk_full(results, delta)
        except _Stopped as stop:
            return self._finish_ingest(stop.results, delta, started, stop.reason)
        return self._finish_ingest(results, delta, started)

    def add_source(
        self,
        url: str,
        *,
        name: str | None = None,
        outlet: str | None = None,
        language: str | None = None,
        interval_s: int | None = None,
    ) -> Source:
        """Register an RSS/Atom feed or news sitemap, or allow a Telegram channel
        (``@name``, a ``t.me`` link or a ``-100…`` id); raises SourceError for bad input."""
        from index.channels import is_channel_ref

        if is_channel_ref(url):
            return self.allow_channel(url, name=name, outlet=outlet)
        return self._feeds().add_source(
            url, name=name, outlet=outlet, language=language, interval_s=interval_s
        )

    def list_sources(self) -> list[SourceStatus]:
        """Every source with last success, last error, articles ingested and next poll."""
        self._preseed_channels()
        return self._feeds().list_sources()

    def remove_source(self, name: str) -> Source:
        """Unregister a source (its articles stay); raises NotFoundError."""
        return self._feeds().remove_source(name)

    def poll(
        self,
        *,
        once: bool = True,
        due_only: bool = True,
        names: Sequence[str] | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        on_report: Callable[[PollReport], None] | None = None,
    ) -> PollReport:
        """Poll the due sources (all with ``due_only=False``); new articles are searchable.

        With ``once=False`` it keeps polling, sleeping until the next source is due, until
        ``stop`` is set or KeyboardInterrupt; each round goes to ``on_report`` and the last
        one is returned.
        """
        if once:
            return self._feeds().poll(due_only=due_only, names=names, progress=progress)
        return self._feeds().run(stop=stop, on_report=on_report)

    # -- Telegram channels (index/channels.py) ----------------------------------------------

    def allow_channel(
        self, ref: str, *, name: str | None = None, outlet: str | None = None
    ) -> Source:
        """Allow a Telegram channel's posts in; raises SourceError for a bad or known one.

        ``name`` is ignored: a channel's handle is its ``@username`` (or chat id), which is
        what an admin types to remove it. ``outlet`` is replaced by the channel's title
        when its first post arrives.
        """
        from index.channels import parse_channel_ref

        del name
        channel = parse_channel_ref(ref)
        source = self._channels.add_channel(
            name=channel.name,
            url=channel.url,
            outlet=(outlet or "").strip() or channel.name,
            now=datetime.now(UTC),
        )
        logger.info("channel %s allowed", source.name)
        return source

    def channel_source(self, chat_id: int, username: str | None) -> Source | None:
        """The allowed channel with this chat id or username, or None when nobody allowed it."""
        from index.channels import channel_urls

        self._preseed_channels()
        status = self._channels.channel_by_urls(channel_urls(chat_id, username))
        return status.source if status is not None else None

    def ingest_channel_post(self, post: ChannelPost) -> IngestReport:
        """Store a channel post as an article (upsert by its t.me URL, so an edit updates it).

        The caller decides whether the post may come in (an allowed channel, or an admin's
        forward); an allowed channel's source row counts the post and learns its title.
        """
        from index.channels import post_article, post_url

        started = time.monotonic()
        delta = self._keeper.delta()
        item = post_url(post)
        try:
            article = post_article(post)
        except NewsdeskError as exc:
            return self._finish_ingest(
                [ItemResult(item, "failed", reason=exc.reason)], delta, started
            )
        result = self._store_article(item, article, article.source, delta)
        source = self.channel_source(post.chat_id, post.username)
        if source is not None and result.outcome != "failed":
            self._channels.record_channel_post(
                source.source_id,
                now=datetime.now(UTC),
                outlet=article.source,
                ingested=1 if result.outcome == "new" else 0,
            )
        return self._finish_ingest([result], delta, started)

    def _preseed_channels(self) -> None:
        """Allow the ``NEWSDESK_CHANNELS`` channels not allowed yet (once per archive)."""
        from index.channels import parse_channels_setting

        with self._channels_lock:
            if self._channels_preseeded:
                return
            self._channels_preseeded = True
            known = {status.source.url for status in self._channels.list_all()}
            for channel in parse_channels_setting(self.settings.channels):
                if channel.url not in known:
                    self.allow_channel(channel.name)
                    known.add(channel.url)

    # -- the stats chart (index/charts.py) ----------------------------------------------------

    def daily_counts(self, days: int = 30, *, today: date | None = None) -> DailyCounts:
        """Articles per day and outlet for the last ``days`` days of the archive.

        The window ends at the newest publication day up to ``today`` (see
        ``ArticleStore.daily_counts``); empty when no dated article is stored.
        """
        rows = self.store.daily_counts(days, today or datetime.now(UTC).date())
        if not rows:
            return DailyCounts((), ())
        last = max(day for day, _, _ in rows)
        window = tuple(last - timedelta(days=offset) for offset in range(days - 1, -1, -1))
        position = {day: i for i, day in enumerate(window)}
        per_outlet: dict[str, list[int]] = {}
        for day, outlet, count in rows:
            per_outlet.setdefault(outlet, [0] * days)[position[day]] += count
        ordered = sorted(per_outlet.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        return DailyCounts(window, tuple((name, tuple(c)) for name, c in ordered))

    # -- upkeep (index/upkeep.py, index/store/backup.py) ------------------------------------

    def check(self) -> CheckReport:
        """The store's integrity check and the index compared with the store, with fixes."""
        from index.upkeep import check_archive

        return check_archive(self)

    def backup(self, dest: Path) -> BackupReport:
        """An online, consistent copy of the store (the index is rebuilt on restore)."""
        from index.store.backup import backup_store

        _refuse_on_postgres(self.settings, "backup")
        return backup_store(self.data_dir / STORE_FILENAME, dest)

    # -- followed topics (index/answer/follow, index/store/topics) ------------------------

    def follow(
        self,
        chat_id: int,
        text: str,
        *,
        daily: bool = False,
        daily_hour: int | None = None,
        lang: str = "en",
        max_topics: int | None = None,
        max_chars: int | None = None,
        now: datetime | None = None,
    ) -> Topic:
        """Follow a question or keywords in ``chat_id``: new articles that answer it alert.

        The limits default to ``follow_max_topics`` and ``follow_max_chars``; the bot passes
        its own settings' values.

        Filter words (``from:``, ``since:``, ``until:``, ``lang:``) are checked here with
        ``ask``'s parser and kept in the topic's text (the matcher parses them again on load);
        they are not topic words, and an article alerts only when it passes them.

        Raises:
            TopicError: empty, over ``follow_max_chars``, no searchable word (only stopwords
                or symbols), or the chat is at ``follow_max_topics``.
            FilterError: a filter word that cannot be applied, with ``ask``'s reason (an
                unknown outlet names the closest ones); nothing is stored.
        """
        from index.answer.filters import check_split, split_filters

        topic = " ".join(text.split())
        if not topic:
            raise TopicError("the topic is empty", "empty")
        limit = self.settings.follow_max_chars if max_chars is None else max_chars
        if len(topic) > limit:
            raise TopicError(f"the topic is {len(topic)} characters, over {limit}", "too_long")
        moment = now or datetime.now(UTC)
        split = split_filters(topic)
        if split.words:
            check_split(split, self.store.outlet_names())
        question = self._keeper.analyzer.question(split.text, moment)
        if not question.terms:
            raise TopicError("the topic has no searchable words", "no_terms")
        hour = self.settings.follow_daily_hour if daily_hour is None else daily_hour
        created = self.topics.add(
            chat_id,
            topic,
            mode="daily" if daily else "instant",
            daily_hour=hour,
            lang=lang,
            now=moment,
            max_topics=self.settings.follow_max_topics if max_topics is None else max_topics,
        )
        logger.info("chat %s follows topic %s", chat_id, created.topic_id)
        return created

    def following(self, chat_id: int | None = None) -> list[Topic]:
        """The chat's topics (every chat's when None), oldest first."""
        return self.topics.list(chat_id)

    def unfollow(self, chat_id: int, topic_id: int) -> Topic:
        """Stop following; raises TopicError ``unknown_id`` for another chat's or no topic."""
        return self.topics.remove(chat_id, topic_id)

    def match_new_articles(self, *, now: datetime | None = None) -> int:
        """Match articles stored since the last match against every topic; returns new alerts.

        Called after every ingest (files, URLs, uploads, feed polls) and by the bot's outbox
        job, which also catches up articles a killed process stored but never matched. Each
        batch's alerts and the advanced mark commit together (``TopicStore.record_matches``).
        """
        moment = now or datetime.now(UTC)
        added = 0
        with self._match_lock:
            while ids := self.topics.articles_after(self.topics.matched_up_to(), MATCH_BATCH):
                alerts = self._match_articles(ids, build=False) if self.topics.version() else []
                if alerts is None:
                    break  # the index is behind the store: match once it caught up
                added += self.topics.record_matches(max(ids), alerts, moment)
        if added:
            logger.info("alerts: %d new in the outbox", added)
        return added

    def preview_alerts(self, since: datetime, *, limit: int = 1000) -> list[Alert]:
        """What would be sent for the articles stored since ``since`` (``alerts --dry-run``).

        Nothing is written: neither the outbox nor the match mark.
        """
        ids = self.topics.articles_ingested_since(since, limit)
        with self._match_lock:
            alerts = self._match_articles(ids, build=True) or []
        topics = {t.topic_id: t for t in self.topics.list()}
        return [_alert(0, topics[a.topic_id], a, since) for a in alerts if a.topic_id in topics]

    def pending_alerts(self, limit: int = 500) -> list[Alert]:
        """Unsent alerts of topics that are not paused, oldest first, their text built.

        An alert whose text cannot be built yet (the index is not open) waits for the next
        call; one whose article is gone leaves the outbox unsent.
        """
        alerts = (self._built(row) for row in self.topics.pending(limit))
        return [alert for alert in alerts if alert is not None]

    def get_alert(self, alert_id: int) -> Alert | None:
        """One stored alert (for its buttons), None when it or its topic is gone."""
        row = self.topics.alert(alert_id)
        return self._built(row) if row is not None else None

    def _built(self, row: OutboxRow) -> Alert | None:
        """The alert with its cited snippets, built now when the match left them to delivery.

        Matching only decides (``TopicMatcher.decide``); the snippets are built here with
        ``ask``'s snippet choice (``TopicMatcher.render``) and kept in the row, so a resend
        after a crash is the same message. On an index that grew since the decision, the
        check may no longer pass (the weights moved): the alert is still sent, with the
        citation and no snippet, since the decision stands.
        """
        if row.payload != UNBUILT:
            return _alert_of(row)
        from index.answer.follow import answer_to_json

        article = self.store.articles_by_id([row.article_id]).get(row.article_id)
        if article is None:
            logger.info("alert %s dropped: article %s is gone", row.alert_id, row.article_id)
            self.topics.discard(row.alert_id, datetime.now(UTC))
            return None
        try:
            index = self._keeper.current()
        except IndexUnavailableError as exc:
            logger.warning("alerts wait for the index: %s", exc.reason)
            return None
        passages = self.store.passages_of(article.article_id)
        with self._match_lock:
            answer = self._topic_matcher().render(row.topic.topic_id, article, passages, index)
        if answer is None:
            answer = ArticleAnswer(citation=Citation.of(article), snippets=(), score=0.0)
        payload = answer_to_json(answer)
        self.topics.set_payload(row.alert_id, payload)
        return _alert_of(replace(row, payload=payload))

    def get_topic(self, topic_id: int) -> Topic | None:
        """One topic, None when it is gone."""
        return self.topics.get(topic_id)

    def alerts_sent_alone_since(self, topic_id: int, since: datetime) -> int:
        """A topic's alerts sent on their own (not in a digest) since ``since``."""
        return self.topics.sent_alone_since(topic_id, since)

    def alerts_sent(self, alert_ids: Sequence[int], *, digest: bool = False) -> None:
        """Record that these alerts reached their chat (alone, or together as one digest)."""
        self.topics.mark_sent(alert_ids, datetime.now(UTC), digest=digest)

    def _match_quietly(self) -> None:
        try:
            self.match_new_articles()
        except Exception:
            # The articles are stored and indexed; the bot's outbox job retries the match.
            logger.exception("could not match new articles against followed topics")

    def _match_articles(self, ids: Sequence[int], *, build: bool) -> list[NewAlert] | None:
        """The alerts ``ids`` raise; None when the index does not hold them yet.

        ``build``: with their cited snippets (``alerts --dry-run``); without, the payload is
        ``UNBUILT`` and the snippets are built at delivery (``_built``), so matching an
        article that many topics follow costs the decisions, not their texts.
        """
        if self.store.pending_index_ops()[1]:
            return None
        try:
            index = self._keeper.current()
        except IndexUnavailableError as exc:
            logger.warning("alerts wait for the index: %s", exc.reason)
            return None
        from index.answer.follow import answer_to_json

        matcher = self._topic_matcher()
        if not len(matcher):
            return []  # every topic was removed: nothing to analyse the articles for
        alerts = []
        # One alert per story: the outbox's (topic, story) key drops a reprint's match.
        stories = self.stories.stories_of(ids)
        for article in self.store.articles_by_id(ids).values():
            passages = self.store.passages_of(article.article_id)
            records = self._keeper.records_of(article, passages)
            found = stories.get(article.article_id)
            story = found.story_id if found is not None else article.article_id
            if not build:
                for topic_id in matcher.decide(article, passages, records, index):
                    alerts.append(NewAlert(topic_id, story, article.article_id, UNBUILT))
                continue
            for topic_id, answer in matcher.match(article, passages, records, index):
                payload = answer_to_json(answer)
                alerts.append(NewAlert(topic_id, story, article.article_id, payload))
        return alerts

    def _topic_matcher(self) -> TopicMatcher:
        """The matcher over the current topics, reloaded when any process changed them."""
        from index.answer.follow import TopicMatcher

        version = self.topics.version()
        if self._matcher is None or self._matcher.analyzer is not self._keeper.analyzer:
            self._matcher = TopicMatcher(self._keeper.analyzer, layer=self.settings.ranking_layer)
        if self._matcher.version != version:
            self._matcher.load(self.topics.texts(), datetime.now(UTC), version)
        return self._matcher

    def pause_chat(self, chat_id: int) -> int:
        """Pause a chat's topics (it blocked the bot); returns how many were newly paused."""
        return self.topics.pause_chat(chat_id, datetime.now(UTC))

    def resume_chat(self, chat_id: int) -> int:
        """Resume a paused chat's topics; returns how many."""
        return self.topics.resume_chat(chat_id)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Move a group's topics to the supergroup it became; returns how many."""
        return self.topics.migrate_chat(old_chat_id, new_chat_id)


# Words that end the topic phrase of an English headline ("... control over 1,000 sq km").
# fmt: off
_EN_STOP = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "over", "with", "by", "as",
    "and", "or", "but", "after", "before", "into", "than", "about", "amid", "against", "among",
    "during", "under", "up", "down", "is", "are", "was", "were", "be", "will", "would", "says",
    "said", "it", "its", "they", "their", "this", "that",
))
# fmt: on
# Headline subjects that are not someone who says something.
_EN_NOT_SUBJECTS = frozenset(
    ("two", "three", "four", "five", "dozens", "hundreds", "thousands", "millions")
)


def _per_generation(
    cached: tuple[str, _T] | None, index: object, read: Callable[[], _T]
) -> tuple[str, _T]:
    """``cached`` if it belongs to ``index``'s generation, else ``read()`` for it.

    When the store cannot be reached right now (a PostgreSQL store; its errors are
    sqlite3's classes), the last generation's value still serves, so a replica keeps
    answering from its local index (issue 15); the next call reads again.
    """
    generation = str(getattr(index, "generation", lambda: "")())
    if cached is not None and cached[0] == generation:
        return cached
    try:
        return (generation, read())
    except sqlite3.Error:
        if cached is None:
            raise
        return cached


def question_from_title(title: str, lang: str) -> str | None:
    """A question about an article, from its title, in the title's language.

    English: "What did <subject> say about <object>?" from a sentence-case headline: the
    subject is its capitalised first word, the verb after it is skipped, and the object is
    the next one to three words up to a preposition ("Syrskyi reports Ukrainian control over
    ..." → "What did Syrskyi say about Ukrainian control?"). Ukrainian and Russian: the name
    with the phrase after "про"/"о" when the title has one ("Мэр Филатов рассказал о
    ремонте моста" → "Что сказал Филатов о ремонте моста?"); otherwise the headline's main
    clause (before a colon or dash) with "що відомо?"/"что известно?", which avoids
    guessing grammatical cases. Returns None for titles it cannot turn into a question.
    """
    words = re.findall(r"[\w'’ʼ-]+", title)
    if len(words) < 3:
        return None
    if lang in ("uk", "ru"):
        preposition = {"uk": ("про",), "ru": ("о", "об", "про")}[lang]
        for i, word in enumerate(words[:-1]):
            if word.lower() in preposition and i > 0:
                name = next((w for w in words[1:i] if w[0].isupper() and len(w) > 2), None)
                if name is not None:
                    rest = " ".join(words[i + 1 :])
                    if lang == "uk":
                        return f"Що сказав {name} про {rest}?"
                    return f"Что сказал {name} {word.lower()} {rest}?"
        clause = re.split(r"\s*(?::|—|–|\s-\s)\s*", title.strip(), maxsplit=1)[0].rstrip(".!?")
        if len(clause.split()) < 2:
            return None
        return f"{clause}: {'що відомо?' if lang == 'uk' else 'что известно?'}"
    subject, verb = words[0], words[1]
    if (
        not subject[0].isupper()
        or subject.lower() in _EN_NOT_SUBJECTS
        or not verb[0].islower()
        or not verb.endswith(("s", "ed"))  # a headline verb: "reports", "passes", "freed"
        or verb.lower() in _EN_STOP
    ):
        return None
    topic: list[str] = []
    for word in words[2:]:
        if word.lower() in _EN_STOP:
            if topic:
                break
            continue
        topic.append(word)
        if len(topic) == 3:
            break
    if not topic or not any(len(w) >= 4 for w in topic):
        return None
    return f"What did {subject} say about {' '.join(topic)}?"


class _Stopped(Exception):
    """The disk is full: the ingest stops, keeping the results so far (not a NewsdeskError,
    so no per-item handler turns it into one more failed item)."""

    def __init__(self, results: list[ItemResult], reason: str, rest: tuple[str, ...]) -> None:
        super().__init__(reason)
        self.results = results
        self.reason = reason
        self.rest = rest


def _stop_if_disk_full(
    results: list[ItemResult], delta: IndexDelta, rest: str | None = None
) -> None:
    """Raise ``_Stopped`` once the ingest hit a full disk (store or index).

    ``rest`` names the records of the current file that are left (``file#501-1500``).
    """
    if delta.disk_full:
        raise _Stopped(results, "the disk is full", (rest,) if rest else ())


def _alert_of(row: OutboxRow) -> Alert:
    from index.answer.follow import answer_from_json

    return Alert(
        alert_id=row.alert_id,
        topic=row.topic,
        story_id=row.story_id,
        answer=answer_from_json(row.payload),
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def _alert(alert_id: int, topic: Topic, new: NewAlert, created_at: datetime) -> Alert:
    from index.answer.follow import answer_from_json

    return Alert(alert_id, topic, new.story_id, answer_from_json(new.payload), created_at)


#: How many of a speaker's newest statements ``quotes --about`` ranks.
QUOTE_CANDIDATES = 500
#: How many of a speaker's newest statements ``quotes`` reads to put exact spellings first.
QUOTE_EXACT_WINDOW = 100


def _statements_of(item: str, record: ExtractedArticle) -> list[Any]:
    """The article's statements; extraction trouble costs the statements, never the article."""
    from index.statements import extract_statements

    published = record.published_at.date() if record.published_at else None
    try:
        return list(extract_statements(record.body, published))
    except Exception as exc:  # odd text must not fail ingest
        logger.warning("ingest: %s: statements skipped (%s)", item, type(exc).__name__)
        return []


def _emit(progress: ProgressCallback | None, tick: Progress) -> None:
    if progress is not None:
        progress(tick)


def _is_ingestible(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(INGEST_SUFFIXES)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def store_location(settings: IndexSettings) -> Path | str:
    """Where the store lives: ``NEWSDESK_DATABASE_URL`` when set, else the SQLite file."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return Path(settings.data_dir) / STORE_FILENAME


def _refuse_on_postgres(settings: IndexSettings, command: str) -> None:
    """``backup``/``restore`` copy the SQLite file; a PostgreSQL store has its own tools."""
    if settings.database_url is not None:
        raise StoreError(
            f"the store is on PostgreSQL (NEWSDESK_DATABASE_URL): `newsdesk {command}` copies "
            "a SQLite file; use pg_dump/pg_restore or pg_basebackup (README, 'Deployment')"
        )


def open_archive(settings: IndexSettings, *, create: bool = True) -> Archive:
    """Open the archive under ``settings.data_dir``, creating it only when ``create``.

    Only commands that put articles in (ingest, adding a source) create an archive: any
    other command on a mistyped ``--data-dir`` would otherwise make an empty one and
    answer "nothing found" as if the archive were there.

    Raises:
        ArchiveMissingError: ``create`` is false and there is no store under the data dir.
    """
    store_path = Path(settings.data_dir) / STORE_FILENAME
    # On PostgreSQL the store is the server's database, present or created by migrations.
    if not create and settings.database_url is None and not store_path.is_file():
        raise ArchiveMissingError(
            f"no archive at {settings.data_dir} (run `newsdesk ingest` first)"
        )
    return Archive(settings)


def restore_archive(
    settings: IndexSettings, backup: Path, progress: ProgressCallback | None = None
) -> tuple[RestoreReport, ReindexReport]:
    """Put a ``newsdesk backup`` copy in place of the store, then rebuild the index from it.

    The store it replaces is kept aside (``index.store.backup.restore_store``). Run it with
    the bot stopped: a running bot keeps writing to the old file.

    Raises:
        BackupError: the backup is missing, damaged or not a newsdesk store.
    """
    from index.store.backup import restore_store

    _refuse_on_postgres(settings, "restore")
    restored = restore_store(backup, Path(settings.data_dir) / STORE_FILENAME)
    with Archive(settings) as archive:
        reindexed = archive.reindex(progress=progress)
    return restored, reindexed


def migrate_store(
    settings: IndexSettings, to_url: str, progress: ProgressCallback | None = None
) -> CopyReport:
    """Copy the SQLite store under ``settings.data_dir`` into PostgreSQL (idempotent).

    The local index stays valid (ids are kept): point the bot at the copy with
    ``NEWSDESK_DATABASE_URL`` and keep the data dir. See ``index.store.copy``.

    Raises:
        StoreError: no SQLite store there, or the server unreachable or refusing us.
    """
    from index.store.copy import copy_store

    return copy_store(Path(settings.data_dir) / STORE_FILENAME, to_url, progress)


__all__ = [
    "Archive",
    "ProgressCallback",
    "migrate_store",
    "open_archive",
    "question_from_title",
    "restore_archive",
]
