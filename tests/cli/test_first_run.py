"""Issue 10, first-run friction: help that teaches, no archive made by accident, JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run

READ_COMMANDS = [
    ["ask", "What happened?"],
    ["list"],
    ["stats"],
    ["show", "1"],
    ["delete", "1"],
    ["reindex"],
    ["poll", "--once"],
    ["sources", "list"],
    ["sources", "remove", "x"],
]


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda argv: " ".join(argv))
def test_a_missing_archive_is_an_error_and_is_not_created(
    newsdesk: Run, data_dir: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSDESK_FEEDS", raising=False)
    result = newsdesk(*argv)
    assert result.code == 2
    assert result.err == f"error: no archive at {data_dir} (run `newsdesk ingest` first)\n"
    assert result.out == ""
    assert not data_dir.exists()


def test_ingest_and_sources_add_create_the_archive(
    newsdesk: Run, data_dir: Path, corpus: Path, tmp_path: Path
) -> None:
    assert newsdesk("sources", "add", "https://feeds.example.test/rss").code == 0
    assert (data_dir / "newsdesk.sqlite3").is_file()
    other = tmp_path / "other"
    ingest = ("ingest", str(corpus / "storm.txt"), "--data-dir", str(other))
    assert newsdesk(*ingest, data=False).code == 0
    assert (other / "newsdesk.sqlite3").is_file()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["ask", "", "--json"], 1, "the question is empty"),
        (["show", "42", "--json"], 1, "42: no article with this id"),
        (["stats", "--json"], 2, "no archive at"),
        (["list", "--json", "--since", "yesterday"], 2, "not a date"),
        (["ingest", "--json"], 2, "required"),
    ],
    ids=["empty-question", "unknown-id", "no-archive", "bad-option", "no-items"],
)
def test_with_json_errors_are_a_json_object_too(
    newsdesk: Run, corpus: Path, argv: list[str], code: int, message: str
) -> None:
    if argv[0] in ("ask", "show"):
        newsdesk("ingest", str(corpus / "storm.txt"))  # creates the archive
    result = newsdesk(*argv)
    assert result.code == code
    payload = json.loads(result.out)
    assert payload["exit_code"] == code
    assert message in payload["error"]
    assert message in result.err  # the one line on stderr stays


def test_top_level_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--data-dir DIR" in out and "--version" in out
    assert "examples:" in out and 'newsdesk ask "' in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("newsdesk ")


@pytest.mark.parametrize(
    ("command", "wanted"),
    [
        (["ingest"], ["PATH_OR_URL  a file", "--json", "(errors too)"]),
        (["ask"], ["QUESTION    in English", "--json      print the result as JSON"]),
        (["show"], ["ARTICLE_ID  an id"]),
        (["delete"], ["ARTICLE_ID  the article's id"]),
        (["stats"], ["--json      print the result as JSON"]),
        (["list"], ["print the result as JSON"]),
        (["reindex"], ["print the result as JSON"]),
        (["sources", "add"], ["URL   ", "the feed's"]),
        (["sources", "remove"], ["NAME  ", "the source's name"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_every_positional_and_json_has_help(
    capsys: pytest.CaptureFixture[str], command: list[str], wanted: list[str]
) -> None:
    from bot.cli import main

    assert main([*command, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps by terminal width
    for text in wanted:
        assert " ".join(text.split()) in out
