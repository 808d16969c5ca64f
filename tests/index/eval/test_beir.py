"""Loading BEIR-layout datasets: what is skipped, and what makes a dataset unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.eval.beir import DatasetError, load_beir


def write_dataset(root: Path, corpus: list, queries: list, qrels: list[str]) -> Path:
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(
        "\n".join(c if isinstance(c, str) else json.dumps(c) for c in corpus), encoding="utf-8"
    )
    (root / "queries.jsonl").write_text(
        "\n".join(json.dumps(q) for q in queries), encoding="utf-8"
    )
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "\n".join(qrels), encoding="utf-8"
    )
    return root


def test_loads_documents_queries_and_judgements(tmp_path: Path) -> None:
    root = write_dataset(
        tmp_path / "d",
        [{"_id": "1", "title": "T", "text": "a"}, {"_id": "2", "title": "", "text": "b"}],
        [{"_id": "q1", "text": "a"}, {"_id": "q2", "text": "unjudged"}],
        ["q1\t1\t1"],
    )
    dataset = load_beir(root)
    assert [d.doc_id for d in dataset.corpus] == ["1", "2"]
    assert dataset.queries == {"q1": "a"}
    assert dataset.qrels == {"q1": {"1": 1}}
    assert dataset.skipped == ("1 queries without judgements",)
    assert dataset.malformed == ()


def test_malformed_lines_are_skipped_and_named(tmp_path: Path) -> None:
    root = write_dataset(
        tmp_path / "d",
        ["{not json", {"_id": "1", "text": "a"}, {"title": "no id"}],
        [{"_id": "q1", "text": "a"}],
        ["q1\t1\t1", "q1\t9\t1", "q1\t1"],
    )
    dataset = load_beir(root)
    assert len(dataset.corpus) == 1
    assert any("corpus.jsonl:1" in s and "not JSON" in s for s in dataset.malformed)
    assert any("corpus.jsonl:3" in s for s in dataset.malformed)
    assert any("test.tsv:4" in s for s in dataset.malformed)
    assert "1 judgements of documents not in the corpus" in dataset.skipped


@pytest.mark.parametrize(
    ("corpus", "queries", "qrels", "reason"),
    [
        ([], [{"_id": "q", "text": "a"}], ["q\t1\t1"], "no usable document"),
        ([{"_id": "1", "text": "a"}], [{"_id": "q", "text": "a"}], [], "no query"),
    ],
    ids=["empty-corpus", "no-judgements"],
)
def test_nothing_to_evaluate_is_a_dataset_error(tmp_path, corpus, queries, qrels, reason):
    root = write_dataset(tmp_path / "d", corpus, queries, qrels)
    with pytest.raises(DatasetError, match=reason):
        load_beir(root)


def test_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="missing file"):
        load_beir(tmp_path)
