"""Frozen dataclasses passed between the pipeline stages.

extract → store → analysis → search → answer: each stage hands the next one of these,
never a bare dict or tuple, so a field rename is a type error rather than a silent miss.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

Lang = Literal["en", "uk", "ru"]
LANGS: tuple[Lang, ...] = ("en", "uk", "ru")

PassageKind = Literal["paragraph", "window", "bullet", "title"]
Outcome = Literal["new", "updated", "unchanged", "failed"]
SourceKind = Literal["feed", "sitemap", "telegram"]


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """What extraction found in one item, before it has an id in the store.

    ``published_at`` is timezone-aware when known. ``language`` is None only when
    detection was not possible (the store then records the detector's best guess).
    """

    title: str
    body: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: Lang | None = None
    summary: str | None = None
    # A caveat about the item, for the ingest report (a weak encoding guess, replaced bytes).
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """A passage as cut from a body: its text and where it sits in that body."""

    ordinal: int
    text: str
    start: int
    end: int
    kind: PassageKind = "paragraph"


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article."""

    article_id: int
    title: str
    body: str
    content_hash: str
    ingested_at: datetime
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: Lang | None = None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One line of `newsdesk list`: an article without its body."""

    article_id: int
    title: str
    url: str | None
    source: str | None
    author: str | None
    published_at: datetime | None
    language: Lang | None


@dataclass(frozen=True, slots=True)
class Story:
    """Articles that are one news item: the earliest original and its reprints.

    Reprints are wire copies, lightly edited or localized reprints and updated versions
    under a new URL (``index.dedup``). ``members`` run original first, then by publication
    date (undated last); the original is recomputed from the members whenever one is
    deleted. ``story_id`` is stable while the story has members.
    """

    story_id: int
    members: tuple[ArticleSummary, ...]

    @property
    def original_id(self) -> int:
        """The earliest published member (the lowest id among undated or equal dates)."""
        return self.members[0].article_id

    @property
    def member_ids(self) -> tuple[int, ...]:
        """Every member's article id, original first."""
        return tuple(member.article_id for member in self.members)

    @property
    def reprints(self) -> tuple[ArticleSummary, ...]:
        """The members other than the original, earliest first."""
        return self.members[1:]


@dataclass(frozen=True, slots=True)
class Passage:
    """A stored passage: the unit of retrieval and citation."""

    passage_id: int
    article_id: int
    ordinal: int
    text: str
    start: int
    end: int
    kind: PassageKind = "paragraph"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of ingesting one item (a file, a URL, one object of a JSON archive)."""

    item: str
    outcome: Outcome
    article_id: int | None = None
    title: str | None = None
    reason: str | None = None
    warning: str | None = None  # stored, but with a caveat (a weak encoding guess)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Every item's outcome, in input order. Failed items carry a user-safe reason.

    ``index_error`` is set when the articles were stored but the search index could not be
    updated (missing or corrupt index): nothing is lost, and ``newsdesk reindex`` fixes it.
    ``stopped`` says why the ingest stopped before the end (the disk is full); ``not_read``
    names the items it never got to.
    """

    items: tuple[ItemResult, ...] = ()
    index_error: str | None = None
    stopped: str | None = None
    not_read: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        """How many items ended with ``outcome``."""
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def failed(self) -> tuple[ItemResult, ...]:
        """The failed items, each with its reason."""
        return tuple(item for item in self.items if item.outcome == "failed")

    @property
    def changed_article_ids(self) -> tuple[int, ...]:
        """Ids of articles that are new or updated (what the index must pick up)."""
        return tuple(
            item.article_id
            for item in self.items
            if item.outcome in ("new", "updated") and item.article_id is not None
        )


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What `newsdesk stats` reports."""

    articles: int
    passages: int
    languages: dict[str, int]
    sources: dict[str, int]
    first_published: datetime | None
    last_published: datetime | None
    store_bytes: int
    index_bytes: int = 0
    index_passages: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """A registered news source: a feed or sitemap URL polled every ``interval_s`` seconds.

    ``outlet`` is the label stored on every article the source brings in (``Article.source``).
    ``language`` is None when the source did not say; extraction then detects it per article.
    """

    source_id: int
    name: str
    url: str
    outlet: str
    interval_s: int
    added_at: datetime
    language: Lang | None = None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source with its polling record: what ``sources list`` and ``/sources`` show.

    ``failures`` counts consecutive failed polls; it drives the exponential backoff and is
    reset by the next success, so ``failing`` means "the latest poll failed".
    ``retry_after_until`` is set while the server's Retry-After (on a 429 or 503) forbids
    fetching the source: not even a forced poll fetches it before then.
    """

    source: Source
    kind: SourceKind | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    articles_ingested: int = 0
    next_poll_at: datetime | None = None
    retry_after_until: datetime | None = None

    @property
    def failing(self) -> bool:
        """True when the latest poll of this source failed."""
        return self.failures > 0


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored passage from the search engine."""

    passage_id: int
    score: float


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a snippet comes from, enough for a reader to check it."""

    article_id: int
    title: str
    source: str | None
    author: str | None
    published_at: datetime | None
    url: str | None

    @classmethod
    def of(cls, article: Article | ArticleSummary) -> Citation:
        """The citation of a stored article (with or without its body)."""
        return cls(
            article_id=article.article_id,
            title=article.title,
            source=article.source,
            author=article.author,
            published_at=article.published_at,
            url=article.url,
        )


@dataclass(frozen=True, slots=True)
class Snippet:
    """The sentence(s) that answer, with highlight spans as [start, end) offsets in ``text``.

    ``start`` and ``end`` place ``text`` in the article body relative to its passage's start
    (``body[passage.start + start : passage.start + end] == text``; for most snippets
    ``passage.text[start:end] == text``, but a short one may take its context sentence from
    the neighbouring paragraph, so ``start`` may be negative or ``end`` past the passage;
    0 and 0 for a snippet not cut from a passage). Highlights are sorted, disjoint and
    already merged for display (``index.answer.snippets.highlight_spans``): renderers only
    apply them, through ``highlight_pieces``.
    """

    text: str
    highlights: tuple[tuple[int, int], ...]
    passage_id: int
    passage_ordinal: int
    score: float
    start: int = 0
    end: int = 0

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut at its highlights: (piece, highlighted) in order."""
        return highlight_pieces(self.text, self.highlights)


def highlight_pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, highlighted) runs at the [start, end) ``spans``.

    Spans come normalised from the answer stage; overlapping spans (a hand-made snippet)
    are joined and spans outside the text clipped, so no renderer repeats or loses a
    character.
    """
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, 0), min(end, len(text))
        if end <= max(start, pos):
            continue
        if start < pos and pieces and pieces[-1][1]:
            pieces[-1] = (pieces[-1][0] + text[pos:end], True)
        else:
            if start > pos:
                pieces.append((text[pos:start], False))
            pieces.append((text[start:end], True))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who made a statement an answer cites, and when (issue 14's citation line).

    ``said_on`` is the statement's own date (the text's, else the publication date), not
    the reporting article's: the citation line reads "Jens Stoltenberg, 14 July 2024 ·
    reported in: title · outlet · date".
    """

    speaker: str
    said_on: date | None


@dataclass(frozen=True, slots=True)
class ArticleAnswer:
    """One cited article in an answer, with at most a few snippets.

    ``story`` is set when the article has reprints (a story of more than one member): the
    answer then cites the story once, ``citation`` being its earliest original whenever that
    article answers too, and ``reprints_note`` ("+1 reprint: Outlet", in the question's
    language) names the other members.

    ``said_by`` is set on an answer from statements (``what did X say``): the distinct
    speaker and date of its snippets, in snippet order, which renderers put before the
    citation ("X, 14 July 2024 · reported in: …"). Empty for every other answer.

    ``answer_share`` is how well the first snippet answers (its ``choose_snippet`` score:
    the question's weight it matches, with the answer-type, title and lead cues); a page of
    answers is ordered by ``score`` and it together (``index.answer.assemble``).

    ``spare`` is set only inside the answer stage, on an article showing one snippet: the
    best other unit of that snippet's passage, which a page with fewer snippets than the
    articles it may cite shows after it (``assemble._with_spares``). Answers handed out of
    ``answer_question`` carry none.
    """

    citation: Citation
    snippets: tuple[Snippet, ...]
    score: float
    story: Story | None = None
    reprints_note: str | None = None
    said_by: tuple[Attribution, ...] = ()
    answer_share: float = 0.0
    spare: Snippet | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to a question.

    ``found`` is False when nothing matched well enough; then ``articles`` is empty and
    ``nearest_titles`` lists what came closest, so the reader sees why, not noise.
    ``note`` (user-safe, in the question's language) says how the articles were chosen when
    that differs from what was asked, e.g. a question's period relaxed because nothing in it
    matched, or a period-only question answered with the window's articles; ``reason`` stays
    the not-found explanation.
    """

    question: str
    found: bool
    articles: tuple[ArticleAnswer, ...] = ()
    nearest_titles: tuple[str, ...] = ()
    language: Lang = "en"
    reason: str | None = None
    terms: tuple[str, ...] = field(default=())
    note: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionFilters:
    """Restrictions a question names with filter words (``index.answer.filters``).

    ``outlets`` are the archive's own outlet names that ``from:`` matched (any of them will
    do); ``since`` and ``until`` bound the publication day, both inclusive; ``languages``
    are the languages ``lang:`` asked for (any of them). Empty fields restrict nothing, so
    ``QuestionFilters()`` is "no filter". The same filters serve questions and topics.
    """

    outlets: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    languages: tuple[Lang, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.outlets or self.languages) or (
            self.since is not None or self.until is not None
        )


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress tick for long jobs (ingest, reindex).

    The CLI draws a bar from it and the bot edits a message. ``total`` is None when unknown;
    ``stage`` is a short word: "ingest", "analyse", "build", "swap".
    """

    stage: str
    done: int
    total: int | None
    unit: str = "items"
    elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ReindexReport:
    """What a full rebuild did."""

    passages: int
    terms: int
    seconds: float
    index_bytes: int


@dataclass(frozen=True, slots=True)
class DocRecord:
    """One passage as the search engine sees it: analysed terms plus what filters and groups need.

    ``published_day`` is days since 1970-01-01 (UTC) or -1 when the article has no date.
    """

    passage_id: int
    article_id: int
    published_day: int
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EncodedTerms:
    """The terms of a batch of passages as ids, one entry per term occurrence.

    ``term_ids[i]`` occurs in passage ``passages[i]`` (an index into the batch; entries are in
    no particular order). Ids belong to one encoder (``index.analysis.encoding``):
    ``new_terms`` are the terms this batch saw first, whose ids continue where the previous
    batch's stopped (the first batch's start at 0), so a consumer rebuilds the id → term list
    batch by batch.
    """

    term_ids: np.ndarray  # int32
    passages: np.ndarray  # int32
    new_terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    """Passages for a bulk index build: ``DocRecord``s with their terms already ids.

    One entry per passage in ``passage_ids``, ``article_ids`` and ``published_days`` (as in
    ``DocRecord``); ``terms.passages`` index into them.
    """

    passage_ids: np.ndarray  # int64
    article_ids: np.ndarray  # int64
    published_days: np.ndarray  # int32
    terms: EncodedTerms


TopicMode = Literal["instant", "daily"]


@dataclass(frozen=True, slots=True)
class Topic:
    """A question or keywords a chat follows: new articles that answer it are pushed there.

    ``mode`` "instant" sends each alert as it is matched (at most the hourly cap, then a
    digest); "daily" collects them into one digest at ``daily_hour`` (UTC). ``paused_at`` is
    set when the chat blocked the bot; its alerts wait until the chat is heard from again.
    """

    topic_id: int
    chat_id: int
    text: str
    mode: TopicMode
    daily_hour: int
    created_at: datetime
    last_alert_at: datetime | None = None
    last_digest_at: datetime | None = None
    paused_at: datetime | None = None
    lang: Lang = "en"  # the follower's language, for the alert's fixed texts


@dataclass(frozen=True, slots=True)
class Alert:
    """One article that answers a followed topic, waiting in (or sent from) the outbox.

    ``story_id`` is what "never twice" is keyed on (with the topic): the article's story
    (``Archive.story_of``), so a reprint of an article already alerted about adds nothing.
    ``answer`` holds the cited snippets and citation: matching only decides, the first
    delivery attempt builds them (``Archive.pending_alerts``) and the outbox keeps them, so a
    delivery after a restart sends the same text.
    """

    alert_id: int
    topic: Topic
    story_id: int
    answer: ArticleAnswer
    created_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Articles published per day and outlet over a window of days (the stats chart).

    ``days`` runs oldest to newest without gaps; each outlet's counts line up with it, and
    ``outlets`` is ordered by total, largest first. Empty when nothing dated is stored.
    """

    days: tuple[date, ...]
    outlets: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def total(self) -> int:
        """Articles in the window."""
        return sum(sum(counts) for _, counts in self.outlets)


@dataclass(frozen=True, slots=True)
class Quote:
    """One statement answered by ``Archive.quotes`` (issue 14), with its article's citation.

    ``text`` is ``body[start:end]`` verbatim; ``context`` is the sentence around it (the
    attribution included) starting at body offset ``context_start``, with ``highlights``
    as offsets into ``context``.
    """

    speaker: str
    speaker_as_written: str
    text: str
    kind: str
    said_on: date | None
    date_source: str
    citation: Citation
    start: int
    end: int
    score: float
    context: str
    context_start: int
    highlights: tuple[tuple[int, int], ...] = ()


def _pickled_by_position(cls: type) -> None:
    """Pickle ``cls`` as its constructor and field values in order.

    Answers cross a pipe from an answer worker process to the bot for every question (an
    ``Answer`` of three articles is about ten of these objects). A frozen dataclass with
    slots pickles through the ``__getstate__``/``__setstate__`` that ``dataclasses``
    generates, which call ``fields()`` and set every field in Python, once per object; as
    ``(cls, values)`` it is rebuilt by one call of its generated ``__init__``. Measured on the
    bench's answers (80 answers at k 3 and 10, 0.6-6.5 kB, timeit, three rounds): dumps
    159-255 µs and loads 134-173 µs per answer before, 86-142 and 78-111 µs after
    (``docs/postgres.md``, "Bot CPU per update, fourth round"). Equal objects either way
    (``tests/index/test_models_pickle.py``). None of these classes has an ``__init__`` that checks
    or converts (no ``__post_init__``, every field in ``__init__``), so the constructor makes
    exactly the object that was pickled.
    """
    names = tuple(item.name for item in fields(cls))
    values: Callable[[object], object] = operator.attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (type(self), (values(self),))  # type: ignore[method-assign]
    else:
        cls.__reduce__ = lambda self: (type(self), values(self))  # type: ignore[method-assign]


for _model in list(globals().values()):
    if isinstance(_model, type) and is_dataclass(_model) and _model.__module__ == __name__:
        _pickled_by_position(_model)
del _model
