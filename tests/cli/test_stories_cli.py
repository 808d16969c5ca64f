"""`newsdesk ingest` of an article and its reprint: `ask` cites the story once, `show` lists it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sample.dedup import original, reprint_pairs
from sample.sources import ARTICLES, BY_KEY
from tests.cli.conftest import Run

KEY = "en-washington"
QUESTION = "What did Zelensky tell Congress?"


def _write(path: Path, record: dict[str, Any]) -> str:
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(path)


def _ingest_pair(newsdesk: Run, tmp_path: Path) -> tuple[int, int, str]:
    number = [a.key for a in ARTICLES].index(KEY)
    local = next(p for p in reprint_pairs(number, BY_KEY[KEY]) if p["case"] == "localized")["b"]
    first = newsdesk(
        "ingest", _write(tmp_path / "original.jsonl", original(BY_KEY[KEY])), "--json"
    )
    second = newsdesk("ingest", _write(tmp_path / "local.jsonl", local), "--json")
    assert first.code == 0 and second.code == 0
    ids = [first.json()["items"][0]["article_id"], second.json()["items"][0]["article_id"]]  # type: ignore[index]
    return ids[0], ids[1], local["source"]


def test_ask_shows_the_story_once_with_its_reprint(newsdesk: Run, tmp_path: Path) -> None:
    original_id, reprint_id, outlet = _ingest_pair(newsdesk, tmp_path)
    result = newsdesk("ask", QUESTION)
    assert result.code == 0
    assert result.out.count(f"+1 reprint: {outlet}") == 1
    assert f"[article {original_id}," in result.out
    assert f"[article {reprint_id}," not in result.out

    data = newsdesk("ask", QUESTION, "--json").json()
    cited = [a for a in data["answers"] if a["article"]["id"] == original_id]  # type: ignore[index]
    assert cited and all(a["reprints_note"] == f"+1 reprint: {outlet}" for a in cited)
    story = cited[0]["story"]
    assert story["original_id"] == original_id
    assert story["member_ids"] == [original_id, reprint_id]
    assert [r["source"] for r in story["reprints"]] == [outlet]
    assert all(a["article"]["id"] != reprint_id for a in data["answers"])  # type: ignore[index]


def test_show_lists_the_story_members(newsdesk: Run, tmp_path: Path) -> None:
    original_id, reprint_id, outlet = _ingest_pair(newsdesk, tmp_path)
    result = newsdesk("show", str(reprint_id))
    assert result.code == 0
    lines = result.out.splitlines()
    story_line = next(i for i, line in enumerate(lines) if line.startswith("story:"))
    assert "2 articles" in lines[story_line]
    assert lines[story_line + 1].startswith(f"    {original_id}: Capitol Ledger")
    assert lines[story_line + 2].startswith(f"  * {reprint_id}: {outlet}")

    data = newsdesk("show", str(original_id), "--json").json()
    assert data["story"]["member_ids"] == [original_id, reprint_id]  # type: ignore[index]


def test_show_of_an_article_without_reprints_has_no_story(newsdesk: Run, tmp_path: Path) -> None:
    result = newsdesk("ingest", _write(tmp_path / "one.jsonl", original(BY_KEY[KEY])), "--json")
    article_id = result.json()["items"][0]["article_id"]  # type: ignore[index]
    assert "story:" not in newsdesk("show", str(article_id)).out
    assert newsdesk("show", str(article_id), "--json").json()["story"] is None  # type: ignore[index]


def test_a_period_listing_shows_the_story_once(newsdesk: Run, tmp_path: Path) -> None:
    original_id, reprint_id, outlet = _ingest_pair(newsdesk, tmp_path)
    result = newsdesk("ask", "What happened in December 2022?")
    assert result.code == 0
    assert result.out.splitlines()[0] == "Note: Articles published in December 2022, newest first."
    assert result.out.count(f"+1 reprint: {outlet}") == 1
    assert f"[article {original_id}," in result.out
    assert f"[article {reprint_id}," not in result.out

    data = newsdesk("ask", "What happened in December 2022?", "--json").json()
    (answer,) = data["answers"]  # type: ignore[misc]
    assert answer["article"]["id"] == original_id
    assert answer["reprints_note"] == f"+1 reprint: {outlet}"
    assert answer["story"]["member_ids"] == [original_id, reprint_id]
