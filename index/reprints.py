"""The story keeper: files each stored article into a story with its reprints.

For a new or updated article (whatever path stored it: files, URLs, uploads, feed polls,
all of which go through ``Archive._store_article``):

1. shingle and sign it (``index.dedup``: word 3-grams, 256-value MinHash);
2. LSH: the stored articles sharing a band key with it are the candidates
   (``StoryStore.candidates``, an indexed look-up, not a scan);
3. prefilter: candidates whose signature-estimated containment is far below the bar are
   dropped without reading their text, and at most ``MAX_CHECKED`` of the likeliest are
   kept (with at most 8 per band key read in step 2, the work per article stays bounded
   when thousands of stored articles share a template);
4. the exact check: containment of the exact shingle sets, the distance between the
   publication dates and, in the uncertain band, the figures (``index.dedup.compare``);
5. the article joins the story of every article it reprints (merging them), and its
   signature and band keys are stored for the articles that come after it.

Steps 1-4 read only; step 5 writes, in one transaction per ``BATCH`` articles, after the
articles' own transactions (the facade files what an ingest stored when it finishes). An ingest
killed between them leaves an article in a story of its own with no signature; the next
ingest signs and files every such article first (``catch_up_once``), and so are the
articles stored before schema version 5.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from index.dedup import (
    PREFILTER_CONTAINMENT,
    Signature,
    band_keys,
    compare,
    estimate_containment,
    figures,
    shingles,
    sign,
)
from index.errors import NotFoundError
from index.models import Article
from index.store import ArticleStore, StoryStore

logger = logging.getLogger(__name__)

# Articles filed per transaction (see ``StoryKeeper.file_many``): large enough that commits
# are rare, small enough that the write lock is held for well under a second.
BATCH = 200
# Candidates whose text is read and compared exactly, the likeliest first (by estimated
# containment): bounds the work per article when many stored articles look alike.
MAX_CHECKED = 16


@dataclass(frozen=True, slots=True)
class Filing:
    """What filing one article did: its story, the articles it reprints, what it cost."""

    story_id: int
    reprint_of: tuple[int, ...]
    candidates: int
    checked: int
    seconds: float


class StoryKeeper:
    """Signs articles, finds their reprints through the stored LSH, and keeps stories."""

    def __init__(self, articles: ArticleStore, stories: StoryStore) -> None:
        self.articles = articles
        self.stories = stories
        self._caught_up = False

    def file_many(self, article_ids: Sequence[int]) -> list[Filing]:
        """File just-stored articles, in order, ``BATCH`` per transaction.

        One transaction per batch because an article's band keys touch ~128 scattered pages
        of the band index: committing them once per batch instead of once per article
        writes each page once. Within a batch the later articles see the earlier ones (the
        same connection reads its own uncommitted rows), so reprints within one ingest are
        grouped too. An article deleted meanwhile is skipped.

        Raises:
            DiskFullError, StoreError: the store cannot be written; nothing of the failed
                batch is kept (its articles stay unsigned, and a later ingest files them).
        """
        self.catch_up_once(skip=article_ids)
        filings: list[Filing] = []
        for start in range(0, len(article_ids), BATCH):
            chunk = article_ids[start : start + BATCH]
            articles = self.articles.articles_by_id(chunk)
            with self.stories.batch():
                for article_id in chunk:
                    if article_id not in articles:
                        continue
                    try:
                        filings.append(self._file(articles[article_id]))
                    except NotFoundError:  # deleted meanwhile; its savepoint is rolled back
                        logger.debug("stories: article %s was deleted meanwhile", article_id)
        return filings

    def catch_up_once(self, skip: Sequence[int] = ()) -> int:
        """Sign and file articles that have no signature yet (once per process); how many.

        ``skip``: articles the caller is about to file anyway.
        """
        if self._caught_up:
            return 0
        self._caught_up = True
        skipped = set(skip)
        pending = [i for i in self.stories.unsigned_article_ids() if i not in skipped]
        if not pending:
            return 0
        started = time.monotonic()
        filed = len(self.file_many(pending))
        logger.info(
            "stories: signed %d earlier articles in %.1f s", filed, time.monotonic() - started
        )
        return filed

    def _file(self, article: Article) -> Filing:
        started = time.perf_counter()
        own = shingles(article.title, article.body)
        signature = sign(own)
        keys = band_keys(signature)
        found = self.stories.candidates(keys, exclude=article.article_id)
        estimates = [
            (estimate_containment(signature, Signature.from_bytes(data, size)), article_id)
            for article_id, size, data in found
        ]
        likely = [
            article_id
            for estimate, article_id in sorted(estimates, reverse=True)[:MAX_CHECKED]
            if estimate >= PREFILTER_CONTAINMENT
        ]
        reprint_of: list[int] = []
        own_figures = figures(f"{article.title}\n{article.body}") if likely else set()
        for other in self.articles.articles_by_id(likely).values():
            verdict = compare(
                own,
                article.published_at,
                shingles(other.title, other.body),
                other.published_at,
                a_figures=own_figures,
                b_figures=figures(f"{other.title}\n{other.body}"),
            )
            if verdict.reprint:
                reprint_of.append(other.article_id)
        story_id = self.stories.file(
            article.article_id,
            reprint_of,
            size=signature.size,
            signature=signature.to_bytes(),
            keys=keys,
        )
        filing = Filing(
            story_id,
            tuple(sorted(reprint_of)),
            len(found),
            len(likely),
            time.perf_counter() - started,
        )
        if reprint_of:
            logger.info(
                "stories: article %s joins story %s (reprint of %s)",
                article.article_id,
                story_id,
                ", ".join(map(str, filing.reprint_of)),
            )
        return filing
