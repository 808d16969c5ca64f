"""The ranking layer's parts (index.search.ranking), against rank_bm25's exact scores."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.search.ranking import (
    CandidateRows,
    FeedbackPassage,
    LayerOptions,
    QueryWord,
    apply_proximity,
    candidate_layer_scores,
    expansion_weights,
    layer_scores,
    term_scores_of,
    words_of_terms,
)

CORPUS = [
    ["grain", "deal", "odesa", "~odesa", "ship"],
    ["grain", "export", "tonne", "ship", "ship"],
    ["bridge", "kerch", "~kerch", "drone"],
    ["museum", "tool", "bronze"],
    ["grain", "price", "wheat"],
    ["odesa", "port", "ship"],
]
BM25 = BM25Okapi(CORPUS)


def score_passages(terms, ids):
    return np.asarray(BM25.get_batch_scores(list(terms), list(ids)))


term_scores = term_scores_of(score_passages)


def test_words_group_alternatives_and_keep_repeats():
    words = words_of_terms(["odesa", "~odesa", "grain", "grain"], [frozenset({"odesa", "~odesa"})])
    assert words == (
        QueryWord(frozenset({"odesa", "~odesa"}), 1),
        QueryWord(frozenset({"grain"}), 2),
    )


def test_a_word_scores_its_best_alternative_not_their_sum():
    words = (QueryWord(frozenset({"odesa", "~odesa"})),)
    ids = list(range(len(CORPUS)))
    scores = layer_scores(term_scores, words, ids, options=LayerOptions(feedback=False))
    best = np.maximum(score_passages(["odesa"], ids), score_passages(["~odesa"], ids))
    assert scores == pytest.approx(best)


def test_without_groups_the_layer_is_bm25_over_the_query_length():
    terms = ["grain", "ship", "ship"]
    ids = list(range(len(CORPUS)))
    scores = layer_scores(term_scores, words_of_terms(terms), ids)
    assert scores == pytest.approx(BM25.get_scores(terms) / len(terms), abs=1e-12)


def test_expansion_comes_from_feedback_terms_but_never_dates_or_fold_keys():
    feedback = [FeedbackPassage(["grain", "export", "@d2023-07-17", "~grain"], 2.0)]
    weights = expansion_weights(feedback, options=LayerOptions(expansion_terms=5))
    assert set(weights) == {"grain", "export"}
    assert sum(weights.values()) == pytest.approx(1.0)


def test_expansion_interpolates_with_the_original_words():
    ids = list(range(len(CORPUS)))
    words = words_of_terms(["grain"])
    options = LayerOptions(original_weight=0.5)
    mixed = layer_scores(term_scores, words, ids, expansion={"ship": 1.0}, options=options)
    expected = 0.5 * score_passages(["grain"], ids) + 0.5 * score_passages(["ship"], ids)
    assert mixed == pytest.approx(expected)


def test_the_rm3_pass_reusing_the_words_scores_gives_the_same_bits():
    ids = list(range(len(CORPUS)))
    words = words_of_terms(["odesa", "~odesa", "grain", "grain"], [frozenset({"odesa", "~odesa"})])
    expansion = {"ship": 0.6, "grain": 0.3, "port": 0.1}

    def same_language(candidates: np.ndarray) -> np.ndarray:
        return candidates % 2 == 0

    rows = CandidateRows(term_scores, ids)
    first = candidate_layer_scores(rows, words, same_language=same_language)
    again = candidate_layer_scores(
        rows, words, expansion=expansion, same_language=same_language, words_only=first
    )
    fresh = candidate_layer_scores(
        CandidateRows(term_scores, ids), words, expansion=expansion, same_language=same_language
    )
    assert again.tobytes() == fresh.tobytes()


def test_proximity_multiplies_by_one_plus_weighted_coverage():
    boosted = apply_proximity(np.array([2.0, 2.0]), np.array([0.0, 0.5]), options=LayerOptions())
    assert boosted == pytest.approx([2.0, 3.0])


def test_a_hyphenated_name_is_one_word_scored_as_the_mean_of_its_parts():
    terms = ["odesa", "~odesa", "kerch", "~kerch", "ship"]
    name = (frozenset({"odesa", "~odesa"}), frozenset({"kerch", "~kerch"}))
    words = words_of_terms(terms, [], [name])
    assert words == (
        QueryWord(frozenset({"odesa", "~odesa", "kerch", "~kerch"}), 1, name),
        QueryWord(frozenset({"ship"}), 1),
    )
    ids = list(range(len(CORPUS)))
    scores = layer_scores(term_scores, words[:1], ids, options=LayerOptions(feedback=False))
    odesa = np.maximum(score_passages(["odesa"], ids), score_passages(["~odesa"], ids))
    kerch = np.maximum(score_passages(["kerch"], ids), score_passages(["~kerch"], ids))
    assert scores == pytest.approx((odesa + kerch) / 2)


def test_a_name_part_the_question_lacks_leaves_a_word_of_one_part():
    name = (frozenset({"odesa", "~odesa"}), frozenset({"kerch", "~kerch"}))
    words = words_of_terms(["odesa", "~odesa"], [frozenset({"odesa", "~odesa"})], [name])
    assert words == (QueryWord(frozenset({"odesa", "~odesa"}), 1),)
