"""Issue 14: statements stored with articles, `quotes`, and who-said-what routing in `ask`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from index import Archive, IndexSettings, open_archive
from index.cli import main as cli_main

ASKED_AT = datetime(2024, 7, 20, 12, 0, tzinfo=UTC)
ARTICLES = [
    {
        "url": "https://wire.test/en/1",
        "title": "Allies weigh more air defence for Ukraine",
        "published": "2024-07-18T10:00:00+00:00",
        "language": "en",
        "source": "Test Wire",
        "text": (
            "On Monday, NATO Secretary General Jens Stoltenberg said that the alliance would "
            "send more air defence systems to Ukraine before winter.\n"
            "“We will not leave our partners alone,” Stoltenberg said.\n"
            "Polish Prime Minister Donald Tusk said Poland would not act alone on missiles."
        ),
    },
    {
        "url": "https://wire.test/uk/1",
        "title": "Столтенберг про енергетику",
        "published": "2024-07-19T10:00:00+00:00",
        "language": "uk",
        "source": "Test Wire",
        "text": (
            "За словами Єнса Столтенберга, енергосистема України витримала нічну атаку без "
            "тривалих відключень. Зустріч відбулася в Брюсселі."
        ),
    },
    {
        "url": "https://wire.test/ru/1",
        "title": "Погода в Киеве",
        "published": "2024-07-19T11:00:00+00:00",
        "language": "ru",
        "source": "Test Wire",
        "text": "В Киеве ожидается жаркая погода. Синоптики обещают до тридцати пяти градусов.",
    },
]


@pytest.fixture
def archive(tmp_path) -> Iterator[Archive]:
    data = "\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES).encode()
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as arch:
        report = arch.ingest_bytes("wire.jsonl", data)
        assert report.count("new") == 3, report
        yield arch


def test_quotes_across_scripts_with_dates_and_offsets(archive: Archive) -> None:
    for name in ("Stoltenberg", "Столтенберг", "Столтенберга", "jens stoltenberg"):
        found = archive.quotes(name)
        assert len(found) == 3, name
        assert {q.speaker for q in found} <= {"Jens Stoltenberg", "Єнс Столтенберг"}
    dated = [q for q in archive.quotes("Stoltenberg") if q.date_source == "text"]
    assert [q.said_on for q in dated] == [date(2024, 7, 15)]
    for q in archive.quotes("Stoltenberg"):
        body = archive.get_article(q.citation.article_id).body
        assert body[q.start : q.end] == q.text
    # The spelling asked goes first, then newest first.
    recent = archive.quotes("Stoltenberg", since=date(2024, 7, 16))
    assert [q.said_on for q in recent] == [date(2024, 7, 18), date(2024, 7, 19)]
    assert [q.kind for q in recent] == ["direct", "reported"]
    recent = archive.quotes("Столтенберг", since=date(2024, 7, 16))
    assert [q.said_on for q in recent] == [date(2024, 7, 19), date(2024, 7, 18)]
    assert archive.quotes("Stoltenberg", until=date(2024, 7, 15))[0].said_on == date(2024, 7, 15)
    top = archive.quotes("Stoltenberg", about="енергосистема відключення")
    assert top and "енергосистема" in top[0].text


def test_deleting_an_article_takes_its_statements_and_reindex_rebuilds(
    archive: Archive,
) -> None:
    uk = archive.quotes("Столтенберг", since=date(2024, 7, 19))
    assert len(uk) == 1
    archive.delete(uk[0].citation.article_id)
    assert archive.quotes("Столтенберг", since=date(2024, 7, 19)) == []
    before = archive.statements.count()
    archive._db.conn.execute("DELETE FROM statements")  # as a store from before issue 14
    assert archive.statements.count() == 0
    archive.reindex()
    assert archive.statements.count() == before > 0


def test_ask_routes_who_said_what_to_statements(archive: Archive) -> None:
    answer = archive.ask("what did Stoltenberg say on Monday", now=ASKED_AT)
    assert answer.found and answer.note and "Stoltenberg" in answer.note
    text = answer.articles[0].snippets[0].text
    assert "air defence systems" in text and "leave our partners" not in text
    for question in ("Що сказав Столтенберг?", "Что сказал Столтенберг?"):
        answer = archive.ask(question, now=ASKED_AT)
        assert answer.found and answer.note
        assert len(answer.articles) == 2
        assert sum(len(a.snippets) for a in answer.articles) == 3


def test_speaker_without_statements_falls_back_to_search_with_a_note(archive: Archive) -> None:
    answer = archive.ask("what did Zelenskyy say about air defence", now=ASKED_AT)
    assert answer.note and "No statements by Zelenskyy" in answer.note


def test_statements_about_something_else_leave_the_question_to_ordinary_search(
    archive: Archive,
) -> None:
    # "tell X" names what the answer must be about; none of Tusk's statements is about
    # the weather, so the statement path gives way (no statement is cited) and `quotes`
    # says there is nothing about it rather than listing the speaker's other statements.
    assert archive.quotes("Tusk", about="weather") == []
    assert archive.quotes("Tusk", about="missiles")
    answer = archive.ask("What did Tusk tell the forecasters about the weather?", now=ASKED_AT)
    assert not answer.note or "Tusk" not in answer.note
    assert not any(a.said_by for a in answer.articles)
    answer = archive.ask("What did Stoltenberg tell the alliance?", now=ASKED_AT)
    assert answer.found and answer.note and "Stoltenberg" in answer.note
    assert "alliance" in answer.articles[0].snippets[0].text


def test_bad_statement_input_never_fails_ingest(tmp_path) -> None:
    bodies = ["“" + "long words " * 600, "«Незакрита цитата, — заявив він.", "said that said"]
    lines = [
        json.dumps({"title": f"odd {i}", "text": b, "language": "en"})
        for i, b in enumerate(bodies)
    ]
    with open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None)) as arch:
        report = arch.ingest_bytes("odd.jsonl", "\n".join(lines).encode())
        assert report.count("new") == 3


def test_cli_quotes_json(archive: Archive, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["--data-dir", str(archive.data_dir), "quotes", "Tusk", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (statement,) = out["statements"]
    assert set(statement) == {
        "speaker", "speaker_as_written", "text", "kind", "said_on", "date_source",
        "article", "start", "end",
    }  # fmt: skip
    assert statement["speaker"] == "Donald Tusk" and statement["kind"] == "reported"
    assert statement["said_on"] == "2024-07-18" and statement["date_source"] == "published"
    assert statement["article"]["title"] == "Allies weigh more air defence for Ukraine"


def test_quotes_bench_runs_on_a_small_store() -> None:
    from index.bench.quotes import run

    result = run(articles=300, speaker_statements=30, repeats=2)
    assert set(result) == {"quotes", "quotes --about", "quotes on a day"}
    assert all(value > 0 for value in result.values())


def test_cli_ask_citation_line_names_the_speaker_and_the_statement_date(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(archive.data_dir)
    assert cli_main(["--data-dir", data_dir, "ask", "what did Stoltenberg say on 15 July"]) == 0
    shown = capsys.readouterr().out
    assert (
        "— Jens Stoltenberg, 15 July 2024 · reported in: "
        "Allies weigh more air defence for Ukraine · Test Wire · 2024-07-18"
    ) in shown
    assert cli_main(["--data-dir", data_dir, "ask", "what did Tusk say", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["answers"]
    assert entry["said_by"] == [{"speaker": "Donald Tusk", "said_on": "2024-07-18"}]
    # An ordinary question's citation line is unchanged.
    assert cli_main(["--data-dir", data_dir, "ask", "weather in Kyiv"]) == 0
    assert "reported in:" not in capsys.readouterr().out
