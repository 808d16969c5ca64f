"""An article's second snippet and the sentences it is chosen from.

``split_sentences``: a title abbreviation ("Gov.", "Sen.") ends no sentence, so "North
Carolina Gov. Roy Cooper" stays one. Made-up names throughout.
"""

from __future__ import annotations

import pytest

from index.answer.snippets import split_sentences


@pytest.mark.parametrize("title", ["Gov.", "Sen.", "Rep.", "Rev."])
def test_a_title_abbreviation_ends_no_sentence(title: str) -> None:
    text = f"The first to leave was North Carolina {title} Roy Cooper. Others stayed."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        f"The first to leave was North Carolina {title} Roy Cooper.",
        "Others stayed.",
    ]
