"""The archive on PostgreSQL: the same behaviour as on SQLite, `migrate`, and start failures.

The cluster is the throwaway one of ``tests/auxil/postgres.py`` (skips only when no server
binary is installed). The archive tests run once per backend with the same assertions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import IndexSettings, open_archive
from index.cli import main
from index.store import Database
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

pytestmark = pytest.mark.slow

QUESTION = "How much water did the Kakhovka reservoir hold?"
CHAT = 42


def _settings(data_dir: Path, location: Path | str) -> IndexSettings:
    url = location if isinstance(location, str) else None
    return IndexSettings(data_dir=data_dir, database_url=url, _env_file=None)


def _summary(answer) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    return [(a.citation.title, a.snippets[0].text, a.citation.source) for a in answer.articles]


def test_archive_works_the_same_on_both_backends(
    store_location: Path | str, tmp_path: Path
) -> None:
    with open_archive(_settings(tmp_path / "data", store_location)) as archive:
        report = archive.ingest([str(SAMPLE_DIR / "dumps"), str(SAMPLE_DIR / "html")])
        assert report.failed == ()
        stats = archive.stats()
        assert stats.articles > 0 and stats.passages == stats.index_passages
        # `newsdesk check` sizes the store on either backend (the server's database size).
        checked = archive.check()
        assert checked.ok and checked.store_bytes > 0 and checked.store_bytes == stats.store_bytes
        answer = archive.ask(QUESTION)
        assert answer.found, answer
        assert "Kakhovka" in answer.articles[0].citation.title
        topic = archive.follow(CHAT, "Kakhovka reservoir water")
        assert [t.text for t in archive.following(CHAT)] == ["Kakhovka reservoir water"]
        # A new article on the followed topic raises one alert, stored in the outbox.
        new = tmp_path / "new.txt"
        new.write_text(
            "Kakhovka reservoir water level update\n\nThe Kakhovka reservoir water level fell "
            "again on Monday, engineers said, as the reservoir kept losing water.\n",
            encoding="utf-8",
        )
        added = archive.ingest([str(new)])
        assert added.count("new") == 1
        alerts = archive.pending_alerts()
        assert [a.topic.topic_id for a in alerts] == [topic.topic_id]
        new_id = alerts[0].answer.citation.article_id
        archive.delete(new_id)
        cited = archive.ask("Kakhovka reservoir water level").articles
        assert new_id not in [a.citation.article_id for a in cited]
        assert archive.stats().articles == stats.articles
    # Reopened: everything is still there.
    with open_archive(_settings(tmp_path / "data", store_location), create=False) as again:
        assert _summary(again.ask(QUESTION)) == _summary(answer)
        assert [t.text for t in again.following(CHAT)] == ["Kakhovka reservoir water"]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "index", *args],
        env={**clean, "PYTHONPATH": str(PROJECT_ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_copies_everything_once_and_the_copy_answers_the_same(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with open_archive(_settings(data, data / "newsdesk.sqlite3")) as archive:
        assert archive.ingest([str(SAMPLE_DIR / "dumps")]).failed == ()
        archive.follow(CHAT, "reservoir water")
        before = archive.stats()
        asked = _summary(archive.ask(QUESTION))
    args = ["migrate", "--to", pg_url, "--data-dir", str(data), "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["verified"] is True
    copied = {t["table"]: t for t in first["tables"]}
    assert copied["articles"]["inserted"] == before.articles
    assert copied["passages"]["inserted"] == before.passages
    assert copied["topics"]["inserted"] == 1
    assert copied["story_bands"]["inserted"] > 0 and copied["statements"]["source_rows"] >= 0
    assert all(t["source_rows"] == t["destination_rows"] for t in first["tables"])
    # Twice: nothing is copied twice.
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["verified"] is True and second["inserted"] == 0
    # The same data dir (its index) on the PostgreSQL copy answers as before; new ids
    # continue after the copied ones.
    with open_archive(_settings(data, pg_url), create=False) as copy:
        assert copy.stats().articles == before.articles
        assert _summary(copy.ask(QUESTION)) == asked
        assert [t.text for t in copy.following(CHAT)] == ["reservoir water"]
        report = copy.ingest([str(SAMPLE_DIR / "html")])
        assert report.failed == () and report.count("new") > 0
        assert copy.stats().passages == copy.stats().index_passages


@pytest.mark.parametrize("fault", ["wrong password", "unreachable"])
def test_a_bad_database_url_is_one_line_exit_2_without_the_password(
    postgres_cluster, tmp_path: Path, fault: str
) -> None:  # type: ignore[no-untyped-def]
    secret = "Hunter2-secret"
    if fault == "wrong password":
        url = postgres_cluster.url(password=secret)
    else:
        url = f"postgresql://newsdesk:{secret}@127.0.0.1:{_closed_port()}/newsdesk"
    data = tmp_path / "data"
    Database(data / "newsdesk.sqlite3").close()  # a (empty) SQLite store for `migrate`
    for args, env in (
        (["stats"], {"NEWSDESK_DATABASE_URL": url}),
        (["migrate", "--to", url], {"NEWSDESK_DATA_DIR": str(data)}),
    ):
        result = _run(args, env, tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: cannot connect to the PostgreSQL store ")
        assert "newsdesk:***@127.0.0.1" in lines[0]
        assert secret not in result.stderr + result.stdout
        if fault == "wrong password":
            assert "password authentication failed" in lines[0]
        else:
            assert "Connection refused" in lines[0]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
