"""Russian verbs paired in aspect by an empty prefix (``stemming.ru_aspect_partners``).

A question and its paragraph may tell one event in the two aspects ("начал страдать" /
"пострадал", "сделал" / "делают"); pymorphy3 lemmatises each to its own infinitive and
links no pairs. Only the prefixes that make a pure perfective pair, and only prefixed verbs
that have no imperfective of their own (записать has записывать: a new verb, not a pair).
"""

from __future__ import annotations

import pytest

from index.analysis.stemming import ASPECT_PREFIXES, ru_aspect_partners


@pytest.mark.parametrize(
    ("token", "partner"),
    [
        ("страдать", "пострадать"),
        ("пострадал", "страдать"),
        ("сделали", "делать"),
        ("делают", "сделать"),
        ("написала", "писать"),
        ("платят", "заплатить"),
        ("повлияло", "влиять"),
        ("увидел", "видеть"),
    ],
)
def test_a_verb_pairs_with_its_prefixed_or_unprefixed_aspect_partner(
    token: str, partner: str
) -> None:
    assert partner in ru_aspect_partners(token)


def test_a_prefix_that_makes_a_new_verb_makes_no_pair() -> None:
    """писать pairs with написать, not with записать / описать / выписать, which have
    imperfectives of their own (записывать, описывать, выписывать)."""
    partners = ru_aspect_partners("писал")
    assert "написать" in partners
    assert {"записать", "описать", "выписать"}.isdisjoint(partners)
    assert ru_aspect_partners("записал") == ()
    assert ru_aspect_partners("выставили") == ()  # выставлять


@pytest.mark.parametrize("token", ["дело", "работа", "новый", "быстро", "ведут", "идти"])
def test_nouns_adjectives_adverbs_and_verbs_not_in_ть_have_no_partners(token: str) -> None:
    assert ru_aspect_partners(token) == ()


def test_the_prefixes_are_the_empty_ones() -> None:
    assert {"пере", "при", "от", "раз"}.isdisjoint(ASPECT_PREFIXES)
