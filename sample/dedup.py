"""Build the team's reprint evaluation set, ``index/eval/dedup_sample.jsonl``.

Usage (from the repository root)::

    python -m sample.dedup           # (re)write index/eval/dedup_sample.jsonl
    python -m sample.dedup --check   # exit 1 if the committed file differs

One JSON object per line: ``{"a": article, "b": article, "label": "reprint" |
"same_topic_different_story", "case": ..., "lang": ...}``, the articles in the JSON-lines
archive layout the ingester reads (title, text, published, url, source, author, language).
Every text is ours: the sample corpus (``sample/sources``) and the hand-written editions
(``sample/sources/editions.py``). Deterministic: no randomness, so the file is reproducible.

Reprints, made from each of the 22 sample articles:

- ``wire_copy``: the same text under another outlet's URL a few hours later (every third one
  undated, as feeds without dates deliver it);
- ``edited``: lightly edited (a word inserted every 25, the last paragraph cut, the title
  rewritten), a day later;
- ``localized``: a new opening paragraph for another city replaces the first one;
- ``updated``: an updated version under a new URL, a paragraph added and the lead extended;
- ``contained``: a short wire item (the first paragraphs) inside the full, longer article.

Different stories:

- ``annual_explainer``: this year's edition of an explainer reusing last year's text;
- ``nominations_winners``: a prize's nominations and, weeks later, its winners;
- ``templated_report``: one template filled for other places or days (weather, harvest,
  exchange rates), a day apart;
- ``background_reuse``: a new story that quotes one background paragraph of an older one;
- ``same_language``: every other pair of sample articles in one language (same outlets,
  same war, sometimes the same day).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sample.sources import ARTICLES, SampleArticle
from sample.sources.editions import (
    AWARDS,
    EXPLAINERS,
    LOCAL_CITIES,
    LOCAL_LEADS,
    TEMPLATES,
    UPDATES,
)

ROOT = Path(__file__).resolve().parent.parent
DEDUP_PATH = "index/eval/dedup_sample.jsonl"
REPRINT = "reprint"
DIFFERENT = "same_topic_different_story"
_REPRINT_OUTLETS = {
    "en": ("Harbour Gazette", "Metro Daily", "Plains Herald"),
    "uk": ("Полтавський кур'єр", "Житомирські вісті", "Закарпатський день"),
    "ru": ("Волжская газета", "Самарский вестник", "Тверские ведомости"),
}
_EDITED_TITLE = {"en": "Report: {title}", "uk": "Коротко: {title}", "ru": "Коротко: {title}"}
_UPDATED_TITLE = {
    "en": "{title} (updated)",
    "uk": "{title} (оновлено)",
    "ru": "{title} (обновлено)",
}
# The word a light edit inserts (an editor hedging a claim), by language.
_EDIT_WORD = {"en": "reportedly", "uk": "нібито", "ru": "якобы"}
_LEAD_MORE = {
    "en": " More details are below.",
    "uk": " Подробиці нижче.",
    "ru": " Подробности ниже.",
}


def _edit(paragraph: str, word: str, every: int = 25) -> str:
    """A copy editor's light touch: a word inserted every ``every`` words."""
    words = paragraph.split(" ")
    for i in range(len(words) - every // 2, 0, -every):
        words.insert(i, word)
    return " ".join(words)


def doc(
    title: str,
    paragraphs: list[str] | tuple[str, ...],
    published: datetime | None,
    url: str,
    source: str,
    lang: str,
    author: str = "",
) -> dict[str, str]:
    """One article in the JSON-lines archive layout."""
    record = {"title": title, "text": "\n\n".join(paragraphs), "url": url, "source": source}
    if published is not None:
        record["published"] = published.isoformat()
    if author:
        record["author"] = author
    record["language"] = lang
    return record


def original(article: SampleArticle) -> dict[str, str]:
    """A sample article as its own outlet published it."""
    return doc(
        article.title,
        article.body.split("\n\n"),
        article.published,
        article.url,
        article.outlet,
        article.lang,
        article.author,
    )


def _slug(article: SampleArticle, outlet_no: int, what: str) -> str:
    return f"https://reprints-{outlet_no}.test/{article.lang}/{article.key}-{what}"


def reprint_pairs(number: int, article: SampleArticle) -> list[dict[str, Any]]:
    """The five kinds of reprint of one sample article."""
    lang = article.lang
    paragraphs = article.body.split("\n\n")
    outlets = _REPRINT_OUTLETS[lang]
    src = original(article)
    pairs = []

    copy_date = None if number % 3 == 0 else article.published + timedelta(hours=3)
    copy = doc(article.title, paragraphs, copy_date, _slug(article, 1, "copy"), outlets[0], lang)
    pairs.append(("wire_copy", src, copy))

    edited_paragraphs = [
        _edit(p, _EDIT_WORD[lang])
        for p in (paragraphs[:-1] if len(paragraphs) > 3 else paragraphs)
    ]
    edited = doc(
        _EDITED_TITLE[lang].format(title=article.title),
        edited_paragraphs,
        article.published + timedelta(days=1),
        _slug(article, 2, "edited"),
        outlets[1],
        lang,
    )
    pairs.append(("edited", src, edited))

    city = LOCAL_CITIES[lang][number % len(LOCAL_CITIES[lang])]
    lead = LOCAL_LEADS[lang][number % len(LOCAL_LEADS[lang])].format(city=city)
    localized = doc(
        article.title,
        [lead, *paragraphs[1:]],
        article.published + timedelta(hours=6),
        _slug(article, 3, "local"),
        outlets[2],
        lang,
    )
    pairs.append(("localized", src, localized))

    updated = doc(
        _UPDATED_TITLE[lang].format(title=article.title),
        [paragraphs[0] + _LEAD_MORE[lang], *paragraphs[1:], UPDATES[lang]],
        article.published + timedelta(hours=8),
        article.url.rstrip("/") + "-update",
        article.outlet,
        lang,
        article.author,
    )
    pairs.append(("updated", src, updated))

    short = paragraphs[:2] if len(paragraphs[0].split()) < 60 else paragraphs[:1]
    wire = doc(
        article.title,
        short,
        article.published - timedelta(hours=2),
        _slug(article, 4, "wire"),
        "Example Wire" if lang == "en" else outlets[0],
        lang,
    )
    pairs.append(("contained", wire, src))
    return [{"a": a, "b": b, "label": REPRINT, "case": case, "lang": lang} for case, a, b in pairs]


def explainer_pairs() -> list[dict[str, Any]]:
    """Last year's and this year's edition of each annual explainer."""
    pairs = []
    for item in EXPLAINERS:
        editions = []
        for year, changed in sorted(item.edition.items()):
            paragraphs = [changed[0].format(year=year), *item.shared, *changed[1:]]
            editions.append(
                doc(
                    item.title.format(year=year),
                    [p.format(year=year) for p in paragraphs],
                    datetime.fromisoformat(f"{year}-{item.published}"),
                    f"https://{item.key}.test/{year}",
                    item.outlet,
                    item.lang,
                )
            )
        for a, b in itertools.pairwise(editions):
            pairs.append(
                {"a": a, "b": b, "label": DIFFERENT, "case": "annual_explainer", "lang": item.lang}
            )
    return pairs


def award_pairs() -> list[dict[str, Any]]:
    """Nominations against winners of each prize."""
    pairs = []
    for item in AWARDS:
        nominations = doc(
            item.nominations_title,
            item.nominations,
            datetime.fromisoformat(item.nominations_published),
            f"https://{item.key}.test/nominations",
            item.outlet,
            item.lang,
        )
        winners = doc(
            item.winners_title,
            item.winners,
            datetime.fromisoformat(item.winners_published),
            f"https://{item.key}.test/winners",
            item.outlet,
            item.lang,
        )
        pairs.append(
            {
                "a": nominations,
                "b": winners,
                "label": DIFFERENT,
                "case": "nominations_winners",
                "lang": item.lang,
            }
        )
    return pairs


def template_pairs() -> list[dict[str, Any]]:
    """Every two reports filled from one template (other places or days, other figures)."""
    pairs = []
    for item in TEMPLATES:
        reports = []
        for number, (name, numbers, published) in enumerate(item.fills):
            slots = {"name": name, **{f"n{i}": value for i, value in enumerate(numbers)}}
            reports.append(
                doc(
                    item.title.format(**slots),
                    [p.format(**slots) for p in item.paragraphs],
                    datetime.fromisoformat(published),
                    f"https://{item.key}.test/{number}",
                    item.outlet,
                    item.lang,
                )
            )
        for a, b in itertools.combinations(reports, 2):
            pairs.append(
                {"a": a, "b": b, "label": DIFFERENT, "case": "templated_report", "lang": item.lang}
            )
    return pairs


def different_story_pairs() -> list[dict[str, Any]]:
    """Same-language sample pairs, and new stories quoting an older one's background."""
    pairs = []
    for lang in ("en", "uk", "ru"):
        same = [a for a in ARTICLES if a.lang == lang]
        for first, second in itertools.combinations(same, 2):
            pairs.append(
                {
                    "a": original(first),
                    "b": original(second),
                    "label": DIFFERENT,
                    "case": "same_language",
                    "lang": lang,
                }
            )
        for first, second in zip(same, same[1:] + same[:1], strict=True):
            quoted = first.body.split("\n\n")[-1]
            follow = doc(
                second.title,
                [*second.body.split("\n\n"), quoted],
                first.published + timedelta(days=2),
                second.url.rstrip("/") + "-follow-up",
                second.outlet,
                lang,
            )
            pairs.append(
                {
                    "a": original(first),
                    "b": follow,
                    "label": DIFFERENT,
                    "case": "background_reuse",
                    "lang": lang,
                }
            )
    return pairs


def build() -> list[dict[str, Any]]:
    """Every pair, reprints first."""
    pairs = [pair for n, article in enumerate(ARTICLES) for pair in reprint_pairs(n, article)]
    return pairs + explainer_pairs() + award_pairs() + template_pairs() + different_story_pairs()


def render() -> str:
    """The JSON-lines file."""
    return "".join(json.dumps(pair, ensure_ascii=False) + "\n" for pair in build())


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the evaluation set."""
    parser = argparse.ArgumentParser(prog="python -m sample.dedup", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    args = parser.parse_args(argv)
    path = ROOT / DEDUP_PATH
    text = render()
    if args.check:
        same = path.exists() and path.read_text(encoding="utf-8") == text
        if not same:
            print(f"{DEDUP_PATH} is out of date: run python -m sample.dedup", file=sys.stderr)  # noqa: T201
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {DEDUP_PATH}: {text.count(chr(10))} pairs")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
