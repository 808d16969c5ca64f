"""A corpus for the question filters: one story told by several outlets, dates and languages.

Short items in our own words about a (fictional) flooded reservoir at "Zelenodar", so one
question matches them all and only the filters tell them apart:

- "Kyiv Independent" (en, 2023-06-06) and "Kyiv Post" (en, 2023-06-10): two outlets sharing a
  prefix, so ``from:kyiv`` is both and ``from:"Kyiv Post"`` one;
- "BBC News" (en, 2024-01-15);
- "Українська правда" (uk, 2023-06-07) and "Новая газета" (ru, 2023-06-08);
- ``BIG_WIRE_ITEMS`` items from "Big Wire" (en, 2023-05-01) that repeat the question's words
  more often than anyone, so an unfiltered search fills its whole candidate pool with them:
  a filter applied after the search, to a pool that size, would find nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

QUESTION = "Zelenodar reservoir flood"
BIG_WIRE_ITEMS = 250

STORIES = [
    {
        "url": "https://kyivindependent.example/zelenodar",
        "title": "Zelenodar dam breached, villages flooded",
        "text": (
            "The dam of the Zelenodar reservoir was breached overnight and the flood reached "
            "six villages downstream by morning."
        ),
        "published": "2023-06-06T08:00:00Z",
        "source": "Kyiv Independent",
        "language": "en",
    },
    {
        "url": "https://kyivpost.example/zelenodar-recedes",
        "title": "Flood from the Zelenodar reservoir recedes",
        "text": (
            "Water from the Zelenodar reservoir began to recede on Saturday, and rescuers "
            "said the flood left thousands of homes without drinking water."
        ),
        "published": "2023-06-10T08:00:00Z",
        "source": "Kyiv Post",
        "language": "en",
    },
    {
        "url": "https://bbc.example/zelenodar-year-on",
        "title": "A year on, the Zelenodar reservoir bed turns green",
        "text": (
            "Months after the flood, the drained bed of the Zelenodar reservoir is covered "
            "with young willows, ecologists found."
        ),
        "published": "2024-01-15T08:00:00Z",
        "source": "BBC News",
        "language": "en",
    },
    {
        "url": "https://pravda.example/zelenodar",
        "title": "Зеленодарське водосховище: повінь після прориву дамби",
        "text": (
            "Після прориву дамби Зеленодарського водосховища повінь (Zelenodar reservoir "
            "flood) затопила шість сіл нижче за течією."
        ),
        "published": "2023-06-07T08:00:00Z",
        "source": "Українська правда",
        "language": "uk",
    },
    {
        "url": "https://novaya.example/zelenodar",
        "title": "Зеленодарское водохранилище: наводнение после прорыва дамбы",
        "text": (
            "После прорыва дамбы Зеленодарского водохранилища наводнение (Zelenodar "
            "reservoir flood) затопило шесть сёл ниже по течению."
        ),
        "published": "2023-06-08T08:00:00Z",
        "source": "Новая газета",
        "language": "ru",
    },
]

BIG_WIRE = [
    {
        "url": f"https://bigwire.example/zelenodar-{n}",
        "title": f"Zelenodar reservoir flood bulletin {n}",
        "text": (
            f"Bulletin {n}: Zelenodar reservoir flood, Zelenodar reservoir flood, Zelenodar "
            "reservoir flood levels as reported by the wire."
        ),
        "published": "2023-05-01T08:00:00Z",
        "source": "Big Wire",
        "language": "en",
    }
    for n in range(BIG_WIRE_ITEMS)
]


def write_filter_corpus(folder: Path) -> Path:
    """Write the corpus as one JSONL archive; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "filter-corpus.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in [*STORIES, *BIG_WIRE]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
