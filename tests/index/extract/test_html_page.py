"""HTML pages: trafilatura body and metadata, htmldate fallback, truncated and malformed pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from index.errors import ExtractionError
from index.extract import ExtractOptions, extract_bytes, html_page
from index.extract.html_page import extract_html

ARTICLE_HTML = """<html lang="{lang}"><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<footer>Contact us</footer></body></html>"""


def _page(title: str, paragraphs: list[str], lang: str = "en") -> str:
    return ARTICLE_HTML.format(
        lang=lang, title=title, paragraphs="".join(f"<p>{p}</p>" for p in paragraphs)
    )


def test_news_page_gives_body_without_nav_comments_or_related(read_fixture) -> None:
    [article] = extract_bytes(read_fixture("news-page.html"), "news-page.html")
    assert article.title == "EU leaders agree to open accession talks with Ukraine"
    assert article.author == "Anna Bondar"
    assert article.source == "Example News"
    assert article.url == "https://news.example.org/2023/12/14/eu-accession-talks-ukraine"
    cet = timezone(timedelta(hours=1))
    assert article.published_at == datetime(2023, 12, 14, 20, 45, tzinfo=cet)
    assert article.language == "en"
    assert article.body.startswith("Leaders of the European Union agreed")
    assert "candidate status to Georgia" in article.body
    assert "• It received candidate status in June 2022." in article.body
    for dropped in ("Reader one", "Reader two", "Farm protests", "Home", "All rights reserved"):
        assert dropped not in article.body
    assert not article.body.startswith(article.title)


def test_language_is_detected_from_the_text_not_the_lang_attribute() -> None:
    html = _page(
        "Рада ухвалила закон",
        ["Верховна Рада ухвалила в цілому закон про зміни до Бюджетного кодексу України."],
        lang="en",
    )
    assert extract_html(html, "uk.html").language == "uk"


def test_truncated_html_still_yields_the_text_before_the_cut() -> None:
    html = _page(
        "A headline",
        ["The first paragraph of the article has quite a few words in it.", "Second one."],
    )
    cut = html[: html.index("Second one.")]
    article = extract_html(cut, "cut.html")
    assert article.body.startswith("The first paragraph of the article")


def test_malformed_nesting_and_unclosed_tags_still_extract() -> None:
    html = (
        "<html><body><div><p>Unclosed paragraph about the summit in Washington and its "
        "declaration<p>Another <b>bold <i>crossed</b> tags</i> paragraph with words"
        "</div></span></table></body></html>"
    )
    article = extract_html(html, "bad.html")
    assert "summit in Washington" in article.body
    assert "Another bold crossed tags paragraph" in article.body


def test_naive_metadata_dates_get_the_default_zone() -> None:
    html = _page("A headline", ["Some text of the article, long enough to count here."])
    html = html.replace("<head>", '<head><meta name="date" content="2024-07-10">')
    article = extract_html(html, "d.html", options=ExtractOptions(default_tz="Europe/Kyiv"))
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2024-07-10"
    assert str(article.published_at.tzinfo) == "Europe/Kyiv"


def test_htmldate_is_the_fallback_when_trafilatura_gives_no_date(monkeypatch) -> None:
    html = _page("A headline", ["Some text of the article, long enough to count here."])
    html = html.replace(
        "<head>", '<head><meta property="article:published_time" content="2024-07-10T08:00:00Z">'
    )
    real = html_page.run_trafilatura

    def without_date(*args, **kwargs):
        text, document = real(*args, **kwargs)
        document.date = None
        return text, document

    monkeypatch.setattr(html_page, "run_trafilatura", without_date)
    article = extract_html(html, "d.html")
    assert article.published_at == datetime(2024, 7, 10, 8, 0, tzinfo=UTC)


def test_a_page_without_article_text_is_an_error_naming_the_item() -> None:
    with pytest.raises(ExtractionError, match="no article text") as caught:
        extract_html("<html><body><nav>Home</nav></body></html>", "empty.html")
    assert caught.value.item == "empty.html"


def test_html_fragment_in_a_json_record_is_not_reported_as_truncated(caplog) -> None:
    record = {
        "title": "Bridge reopens",
        "html": "<p>The river bridge in Dnipro reopened on Monday after long repairs.</p>\n"
        "<p>Traffic was light in the morning.</p>",
        "published": "2024-05-04T10:00:00+00:00",
    }
    caplog.set_level("WARNING", logger="index.extract")
    [article] = extract_bytes(json.dumps([record]).encode(), "archive.json")
    assert "reopened on Monday" in article.body
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []


def test_truncated_full_page_still_warns(caplog) -> None:
    html = _page(
        "A headline",
        ["The first paragraph of the article has quite a few words in it.", "Second one."],
    )
    cut = html[: html.index("Second one.")]
    caplog.set_level("WARNING", logger="index.extract.html_page")
    extract_html(cut, "cut.html")
    assert any("cut.html: HTML has no closing tags" in r.getMessage() for r in caplog.records)


def test_looks_truncated_only_for_full_pages() -> None:
    assert not html_page.looks_truncated("<p>A fragment</p><p>Another</p>")
    assert html_page.looks_truncated("<html><body><p>Cut here")
    assert html_page.looks_truncated("<!doctype html><BODY class='x'><p>Cut")
    assert not html_page.looks_truncated("<html><body><p>Whole</p></body></html>")
