"""Render the sample corpus files, its README and the QA set from ``sample/sources``.

Usage (from the repository root)::

    python -m sample.build           # (re)write sample/** and index/eval/qa_sample.jsonl
    python -m sample.build --check   # exit 1 if any committed file differs from the data

The QA file follows the measurement issue's format: one JSON object per line with ``id``,
``question``, ``answer`` and ``documents`` (plus ``lang`` and ``kind`` for breakdowns).
Each line's ``documents`` are the sample articles that answer it (title, text, published,
url); unanswerable questions carry none.
Every sample article is the document of at least one line, so ingesting the union of the
file's documents (what ``python -m index.eval qa`` does) ingests the whole sample corpus,
and every question is asked against all of it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sample.boilerplate import KOI8_SAFE
from sample.render import encode, render_dump, render_html, render_json, render_jsonl
from sample.sources import ARTICLES, BY_KEY, SampleArticle
from sample.sources.questions import QUESTIONS

SAMPLE_DIR = Path(__file__).resolve().parent
ROOT = SAMPLE_DIR.parent
QA_PATH = "index/eval/qa_sample.jsonl"
MIN_WORDS, MAX_WORDS = 150, 400


class SampleDataError(ValueError):
    """The hand-written data breaks one of the corpus rules (the message names the item)."""


def fold(text: str) -> str:
    """Case- and whitespace-insensitive form used to check that an answer occurs in a text."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def validate() -> None:
    """Check the rules the QA set and the corpus promise; raise naming the first offender."""
    keys = [a.key for a in ARTICLES]
    if len(set(keys)) != len(keys):
        raise SampleDataError(f"duplicate article keys: {Counter(keys).most_common(3)}")
    for article in ARTICLES:
        if not MIN_WORDS <= article.words <= MAX_WORDS:
            raise SampleDataError(f"{article.key}: {article.words} words")
        if article.encoding == "koi8-r" and article.body.translate(KOI8_SAFE) != article.body:
            raise SampleDataError(f"{article.key}: body has characters KOI8-R pages lack")
        article.body.encode(article.encoding)  # strict: fails loudly on unencodable text
    ids = [q.id for q in QUESTIONS]
    if len(set(ids)) != len(ids):
        raise SampleDataError(f"duplicate question ids: {Counter(ids).most_common(3)}")
    covered: set[str] = set()
    for q in QUESTIONS:
        if (q.answer is None) != (q.kind in ("unanswerable", "boilerplate")):
            raise SampleDataError(f"{q.id}: answer/kind mismatch")
        if q.answer is None:
            if q.articles:
                raise SampleDataError(f"{q.id}: unanswerable but names articles")
            continue
        if not q.articles:
            raise SampleDataError(f"{q.id}: answerable but names no article")
        for key in q.articles:
            if key not in BY_KEY:
                raise SampleDataError(f"{q.id}: unknown article {key!r}")
            covered.add(key)
        if not any(fold(q.answer) in fold(BY_KEY[k].body) for k in q.articles):
            raise SampleDataError(f"{q.id}: answer {q.answer!r} not in its articles")
    missing = set(keys) - covered
    if missing:
        raise SampleDataError(f"articles no question covers: {sorted(missing)}")


def qa_document(article: SampleArticle) -> dict[str, str]:
    """A QA-file document: the fields the measurement issue names, from the article."""
    return {
        "title": article.title,
        "text": article.body,
        "published": article.published.isoformat(),
        "url": article.url,
    }


def render_qa() -> str:
    """The QA set in the issue's exact JSONL format."""
    lines = []
    for q in QUESTIONS:
        record = {
            "id": q.id,
            "question": q.question,
            "answer": q.answer,
            "lang": q.lang,
            "kind": q.kind,
            "documents": [qa_document(BY_KEY[key]) for key in q.articles],
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def _related(article: SampleArticle) -> list[SampleArticle]:
    """Up to two other articles in the same language, for an HTML page's related list."""
    same = [a for a in ARTICLES if a.lang == article.lang and a.key != article.key]
    return same[:2]


def render_all() -> dict[str, bytes]:
    """Every generated file, keyed by its path relative to the repository root."""
    validate()
    files: dict[str, bytes] = {}
    grouped: dict[str, list[SampleArticle]] = {}
    for article in ARTICLES:
        if article.fmt == "html":
            text = render_html(article, _related(article))
        elif article.fmt == "dump":
            text = render_dump(article)
        else:
            grouped.setdefault(article.path, []).append(article)
            continue
        files[f"sample/{article.path}"] = encode(text, article, article.path)
    for path, members in grouped.items():
        text = render_jsonl(members) if path.endswith(".jsonl") else render_json(members)
        files[f"sample/{path}"] = text.encode("utf-8")
    files["sample/README.md"] = render_readme().encode("utf-8")
    files[QA_PATH] = render_qa().encode("utf-8")
    return files


def _encoding_label(article: SampleArticle) -> str:
    label = {"utf-8-sig": "UTF-8 with BOM"}.get(article.encoding, article.encoding.upper())
    return f"{label}, gzip" if article.path.endswith(".gz") else label


def render_readme() -> str:
    """``sample/README.md``: what the corpus is, and the list of files."""
    rows = [
        f"| `{a.path}` | {a.fmt} | {a.lang} | {_encoding_label(a)} | "
        f"{a.published:%Y-%m-%d %H:%M%z} | {a.outlet} | {a.title} |"
        for a in ARTICLES
    ]
    langs = Counter(a.lang for a in ARTICLES)
    formats = Counter(a.fmt for a in ARTICLES)
    kinds = Counter(q.kind for q in QUESTIONS)
    qlangs = Counter(q.lang for q in QUESTIONS)
    return f"""# Sample corpus

A small news archive bundled with newsdesk so that a fresh checkout has something to ingest,
search and ask about: {len(ARTICLES)} short articles (150–400 words each) in English,
Ukrainian and Russian ({langs["en"]} en, {langs["uk"]} uk, {langs["ru"]} ru) about real public
events of 2022–2024: the war in Ukraine and other world news.

**The texts are our own short summaries of public events, written for this project.** They
copy no outlet's wording. The outlets ("Example News", "Ukrainian Pages", "Дніпровський
вісник", "Северный курьер", ...), the authors, the URLs (on `.test` domains) and all page
furniture (navigation, headline lists, comments) are invented.

## Formats

The files cover every input the ingestion accepts ({formats["html"]} HTML pages,
{formats["dump"]} text dumps, {formats["jsonl"] + formats["json"]} articles in JSON archives):

- `html/`: full pages with navigation, related-article list, comments and footer around an
  `<article>`; metadata in `<title>`, `og:title`, `og:site_name`, `author`,
  `article:published_time`, `<link rel="canonical">` and `<html lang>`.
- `dumps/`: plain-text dumps of news pages in the layout of the Ukrainska Pravda family (in
  its English, Ukrainian and Russian editions): navigation lines, the byline glued to the
  weekday, "Source:"/"Quote:"/"Details:" lines, "Advertisement:" lines, "Background:"
  bullets, the patron appeal, "Subjects:" tags, lists of unrelated headlines and a copyright
  footer naming the sample's own outlet ("© 2024 Ukrainian Pages. ..."), so the dumps are
  cited under it and not under the outlet whose layout they borrow. No URL.
- `json/archive.jsonl` (one article per line) and `json/archive.json` (a list; one article
  carries `html` instead of `text`), with url, title, published, author, source, language.
- Encodings: UTF-8, UTF-8 with BOM, cp1251, KOI8-R (that page uses ASCII dashes and quotes,
  as KOI8-R has none), and gzip (`.gz`).

Bodies contain date expressions ("on Tuesday", "On 12 July", "14 листопада", "14.06.2024")
and names spelled differently across articles (Zelenskyy / Zelensky / Зеленський /
Зеленский, Kyiv / Kiev / Київ / Киев, Kharkiv / Харків / Харьков).

## Files

| File | Format | Lang | Encoding | Published | Outlet | Title |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

## QA set

`index/eval/qa_sample.jsonl` holds {len(QUESTIONS)} questions over this corpus
({qlangs["en"]} en, {qlangs["uk"]} uk, {qlangs["ru"]} ru) in the format of
`python -m index.eval qa`: `{{"id", "question", "answer", "documents"}}`, plus `lang` and
`kind`, which the evaluation uses for its per-language breakdown. Kinds:
{", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))}. Each answer is a short string
that occurs verbatim in the sentence answering the question; `null` means the corpus has no
answer ("boilerplate" questions ask about words found only in a page's headline lists).
Each line's `documents` are the articles that answer it; together the lines carry every
article, so the evaluation store holds the whole corpus for every question.

## Regenerating

The articles and questions live in `sample/sources/` (Python data); the files here and the
QA set are generated from them, so they never drift apart:

    python -m sample.build          # rewrite the files
    python -m sample.build --check  # verify the committed files match the data

Only `html/`, `dumps/` and `json/` are corpus files; `*.py` and this README are not.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every generated file; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m sample.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    files = render_all()
    stale = [
        p
        for p, data in files.items()
        if not (ROOT / p).is_file() or (ROOT / p).read_bytes() != data
    ]
    if args.check:
        for path in stale:
            sys.stdout.write(f"out of date: {path}\n")
        return 1 if stale else 0
    for path in stale:
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])
        sys.stdout.write(f"wrote {path}\n")
    sys.stdout.write(f"{len(files)} files, {len(stale)} written\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
