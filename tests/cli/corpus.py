"""A small corpus written for the archive and CLI tests, laid out as files in a folder.

Short news items in our own words, in English, Ukrainian and Russian, in every format the
archive reads: an HTML page, a plain-text page, a JSONL archive, a gzipped HTML page. Each
article has a distinctive name and topic so questions about it have one right answer.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

BUDGET_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Parliament passes the 2025 budget</title>
<meta name="author" content="Olena Kovalenko">
<meta property="article:published_time" content="2024-09-18T09:00:00+03:00">
<link rel="canonical" href="https://news.example.org/budget-2025">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Parliament passes the 2025 budget</h1>
<p>The parliament in Kyiv approved the state budget for 2025 on Wednesday after a long
debate between the factions. Two hundred and fifty-five deputies voted in favour.</p>
<p>Finance minister Marchenko said the budget puts defence spending first and keeps social
payments for families with children at the current level.</p>
<p>The document now goes to the president for signature.</p>
</article>
<footer>All rights reserved.</footer>
</body></html>
"""

STORM_TXT = """Storm cuts power to the Odesa region

A strong storm hit the Odesa region on Monday night and cut electricity to more than forty
thousand homes, the regional administration reported.

Repair crews restored power to most villages by Tuesday morning, officials added. Fallen trees
blocked two highways for several hours.
"""

JSONL_RECORDS = [
    {
        "url": "https://news.example.org/harvest",
        "title": "Farmers in Poltava finish the wheat harvest early",
        "text": (
            "Farmers in the Poltava region finished the wheat harvest two weeks earlier than "
            "usual because of the hot and dry summer.\n\nThe regional agriculture department "
            "said the yield was slightly lower than last year."
        ),
        "published": "2024-07-30T12:00:00Z",
        "author": "Ivan Petrenko",
        "source": "Example News",
        "language": "en",
    },
    {
        "url": "https://news.example.org/uk/metro",
        "title": "У Харкові відкрили нову станцію метро",
        "text": (
            "У Харкові відкрили для пасажирів нову станцію метрополітену після тривалої "
            "реконструкції.\n\nМіський голова Терехов сказав, що станція працюватиме "
            "також як укриття під час повітряних тривог."
        ),
        "published": "2024-08-20T08:30:00+03:00",
        "source": "Приклад",
        "language": "uk",
    },
    {
        "url": "https://news.example.org/ru/bridge",
        "title": "В Днепре завершили ремонт моста через реку",
        "text": (
            "В Днепре завершили ремонт автомобильного моста через реку, движение "
            "открыто в обе стороны.\n\nПо словам мэра Филатова, работы обошлись дешевле, "
            "чем планировалось."
        ),
        "published": "2024-06-12T15:00:00+03:00",
        "source": "Пример",
        "language": "ru",
    },
]

SPORT_HTML_GZ = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Swimmer wins gold in Paris</title>
<meta property="article:published_time" content="2024-08-02T20:00:00+02:00">
</head><body><article><h1>Swimmer wins gold in Paris</h1>
<p>A Ukrainian swimmer won the gold medal in the 1500 metres freestyle at the Paris Olympics
on Friday evening, setting a personal best.</p>
<p>Her coach Shevchuk said the whole team had worked four years for this race.</p>
</article></body></html>
"""

N_ARTICLES = 6


def write_corpus(folder: Path) -> Path:
    """Write the corpus (6 articles in 4 files) plus files a folder ingest must skip."""
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "pages" / "budget.html").write_text(BUDGET_HTML, encoding="utf-8")
    (folder / "storm.txt").write_text(STORM_TXT, encoding="utf-8")
    lines = [json.dumps(record, ensure_ascii=False) for record in JSONL_RECORDS]
    (folder / "archive.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "pages" / "sport.html.gz").write_bytes(gzip.compress(SPORT_HTML_GZ.encode()))
    # Not ingestible by type, or hidden: a folder ingest skips these silently.
    (folder / "pages" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / ".hidden").mkdir(exist_ok=True)
    (folder / ".hidden" / "draft.txt").write_text("A draft that must not be ingested.")
    return folder


def write_many(folder: Path, n: int) -> Path:
    """``n`` small distinct text articles (for progress and kill tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"item-{i:04d}.txt").write_text(
            f"Council meeting number {i}\n\n"
            f"The city council held meeting number {i} and discussed the road repairs in "
            f"district {i}, the water supply and the school budget for the next year.\n\n"
            f"Deputies agreed to return to question {i} at the following session.\n",
            encoding="utf-8",
        )
    return folder
