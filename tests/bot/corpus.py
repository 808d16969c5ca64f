"""A small JSONL corpus written for the bot tests (our own words).

Eight articles share the topic "harvest" so that paging (More, inline next_offset) has
several pages; one title carries HTML-breaking characters; Ukrainian and Russian articles
exercise the other languages.
"""

from __future__ import annotations

import json
from pathlib import Path

REGIONS = ["Poltava", "Vinnytsia", "Kherson", "Odesa", "Kharkiv", "Sumy", "Cherkasy", "Lviv"]

RECORDS: list[dict[str, str]] = [
    {
        "url": f"https://news.example.org/harvest-{region.lower()}",
        "title": f"Farmers in {region} report on the wheat harvest",
        "text": (
            f"Farmers in the {region} region finished the wheat harvest on day {i + 3} of "
            f"August, the regional agriculture department said.\n\n"
            f"The yield in {region} was {40 + i} centners per hectare, officials added. "
            f"Storage prices rose by {i + 2} percent."
        ),
        "published": f"2024-08-{i + 3:02d}T10:00:00Z",
        "source": "Example News",
        "language": "en",
    }
    for i, region in enumerate(REGIONS)
]
RECORDS += [
    {
        "url": "https://news.example.org/prices",
        "title": 'Prices <up> & "down": what traders say',
        "text": (
            "Traders at the Kyiv commodity exchange said grain prices <went up> & then "
            '"down" within one week.\n\nThe exchange published its weekly review on Friday.'
        ),
        "published": "2024-07-14T08:00:00Z",
        "source": "Market <Wire>",
        "language": "en",
    },
    {
        "url": "https://news.example.org/uk/metro",
        "title": "У Харкові відкрили нову станцію метро",
        "text": (
            "У Харкові в неділю відкрили нову станцію метро «Державінська». Мер міста сказав, "
            "що станція обслуговуватиме тридцять тисяч пасажирів щодня."
        ),
        "published": "2024-06-12T12:00:00Z",
        "source": "Приклад",
        "language": "uk",
    },
    {
        "url": "https://news.example.org/ru/bridge",
        "title": "В Днепре отремонтировали мост",
        "text": (
            "В Днепре завершили ремонт Нового моста через реку. Движение транспорта "
            "полностью восстановлено в субботу утром."
        ),
        "published": "2024-09-01T07:00:00Z",
        "source": "Пример",
        "language": "ru",
    },
    {
        "url": "https://news.example.org/swimmer",
        "title": "Swimmer Koval wins gold in Berlin 🥇",
        "text": (
            "Swimmer Andriy Koval won the gold medal in the 200 metres butterfly at the "
            "European championship in Berlin on Sunday. It was his first international title."
        ),
        "published": "2024-08-20T18:00:00Z",
        "source": "Sport Desk",
        "language": "en",
    },
]


TOPICS = [
    ("council", "The city council of {city} approved the road repair plan for district {n}."),
    ("theatre", "The drama theatre in {city} premiered a new play by a local author."),
    ("school", "A new school building opened in {city}; it has room for {n}00 pupils."),
    ("tram", "{city} bought {n} new trams for its northern routes, the mayor said."),
    ("museum", "The history museum of {city} showed coins found near the old fortress."),
]
CITIES = ["Zhytomyr", "Rivne", "Lutsk", "Ternopil"]
# Background articles on other topics keep "harvest" a minority topic, as in a real archive
# (a word in most documents has no BM25 weight, and no answer could rest on it).
RECORDS += [
    {
        "url": f"https://city.example.org/{topic}-{city.lower()}",
        "title": f"{city}: {topic} news",
        "text": template.format(city=city, n=n + 2)
        + f"\n\nLocal residents of {city} welcomed the {topic} decision on Tuesday.",
        "published": f"2024-07-{n * 5 + j + 1:02d}T09:00:00Z",
        "source": "City Wire",
        "language": "en",
    }
    for j, (topic, template) in enumerate(TOPICS)
    for n, city in enumerate(CITIES)
]


def write_corpus(folder: Path) -> Path:
    """Write the corpus as one JSONL archive; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bot-corpus.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in RECORDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


UPLOAD_JSONL = "\n".join(
    json.dumps(record, ensure_ascii=False)
    for record in [
        {
            "url": "https://news.example.org/lighthouse",
            "title": "Old lighthouse in Berdiansk restored",
            "text": (
                "Volunteers restored the old lighthouse in Berdiansk. The lamp was lit again "
                "for the first time in twenty years."
            ),
            "published": "2024-09-10T09:00:00Z",
            "source": "Coast News",
            "language": "en",
        },
        {
            "url": "https://news.example.org/orchard",
            "title": "Apple orchard opens to visitors",
            "text": "An apple orchard near Uman opened to visitors for the autumn season.",
            "published": "2024-09-11T09:00:00Z",
            "source": "Coast News",
            "language": "en",
        },
    ]
)
