"""The bundled sample corpus and our QA set over it.

The corpus files and the QA set are generated from ``sample/sources`` (``python -m
sample.build``); these tests prove the committed files are what the data says, that every
format and encoding the ingestion promises is represented, that the QA set keeps its own
rules (answers in their documents, the mix of kinds and languages), that our extraction reads
every sample file back to the article it was rendered from, and that nothing of
``../shared`` leaked into the repository.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from index.extract import extract_bytes
from sample.build import QA_PATH, fold, render_all, validate
from sample.sources import ARTICLES, BY_KEY, SampleArticle
from sample.sources.model import long_date
from sample.sources.questions import QUESTIONS
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, shared_data

QA_FILE = PROJECT_ROOT / QA_PATH
BY_URL = {article.url: article for article in ARTICLES}

# Layout lines of the dump editions: advert, patron appeal, tags prefix, headline list.
DUMP_WORDS = {
    "en": ("Advertisement:", "Support UP or become our patron!", "Subjects: ", "RECENT NEWS"),
    "uk": ("Реклама:", "Підтримайте УП або станьте нашим патроном!", "Теми: ", "ОСТАННІ НОВИНИ"),
    "ru": ("Реклама:", "Поддержите УП или станьте нашим патроном!", "Темы: ", "ПОСЛЕДНИЕ НОВОСТИ"),
}

# Words that occur only in the headline lists of the dumps, which extraction drops.
BOILERPLATE_WORDS = {"en-38": "lion cubs", "uk-28": "левенят", "ru-23": "14 дронов"}


def _qa_lines() -> list[dict]:
    return [json.loads(line) for line in QA_FILE.read_text(encoding="utf-8").splitlines()]


def _raw(article: SampleArticle) -> bytes:
    data = (SAMPLE_DIR / article.path).read_bytes()
    return gzip.decompress(data) if article.path.endswith(".gz") else data


def _decoded(article: SampleArticle) -> str:
    return _raw(article).decode(article.encoding)


def _sentences(text: str) -> list[str]:
    """Sentences and bullet lines: split after . ! ? (optionally closed by a quote)."""
    parts: list[str] = []
    for block in text.split("\n"):
        parts += re.split(r"(?<=[.!?])[»\"]?\s+(?=[\"«A-ZА-ЯІЇЄҐ0-9])", block)
    return [p for p in parts if p.strip()]


def test_committed_files_are_generated_from_the_sources() -> None:
    files = render_all()
    stale = [p for p, data in files.items() if (PROJECT_ROOT / p).read_bytes() != data]
    assert not stale, f"run `python -m sample.build`: out of date {stale}"
    assert {f"sample/{a.path}" for a in ARTICLES} <= set(files)


def test_source_data_keeps_its_rules() -> None:
    validate()  # raises SampleDataError naming the offending article or question
    for article in ARTICLES:
        assert 150 <= article.words <= 400, article.key
        assert article.url.startswith("https://") and ".test/" in article.url, article.key
        assert article.outlet and article.author and article.title, article.key
        assert article.published.utcoffset() is not None, article.key


def test_corpus_mixes_languages_and_formats() -> None:
    langs = Counter(a.lang for a in ARTICLES)
    formats = Counter(a.fmt for a in ARTICLES)
    assert 20 <= len(ARTICLES) <= 24
    assert langs == {"en": 9, "uk": 7, "ru": 6}
    assert formats["html"] >= 6 and formats["dump"] >= 6
    assert formats["jsonl"] >= 6 and formats["json"] >= 2
    folder_of = {"html": "html", "dump": "dumps", "jsonl": "json", "json": "json"}
    assert all(a.path.startswith(f"{folder_of[a.fmt]}/") for a in ARTICLES)
    # every file of the folders belongs to an article: no strays would be ingested
    on_disk = {
        str(p.relative_to(SAMPLE_DIR))
        for folder in ("html", "dumps", "json")
        for p in (SAMPLE_DIR / folder).iterdir()
    }
    assert on_disk == {a.path for a in ARTICLES}


def test_encodings_are_what_the_files_say() -> None:
    by_encoding = {a.encoding: a for a in ARTICLES}
    cp1251 = by_encoding["cp1251"]
    data = _raw(cp1251)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Підтримайте УП або станьте нашим патроном!" in data.decode("cp1251")
    assert "Передісторія:" in data.decode("cp1251")

    koi8 = by_encoding["koi8-r"]
    data = _raw(koi8)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Поддержите УП или станьте нашим патроном!" in data.decode("koi8-r")
    assert "Поддержите" not in data.decode("cp1251")  # the two charsets really differ

    bom = by_encoding["utf-8-sig"]
    assert (SAMPLE_DIR / bom.path).read_bytes().startswith(b"\xef\xbb\xbf")

    gzipped = [a for a in ARTICLES if a.path.endswith(".gz")]
    assert {a.fmt for a in gzipped} == {"html", "dump"}
    for article in gzipped:
        assert (SAMPLE_DIR / article.path).read_bytes()[:2] == b"\x1f\x8b"
        assert article.title in _decoded(article)


@pytest.mark.parametrize("article", [a for a in ARTICLES if a.fmt == "html"], ids=lambda a: a.key)
def test_html_pages_carry_metadata_and_boilerplate(article: SampleArticle) -> None:
    page = _decoded(article)
    e = html.escape
    assert f'<html lang="{article.lang}">' in page
    assert f"<title>{e(article.title)} | {e(article.outlet)}</title>" in page
    assert f'<meta property="og:title" content="{e(article.title)}">' in page
    assert f'<meta property="og:site_name" content="{e(article.outlet)}">' in page
    assert f'<meta name="author" content="{e(article.author)}">' in page
    published = article.published.isoformat()
    assert f'<meta property="article:published_time" content="{published}">' in page
    assert f'<link rel="canonical" href="{article.url}">' in page
    story = page[page.index("<article") : page.index("</article>")]
    for paragraph in article.paragraphs:
        assert f"<p>{e(paragraph)}</p>" in story
    for furniture in ('class="main-nav"', 'class="related"', 'class="comments"', "<footer"):
        assert furniture in page and furniture not in story


@pytest.mark.parametrize("article", [a for a in ARTICLES if a.fmt == "dump"], ids=lambda a: a.key)
def test_dumps_follow_the_seed_layout(article: SampleArticle) -> None:
    lines = _decoded(article).lstrip("\ufeff").splitlines()
    byline_name = article.author.upper() if article.lang == "en" else article.author
    assert f"{byline_name}{long_date(article.lang, article.published)}" in lines
    assert (
        lines[0]
        == f" date {article.published:%Y-%m-%d} "
        + {"en": "All Sections", "uk": "Усі розділи", "ru": "Все разделы"}[article.lang]
    )
    advert, patron, subjects, recent = DUMP_WORDS[article.lang]
    assert lines.count(advert) >= 3
    assert patron in lines and recent in lines
    assert any(line.startswith(subjects) for line in lines)
    after_recent = lines[lines.index(recent) + 1 :]
    assert re.fullmatch(r"\d\d:\d\d", after_recent[0]) and re.fullmatch(
        r"\d\d:\d\d", after_recent[2]
    )
    for item in article.background:
        assert f"  • {item}" in lines


def test_bodies_have_date_expressions_and_spelling_variants() -> None:
    corpus = "\n".join(a.body for a in ARTICLES)
    for needle in (
        "on Tuesday",
        "On 12 July",
        "yesterday",
        "вчора",
        "Вчера",
        "14 листопада",
        "10 сентября",
        "22.03.2024",
        "14.06.2024",
    ):
        assert needle in corpus, needle
    for pattern in (
        r"\bZelenskyy\b",
        r"\bZelensky\b",
        r"\bЗеленський\b",
        r"\bЗеленский\b",
        r"\bKyiv\b",
        r"\bKiev\b",
        r"\bKharkiv\b",
        r"\bХаркові\b",
        r"\bХарькове\b",
        r"\bКиеву\b",
        r"\bКиєв",
    ):
        assert re.search(pattern, corpus), pattern


def test_qa_lines_are_in_the_issue_format() -> None:
    lines = _qa_lines()
    assert len(lines) >= 66
    assert len({line["id"] for line in lines}) == len(lines)
    for line in lines:
        assert {"id", "question", "answer", "documents"} <= set(line), line["id"]
        assert isinstance(line["question"], str) and line["question"].strip()
        assert line["answer"] is None or (isinstance(line["answer"], str) and line["answer"])
        assert isinstance(line["documents"], list)
        for doc in line["documents"]:
            assert set(doc) == {"title", "text", "published", "url"}
            assert doc["text"].strip() and doc["title"].strip()
            assert datetime.fromisoformat(doc["published"]).utcoffset() is not None


def test_qa_answers_sit_in_one_sentence_of_their_documents() -> None:
    for line in _qa_lines():
        if line["answer"] is None:
            assert line["documents"] == [], line["id"]
            continue
        answer = fold(line["answer"])
        holders = [
            sentence
            for doc in line["documents"]
            for sentence in _sentences(doc["text"])
            if answer in fold(sentence)
        ]
        assert holders, f"{line['id']}: {line['answer']!r} not within one sentence"


def test_qa_documents_are_the_whole_corpus() -> None:
    seen: dict[str, dict] = {}
    for line in _qa_lines():
        for doc in line["documents"]:
            seen[doc["url"]] = doc
    assert set(seen) == set(BY_URL)
    for url, doc in seen.items():
        article = BY_URL[url]
        assert doc["text"] == article.body and doc["title"] == article.title
        assert datetime.fromisoformat(doc["published"]) == article.published


def test_qa_mix_of_languages_and_kinds() -> None:
    langs = Counter(q.lang for q in QUESTIONS)
    kinds = Counter(q.kind for q in QUESTIONS)
    assert langs["en"] >= 25 and langs["uk"] >= 20 and langs["ru"] >= 15
    assert kinds["date"] >= 8
    assert kinds["spelling"] >= 6
    assert kinds["cross"] >= 6
    assert kinds["unanswerable"] + kinds["boilerplate"] >= 10
    cross = [
        q for q in QUESTIONS if q.answer and any(BY_KEY[k].lang != q.lang for k in q.articles)
    ]
    assert {q.lang for q in cross} == {"en", "uk", "ru"}
    # the QA file carries the kind and language of each question for the breakdowns
    assert {(line["id"], line["lang"], line["kind"]) for line in _qa_lines()} == {
        (q.id, q.lang, q.kind) for q in QUESTIONS
    }


def test_boilerplate_questions_ask_about_headline_lists_only() -> None:
    bodies = fold("\n".join(a.body for a in ARTICLES))
    pages = "\n".join(_decoded(a) for a in ARTICLES if a.fmt == "dump")
    assert set(BOILERPLATE_WORDS) == {q.id for q in QUESTIONS if q.kind == "boilerplate"}
    for qid, words in BOILERPLATE_WORDS.items():
        assert words in pages, qid
        assert fold(words) not in bodies, qid


@pytest.mark.parametrize("path", sorted({a.path for a in ARTICLES}), ids=lambda p: Path(p).name)
def test_extraction_reads_each_file_back_to_its_articles(path: str) -> None:
    expected = [a for a in ARTICLES if a.path == path]
    got = extract_bytes((SAMPLE_DIR / path).read_bytes(), Path(path).name)
    assert len(got) == len(expected)
    for article, extracted in zip(expected, got, strict=True):
        assert extracted.title == article.title
        assert (extracted.author or "").casefold() == article.author.casefold()
        assert extracted.published_at == article.published
        assert extracted.language == article.lang
        assert extracted.source == article.outlet  # dumps: their footer, not the layout's owner
        assert fold(extracted.body) == fold(article.body)


def test_no_text_from_shared_data_in_the_sample() -> None:
    seed_dir = shared_data("seed")
    seed_lines = {
        line.strip()
        for path in seed_dir.glob("*.txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) >= 40
    }
    assert seed_lines
    ours = [_decoded(a) for a in ARTICLES] + [
        p.read_text(encoding="utf-8") for p in SAMPLE_DIR.rglob("*.py")
    ]
    ours.append(QA_FILE.read_text(encoding="utf-8"))
    leaked = [line for line in seed_lines if any(line in text for text in ours)]
    assert not leaked


def test_ingesting_the_sample_folder_stores_every_article(settings: IndexSettings) -> None:
    """The README's first command ingests ``sample/``: the tooling beside it is no article."""
    with open_archive(settings) as archive:
        report = archive.ingest([str(SAMPLE_DIR)])
        assert report.failed == ()
        assert report.count("new") == len(ARTICLES)
        stored = archive.list_articles(limit=100)
    assert {(s.title, s.language) for s in stored} == {(a.title, a.lang) for a in ARTICLES}


def test_sample_dumps_are_cited_under_their_own_outlet(settings: IndexSettings) -> None:
    """The dumps borrow Ukrainska Pravda's layout but are ours: never cite them under UP."""
    dumps = {a.title: a.outlet for a in ARTICLES if a.fmt == "dump"}
    assert "Ukrainian Pages" in dumps.values()
    with open_archive(settings) as archive:
        archive.ingest([str(SAMPLE_DIR)])
        stored = {s.title: s.source for s in archive.list_articles(limit=100)}
        answer = archive.ask("How much water did the Kakhovka reservoir hold?")
    assert {title: stored[title] for title in dumps} == dumps
    assert "Ukrainska Pravda" not in stored.values()
    kakhovka = BY_KEY["en-kakhovka"]
    [citation] = [a.citation for a in answer.articles if a.citation.title == kakhovka.title]
    assert citation.source == "Ukrainian Pages"
