"""The reprint verdict and the story notes, on small hand-made texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.answer.story_notes import reprints_note
from index.dedup import compare, estimate_containment, figures, shingles, sign
from index.models import ArticleSummary, Story

DAY = datetime(2024, 5, 1, 9, tzinfo=UTC)
TEXT = (
    "The city council approved the new budget on Tuesday after a long debate. "
    "Spending on schools rises by a tenth, and the money for road repairs doubles. "
    "The mayor said the plan keeps taxes where they are and promised to publish every "
    "contract online. Opposition members voted against, saying the estimates of revenue "
    "were too optimistic and that the reserve fund would be empty within two years."
)


def test_a_short_item_inside_a_longer_article_is_a_reprint_though_jaccard_is_low() -> None:
    short = shingles("", TEXT.split(". ")[0] + ". " + TEXT.split(". ")[1])
    longer = shingles("", TEXT + " " + TEXT.replace("council", "assembly"))
    verdict = compare(short, DAY, longer, DAY + timedelta(hours=5))
    assert verdict.containment == 1.0 and verdict.jaccard < 0.5 and verdict.reprint


def test_the_same_text_a_year_later_is_another_story() -> None:
    verdict = compare(shingles("", TEXT), DAY, shingles("", TEXT), DAY + timedelta(days=365))
    assert verdict.containment == 1.0 and not verdict.reprint


def test_undated_articles_need_nearly_all_of_the_shorter_text() -> None:
    cut = TEXT.rsplit(". ", 1)[0]
    assert compare(shingles("", TEXT), None, shingles("", cut), DAY).reprint
    other = " ".join(TEXT.split()[:30]) + " Something else entirely happened at the zoo today."
    verdict = compare(shingles("", TEXT), None, shingles("", other), None)
    assert 0.5 <= verdict.containment < 0.8 and not verdict.reprint


def test_one_template_filled_with_other_figures_is_another_story() -> None:
    report = "In {r}, {n} tonnes of grain were harvested, {m} percent more than last year."
    a = report.format(r="Poltava", n=910, m=6) + " Prices rose. Storage is full."
    b = report.format(r="Poltava", n=760, m=9) + " Prices rose. Storage is full."
    sa, sb = shingles("", a), shingles("", b)
    without = compare(sa, DAY, sb, DAY + timedelta(days=1))
    with_figures = compare(
        sa, DAY, sb, DAY + timedelta(days=1), a_figures=figures(a), b_figures=figures(b)
    )
    assert without.reprint and not with_figures.reprint


def test_the_signature_estimates_containment_closely() -> None:
    words = TEXT.split()
    whole, half = shingles("", TEXT), shingles("", " ".join(words[: len(words) // 2]))
    estimate = estimate_containment(sign(whole), sign(half))
    assert estimate == pytest.approx(1.0, abs=0.15)
    unrelated = sign(shingles("", "Completely different words about a football match here."))
    assert estimate_containment(sign(whole), unrelated) < 0.3


def _story(*sources: str | None) -> Story:
    members = tuple(
        ArticleSummary(i + 1, f"t{i}", None, source, None, DAY, "en")
        for i, source in enumerate(sources)
    )
    return Story(7, members)


@pytest.mark.parametrize(
    ("sources", "lang", "expected"),
    [
        (("A", "B"), "en", "+1 reprint: B"),
        (("A", "B", "C"), "en", "+2 reprints: B, C"),
        (("A", "B", "B", None), "en", "+3 reprints: B"),
        (("A", "B", "C"), "uk", "+2 передруки: B, C"),
        (("A",) + ("B",) * 5, "uk", "+5 передруків: B"),
        (("A", "B"), "ru", "+1 перепечатка: B"),
        (("A",) + ("B",) * 21, "ru", "+21 перепечатка: B"),
        (("A",) + ("B",) * 11, "ru", "+11 перепечаток: B"),
        (("A", None), "en", "+1 reprint"),
    ],
)
def test_reprints_note_counts_and_names_the_other_members(
    sources: tuple[str | None, ...], lang: str, expected: str
) -> None:
    assert reprints_note(_story(*sources), 1, lang) == expected  # type: ignore[arg-type]


def test_reprints_note_is_none_for_a_story_of_one() -> None:
    assert reprints_note(_story("A"), 1, "en") is None
