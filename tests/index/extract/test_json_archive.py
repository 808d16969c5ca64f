"""JSON and JSONL archives: one article per object, per-record errors named file#N."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from index.errors import ExtractionError
from index.extract import ExtractOptions, extract_bytes, extract_records
from index.models import ExtractedArticle

RECORD = {"title": "Headline", "text": "The whole body of the article.", "language": "en"}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def test_jsonl_archive_keeps_good_records_and_names_bad_lines(read_fixture) -> None:
    results = extract_records(read_fixture("archive.jsonl"), "archive.jsonl")
    assert [type(r).__name__ for r in results] == [
        "ExtractedArticle",
        "ExtractedArticle",
        "ExtractionError",
        "ExtractionError",
        "ExtractedArticle",
    ]
    first, second, not_json, no_text, from_html = results
    assert isinstance(first, ExtractedArticle)
    assert first.url == "https://news.example.org/2024/07/11/nato-f16"
    edt = timezone(timedelta(hours=-4))
    assert first.published_at == datetime(2024, 7, 10, 18, 30, tzinfo=edt)
    assert first.body.count("\n\n") == 1
    assert (first.author, first.source, first.language) == ("Example Desk", "Example News", "en")
    assert second.language == "uk"
    assert second.published_at == datetime(2024, 8, 4, tzinfo=UTC)
    assert not_json.item == "archive.jsonl#3"
    assert "not JSON" in not_json.reason
    assert no_text.item == "archive.jsonl#4"
    assert "neither text nor html" in no_text.reason
    assert from_html.title == "Премьер Польши о ракетах"
    assert from_html.body.startswith("Премьер-министр Польши Дональд Туск")
    assert from_html.language == "ru"
    assert from_html.published_at == datetime(2024, 7, 8, 14, 0, tzinfo=UTC)


def test_extract_bytes_returns_only_the_good_records(read_fixture) -> None:
    articles = extract_bytes(read_fixture("archive.jsonl"), "archive.jsonl")
    assert len(articles) == 3


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param([RECORD, RECORD], id="top-level-list"),
        pytest.param({"articles": [RECORD, RECORD]}, id="articles-key"),
    ],
)
def test_json_list_shapes_give_one_article_per_object(payload: object) -> None:
    articles = extract_bytes(_dumps(payload), "a.json")
    assert [a.title for a in articles] == ["Headline", "Headline"]


def test_single_object_json_is_one_article() -> None:
    [article] = extract_bytes(_dumps(RECORD), "one.json")
    assert article.body == "The whole body of the article."


def test_json_file_holding_several_lines_is_read_as_jsonl() -> None:
    data = _dumps(RECORD) + b"\n" + _dumps(RECORD) + b"\n"
    assert len(extract_bytes(data, "lines.json")) == 2


def test_alternative_keys_and_author_lists_are_accepted() -> None:
    record = {
        "headline": "Alt keys",
        "body": "Body under another key.",
        "authors": ["A. One", "B. Two"],
        "datePublished": "2024-07-10T10:00:00",
        "lang": "uk-UA",
        "outlet": "Somewhere",
        "link": "https://example.org/x",
    }
    [article] = extract_bytes(_dumps(record), "alt.json", options=ExtractOptions(default_tz="UTC"))
    assert article.title == "Alt keys"
    assert article.author == "A. One, B. Two"
    assert article.published_at == datetime(2024, 7, 10, 10, 0, tzinfo=UTC)
    assert article.language == "uk"
    assert (article.source, article.url) == ("Somewhere", "https://example.org/x")


def test_language_outside_en_uk_ru_is_detected_instead() -> None:
    record = {"text": "Збройні сили України отримали нову партію техніки.", "language": "de"}
    [article] = extract_bytes(_dumps(record), "x.json")
    assert article.language == "uk"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        pytest.param({"text": "x", "published": "not a date at all"}, "published", id="bad-date"),
        pytest.param({"text": "x", "title": ["a"]}, "title", id="title-not-string"),
        pytest.param({"title": "only"}, "neither text nor html", id="no-text"),
        pytest.param(["a", "list"], "expected a JSON object", id="not-an-object"),
    ],
)
def test_bad_records_are_errors_naming_field_and_position(record: object, reason: str) -> None:
    [result] = extract_records(_dumps([record]), "bad.json")
    assert isinstance(result, ExtractionError)
    assert result.item == "bad.json#1"
    assert reason in result.reason


def test_an_archive_with_no_good_record_raises_the_first_error() -> None:
    with pytest.raises(ExtractionError, match="neither text nor html"):
        extract_bytes(_dumps([{"title": "a"}, {"title": "b"}]), "bad.json")


def test_an_empty_list_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="no article objects"):
        extract_bytes(b"[]", "empty.json")
