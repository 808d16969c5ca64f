"""Passages written by us that exercise every analysis path (dates, names, compounds, scripts)."""

from __future__ import annotations

from datetime import UTC, datetime

from index.bench.corpus import ZipfCorpus

PUBLISHED = datetime(2024, 8, 4, 17, 25, tzinfo=UTC)
HAND_TEXTS = [
    "",
    "   ",
    "On 14 July, NATO Secretary General Jens Stoltenberg met Zelensky's team.",
    "the f-16 jets arrive on may 3 and the talks may go on",
    "Ukraine-NATO summit, 14-го липня; 14.07.2024 and 2024-07-14",
    "Вчора в Києві президент Зеленський зустрівся з прем'єром",
    "Вчера в Москве прошли переговоры 14 июля",
    "yesterday\tMonday\n5 may, the 14th march",
    "plain lowercase words only and nothing else here",
    "plain words then a Capitalised one",
    "non-breaking\u00a0space and\u2009thin space, Kyiv\u3000Kharkiv",
    "a text holding a noncharacter \ufdd0 itself, Kyiv",
]


def sample_texts() -> list[str]:
    """300 bench passages (Zipf pseudo-words) followed by ``HAND_TEXTS``."""
    return [p.text for p in ZipfCorpus(300).chunk(0, 300)] + HAND_TEXTS
