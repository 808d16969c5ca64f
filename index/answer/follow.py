"""Matching new articles against followed topics with the answer gate of ``ask``.

A topic is a question. An article alerts a topic when ``ask``'s own article check accepts
it: the same analyzer turns the topic into question words (``evidence.question_words``),
the article's passages are scored with exact BM25 (``SearchIndex.score_passages``), and
``assemble._answer_from_article`` (the evidence threshold, the unknown-name rule, the
cross-language rule, snippet choice) decides and builds the cited snippets. So a topic
alerts on an article exactly when ``ask`` would cite that article if it ranked among the
answers shown; what ``ask`` adds on top is only the cut to the best ``k`` articles.

Cost: with many topics, scoring every topic per article is what made other bots drop
keyword alerts. Three steps keep the work proportional to the article's terms and to the
topics it can actually answer:

1. A reverse index (``_ReverseIndex``) lists each topic under its words' terms with the
   word's weight under the current index state. For each passage of an article (with the
   title and day, as the index holds it), the postings of its terms are summed per topic
   with ``np.bincount``: one dictionary lookup per term, then numpy. Topics whose words
   carry, in every passage, less than ``MIN_COVERAGE`` of their weight (and, for a long
   topic, less than its three heaviest words'; cross-language: fewer than two matched
   words) cannot pass the gate, which needs one passage to hold enough, and are dropped.
2. The rest are measured exactly with ``measure_evidence``'s rules on the whole article's
   terms and then on each passage's (with the title and day, as the index holds them):
   evidence only grows with terms, so when no passage is enough ``ask``'s check cannot
   pass. The article's term sets are kept once as bits per term (``_ArticleView``), so a
   topic reads which of its terms each set holds as a presence code, and each set of
   matched words is judged once per topic and index state (``_Verdicts``).
3. Only topics that pass get ``ask``'s article check itself, without choosing sentences
   (``_ArticleView.decides``: BM25 order, the per-passage check on analysed spans, which
   the article's analysis, made once, serves for all its topics). That is the decision
   (``TopicMatcher.decide``), what matching at ingest stores in the outbox. The cited
   snippets (``TopicMatcher.render``, ``_answer_from_article``) are built at delivery, so
   an article that many topics follow costs their decisions, not their texts.

Steps 2 and 3 run for all of an article's candidates at once in numpy
(``index.answer.topic_batch``) for the topics its arrays describe exactly (at most 8 words,
no filter words, in the article's language, with the ranking layer on); the others, and the
cases that need the passages scored, go through the per-topic rule above
(``TopicMatcher._decide_one``), which is the reference the batch is tested against. The
reverse index then reads the article's terms once, as term ids with the records holding
each, and sums the postings over the whole article before summing per record only the
topics that pass (``_ReverseIndex.candidate_rows``).

Weights come from document frequencies, which move with every ingest (a burst of articles
on a name makes that word cheap, and the topic's other words carry more of it). Steps 2 and 3
use today's, exactly (``_weigh``, equal to ``evidence.question_words``). Step 1 is a filter,
so it needs bounds, not today's weights: the reverse index is built once for the topics and
weighed for a window of index states (``_ReverseIndex.reweigh``): each posting at the
largest weight its word can have there, each topic's bar at the smallest the gate's can be
(``_WordTable.bounds``), for passage counts within ``PASSAGE_SLACK`` of the one it was
weighed at and each term's frequency within ``TERM_SLACK`` of its own. So it keeps every
topic the gate's weight rule passes on some record in any state of the window, up to a
relative ``FILTER_ROUNDING`` of 1e-9 for sums in another order
(``tests/index/test_follow_drift.py``). Under a new state it reads only the frequencies that
moved (``SearchIndex.moved_frequencies``: an ingest of one article moves a few hundred) and
weighs again only the topics holding a term that left its window (a rare term, with few
topics), or every posting when the passage count left its window; it never reads or weighs
the whole topic vocabulary per state. What depends on the weights (weights, idfs, verdicts)
is kept per index generation: the articles of one ingest share it, the next ingest computes
it again, for each article's candidates only. For the batched topics that is done on arrays
from the frequencies the reverse index keeps (``TopicWeights.weigh``: ``_weigh``'s floats
bit for bit, ``evidence_idf`` computed once per distinct frequency; the idf signs from the
index's ``idf_signs``), so an ingest of one article does not weigh its article's ~1,000
broad candidates one by one in Python (``tests/index/test_follow_reweigh.py``).

Filters: a topic may carry ``ask``'s filter words (``from:``, ``since:``, ``until:``,
``lang:``; ``index.answer.filters``). They are cut out before analysis, so they are never
topic words and never in the reverse index, and an article alerts only when it passes them
(``_TopicFilters.admits``), checked before any evidence work. They are checked the way
``ask`` restricts its search: the outlet by ``outlet_matches`` on the article's outlet
(``ask`` resolves ``from:`` against the outlets stored at asking time, which include the new
article's), the language on the stored code, the window on the publication day in UTC as
the index holds it (an undated article fails any window).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import numpy as np

from index.analysis.language import lang_or_default
from index.answer.answer_type import answer_type_of
from index.answer.assemble import (
    PASSAGES_CHECKED_PER_ARTICLE,
    SNIPPETS_PER_ARTICLE,
    _answer_from_article,
    _article_terms,
    _day_terms,
    _with_lead,
)
from index.answer.candidates import RankedArticle, RankedPassage
from index.answer.evidence import (
    COMMON_UNKNOWN_DF_SHARE,
    COMPOUND_WORDS,
    MAX_COMMON_UNKNOWN,
    MIN_COVERAGE,
    MIN_CROSS_LANGUAGE_MATCHES,
    MIN_KNOWN_FOR_DISCOUNT,
    QuestionWord,
    _carries_compound_question,
    _is_common_word,
    evidence_idf,
    key_word_indexes,
    measure_evidence,
    question_words,
)
from index.answer.filters import FilterWord, outlet_matches, resolve_filters, split_filters
from index.answer.passage_cache import PassageCache
from index.answer.protocols import AnalyzerLike, SearchBackend
from index.answer.restrict import day_range_of
from index.answer.topic_batch import (
    EVERYWHERE,
    POSITIONS,
    ArticleArrays,
    ArticleBits,
    TableRow,
    TopicTable,
    TopicWeights,
    decide_rows,
)
from index.errors import FilterError
from index.models import (
    Article,
    ArticleAnswer,
    Citation,
    DocRecord,
    Passage,
    Snippet,
)

logger = logging.getLogger(__name__)

# The reverse index keeps a topic whose words an article holds carry ``MIN_COVERAGE`` of its
# weight (or, for a long topic, its ``COMPOUND_WORDS`` heaviest words' weight) under today's
# weights, less this share: the sums run in another order than ``measure_evidence``'s (and
# numpy's log may differ from ``math.log`` in the last bit), never by more than ~1e-15.
FILTER_ROUNDING = 1e-9
_LANG_CODES = {"en": 0, "uk": 1, "ru": 2}
# The reverse index sums an article's postings over every topic at once (a dense array)
# unless they are fewer than one in this many topics: then over only the topics they name.
SPARSE_POSTINGS = 8
# The reverse index weighs its postings for a window of index states (``reweigh``): passage
# counts within this share of the count it weighed them at, and each term's document
# frequency within ``TERM_SLACK`` of its own (rounded down: a term seen fewer than 1 /
# TERM_SLACK times is weighed again whenever it moves). Wider windows mean fewer weighings
# and looser bounds (more candidates, each judged exactly): a weight is a log, so these
# loosen it by about 0.02 + 0.06 = 0.08 at most, against weights of 1-14.
PASSAGE_SLACK = 0.01
TERM_SLACK = 1 / 32
# Topics holding the terms that left their windows are weighed alone unless their terms'
# postings are more than one in this many: then every posting is.
PARTIAL_SHARE = 4
# ``_Verdicts._judge`` sums a topic's matched weights in word order, as ``measure_evidence``
# iterates its frozenset of word numbers: the same order while every number is below the
# set's smallest table (8 slots); a longer topic is judged by ``measure_evidence`` itself.
_JUDGED_WORDS = 8


@dataclass(frozen=True, slots=True)
class _Shape:
    """A question word without its weight: what does not depend on the index."""

    text: str
    terms: frozenset[str]
    is_date: bool
    is_name: bool
    transferable: bool
    common: bool  # an all-lowercase everyday word (may be discounted when unknown)
    before_name: bool = False  # ``QuestionWord.before_name``


@dataclass(frozen=True, slots=True)
class _TopicFilters:
    """A topic's filters as a new article is checked against them (empty: all pass)."""

    outlets: tuple[str, ...] = ()  # the ``from:`` values as typed
    days: tuple[int, int] | None = None  # inclusive days since 1970-01-01 (``day_range_of``)
    languages: tuple[str, ...] = ()

    def admits(self, article: Article) -> bool:
        """Whether ``article`` passes, as ``ask``'s restricted search would let it through."""
        if self.outlets and not (
            article.source and any(outlet_matches(v, article.source) for v in self.outlets)
        ):
            return False
        if self.languages and article.language not in self.languages:
            return False
        if self.days is not None:
            day = _epoch_day(article.published_at)
            if day < 0 or not self.days[0] <= day <= self.days[1]:
                return False
        return True


@dataclass(slots=True)
class _TopicQuery:
    topic_id: int
    text: str  # as stored, filter words included
    question: object  # index.analysis.analyzer.AnalyzedQuestion (without the filter words)
    shapes: tuple[_Shape, ...]
    filters: _TopicFilters = _TopicFilters()
    # Every term of the topic's words: the only terms the evidence check looks at.
    terms: frozenset[str] = frozenset()
    # The same terms in a fixed order: bit j of a presence code (``_Verdicts``) is term j.
    term_order: tuple[str, ...] = ()
    # Each word's terms as bits of a presence code.
    word_bits: tuple[int, ...] = ()
    # The words weighed for one index state (``_weighed``): (generation, words).
    weighed: tuple[str, tuple[QuestionWord, ...]] | None = None
    # The evidence verdicts measured under one index state (``_verdicts_of``).
    verdicts: _Verdicts | None = None


@dataclass(frozen=True, slots=True)
class Weighings:
    """Counts of the reverse index's weighings (``TopicMatcher.weighings``)."""

    full: int  # every posting: the passage count left the window, or a new build
    partial: int  # the topics holding terms whose frequencies left their windows
    terms: int  # the terms of the partial weighings


class _NoIndex:
    """An empty index: ``question_words`` then only groups the terms into words."""

    n_docs = 1

    def document_frequency(self, term: str) -> int:
        return 0


class TopicMatcher:
    """Topics as analysed questions, with a reverse index from signature terms to topics.

    Args:
        analyzer: the index's analyzer (``IndexKeeper.analyzer``), as ``ask`` uses.
        layer: apply the ranking layer to snippet order (``IndexSettings.ranking_layer``).
    """

    def __init__(self, analyzer: AnalyzerLike, *, layer: bool) -> None:
        self.analyzer = analyzer
        self.layer = layer
        self._topics: dict[int, _TopicQuery] = {}
        self._reverse = _ReverseIndex.empty()
        self._signed = False
        self.version = -1
        # Judge the candidates together (``topic_batch``) where it reads them exactly; off,
        # every candidate goes through the per-topic rule (the tests compare the two).
        self.batch = True
        self._table: TopicTable | None = None
        self._table_topics: list[_TopicQuery] = []
        self._table_terms: list[str] = []
        self._weights = TopicWeights(0, 0)
        self._bits = ArticleBits({}, 0)
        self._cache = PassageCache(analyzer)  # type: ignore[arg-type]
        # Document frequencies and BM25 idfs per term, kept while the index generation stays.
        self._dfs: dict[str, int] = {}
        self._idfs: dict[str, float] = {}
        self._state_generation: str | None = None
        # Seconds spent building alerts (``ask``'s article check with snippets, step 3) since
        # the matcher was made: the benchmark reports them apart from finding the topics.
        self.answer_seconds = 0.0

    def __len__(self) -> int:
        return len(self._topics)

    def load(self, topics: Iterable[tuple[int, str]], now: datetime, version: int) -> None:
        """Replace the topics (id, text); the reverse index is rebuilt on the next match.

        Topics already loaded with the same text keep their analysis, so a reload after one
        /follow analyses one topic, not all of them.
        """
        known, self._topics = self._topics, {}
        for topic_id, text in topics:
            query = known.get(topic_id)
            if query is None or query.text != text:
                query = self.analyse(topic_id, text, now)
            if query is not None:
                self._topics[topic_id] = query
        self._signed = False
        self.version = version

    def analyse(self, topic_id: int, text: str, now: datetime) -> _TopicQuery | None:
        """A topic's question, word shapes and filters; None when it has no searchable word.

        Also None when a filter word cannot be applied: ``Archive.follow`` refuses such a
        topic, so only one stored before filters existed can have it, and ``ask`` on it
        would cite nothing either.
        """
        split = split_filters(text)
        try:
            filters = _topic_filters(split.words)
        except FilterError as exc:
            logger.warning("topic %s is not matched: %s %s", topic_id, exc.item, exc.reason)
            return None
        question = self.analyzer.question(split.text, now)  # type: ignore[attr-defined]
        if not question.terms:
            return None
        words = question_words(
            question.text,
            question.language,
            question.terms,
            question.date_terms,
            analyzer=self.analyzer,
            index=_NoIndex(),  # type: ignore[arg-type]
        )
        dates = set(question.date_terms)
        shapes = tuple(
            _Shape(
                text=w.text,
                terms=w.terms,
                is_date=w.is_date,
                is_name=w.is_name,
                transferable=w.transferable,
                common=_is_common_word(w.text, set(w.terms), dates),
                before_name=w.before_name,
            )
            for w in words
        )
        terms = frozenset().union(*(shape.terms for shape in shapes))
        order = tuple(sorted(terms))
        word_bits = tuple(_code(order, shape.terms.__contains__) for shape in shapes)
        return _TopicQuery(topic_id, text, question, shapes, filters, terms, order, word_bits)

    # -- the reverse index --------------------------------------------------------------------

    def _ensure_signed(self, index: SearchBackend) -> None:
        """Build the reverse index when the topics changed, and give its postings the
        weights of the index state ``index`` (``_ReverseIndex.reweigh``, once a state)."""
        if self._signed:
            self._reverse.reweigh(index)
            return
        generation, df, idfs = self._state_caches(index)
        topics = list(self._topics.values())
        self._reverse = _ReverseIndex.build(topics)
        self._reverse.reweigh(index)
        self._signed = True
        self._table = _topic_table(topics, self._reverse.term_ids)
        self._table_topics = topics
        self._table_terms = list(self._reverse.term_ids)
        self._weights = TopicWeights(len(topics), len(self._table_terms))
        self._bits = ArticleBits(self._reverse.term_ids, self._table.pad)
        idf = _idf_reader(index, df, idfs)
        if generation is not None and idf is not None:
            # Weigh every batched topic under this generation now, with the document
            # frequencies the reverse index just read, and keep the weights and the terms'
            # idf signs for the matches under it (an ingest's articles).
            df.update(self._reverse.frequencies())
            self._weights.reset(generation)
            self._weights.weigh(
                self._table,
                np.flatnonzero(self._table.batched),
                self._reverse.padded_frequencies(),
                max(index.n_docs, 1),
            )
            self._weights.signs(
                np.arange(self._table.pad),
                idf,
                self._table_terms,
                self._of_df(index),
                getattr(index, "idf_signs", None),
            )

    def _of_df(self, index: SearchBackend) -> tuple[Callable[[int], float], np.ndarray] | None:
        """The index's idf of a document frequency with the frequencies the reverse index
        read under its state, by term id (``TopicWeights.signs``); None when it has none."""
        of_df = getattr(index, "idf_of_df", None)
        if of_df is None:
            return None
        return of_df, self._reverse.padded_frequencies()

    def _state_caches(
        self, index: SearchBackend
    ) -> tuple[str | None, dict[str, int], dict[str, float]]:
        """The index generation with the document frequencies and idfs read under it so far
        (empty ones for an index without generations, kept for one call)."""
        generation = _generation_of(index)
        if generation != self._state_generation or generation is None:
            self._dfs, self._idfs, self._state_generation = {}, {}, generation
        return generation, self._dfs, self._idfs

    def weighings(self) -> Weighings:
        """What the reverse index weighed since it was built (``_ReverseIndex.reweigh``)."""
        reverse = self._reverse
        return Weighings(
            reverse.full_weighings, reverse.partial_weighings, reverse.terms_reweighed
        )

    def candidates(
        self, terms: Iterable[str], index: SearchBackend, lang: str | None = None
    ) -> set[int]:
        """Topics whose words in ``terms`` may carry enough of their weight to pass.

        ``lang``: the article's language (None: any, the union of both rules).
        """
        self._ensure_signed(index)
        return self._reverse.candidates(terms, lang)

    # -- matching -----------------------------------------------------------------------------

    def match(
        self,
        article: Article,
        passages: Sequence[Passage],
        records: Sequence[DocRecord],
        index: SearchBackend,
        *,
        topic_ids: Iterable[int] | None = None,
    ) -> list[tuple[int, ArticleAnswer]]:
        """The topics ``article`` answers, with the cited snippets ``ask`` would show.

        ``decide`` then ``render`` for each topic decided, on the same index state (what
        ``alerts --dry-run`` prints and the parity tests compare with ``ask``).

        Args:
            article: the stored article.
            passages: its passages.
            records: its passages' index records (title and passage terms), as indexed.
            index: the search index that already holds the article.
            topic_ids: check only these topics (default: the reverse index's candidates).
        """
        found = []
        for topic_id in self.decide(article, passages, records, index, topic_ids=topic_ids):
            started = time.perf_counter()
            answer = self.render(topic_id, article, passages, index)
            self.answer_seconds += time.perf_counter() - started
            if answer is not None:
                found.append((topic_id, answer))
        return found

    def decide(
        self,
        article: Article,
        passages: Sequence[Passage],
        records: Sequence[DocRecord],
        index: SearchBackend,
        *,
        topic_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """The topics ``article`` answers (ascending ids), without building their snippets.

        The decision is ``ask``'s article check (``_answer_from_article`` returns an answer)
        made without choosing any sentence: that check passes exactly when one of the
        passages it would show a snippet from holds, with the title and day, enough of the
        topic (``_ArticleView.decides``), since every passage yields at least one snippet.
        The article's analysis (passage spans, title terms, lead passages) is made once and
        shared by every topic; building the alert text is left to ``render`` (the outbox
        does it at delivery). Same arguments as ``match``.
        """
        lang = lang_or_default(article.language)
        view = _ArticleView(article, passages, records, self._cache, layer=self.layer)
        decided: list[int] = []
        if topic_ids is None:
            self._ensure_signed(index)
            generation, df, idfs = self._state_caches(index)
            view.idf = _idf_reader(index, df, idfs)
            if max(view.n_records, len(passages)) <= POSITIONS:
                decided, rows = self._decide_batch(view, lang, index, generation, df)
            else:
                rows = self._reverse.candidate_rows_in(view.record_term_sets(), lang)
            topic_ids = self._reverse.topic_ids[rows].tolist()
        else:
            generation, df, idfs = self._state_caches(index)
            view.idf = _idf_reader(index, df, idfs)
        for topic_id in topic_ids:
            if self._decide_one(view, topic_id, lang, index, generation, df):
                decided.append(topic_id)
        return sorted(decided)

    def _decide_one(
        self,
        view: _ArticleView,
        topic_id: int,
        lang: str,
        index: SearchBackend,
        generation: str | None,
        df: dict[str, int],
    ) -> bool:
        """The per-topic rule: whether the article alerts the topic (the reference that
        ``topic_batch`` follows for the topics it judges together)."""
        query = self._topics.get(topic_id)
        if query is None or not query.filters.admits(view.article):
            return False
        verdicts = _verdicts_of(query, index, generation, df)
        cross = lang != query.question.language  # type: ignore[attr-defined]
        # Evidence only grows with terms: when the whole article is not enough, or no
        # single passage (with the title and day, as the index holds it) is, ask's check
        # cannot pass either, and no span work is spent on it. The check reads only
        # which of the topic's terms are present (a presence code, ``_Verdicts``), so
        # each code is measured once per topic and index state.
        held, codes = view.record_codes(query.term_order)
        if not verdicts.enough(held, cross):
            return False
        if not any(verdicts.enough(code, cross) for code in codes):
            return False
        return view.decides(query, verdicts, cross, index)

    def _decide_batch(
        self,
        view: _ArticleView,
        lang: str,
        index: SearchBackend,
        generation: str | None,
        df: dict[str, int],
    ) -> tuple[list[int], np.ndarray]:
        """The reverse index's candidates (rows) from the article's arrays, and those
        ``topic_batch`` judges: the topics it decides to alert, and the rows left to the
        per-topic rule (``_decide_one``): all of them without the ranking layer (the
        candidate passages are then read in BM25 order) or an index that gives idfs."""
        bits = self._bits
        try:
            ids, where = bits.lookup(view.record_bits)
            day = bits.ids_of(view.day)
            every = np.full(day.size, EVERYWHERE, dtype=np.uint64)
            # The day's terms last: a term of both is held at every record.
            records = bits.array(np.concatenate([ids, day]), np.concatenate([where, every]))
            held = np.unique(np.concatenate([ids, day]))
            rows = self._reverse.candidate_rows(held, records[held], view.n_records, lang)
            table, idf = self._table, view.idf
            if not (self.batch and self.layer) or table is None or idf is None:
                return [], rows
            same = table.languages.get(lang, -1)
            batched = table.batched[rows] & (table.language[rows] == same)
            mine, rest = rows[batched], rows[~batched]
            weights = self._weights
            if generation is None or weights.generation != generation:
                weights.reset(generation)
            weights.weigh(
                table,
                mine[~weights.filled[mine]],
                self._reverse.padded_frequencies(),
                max(index.n_docs, 1),
            )
            if view.indexed_bits is view.record_bits:
                indexed = bits.array(ids, where)
            else:
                indexed = bits.of(view.indexed_bits)
            arrays = ArticleArrays(bits, records, view.n_records, indexed)
            outcome = decide_rows(
                table,
                weights,
                mine,
                view,
                arrays,
                idf,
                self._table_terms,
                self._of_df(index),
                getattr(index, "idf_signs", None),
            )
        finally:
            bits.release()
        decided = self._reverse.topic_ids[outcome.decided].tolist()
        return decided, np.concatenate([rest, outcome.referred])

    def render(
        self,
        topic_id: int,
        article: Article,
        passages: Sequence[Passage],
        index: SearchBackend,
    ) -> ArticleAnswer | None:
        """A decided alert's cited snippets and citation, as ``ask`` would show them.

        None when the topic is gone or, on a later index state than the decision's, when
        ``ask``'s check no longer passes (the weights moved with the archive).
        """
        query = self._topics.get(topic_id)
        if query is None:
            return None
        words = _weighed(query, index, _generation_of(index), {})
        return self._answer(query, words, article, passages, index)

    def _answer(
        self,
        query: _TopicQuery,
        words: Sequence[QuestionWord],
        article: Article,
        passages: Sequence[Passage],
        index: SearchBackend,
    ) -> ArticleAnswer | None:
        """``ask``'s article check and snippets for one article.

        ``words`` are the topic's question words with today's weights (``_weigh``, equal to
        ``evidence.question_words`` on the same index, which tests check).
        """
        question = query.question
        ranked = _ranked(question, article, passages, index)
        if not ranked:
            return None
        ranked_article = RankedArticle(article.article_id, ranked[0].score, tuple(ranked))
        return _answer_from_article(
            ranked_article,
            article,
            {p.passage_id: p for p in passages},
            words,
            question,  # type: ignore[arg-type]
            self._cache,
            present=None,
            wanted_type=answer_type_of(question.text),  # type: ignore[attr-defined]
            layer=self.layer,
            reads=_ArticlePassages(passages),  # type: ignore[arg-type]
        )


def _ranked(
    question: object, article: Article, passages: Sequence[Passage], index: SearchBackend
) -> list[RankedPassage]:
    """The article's passages ``ask`` checks for a question: BM25 order, score above 0."""
    ids = [p.passage_id for p in passages]
    scores = index.score_passages(question.terms, ids)  # type: ignore[attr-defined]
    return sorted(
        (
            RankedPassage(pid, article.article_id, float(score))
            for pid, score in zip(ids, scores.tolist(), strict=True)
            if score > 0
        ),
        key=lambda p: (-p.score, p.passage_id),
    )[:PASSAGES_CHECKED_PER_ARTICLE]


class _ArticleView:
    """One new article as every topic's decision reads it, analysed once.

    ``_answer_from_article`` (not relaxed) returns an answer exactly when it passes its
    first check (all candidate passages' terms with the title and day) and one of the
    passages it takes snippets from is ``acceptable``: that passage's span terms with the
    title and day carry enough of the topic. Every passage yields a snippet
    (``choose_snippets`` returns at least one unit), and the acceptance does not depend on
    which sentence was chosen, so the sentence choice (the costly part) cannot change the
    decision. The passages it takes snippets from: with the ranking layer, the candidates
    plus the lead passages (``_with_lead``); without it, the first ``SNIPPETS_PER_ARTICLE``
    candidates. The term sets are what ``_answer_from_article`` computes through the same
    ``PassageCache``.

    Each term set is kept as bits: a term maps to the passages (by position) whose set
    holds it (``_term_bits``), so a topic reads its few terms' bits instead of building
    unions of the article's terms, and a passage's presence code for a topic (which of the
    topic's terms it holds) is a few bit operations. The analysed sets (document terms,
    span terms) are added per passage when a topic first needs them.
    """

    def __init__(
        self,
        article: Article,
        passages: Sequence[Passage],
        records: Sequence[DocRecord],
        cache: PassageCache,
        *,
        layer: bool,
    ) -> None:
        self.article = article
        self.passages = passages
        self.records = records
        self.position = {p.passage_id: i for i, p in enumerate(passages)}
        self.cache = cache
        self.layer = layer
        self.lang = lang_or_default(article.language)
        self.idf: Callable[[str], float] | None = None  # ``_idf_reader``, set by ``decide``
        self._reads = _ArticlePassages(passages)
        self.day = frozenset(_day_terms(article))
        # By record position: each record's indexed terms (title included), as the index
        # holds the passage; the day's terms go with every record (``record_codes``).
        self.record_bits = _term_bits(record.terms for record in records)
        self.n_records = len(records)
        # By passage position: the indexed terms the index scores each passage on.
        if [r.passage_id for r in records] == [p.passage_id for p in passages]:
            self.indexed_bits = self.record_bits
        else:
            by_passage = {record.passage_id: record.terms for record in records}
            self.indexed_bits = _term_bits(by_passage.get(p.passage_id, ()) for p in passages)
        self._article_terms: frozenset[str] | None = None
        self._document_bits: dict[str, int] = {}
        self._document_done = 0
        self._span_bits: dict[str, int] = {}
        self._span_done = 0
        self._shown: dict[tuple[int, ...], tuple[int, ...]] = {}

    def record_term_sets(self) -> list[frozenset[str]]:
        """Each record's terms with the day's, what the reverse index filters on."""
        return [self.day.union(record.terms) for record in self.records]

    def record_codes(self, order: Sequence[str]) -> tuple[int, list[int]]:
        """The topic's presence code in the whole article, and the distinct codes of the
        records (each with the day).

        ``order``: the topic's terms; bit j of a code is ``order[j]`` being present.
        """
        get = self.record_bits.get
        day = self.day
        held = dated = 0
        codes = [0] * self.n_records
        for j, term in enumerate(order):
            bit = 1 << j
            if term in day:
                dated |= bit
            where = get(term, 0)
            if where:
                held |= bit
                for i in _positions(where):
                    codes[i] |= bit
        if dated:
            held |= dated
            return held, list(dict.fromkeys(code | dated for code in codes))
        return held, list(dict.fromkeys(codes))

    def decides(
        self, query: _TopicQuery, verdicts: _Verdicts, cross: bool, index: SearchBackend
    ) -> bool:
        """Whether ``_answer_from_article`` would return an answer for this topic."""
        question = query.question
        candidates = self._scored_without_order(question, verdicts, index)
        if candidates is None:
            candidates = tuple(
                self.position[ranked.passage_id]
                for ranked in _ranked(question, self.article, self.passages, index)
                if ranked.passage_id in self.position
            )
        if not candidates:
            return False
        order = query.term_order
        article_terms = self.article_terms()
        wanted = _mask(candidates)
        documents = self.document_terms(wanted).get
        titled = best_case = 0
        for j, term in enumerate(order):
            if term in article_terms:
                titled |= 1 << j
            elif documents(term, 0) & wanted:
                best_case |= 1 << j
        if not verdicts.enough(titled | best_case, cross):
            return False
        shown = self.shown_of(candidates)
        spans = self.span_terms(_mask(shown))
        bits = [spans.get(term, 0) for term in order]
        for position in shown:
            code = titled
            for j, where in enumerate(bits):
                if where >> position & 1:
                    code |= 1 << j
            if verdicts.enough(code, cross):
                return True
        return False

    def shown_of(self, candidates: tuple[int, ...]) -> tuple[int, ...]:
        """The passages (positions) ``_answer_from_article`` takes snippets from."""
        shown = self._shown.get(candidates)
        if shown is None:
            if self.layer:
                ranked = [
                    (RankedPassage(self.passages[i].passage_id, self.article.article_id, 1.0),
                     self.passages[i])
                    for i in candidates
                ]  # fmt: skip
                joined = _with_lead(ranked, self.article, self._reads)  # type: ignore[arg-type]
                shown = tuple(self.position[p.passage_id] for _, p in joined)
            else:
                shown = candidates[:SNIPPETS_PER_ARTICLE]
            self._shown[candidates] = shown
        return shown

    def _scored_without_order(
        self, question: object, verdicts: _Verdicts, index: SearchBackend
    ) -> tuple[int, ...] | None:
        """``_ranked``'s passages (positions) without scoring them, when their order cannot
        matter.

        With the ranking layer, the decision reads which passages ``_ranked`` keeps, not
        their order, as long as no more than ``PASSAGES_CHECKED_PER_ARTICLE`` score above
        0 (none is cut). When every known question term has a positive idf, each of its
        BM25 parts is positive (weight × a positive tf part), so a passage scores above 0
        exactly when its indexed terms hold one of them. None (score them) otherwise: no
        layer, an idf at or below 0 (the engine's floor on a tiny corpus), too many.
        """
        if not self.layer or self.idf is None:
            return None
        positive = verdicts.positive_terms(question.terms, self.idf)  # type: ignore[attr-defined]
        if positive is None:
            return None
        get = self.indexed_bits.get
        kept = 0
        for term in positive:
            kept |= get(term, 0)
        if kept.bit_count() > PASSAGES_CHECKED_PER_ARTICLE:
            return None
        return tuple(_positions(kept))

    def article_terms(self) -> frozenset[str]:
        """The title's and day's terms (``assemble._article_terms``)."""
        if self._article_terms is None:
            self._article_terms = frozenset(_article_terms(self.article, self.cache))
        return self._article_terms

    def document_terms(self, wanted: int) -> dict[str, int]:
        """Terms by the passages whose document terms hold them (``PassageCache.document_terms``,
        the first check's), with at least the ``wanted`` passages added."""
        missing = wanted & ~self._document_done
        for i in _positions(missing):
            passage = self.passages[i]
            terms = self.cache.document_terms(passage.text, self.lang, self.article.published_at)
            _add_bits(self._document_bits, terms, i)
        self._document_done |= missing
        return self._document_bits

    def span_terms(self, wanted: int) -> dict[str, int]:
        """Terms by the passages whose span terms hold them (``PassageCache.term_spans``,
        what ``acceptable`` measures), with at least the ``wanted`` passages added."""
        missing = wanted & ~self._span_done
        for i in _positions(missing):
            passage = self.passages[i]
            spans = self.cache.term_spans(passage.text, self.lang, self.article.published_at)
            _add_bits(self._span_bits, {span.term for span in spans}, i)
        self._span_done |= missing
        return self._span_bits


class _Verdicts:
    """A topic's evidence verdicts by presence code, under one index state.

    ``measure_evidence`` reads only which of the topic's words have a term present, so its
    verdict is a function of the matched words and of whether the article is in another
    language. A presence code (bit j: ``term_order[j]`` present) is turned into the matched
    words' bits, and each such set is judged once per topic and index state: the passages
    of one article, and the articles a broad topic is a candidate for, repeat a few of them.
    Also kept per index state: the topic's terms with a positive BM25 idf
    (``_ArticleView._scored_without_order``).

    The judgement (``_judge``) is ``measure_evidence``'s with what does not depend on the
    matched words computed once: the same sums in the same order, so the same floats.
    ``tests/index/test_follow.py`` checks it against ``measure_evidence`` on every set of
    matched words.
    """

    __slots__ = ("_carried", "_keys", "_known", "_negative", "_positive", "_total",
                 "_weights", "generation", "word_bits", "words")  # fmt: skip

    def __init__(
        self, generation: str | None, word_bits: tuple[int, ...], words: tuple[QuestionWord, ...]
    ) -> None:
        self.generation = generation
        self.word_bits = word_bits
        self.words = words
        self._weights = [word.weight for word in words]
        self._total = sum(word.weight for word in words)
        self._keys = _mask(key_word_indexes(words))
        # The words counted in another language whether matched or not (``measure_evidence``).
        self._carried = _mask(
            i for i, w in enumerate(words) if w.transferable and (w.known or w.is_name)
        )
        self._positive: tuple[str, ...] | None = None
        self._negative = False
        self._known: dict[int, bool] = {}

    def positive_terms(
        self, terms: Iterable[str], idf: Callable[[str], float]
    ) -> tuple[str, ...] | None:
        """``terms`` (the question's) whose BM25 idf is above 0; None when one is below 0."""
        if self._positive is None and not self._negative:
            values = {term: idf(term) for term in terms}
            self._negative = any(value < 0 for value in values.values())
            self._positive = tuple(term for term, value in values.items() if value > 0)
        return None if self._negative else self._positive

    def enough(self, code: int, cross: bool) -> bool:
        """``measure_evidence(words, present terms, cross_language=cross).enough``."""
        matched = 0
        bit = 1
        for word_bits in self.word_bits:
            if code & word_bits:
                matched |= bit
            bit <<= 1
        key = matched << 1 | cross
        verdict = self._known.get(key)
        if verdict is None:
            verdict = self._known[key] = self._judge(matched, cross)
        return verdict

    def _judge(self, matched: int, cross: bool) -> bool:
        """``measure_evidence(...).enough`` for the words whose bits are in ``matched``."""
        words = self.words
        if len(words) > _JUDGED_WORDS:
            present = [t for i, w in enumerate(words) if matched >> i & 1 for t in w.terms]
            return measure_evidence(words, present, cross_language=cross).enough
        if not matched or self._keys & ~matched:
            return False
        weights = self._weights
        if cross:
            if matched.bit_count() < MIN_CROSS_LANGUAGE_MATCHES:
                return False
            counted = [i for i in range(len(words)) if (matched | self._carried) >> i & 1]
            total = sum(weights[i] for i in counted)
        else:
            counted = list(range(len(words)))
            total = self._total
        weight = sum(weights[i] for i in range(len(words)) if matched >> i & 1)
        coverage = weight / total if total > 0 else 0.0
        return coverage >= MIN_COVERAGE or _carries_compound_question(words, counted, weight)


def _verdicts_of(
    query: _TopicQuery, index: SearchBackend, generation: str | None, df: dict[str, int]
) -> _Verdicts:
    """The topic's verdicts for today's weights (``_weighed``), kept per index generation."""
    words = _weighed(query, index, generation, df)
    verdicts = query.verdicts
    if verdicts is None or verdicts.generation != generation or verdicts.words is not words:
        verdicts = _Verdicts(generation, query.word_bits, words)
        if generation is not None:
            query.verdicts = verdicts
    return verdicts


def _idf_reader(
    index: SearchBackend, dfs: dict[str, int], idfs: dict[str, float]
) -> Callable[[str], float] | None:
    """The index's BM25 idf of a term (``SearchIndex.idf``), kept in ``idfs``; from the
    document frequency in ``dfs`` (the topics' weights read them) when the index can tell
    (``idf_of_df``). None when the index gives no idf."""
    idf = getattr(index, "idf", None)
    if idf is None:
        return None
    of_df = getattr(index, "idf_of_df", None)

    def read(term: str) -> float:
        value = idfs.get(term)
        if value is None:
            if of_df is None:
                value = float(idf(term))
            else:
                df = dfs.get(term)
                if df is None:
                    df = dfs[term] = index.document_frequency(term)
                value = float(of_df(df))
            idfs[term] = value
        return value

    return read


def _term_bits(term_sets: Iterable[Iterable[str]]) -> dict[str, int]:
    """Each term with the positions of the sets holding it, as bits."""
    bits: dict[str, int] = {}
    for i, terms in enumerate(term_sets):
        _add_bits(bits, terms, i)
    return bits


def _add_bits(bits: dict[str, int], terms: Iterable[str], position: int) -> None:
    bit = 1 << position
    get = bits.get
    for term in terms:
        bits[term] = get(term, 0) | bit


def _positions(bits: int) -> Iterator[int]:
    """The set bits' positions, lowest first."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def _mask(positions: Iterable[int]) -> int:
    out = 0
    for i in positions:
        out |= 1 << i
    return out


def _code(order: Sequence[str], present: Callable[[str], bool]) -> int:
    """The presence code of ``order``'s terms for which ``present`` holds."""
    code = 0
    for j, term in enumerate(order):
        if present(term):
            code |= 1 << j
    return code


def _topic_filters(words: Sequence[FilterWord]) -> _TopicFilters:
    """The filters a topic's filter words name.

    Dates and languages are checked by ``resolve_filters`` (the same reasons as ``ask``);
    ``from:`` values are kept as typed and matched against each new article's outlet.

    Raises:
        FilterError: a filter word that cannot be applied.
    """
    if not words:
        return _TopicFilters()
    outlets = tuple(w.value.strip() for w in words if w.key == "from")
    if any(not value for value in outlets):
        raise FilterError("from: needs a value", "from:")
    checked = resolve_filters([w for w in words if w.key != "from"], ())
    return _TopicFilters(outlets, day_range_of(checked), checked.languages)


def _epoch_day(value: datetime | None) -> int:
    """Days since 1970-01-01 in UTC, -1 when undated: the day the index holds for a passage.

    The same as ``index.indexing.epoch_day``, which this stage may not import (a sibling);
    the parity test (``tests/index/test_follow.py``) checks the windows agree with ``ask``.
    """
    if value is None:
        return -1
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value.astimezone(UTC).date() - date(1970, 1, 1)).days


class _ArticlePassages:
    """The one article's passages as the ``PassageSource`` read for its lead passages."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._by_id = {p.passage_id: p for p in passages}

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, Passage]:
        return {pid: self._by_id[pid] for pid in ids if pid in self._by_id}


def _topic_table(topics: Sequence[_TopicQuery], term_ids: dict[str, int]) -> TopicTable:
    """``topics`` (the reverse index's rows) as ``topic_batch`` reads them."""
    return TopicTable.build(
        [
            TableRow(
                words=[shape.terms for shape in query.shapes],
                question_terms=frozenset(query.question.terms),  # type: ignore[attr-defined]
                language=query.question.language,  # type: ignore[attr-defined]
                filtered=query.filters != _TopicFilters(),
                names=[shape.is_name for shape in query.shapes],
                common=[shape.common for shape in query.shapes],
            )
            for query in topics
        ],
        term_ids,
    )


def _generation_of(index: SearchBackend) -> str | None:
    """The index state's identifier (``SearchIndex.generation``), None when it has none.

    It changes with every swap, added delta and removal, so weights computed under one
    generation are exactly those of any later call under the same one.
    """
    generation = getattr(index, "generation", None)
    return generation() if callable(generation) else None


def _weighed(
    query: _TopicQuery, index: SearchBackend, generation: str | None, df: dict[str, int]
) -> tuple[QuestionWord, ...]:
    """``_weigh`` of a topic's words, kept per topic while the index generation stays.

    The articles of one match batch are matched against one index state, and a topic that
    many of them hit (a broad topic) was weighed again for each: with the generation as the
    key the words are the same objects ``_weigh`` would compute again.
    """
    if generation is not None and query.weighed is not None and query.weighed[0] == generation:
        return query.weighed[1]
    words = _weigh(query.shapes, index, df)
    if generation is not None:
        query.weighed = (generation, words)
    return words


def _weigh(
    shapes: Sequence[_Shape], index: SearchBackend, df: dict[str, int]
) -> tuple[QuestionWord, ...]:
    """Question words with the weights ``evidence.question_words`` gives them today.

    The same rules in the same order (rarest known term's idf; an unknown word at the weight
    of a term seen once, one unknown everyday word beside enough known ones discounted);
    ``df`` caches document frequencies across the topics of one match.
    """
    n_docs = max(index.n_docs, 1)
    known_dfs = []
    for shape in shapes:
        found = []
        for term in shape.terms:
            value = df.get(term)
            if value is None:
                value = df[term] = index.document_frequency(term)
            if value > 0:
                found.append(value)
        known_dfs.append(found)
    unknown_common = [i for i, s in enumerate(shapes) if not known_dfs[i] and s.common]
    n_known = sum(1 for found in known_dfs if found)
    discounted = (
        set(unknown_common)
        if len(unknown_common) <= MAX_COMMON_UNKNOWN and n_known >= MIN_KNOWN_FOR_DISCOUNT
        else set()
    )
    unknown_weight = evidence_idf(1, n_docs)
    common_weight = evidence_idf(max(1, math.ceil(COMMON_UNKNOWN_DF_SHARE * n_docs)), n_docs)
    words = []
    for i, shape in enumerate(shapes):
        found = known_dfs[i]
        if found:
            weight = evidence_idf(min(found), n_docs)
        elif i in discounted:
            weight = common_weight
        else:
            weight = unknown_weight
        words.append(
            QuestionWord(
                text=shape.text,
                terms=shape.terms,
                weight=weight,
                known=bool(found),
                is_date=shape.is_date,
                is_name=shape.is_name,
                transferable=shape.transferable,
                before_name=shape.before_name,
            )
        )
    return tuple(words)


@dataclass(frozen=True, slots=True)
class _WordTable:
    """The reverse index's topic words as arrays, for bounding their weights all at once or
    topic by topic.

    Words are numbered topic by topic in word order (topic t's are ``word_start[t]`` up to
    ``word_start[t + 1]``); ``term_of`` lists each word's terms (as term ids of the reverse
    index), word after word (word w's from ``term_start[w]`` up to ``term_start[w + 1]``),
    and ``entry_posting`` is where each of those sits among the index's postings.
    """

    term_of: np.ndarray  # (entries,) int64: the words' terms, word after word
    topic_of: np.ndarray  # (words,) int64: the word's topic (row)
    common: np.ndarray  # (words,) bool: ``_Shape.common``
    n_words: np.ndarray  # (topics,) int64
    word_start: np.ndarray  # (topics + 1,) int64
    term_start: np.ndarray  # (words + 1,) int64
    entry_posting: np.ndarray  # (entries,) int64: the entry's posting in the index's order

    @classmethod
    def of(
        cls, shapes: Sequence[Sequence[_Shape]], term_ids: dict[str, int] | None = None
    ) -> _WordTable:
        """The words of topics given by their shapes, in row order (``term_ids``: the reverse
        index's, holding every term of them); ``entry_posting`` is the identity until the
        index sorts its postings (``_ReverseIndex.build``)."""
        ids = term_ids or {}
        terms = np.asarray(
            [ids[term] for words in shapes for shape in words for term in shape.terms],
            dtype=np.int64,
        )
        n_terms = np.asarray([len(s.terms) for words in shapes for s in words], dtype=np.int64)
        n_words = np.asarray([len(words) for words in shapes], dtype=np.int64)
        return cls(
            terms,
            np.repeat(np.arange(n_words.size, dtype=np.int64), n_words),
            np.asarray([s.common for words in shapes for s in words], dtype=bool),
            n_words,
            _starts(n_words),
            _starts(n_terms),
            np.arange(terms.size, dtype=np.int64),
        )

    def bounds(
        self, term_hi: np.ndarray, term_lo: np.ndarray, window: _Window, topics: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The postings of ``topics``' words (all topics when None), each with the largest
        weight its word can have in ``window``, and each topic's smallest bar there.

        ``term_hi`` / ``term_lo`` (by term id): the largest and smallest ``evidence_idf`` a
        term can have in the window, -inf for a term the index does not hold (which stays
        so in the window). Returns (posting positions, their weights, the topics' bars).

        ``_weigh``'s rules bounded: a known word weighs its rarest known term's
        ``evidence_idf``, the largest of its terms' (each term's largest bounds it from
        above, each term's smallest from below); an unknown word weighs as a term seen
        once, or, as the one unknown everyday word of a topic with enough known words, as
        a common word (``window.unknown`` and ``window.discounted`` bound those). Which
        words are known is the same everywhere in the window, so the discount is too. The
        bar is ``MIN_COVERAGE`` of the total or, for a long topic, the weight of its
        ``COMPOUND_WORDS`` heaviest words if lower, from the smallest weights (both only
        grow with the weights), less ``FILTER_ROUNDING``.
        """
        if topics is None:
            n_topics = self.n_words.size
            words_per_topic = self.n_words
            common = self.common
            entries = None
            n_terms = np.diff(self.term_start)
        else:
            n_topics = topics.size
            words_per_topic = self.n_words[topics]
            words = _ranges(self.word_start[topics], words_per_topic)
            common = self.common[words]
            n_terms = self.term_start[words + 1] - self.term_start[words]
            entries = _ranges(self.term_start[words], n_terms)
        n_words = int(words_per_topic.sum())
        local_topic = np.repeat(np.arange(n_topics, dtype=np.int64), words_per_topic)
        terms = self.term_of if entries is None else self.term_of[entries]
        starts = _starts(n_terms)[:-1]
        if terms.size == n_words:
            hi, lo = term_hi[terms], term_lo[terms]
        else:
            hi = np.maximum.reduceat(term_hi[terms], starts) if n_words else np.zeros(0)
            lo = np.maximum.reduceat(term_lo[terms], starts) if n_words else np.zeros(0)
        unknown = np.flatnonzero(np.isneginf(hi))
        if unknown.size:
            topic_of = local_topic[unknown]
            known = words_per_topic - np.bincount(topic_of, minlength=n_topics)
            unknown_common = np.bincount(topic_of, weights=common[unknown], minlength=n_topics)
            discounting = (unknown_common <= MAX_COMMON_UNKNOWN) & (
                known >= MIN_KNOWN_FOR_DISCOUNT
            )
            cut = common[unknown] & discounting[topic_of]
            hi[unknown] = np.where(cut, window.discounted[1], window.unknown[1])
            lo[unknown] = np.where(cut, window.discounted[0], window.unknown[0])
        needed = MIN_COVERAGE * np.bincount(local_topic, weights=lo, minlength=n_topics)
        long = words_per_topic > 2 * COMPOUND_WORDS
        if long.any():
            # The lightest bound of each long topic's heaviest words: its words sorted by
            # their smallest weight, the first ``COMPOUND_WORDS`` of each topic summed.
            mine = long[local_topic]
            rows, values = local_topic[mine], lo[mine]
            order = np.lexsort((-values, rows))
            rows, values = rows[order], values[order]
            top = np.arange(rows.size) - np.searchsorted(rows, rows) < COMPOUND_WORDS
            heaviest = np.bincount(rows[top], weights=values[top], minlength=n_topics)
            needed[long] = np.minimum(needed[long], heaviest[long])
        word_of_entry = np.repeat(np.arange(n_words, dtype=np.int64), n_terms)
        postings = self.entry_posting if entries is None else self.entry_posting[entries]
        return postings, hi[word_of_entry], needed * (1.0 - FILTER_ROUNDING)


@dataclass(frozen=True, slots=True)
class _Window:
    """The index states a weighing of the reverse index holds for: passage counts from
    ``n_docs[0]`` to ``n_docs[1]``, with the bounds of the weights that do not depend on a
    term (an unknown word's, a discounted common word's) over those counts.

    Each term's frequency has a window of its own (``_ReverseIndex``: within ``slack`` of
    the frequency it was weighed at)."""

    n_docs: tuple[int, int]
    unknown: tuple[float, float]  # smallest, largest
    discounted: tuple[float, float]

    @classmethod
    def around(cls, n_docs: int) -> _Window:
        """The window of passage counts within ``PASSAGE_SLACK`` of ``n_docs``: an
        ``evidence_idf`` is log((n + 1) / (df + 0.5)), which grows with n, so its bounds are
        at the window's ends (a common word's frequency, ``ceil(share × n)``, grows with n
        too: the smallest weight has the largest frequency and the smallest count)."""
        slack = int(PASSAGE_SLACK * n_docs)
        low, high = max(n_docs - slack, 1), n_docs + slack

        def common(n: int) -> int:
            return max(1, math.ceil(COMMON_UNKNOWN_DF_SHARE * n))

        return cls(
            (low, high),
            (evidence_idf(1, low), evidence_idf(1, high)),
            (evidence_idf(common(high), low), evidence_idf(common(low), high)),
        )

    def holds(self, n_docs: int) -> bool:
        return self.n_docs[0] <= n_docs <= self.n_docs[1]


def _starts(counts: np.ndarray) -> np.ndarray:
    """Where each of ``counts``' runs starts, with the total last."""
    out = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ranges ``starts[i]`` up to ``starts[i] + lengths[i]``."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total, dtype=np.int64)


class _ReverseIndex:
    """Topic words by term, in flat arrays: one posting per (term, topic, word).

    For an article, the postings of its terms are gathered and summed per topic with
    ``np.bincount``: the weight of each topic's words the article holds (an upper bound: a
    word with two terms, a name and its fold key, may count twice) and how many of them. A
    topic in the article's language is a candidate when that weight reaches ``MIN_COVERAGE``
    of its total or, for a topic of more than ``2 * COMPOUND_WORDS`` words, its
    ``COMPOUND_WORDS`` heaviest words' weight (the gate's compound rule), both less
    ``FILTER_ROUNDING``; in another language when at least ``MIN_CROSS_LANGUAGE_MATCHES``
    words match. The work is one dictionary lookup per article term plus numpy over the
    postings those terms have.

    The weights are bounds for the index states of a window (``reweigh``): every posting at
    least its word's weight and every bar at most the gate's in any state of the window
    (``_WordTable.bounds``), so the filter keeps every topic the gate's weight rule passes,
    whatever moved since the build (a burst of articles on a name, a word the index did not
    hold, the index's growth), and the index is rebuilt only when the topics change.
    """

    def __init__(
        self,
        term_ids: dict[str, int],
        indptr: np.ndarray,
        postings: np.ndarray,
        topic_ids: np.ndarray,
        langs: np.ndarray,
        words: _WordTable,
    ) -> None:
        self.term_ids = term_ids
        self.terms = tuple(term_ids)  # by term id (``document_frequencies`` keeps its ids)
        self.indptr = indptr
        self.postings = postings
        self.topic_ids = topic_ids
        self.langs = langs
        self.words = words
        self._codes = frozenset(np.unique(langs).tolist())
        self._slots = np.zeros(topic_ids.size, dtype=np.int64)
        # Set by ``reweigh``: each posting's largest weight and each topic's smallest bar
        # in ``_window`` and the terms' windows (within ``_slack`` of ``_anchor``), and the
        # frequencies of the state ``_weighed_at`` names (its generation and passage count),
        # by term id, read since ``_mark`` (the index's, when it tells what moved).
        self.weights = np.zeros(postings.size, dtype=np.float64)
        self.needed = np.full(topic_ids.size, np.inf, dtype=np.float64)
        self._df = np.zeros(len(self.terms), dtype=np.int64)
        self._padded = np.zeros(len(self.terms) + 1, dtype=np.int64)
        self._anchor = np.zeros(len(self.terms), dtype=np.int64)
        self._slack = np.zeros(len(self.terms), dtype=np.int64)
        self._hi = np.zeros(len(self.terms), dtype=np.float64)
        self._lo = np.zeros(len(self.terms), dtype=np.float64)
        self._n_docs = 1
        self._window: _Window | None = None
        self._mark: object | None = None
        self._weighed_at: tuple[str, int] | None = None
        # What ``reweigh`` did since the build (the alerts bench reports it): weighings of
        # every posting, and of the topics holding a term that left its window.
        self.full_weighings = 0
        self.partial_weighings = 0
        self.terms_reweighed = 0

    @classmethod
    def empty(cls) -> _ReverseIndex:
        none = np.zeros(0, dtype=np.int32)
        return cls({}, np.zeros(1, dtype=np.int64), none, none.astype(np.int64),
                   none.astype(np.int8), _WordTable.of([]))  # fmt: skip

    @classmethod
    def build(cls, topics: Iterable[_TopicQuery]) -> _ReverseIndex:
        """The index over ``topics``' words, without weights (``reweigh`` gives them)."""
        term_ids: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        topic_ids: list[int] = []
        langs: list[int] = []
        shapes: list[Sequence[_Shape]] = []
        for number, query in enumerate(topics):
            topic_ids.append(query.topic_id)
            langs.append(_LANG_CODES.get(query.question.language, 0))  # type: ignore[attr-defined]
            shapes.append(query.shapes)
            for shape in query.shapes:
                for term in shape.terms:
                    rows.append(term_ids.setdefault(term, len(term_ids)))
                    cols.append(number)
        words = _WordTable.of(shapes, term_ids)
        order = np.argsort(np.asarray(rows, dtype=np.int64), kind="stable")
        counts = np.bincount(np.asarray(rows, dtype=np.int64), minlength=len(term_ids))
        indptr = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        where = np.empty(order.size, dtype=np.int64)
        where[order] = np.arange(order.size, dtype=np.int64)
        return cls(
            term_ids,
            indptr,
            np.asarray(cols, dtype=np.int32)[order],
            np.asarray(topic_ids, dtype=np.int64),
            np.asarray(langs, dtype=np.int8),
            replace(words, entry_posting=where),
        )

    def reweigh(self, index: SearchBackend) -> None:
        """Bound the postings' weights and the topics' bars for ``index``'s state, and read
        its document frequencies (``padded_frequencies``), once per index generation (every
        call for an index without one).

        The reverse index is a filter: a candidate is then judged with the state's exact
        weights (``TopicWeights.weigh``, ``_weigh``). So its postings need not weigh what
        they weigh today, only at least that, and its bars at most the gate's. They are
        weighed for a window of states: passage counts within ``PASSAGE_SLACK`` of the count
        they were weighed at, and each term's frequency within ``TERM_SLACK`` of the one it
        was weighed at (``_anchor``; a term the index did not hold stays unheld). In any
        state of the window, a posting weighs at least its word's ``_weigh`` weight and a
        topic's bar is at most the gate's (``_WordTable.bounds``). Proof that a topic the
        gate passes on a record (its language's rule: ``measure_evidence``, not across
        languages) stays a candidate: with M the words the record holds, the gate passes
        when their weight W_M reaches ``MIN_COVERAGE`` of the topic's total weight T or,
        for a long topic, the weight H of its ``COMPOUND_WORDS`` heaviest words. The
        record's postings of the topic sum at least W_M (each word of M has a posting for a
        term the record holds; each posting weighs at least its word), and the bar is at
        most min(``MIN_COVERAGE`` × T, H) (T and H only grow with the weights and each
        weight is at least its lower bound), so the postings reach the bar. The key-word
        rule only takes topics away; the cross-language rule counts matched words, not
        weights. ``FILTER_ROUNDING`` covers the sums' order and numpy's log against
        ``math.log``.

        Under a new state only what moved is read (``SearchIndex.moved_frequencies``, or
        every frequency compared with the last for an index without it). When the passage
        count leaves the window every posting is weighed again around it; else the topics
        holding a term whose frequency left its window are, around that term's frequency
        today (an ingest of one article moves a few hundred terms; the common ones stay in
        their windows, the rare ones have few topics).
        """
        generation = _generation_of(index)
        n_docs = max(index.n_docs, 1)
        if generation is not None and self._weighed_at == (generation, n_docs):
            return
        self._weighed_at = None if generation is None else (generation, n_docs)
        self._n_docs = n_docs
        if not self.terms:
            return
        positions, frequencies, every = self._moved(index)
        self._df[positions] = frequencies
        self._padded[positions] = frequencies
        window = self._window
        if every or window is None or not window.holds(n_docs):
            self._weigh_all(n_docs)
            return
        left = np.abs(frequencies - self._anchor[positions]) > self._slack[positions]
        escaped = positions[left]
        if escaped.size:
            self._weigh_terms(escaped, window)

    def _moved(self, index: SearchBackend) -> tuple[np.ndarray, np.ndarray, bool]:
        """The term ids whose frequency moved since the last read, their frequencies now,
        and whether those are every term (a first read, or an index that cannot tell)."""
        moved_frequencies = getattr(index, "moved_frequencies", None)
        if moved_frequencies is not None:
            found = moved_frequencies(self.terms, self._mark)
            self._mark = found.mark
            return found.positions, found.frequencies, found.every
        df = np.asarray(index.document_frequencies(self.terms), dtype=np.int64)
        if self._window is None:
            return np.arange(df.size), df, True
        moved = np.flatnonzero(df != self._df)
        return moved, df[moved], False

    def _weigh_all(self, n_docs: int) -> None:
        """Weigh every posting and bar for the window around ``n_docs`` and today's
        frequencies."""
        self.full_weighings += 1
        window = self._window = _Window.around(n_docs)
        self._anchor = self._df.copy()
        self._slack = (self._anchor * TERM_SLACK).astype(np.int64)
        hi, lo = self._term_bounds(np.arange(len(self.terms)), window)
        postings, weights, self.needed = self.words.bounds(hi, lo, window, None)
        self.weights = np.empty(postings.size, dtype=np.float64)
        self.weights[postings] = weights
        self._hi, self._lo = hi, lo

    def _weigh_terms(self, terms: np.ndarray, window: _Window) -> None:
        """Weigh ``terms`` (ids) around their frequencies today, and the topics holding
        them (all of them when those hold most postings)."""
        starts = self.indptr[terms]
        lengths = self.indptr[terms + 1] - starts
        if int(lengths.sum()) * PARTIAL_SHARE > self.postings.size:
            self._weigh_all(self._n_docs)
            return
        self.partial_weighings += 1
        self.terms_reweighed += terms.size
        self._anchor[terms] = self._df[terms]
        self._slack[terms] = (self._anchor[terms] * TERM_SLACK).astype(np.int64)
        self._hi[terms], self._lo[terms] = self._term_bounds(terms, window)
        topics = np.unique(self.postings[_ranges(starts, lengths)]).astype(np.int64)
        postings, weights, needed = self.words.bounds(self._hi, self._lo, window, topics)
        self.weights[postings] = weights
        self.needed[topics] = needed

    def _term_bounds(self, terms: np.ndarray, window: _Window) -> tuple[np.ndarray, np.ndarray]:
        """The largest and smallest ``evidence_idf`` of ``terms`` (ids) in their windows
        and the passage counts' (-inf for a term the index does not hold)."""
        low, high = window.n_docs
        anchor, slack = self._anchor[terms], self._slack[terms]
        rarest = (anchor - slack).astype(np.float64)
        commonest = (anchor + slack).astype(np.float64)
        held = anchor > 0
        hi = np.where(held, np.log(1.0 + (high - rarest + 0.5) / (rarest + 0.5)), -np.inf)
        lo = np.where(held, np.log(1.0 + (low - commonest + 0.5) / (commonest + 0.5)), -np.inf)
        return hi, lo

    def padded_frequencies(self) -> np.ndarray:
        """The document frequencies ``reweigh`` read last, by term id, with a 0 for the pad
        id past them (``TopicTable.pad``)."""
        return self._padded

    def frequencies(self) -> dict[str, int]:
        """The terms' document frequencies ``reweigh`` read last."""
        return dict(zip(self.terms, self._df.tolist(), strict=True))

    def candidates(self, terms: Iterable[str], lang: str | None) -> set[int]:
        """The topics whose words in ``terms`` (one passage's, or an article's) may pass."""
        return set(self.topic_ids[self._keep(terms, lang)].tolist())

    def candidate_rows(
        self, ids: np.ndarray, positions: np.ndarray, n_positions: int, lang: str | None
    ) -> np.ndarray:
        """``candidate_rows_in`` in one pass over the article's postings.

        ``ids``: the article's distinct term ids (``term_ids``), ``positions``: the records
        holding each (bits, fewer than 64 records). The postings are summed over the whole
        article first (the sum over any one record is at most that), over every topic at
        once; only the topics that pass are summed again record by record.
        """
        none = np.zeros(0, dtype=np.int64)
        starts = self.indptr[ids]
        lengths = self.indptr[ids + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return none
        picks = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        topics = self.postings[picks]
        weights = self.weights[picks]
        n = self.topic_ids.size
        one_language = self._one_language(lang)
        if total * SPARSE_POSTINGS < n:
            # Few postings (rare terms): sum over only the topics they name.
            named, slots = np.unique(topics, return_inverse=True)
            held = np.bincount(slots, weights=weights, minlength=named.size)
            matched = None if one_language else np.bincount(slots, minlength=named.size)
            passing = self._passes(held, matched, self.needed[named], self.langs[named], lang)
            rows = named[passing]
            on = np.flatnonzero(passing[slots])
        else:
            held = np.bincount(topics, weights=weights, minlength=n)
            matched = None if one_language else np.bincount(topics, minlength=n)
            passing = self._passes(held, matched, self.needed, self.langs, lang)
            rows = np.flatnonzero(passing)
            on = np.flatnonzero(passing[topics])
        if rows.size == 0:
            return none
        # Each posting of a passing topic once per record holding its term.
        shifts = np.arange(n_positions, dtype=np.uint64)
        at = (np.repeat(positions, lengths)[on][:, None] >> shifts) & np.uint64(1) != 0
        pick, record = np.nonzero(at)
        # Each passing topic's rank among them: only the entries of ``rows`` are set and read.
        self._slots[rows] = np.arange(rows.size)
        keys = self._slots[topics[on[pick]]] * n_positions + record
        size = rows.size * n_positions
        held = np.bincount(keys, weights=weights[on[pick]], minlength=size)
        if matched is not None:
            matched = np.bincount(keys, minlength=size).reshape(rows.size, n_positions)
        needed, langs = self.needed[rows, None], self.langs[rows, None]
        keep = self._passes(held.reshape(rows.size, n_positions), matched, needed, langs, lang)
        return rows[keep.any(axis=1)]

    def _one_language(self, lang: str | None) -> bool:
        """Whether every topic is in ``lang`` (no topic needs the cross-language count)."""
        if lang is None:
            return False
        return self._codes == {_LANG_CODES.get(lang, 0)}

    @staticmethod
    def _passes(
        held: np.ndarray,
        matched: np.ndarray | None,
        needed: np.ndarray,
        langs: np.ndarray,
        lang: str | None,
    ) -> np.ndarray:
        """``_keep``'s rule on summed weights and matched-term counts (None: every topic is
        in ``lang``)."""
        same = held >= needed
        if matched is None:
            return same
        cross = matched >= MIN_CROSS_LANGUAGE_MATCHES
        if lang is None:
            return same | cross
        return np.where(langs == _LANG_CODES.get(lang, 0), same, cross)

    def candidate_rows_in(
        self, term_sets: Sequence[Iterable[str]], lang: str | None
    ) -> np.ndarray:
        """The topics (row numbers, ascending) that may pass on any one of ``term_sets``
        (an article's passages), summed passage by passage (``candidate_rows`` does it in
        one pass for an article of fewer than 64 records).

        The gate needs one passage (with the article's title and day) to hold enough of a
        topic, so summing each passage apart drops the topics whose words are only spread
        over several passages, which a whole-article sum keeps (broad topics, mostly).
        """
        found: set[int] = set()
        for terms in term_sets:
            found.update(self._keep(terms, lang).tolist())
        return np.asarray(sorted(found), dtype=np.int64)

    def _keep(self, terms: Iterable[str], lang: str | None) -> np.ndarray:
        """The topics (row numbers) whose words in ``terms`` may pass.

        Only the topics the postings name are summed (``np.unique`` then ``np.bincount``
        over them), so the cost follows the postings, not the number of topics.
        """
        term_ids = self.term_ids
        ids = [i for i in (term_ids.get(t) for t in set(terms)) if i is not None]
        none = np.zeros(0, dtype=np.int64)
        if not ids:
            return none
        starts = self.indptr[ids]
        lengths = self.indptr[np.asarray(ids) + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return none
        # Each pick's posting: its term's first posting plus its rank among the term's.
        picks = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        topics, slots = np.unique(self.postings[picks], return_inverse=True)
        held = np.bincount(slots, weights=self.weights[picks], minlength=topics.size)
        matched = np.bincount(slots, minlength=topics.size)
        same = held >= self.needed[topics]
        cross = matched >= MIN_CROSS_LANGUAGE_MATCHES
        if lang is None:
            keep = same | cross
        else:
            keep = np.where(self.langs[topics] == _LANG_CODES.get(lang, 0), same, cross)
        return topics[keep]


def answer_to_json(answer: ArticleAnswer) -> str:
    """An alert's cited snippets and citation as JSON (the outbox payload)."""
    citation = answer.citation
    return json.dumps(
        {
            "citation": {
                "article_id": citation.article_id,
                "title": citation.title,
                "source": citation.source,
                "author": citation.author,
                "published_at": citation.published_at.isoformat()
                if citation.published_at
                else None,
                "url": citation.url,
            },
            "snippets": [
                {
                    "text": s.text,
                    "highlights": [list(h) for h in s.highlights],
                    "passage_id": s.passage_id,
                    "passage_ordinal": s.passage_ordinal,
                    "score": s.score,
                }
                for s in answer.snippets
            ],
            "score": answer.score,
        },
        ensure_ascii=False,
    )


def answer_from_json(payload: str) -> ArticleAnswer:
    """The inverse of ``answer_to_json``."""
    data = json.loads(payload)
    c = data["citation"]
    published = c.get("published_at")
    return ArticleAnswer(
        citation=Citation(
            article_id=int(c["article_id"]),
            title=str(c["title"]),
            source=c.get("source"),
            author=c.get("author"),
            published_at=datetime.fromisoformat(published) if published else None,
            url=c.get("url"),
        ),
        snippets=tuple(
            Snippet(
                text=s["text"],
                highlights=tuple((int(a), int(b)) for a, b in s["highlights"]),
                passage_id=int(s["passage_id"]),
                passage_ordinal=int(s["passage_ordinal"]),
                score=float(s["score"]),
            )
            for s in data["snippets"]
        ),
        score=float(data["score"]),
    )


__all__ = ["TopicMatcher", "answer_from_json", "answer_to_json"]
