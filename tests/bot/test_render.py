"""Rendering: escaped Telegram HTML, bold highlights, citations, parts within 4096 characters.

Every rendered text is checked with the fake Bot API's Telegram-HTML parser, the same check
the end-to-end tests apply to what the bot really sends.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from bot.render import (
    CALLBACK_DATA_MAX_BYTES,
    TELEGRAM_MAX_CHARS,
    Run,
    answer_keyboard,
    inline_description,
    inline_message,
    render_answer,
    render_full_article,
    render_nothing_found,
    render_parts,
    split_runs,
    tg_len,
    trim,
)
from index import Answer, Article, ArticleAnswer, Citation, Passage, Snippet
from index.analysis.analyzer import Analyzer
from index.answer.evidence import QuestionWord
from index.answer.snippets import SnippetCues, choose_snippet
from index.cli import MARK_CLOSE, MARK_OPEN, mark_highlights
from tests.auxil.fake_bot_api import parse_html

WHEN = datetime(2024, 7, 14, 9, 30, tzinfo=UTC)


def make_answer(
    snippet: str,
    highlights: tuple[tuple[int, int], ...] = (),
    *,
    title: str = "Farmers finish the harvest",
    url: str | None = "https://news.example.org/harvest",
    source: str | None = "Example News",
    n_articles: int = 1,
) -> Answer:
    articles = tuple(
        ArticleAnswer(
            citation=Citation(
                article_id=i + 1,
                title=title,
                source=source,
                author=None,
                published_at=WHEN,
                url=url,
            ),
            snippets=(
                Snippet(snippet, highlights, passage_id=10 + i, passage_ordinal=0, score=1),
            ),
            score=1.0,
        )
        for i in range(n_articles)
    )
    return Answer(question="q", found=True, articles=articles)


def visible(parts: list[str]) -> list[str]:
    """Parse every part like Telegram (raises on bad HTML) and return the visible texts."""
    return [parse_html(part) for part in parts]


def test_highlights_are_bold_and_citation_has_linked_title_outlet_date() -> None:
    text = "Farmers in Poltava finished the wheat harvest early."
    parts = render_answer(make_answer(text, ((38, 45), (11, 18))), "en")
    assert len(parts) == 1
    html = parts[0]
    assert "<b>harvest</b>" in html and "<b>Poltava</b>" in html
    assert '<a href="https://news.example.org/harvest">Farmers finish the harvest</a>' in html
    assert "Example News" in html and "2024-07-14" in html
    assert visible(parts)[0].startswith("1. Farmers in Poltava")


def test_cli_and_bot_render_the_answer_stage_highlights_alike() -> None:
    """Highlights are normalised once (the answer stage) and both renderers only apply them:
    a name split by a space is one highlight in the bot and in the CLI, a comma keeps two."""
    analyzer = Analyzer()
    text = "On 14 July, Jens Stoltenberg said that Tusk, Duda and the allies had to decide."
    question = analyzer.question("What did Jens Stoltenberg tell Tusk and Duda?", WHEN)
    words = [QuestionWord(t, frozenset([t]), 1.0, True, False, False) for t in question.terms]
    chosen = choose_snippet(
        text,
        analyzer.term_spans(text, "en", WHEN),
        SnippetCues(words=words, question_terms=frozenset(question.terms)),
    )
    answer = make_answer(chosen.text, chosen.highlights)
    snippet = answer.articles[0].snippets[0]
    marked = [piece for piece, bold in snippet.pieces() if bold]
    assert marked == ["Jens Stoltenberg", "Tusk", "Duda"]
    html = render_answer(answer, "en")[0]
    assert re.findall(r"<b>(.*?)</b>", html) == marked
    cli = mark_highlights(snippet.text, snippet.highlights)
    assert re.findall(re.escape(MARK_OPEN) + "(.*?)" + re.escape(MARK_CLOSE), cli) == marked


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        "a < b && c > d",
        "&amp; &lt;b&gt; &#60; & ;",
        "\"quoted\" 'single'",
        "</b></a><i>",
        "<b>unclosed",
        "&nbsp;&copy;",
    ],
)
def test_html_breaking_characters_are_escaped_everywhere(hostile: str) -> None:
    answer = make_answer(
        f"Before {hostile} after.",
        ((0, 6),),
        title=f"Title {hostile}",
        url=f"https://example.org/?q={hostile}",
        source=f"Outlet {hostile}",
    )
    (shown,) = visible(render_answer(answer, "en"))
    assert f"Before {hostile} after." in shown
    assert f"Title {hostile}" in shown
    assert f"Outlet {hostile}" in shown


def test_non_http_links_are_not_linked() -> None:
    html = render_answer(make_answer("Text.", url="javascript:alert(1)"), "en")[0]
    assert "<a " not in html
    assert "Farmers finish the harvest" in parse_html(html)


def test_emoji_and_right_to_left_text_survive_intact() -> None:
    text = "Ukraine 🇺🇦 and 👨‍👩‍👧 — مرحبا بالعالم — שלום עולם ‏(RTL mark)."
    answer = make_answer(text, ((0, 7),), title="עולם 🌍 title")
    (shown,) = visible(render_answer(answer, "en"))
    assert text in shown and "עולם 🌍 title" in shown


def test_emoji_count_double_toward_the_limit() -> None:
    assert tg_len("🇺🇦") == 4
    parts = split_runs([Run("😀" * 3000)], max_chars=TELEGRAM_MAX_CHARS)
    assert [tg_len(p[0].text) for p in parts] == [4096, 1904]


def test_long_answer_is_split_at_sentence_boundaries_within_the_limit() -> None:
    sentences = [f"Sentence number {i} says something about the harvest." for i in range(400)]
    text = " ".join(sentences)
    spans = tuple((m.start(), m.end()) for m in re.finditer("harvest", text))
    parts = render_answer(make_answer(text, spans), "en")
    shown = visible(parts)
    assert len(parts) > 1
    assert all(len(part) <= TELEGRAM_MAX_CHARS for part in shown)
    assert all(part.endswith((".", "2024-07-14")) for part in shown)
    assert "".join(shown).replace(" ", "").count("harvest") == 400 + 1  # + the title


def test_highlight_crossing_a_cut_stays_balanced() -> None:
    runs = [Run("a" * 50 + " "), Run("bold " * 40, bold=True), Run("tail.")]
    parts = render_parts(runs, max_chars=100)
    for part in parts:
        assert part.count("<b>") == part.count("</b>")
        assert tg_len(parse_html(part)) <= 100


def test_hard_cut_when_there_is_no_space() -> None:
    parts = render_parts([Run("x" * 10_000, bold=True)])
    assert [len(parse_html(p)) for p in parts] == [4096, 4096, 1808]


def test_random_texts_always_parse_and_fit() -> None:
    rng = random.Random(7)
    alphabet = [*"abc <>&\"'. \n!?", "🇺🇦", "é", "ж", "ש", "&amp;"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 600)))
        spans = tuple(sorted((a, a + rng.randint(0, 20)) for a in rng.sample(range(600), 5)))
        max_chars = rng.randint(20, 300)
        parts = render_answer(make_answer(text, spans), "en", max_chars=max_chars)
        for part in parts:
            shown = parse_html(part)
            assert tg_len(shown) <= max_chars
            assert shown == shown.strip() and shown
        joined = "".join(parse_html(p) for p in parts)
        assert re.sub(r"\s", "", joined).startswith(re.sub(r"\s", "", "1." + text)[:10])


def test_nothing_found_escapes_the_question_and_names_the_dates() -> None:
    answer = Answer(
        question="<b>what</b> & why" * 50,
        found=False,
        nearest_titles=("Close <one>",),
        language="en",
    )
    (shown,) = visible(render_nothing_found(answer, "en", WHEN, datetime(2024, 9, 1, tzinfo=UTC)))
    assert "<b>what</b> & why" in shown
    assert "2024-07-14" in shown and "2024-09-01" in shown
    assert "Close <one>" in shown
    assert len(shown) < 1000  # the question echo is trimmed


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_nothing_found_without_dates_in_every_language(lang: str) -> None:
    answer = Answer(question="x", found=False)
    (shown,) = visible(render_nothing_found(answer, lang, None, None))  # type: ignore[arg-type]
    assert "x" in shown


def test_keyboard_callback_data_fits_64_bytes() -> None:
    keyboard = answer_keyboard("A" * 8, 3, True, "uk")
    assert keyboard is not None
    buttons = [button for row in keyboard["inline_keyboard"] for button in row]
    assert len(buttons) == 4
    assert all(len(b["callback_data"].encode()) <= CALLBACK_DATA_MAX_BYTES for b in buttons)
    with pytest.raises(ValueError, match="64 bytes"):
        answer_keyboard("x" * 70, 1, False, "en")


def test_full_article_shows_the_window_around_the_cited_passage() -> None:
    body = "\n\n".join(f"Paragraph {i} <&>." for i in range(10))
    passages = [
        Passage(
            passage_id=100 + i, article_id=1, ordinal=i, text=f"Paragraph {i} <&>.", start=0, end=0
        )
        for i in range(10)
    ]
    article = Article(
        article_id=1,
        title="A <long> article",
        body=body,
        content_hash="h",
        ingested_at=WHEN,
        url="https://example.org/a",
        source="Outlet",
        published_at=WHEN,
    )
    (shown,) = visible(render_full_article(article, passages, 105, "en"))
    assert "A <long> article" in shown
    assert "▶ Paragraph 5 <&>." in shown
    assert "Paragraph 3" in shown and "Paragraph 7" in shown
    assert "Paragraph 2" not in shown and "Paragraph 8" not in shown


def test_inline_pieces_are_plain_or_valid_html() -> None:
    item = make_answer("Snippet <with> & stuff. " * 30, ((0, 7),), title="T <x>").articles[0]
    description = inline_description(item)
    assert description.startswith("2024-07-14 · Snippet <with>")
    assert tg_len(description) <= 200
    assert "Snippet <with> & stuff." in parse_html(inline_message(item, "en"))


def test_trim_adds_an_ellipsis_at_a_word_boundary() -> None:
    assert trim("one two three four", 10) == "one two…"
    assert trim("short", 10) == "short"


def test_answer_note_heads_the_first_page_in_italics_only() -> None:
    base = make_answer("Farmers in Poltava finished the wheat harvest early.")
    note = "Nothing published in July 2024 matches the question; <these> are the best matches."
    answer = Answer(question="q", found=True, articles=base.articles, note=note)
    first = render_answer(answer, "en")
    assert first[0].startswith("<i>Nothing published in July 2024")
    assert "&lt;these&gt;" in first[0]
    assert visible(first)[0].startswith(note)
    later = render_answer(answer, "en", first_number=4)
    assert "Nothing published" not in later[0]


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_ingest_reply_says_when_stored_articles_are_not_searchable_yet(lang: str) -> None:
    from bot.handlers.admin import _report_parts
    from index import IngestReport, ItemResult

    report = IngestReport(
        items=(ItemResult("a.html", "new", article_id=1),),
        index_error="the index is damaged <x>",
    )
    parts = _report_parts(report, lang)  # type: ignore[arg-type]
    shown = visible(parts)[0]
    assert "the index is damaged <x>" in shown and "/reindex" in shown
    clean = _report_parts(IngestReport(items=report.items), lang)  # type: ignore[arg-type]
    assert "/reindex" not in visible(clean)[0]
