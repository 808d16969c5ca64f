"""`newsdesk ask` prints the period notes in the question's language (en, uk, ru)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run
from tests.cli.corpus import write_corpus


def test_cli_prints_the_period_notes_in_the_questions_language(
    newsdesk: Run, tmp_path: Path
) -> None:
    newsdesk("ingest", str(write_corpus(tmp_path / "corpus")))
    english = newsdesk("ask", "What did Marchenko say about the budget in March 2021?")
    assert english.out.startswith("Note: Nothing published in March 2021 matches the question")

    relaxed = newsdesk("ask", "Що сказав Терехов про станцію метро у березні 2021?")
    assert relaxed.code == 0
    lines = relaxed.out.splitlines()
    assert lines[0].startswith("Note: Серед статей, опублікованих у березні 2021 року,")
    assert lines[1].startswith("1. ")

    listing = newsdesk("ask", "Что случилось в сентябре 2024?")
    assert listing.code == 0
    assert listing.out.splitlines()[0] == (
        "Note: Статьи, опубликованные в сентябре 2024 года, сначала самые новые."
    )
    data = newsdesk("ask", "Що сталося у вересні 2024?", "--json").json()
    assert data["note"] == "Статті, опубліковані у вересні 2024 року, спершу найновіші."
