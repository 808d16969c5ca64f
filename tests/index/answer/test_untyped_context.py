"""Context across a paragraph break for questions asking no type, and for one long sentence.

A "what" question names no type a neighbouring sentence could hold, so the
sentence-that-can-answer rule (``snippets.context_choice``) never let such a snippet cross a
paragraph break: news paragraphs are often one sentence, and the snippet stayed one short
sentence without the statement it opens (``snippets.untyped_context_choice``,
``assemble._with_context``). And a one-sentence snippet just over 200 characters took no
context at all (``SHORT_SNIPPET_CHARS`` 300). Made-up names throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.snippets import (
    MAX_SNIPPET_CHARS,
    SHORT_SNIPPET_CHARS,
    SentenceFeatures,
    untyped_context_choice,
)

NOW = datetime(2024, 12, 20, tzinfo=UTC)


def features(*matched: int) -> SentenceFeatures:
    """A neighbouring sentence matching the question words ``matched`` (indexes)."""
    return SentenceFeatures(frozenset(matched), False, frozenset())


def test_the_neighbour_adding_the_most_question_words_is_chosen() -> None:
    # Preceding (index 0) adds word 3, following (index 1) adds words 3 and 4.
    choice = untyped_context_choice(
        [features(1, 3), features(3, 4)], frozenset({1}), [False, True]
    )
    assert choice == 1
    # A tie goes to the preceding paragraph's last sentence (listed first).
    tie = untyped_context_choice([features(3), features(4)], frozenset({1}), [False, True])
    assert tie == 0


def test_without_new_question_words_only_the_following_paragraph_is_taken() -> None:
    own = frozenset({1, 2})
    assert untyped_context_choice([features(1), features()], own, [False, True]) == 1
    # The preceding paragraph alone, adding nothing: no context (a break separates topics).
    assert untyped_context_choice([features(2)], own, [False]) is None
    assert untyped_context_choice([], own, []) is None


TITLE = "Brindlemoor dictionary picks its word of the year"
PARAGRAPHS = [
    "The harbour market of Veldport closed early on Friday because of the storm.",
    "The Brindlemoor dictionary announced its word of the year on Monday.",
    "The chosen word is quellitude, a state of calm that lexicographers saw searched for "
    "more than any other.",
    "Editors said the list of runners-up had a political theme.",
]
DEBATE_TITLE = "How to watch the Zentauro-Marvik debate: what to know"
DEBATE = [
    "On Tuesday, Governor Ilsa Zentauro, the Harbour Party nominee, will face off against "
    "Oskar Marvik, the former governor and Valley Party nominee, in their first and only "
    "scheduled debate, which both campaigns call the most important night of the race.",
    "The debate will be moderated by two anchors of Channel Nine from the Grand Assembly "
    "Hall in Tollenbrook.",
    "Tickets for the watch parties sold out within hours.",
]
OTHER = ("Weather notes", "Rain is expected over the hills.\n\nThe rivers are high.")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("untyped-context")
    corpus = root / "news.jsonl"
    docs = [(TITLE, "\n\n".join(PARAGRAPHS)), (DEBATE_TITLE, "\n\n".join(DEBATE)), OTHER]
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "text": x, "published": "2024-12-16"}) for t, x in docs),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_a_what_question_takes_the_following_paragraph_that_states_it(
    archive: Archive,
) -> None:
    answer = archive.ask("What is the Brindlemoor dictionary's word of the year?", now=NOW)
    assert answer.found
    first = answer.articles[0]
    assert first.citation.title == TITLE
    snippet = first.snippets[0]
    assert len(PARAGRAPHS[1]) < SHORT_SNIPPET_CHARS
    # The matching paragraph, and the next one, which names the word; not the previous
    # paragraph, which adds nothing to the question.
    assert snippet.text == f"{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}"
    assert "quellitude" in snippet.text and "Veldport" not in snippet.text
    # Verbatim from the body, placed relative to its passage's start.
    body = archive.get_article(first.citation.article_id).body
    passage = archive.passages_for([snippet.passage_id])[snippet.passage_id]
    assert body[passage.start + snippet.start : passage.start + snippet.end] == snippet.text
    marked = " ".join(snippet.text[a:b] for a, b in snippet.highlights).lower()
    assert all(word in marked for word in ("brindlemoor", "word", "year"))


def test_through_ask_one_long_sentence_takes_the_next_paragraph_naming_the_place(
    archive: Archive,
) -> None:
    answer = archive.ask(
        "Which city hosts the debate between Governor Ilsa Zentauro and Oskar Marvik?", now=NOW
    )
    assert answer.found
    first = answer.articles[0]
    assert first.citation.title == DEBATE_TITLE
    snippet = first.snippets[0]
    # One sentence over 200 characters but under SHORT_SNIPPET_CHARS: it takes the next
    # paragraph, which names the hall and the city.
    assert 200 < len(DEBATE[0]) < SHORT_SNIPPET_CHARS
    assert snippet.text == f"{DEBATE[0]}\n\n{DEBATE[1]}"
    assert len(snippet.text) <= MAX_SNIPPET_CHARS
    assert "Tollenbrook" in snippet.text
