"""Bad questions through the real stack: each gets a clear answer or a QuestionError."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from index import Answer, Archive, IndexSettings, open_archive
from index.answer.assemble import NO_TERMS_REASON
from index.errors import QuestionError

pytestmark = pytest.mark.slow

DOCS = [
    ("Bridge opens in Dnipro", "The new river bridge in Dnipro opened on 3 May after repairs."),
    ("Harbour strike ends", "Dock workers in Odesa ended their strike after a pay deal."),
    ("Museum shows tools", "The city museum in Lviv showed Bronze Age tools to visitors."),
    ("Record harvest", "Farmers near Poltava reported a record wheat harvest this summer."),
    ("Night train", "A night train linked Kyiv and Chernivtsi for the summer season."),
    ("Library reopens", "The regional library in Sumy reopened its reading room."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("bad-questions")
    path = root / "docs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"title": t, "text": x, "published": "2024-05-04T10:00:00+00:00"})
            for t, x in DOCS
        ),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(path)]).failed == ()
        yield opened


def ask(archive: Archive, question: str) -> Answer:
    return archive.ask(question, now=datetime(2024, 5, 10, tzinfo=UTC))


@pytest.mark.parametrize("question", ["", "   \n\t "], ids=["empty", "whitespace"])
def test_empty_question_is_a_question_error(archive, question):
    with pytest.raises(QuestionError):
        ask(archive, question)


@pytest.mark.parametrize(
    "question",
    ["what is the of and", "🚀🔥❓🙂", "桥什么时候开通的？", "?!.,;:"],
    ids=["stopwords", "emoji", "chinese", "punctuation"],
)
def test_question_without_searchable_words_says_so(archive, question):
    answer = ask(archive, question)
    assert not answer.found
    assert answer.articles == ()
    assert answer.reason


PLAIN_QUESTION = "When did the Dnipro bridge open?"


def test_plain_question_is_answered(archive):
    answer = ask(archive, PLAIN_QUESTION)
    assert answer.found
    assert "3 May" in answer.articles[0].snippets[0].text


@pytest.mark.parametrize(
    "question",
    [
        "<b>When</b> did the <i>Dnipro</i> bridge open? <script>alert(1)</script>",
        "When did the Dnipro bridge open? <script>alert('bridge')</script>",
        "When did the <span class='x'>Dni<b>pro</b></span> bridge&nbsp;open?<br/>",
        "When did the Dnipro bridge open? <style>p { color: red }</style><!-- note -->",
        "When did the Dnipro bridge open? 🌉🌉",
    ],
    ids=["markup", "script", "inline-tags-entities", "style-comment", "emoji-around-words"],
)
def test_noisy_question_answers_like_the_plain_one(archive, question):
    plain = ask(archive, PLAIN_QUESTION)
    answer = ask(archive, question)
    assert answer.found
    assert "3 May" in answer.articles[0].snippets[0].text
    assert [a.citation.article_id for a in answer.articles] == [
        a.citation.article_id for a in plain.articles
    ]


def test_markup_is_not_echoed_as_the_question(archive):
    answer = ask(archive, "<b>When</b> did the Dnipro bridge open? <script>alert(1)</script>")
    assert answer.question == PLAIN_QUESTION


def test_markup_only_question_has_no_searchable_words(archive):
    answer = ask(archive, "<script>alert(1)</script><b></b>")
    assert not answer.found
    assert answer.reason == NO_TERMS_REASON


def test_question_in_an_unsupported_language_says_nothing_matched(archive):
    answer = ask(archive, "Wann wurde die Brücke in Dnipro eröffnet?")
    assert not answer.found
    assert answer.articles == ()
    assert answer.reason


def test_ten_thousand_characters_get_an_answer_not_a_crash(archive):
    answer = ask(archive, ("When did the Dnipro bridge open? " * 400)[:10_000])
    assert isinstance(answer, Answer)
    assert answer.found
    assert "3 May" in answer.articles[0].snippets[0].text


def test_only_stopwords_reason_names_the_problem(archive):
    assert ask(archive, "what is the of and").reason == NO_TERMS_REASON
