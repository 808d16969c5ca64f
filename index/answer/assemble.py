"""answer_question: ranked articles → cited snippets, or an honest "nothing found".

Pipeline: question words and weights (``evidence``) → ranked articles (``candidates``) →
for each article in rank order, its best passage must carry enough of the question
(``evidence.measure_evidence``) → up to ``SNIPPETS_PER_ARTICLE`` snippets (``snippets``) →
citation. Articles whose evidence is too weak are never shown as answers; when none is
strong enough the answer is ``found=False`` with the nearest titles.

Cost: most candidate articles fail the evidence check, so it is first made from the index
(the question terms each candidate passage holds, read from the ranking layer's per-term
scores) without reading or analysing any text; only articles that pass are read from the
store (``QuestionReads``, each row once per question) and analysed for snippets.

Input limits are decided before this stage: ``Archive.ask`` raises ``QuestionError`` for an
empty question, and ``Analyzer.question`` reads at most ``MAX_QUESTION_CHARS`` (2,000)
characters, so a 10,000-character paste is answered from its beginning. This function
accepts any analysed question; one with no searchable term (only stopwords, emoji, another
script) is answered ``found=False`` with a reason rather than raised, unless it names a
period ("What happened last week?"): that lists the window's articles (``period_answers``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Protocol

import numpy as np

from index.analysis.dates import DATE_PREFIX, MONTH_DAY_PREFIX, date_terms
from index.analysis.language import lang_or_default
from index.analysis.names import FOLD_PREFIX
from index.answer.answer_type import AnswerType, answer_type_of
from index.answer.candidates import (
    CANDIDATE_PASSAGES,
    RankedArticle,
    RankedPassage,
    rank_articles,
)
from index.answer.evidence import (
    COMPOUND_WORDS,
    MIN_COVERAGE,
    RELAXED_COMPOUND_WORDS,
    RELAXED_COVERAGE,
    Evidence,
    QuestionWord,
    bears_answer,
    indexed_question_terms,
    may_relax,
    measure_evidence,
    question_words,
    with_prefix_stems,
)
from index.answer.passage_cache import PassageCache
from index.answer.period_answers import answer_period, relaxed_note
from index.answer.protocols import (
    AnalyzerLike,
    ArticleHead,
    ArticleScorer,
    PassageSource,
    SearchBackend,
    StorySource,
    TermSpanLike,
)
from index.answer.question_reads import QuestionReads
from index.answer.snippets import (
    LEAD_CHARS,
    MAX_SNIPPET_CHARS,
    SHORT_SNIPPET_CHARS,
    ChosenSnippet,
    SentenceFeatures,
    SentenceSpan,
    SnippetCues,
    beyond_title,
    choose_snippet,
    choose_snippets,
    context_choice,
    highlight_spans,
    sentence_features,
    snippet_score_ceiling,
    split_sentences,
    title_words,
    untyped_context_choice,
)
from index.answer.story_notes import reprints_note
from index.answer.year_words import year_words
from index.errors import StoreUnavailableError
from index.models import Answer, ArticleAnswer, Citation, Lang, Passage, Snippet

logger = logging.getLogger(__name__)

# At most this many snippets per article (issue 3: "at most 2 snippets per article").
SNIPPETS_PER_ARTICLE = 2
# A second snippet from the same article must score at least this share of the first one.
# Grid 0 / 0.2 / 0.3 / 0.4 / 0.5 / 0.7 on the four QA sets (docs/quality.md, "Snippet context
# across paragraphs"): 0.3 moves answer@3 on xquad-ru 0.872 → 0.881 and realtimeqa
# 0.690 → 0.697, multihop and qa_sample unchanged; 0 cost multihop 0.839 → 0.806 and 0.7
# cost qa_sample 0.987 → 0.937.
SECOND_SNIPPET_MIN_SHARE = 0.3
# A page's articles are ordered by score × (1 + ANSWER_SHARE_WEIGHT × answer share)
# (``_answers_first``). Grid 0 / 0.5 / 1 / 2 on the four QA sets (docs/quality.md, "Answer
# order"): 1 moves answer@1 on realtimeqa 0.483 → 0.524, multihop 0.677 → 0.710, xquad-ru
# 0.783 → 0.795, qa_sample unchanged.
ANSWER_SHARE_WEIGHT = 1.0
# How many ranked articles are checked for evidence before giving up (bounds the work; a
# later page checks as many as it needs).
MAX_ARTICLES_CHECKED = 30
NEAREST_TITLES = 3
# Articles published in the question's period ("this week", "recently", "in June 2024")
# rank with their score multiplied by this: a preference, not a filter (issue 11: the asking
# time is the message date in the bot, ``now`` in the eval, the clock in the CLI). Grid
# 1.0/1.2/1.5/2.0/3.0 on realtimeqa-dev (46 of 145 questions name a period) and
# index/eval/qa_sample.jsonl: answer@1 0.290/0.310/0.317/0.331/0.331 on realtimeqa, and 2.0
# cost the sample one answer@3 (0.975 → 0.962), so 1.5 (docs/quality.md).
PERIOD_BOOST = 1.5
# Periods up to this many days also count articles whose text names one of their days.
MAX_PERIOD_DAYS_IN_TEXT = 62
# Candidate passages of one article considered for its snippets (the layer reorders them).
PASSAGES_CHECKED_PER_ARTICLE = 10
# Rounding allowance between a snippet's score and its ceiling (both sums of a few shares):
# a ceiling equal to a found score may still tie with it.
CEILING_MARGIN = 1e-9
# The article's first passages considered for its lead (those starting in ``LEAD_CHARS``).
# 3 rather than 2: a news page's byline and outlet lines ("Jamie L. LaReau", "Detroit Free
# Press") are short paragraphs of their own, and the lead is then the third (realtimeqa
# answer@1 0.579 → 0.586, the other sets unchanged; docs/quality.md).
LEAD_PASSAGES = 3
# Two windows of one long paragraph are separated by at most this many characters (the space
# after a sentence); a paragraph break is a blank line, two characters or more.
WINDOW_GAP_CHARS = 1
_EPOCH = date(1970, 1, 1)

NO_TERMS_REASON = "The question has no searchable words."
UNKNOWN_TERMS_REASON = "None of the question's words occur in the archive."
WEAK_EVIDENCE_REASON = "Nothing in the archive matches the question well enough."


class QuestionLike(Protocol):
    """The fields of ``index.analysis.analyzer.AnalyzedQuestion`` used here."""

    @property
    def text(self) -> str: ...

    @property
    def language(self) -> Lang: ...

    @property
    def terms(self) -> tuple[str, ...]: ...

    @property
    def date_terms(self) -> tuple[str, ...]: ...

    @property
    def period(self) -> tuple[date, date] | None: ...


def answer_question(
    question: QuestionLike,
    *,
    index: SearchBackend,
    passages: PassageSource,
    analyzer: AnalyzerLike,
    k: int = 3,
    offset: int = 0,
    layer: bool = True,
    cache: PassageCache | None = None,
    outlets: frozenset[str] = frozenset(),
    articles: ArticleScorer | None = None,
    stories: StorySource | None = None,
) -> Answer:
    """Answer an analysed question with up to ``k`` cited articles, skipping ``offset``.

    Args:
        question: the analysed question.
        index: the search engine.
        passages: the article store.
        analyzer: the analyzer the index was built with.
        k: articles per page.
        offset: articles to skip (paging: "More" in the bot, inline next_offset).
        layer: apply the ranking layer.
        cache: passage analysis kept between questions (the archive's, over ``analyzer``,
            ``index`` and ``passages``); None analyses afresh for this question.
        outlets: the words of the archive's outlet names (``evidence.outlet_words``).
        articles: the article index (``IndexKeeper.articles``), fused into the ranking;
            None ranks articles by their best passage.
        stories: the store's stories; with it, each story is cited once, by its original
            with its reprints named (``story_notes``); None cites every article.

    Returns:
        ``found=True`` with articles, best first; or ``found=False`` with a reason and the
        nearest titles. A later page that runs out is ``found=True`` with no articles.
        ``note`` says when the question's period was dropped because nothing published in
        it matched, and introduces a period-only question's listing.
    """
    base = {"question": question.text, "language": question.language, "terms": question.terms}
    if not question.terms:
        if question.period is not None:
            return answer_period(
                question.text,
                question.language,
                question.period,
                passages,
                k=k,
                offset=offset,
                stories=stories,
            )
        return Answer(found=False, reason=NO_TERMS_REASON, **base)
    words = with_prefix_stems(
        question_words(
            question.text,
            question.language,
            question.terms,
            question.date_terms,
            analyzer=analyzer,
            index=index,
            outlets=outlets,
        ),
        index,
        lang=question.language,
    )
    if not any(word.known for word in words):
        return Answer(found=False, reason=UNKNOWN_TERMS_REASON, **base)
    if cache is None or cache.analyzer is not analyzer:
        cache = PassageCache(analyzer)
    reads = QuestionReads(passages)
    common = {
        "index": index,
        "passages": reads,
        "analyzer": analyzer,
        "layer": layer,
        "n_passages": _n_passages(k + offset),
        "words": words,
        "cache": cache,
        "articles": articles,
        "language": question.language,
    }

    n_checked = max(MAX_ARTICLES_CHECKED, offset + k)
    ranked, in_period = _rank_preferring_period(question, n_checked, common)
    accept = partial(
        _accept_articles,
        ranked[:n_checked],
        words,
        question,
        index,
        reads,
        cache,
        layer=layer,
        wanted=offset + k,
        stories=stories,
        years=year_words(question.text, question.period, question.terms, index),
    )
    accepted, nearest = accept()
    if not accepted and may_relax(words):
        accepted, _ = accept(relaxed=True)
    if not accepted:
        return Answer(found=False, reason=WEAK_EVIDENCE_REASON, nearest_titles=nearest, **base)
    shown = _with_spares(_answers_first(accepted, k, in_period)[offset : offset + k], k)
    note = None
    if question.period is not None and not any(
        a.citation.article_id in in_period for a in accepted
    ):
        # Nothing published in the period is good enough: the answer is from other dates.
        note = relaxed_note(question.period, question.language)
    return Answer(found=True, articles=shown, note=note, **base)


def _with_spares(page: Sequence[ArticleAnswer], wanted: int) -> tuple[ArticleAnswer, ...]:
    """The page, each article's spare (``ArticleAnswer.spare``) added after its one snippet,
    in page order, while the page shows fewer than ``wanted`` snippets (``k``: as many as
    the articles it may cite); every spare is cleared.

    A second snippet is shown only at ``SECOND_SNIPPET_MIN_SHARE`` of the first's score, so a
    page of one answering article showed one sentence: the one matching the question's
    words, often not its neighbour that answers in other words ("What will the dredging of
    the harbour cost?" shown the sentence on the dredging, the cost in the next one).
    xquad-ru answer@3 +3 −0, the other sets unchanged (docs/quality.md, "third round").
    Only the shown snippet's passage gives the spare: its units are computed anyway
    (``_best_snippets``), so it costs no passage analysis, where the best spare of the whole
    article cost ~8% more ``Archive.ask`` CPU.
    """
    room = wanted - sum(len(answer.snippets) for answer in page)
    out = []
    for answer in page:
        if room > 0 and answer.spare is not None:
            answer = replace(answer, snippets=(*answer.snippets, answer.spare))
            room -= 1
        out.append(replace(answer, spare=None) if answer.spare is not None else answer)
    return tuple(out)


def _answers_first(
    accepted: Sequence[ArticleAnswer], k: int, in_period: frozenset[int] = frozenset()
) -> list[ArticleAnswer]:
    """The accepted articles, each page of ``k`` ordered by the article's score times one
    plus ``ANSWER_SHARE_WEIGHT`` × its first snippet's answer share (``answer_share``).

    The ranking says which articles are about the question; the snippet says which of them
    states the answer (a sentence with the question's words and a term of the type asked).
    Only within a page, so paging ("More") neither repeats nor skips an article; and only
    among neighbours on the same side of the question's period (``in_period``: articles
    published in it or naming one of its days), so the period preference the ranking gave
    (``PERIOD_BOOST``) is never undone by a snippet that does not see the period.
    """
    ordered: list[ArticleAnswer] = []
    for start in range(0, len(accepted), k):
        page = accepted[start : start + k]
        run: list[ArticleAnswer] = []
        for answer in page:
            if run and (answer.citation.article_id in in_period) != (
                run[0].citation.article_id in in_period
            ):
                ordered += sorted(run, key=_answer_order)
                run = []
            run.append(answer)
        ordered += sorted(run, key=_answer_order)
    return ordered


def _answer_order(answer: ArticleAnswer) -> float:
    """``_answers_first``'s key: best first."""
    return -answer.score * (1 + ANSWER_SHARE_WEIGHT * answer.answer_share)


def _rank_preferring_period(
    question: QuestionLike, n_articles: int, common: dict
) -> tuple[list[RankedArticle], frozenset[int]]:
    """Ranked articles, those published in the question's period first by ``PERIOD_BOOST``.

    A period ("this week", "recently", "in June", "in 2019") is a preference, not a filter:
    the question's words decide what matches, and the period lifts the articles published
    in it. The articles in the period come from a ranking restricted to it (the engine's day
    filter), so an in-period article deep in the unrestricted list is still seen; an
    article whose candidate passages name a day of the period counts as in it too
    (``_dated_in_period``). Returns the ranking and the ids of the articles in the period.
    """
    anywhere = rank_articles(question.terms, n_articles=n_articles, **common)
    if question.period is None:
        return anywhere, frozenset()
    inside = rank_articles(
        question.terms, day_range=_day_range(question.period), n_articles=n_articles, **common
    )
    merged = {r.article_id: r for r in anywhere}
    for r in inside:
        merged.setdefault(r.article_id, r)
    in_period = frozenset(r.article_id for r in inside) | _dated_in_period(
        [r for r in merged.values()], question.period, common["index"]
    )
    boosted = [
        replace(r, score=r.score * PERIOD_BOOST) if r.article_id in in_period else r
        for r in merged.values()
    ]
    boosted.sort(key=lambda r: (-r.score, r.article_id))
    return boosted[:n_articles], in_period


def _dated_in_period(
    ranked: Sequence[RankedArticle], period: tuple[date, date], index: SearchBackend
) -> frozenset[int]:
    """The articles whose candidate passages name a day of ``period`` ("on 10 July 2024").

    Passages hold a ``@d`` date term for every dated day they mention (``analysis.dates``);
    the index says which passages hold the period's day terms (a term in half of the
    passages or more has no BM25 score to read, and says little). Only for periods of at most
    ``MAX_PERIOD_DAYS_IN_TEXT`` days: a year's 365 terms per question would cost more than a
    year-long preference is worth (publication dates carry it).
    """
    first, last = period
    n_days = (last - first).days + 1
    ids = [p.passage_id for r in ranked for p in r.passages[:PASSAGES_CHECKED_PER_ARTICLE]]
    if not ids or n_days > MAX_PERIOD_DAYS_IN_TEXT:
        return frozenset()
    terms = [
        term
        for offset in range(n_days)
        for term in _dated_day_terms(first + timedelta(days=offset))
        if 0 < 2 * index.document_frequency(term) < index.n_docs
    ]
    if not terms:
        return frozenset()
    held = np.asarray(index.term_scores(terms, ids)).any(axis=0)
    passages_of = {p.passage_id: r.article_id for r in ranked for p in r.passages}
    return frozenset(passages_of[pid] for pid, hit in zip(ids, held.tolist(), strict=True) if hit)


def _dated_day_terms(day: date) -> tuple[str, ...]:
    """The term of a day with its year (``@dYYYY-MM-DD``), without the year-less one."""
    return date_terms(day.month, day.day, day.year)[:1]


def rank_question(
    question: QuestionLike,
    *,
    index: SearchBackend,
    passages: PassageSource,
    analyzer: AnalyzerLike,
    layer: bool,
    n_articles: int,
    words: Sequence[QuestionWord] | None = None,
    cache: PassageCache | None = None,
    articles: ArticleScorer | None = None,
) -> list[RankedArticle]:
    """Ranked articles for a question: the ranking of ``answer_question`` and the retrieval eval.

    A question period ("in July 2023", "last week", "recently") is a preference: articles
    published in it rank by ``PERIOD_BOOST`` higher (``_rank_preferring_period``), so a
    question whose topic the archive covers at other dates is still answered
    (``answer_question`` then says so in ``Answer.note``). ``words`` (the question's words, from
    ``evidence.question_words``) are computed when not given; ``cache`` is
    ``answer_question``'s.
    """
    if words is None:
        words = with_prefix_stems(
            question_words(
                question.text,
                question.language,
                question.terms,
                question.date_terms,
                analyzer=analyzer,
                index=index,
            ),
            index,
            lang=question.language,
        )
    common = {
        "index": index,
        "passages": passages,
        "analyzer": analyzer,
        "layer": layer,
        "n_passages": _n_passages(n_articles),
        "words": words,
        "cache": cache,
        "articles": articles,
        "language": question.language,
    }
    return _rank_preferring_period(question, n_articles, common)[0]


def _n_passages(n_articles: int) -> int:
    """Candidate passages ranked for a page ending at article ``n_articles``."""
    return max(CANDIDATE_PASSAGES, 20 * n_articles)


def _day_range(period: tuple[date, date]) -> tuple[int, int]:
    """A period as the engine's inclusive range of days since 1970-01-01."""
    first, last = period
    return (first - _EPOCH).days, (last - _EPOCH).days


def _accept_articles(
    checked: Sequence[RankedArticle],
    words: Sequence[QuestionWord],
    question: QuestionLike,
    index: SearchBackend,
    passages: PassageSource,
    cache: PassageCache,
    *,
    layer: bool,
    wanted: int,
    stories: StorySource | None = None,
    relaxed: bool = False,
    years: Sequence[QuestionWord] = (),
) -> tuple[list[ArticleAnswer], tuple[str, ...]]:
    """Answers for ranked articles whose shown passage carries enough of the question.

    With ``stories``, members of a story already cited are skipped and do not count
    towards ``wanted`` (``_cite_story``). ``years`` are the years the question's period
    names (``year_words``), for sentence choice only.

    Stops once ``wanted`` articles are accepted (the page's end), so the work grows with
    ``k + offset``, not with the number of candidates. Most candidates fail the evidence
    check; the index says which question terms each candidate passage holds
    (``indexed_question_terms``), so a failing article costs neither its passages' texts
    from the store nor their analysis.
    """
    wanted_type = answer_type_of(question.text)
    min_coverage = RELAXED_COVERAGE if relaxed else MIN_COVERAGE
    compound_words = RELAXED_COMPOUND_WORDS if relaxed else COMPOUND_WORDS
    shown = [p for r in checked for p in r.passages[:PASSAGES_CHECKED_PER_ARTICLE]]
    if all(p.held is not None for p in shown):
        present: dict[int, frozenset[str]] | None = {p.passage_id: p.held for p in shown}
    else:
        present = indexed_question_terms(index, words, [p.passage_id for p in shown])
    check = (
        _EvidenceCheck(words, present, min_coverage, compound_words)
        if present is not None
        else None
    )
    maybe = checked
    if check is not None and not check.dated:
        # No question word is a date, so an article's day adds nothing: the index alone
        # tells which articles can pass, and only those are read from the store.
        maybe = [r for r in checked if check.may_answer(r, cross_language=None)]
    articles = passages.articles_by_id([r.article_id for r in maybe])
    accepted: list[ArticleAnswer] = []
    cited_stories: set[int] = set()
    for ranked_article in maybe:
        article = articles.get(ranked_article.article_id)
        if article is None:
            logger.warning(
                "article %d is in the index but not in the store (deleted); left out",
                ranked_article.article_id,
            )
            continue
        if check is not None and not check.may_answer(
            ranked_article,
            article,
            cross_language=lang_or_default(article.language) != question.language,
        ):
            continue
        ids = [p.passage_id for p in ranked_article.passages[:PASSAGES_CHECKED_PER_ARTICLE]]
        answer = _answer_from_article(
            ranked_article,
            article,
            passages.passages_by_id(ids),
            words,
            question,
            cache,
            present=present,
            wanted_type=wanted_type,
            layer=layer,
            reads=passages,
            relaxed=relaxed,
            years=years,
        )
        if answer is not None and stories is not None:

            def answer_from(article_id: int) -> ArticleAnswer | None:
                return _answer_from_member(
                    article_id,
                    checked,
                    words,
                    question,
                    passages,
                    cache,
                    present=present,
                    wanted_type=wanted_type,
                    layer=layer,
                    years=years,
                )

            answer = _cite_story(answer, stories, cited_stories, question.language, answer_from)
        if answer is not None:
            accepted.append(answer)
            if len(accepted) >= wanted:
                return accepted, ()
    if accepted:
        return accepted, ()  # the nearest titles are only shown when nothing is found
    unread = [r.article_id for r in checked if r.article_id not in articles]
    if unread:
        articles = {**articles, **passages.articles_by_id(unread)}
    nearest = tuple(
        dict.fromkeys(
            articles[r.article_id].title
            for r in checked
            if r.article_id in articles and articles[r.article_id].title
        )
    )[:NEAREST_TITLES]
    return accepted, nearest


def _cite_story(
    answer: ArticleAnswer,
    stories: StorySource,
    cited_stories: set[int],
    language: Lang,
    answer_from: Callable[[int], ArticleAnswer | None],
) -> ArticleAnswer | None:
    """The answer as its story's one citation, or None when the story is already cited.

    A reprint that ranks first gives way to the story's original when the original answers
    the question too (it is among the ranked candidates and passes the same evidence check);
    otherwise the reprint is cited, since a snippet must come from the article it names.
    """
    article_id = answer.citation.article_id
    story = stories.stories_of([article_id]).get(article_id)
    if story is None or len(story.members) < 2:
        return answer
    if story.story_id in cited_stories:
        return None
    cited_stories.add(story.story_id)
    if story.original_id != article_id:
        original = answer_from(story.original_id)
        if original is not None:
            answer = replace(original, score=answer.score)
    shown = answer.citation.article_id
    return replace(answer, story=story, reprints_note=reprints_note(story, shown, language))


def _answer_from_member(
    article_id: int,
    checked: Sequence[RankedArticle],
    words: Sequence[QuestionWord],
    question: QuestionLike,
    passages: PassageSource,
    cache: PassageCache,
    *,
    present: dict[int, frozenset[str]] | None,
    wanted_type: AnswerType | None,
    layer: bool,
    years: Sequence[QuestionWord] = (),
) -> ArticleAnswer | None:
    """The answer from another ranked article (a story's original), or None if it has none."""
    ranked = next((r for r in checked if r.article_id == article_id), None)
    if ranked is None:
        return None
    article = passages.articles_by_id([article_id]).get(article_id)
    if article is None:
        return None
    ids = [p.passage_id for p in ranked.passages[:PASSAGES_CHECKED_PER_ARTICLE]]
    if present is not None and any(pid not in present for pid in ids):
        present = None
    return _answer_from_article(
        ranked,
        article,
        passages.passages_by_id(ids),
        words,
        question,
        cache,
        present=present,
        wanted_type=wanted_type,
        layer=layer,
        reads=passages,
        years=years,
    )


class _EvidenceCheck:
    """``_answer_from_article``'s first check, from the index's terms, memoised per question.

    Whether all of an article's candidate passages together carry enough of the question:
    when not, no passage of it can be shown. The index holds the title's terms with every
    passage's, so only the publication day is added (the title is not analysed for the many
    articles that fail here). Only the question's terms matter to ``measure_evidence``, and
    most articles hold the same few, so each distinct set is measured once.
    """

    def __init__(
        self,
        words: Sequence[QuestionWord],
        present: dict[int, frozenset[str]],
        min_coverage: float = MIN_COVERAGE,
        compound_words: int = COMPOUND_WORDS,
    ):
        self.words = words
        self.min_coverage = min_coverage
        self.compound_words = compound_words
        self.present = present
        self.question_terms = frozenset(term for word in words for term in word.terms)
        self.dated = any(term.startswith(DATE_PREFIX) for term in self.question_terms)
        self._measured: dict[tuple[frozenset[str], bool], Evidence] = {}
        self._held: dict[int, frozenset[str]] = {}

    def may_answer(
        self,
        ranked: RankedArticle,
        article: ArticleHead | None = None,
        *,
        cross_language: bool | None,
    ) -> bool:
        """Whether ``ranked`` can pass; ``cross_language`` None: in some language.

        Without ``article`` its day is left out (only right when the question is undated).
        """
        held = self._held.get(ranked.article_id)
        if held is None:
            # Each article is asked twice (``_accept_articles``: before reading the store,
            # then with its language); its passages' union is the same both times.
            present = self.present
            held = self._held[ranked.article_id] = frozenset().union(
                *[present[p.passage_id] for p in ranked.passages[:PASSAGES_CHECKED_PER_ARTICLE]]
            )
        if article is not None and self.dated:
            held = held | (_day_terms(article) & self.question_terms)
        if cross_language is None:
            return self._enough(held, False) or self._enough(held, True)
        enough = self._enough(held, cross_language)
        if not enough and article is not None:
            _log_rejection(article, None, self._measured[held, cross_language])
        return enough

    def _enough(self, held: frozenset[str], cross_language: bool) -> bool:
        evidence = self._measured.get((held, cross_language))
        if evidence is None:
            evidence = measure_evidence(
                self.words,
                held,
                cross_language=cross_language,
                min_coverage=self.min_coverage,
                compound_words=self.compound_words,
            )
            self._measured[held, cross_language] = evidence
        return evidence.enough


def _answer_from_article(
    ranked_article: RankedArticle,
    article: ArticleHead,
    texts: dict[int, Passage],
    words: Sequence[QuestionWord],
    question: QuestionLike,
    cache: PassageCache,
    *,
    present: dict[int, frozenset[str]] | None,
    wanted_type: AnswerType | None,
    layer: bool,
    reads: PassageSource,
    relaxed: bool = False,
    years: Sequence[QuestionWord] = (),
) -> ArticleAnswer | None:
    """The article's snippets (best passage first), or None when its evidence is too weak.

    Most candidate articles fail the evidence check, so it is first made on the union of the
    terms of all the article's candidate passages (and its title and day): evidence only grows
    with the terms it is given (``measure_evidence``), so when the union is not enough no
    single passage is, and the article is dropped without computing any span. The passages'
    terms come from the index (``present``, the question terms each passage holds) or, when
    the index cannot tell, from analysing the texts. With the layer on, the snippets are the
    best units of all the candidate passages and the article's lead (``_best_snippets``,
    which computes spans only for passages whose score ceiling can still be shown); with it
    off, the best unit of each of the first ``SNIPPETS_PER_ARTICLE`` passages in BM25 order.
    ``years`` (the years the question's period names, ``year_words``) join the question's
    words in sentence choice only, never in the evidence.
    """
    lang = lang_or_default(article.language)
    published_at = article.published_at
    min_coverage = RELAXED_COVERAGE if relaxed else MIN_COVERAGE
    compound_words = RELAXED_COMPOUND_WORDS if relaxed else COMPOUND_WORDS
    candidates = [
        (ranked, texts[ranked.passage_id])
        for ranked in ranked_article.passages[:PASSAGES_CHECKED_PER_ARTICLE]
        if ranked.passage_id in texts
    ]
    if not candidates:
        return None
    article_terms = _article_terms(article, cache)
    cross_language = lang != question.language
    if present is None:
        passage_terms = [
            cache.document_terms(passage.text, lang, published_at) for _, passage in candidates
        ]
    else:
        passage_terms = [present[passage.passage_id] for _, passage in candidates]
    best_case = measure_evidence(
        words,
        article_terms.union(*passage_terms),
        cross_language=cross_language,
        min_coverage=min_coverage,
        compound_words=compound_words,
    )
    if not best_case.enough:
        _log_rejection(article, None, best_case)
        return None

    def spans_of(passage: Passage) -> Sequence[TermSpanLike]:
        return cache.term_spans(passage.text, lang, published_at)

    question_terms = frozenset(question.terms)
    title_spans = cache.term_spans(article.title, lang, published_at) if article.title else []
    cues = SnippetCues(
        words=beyond_title((*words, *years), frozenset(span.term for span in title_spans)),
        question_terms=question_terms,
        answer_type=wanted_type,
        title_words=title_words(title_spans, question_terms),
        title_matched=frozenset(
            i for i, word in enumerate(words) if word.terms & {span.term for span in title_spans}
        ),
        unindexed=frozenset(range(len(words), len(words) + len(years))),
    )

    measured: dict[int, Evidence] = {}
    carried = _carried_names(candidates, passage_terms)

    def acceptable(passage: Passage, snippet: ChosenSnippet) -> bool:
        spans = spans_of(passage)
        evidence = measured.get(passage.passage_id)
        if evidence is None:
            evidence = measured[passage.passage_id] = measure_evidence(
                words,
                article_terms
                | carried.get(passage.passage_id, frozenset())
                | {s.term for s in spans},
                cross_language=cross_language,
                min_coverage=min_coverage,
                compound_words=compound_words,
            )
            if not evidence.enough:
                _log_rejection(article, passage, evidence)
        if not evidence.enough:
            return False
        return not relaxed or bears_answer(
            words,
            evidence,
            {s.term for s in spans if snippet.start <= s.start < snippet.end},
            typed=snippet.typed or wanted_type is None,
            cross_language=cross_language,
        )

    def held_of(ranked: RankedPassage, passage: Passage) -> frozenset[str]:
        if ranked.held is not None:
            return ranked.held
        if present is not None and passage.passage_id in present:
            return present[passage.passage_id]
        return cache.terms(passage.text, lang, published_at)

    if layer:
        candidates = _with_lead(candidates, article, reads)
        chosen_all = _best_snippets(
            candidates, spans_of, cues, held_of, acceptable, wanted=SNIPPETS_PER_ARTICLE
        )
        chosen = chosen_all[:SNIPPETS_PER_ARTICLE]
    else:
        plain = [
            (ranked, passage, choose_snippet(passage.text, spans_of(passage), cues))
            for ranked, passage in candidates[:SNIPPETS_PER_ARTICLE]
        ]
        chosen = chosen_all = [c for c in plain if acceptable(c[1], c[2])]
    snippets: list[Snippet] = []
    for ranked_passage, passage, snippet in chosen:
        score = ranked_passage.score
        if snippets and (
            score < SECOND_SNIPPET_MIN_SHARE * ranked_article.score
            or snippet.score < SECOND_SNIPPET_MIN_SHARE * chosen[0][2].score
        ):
            break
        snippets.append(_snippet_of(ranked_passage, passage, snippet))
    if not snippets:
        return None
    spare = _spare_of(chosen_all, snippets[0]) if len(snippets) == 1 else None

    def text_spans(text: str) -> Sequence[TermSpanLike]:
        return cache.term_spans(text, lang, published_at)

    snippets = _with_context(snippets, chosen, article, reads, spans_of, text_spans, cues)
    return ArticleAnswer(
        citation=Citation.of(article),
        snippets=tuple(snippets),
        score=ranked_article.score,
        answer_share=chosen[0][2].score,
        spare=spare,
    )


def _carried_names(
    candidates: Sequence[tuple[RankedPassage, Passage]], terms: Sequence[frozenset[str]]
) -> dict[int, frozenset[str]]:
    """For each candidate passage cut from the same paragraph right after another candidate
    (a window of a long paragraph, ``extract.passages``: only the space between two
    sentences separates them), the names (``FOLD_PREFIX`` terms) that window holds, by
    passage id. ``terms`` are the candidates' terms, in order.

    A long paragraph names its subject once and goes on about it: XQuAD's "В честь какой
    исторической фигуры назван Джэксонвилл?" is answered by "... там был основан
    официальный город; он был назван в честь Эндрю Джексона ..." in the paragraph's second
    window, while "Джэксонвилл" is only in its first, so the name-led question was "nothing
    found". The name counts for that window's evidence as the title's words do (sentence
    choice is unchanged). Only names: carrying every question term let weak windows pass
    (xquad-ru answer@1 +3 −3, against +3 −0 for names). Only from the window right before,
    and never across a paragraph break: news paragraphs are passages of their own, and one
    naming a person does not make the next about him; qa_sample's uk-22 ("Як Зеленський
    назвав рішення ...") was answered from a Ukrainian article's paragraph on the candidate
    status after one naming Zelensky, and lost (uk-25 too when any candidate of the article
    lent its names). Figures: docs/quality.md, "Words of one root and names carried between
    windows".
    """
    ends = {
        passage.ordinal: (passage.end, frozenset(t for t in held if t.startswith(FOLD_PREFIX)))
        for (_, passage), held in zip(candidates, terms, strict=True)
    }
    carried: dict[int, frozenset[str]] = {}
    for _, passage in candidates:
        before = ends.get(passage.ordinal - 1)
        if before is not None and passage.start - before[0] <= WINDOW_GAP_CHARS and before[1]:
            carried[passage.passage_id] = before[1]
    return carried


# A sentence ends in terminal punctuation, maybe inside closing quotes or brackets.
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'»”’)\]]*$")


def _with_context(
    snippets: list[Snippet],
    chosen: Sequence[tuple[RankedPassage, Passage, ChosenSnippet]],
    article: ArticleHead,
    reads: PassageSource,
    spans_of: Callable[[Passage], Sequence[TermSpanLike]],
    text_spans: Callable[[str], Sequence[TermSpanLike]],
    cues: SnippetCues,
) -> list[Snippet]:
    """The snippets, each one still shorter than ``SHORT_SNIPPET_CHARS`` at the edge of its
    passage grown by the edge sentence of the neighbouring passage that holds a new term of
    the type asked (``context_choice``: the headline's first; on a tie the preceding
    paragraph's last sentence). Without such a sentence the snippet stays as chosen: a
    paragraph break separates topics ("What did Stoltenberg say on 14 July?" is not shown
    with the previous paragraph's "Tusk stated it would need approval."). A question asking
    no type ("what is ...") has no such sentence, so its short snippet takes the neighbour
    that adds question words, else the following paragraph's first sentence
    (``untyped_context_choice``). A longer snippet that does not name the headline's answer
    (``ChosenSnippet.headline``) takes only a neighbour that does, within
    ``MAX_SNIPPET_CHARS``.

    News paragraphs are often a single sentence, and each is a passage, so the sentence
    beside the one that matches the question, which often names the answer, is in another
    passage ("A curious 4-year-old boy managed to break a 3,500-year-old jar at a museum in
    Israel" and, in the next paragraph, "The incident happened Friday at the Hecht Museum").
    The snippet stays a verbatim piece of the body: the text between the two passages (a
    paragraph break) is read from the article's body, and the snippet keeps its passage,
    ``start`` and ``end`` placing it relative to that passage's start (``Snippet``). A
    sentence another snippet of the article shows is not taken again.
    """
    body_of = getattr(reads, "body_of", None)
    headline_only = {
        i
        for i, s in enumerate(snippets)
        if len(s.text) >= SHORT_SNIPPET_CHARS
        and not chosen[i][2].headline
        and cues.answer_type is not None
    }
    short = [
        i
        for i, s in enumerate(snippets)
        if len(s.text) < SHORT_SNIPPET_CHARS or i in headline_only
    ]
    if body_of is None or not short:
        return snippets
    passages = {passage.passage_id: passage for _, passage, _ in chosen}
    shown = [
        (passages[s.passage_id].start + s.start, passages[s.passage_id].start + s.end)
        for s in snippets
    ]
    wanted: dict[int, list[tuple[int, int]]] = {}
    for i in short:
        snippet, passage = snippets[i], passages[snippets[i].passage_id]
        if passage.ordinal > 0 and not passage.text[: snippet.start].strip():
            wanted.setdefault(i, []).append((passage.passage_id - 1, passage.ordinal - 1))
        if not passage.text[snippet.end :].strip():
            wanted.setdefault(i, []).append((passage.passage_id + 1, passage.ordinal + 1))
    if not wanted:
        return snippets
    try:
        read = reads.passages_by_id([pid for sides in wanted.values() for pid, _ in sides])
    except StoreUnavailableError:
        # Context is a nicety: with the store out of reach (PostgreSQL restarting) and the
        # neighbours never read, the snippets are shown as chosen rather than not at all.
        return snippets
    body = None
    grown = list(snippets)
    # "What did Putin say on 7 August?" shown with the next bullet, "On 9 August Russia
    # declared ...": a neighbour naming another day is another day's event.
    asked_days = {term for term in cues.question_terms if term.startswith(MONTH_DAY_PREFIX)}
    for i, sides in wanted.items():
        snippet, passage = snippets[i], passages[snippets[i].passage_id]
        options: list[tuple[Passage, SentenceSpan, Sequence[TermSpanLike]]] = []
        features: list[SentenceFeatures] = []
        for pid, ordinal in sides:
            neighbour = read.get(pid)
            if (
                neighbour is None
                or neighbour.article_id != article.article_id
                or neighbour.ordinal != ordinal
            ):
                continue
            sentences = split_sentences(neighbour.text)
            if not sentences:
                continue
            edge = sentences[0] if ordinal > passage.ordinal else sentences[-1]
            lo, hi = neighbour.start + edge.start, neighbour.start + edge.end
            if any(lo < end and start < hi for start, end in shown):
                continue
            # Only the edge sentence is analysed (``text_spans``, offsets relative to it):
            # the neighbour's other sentences are never shown, and most neighbours read are
            # not taken.
            text = neighbour.text[edge.start : edge.end]
            spans = text_spans(text)
            if asked_days and any(
                span.term.startswith(MONTH_DAY_PREFIX) and span.term not in asked_days
                for span in spans
            ):
                continue  # a dated question's context never names another day
            found = sentence_features(text, spans, SentenceSpan(0, len(text)), cues)
            if not found.matched and not _SENTENCE_END_RE.search(text):
                continue  # a byline or an outlet's name: a line, not a sentence of context
            options.append((neighbour, edge, spans))
            features.append(found)
        if not options:
            continue
        if cues.answer_type is None:
            own = sentence_features(
                passage.text, spans_of(passage), SentenceSpan(snippet.start, snippet.end), cues
            ).matched
            untyped = untyped_context_choice(
                features, own, [n.ordinal > passage.ordinal for n, _, _ in options]
            )
            if untyped is None:
                continue
            choice = untyped
        else:
            choice = context_choice(features)
            if not features[choice].typed:
                continue  # a paragraph break is crossed only for a sentence that can answer
            if i in headline_only and not features[choice].headline_typed:
                continue
        neighbour, edge, spans = options[choice]
        edge_text = neighbour.text[edge.start : edge.end]
        if i in headline_only and len(snippet.text) + edge.end - edge.start > MAX_SNIPPET_CHARS:
            continue
        if body is None:
            body = body_of(article.article_id)
            if body is None:
                return grown
        if body[passage.start : passage.end] != passage.text:
            continue  # the stored body and its passages disagree: show what was chosen
        lo = min(passage.start + snippet.start, neighbour.start + edge.start)
        hi = max(passage.start + snippet.end, neighbour.start + edge.end)
        shift = neighbour.start + edge.start - lo
        added = tuple(
            (a + shift, b + shift)
            for a, b in highlight_spans(
                spans, cues.question_terms, 0, edge.end - edge.start, text=edge_text
            )
        )
        own = passage.start + snippet.start - lo
        grown[i] = replace(
            snippet,
            text=body[lo:hi],
            highlights=tuple(
                sorted((*added, *((a + own, b + own) for a, b in snippet.highlights)))
            ),
            start=lo - passage.start,
            end=hi - passage.start,
        )
        shown.append((lo, hi))
    return grown


def _with_lead(
    candidates: list[tuple[RankedPassage, Passage]], article: ArticleHead, passages: PassageSource
) -> list[tuple[RankedPassage, Passage]]:
    """The candidates plus the article's lead passages (those starting in its first
    ``LEAD_CHARS``) that the ranking did not bring: a news article states its main fact in
    the lead, often in other words than the question's.

    The lead's passage ids are found without reading the article's passages (a long one has
    hundreds): an article's passages are stored in one transaction in order, so the first
    has the id of any candidate minus its ordinal. The guess is read by id and kept only
    when it is this article's passage with the expected ordinal, so it can never show
    another article's text. An added passage ranks as the article's weakest candidate (the
    ranking's scores are on the layer's scale, which a passage it did not score has not).
    """
    have = {passage.passage_id for _, passage in candidates}
    base = min(passage.passage_id - passage.ordinal for _, passage in candidates)
    wanted = [base + ordinal for ordinal in range(LEAD_PASSAGES) if base + ordinal not in have]
    if not wanted:
        return candidates
    read = passages.passages_by_id(wanted)
    lead = [
        read[pid]
        for pid in wanted
        if pid in read
        and read[pid].article_id == article.article_id
        and read[pid].ordinal == pid - base
        and read[pid].start < LEAD_CHARS
    ]
    weakest = min(ranked.score for ranked, _ in candidates)
    return candidates + [
        (RankedPassage(p.passage_id, article.article_id, weakest), p) for p in lead
    ]


def _best_snippets(
    candidates: Sequence[tuple[RankedPassage, Passage]],
    spans_of: Callable[[Passage], Sequence[TermSpanLike]],
    cues: SnippetCues,
    held_of: Callable[[RankedPassage, Passage], frozenset[str]],
    acceptable: Callable[[Passage, ChosenSnippet], bool],
    *,
    wanted: int,
) -> list[tuple[RankedPassage, Passage, ChosenSnippet]]:
    """The acceptable snippets of the candidates visited, best first (ties: the higher-ranked
    passage, then the earlier candidate); the first ``wanted`` are what the article may
    show, and the rest hold its spare (``_spare_of``).

    The snippet scores (``choose_snippet``) are comparable across one article's passages, so
    the sentence that answers wins wherever the ranking put its passage; a sentence in the
    lead (``LEAD_CHARS`` of the body) gets the lead's share. Spans (the costly part) are
    computed only for passages that can reach the head: ``snippet_score_ceiling`` bounds a
    passage's score from the question terms it holds (``held_of``: the index's, else its
    term set), candidates are visited by falling ceiling, and the visit stops once the next
    ceiling can neither reach the head nor be shown after the first (``_may_show``). What
    the caller shows is what the full order would give. The head's passage is always
    visited, so its other unit (the spare) is the same whichever way ``held_of`` was read.
    """
    ceilings = [
        snippet_score_ceiling(cues, held_of(ranked, passage), in_lead=passage.start < LEAD_CHARS)
        for ranked, passage in candidates
    ]
    visit = sorted(range(len(candidates)), key=lambda i: (-ceilings[i], i))
    found: list[tuple[float, float, int, RankedPassage, Passage, ChosenSnippet]] = []
    for i in visit:
        if found and not _may_show(ceilings[i] + CEILING_MARGIN, [-f[0] for f in found], wanted):
            break  # ceilings only fall: no later candidate can be shown either
        ranked, passage = candidates[i]
        lead = max(0, LEAD_CHARS - passage.start)
        units = choose_snippets(passage.text, spans_of(passage), cues, lead=lead, n=wanted)
        for rank, chosen in enumerate(units):
            if not acceptable(passage, chosen):
                continue
            found.append((-chosen.score, -ranked.score, i, rank, ranked, passage, chosen))
        found.sort(key=lambda item: item[:4])
    return [(ranked, passage, chosen) for *_, ranked, passage, chosen in found]


def _spare_of(
    chosen: Sequence[tuple[RankedPassage, Passage, ChosenSnippet]], shown: Snippet
) -> Snippet | None:
    """The best unit after the shown one from the shown one's passage, as a ``Snippet``."""
    return next(
        (
            _snippet_of(ranked, passage, unit)
            for ranked, passage, unit in chosen[1:]
            if passage.passage_id == shown.passage_id
        ),
        None,
    )


def _snippet_of(ranked: RankedPassage, passage: Passage, unit: ChosenSnippet) -> Snippet:
    """A chosen unit as the ``Snippet`` shown, scored by its passage's rank."""
    return Snippet(
        text=unit.text,
        highlights=unit.highlights,
        passage_id=passage.passage_id,
        passage_ordinal=passage.ordinal,
        score=ranked.score,
        start=unit.start,
        end=unit.end,
    )


def _may_show(ceiling: float, scores: Sequence[float], wanted: int) -> bool:
    """Whether a snippet scoring up to ``ceiling`` can be among the ``wanted`` shown, given
    the scores found so far (best first): it must reach the head, and a snippet after the
    first is shown only at ``SECOND_SNIPPET_MIN_SHARE`` of the first's score."""
    if ceiling >= scores[0]:
        return True
    if ceiling < SECOND_SNIPPET_MIN_SHARE * scores[0]:
        return False
    return len(scores) < wanted or ceiling >= scores[wanted - 1]


def _article_terms(article: ArticleHead, cache: PassageCache) -> set[str]:
    """Terms every passage of the article shares as evidence: its title and its day.

    A question dated to the day an article was published ("what happened on 22 March 2024")
    is matched by that article even where a passage does not repeat the date.
    """
    lang = lang_or_default(article.language)
    return _day_terms(article).union(cache.terms(article.title, lang, article.published_at))


def _day_terms(article: ArticleHead) -> set[str]:
    """The date terms of the day the article was published (none when undated)."""
    if article.published_at is None:
        return set()
    day = article.published_at.date()
    return set(date_terms(day.month, day.day, day.year))


def _log_rejection(article: ArticleHead, passage: Passage | None, evidence: Evidence) -> None:
    """Say at DEBUG why a candidate was not shown (the threshold's calibration trail).

    ``passage`` None: all the article's candidate passages together were not enough.
    Checked first: most candidates are rejected, and the sorted words were built for each.
    """
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "rejected article %s passage %s: coverage %.2f, matched words %s",
        article.article_id,
        "(all)" if passage is None else passage.ordinal,
        evidence.coverage,
        sorted(evidence.matched),
    )
