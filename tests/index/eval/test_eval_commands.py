"""Each eval command runs end to end on a tiny input, so the commands cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.eval import qa, retrieval
from tests.index.eval.test_beir import write_dataset

pytestmark = pytest.mark.slow

DOCS = [
    ("d1", "Solar eclipse over the Andes", "Astronomers watched a total solar eclipse."),
    ("d2", "Harbour strike ends", "Dock workers ended their strike after a pay deal."),
    ("d3", "New bridge opens", "The river bridge opened to traffic after four years."),
    ("d4", "Eclipse tourism", "Hotels filled with visitors hoping to see the eclipse."),
    ("d5", "Wheat harvest", "Farmers reported a record wheat harvest this summer."),
]
QUERIES = [("q1", "solar eclipse"), ("q2", "dock strike pay"), ("q3", "wheat harvest record")]
QRELS = ["q1\td1\t1", "q1\td4\t1", "q2\td2\t1", "q3\td5\t1"]


@pytest.fixture
def tiny_beir(tmp_path: Path) -> Path:
    return write_dataset(
        tmp_path / "tiny",
        [{"_id": i, "title": t, "text": x} for i, t, x in DOCS],
        [{"_id": i, "text": t} for i, t in QUERIES],
        QRELS,
    )


@pytest.mark.parametrize("flags", [[], ["--no-layer"]], ids=["layer", "no-layer"])
def test_retrieval_command_reports_ours_beside_rank_bm25(tiny_beir, capsys, flags):
    assert retrieval.main([str(tiny_beir), "--json", *flags]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 5 and report["queries"] == 3
    assert report["layer"] is (not flags)
    assert report["ours"]["ndcg_10"] >= 0.9
    assert report["baseline"]["ndcg_10"] >= 0.9


def test_without_layer_one_passage_documents_rank_exactly_as_rank_bm25(tiny_beir, capsys):
    # Each tiny document is one passage, so pure BM25Okapi over passages is rank_bm25's
    # ranking of whole documents on the same tokens.
    assert retrieval.main([str(tiny_beir), "--json", "--no-layer"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ours"] == report["baseline"]


def test_retrieval_command_prints_a_table(tiny_beir, capsys):
    assert retrieval.main([str(tiny_beir)]) == 0
    out = capsys.readouterr().out
    assert "nDCG@10" in out and "rank_bm25" in out


def test_retrieval_command_exits_2_on_a_missing_dataset(tmp_path, capsys):
    assert retrieval.main([str(tmp_path / "nothing")]) == 2
    assert "missing file" in capsys.readouterr().err


def test_retrieval_command_exits_1_and_names_malformed_lines(tiny_beir, capsys):
    with (tiny_beir / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("\n{broken\n")
    assert retrieval.main([str(tiny_beir)]) == 1
    assert "corpus.jsonl:6" in capsys.readouterr().out


QA_DOCS = [
    ("Bridge opens", "The new river bridge in Dnipro opened on 3 May.", "2024-05-04"),
    (
        "Harbour strike",
        "Dock workers in Odesa ended their strike after a pay deal of 12 percent.",
        "2024-05-06",
    ),
    ("Museum", "The city museum in Lviv showed Bronze Age tools.", "2024-05-07"),
    ("Harvest", "Farmers near Poltava reported a record wheat harvest.", "2024-05-08"),
    ("Rail", "A night train linked Kyiv and Chernivtsi for the summer.", "2024-05-09"),
]


def write_qa(path: Path) -> Path:
    # Five documents: with fewer, BM25Okapi's idf of a term in half the passages is zero.
    docs = [
        {"title": title, "text": text, "published": f"{day}T10:00:00+00:00"}
        for title, text, day in QA_DOCS
    ]
    lines = [
        {
            "id": "1",
            "question": "When did the bridge in Dnipro open?",
            "answer": "3 May",
            "documents": docs,
        },
        {
            "id": "2",
            "question": "What pay deal ended the Odesa dock strike?",
            "answer": "12 percent",
            "documents": docs,
        },
        {
            "id": "3",
            "question": "Who won the chess olympiad in Budapest?",
            "answer": None,
            "documents": docs[:1],
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    return path


def test_qa_command_scores_answers_and_nothing_found(tmp_path, capsys):
    path = write_qa(tmp_path / "qa.jsonl")
    assert qa.main([str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 5
    assert report["questions"] == 3
    assert report["overall"]["answer_at_1"] == 1.0
    assert report["overall"]["answer_at_3"] == 1.0
    assert report["overall"]["nothing_found"] == 1.0
    assert report["overall"]["false_nothing_found"] == 0.0
    assert report["failures"] == []


def test_qa_command_scores_layer_off_and_the_sentence_anchor(tmp_path, capsys):
    path = write_qa(tmp_path / "qa.jsonl")
    assert qa.main([str(path), "--json"]) == 0
    baselines = json.loads(capsys.readouterr().out)["baselines"]
    assert set(baselines) == {"layer_off", "sentence_bm25"}
    assert baselines["layer_off"]["answer_at_1"] == 1.0
    # The anchor's top sentence names the answer of both answerable questions; it says
    # "nothing found" only when no sentence holds a question word (the chess question).
    anchor = baselines["sentence_bm25"]
    assert anchor["answer_at_1"] == 1.0 and anchor["nothing_found"] == 1.0
    assert qa.main([str(path), "--json", "--ours-only"]) == 0
    assert json.loads(capsys.readouterr().out)["baselines"] == {}


def test_qa_false_nothing_found_counts_answerable_questions_left_unanswered(tmp_path, capsys):
    path = write_qa(tmp_path / "qa.jsonl")
    with path.open("a", encoding="utf-8") as handle:
        line = {"id": "5", "question": "Who won the tennis final in Paris?", "answer": "Nadal"}
        handle.write("\n" + json.dumps(line))
    assert qa.main([str(path), "--json", "--ours-only"]) == 0
    overall = json.loads(capsys.readouterr().out)["overall"]
    assert overall["answerable"] == 3
    assert overall["false_nothing_found"] == pytest.approx(1 / 3)


def test_qa_corpus_over_the_item_cap_is_ingested_in_parts(tmp_path, capsys, monkeypatch):
    path = write_qa(tmp_path / "qa.jsonl")
    # The first line alone (five documents) is over the cap: one file would be refused.
    monkeypatch.setenv("NEWSDESK_MAX_ITEM_BYTES", "1024")
    assert path.stat().st_size > 1024
    assert qa.main([str(path), "--json", "--ours-only"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == []
    assert report["overall"]["answer_at_1"] == 1.0


def test_qa_command_exits_2_with_a_clear_error_when_nothing_is_ingested(tmp_path, capsys):
    path = tmp_path / "qa.jsonl"
    line = {"id": "1", "question": "Who won?", "answer": "x", "documents": [{"text": ""}]}
    path.write_text(json.dumps(line), encoding="utf-8")
    assert qa.main([str(path)]) == 2
    assert "nothing was ingested" in capsys.readouterr().err


def test_retrieval_command_exits_2_with_a_clear_error_when_nothing_is_ingested(tmp_path, capsys):
    dataset = write_dataset(
        tmp_path / "blank",
        [{"_id": "d1", "title": "", "text": "\u2026"}],
        [{"_id": "q1", "text": "eclipse"}],
        ["q1\td1\t1"],
    )
    assert retrieval.main([str(dataset)]) == 2
    assert "nothing was ingested" in capsys.readouterr().err


def test_qa_command_prints_languages_and_failures(tmp_path, capsys):
    path = write_qa(tmp_path / "qa.jsonl")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            "\n"
            + json.dumps(
                {
                    "id": "4",
                    "question": "When did the bridge open?",
                    "answer": "in 1999",
                    "documents": [],
                }
            )
        )
    assert qa.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "answer@1" in out and "\nen " in out
    assert "[4] When did the bridge open?" in out


def test_qa_command_exits_2_without_questions_and_1_on_bad_lines(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert qa.main([str(empty)]) == 2
    path = write_qa(tmp_path / "qa.jsonl")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n{"id": "x", "answer": "no question"}')
    assert qa.main([str(path)]) == 1
    assert "qa.jsonl:4" in capsys.readouterr().out


def test_python_m_index_eval_dispatches_retrieval_and_qa(tiny_beir, tmp_path, capsys):
    from index.eval.__main__ import main

    assert main(["retrieval", str(tiny_beir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset"] == "tiny"
    assert main(["qa", str(write_qa(tmp_path / "qa.jsonl")), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 3
