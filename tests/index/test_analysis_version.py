"""An index built by another analyzer version: answered from, flagged, and cured by reindex.

The analyzer's terms change with its version (``ANALYSIS_VERSION``), and an index keeps the
terms it was built with. The keeper records the version beside the index when it creates one
and on every full rebuild; an index recorded with another version (or none, from before the
record) still answers, logs a warning naming ``newsdesk reindex``, and ``newsdesk check``
lists it as a problem with that fix. A reindex records the current version again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.analysis import ANALYSIS_VERSION
from index.analysis.version import ANALYSIS_FILE, recorded_analysis_version
from tests.cli.corpus import write_corpus


@pytest.fixture
def archive(settings: IndexSettings, tmp_path: Path) -> Archive:
    with open_archive(settings) as opened:
        assert opened.ingest([str(write_corpus(tmp_path / "corpus"))]).index_error is None
        yield opened


def _index_dir(settings: IndexSettings) -> Path:
    return settings.data_dir / "index"


def test_a_new_index_records_this_analyzer_version(
    settings: IndexSettings, archive: Archive
) -> None:
    assert recorded_analysis_version(_index_dir(settings)) == ANALYSIS_VERSION
    assert archive.check().ok


@pytest.mark.parametrize("older", ["missing", "1"], ids=["before-the-record", "version-1"])
def test_an_index_of_another_version_answers_warns_and_reindex_cures_it(
    settings: IndexSettings, archive: Archive, caplog: pytest.LogCaptureFixture, older: str
) -> None:
    question = "Marchenko on the budget"
    expected = archive.ask(question).articles[0].citation.article_id
    archive.close()
    path = _index_dir(settings) / ANALYSIS_FILE
    if older == "missing":
        path.unlink()
    else:
        path.write_text(json.dumps({"version": int(older)}))
    assert ANALYSIS_VERSION != 1  # the version before the record existed
    with open_archive(settings) as reopened, caplog.at_level(logging.WARNING):
        assert reopened.ask(question).found
        assert "analyzer version 1" in caplog.text
        assert "newsdesk reindex" in caplog.text
        problems = reopened.check().problems
        assert [p.fix for p in problems if "analyzer version 1" in p.what] == [
            "run `newsdesk reindex` to rebuild the index from the store"
        ]
        reopened.reindex()
        assert recorded_analysis_version(_index_dir(settings)) == ANALYSIS_VERSION
        assert reopened.check().ok
        assert reopened.ask(question).articles[0].citation.article_id == expected


def test_an_unreadable_record_asks_for_a_reindex(
    settings: IndexSettings, archive: Archive
) -> None:
    archive.close()
    (_index_dir(settings) / ANALYSIS_FILE).write_text("{not json")
    with open_archive(settings) as reopened:
        assert any("unknown analyzer" in p.what for p in reopened.check().problems)


def test_an_empty_index_of_another_version_takes_this_one(settings: IndexSettings) -> None:
    # A data dir created by an older version before anything was ingested holds no terms.
    with open_archive(settings) as opened:
        opened.stats()
        assert opened.keeper.passage_count() == 0
    (_index_dir(settings) / ANALYSIS_FILE).unlink()
    with open_archive(settings) as reopened:
        assert reopened.keeper.passage_count() == 0
    assert recorded_analysis_version(_index_dir(settings)) == ANALYSIS_VERSION
