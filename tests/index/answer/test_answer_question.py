"""answer_question on an exact BM25Okapi index over a small hand-written archive."""

from __future__ import annotations

import pytest

from index.answer import answer_question, rank_articles
from index.answer.assemble import NO_TERMS_REASON, UNKNOWN_TERMS_REASON, WEAK_EVIDENCE_REASON
from tests.index.answer.fakes import MemoryArchive, Question, SimpleAnalyzer

ARTICLES = [
    (
        "Coalition to shoot down missiles over Ukraine",
        "The president asked diplomats to explore a coalition of neighbour states.\n\n"
        "On 8 July, Prime Minister Tusk said Poland would discuss downing Russian missiles "
        "with allies. Tusk stated it would need approval.\n\n"
        "On 14 July, Secretary General Stoltenberg said he opposed Poland using its air "
        "defence over Ukraine.",
    ),
    (
        "Harvest season starts early",
        "Farmers in the south began the grain harvest two weeks early this year.\n\n"
        "Prices for wheat fell after the first reports of a good harvest.",
    ),
    (
        "Museum reopens after repairs",
        "The city museum reopened on 14 July after two years of repairs.\n\n"
        "Visitors queued for the new exhibition of Bronze Age tools.",
    ),
    (
        "Poland weighs air defence plan",
        "Officials in Poland said the air defence plan needs allies.",
    ),
]


@pytest.fixture(scope="module")
def analyzer() -> SimpleAnalyzer:
    return SimpleAnalyzer()


@pytest.fixture(scope="module")
def archive(analyzer: SimpleAnalyzer) -> MemoryArchive:
    return MemoryArchive(ARTICLES, analyzer)


def ask(archive, analyzer, text, **kwargs):
    return answer_question(
        analyzer.question(text), index=archive, passages=archive, analyzer=analyzer, **kwargs
    )


@pytest.mark.parametrize("layer", [True, False], ids=["layer", "no-layer"])
def test_date_question_answers_with_the_dated_sentence(archive, analyzer, layer):
    answer = ask(archive, analyzer, "What did Stoltenberg say on 14 July?", layer=layer)
    assert answer.found
    top = answer.articles[0]
    assert top.citation.title.startswith("Coalition")
    assert "Stoltenberg" in top.snippets[0].text
    assert "14 July" in top.snippets[0].text
    assert "Tusk" not in top.snippets[0].text


def test_snippet_is_the_sentence_carrying_the_question(archive, analyzer):
    answer = ask(archive, analyzer, "What did Tusk say about Russian missiles?")
    snippet = answer.articles[0].snippets[0]
    assert "Russian missiles" in snippet.text
    assert snippet.passage_ordinal == 1


def test_highlights_are_spans_of_matched_terms_in_the_snippet(archive, analyzer):
    answer = ask(archive, analyzer, "What did Stoltenberg say on 14 July?")
    snippet = answer.articles[0].snippets[0]
    marked = {snippet.text[start:end] for start, end in snippet.highlights}
    assert {"Stoltenberg", "14 July"} <= marked
    assert marked <= {"Stoltenberg", "14 July", "say"}
    assert all(0 <= s < e <= len(snippet.text) for s, e in snippet.highlights)


def test_citation_carries_title_source_author_date_url(archive, analyzer):
    citation = ask(archive, analyzer, "Stoltenberg air defence").articles[0].citation
    assert citation.article_id == 1
    assert citation.source == "Example"
    assert citation.author == "A. Writer"
    assert citation.url == "https://example.org/1"
    assert citation.published_at is not None


def test_at_most_two_snippets_per_article_and_k_articles(archive, analyzer):
    answer = ask(archive, analyzer, "Poland air defence missiles", k=2)
    assert 1 <= len(answer.articles) <= 2
    assert all(len(a.snippets) <= 2 for a in answer.articles)
    ids = [a.citation.article_id for a in answer.articles]
    assert len(ids) == len(set(ids))


def test_offset_pages_through_articles(archive, analyzer):
    first = ask(archive, analyzer, "Poland air defence", k=1)
    second = ask(archive, analyzer, "Poland air defence", k=1, offset=1)
    assert first.found and second.found
    assert first.articles[0].citation.article_id != second.articles[0].citation.article_id


def test_unknown_words_only_is_nothing_found(archive, analyzer):
    answer = ask(archive, analyzer, "WhatsApp blocked")
    assert not answer.found
    assert answer.reason == UNKNOWN_TERMS_REASON
    assert answer.articles == ()


def test_unknown_name_with_common_words_is_nothing_found_with_nearest_titles(archive, analyzer):
    answer = ask(archive, analyzer, "Did Russia plan to block WhatsApp over Poland?")
    assert not answer.found
    assert answer.reason == WEAK_EVIDENCE_REASON
    assert 1 <= len(answer.nearest_titles) <= 3


def test_date_must_match_when_asked(archive, analyzer):
    answer = ask(archive, analyzer, "What did Stoltenberg say on 2 August?")
    assert not answer.found


def test_question_without_terms_is_nothing_found(archive, analyzer):
    answer = answer_question(
        Question("the of", "en", (), ()), index=archive, passages=archive, analyzer=analyzer
    )
    assert not answer.found
    assert answer.reason == NO_TERMS_REASON


def test_layer_off_ranks_articles_by_best_bm25_passage(archive, analyzer):
    terms = analyzer.question("Poland air defence").terms
    ranked = rank_articles(terms, index=archive, passages=archive, analyzer=analyzer, layer=False)
    scores = archive.bm25.get_scores(list(terms))
    best = {}
    for pid, score in enumerate(scores):
        if score > 0:
            art = archive.article_of(pid)
            best[art] = max(best.get(art, 0.0), score)
    assert [r.article_id for r in ranked] == sorted(best, key=lambda a: -best[a])
    assert [r.score for r in ranked] == pytest.approx(sorted(best.values(), reverse=True))


def test_lead_passages_join_the_candidates(archive):
    """An article's lead is considered for its snippet even when the ranking left it out."""
    from index.answer.assemble import _with_lead
    from index.answer.candidates import RankedPassage

    third = archive.passages[2]  # the Coalition article's third paragraph
    candidates = [(RankedPassage(third.passage_id, 1, 1.0), third)]
    joined = _with_lead(candidates, archive.articles[1], archive)
    assert [(p.ordinal, r.score) for r, p in joined] == [(2, 1.0), (0, 1.0), (1, 1.0)]


def test_a_lead_guess_from_another_article_is_never_used(archive, analyzer):
    """The lead's ids are guessed from a candidate's id and ordinal, then checked."""
    from index.answer.assemble import _with_lead
    from index.answer.candidates import RankedPassage
    from index.models import Passage

    odd = Passage(5, 3, 2, "Visitors queued.", 0, 16)  # its guessed lead ids belong elsewhere
    candidates = [(RankedPassage(5, 3, 1.0), odd)]
    assert _with_lead(candidates, archive.articles[3], archive) == candidates


HEADLINE_ARTICLES = [
    (
        "Veloria bans plastic bags at shop checkouts",
        "Veloria's governor signed a law on Monday that bans plastic bags at shop checkouts "
        "from 2026.\n\n"
        "Several states have weighed a ban on plastic bags at checkouts for years, according "
        "to a long report on household waste that the environment agency published.\n\n"
        "Shops will offer paper bags instead, and shoppers may bring their own.",
    ),
    (
        "Harvest season starts early",
        "Farmers in the south began the grain harvest two weeks early this year, and the "
        "state said the grain would be stored in bags.",
    ),
]


def test_the_headline_and_lead_answer_a_which_question():
    """Through answer_question with the real analyzer: the lead sentence naming the state
    (as the headline does) is the snippet, not the later sentence with more question words."""
    from datetime import UTC, datetime

    from index.analysis.analyzer import Analyzer

    real = Analyzer()
    archive = MemoryArchive(HEADLINE_ARTICLES, real)
    question = real.question(
        "Which state will ban plastic bags at checkouts?", datetime(2024, 8, 4, tzinfo=UTC)
    )
    answer = answer_question(question, index=archive, passages=archive, analyzer=real)
    assert answer.found
    assert answer.articles[0].snippets[0].text.startswith("Veloria's governor signed")
