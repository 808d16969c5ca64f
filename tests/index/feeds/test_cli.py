"""`newsdesk sources add|list|remove` and `newsdesk poll --once`, run in-process."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from index.cli import main
from tests.index.feeds.conftest import FeedServer


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NEWSDESK_HOST_DELAY_S", "0")
    return str(tmp_path / "data")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sources_add_list_poll_remove(
    data_dir: str, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/rss2.xml", "rss2.xml", content_type="application/rss+xml", etag='"a"')
    for name in ("bridge", "library", "ferry"):
        feed_server.serve_page(f"/news/{name}.html", f"{name}.html")
    url = feed_server.url("/rss2.xml")

    assert (
        main(["sources", "add", url, "--name", "gazette", "--interval", "600",
              "--outlet", "Harbour Gazette", "--language", "en", "--data-dir", data_dir])
        == 0
    )  # fmt: skip
    assert "added gazette" in capsys.readouterr().out

    assert main(["poll", "--once", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert "gazette: ok, 3 entries, 3 new, 0 updated, 0 failed" in out

    report = run_json(capsys, "poll", "--once", "--all", "--data-dir", data_dir)
    assert isinstance(report, dict)
    assert [s["outcome"] for s in report["sources"]] == ["not_modified"]

    listing = run_json(capsys, "sources", "list", "--data-dir", data_dir)
    assert isinstance(listing, list)
    (row,) = listing
    assert row["source"]["name"] == "gazette"
    assert row["source"]["outlet"] == "Harbour Gazette"
    assert row["articles_ingested"] == 3 and row["failing"] is False
    assert row["last_success_at"] and row["next_poll_at"]

    assert main(["sources", "list", "--data-dir", data_dir]) == 0
    assert "gazette  feed  every 600 s  3 articles" in capsys.readouterr().out

    assert main(["sources", "remove", "gazette", "--data-dir", data_dir]) == 0
    assert "removed gazette" in capsys.readouterr().out
    assert run_json(capsys, "sources", "list", "--data-dir", data_dir) == []


def test_poll_once_exits_1_when_a_source_fails(
    data_dir: str, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/down.xml", status=500, body=b"", content_type="text/plain")
    assert main(["sources", "add", feed_server.url("/down.xml"), "--data-dir", data_dir]) == 0
    assert main(["poll", "--once", "--data-dir", data_dir]) == 1
    assert "failed: the server answered HTTP 500" in capsys.readouterr().out
    assert main(["sources", "list", "--data-dir", data_dir]) == 0
    assert "FAILING ×1: the server answered HTTP 500" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["sources", "add", "ftp://x.test/rss"], 1, "not an http(s) URL"),
        (["sources", "remove", "nope"], 1, "no source with this name"),
        (["sources", "add", "https://x.test/rss", "--language", "de"], 2, "invalid choice"),
        (["sources"], 2, "required"),
    ],
    ids=["bad-url", "unknown-name", "bad-language", "no-action"],
)
def test_source_command_errors_are_one_line(
    data_dir: str,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    open_archive(IndexSettings(data_dir=Path(data_dir), _env_file=None)).close()  # type: ignore[call-arg]
    assert main([*argv, "--data-dir", data_dir]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_poll_without_once_loops_until_stopped(tmp_path: Path, feed_server: FeedServer) -> None:
    from index import open_archive
    from index.settings import IndexSettings

    feed_server.serve("/rss2.xml", "rss2.xml", content_type="application/rss+xml")
    for name in ("bridge", "library", "ferry"):
        feed_server.serve_page(f"/news/{name}.html", f"{name}.html")
    settings = IndexSettings(_env_file=None, data_dir=tmp_path / "d", host_delay_s=0)
    stop = threading.Event()
    rounds = []

    def on_report(report: object) -> None:
        rounds.append(report)
        stop.set()

    with open_archive(settings) as archive:
        archive.add_source(feed_server.url("/rss2.xml"))
        last = archive.poll(once=False, stop=stop, on_report=on_report)
    assert len(rounds) == 1 and last is rounds[0]
    assert last.count("new") == 3
