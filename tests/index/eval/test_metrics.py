"""The retrieval metrics come from pytrec_eval; we check how runs are fed to it."""

from __future__ import annotations

import pytest

from index.eval.retrieval import evaluate_run

QRELS = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}}


def test_perfect_run_scores_one() -> None:
    scores = evaluate_run(QRELS, {"q1": {"a": 2.0, "b": 1.0}, "q2": {"c": 1.0}})
    assert scores.ndcg_10 == pytest.approx(1.0)
    assert scores.mrr_10 == pytest.approx(1.0)
    assert scores.recall_100 == pytest.approx(1.0)


def test_query_missing_from_run_counts_as_zero() -> None:
    scores = evaluate_run(QRELS, {"q1": {"a": 2.0, "b": 1.0}})
    assert scores.ndcg_10 == pytest.approx(0.5)
    assert scores.recall_100 == pytest.approx(0.5)


def test_mrr_is_cut_at_ten() -> None:
    run = {"q2": {f"x{i}": 100.0 - i for i in range(12)} | {"c": 1.0}}
    assert evaluate_run({"q2": {"c": 1}}, run).mrr_10 == 0.0
    assert evaluate_run({"q2": {"c": 1}}, run).recall_100 == pytest.approx(1.0)


def test_qa_scores_with_titles_count_an_answer_the_citation_title_holds() -> None:
    # answer@1 is the snippet's; the titled figure also reads the title under it.
    from index.eval.qa import QaItem, score_texts, summarize

    item = QaItem(item_id="1", question="Which automaker recalled cars?", answer="Zentauro")
    outcome = score_texts(
        item,
        found=True,
        snippets=["The affected cars carry faulty airbags.", "Owners get letters."],
        language="en",
        titles=["Zentauro recalls 114,000 cars", "Zentauro recalls 114,000 cars"],
    )
    assert not outcome.at_1 and not outcome.at_3
    assert outcome.at_1_titled and outcome.at_3_titled
    scores = summarize([outcome])
    assert (scores.answer_at_1, scores.answer_at_1_titled) == (0.0, 1.0)
    # An answerer without titles (the sentence anchor) scores the same either way.
    plain = score_texts(item, found=True, snippets=["Zentauro said so."], language="en")
    assert plain.at_1 and plain.at_1_titled
