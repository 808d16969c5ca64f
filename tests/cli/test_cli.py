"""`newsdesk` in-process: every subcommand, --json output, exit codes, config errors."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.cli import ProgressBar, mark_highlights
from index.models import Progress
from tests.cli.conftest import Run
from tests.cli.corpus import N_ARTICLES
from tests.conftest import PROJECT_ROOT

HAS_SEARCH = all(
    importlib.util.find_spec(name) is not None
    for name in ("index.analysis.analyzer", "index.search.engine")
)
needs_search = pytest.mark.skipif(not HAS_SEARCH, reason="the search stack has not landed")


def test_ingest_prints_a_summary_and_exits_0(newsdesk: Run, corpus: Path) -> None:
    result = newsdesk("ingest", str(corpus))
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        f"{N_ARTICLES} items: {N_ARTICLES} new, 0 updated, 0 unchanged, 0 failed"
    )
    again = newsdesk("ingest", str(corpus))
    assert again.out.startswith(f"{N_ARTICLES} items: 0 new, 0 updated, {N_ARTICLES} unchanged")


def test_ingest_with_failures_names_each_reason_and_exits_1(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = newsdesk("ingest", str(corpus / "storm.txt"), str(tmp_path / "empty.txt"), "nope")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "3 items: 1 new, 0 updated, 0 unchanged, 2 failed"
    assert f"  failed: {tmp_path / 'empty.txt'}: empty file" in lines
    assert "  failed: nope: no such file or folder" in lines
    assert "Traceback" not in result.err


def test_ingest_json_lists_every_item_with_outcome_and_id(
    newsdesk: Run, corpus: Path, tmp_path: Path
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"title": "x"\n', encoding="utf-8")
    result = newsdesk("ingest", str(corpus), str(tmp_path / "bad.jsonl"), "--json")
    assert result.code == 1
    payload = result.json()
    assert payload["summary"] == {"new": N_ARTICLES, "updated": 0, "unchanged": 0, "failed": 1}
    items = payload["items"]
    assert len(items) == N_ARTICLES + 1
    assert all(isinstance(i["article_id"], int) for i in items if i["outcome"] == "new")
    assert items[-1]["outcome"] == "failed" and "not JSON" in items[-1]["reason"]
    assert "\x1b[" not in result.out and "\x1b[" not in result.err  # no progress bar


def test_ingest_source_option(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus / "storm.txt"), "--source", "Coast Herald")
    listed = newsdesk("list", "--json").json()
    assert [a["source"] for a in listed] == ["Coast Herald"]


def test_list_shows_newest_first_with_filters(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    result = newsdesk("list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == N_ARTICLES
    assert "2024-09-18" in lines[0] and "Parliament passes the 2025 budget" in lines[0]
    since = newsdesk("list", "--since", "2024-08-01", "--json").json()
    assert [a["published_at"][:10] for a in since] == ["2024-09-18", "2024-08-20", "2024-08-02"]
    limited = newsdesk("list", "--limit", "2", "--source", "Example News", "--json").json()
    assert [a["title"] for a in limited] == ["Farmers in Poltava finish the wheat harvest early"]


@pytest.mark.usefixtures("empty_archive")
def test_list_on_an_empty_archive(newsdesk: Run) -> None:
    assert newsdesk("list").out == "no articles\n"
    assert newsdesk("list", "--json").json() == []


def test_stats_text_and_json(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    text = newsdesk("stats")
    assert text.code == 0
    assert f"articles:   {N_ARTICLES}" in text.out
    assert "languages:  en 4, ru 1, uk 1" in text.out
    assert "published:  2024-06-12 .. 2024-09-18" in text.out
    assert "store size: " in text.out and "index size: " in text.out
    stats = newsdesk("stats", "--json").json()
    assert stats["articles"] == N_ARTICLES
    assert stats["languages"] == {"en": 4, "ru": 1, "uk": 1}
    assert stats["store_bytes"] > 0
    assert stats["first_published"].startswith("2024-06-12")


def test_show_prints_metadata_and_body(newsdesk: Run, corpus: Path) -> None:
    ingested = newsdesk("ingest", str(corpus / "pages" / "budget.html"), "--json").json()
    article_id = ingested["items"][0]["article_id"]
    text = newsdesk("show", str(article_id))
    assert text.code == 0
    assert "title:     Parliament passes the 2025 budget" in text.out
    assert "author:    Olena Kovalenko" in text.out
    assert "Finance minister Marchenko said" in text.out
    payload = newsdesk("show", str(article_id), "--json").json()
    assert payload["article_id"] == article_id
    assert payload["passages"] and all(
        payload["body"][p["start"] : p["end"]] == p["text"] for p in payload["passages"]
    )


@pytest.mark.usefixtures("empty_archive")
def test_show_and_delete_of_an_unknown_id_exit_1(newsdesk: Run) -> None:
    for command in ("show", "delete"):
        result = newsdesk(command, "42")
        assert result.code == 1
        assert result.err.strip() == "error: 42: no article with this id"
        assert result.out == ""


def test_delete_removes_the_article(newsdesk: Run, corpus: Path) -> None:
    ingested = newsdesk("ingest", str(corpus / "storm.txt"), "--json").json()
    article_id = ingested["items"][0]["article_id"]
    result = newsdesk("delete", str(article_id))
    assert result.code == 0
    assert result.out == f"deleted article {article_id}: Storm cuts power to the Odesa region\n"
    assert newsdesk("list", "--json").json() == []


@needs_search
def test_ask_prints_highlighted_snippets_and_citations(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    result = newsdesk("ask", "What did Marchenko say about the budget?")
    assert result.code == 0
    note, *lines = result.out.splitlines()
    # Issue 14: a who-said-what question is answered from Marchenko's statements.
    assert note.startswith("Note: From what Marchenko")
    assert lines[0].startswith("1. ") and "**Marchenko**" in lines[0]
    # The citation line names the speaker and the statement's date, then the article.
    assert (
        "— Marchenko, 18 September 2024 · reported in: Parliament passes the 2025 budget"
        in (lines[1])
    )
    assert "Olena Kovalenko · 2024-09-18" in lines[1] and "[article " in lines[1]
    assert "https://news.example.org/budget-2025" in result.out


@needs_search
def test_ask_json_has_snippets_spans_and_citations(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    payload = newsdesk("ask", "What did Marchenko say about the budget?", "--json", "--k", "1")
    assert payload.code == 0
    data = payload.json()
    assert set(data) >= {"question", "answers", "took_ms"}
    assert data["question"] == "What did Marchenko say about the budget?"
    first = data["answers"][0]
    assert set(first) == {
        "snippet",
        "highlights",
        "score",
        "article",
        "passage",
        "story",
        "reprints_note",
        "said_by",
    }
    assert first["story"] is None and first["reprints_note"] is None  # no reprints here
    # Issue 14: a statement answer says who said it and when.
    assert first["said_by"] == [{"speaker": "Marchenko", "said_on": "2024-09-18"}]
    marked = {first["snippet"][start:end] for start, end in first["highlights"]}
    assert "Marchenko" in marked
    assert first["article"]["title"] == "Parliament passes the 2025 budget"
    assert first["article"]["published"].startswith("2024-09-18")
    assert set(first["article"]) == {"id", "title", "url", "source", "author", "published"}
    assert first["passage"]["end"] > first["passage"]["start"] >= 0
    assert {a["article"]["id"] for a in data["answers"]} == {first["article"]["id"]}


@needs_search
def test_ask_with_nothing_matching_says_so(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    result = newsdesk("ask", "Who won the chess tournament in Reykjavik?")
    assert result.code == 0
    assert result.out.startswith("Nothing found")
    assert (
        newsdesk("ask", "Who won the chess tournament in Reykjavik?", "--json").json()["answers"]
        == []
    )


@needs_search
def test_ask_says_when_the_period_was_relaxed(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    question = "What did Marchenko say about the budget in March 2021?"
    result = newsdesk("ask", question)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("Note: Nothing published in March 2021 matches the question")
    assert lines[1].startswith("1. ") and "**Marchenko**" in lines[1]
    data = newsdesk("ask", question, "--json").json()
    assert data["found"] is True and data["reason"] is None
    assert data["note"].startswith("Nothing published in March 2021 matches")
    assert data["answers"][0]["article"]["published"].startswith("2024-09-18")
    unrelaxed = newsdesk("ask", "What did Marchenko say about the budget?", "--json").json()
    # No period relaxed; the note is the statement path's (issue 14).
    assert unrelaxed["note"].startswith("From what Marchenko")


@needs_search
def test_ask_for_a_period_only_lists_its_articles(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    result = newsdesk("ask", "What happened in September 2024?")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Note: Articles published in September 2024, newest first."
    assert "— Parliament passes the 2025 budget" in result.out
    data = newsdesk("ask", "What happened in September 2024?", "--json").json()
    assert data["found"] is True
    assert [a["article"]["published"][:10] for a in data["answers"]] == ["2024-09-18"]
    assert data["answers"][0]["snippet"].startswith("The parliament in Kyiv approved")
    empty = newsdesk("ask", "What happened in March 2021?", "--json").json()
    assert empty["found"] is False and empty["answers"] == []
    assert "March 2021" in empty["reason"] and "2024" in empty["reason"]


@needs_search
def test_reindex_text_and_json(newsdesk: Run, corpus: Path) -> None:
    newsdesk("ingest", str(corpus))
    text = newsdesk("reindex")
    assert text.code == 0 and text.out.startswith("reindexed ")
    report = newsdesk("reindex", "--json").json()
    stats = newsdesk("stats", "--json").json()
    assert report["passages"] == stats["passages"] == stats["index_passages"]


@needs_search
def test_ask_with_a_missing_index_says_to_reindex(
    newsdesk: Run, corpus: Path, data_dir: Path
) -> None:
    import shutil

    newsdesk("ingest", str(corpus))
    shutil.rmtree(data_dir / "index")
    result = newsdesk("ask", "budget")
    assert result.code == 1
    assert "newsdesk reindex" in result.err and "Traceback" not in result.err
    ingest = newsdesk("ingest", str(corpus / "storm.txt"))
    assert ingest.code == 0
    assert "warning: the articles are stored but not searchable yet" in ingest.err
    assert newsdesk("reindex").code == 0
    assert newsdesk("ask", "budget").code == 0


@pytest.mark.usefixtures("empty_archive")
def test_empty_question_is_a_clear_error(newsdesk: Run) -> None:
    result = newsdesk("ask", "  ")
    assert result.code == 1
    assert result.err == "error: the question is empty\n"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["show", "abc"],
        ["list", "--since", "yesterday"],
        ["list", "--limit", "0"],
    ],
    ids=["no-command", "unknown-command", "non-numeric-id", "bad-date", "zero-limit"],
)
def test_usage_errors_exit_2(newsdesk: Run, argv: list[str]) -> None:
    result = newsdesk(*argv, data=False)
    assert result.code == 2
    assert "usage:" in result.err and "Traceback" not in result.err


def test_help_exits_0(newsdesk: Run) -> None:
    result = newsdesk("--help", data=False)
    assert result.code == 0
    for command in ("ingest", "list", "stats", "show", "ask", "reindex", "delete", "run"):
        assert command in result.out


@pytest.mark.parametrize(
    ("variable", "value"),
    [("NEWSDESK_PASSAGE_WORDS", "many"), ("NEWSDESK_FETCH_TIMEOUT_S", "-1")],
    ids=["not-a-number", "out-of-range"],
)
def test_invalid_setting_is_one_line_naming_the_variable(
    newsdesk: Run, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = newsdesk("stats")
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0]


@pytest.mark.parametrize(
    ("value", "named"),
    [("not a url", "'not a url'"), ("bad name=https://a.test/rss", "'bad name'")],
    ids=["not-a-url", "bad-name"],
)
@pytest.mark.parametrize("argv", [["sources", "list"], ["poll", "--once"]], ids=["list", "poll"])
def test_invalid_feeds_setting_is_one_line_naming_the_variable(
    newsdesk: Run, monkeypatch: pytest.MonkeyPatch, value: str, named: str, argv: list[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_FEEDS", value)
    result = newsdesk(*argv)
    assert result.code == 2
    assert result.out == ""
    [line] = result.err.strip().splitlines()
    assert "NEWSDESK_FEEDS" in line and named in line


def test_valid_feeds_setting_is_accepted(newsdesk: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_FEEDS", "up=https://up.test/rss, https://www.kyiv.test/s.xml")
    result = newsdesk("sources", "list")
    assert result.code == 0
    assert "https://up.test/rss" in result.out and "kyiv.test" in result.out


def test_data_dir_comes_from_the_environment_too(
    newsdesk: Run, monkeypatch: pytest.MonkeyPatch, corpus: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "envdata"))
    assert newsdesk("ingest", str(corpus / "storm.txt"), data=False).code == 0
    assert (tmp_path / "envdata" / "newsdesk.sqlite3").exists()


def test_a_store_from_a_newer_newsdesk_exits_2(newsdesk: Run, empty_archive: Path) -> None:
    import sqlite3

    data_dir = empty_archive
    conn = sqlite3.connect(data_dir / "newsdesk.sqlite3")
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    result = newsdesk("stats")
    assert result.code == 2
    assert "newer than this newsdesk knows" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_run_without_a_token_is_one_line_exit_2(newsdesk: Run) -> None:
    pytest.importorskip("bot.app", reason="the bot (issue 4) has not landed")
    result = newsdesk("run")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "NEWSDESK_BOT_TOKEN" in lines[0]


def test_progress_bar_draws_on_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBar(enabled=True, label="ingest") as bar:
        bar(Progress("files", 1, 2, "files", 0.5))
        bar(Progress("articles", 3, None, "articles", 0.5))
        bar(Progress("files", 2, 2, "files", 1.0))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "ingest: files" in captured.err and "2/2" in captured.err


def test_disabled_progress_bar_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBar(enabled=False, label="ingest") as bar:
        bar(Progress("files", 1, 2, "files", 0.5))
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("Tusk said", [(0, 4)], "**Tusk** said"),
        ("a b c", [(4, 5), (0, 1)], "**a** b **c**"),
        ("overlap", [(0, 4), (2, 6)], "**overla**p"),
        ("none", [], "none"),
        ("Jens Stoltenberg said", [(0, 16)], "**Jens Stoltenberg** said"),
        ("Tusk, Duda", [(0, 4), (6, 10)], "**Tusk**, **Duda**"),
        ("outside", [(4, 99)], "outs**ide**"),
    ],
    ids=["one", "unsorted", "overlapping", "none", "merged-name", "punctuation-between", "clip"],
)
def test_mark_highlights(text: str, spans: list[tuple[int, int]], expected: str) -> None:
    assert mark_highlights(text, spans) == expected


def test_python_dash_m_index_runs_the_cli(empty_archive: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "index", "stats", "--json", "--data-dir", str(empty_archive)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"articles": 0' in result.stdout


def test_python_dash_m_bot_without_a_token_is_one_line_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("bot.app", reason="the bot (issue 4) has not landed")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "d")],
        cwd=tmp_path,  # no .env here
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        | {"PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "NEWSDESK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_data_dir_may_come_before_the_command(newsdesk: Run, corpus: Path, tmp_path: Path) -> None:
    """The README's form: `newsdesk --data-dir ./data ingest sample/`."""
    where = tmp_path / "readme-data"
    result = newsdesk("--data-dir", str(where), "ingest", str(corpus / "storm.txt"), data=False)
    assert result.code == 0
    assert (where / "newsdesk.sqlite3").exists()
    stats = newsdesk("--data-dir", str(where), "stats", "--json", data=False).json()
    assert stats["articles"] == 1


def test_the_readme_first_command_cites_the_congress_article(
    newsdesk: Run, tmp_path: Path
) -> None:
    """The README's first command: ingest `sample/`, ask what Zelensky told Congress.

    Zelensky has statements in the sample, none about Congress; the answer must be the
    article about his address to Congress, not his statements on other subjects.
    """
    where = tmp_path / "readme-data"
    sample = PROJECT_ROOT / "sample"
    assert newsdesk("--data-dir", str(where), "ingest", str(sample), data=False).code == 0
    result = newsdesk(
        "--data-dir", str(where), "ask", "What did Zelensky tell Congress?", data=False
    )
    assert result.code == 0
    first = result.out.split("\n2. ")[0]
    assert "**Congress**" in first and "not charity" in first, result.out
