"""The seed page (../shared/data/seed/, a Ukrainska Pravda English dump), when present.

Nothing of the seed's text is copied here: expectations are derived from the file at test
time (its bullets, its long body lines, its tail of headlines) or are short keywords.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from index.extract import extract_bytes, split_passages
from index.models import ExtractedArticle
from tests.conftest import shared_data

SEED = "seed/up-2024-08-04-zelenskyy-coalition.txt"
TITLE = "Zelenskyy wants coalition of NATO countries to shoot down missiles over Ukraine"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return shared_data(SEED).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def seed_article() -> ExtractedArticle:
    path = shared_data(SEED)
    [article] = extract_bytes(path.read_bytes(), path.name)
    return article


def test_seed_metadata(seed_article: ExtractedArticle) -> None:
    assert seed_article.title == TITLE
    assert seed_article.author == "Kateryna Tyshchenko"
    assert seed_article.published_at == datetime(
        2024, 8, 4, 17, 25, tzinfo=ZoneInfo("Europe/Kyiv")
    )
    assert seed_article.language == "en"
    assert seed_article.source == "Ukrainska Pravda"


def test_seed_body_keeps_all_three_background_bullets(
    seed_article: ExtractedArticle, seed_lines: list[str]
) -> None:
    bullets = [" ".join(line.split()[1:]) for line in seed_lines if line.strip().startswith("•")]
    assert len(bullets) == 3
    for bullet in bullets:
        assert "• " + bullet in seed_article.body.split("\n")
    passages = [p for p in split_passages(seed_article.body) if p.kind == "bullet"]
    for keyword in ("Tusk", "Kosiniak-Kamysz", "Stoltenberg"):
        assert sum(keyword in p.text for p in passages) == 1, keyword


def test_seed_body_keeps_lede_quotes_and_details(
    seed_article: ExtractedArticle, seed_lines: list[str]
) -> None:
    end = next(i for i, line in enumerate(seed_lines) if line.strip().startswith("Support UP"))
    long_lines = [" ".join(line.split()) for line in seed_lines[:end] if len(line.split()) > 12]
    body_lines = seed_article.body.split("\n")
    for line in long_lines:
        if line.startswith("•"):
            continue
        assert line in body_lines
    for prefix in ("Source:", "Quote:", "Details:"):
        assert any(line.startswith(prefix) for line in body_lines)


def test_seed_body_has_no_headline_lists_or_advertisements(
    seed_article: ExtractedArticle, seed_lines: list[str]
) -> None:
    start = next(i for i, line in enumerate(seed_lines) if line.startswith("Subjects:"))
    headlines = [
        line.strip()
        for line in seed_lines[start + 1 :]
        if len(line.split()) >= 3 and not re.fullmatch(r"\d{1,2}:\d{2}", line.strip())
    ]  # headlines, not one-word section labels that the article itself mentions
    assert len(headlines) > 10
    for headline in headlines:
        assert headline not in seed_article.body
    for boilerplate in ("Advertisement", "Support UP", "Subjects", "RECENT NEWS", "All News"):
        assert boilerplate not in seed_article.body
    assert "Photo:" not in seed_article.body
