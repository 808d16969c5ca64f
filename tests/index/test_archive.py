"""The facade: ingest (files, folders, .gz, bytes), reads, delete, progress, sizes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.archive import question_from_title
from index.errors import NotFoundError
from index.models import Progress
from tests.cli.corpus import JSONL_RECORDS, N_ARTICLES, write_corpus, write_many


@pytest.fixture
def archive(settings: IndexSettings) -> Archive:
    with open_archive(settings) as opened:
        yield opened


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def test_folder_ingest_reads_every_file_type_recursively(archive: Archive, corpus: Path) -> None:
    report = archive.ingest([str(corpus)])
    assert report.count("new") == N_ARTICLES
    assert report.failed == ()
    names = [item.item for item in report.items]
    assert any(name.endswith("budget.html") for name in names)
    assert any(name.endswith("sport.html.gz") for name in names)
    assert any(name.endswith("archive.jsonl#3") for name in names)
    assert not any("logo.png" in name or ".hidden" in name for name in names)
    titles = {a.title for a in archive.list_articles(limit=100)}
    assert "Swimmer wins gold in Paris" in titles  # from the .gz page
    assert "Storm cuts power to the Odesa region" in titles


def test_reingesting_the_folder_changes_nothing(archive: Archive, corpus: Path) -> None:
    first = archive.ingest([str(corpus)])
    second = archive.ingest([str(corpus)])
    assert second.count("unchanged") == N_ARTICLES
    assert [i.article_id for i in second.items] == [i.article_id for i in first.items]
    assert archive.stats().articles == N_ARTICLES


def test_changed_record_with_same_url_is_updated_in_place(
    archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    archive.ingest([str(corpus / "archive.jsonl")])
    changed = dict(JSONL_RECORDS[0], text="A corrected report about the harvest in Poltava.")
    path = tmp_path / "correction.json"
    path.write_text(json.dumps([changed]), encoding="utf-8")
    before = {a.url: a.article_id for a in archive.list_articles()}
    report = archive.ingest([str(path)])
    assert [i.outcome for i in report.items] == ["updated"]
    assert report.items[0].article_id == before[JSONL_RECORDS[0]["url"]]
    passages = archive.get_passages(report.items[0].article_id)
    assert [p.text for p in passages] == ["A corrected report about the harvest in Poltava."]


def test_source_option_labels_every_article(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus / "storm.txt")], source="Coast Herald")
    assert archive.stats().sources == {"Coast Herald": 1}
    assert [a.title for a in archive.list_articles(source="Coast Herald")] == [
        "Storm cuts power to the Odesa region"
    ]


def test_ingest_bytes_reads_an_upload(archive: Archive, corpus: Path) -> None:
    data = (corpus / "pages" / "sport.html.gz").read_bytes()
    report = archive.ingest_bytes("sport.html.gz", data, source="Upload")
    assert [(i.item, i.outcome) for i in report.items] == [("sport.html.gz", "new")]
    article = archive.get_article(report.items[0].article_id or 0)
    assert article.source == "Upload"
    assert "1500 metres freestyle" in article.body


def test_ingest_bytes_reports_a_bad_upload(archive: Archive) -> None:
    report = archive.ingest_bytes("blank.txt", b"")
    assert [i.outcome for i in report.items] == ["failed"]
    assert "empty" in (report.items[0].reason or "")


def test_stored_article_keeps_metadata_and_exact_passages(archive: Archive, corpus: Path) -> None:
    report = archive.ingest([str(corpus / "pages" / "budget.html")])
    article = archive.get_article(report.items[0].article_id or 0)
    assert article.title == "Parliament passes the 2025 budget"
    assert article.author == "Olena Kovalenko"
    assert article.published_at == datetime(2024, 9, 18, 6, 0, tzinfo=UTC)
    assert article.language == "en"
    assert "Home | World" not in article.body and "All rights reserved" not in article.body
    passages = archive.get_passages(article.article_id)
    assert passages and all(article.body[p.start : p.end] == p.text for p in passages)
    assert [p.ordinal for p in passages] == list(range(len(passages)))


def test_list_filters_and_orders(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus / "archive.jsonl")])
    listed = archive.list_articles()
    assert [a.published_at for a in listed] == sorted(
        (a.published_at for a in listed), reverse=True
    )
    assert [a.language for a in archive.list_articles(since=date(2024, 7, 1))] == ["uk", "en"]
    assert len(archive.list_articles(limit=1)) == 1


def test_stats_count_everything_and_sizes(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    stats = archive.stats()
    assert stats.articles == N_ARTICLES
    assert stats.passages >= N_ARTICLES
    assert stats.languages == {"en": 4, "ru": 1, "uk": 1}
    assert stats.first_published == datetime(2024, 6, 12, 12, 0, tzinfo=UTC)
    assert stats.last_published == datetime(2024, 9, 18, 6, 0, tzinfo=UTC)
    assert stats.store_bytes > 0


def test_delete_removes_the_article(archive: Archive, corpus: Path) -> None:
    report = archive.ingest([str(corpus / "storm.txt")])
    article_id = report.items[0].article_id or 0
    deleted = archive.delete(article_id)
    assert deleted.title == "Storm cuts power to the Odesa region"
    with pytest.raises(NotFoundError):
        archive.get_article(article_id)
    with pytest.raises(NotFoundError):
        archive.get_passages(article_id)
    with pytest.raises(NotFoundError):
        archive.delete(article_id)


def test_progress_reports_files_with_total_and_articles(archive: Archive, tmp_path: Path) -> None:
    folder = write_many(tmp_path / "many", 12)
    ticks: list[Progress] = []
    archive.ingest([str(folder)], progress=ticks.append)
    files = [t for t in ticks if t.stage == "files"]
    articles = [t for t in ticks if t.stage == "articles"]
    assert [t.done for t in files] == list(range(1, 13))
    assert {t.total for t in files} == {12}
    assert articles[-1].done == 12
    assert all(t.elapsed_s >= 0 for t in ticks)


def test_an_empty_folder_is_one_clear_failure(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = archive.ingest([str(tmp_path / "empty")])
    assert [i.outcome for i in report.items] == ["failed"]
    assert "no ingestible files" in (report.items[0].reason or "")


def test_archive_reopens_with_its_data(settings: IndexSettings, corpus: Path) -> None:
    with open_archive(settings) as first:
        first.ingest([str(corpus / "storm.txt")])
    with open_archive(settings) as again:
        assert again.stats().articles == 1
    assert (settings.data_dir / "newsdesk.sqlite3").exists()


@pytest.mark.parametrize(
    ("title", "lang", "expected"),
    [
        (
            "Zelenskyy wants coalition of NATO countries to shoot down missiles",
            "en",
            "What did Zelenskyy say about coalition?",
        ),
        (
            "Syrskyi reports Ukrainian control over 1,000 sq km of Russia's Kursk Oblast",
            "en",
            "What did Syrskyi say about Ukrainian control?",
        ),
        ("Parliament passes the 2025 budget", "en", "What did Parliament say about 2025 budget?"),
        ("the quick brown fox", "en", None),
        ("Мэр Филатов рассказал о ремонте моста", "ru", "Что сказал Филатов о ремонте моста?"),
        (
            "Мер Терехов розповів про нову станцію метро",
            "uk",
            "Що сказав Терехов про нову станцію метро?",
        ),
        (
            "Саміт НАТО у Вашингтоні: союзники назвали шлях України незворотним",
            "uk",
            "Саміт НАТО у Вашингтоні: що відомо?",
        ),
        (
            "В Днепре завершили ремонт моста через реку",
            "ru",
            "В Днепре завершили ремонт моста через реку: что известно?",
        ),
        ("short", "en", None),
    ],
    ids=[
        "en-subject",
        "en-object-phrase",
        "en-number",
        "en-no-subject",
        "ru-about",
        "uk-about",
        "uk-main-clause",
        "ru-plain",
        "short",
    ],
)
def test_question_from_title(title: str, lang: str, expected: str | None) -> None:
    assert question_from_title(title, lang) == expected
