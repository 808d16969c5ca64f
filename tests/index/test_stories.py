"""Reprints grouped into stories at ingest, end to end through ``Archive`` (issue 12).

The articles are the sample corpus's own texts and the reprints ``sample.dedup`` makes of
them (a localized reprint, a wire copy, an annual explainer's two editions).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from index import Archive, IndexSettings, open_archive
from index.store import MIGRATIONS, STORE_FILENAME, Database
from sample.dedup import explainer_pairs, original, reprint_pairs
from sample.sources import ARTICLES, BY_KEY

WASHINGTON = BY_KEY["en-washington"]
QUESTION = "What did Zelensky tell Congress?"


def reprint(key: str, case: str) -> dict[str, Any]:
    """The sample's ``case`` reprint of article ``key`` (its "b" side)."""
    number = [a.key for a in ARTICLES].index(key)
    pair = next(p for p in reprint_pairs(number, BY_KEY[key]) if p["case"] == case)
    return pair["b"]


def write(folder: Path, name: str, *records: dict[str, Any]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return str(path)


def ingest_one(archive: Archive, folder: Path, name: str, record: dict[str, Any]) -> int:
    report = archive.ingest([write(folder, name, record)])
    assert report.failed == () and report.index_error is None
    (article_id,) = report.changed_article_ids
    return article_id


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as opened:
        yield opened


def test_a_localized_reprint_joins_the_story_and_ask_cites_the_original_once(
    archive: Archive, tmp_path: Path
) -> None:
    first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    local = reprint("en-washington", "localized")
    second = ingest_one(archive, tmp_path, "local.jsonl", local)

    story = archive.story_of(second)
    assert story is not None and story == archive.story_of(first)
    assert story.original_id == first and story.member_ids == (first, second)

    answer = archive.ask(QUESTION)
    cited = [item.citation.article_id for item in answer.articles]
    assert cited.count(first) == 1 and second not in cited
    item = next(item for item in answer.articles if item.citation.article_id == first)
    assert item.reprints_note == f"+1 reprint: {local['source']}"
    assert item.story == story


def test_a_reprint_ingested_first_gives_way_to_the_earlier_original(
    archive: Archive, tmp_path: Path
) -> None:
    """Filing order does not matter: the citation is the earliest published member."""
    copy = reprint("en-washington", "updated")  # published 8 hours after the original
    later = ingest_one(archive, tmp_path, "updated.jsonl", copy)
    earlier = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    story = archive.story_of(later)
    assert story is not None and story.original_id == earlier
    answer = archive.ask(QUESTION)
    cited = [item.citation.article_id for item in answer.articles]
    assert earlier in cited and later not in cited


def test_this_years_annual_explainer_is_a_story_of_its_own(
    archive: Archive, tmp_path: Path
) -> None:
    pair = explainer_pairs()[0]
    last_year = ingest_one(archive, tmp_path, "2023.jsonl", pair["a"])
    this_year = ingest_one(archive, tmp_path, "2024.jsonl", pair["b"])
    a, b = archive.story_of(last_year), archive.story_of(this_year)
    assert a is not None and b is not None
    assert a.story_id != b.story_id and a.member_ids == (last_year,)
    assert b.member_ids == (this_year,)
    answer = archive.ask("When do the clocks go forward?")
    assert all(item.reprints_note is None for item in answer.articles)


def test_deleting_the_original_makes_the_reprint_the_original(
    archive: Archive, tmp_path: Path
) -> None:
    first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    second = ingest_one(archive, tmp_path, "copy.jsonl", reprint("en-washington", "wire_copy"))
    third = ingest_one(archive, tmp_path, "edited.jsonl", reprint("en-washington", "edited"))
    before = archive.story_of(first)
    assert before is not None and before.member_ids == (first, second, third)

    archive.delete(first)
    after = archive.story_of(second)
    assert archive.story_of(first) is None
    assert after is not None and after.story_id == before.story_id
    assert after.original_id == second and after.member_ids == (second, third)
    answer = archive.ask(QUESTION)
    cited = [item.citation.article_id for item in answer.articles]
    assert second in cited and third not in cited and first not in cited

    archive.delete(third)
    alone = archive.story_of(second)
    assert alone is not None and alone.member_ids == (second,)
    assert archive.ask(QUESTION).articles[0].reprints_note is None


def test_stories_survive_a_restart_and_a_later_reprint_joins_them(tmp_path: Path) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
        second = ingest_one(
            archive, tmp_path, "local.jsonl", reprint("en-washington", "localized")
        )
        story_id = archive.story_of(first).story_id  # type: ignore[union-attr]
    with open_archive(settings) as archive:
        third = ingest_one(archive, tmp_path, "copy.jsonl", reprint("en-washington", "wire_copy"))
        story = archive.story_of(third)
        assert story is not None and story.story_id == story_id
        assert story.member_ids[0] == first and set(story.member_ids) == {first, second, third}


def test_an_article_left_unsigned_by_a_killed_ingest_is_signed_before_the_next_one(
    tmp_path: Path,
) -> None:
    """A kill between the article's commit and its filing leaves it without a signature."""
    settings = IndexSettings(data_dir=tmp_path / "data", _env_file=None)
    with open_archive(settings) as archive:
        first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    with sqlite3.connect(tmp_path / "data" / STORE_FILENAME) as conn:
        conn.execute("DELETE FROM story_bands")
        conn.execute("DELETE FROM story_signatures")
    with open_archive(settings) as archive:
        second = ingest_one(archive, tmp_path, "copy.jsonl", reprint("en-washington", "wire_copy"))
        story = archive.story_of(second)
        assert story is not None and story.member_ids == (first, second)


def test_a_schema_4_store_gives_every_article_a_story_and_groups_it_later(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / STORE_FILENAME
    old = Database(path, MIGRATIONS[:4])
    article = original(WASHINGTON)
    old.conn.execute(
        "INSERT INTO articles (url, source, title, published_at, language, body, "
        "content_hash, ingested_at) VALUES (?,?,?,?,?,?,?,?)",
        (
            article["url"],
            article["source"],
            article["title"],
            WASHINGTON.published.isoformat(),
            "en",
            article["text"],
            "x",
            "2024-01-01T00:00:00+00:00",
        ),
    )
    old.close()
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as archive:
        story = archive.story_of(1)
        assert story is not None and story.member_ids == (1,)
        archive.reindex()
        copy = ingest_one(archive, tmp_path, "copy.jsonl", reprint("en-washington", "wire_copy"))
        grouped = archive.story_of(copy)
        assert grouped is not None and grouped.member_ids == (1, copy)
        assert grouped.story_id == story.story_id


def test_the_reprints_note_follows_the_question_language(archive: Archive, tmp_path: Path) -> None:
    first = ingest_one(archive, tmp_path, "original.jsonl", original(BY_KEY["uk-kherson"]))
    copy = reprint("uk-kherson", "wire_copy")
    ingest_one(archive, tmp_path, "copy.jsonl", copy)
    answer = archive.ask("Коли Зеленський приїхав до звільненого Херсона?")
    item = next(item for item in answer.articles if item.citation.article_id == first)
    assert item.reprints_note == f"+1 передрук: {copy['source']}"


def test_an_updated_text_that_no_longer_matches_leaves_the_story(
    archive: Archive, tmp_path: Path
) -> None:
    first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    copy = reprint("en-washington", "wire_copy")
    second = ingest_one(archive, tmp_path, "copy.jsonl", copy)
    assert archive.story_of(first).member_ids == (first, second)  # type: ignore[union-attr]
    rewritten = {**copy, "title": "Something else", "text": original(BY_KEY["en-kursk"])["text"]}
    assert ingest_one(archive, tmp_path, "rewritten.jsonl", rewritten) == second  # same URL
    assert archive.story_of(first).member_ids == (first,)  # type: ignore[union-attr]
    moved = archive.story_of(second)
    assert moved is not None and moved.member_ids == (second,)


def test_a_follower_gets_one_alert_per_story(archive: Archive, tmp_path: Path) -> None:
    topic = archive.follow(7, "Zelensky Congress")
    first = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    [alert] = archive.pending_alerts()
    assert alert.topic.topic_id == topic.topic_id
    assert alert.answer.citation.article_id == first
    ingest_one(archive, tmp_path, "local.jsonl", reprint("en-washington", "localized"))
    ingest_one(archive, tmp_path, "copy.jsonl", reprint("en-washington", "wire_copy"))
    [still] = archive.pending_alerts()
    story = archive.story_of(first)
    assert story is not None and len(story.members) == 3
    assert still.alert_id == alert.alert_id and still.story_id == story.story_id


def test_a_period_listing_shows_a_story_once_citing_the_original(
    archive: Archive, tmp_path: Path
) -> None:
    original_id = ingest_one(archive, tmp_path, "original.jsonl", original(WASHINGTON))
    cases = ("wire_copy", "localized", "updated", "edited")
    copies = [
        ingest_one(archive, tmp_path, f"{c}.jsonl", reprint(WASHINGTON.key, c)) for c in cases
    ]
    other = ingest_one(archive, tmp_path, "other.jsonl", original(BY_KEY["en-kakhovka"]))
    story = archive.story_of(original_id)
    assert story is not None and set(story.member_ids) == {original_id, *copies}

    listing = archive.ask("What happened in December 2022?")
    assert listing.found and listing.note == "Articles published in December 2022, newest first."
    (shown,) = listing.articles
    assert shown.citation.article_id == original_id
    assert shown.story is not None and shown.story.story_id == story.story_id
    outlets = list(dict.fromkeys(m.source for m in story.reprints if m.source))
    assert shown.reprints_note == f"+4 reprints: {', '.join(outlets)}"
    assert other not in {a.citation.article_id for a in listing.articles}

    # One story per page: the first page's read (3 articles for k=1) holds only the newest
    # copies, and the original is still found on its own day and cited.
    first = archive.ask("What happened in December 2022?", k=1)
    assert [a.citation.article_id for a in first.articles] == [original_id]
    assert first.articles[0].reprints_note == shown.reprints_note
    assert archive.ask("What happened in December 2022?", k=1, offset=1).articles == ()
