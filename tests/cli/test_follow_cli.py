"""`newsdesk follow add|list|remove` and `newsdesk alerts --dry-run`, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.auxil.filter_corpus import QUESTION, write_filter_corpus
from tests.cli.conftest import Run

BUDGET = {
    "url": "https://news.example.org/budget-2026",
    "title": "Marchenko presents the 2026 budget draft",
    "text": "Finance minister Marchenko presented the 2026 budget draft to parliament on Monday.",
    "published": "2025-09-15T09:00:00Z",
    "source": "Example News",
    "language": "en",
}


def test_follow_add_list_remove_and_bad_input(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    added = newsdesk("follow", "add", "Marchenko budget draft", "--chat", "42", "--json")
    assert added.code == 0
    topic = added.json()
    assert topic["chat_id"] == 42 and topic["text"] == "Marchenko budget draft"
    daily = newsdesk("follow", "add", "grain exports", "--chat", "42", "--daily", "--hour", "7")
    assert daily.code == 0 and "following #2" in daily.out

    listed = newsdesk("follow", "list", "--chat", "42")
    assert "#1  chat 42  instant" in listed.out and "daily at 07:00 UTC" in listed.out
    assert newsdesk("follow", "list", "--chat", "7").out.startswith("no topics")

    for text, reason in [
        ("   ", "the topic is empty"),
        ("the of and", "no searchable words"),
        ("x" * 201, "over 200"),
    ]:
        refused = newsdesk("follow", "add", text, "--chat", "42")
        assert refused.code == 1 and reason in refused.err and "Traceback" not in refused.err
    unknown = newsdesk("follow", "remove", "99", "--chat", "42")
    assert unknown.code == 1 and "no topic 99" in unknown.err
    other_chat = newsdesk("follow", "remove", "1", "--chat", "7")
    assert other_chat.code == 1  # a chat cannot remove another chat's topic
    removed = newsdesk("follow", "remove", "1", "--chat", "42", "--json")
    assert removed.json() == {"removed": 1, "chat_id": 42}
    assert [t["topic_id"] for t in newsdesk("follow", "list", "--json").json()] == [2]


def test_alerts_dry_run_shows_what_would_be_sent_and_sends_nothing(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    newsdesk("ingest", str(corpus))
    newsdesk("follow", "add", "Marchenko budget draft", "--chat", "42")
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps(BUDGET) + "\n", encoding="utf-8")
    assert newsdesk("ingest", str(new)).code == 0

    preview = newsdesk("alerts", "--dry-run", "--json")
    assert preview.code == 0
    alerts = preview.json()
    # Every article stored in the last 24 h counts, the corpus's own budget article too.
    assert {(a["chat_id"], a["topic_id"]) for a in alerts} == {(42, 1)}
    titles = [a["article"]["citation"]["title"] for a in alerts]
    assert BUDGET["title"] in titles and len(titles) == len(set(titles))
    text = newsdesk("alerts", "--dry-run", "--since", "1h").out
    assert "chat 42  #1 Marchenko budget draft" in text and "**Marchenko**" in text
    assert "https://news.example.org/budget-2026" in text
    assert "no alerts" in newsdesk("alerts", "--dry-run", "--since", "2999-01-01").out
    bad = newsdesk("alerts", "--dry-run", "--since", "yesterday")
    assert bad.code == 2 and "24h, 7d" in bad.err
    # The ingest itself put the alert in the outbox once; previews add nothing.
    assert newsdesk("alerts", "--dry-run", "--json").json() == alerts


def test_follow_add_with_filters_alerts_only_on_what_passes_them(
    newsdesk: Run, tmp_path: Path
) -> None:
    assert newsdesk("ingest", str(write_filter_corpus(tmp_path / "corpus"))).code == 0
    topic = f"{QUESTION} from:kyiv"
    added = newsdesk("follow", "add", "--chat", "42", topic)
    assert added.code == 0 and f"following #1 in chat 42: {topic}" in added.out
    unfiltered = newsdesk("follow", "add", "--chat", "42", QUESTION)
    assert unfiltered.code == 0
    refused = newsdesk("follow", "add", "--chat", "42", f"{QUESTION} from:kyev")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert refused.err.startswith("error: from:kyev: no outlet in the archive is called “kyev”")
    assert "Kyiv Independent" in refused.err and "Kyiv Post" in refused.err
    assert [t["text"] for t in newsdesk("follow", "list", "--json").json()] == [topic, QUESTION]

    # The corpus was stored in the last 24 h, so the preview matches all of it.
    alerts = newsdesk("alerts", "--dry-run", "--json").json()
    sources: dict[int, set[str]] = {1: set(), 2: set()}
    for alert in alerts:
        sources[alert["topic_id"]].add(alert["article"]["citation"]["source"])
    assert sources[1] == {"Kyiv Independent", "Kyiv Post"}
    assert sources[1] < sources[2]
    asked = newsdesk("ask", topic, "--json", "--k", "10").json()
    assert {a["article"]["source"] for a in asked["answers"]} == sources[1]
