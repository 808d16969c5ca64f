"""A short snippet's context sentence: the one that can state the answer, also across paragraphs.

News paragraphs are often one sentence, and each paragraph is a passage: the sentence that
names the answer is then beside the one matching the question, in another passage
(``snippets.context_choice``, ``assemble._with_context``). Made-up names throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.analysis.analyzer import Analyzer
from index.answer.answer_type import answer_type_of
from index.answer.evidence import QuestionWord
from index.answer.snippets import (
    SHORT_SNIPPET_CHARS,
    SnippetCues,
    choose_snippet,
    split_sentences,
)

REAL = Analyzer()
NOW = datetime(2024, 12, 20, tzinfo=UTC)


def cues(question: str) -> SnippetCues:
    """One word per question term, weight 1, with the question's answer type."""
    terms = frozenset(REAL.question(question, NOW).terms)
    words = [QuestionWord(t, frozenset([t]), 1.0, True, False, False) for t in sorted(terms)]
    return SnippetCues(words=words, question_terms=terms, answer_type=answer_type_of(question))


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "She accepted an honor from the U.S. Navy. Then she left.",
            ["She accepted an honor from the U.S. Navy.", "Then she left."],
        ),
        ("He lives in the U.S.\nNext line.", ["He lives in the U.S.", "Next line."]),
        ("The talks ran past 10 p.m. Nobody left.", ["The talks ran past 10 p.m. Nobody left."]),
    ],
    ids=["initials-before-a-name", "initials-before-a-line-break", "initials-run-on"],
)
def test_dotted_initials_do_not_end_a_sentence(text: str, sentences: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == sentences


QUESTION = "Which actor received the Navy award for civilians?"
MATCH = "The film star, 62, received the Navy award for civilians from Admiral Del Brant."
AFTER = "The ceremony was short and the weather was cold."


def test_the_context_is_the_neighbour_that_names_someone_new() -> None:
    named = "The honor went to Zorba Quellnik on Monday."
    text = f"{named} {MATCH} {AFTER}"
    chosen = choose_snippet(text, REAL.term_spans(text, "en", NOW), cues(QUESTION))
    assert chosen.text == f"{named} {MATCH}"
    # With no name beside it, the following sentence is the context, as before.
    plain = f"The honor went to him on Monday. {MATCH} {AFTER}"
    chosen = choose_snippet(plain, REAL.term_spans(plain, "en", NOW), cues(QUESTION))
    assert chosen.text == f"{MATCH} {AFTER}"


TITLE = "Zorba Quellnik receives public service award from Navy"
PARAGRAPHS = [
    "Zorba Quellnik is choosing to accept a major honor from the U.S. Navy.",
    MATCH,
    "The award recognized Quellnik for his dedication, a press release said.",
    "Officials thanked the crew of the ship for the long day of preparations at the port.",
]
OTHER = (
    "Harbour news",
    "The harbour of Veldport reopened after repairs.\n\nShips returned to the docks on Friday.",
)


COURT_PARAGRAPHS = [
    "The court adjourned for the rest of the week after the verdict was read out.",
    "The company lost the antitrust lawsuit, the most significant victory for regulators in a "
    "monopoly case in decades, said a law professor who served in the antitrust division of "
    "the justice department for many years.",
    "Zentauro said it would appeal the decision.",
]
COURT = ("Zentauro loses antitrust case in huge defeat", "\n\n".join(COURT_PARAGRAPHS))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("context")
    corpus = root / "news.jsonl"
    docs = [(TITLE, "\n\n".join(PARAGRAPHS)), OTHER, COURT]
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "text": x, "published": "2024-12-17"}) for t, x in docs),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_a_one_sentence_paragraph_takes_its_context_from_the_next_passage_up(
    archive: Archive,
) -> None:
    answer = archive.ask(QUESTION, now=NOW)
    assert answer.found
    first = answer.articles[0]
    snippet = first.snippets[0]
    assert len(MATCH) < SHORT_SNIPPET_CHARS
    # The matching paragraph, with the previous one (its headline's name) as context.
    assert snippet.text == f"{PARAGRAPHS[0]}\n\n{MATCH}"
    # Verbatim: the snippet is the body's text, placed relative to its passage's start.
    body = archive.get_article(first.citation.article_id).body
    passage = archive.passages_for([snippet.passage_id])[snippet.passage_id]
    assert passage.text == MATCH
    assert snippet.start < 0
    assert body[passage.start + snippet.start : passage.start + snippet.end] == snippet.text
    # Highlights are question words, in both paragraphs.
    marked = [snippet.text[a:b] for a, b in snippet.highlights]
    assert {"Navy", "received", "civilians"} <= set(marked)
    assert any(b <= len(PARAGRAPHS[0]) for _, b in snippet.highlights)  # "U.S. Navy"
    assert list(snippet.highlights) == sorted(snippet.highlights)
    # No sentence is shown twice in one article.
    texts = [s.text for s in first.snippets]
    assert not any(PARAGRAPHS[0] in t for t in texts[1:])


def test_through_ask_a_paragraph_break_is_crossed_only_for_a_sentence_that_can_answer(
    archive: Archive,
) -> None:
    # "When": the previous paragraph holds no date, so the snippet keeps to its paragraph.
    answer = archive.ask("When did ships return to the docks?", now=NOW)
    assert answer.found
    snippet = answer.articles[0].snippets[0]
    passage = archive.passages_for([snippet.passage_id])[snippet.passage_id]
    assert snippet.text == passage.text == "Ships returned to the docks on Friday."
    assert (snippet.start, snippet.end) == (0, len(passage.text))


def test_a_second_snippet_a_third_as_good_as_the_first_may_be_shown() -> None:
    # SECOND_SNIPPET_MIN_SHARE 0.3 (0.5 before): a passage whose ceiling is 0.35 of the
    # first snippet's score is still visited for the article's second snippet.
    from index.answer.assemble import SECOND_SNIPPET_MIN_SHARE, _may_show

    assert SECOND_SNIPPET_MIN_SHARE == 0.3
    assert _may_show(0.35, [1.0], 2)
    assert not _may_show(0.25, [1.0], 2)
    assert not _may_show(0.35, [1.0, 0.5], 2)  # the slot is taken by a better one


def test_a_long_snippet_without_the_headline_answer_takes_the_sentence_naming_it() -> None:
    from index.answer.snippets import MAX_SNIPPET_CHARS, title_words

    title = "Zentauro loses antitrust case in huge defeat"
    question = "Which company lost a massive antitrust lawsuit?"
    matched = (
        "The antitrust lawsuit is the most significant victory for regulators in a monopoly "
        "case in decades, said a law professor who served in the antitrust division of the "
        "justice department for many years before teaching at a university law school where "
        "he wrote two books about the history of competition law."
    )
    naming = "Zentauro said it would appeal the decision."
    other = "The court adjourned for the rest of the week after the verdict was read out."
    text = f"{other} {matched} {naming}"
    assert len(matched) >= SHORT_SNIPPET_CHARS and len(matched + naming) < MAX_SNIPPET_CHARS
    plain = cues(question)
    title_spans = REAL.term_spans(title, "en", NOW)
    titled = SnippetCues(
        words=plain.words,
        question_terms=plain.question_terms,
        answer_type=plain.answer_type,
        title_words=title_words(title_spans, plain.question_terms),
    )
    spans = REAL.term_spans(text, "en", NOW)
    chosen = choose_snippet(text, spans, titled)
    assert chosen.text == f"{matched} {naming}" and chosen.headline
    # Without the headline's name in the title the long snippet stays as it is.
    untitled = choose_snippet(text, spans, plain)
    assert untitled.text == matched and not untitled.headline


def test_through_ask_a_long_snippet_takes_the_next_paragraph_naming_the_headline_answer(
    archive: Archive,
) -> None:
    answer = archive.ask("Which company lost the antitrust lawsuit?", now=NOW)
    assert answer.found
    first = answer.articles[0]
    assert first.citation.title == COURT[0]
    snippet = first.snippets[0]
    assert snippet.text == f"{COURT_PARAGRAPHS[1]}\n\n{COURT_PARAGRAPHS[2]}"
    passage = archive.passages_for([snippet.passage_id])[snippet.passage_id]
    body = archive.get_article(first.citation.article_id).body
    assert body[passage.start + snippet.start : passage.start + snippet.end] == snippet.text


BYLINED = (
    "Velmora to end robotaxi program",
    "\n\n".join(
        [
            "Jana K. Lorrin",
            "Riverside Daily Courier",
            "Velmora Motors is pivoting from self-driving taxis to personal cars.",
            "Shares were steady in Frankfurt trading on the day of the notice, and analysts "
            "at several banks kept their forecasts for the year unchanged, saying that the "
            "move had long been expected by investors who follow the group and its many "
            "suppliers in the region, where the group employs thousands of people.",
            "The automaker said its robotaxi effort will end this year and that its engineers "
            "will move to work on personal vehicles, a spokesman said on a call with reporters.",
        ]
    ),
)


def test_through_ask_the_lead_after_a_byline_and_an_outlet_line_is_read(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # LEAD_PASSAGES 3: the byline and outlet lines are passages 0 and 1, the lead is 2.
    from index.answer.assemble import LEAD_PASSAGES

    assert LEAD_PASSAGES == 3
    root: Path = tmp_path_factory.mktemp("bylined")
    corpus = root / "news.jsonl"
    docs = [BYLINED, OTHER, COURT]
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "text": x, "published": "2024-12-17"}) for t, x in docs),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        answer = opened.ask("Which automaker will end its robotaxi program?", now=NOW)
    assert answer.found
    assert answer.articles[0].snippets[0].text.startswith("Velmora Motors is pivoting")
