"""The index keeper: the search index of one archive, kept in step with its store.

``Archive`` (the facade) joins the pipeline stages; this module owns everything about the
index that outlives one call: the open ``SearchIndex`` handle, the two locks around it, the
deltas an ingest writes, replaying the store's index queue after a killed or failed write,
and the full rebuild. The store stays the source of truth: every change is committed there
first, together with an ``index_queue`` entry, and the queue entry is cleared only once the
index reflects it, so whatever stops a write (kill -9, a full disk) is caught up later.

Thread-safety: the bot asks from worker threads while ``reindex`` or an ingest may run in
another. Two locks: a short one around the handle (readers take it for a moment), and a long
one serialising changes (delta, removal, rebuild), so a rebuild that takes minutes never
blocks a question. Readers keep the index object they got even if a rebuild swaps in a new
one meanwhile.

Reloading after another process changed the index on disk happens in one place,
``SearchIndex.refresh``; the keeper calls it each time it hands the index out.

Healing: the first time a process uses the index (and again after a failed attempt, at most
every ``CATCH_UP_RETRY_S``), the keeper replays the store's index queue and then, if the
index and the store still disagree on how many passages there are, reconciles the index
from the store (adds what is missing, removes what was deleted). So whatever an earlier
process left behind (a full disk, a kill, an old bug) is fixed by the next ordinary command,
not by a manual reindex. A passage is only ever added after checking, under the index's
cross-process writer lock, that the store still holds it (``SearchIndex.add``'s ``keep``),
so an article deleted while an ingest was writing never comes back.

Two indexes, one machinery: the passage index (``DATA_DIR/index``) and the article index
(``DATA_DIR/index/articles``), a second ``SearchIndex`` whose records are whole articles
(the title terms ``ARTICLE_TITLE_COPIES`` times, then every passage's own terms; the record's
id is the article id). Both are written from the same analysed rows, in the same call, on
every ingest, delete, replay and rebuild, so an article's record always holds exactly the
terms of its indexed passages. Ranking fuses the two (``index.answer.candidates``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from index.analysis.version import record_analysis_version, stale_analysis
from index.errors import DataDirError, IndexUnavailableError, NewsdeskError, is_disk_full
from index.models import (
    Article,
    DocRecord,
    EncodedBatch,
    EncodedTerms,
    Lang,
    Passage,
    Progress,
    ReindexReport,
)
from index.store import ArticleStore, IndexRow, SaveResult

if TYPE_CHECKING:
    import numpy as np

    from index.analysis.analyzer import Analyzer
    from index.analysis.encoding import PassageEncoder
    from index.search import SearchIndex
    from index.search.runs import BatchSpool
    from index.search.workers import Worked

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]

# Passages analysed before a delta is written to the index during an ingest: bounds memory
# and the number of delta segments for a large folder.
DELTA_FLUSH_PASSAGES = 20_000
#: Passages analysed per ``document_terms_many`` call when turning stored rows into records.
ANALYSIS_BATCH = 1_000
#: Passages encoded per batch during a full reindex: large enough that the per-batch numpy
#: work is amortised, small enough for a progress tick every few hundred milliseconds.
ENCODE_BATCH = 10_000
REINDEX_HINT = "run `newsdesk reindex` to rebuild it from the store"
#: Seconds before a long-lived process (the bot) retries catching up after a failure.
CATCH_UP_RETRY_S = 60.0
#: Most missing passages healing analyses one at a time before a command answers; beyond
#: this a rebuild (``newsdesk reindex``, which encodes in bulk) is the faster cure.
HEAL_MAX_ADD = 50_000
DISK_FULL_REASON = (
    "the disk is full; the next command indexes the stored articles once there is space"
)
#: The article index's folder, inside the passage index's.
ARTICLES_DIR = "articles"
#: How many times an article record counts its title terms. Measured with whole-article
#: BM25Okapi on the six dev sets (docs/quality.md): 1 copy was best or tied everywhere but
#: cran (2 and 3 copies lost 0.008 / 0.027 nDCG@10 on multihop-rag-facts-dev, gained 0.006 /
#: 0.010 on cran); every passage record already counts its article's title once.
ARTICLE_TITLE_COPIES = 1


class IndexKeeper:
    """The search index under ``index_dir``, kept in step with ``store``.

    Args:
        index_dir: the index folder (``DATA_DIR/index``).
        store: the archive's store, the source of truth the index is built from.
    """

    def __init__(self, index_dir: Path, store: ArticleStore) -> None:
        self.index_dir = Path(index_dir)
        self.store = store
        self.articles_dir = self.index_dir / ARTICLES_DIR
        self._index: SearchIndex | None = None
        self._articles: SearchIndex | None = None
        self._articles_missing_logged = False
        self._stale_analysis_logged = False
        self._index_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._analyzer: Analyzer | None = None
        # When the next catch-up is due (monotonic seconds); None once it succeeded.
        self._catch_up_at: float | None = 0.0
        self._catch_up_lock = threading.Lock()

    def close(self) -> None:
        """Drop the index handle (its memory maps close when it is collected)."""
        with self._index_lock:
            index, self._index = self._index, None
            articles, self._articles = self._articles, None
        for opened in (index, articles):
            if opened is not None:
                opened.close()

    # -- reading ------------------------------------------------------------------------------

    @property
    def analyzer(self) -> Analyzer:
        """The analyser the index was built with; questions must go through the same one."""
        if self._analyzer is None:
            from index.analysis.analyzer import Analyzer

            self._analyzer = Analyzer()
        return self._analyzer

    def current(self) -> SearchIndex:
        """The current index, with what other processes wrote to disk since it was opened.

        The first call in a process also catches the index up with the store (see the
        module docstring).

        Raises:
            IndexUnavailableError: missing (while the store has passages) or unreadable.
        """
        index = self._handle()
        due = self._catch_up_at
        if due is not None and time.monotonic() >= due and self._catch_up_lock.acquire(False):
            try:
                self._catch_up_at = None  # a catch-up in progress must not start another
                self._catch_up()
            except Exception as exc:
                self._catch_up_at = time.monotonic() + CATCH_UP_RETRY_S
                if is_disk_full(exc):
                    logger.warning("the index could not catch up with the store: the disk is full")
                elif isinstance(exc, NewsdeskError):
                    logger.warning("the index could not catch up with the store: %s", exc.reason)
                else:
                    # Answering from the index as it is beats not answering; retried later.
                    logger.exception("could not catch the index up with the store")
            finally:
                self._catch_up_lock.release()
            index = self._handle()
        return index

    def _handle(self) -> SearchIndex:
        """The open index, refreshed from disk (opened on first use)."""
        with self._index_lock:
            index = self._index
            if index is None:
                self._index = index = self._open()
            else:
                try:
                    index.refresh()
                except (IndexUnavailableError, OSError, ValueError, KeyError) as exc:
                    # What another process left on disk cannot be read: answering from the
                    # loaded index beats not answering; the next write reports the damage.
                    reason = getattr(exc, "reason", type(exc).__name__)
                    logger.warning(
                        "the index on disk is unreadable (%s); serving the loaded one", reason
                    )
            return index

    def articles(self) -> SearchIndex | None:
        """The article index (whole-article records), refreshed like ``current``.

        None when a data dir built before the article index has none yet (ranking then uses
        passages alone, and a warning says to reindex) or when it is unreadable.
        """
        with self._index_lock:
            articles = self._articles
            if articles is not None:
                try:
                    articles.refresh()
                    return articles
                except (IndexUnavailableError, OSError, ValueError, KeyError):
                    self._articles = None
            self._articles = self._open_articles()
            return self._articles

    def _open_articles(self) -> SearchIndex | None:
        from index.search import SearchIndex

        try:
            if SearchIndex.disk_generation(self.articles_dir) is None:
                if self.store.count_passages() == 0:
                    return SearchIndex.empty(self.articles_dir)
                if not self._articles_missing_logged:
                    self._articles_missing_logged = True
                    logger.warning(
                        "this archive has no article index (built by an older version); "
                        "articles rank by their passages alone: %s",
                        REINDEX_HINT,
                    )
                return None
            return SearchIndex.load(self.articles_dir)
        except (IndexUnavailableError, OSError, ValueError, KeyError) as exc:
            logger.warning("the article index is unreadable (%s): %s", exc, REINDEX_HINT)
            return None

    def passage_count(self) -> int:
        """Passages in the index, 0 when there is none (or no search stack to read it)."""
        try:
            return self.current().n_docs
        except (NewsdeskError, ImportError):
            return 0

    def _check_folder(self) -> None:
        """Raise DataDirError when something other than a folder sits where the index goes."""
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise DataDirError(
                f"{self.index_dir} is a file, but the search index needs a folder there: "
                "move the file away, then run `newsdesk reindex`"
            )

    def _open(self) -> SearchIndex:
        from index.search import SearchIndex

        self._check_folder()
        try:
            exists = SearchIndex.disk_generation(self.index_dir) is not None
        except IndexUnavailableError:
            exists = True  # something is there but unreadable: load() says what
        if not exists:
            if self.store.count_passages() == 0:
                logger.info("creating an empty search index in %s", self.index_dir)
                index = SearchIndex.empty(self.index_dir)
                SearchIndex.empty(self.articles_dir)
                record_analysis_version(self.index_dir)
                return index
            raise IndexUnavailableError(f"the search index is missing: {REINDEX_HINT}")
        try:
            index = SearchIndex.load(self.index_dir)
        except IndexUnavailableError as exc:
            if "newsdesk reindex" in exc.reason:
                raise
            raise IndexUnavailableError(
                f"the search index is unreadable ({exc.reason}): {REINDEX_HINT}"
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            raise IndexUnavailableError(
                f"the search index is unreadable ({type(exc).__name__}): {REINDEX_HINT}"
            ) from None
        stale = stale_analysis(self.index_dir)
        if stale is not None and index.n_docs == 0:
            # No terms of any version yet: what is added from now on is this version's.
            with contextlib.suppress(OSError):
                record_analysis_version(self.index_dir)
        elif stale is not None and not self._stale_analysis_logged:
            # Answering from old terms beats not answering: most words still meet (the
            # change is usually one language's stems), so warn rather than refuse.
            self._stale_analysis_logged = True
            logger.warning("%s: %s", stale, REINDEX_HINT)
        return index

    def _catch_up(self) -> None:
        """Replay the index queue, then reconcile with the store if the counts still differ.

        Skipped (and tried again at the next call) while another thread of this process is
        changing the index: a question must not wait for a rebuild.
        """
        if not self._write_lock.acquire(blocking=False):
            self._catch_up_at = time.monotonic()
            return
        try:
            self.replay_pending()
            removes, adds = self.store.pending_index_ops()
            if removes or adds:
                return  # another process is writing right now; it indexes its own articles
            index = self._handle()
            stored = self.store.count_passages()
            if index.n_docs != stored:
                logger.info(
                    "the search index holds %d passages, the store %d: reconciling",
                    index.n_docs,
                    stored,
                )
                self.reconcile()
        finally:
            self._write_lock.release()

    def reconcile(self) -> tuple[int, int]:
        """Make the index hold exactly the store's passages; returns (added, removed).

        The index's ids are read before the store's: a passage stored and indexed by another
        process in between is then only added again (harmless), never removed. More than
        ``HEAL_MAX_ADD`` missing passages are left to ``newsdesk reindex`` (with a warning).
        """
        import numpy as np

        with self._write_lock:
            indexed = self._handle().live_passage_ids()
            stored = np.frombuffer(
                self.store.passage_ids_up_to(self.store.max_passage_id()), dtype=np.int64
            )
            gone = np.setdiff1d(indexed, stored, assume_unique=True).tolist()
            missing = np.setdiff1d(stored, indexed, assume_unique=True).tolist()
            if len(missing) > HEAL_MAX_ADD:
                logger.warning(
                    "the search index lacks %d stored passages: %s", len(missing), REINDEX_HINT
                )
                missing = []
            docs, articles = self.records_with_articles(self._whole_articles_rows(missing))
            self.apply(gone, docs, articles)
        if gone or docs:
            logger.info(
                "index reconciled with the store: %d added, %d removed", len(docs), len(gone)
            )
        return len(docs), len(gone)

    def _whole_articles_rows(self, passage_ids: Sequence[int]) -> list[IndexRow]:
        """The rows of ``passage_ids`` and of every other passage of their articles.

        An article record holds all its passages' terms, so healing a few passages of an
        article rebuilds its record from all of them (re-adding the others is harmless).
        """
        rows = self.store.index_rows_by_id(passage_ids)
        articles = sorted({row.article_id for row in rows})
        if not articles:
            return rows
        every = [p.passage_id for a in articles for p in self.store.passages_of(a)]
        return self.store.index_rows_by_id(every)

    # -- changes ------------------------------------------------------------------------------

    def delta(self, on_article: Callable[[], None] | None = None) -> IndexDelta:
        """A delta for one ingest: opens the index and replays what earlier writes left queued."""
        return IndexDelta(self, on_article)

    def apply(
        self,
        removed: Sequence[int],
        docs: Sequence[DocRecord],
        articles: Sequence[DocRecord] = (),
    ) -> None:
        """Remove and add passages in the index, and their articles' records, under the lock.

        ``articles`` are the records of the articles ``docs`` belong to (``records_with_
        articles``). An article that loses passages here and gets no new record (a delete) is
        removed from the article index. The article index is written first: its removals
        are found through the passage index, which still holds the removed passages then,
        and a write cut short is replayed from the store's queue (idempotent). Only passages
        the store still holds are added, checked under the index's writer lock: an article
        deleted after ``docs`` were collected stays out of the index.
        """
        with self._write_lock:
            index = self.current()
            article_index = self.articles()
            if article_index is not None:
                _apply_articles(index, article_index, removed, articles)
            if removed:
                index.remove(removed)
            if docs:
                index.add(docs, keep=self.store.existing_passage_ids)

    def remove_passages(self, passage_ids: Sequence[int]) -> None:
        """Drop a deleted article's passages from the index and clear their queue entries."""
        self.apply(passage_ids, ())
        self.store.clear_index_ops(passage_ids, ())

    def records_of(self, article: Article, passages: Sequence[Passage]) -> list[DocRecord]:
        """Engine records of an article's passages, as just stored by an ingest."""
        return self.records_with_article(article, passages)[0]

    def records_with_article(
        self, article: Article, passages: Sequence[Passage]
    ) -> tuple[list[DocRecord], list[DocRecord]]:
        """Engine records of an article's passages and of the article itself
        (``records_with_articles``), as just stored by an ingest."""
        rows = [
            IndexRow(
                p.passage_id,
                article.article_id,
                p.text,
                article.title,
                article.language,
                article.published_at,
                article.source,
                article.author,
            )
            for p in passages
        ]
        return self.records_with_articles(rows)

    def records(self, rows: Iterable[IndexRow]) -> Iterator[DocRecord]:
        """Engine records of passages: title terms (once per article) plus passage terms.

        The one place a passage becomes a ``DocRecord``. The full rebuild encodes term ids
        instead (``_encoded_batches``) for speed, but takes its titles, languages and days
        from the same ``_RowFields``, so both paths index the same terms.
        """
        for row, day, title, _, passage_terms in self._analysed(rows):
            yield DocRecord(row.passage_id, row.article_id, day, title + passage_terms)

    def records_with_articles(
        self, rows: Iterable[IndexRow]
    ) -> tuple[list[DocRecord], list[DocRecord]]:
        """Passage records (``records``) and the article records of the same rows.

        An article record holds its head (title and byline terms) ``ARTICLE_TITLE_COPIES``
        times and then the terms of each of its passages (passages do not overlap, so this is
        the body's terms).
        Rows must hold every passage of each article they touch, as an ingest, a replay (an
        article is stored and queued in one transaction) and the rebuild's reconciling give.
        """
        passages: list[DocRecord] = []
        articles: list[DocRecord] = []
        current: tuple[int, int, list[str]] | None = None
        for row, day, title, by, passage_terms in self._analysed(rows):
            passages.append(DocRecord(row.passage_id, row.article_id, day, title + passage_terms))
            if current is None or current[0] != row.article_id:
                if current is not None:
                    articles.append(_article_record(*current))
                current = (row.article_id, day, [*title, *by] * ARTICLE_TITLE_COPIES)
            current[2].extend(passage_terms)
        if current is not None:
            articles.append(_article_record(*current))
        return passages, articles

    def _analysed(
        self, rows: Iterable[IndexRow]
    ) -> Iterator[tuple[IndexRow, int, tuple[str, ...], tuple[str, ...], list[str]]]:
        """(row, day, title terms, byline terms, passage terms) of each row, in batches."""
        analyzer = self.analyzer
        fields = _RowFields(analyzer)
        pending = iter(rows)
        while batch := list(islice(pending, ANALYSIS_BATCH)):
            langs, titles, days = fields.of(batch)
            bylines = fields.bylines(batch, langs)
            batch_terms = analyzer.document_terms_many(
                [row.text for row in batch], langs, [row.published_at for row in batch]
            )
            yield from zip(batch, days, titles, bylines, batch_terms, strict=True)

    def replay_pending(self) -> int:
        """Apply index changes a killed process committed to the store but never indexed.

        Returns how many queue entries were replayed. Replaying is idempotent (``add``
        replaces a passage already indexed, ``remove`` ignores unknown ids), so entries of a
        process that is still running are safe to replay too.

        Raises:
            IndexUnavailableError: the index is missing or corrupt.
        """
        removes, adds = self.store.pending_index_ops()
        if not removes and not adds:
            return 0
        docs, articles = self.records_with_articles(self.store.index_rows_by_id(adds))
        self.apply(removes, docs, articles)
        self.store.clear_index_ops(removes, adds)
        logger.info("index caught up: %d passages added, %d removed", len(docs), len(removes))
        return len(removes) + len(adds)

    # -- rebuilding ---------------------------------------------------------------------------

    def reindex(self, progress: ProgressCallback | None = None) -> ReindexReport:
        """Rebuild the whole index from the store and swap it in atomically.

        Readers keep answering from the old index until the swap. What other processes
        change in the store during the build is reconciled right after it: passages stored
        meanwhile are added, passages deleted or replaced meanwhile are removed. The article
        index is built in the same pass, from the same encoded terms, and swapped in first.
        """
        from index.analysis.parallel import workers_for
        from index.search import SearchIndex
        from index.search.runs import BatchSpool, spool_directory

        self._check_folder()
        started = time.monotonic()
        total = self.store.count_passages()
        logger.info("reindex: %d passages", total)
        self.articles_dir.mkdir(parents=True, exist_ok=True)
        workers = workers_for(total)
        if workers > 1:
            with self._write_lock:
                last_id = self.store.max_passage_id()
                built: array[int] = array("q")
                rows = self.store.iter_index_rows(up_to=last_id)
                index, articles = self._built_in_workers(
                    rows, workers, progress=progress, total=total, started=started, seen=built
                )
                with self._index_lock:
                    self._index = index
                    self._articles = articles
                self._reconcile(index, built, last_id)
            return self._reindexed(index, started, progress)
        with self._write_lock, spool_directory(self.articles_dir) as spool_dir:
            last_id = self.store.max_passage_id()
            built = array("q")
            # On disk, not in a list: they hold as many term occurrences as the archive.
            article_batches = BatchSpool(spool_dir)
            batches = self._encoded_batches(
                self.store.iter_index_rows(up_to=last_id),
                progress=progress,
                total=total,
                started=started,
                seen=built,
                articles=article_batches,
            )
            index = SearchIndex.build_encoded(
                self.index_dir, batches, total=total, progress=progress
            )
            # The passages' build consumed every batch, so the article batches are complete.
            articles = SearchIndex.build_encoded(self.articles_dir, iter(article_batches))
            with self._index_lock:
                self._index = index
                self._articles = articles
            record_analysis_version(self.index_dir)
            self._reconcile(index, built, last_id)
        return self._reindexed(index, started, progress)

    def _reindexed(
        self, index: SearchIndex, started: float, progress: ProgressCallback | None
    ) -> ReindexReport:
        seconds = time.monotonic() - started
        report = ReindexReport(
            passages=index.n_docs,
            terms=int(getattr(index, "n_terms", 0)),
            seconds=seconds,
            index_bytes=dir_size(self.index_dir),
        )
        _emit(progress, Progress("done", index.n_docs, index.n_docs, "passages", seconds))
        logger.info("reindex: %d passages in %.2f s", report.passages, seconds)
        return report

    def _reconcile(self, index: SearchIndex, built: array[int], last_id: int) -> None:
        """Bring a freshly built index up to the store's state after the build's snapshot."""
        late, late_articles = self.records_with_articles(
            self.store.iter_index_rows(after_id=last_id)
        )
        import numpy as np

        stored = np.frombuffer(self.store.passage_ids_up_to(last_id), dtype=np.int64)
        gone = np.setdiff1d(np.frombuffer(built, dtype=np.int64), stored, assume_unique=True)
        gone = gone.tolist()
        if gone or late:
            self.apply(gone, late, late_articles)
        self.store.clear_index_ops_up_to(max([last_id, *(d.passage_id for d in late)]))
        if late or gone:
            logger.info("reindex: then %d passages added, %d removed", len(late), len(gone))

    def _built_in_workers(
        self,
        rows: Iterable[IndexRow],
        workers: int,
        *,
        progress: ProgressCallback | None,
        total: int | None,
        started: float,
        seen: array[int],
    ) -> tuple[SearchIndex, SearchIndex]:
        """The passage and article indexes of ``rows`` on both cores.

        Worker processes encode each batch (``_encode_for_build``: the terms
        ``_encoded_batches`` gives) and sort the runs of both indexes; this process reads
        the rows, analyses titles and bylines once per article, and merges
        (``SearchIndex.build_in_workers``). The indexes are the one-process ones (tested).
        """
        import numpy as np

        from index.analysis.encoding import PassageEncoder
        from index.search import SearchIndex
        from index.search.workers import BuildJob, DocColumns, WorkerTask

        fields = _RowFields(self.analyzer)
        done = 0

        def jobs() -> Iterator[BuildJob]:
            for batch in _whole_articles(rows, ENCODE_BATCH):
                langs, titles, days = fields.of(batch)
                article_ids = np.asarray([row.article_id for row in batch], dtype=np.int64)
                published = np.asarray(days, dtype=np.int32)
                starts = _article_starts(article_ids)
                payload = (
                    [row.text for row in batch],
                    langs,
                    [row.published_at for row in batch],
                    titles,
                    fields.bylines(batch, langs),
                    article_ids,
                )
                passages = DocColumns(
                    np.asarray([row.passage_id for row in batch], dtype=np.int64),
                    article_ids,
                    published,
                )
                heads = DocColumns(article_ids[starts], article_ids[starts], published[starts])
                yield BuildJob(payload, (passages, heads))

        def on_done(job: BuildJob, side: object) -> None:
            nonlocal done
            ids = job.docs[0].passage_ids
            seen.extend(ids.tolist())
            done += int(ids.size)
            elapsed = time.monotonic() - started
            _emit(progress, Progress("analyse", done, total, "passages", elapsed))

        built = SearchIndex.build_in_workers(
            [self.index_dir, self.articles_dir],
            jobs(),
            WorkerTask(PassageEncoder, _encode_for_build, attrgetter("terms")),
            workers,
            on_done=on_done,
            total=total,
            progress=progress,
        )
        index, articles = built.indexes
        return index, articles

    def _encoded_batches(
        self,
        rows: Iterable[IndexRow],
        *,
        progress: ProgressCallback | None,
        total: int | None,
        started: float,
        seen: array[int],
        articles: BatchSpool,
    ) -> Iterator[EncodedBatch]:
        """Stored passages encoded to term ids for a full build (``index.analysis.encoding``).

        The same terms as ``records`` (title terms counted in every passage of the article,
        from the same ``_RowFields``), without a term string per word: at a million
        passages this is most of the build, which is why it is not simply ``records``.
        ``seen`` collects the passage ids, for reconciling after the build; ``articles``
        collects the article records of the same terms (``records_with_articles``), one
        batch per passage batch (a batch always ends with an article's last passage).
        """
        import numpy as np

        from index.analysis.parallel import EncodeChunk, encode_groups, workers_for

        analyzer = self.analyzer
        fields = _RowFields(analyzer)
        done = 0
        read: deque[list[IndexRow]] = deque()  # batches handed to the encoders, not yet done
        days_of: deque[list[int]] = deque()

        def groups() -> Iterator[tuple[EncodeChunk, ...]]:
            for batch in _whole_articles(rows, ENCODE_BATCH):
                langs, titles, days = fields.of(batch)
                pubs = [row.published_at for row in batch]
                empty = [""] * len(batch)
                read.append(batch)
                days_of.append(days)
                yield (
                    EncodeChunk([row.text for row in batch], langs, pubs),
                    EncodeChunk(empty, langs, pubs, titles),
                    EncodeChunk(empty, langs, pubs, fields.bylines(batch, langs)),
                )

        # Both cores for a large archive (``index.analysis.parallel``); ids are joined by
        # term string, and the index does not depend on them.
        for body, heads, bylines in encode_groups(groups(), workers_for(total), analyzer):
            batch, days = read.popleft(), days_of.popleft()
            ids = [row.passage_id for row in batch]
            seen.extend(ids)
            done += len(batch)
            article_ids = np.asarray([row.article_id for row in batch], dtype=np.int64)
            published = np.asarray(days, dtype=np.int32)
            new_terms = body.new_terms + heads.new_terms + bylines.new_terms
            yield EncodedBatch(
                passage_ids=np.asarray(ids, dtype=np.int64),
                article_ids=article_ids,
                published_days=published,
                terms=EncodedTerms(
                    np.concatenate([body.term_ids, heads.term_ids]),
                    np.concatenate([body.passages, heads.passages]),
                    new_terms,
                ),
            )
            articles.append(
                _article_batch(article_ids, published, body, (heads, bylines), new_terms)
            )
            elapsed = time.monotonic() - started
            _emit(progress, Progress("analyse", done, total, "passages", elapsed))


class IndexDelta:
    """Collects what an ingest changed and writes it to the index in batches.

    If the index cannot be opened, the first error is kept and later batches are skipped
    (without analysing them): the articles are stored and ``IngestReport.index_error`` says
    to reindex.
    """

    def __init__(self, keeper: IndexKeeper, on_article: Callable[[], None] | None) -> None:
        self._keeper = keeper
        self._removed: list[int] = []
        self._docs: list[DocRecord] = []
        self._articles: list[DocRecord] = []
        self.error: str | None = None
        #: Set when the ingest hit a full disk, in the store or here: it stops there.
        self.disk_full = False
        self.on_article = on_article
        try:
            # Open the index before the first article is stored: a fresh data dir then gets
            # an empty index rather than "missing index, store not empty". Then finish what
            # a killed or failed ingest left in the index queue.
            keeper.current()
            keeper.replay_pending()
        except NewsdeskError as exc:
            self._fail(exc.reason)
        except ImportError as exc:
            self._fail(f"the search stack is not available ({exc.name})")
        except Exception as exc:
            # The articles must still be stored; the index catches up with them later.
            self._fail_unexpected(exc, "could not open or catch up the search index")

    def _fail(self, reason: str) -> None:
        if self.error is None:
            self.error = reason
            # A full disk stops the ingest, and its report says so in one line.
            level = logging.INFO if self.disk_full else logging.WARNING
            logger.log(level, "articles are stored but not indexed: %s", reason)

    def _fail_unexpected(self, exc: Exception, what: str) -> None:
        """Fail on an unforeseen error: a full disk stops the ingest, others are logged."""
        if is_disk_full(exc):
            self.disk_full = True
            self._fail(DISK_FULL_REASON)
        else:
            logger.exception(what)
            self._fail(f"the search index could not be updated ({type(exc).__name__})")

    def add(self, saved: SaveResult) -> None:
        """Queue one stored article's change; writes a delta every ``DELTA_FLUSH_PASSAGES``."""
        if self.on_article is not None:
            self.on_article()
        if saved.outcome == "unchanged" or self.error is not None:
            return
        try:
            docs, articles = self._keeper.records_with_article(saved.article, saved.passages)
            self._removed.extend(saved.removed_passage_ids)
            self._docs.extend(docs)
            self._articles.extend(articles)
        except ImportError as exc:
            self._fail(f"the analyser is not available ({exc.name})")
            return
        if len(self._docs) >= DELTA_FLUSH_PASSAGES:
            self.flush()

    def flush(self) -> str | None:
        """Write what is collected; returns the first error, if any (the articles stay queued)."""
        removed, docs, articles = self._removed, self._docs, self._articles
        self._removed, self._docs, self._articles = [], [], []
        if self.error is None and (removed or docs):
            try:
                self._keeper.apply(removed, docs, articles)
            except IndexUnavailableError as exc:
                self._fail(exc.reason)
            except Exception as exc:
                # The articles are stored and stay queued: the next command indexes them.
                self._fail_unexpected(exc, "could not write the index delta")
            else:
                self._clear_queue(removed, [d.passage_id for d in docs])
        return self.error

    def _clear_queue(self, removed: list[int], added: list[int]) -> None:
        """Forget the queue entries just indexed; if that fails they are replayed later."""
        try:
            self._keeper.store.clear_index_ops(removed, added)
        except Exception as exc:
            # Harmless: replaying an entry the index already reflects changes nothing.
            reason = "the disk is full" if is_disk_full(exc) else type(exc).__name__
            logger.warning("indexed, but the index queue could not be cleared (%s)", reason)


class _RowFields:
    """Per-passage language, title terms and day of stored rows: shared by both record paths.

    Rows come in passage id order, so an article's passages are consecutive: remembering the
    last article is enough to analyse each title (and byline) once. The same tuple object is
    returned for all of an article's passages, which the encoder uses to intern it once.

    The byline (outlet and author) goes into the article record only, after the title: it is
    part of what an article is ("the Reuters report on ..."). Measured on
    multihop-rag-facts-dev, whose questions name outlets, whole-article BM25Okapi went from
    0.807 to 0.840 nDCG@10 with the outlet in the record (docs/quality.md). In every passage
    record as well it cost that set's QA answer@1 (0.677 against 0.710 without the article
    index) and let outlet names answer null questions (nothing found 0.80 against 0.84).
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.article_id: int | None = None
        self.terms: tuple[str, ...] = ()
        self.byline_of: int | None = None
        self.byline_terms: tuple[str, ...] = ()

    def of(self, batch: Sequence[IndexRow]) -> tuple[list[Lang], list[tuple[str, ...]], list[int]]:
        """(languages, title terms, epoch days) of each row in ``batch``."""
        from index.analysis.language import lang_or_default

        langs = [lang_or_default(row.language) for row in batch]
        titles = list(map(self._title_terms, batch, langs))
        days = [epoch_day(row.published_at) for row in batch]
        return langs, titles, days

    def bylines(self, batch: Sequence[IndexRow], langs: Sequence[Lang]) -> list[tuple[str, ...]]:
        """The byline terms of each row's article (``byline``), for the article records."""
        return list(map(self._byline_terms, batch, langs))

    def _title_terms(self, row: IndexRow, lang: Lang) -> tuple[str, ...]:
        if row.article_id != self.article_id:
            self.article_id = row.article_id
            self.terms = (
                tuple(self.analyzer.document_terms(row.title, lang, row.published_at))
                if row.title
                else ()
            )
        return self.terms

    def _byline_terms(self, row: IndexRow, lang: Lang) -> tuple[str, ...]:
        if row.article_id != self.byline_of:
            self.byline_of = row.article_id
            text = byline(row.source, row.author)
            self.byline_terms = (
                tuple(self.analyzer.document_terms(text, lang, row.published_at)) if text else ()
            )
        return self.byline_terms


def byline(source: str | None, author: str | None) -> str:
    """The outlet and author an article record holds after its title."""
    return " ".join(part.strip() for part in (source, author) if part and part.strip())


def _article_record(article_id: int, day: int, terms: list[str]) -> DocRecord:
    """An article index record: its id is the article id."""
    return DocRecord(article_id, article_id, day, tuple(terms))


def _apply_articles(
    passages: SearchIndex,
    articles: SearchIndex,
    removed: Sequence[int],
    records: Sequence[DocRecord],
) -> None:
    """Article index side of ``IndexKeeper.apply`` (before the passages change)."""
    import numpy as np

    gone: list[int] = []
    if removed:
        ids = np.asarray(removed, dtype=np.int64)
        renewed = {record.passage_id for record in records}
        gone = sorted(set(passages.live_articles_of(ids).tolist()) - renewed)
    if gone:
        articles.remove(gone)
    if records:
        articles.add(records)


def _whole_articles(rows: Iterable[IndexRow], size: int) -> Iterator[list[IndexRow]]:
    """Batches of about ``size`` rows that never split an article's passages.

    Rows come in passage id order, and an article's passages are stored together, so a
    batch is extended until the article of its last row ends.
    """
    batch: list[IndexRow] = []
    for row in rows:
        if len(batch) >= size and row.article_id != batch[-1].article_id:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _encode_for_build(encoder: PassageEncoder, payload: tuple) -> Worked:
    """A build worker's job in a reindex: one batch of rows (``_built_in_workers``) → the
    passage records' and the article records' terms, as ``_encoded_batches`` encodes them."""
    import numpy as np

    from index.search.workers import Worked

    texts, langs, pubs, titles, bylines, article_ids = payload
    empty = [""] * len(texts)
    body = encoder.encode(texts, langs, pubs)
    heads = encoder.encode(empty, langs, pubs, titles)
    by = encoder.encode(empty, langs, pubs, bylines)
    new_terms = body.new_terms + heads.new_terms + by.new_terms
    passages = EncodedTerms(
        np.concatenate([body.term_ids, heads.term_ids]),
        np.concatenate([body.passages, heads.passages]),
        (),
    )
    published = np.zeros(article_ids.size, dtype=np.int32)  # columns are the parent's
    articles = _article_batch(article_ids, published, body, (heads, by), ()).terms
    return Worked(new_terms, (passages, articles))


def _article_starts(article_ids: np.ndarray) -> np.ndarray:
    """Where each article's passages start in a batch (its passages are consecutive)."""
    import numpy as np

    return np.flatnonzero(np.r_[True, article_ids[1:] != article_ids[:-1]])


def _article_batch(
    article_ids: np.ndarray,
    published: np.ndarray,
    body: EncodedTerms,
    heads: tuple[EncodedTerms, ...],
    new_terms: tuple[str, ...],
) -> EncodedBatch:
    """The article records of one passage batch, from the passages' encoded terms.

    An article's record is its head (title, then byline: ``heads``) taken from its first
    passage, ``ARTICLE_TITLE_COPIES`` times, and every passage's body terms:
    ``records_with_articles`` by ids.
    """
    import numpy as np

    starts = _article_starts(article_ids)
    owner = np.cumsum(np.r_[True, article_ids[1:] != article_ids[:-1]]) - 1
    first = np.zeros(article_ids.size, dtype=bool)
    first[starts] = True
    head_ids = np.concatenate([h.term_ids[first[h.passages]] for h in heads])
    head_owners = np.concatenate([owner[h.passages[first[h.passages]]] for h in heads])
    title_ids = np.tile(head_ids, ARTICLE_TITLE_COPIES)
    title_owners = np.tile(head_owners, ARTICLE_TITLE_COPIES)
    return EncodedBatch(
        passage_ids=article_ids[starts],
        article_ids=article_ids[starts],
        published_days=published[starts],
        terms=EncodedTerms(
            np.concatenate([title_ids, body.term_ids]).astype(np.int32, copy=False),
            np.concatenate([title_owners, owner[body.passages]]).astype(np.int32, copy=False),
            new_terms,
        ),
    )


def epoch_day(value: datetime | None) -> int:
    """Days since 1970-01-01 (UTC) or -1 when unknown (the engine's day filter)."""
    if value is None:
        return -1
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value.astimezone(UTC).date() - date(1970, 1, 1)).days


def dir_size(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when it does not exist).

    A writer may rename or remove a temporary file while we walk (``stats`` beside a
    replica applying the change log): a file gone by the time it is sized counts 0.
    """
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def _emit(progress: ProgressCallback | None, tick: Progress) -> None:
    if progress is not None:
        progress(tick)


__all__ = ["IndexDelta", "IndexKeeper", "byline", "dir_size", "epoch_day"]
