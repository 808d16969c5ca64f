"""The facade with the search stack: incremental indexing, reindex, broken indexes, reloads."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.errors import IndexUnavailableError, QuestionError
from index.models import ExtractedArticle, PassageSpan, Progress
from tests.cli.corpus import N_ARTICLES, STORM_TXT, write_corpus

pytest.importorskip("index.analysis.analyzer", reason="the analyser (issue 3) has not landed")
pytest.importorskip("index.search.engine", reason="the search engine (issue 3) has not landed")

BUDGET_QUESTION = "What did Marchenko say about the budget?"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def archive(settings: IndexSettings, corpus: Path) -> Archive:
    with open_archive(settings) as opened:
        report = opened.ingest([str(corpus)])
        assert report.count("new") == N_ARTICLES and report.index_error is None
        yield opened


def _cited_titles(archive: Archive, question: str) -> list[str]:
    answer = archive.ask(question)
    return [a.citation.title for a in answer.articles] if answer.found else []


def test_ingested_articles_are_searchable_without_reindex(archive: Archive) -> None:
    answer = archive.ask(BUDGET_QUESTION)
    assert answer.found
    top = answer.articles[0]
    assert top.citation.title == "Parliament passes the 2025 budget"
    assert "Marchenko" in top.snippets[0].text
    assert archive.stats().index_passages == archive.stats().passages


def test_questions_in_ukrainian_and_russian_are_answered(archive: Archive) -> None:
    assert _cited_titles(archive, "Що сказав Терехов про метро?")[0] == (
        "У Харкові відкрили нову станцію метро"
    )
    assert _cited_titles(archive, "Что сказал Филатов о ремонте моста?")[0] == (
        "В Днепре завершили ремонт моста через реку"
    )


def test_updated_article_is_searchable_by_its_new_text_only(
    archive: Archive, tmp_path: Path
) -> None:
    page = tmp_path / "corpus" / "pages" / "budget.html"
    html = page.read_text(encoding="utf-8").replace("Marchenko", "Lysenko")
    page.write_text(html, encoding="utf-8")
    report = archive.ingest([str(page)])
    assert [i.outcome for i in report.items] == ["updated"]
    assert _cited_titles(archive, "What did Lysenko say about the budget?")[0] == (
        "Parliament passes the 2025 budget"
    )
    assert not any(
        "Marchenko" in s.text for a in archive.ask(BUDGET_QUESTION).articles for s in a.snippets
    )
    assert archive.stats().index_passages == archive.stats().passages


def test_deleted_article_is_no_longer_cited(archive: Archive) -> None:
    article_id = archive.ask(BUDGET_QUESTION).articles[0].citation.article_id
    archive.delete(article_id)
    assert "Parliament passes the 2025 budget" not in _cited_titles(archive, BUDGET_QUESTION)
    assert archive.stats().index_passages == archive.stats().passages


def test_reindex_rebuilds_every_passage_with_progress(archive: Archive) -> None:
    ticks: list[Progress] = []
    report = archive.reindex(progress=ticks.append)
    assert report.passages == archive.stats().passages
    assert report.index_bytes > 0 and report.seconds >= 0
    assert report.terms > 50  # the corpus's vocabulary
    assert ticks[-1].stage == "done" and ticks[-1].done == report.passages
    assert _cited_titles(archive, BUDGET_QUESTION)[0] == "Parliament passes the 2025 budget"


def test_reindex_builds_the_index_that_incremental_ingest_built(archive: Archive) -> None:
    """Ingest indexes article by article (term strings); reindex encodes to term ids in bulk:
    the same passages must get the same terms, so every answer keeps its scores exactly."""
    questions = [
        BUDGET_QUESTION,
        "Що сказав Терехов про метро?",
        "Что сказал Филатов о ремонте моста?",
        *archive.example_questions(5),
    ]

    def answers() -> list[tuple]:
        return [
            (a.citation.article_id, s.passage_ordinal, s.score, s.text)
            for q in questions
            for a in archive.ask(q).articles
            for s in a.snippets
        ]

    incremental = answers()
    assert incremental
    archive.reindex()
    assert answers() == incremental


def test_unanswerable_question_says_nothing_found(archive: Archive) -> None:
    answer = archive.ask("Who won the chess tournament in Reykjavik?")
    assert not answer.found and answer.articles == ()


def test_empty_question_is_a_clear_error(archive: Archive) -> None:
    with pytest.raises(QuestionError, match="empty"):
        archive.ask("   ")


def test_example_questions_are_answerable(archive: Archive) -> None:
    questions = archive.example_questions(3)
    assert len(questions) == 3
    for question in questions:
        assert archive.ask(question).found, question


def _break_index(index_dir: Path, how: str) -> None:
    if how == "missing":
        shutil.rmtree(index_dir)
    elif how == "corrupt-pointer":
        (index_dir / "CURRENT").write_text("{ not json", encoding="utf-8")
    else:  # damaged arrays: truncate every .npy file of every generation
        for npy in index_dir.rglob("*.npy"):
            npy.write_bytes(npy.read_bytes()[:10])


@pytest.mark.parametrize("how", ["missing", "corrupt-pointer", "truncated-arrays"])
def test_broken_index_asks_for_reindex_and_loses_no_data(
    settings: IndexSettings, archive: Archive, how: str
) -> None:
    archive.close()
    _break_index(settings.data_dir / "index", how)
    with open_archive(settings) as reopened:
        with pytest.raises(IndexUnavailableError, match="newsdesk reindex"):
            reopened.ask(BUDGET_QUESTION)
        extra = settings.data_dir.parent / "extra.txt"
        extra.write_text(STORM_TXT.replace("Odesa", "Mykolaiv"), encoding="utf-8")
        report = reopened.ingest([str(extra)])
        assert [i.outcome for i in report.items] == ["new"]
        assert "newsdesk reindex" in (report.index_error or "")
        assert reopened.stats().articles == N_ARTICLES + 1
        reopened.reindex()
        assert _cited_titles(reopened, BUDGET_QUESTION)[0] == "Parliament passes the 2025 budget"
        assert "Mykolaiv" in reopened.ask("storm in Mykolaiv").articles[0].citation.title


def test_a_reader_picks_up_changes_made_by_another_archive(
    settings: IndexSettings, archive: Archive, tmp_path: Path
) -> None:
    assert archive.ask(BUDGET_QUESTION).found
    extra = tmp_path / "extra.txt"
    extra.write_text(STORM_TXT.replace("Odesa", "Kherson"), encoding="utf-8")
    with open_archive(settings) as writer:  # another process, in effect
        writer.ingest([str(extra)])
    assert "Kherson" in archive.ask("storm in Kherson").articles[0].citation.title
    with open_archive(settings) as writer:
        writer.reindex()
    assert archive.ask("storm in Kherson").found


def test_questions_are_answered_while_a_reindex_runs(archive: Archive) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_repeatedly() -> None:
        try:
            while not stop.is_set():
                assert archive.ask(BUDGET_QUESTION).found
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=ask_repeatedly) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(3):
            archive.reindex()
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []


def test_a_question_is_not_blocked_by_a_running_reindex(archive: Archive) -> None:
    """The reindex's progress callback runs mid-rebuild: a question asked there must return."""
    answered: list[bool] = []

    def ask_during_rebuild(tick: Progress) -> None:
        if answered:
            return
        reader = threading.Thread(
            target=lambda: answered.append(archive.ask(BUDGET_QUESTION).found)
        )
        reader.start()
        reader.join(timeout=20)
        assert not reader.is_alive(), "the question waited for the reindex"

    archive.reindex(progress=ask_during_rebuild)
    assert answered == [True]


def _store_only(archive: Archive, town: str) -> int:
    """Commit an article to the store without telling the index: a process killed between
    its store commit and its index delta leaves exactly this behind."""
    body = f"A ferry between {town} and the islands resumed service after repairs."
    saved = archive.store.save(
        ExtractedArticle(title=f"Ferry resumes in {town}", body=body, language="en"),
        [PassageSpan(0, body, 0, len(body))],
    )
    return saved.article.article_id


def test_a_killed_ingest_is_caught_up_by_the_next_ingest(
    settings: IndexSettings, archive: Archive, tmp_path: Path
) -> None:
    _store_only(archive, "Zatoka")
    assert archive.stats().index_passages == archive.stats().passages - 1
    extra = tmp_path / "extra.txt"
    extra.write_text(STORM_TXT.replace("Odesa", "Izmail"), encoding="utf-8")
    archive.ingest([str(extra)])
    assert archive.stats().index_passages == archive.stats().passages
    assert _cited_titles(archive, "ferry in Zatoka")[0] == "Ferry resumes in Zatoka"
    assert archive.store.pending_index_ops() == ([], [])


def test_a_killed_ingest_is_caught_up_by_a_reader_at_its_first_question(
    settings: IndexSettings, archive: Archive
) -> None:
    _store_only(archive, "Vylkove")
    with open_archive(settings) as reader:  # the bot, which may never ingest
        assert _cited_titles(reader, "ferry in Vylkove")[0] == "Ferry resumes in Vylkove"
        assert reader.stats().index_passages == reader.stats().passages


def test_reindex_reconciles_changes_made_during_the_build(
    settings: IndexSettings, archive: Archive
) -> None:
    """Another process deletes one article and stores another while the build runs."""
    doomed = archive.ask(BUDGET_QUESTION).articles[0].citation.article_id
    done: list[int] = []

    def meanwhile(tick: Progress) -> None:
        if done:
            return
        with open_archive(settings) as other:
            other.store.delete(doomed)
            done.append(_store_only(other, "Bilhorod"))

    archive.reindex(progress=meanwhile)
    assert done
    assert "Parliament passes the 2025 budget" not in _cited_titles(archive, BUDGET_QUESTION)
    assert _cited_titles(archive, "ferry in Bilhorod")[0] == "Ferry resumes in Bilhorod"
    stats = archive.stats()
    assert stats.index_passages == stats.passages
    assert archive.store.pending_index_ops() == ([], [])


def test_an_index_write_failure_keeps_the_articles_queued(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.keeper, "apply", disk_full)
    extra = tmp_path / "extra.txt"
    extra.write_text(STORM_TXT.replace("Odesa", "Chornomorsk"), encoding="utf-8")
    report = archive.ingest([str(extra)])
    assert [i.outcome for i in report.items] == ["new"]
    assert report.index_error is not None and report.index_error.startswith("the disk is full")
    assert archive.store.pending_index_ops()[1]  # still queued
    monkeypatch.undo()
    archive.ingest([])  # the next ingest catches up
    assert "Chornomorsk" in archive.ask("storm in Chornomorsk").articles[0].citation.title
