"""The reprint verdict: containment of the shorter article in the longer, and the dates.

Jaccard similarity alone fails both ways on real reprints. A short wire item printed whole
inside a longer article has a Jaccard similarity of its length ratio (0.25 for a quarter),
and a story localized for another city with a new opening paragraph loses a quarter of its
shingles; yet last year's edition of an annual explainer can share most of this year's
text. Containment (shared shingles over the shorter article's) is high in all three, and
the publication dates tell them apart: a reprint, a wire copy or an updated version follows
its original within days, an annual edition a year later and the winners of a prize weeks
after the nominations. ``docs/quality.md`` has the measurements on the team's pair set
(``python -m index.eval dedup index/eval/dedup_sample.jsonl``).

The thresholds are set on principle, not fitted to that set:

- ``MIN_CONTAINMENT`` 0.5: most of the shorter article is word for word in the other one.
- ``MAX_DAYS_APART`` 7: within a news week (wire copies and updates come within a day or
  two; annual editions and award results come weeks or a year later).
- ``MIN_CONTAINMENT_UNDATED`` 0.8: when either date is unknown the dates cannot rule out an
  annual edition, so nearly all of the shorter text must be shared.
- ``FIGURES_CHECKED_BELOW`` 0.8 with ``MIN_FIGURES_SHARED`` 0.75: between 0.5 and 0.8 the
  two may be one template filled twice (a harvest report per region, a weather report per
  day: the same sentences with other names and figures), so most of the shorter article's
  figures (numbers) must also be in the other. A reprint keeps its figures; an updated
  version that revises one (a death toll) shares far more than 0.8 of its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MIN_CONTAINMENT = 0.5
MAX_DAYS_APART = 7.0
MIN_CONTAINMENT_UNDATED = 0.8
# Candidates whose signature-estimated containment is below this are dropped before their
# text is read: the estimate's standard error at 256 permutations is about 0.04 near the
# threshold, so 0.3 loses no true reprint to the estimate.
PREFILTER_CONTAINMENT = 0.3
FIGURES_CHECKED_BELOW = 0.8
MIN_FIGURES_SHARED = 0.75
# A shorter article with fewer figures than this is not judged by them.
MIN_FIGURES = 2
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two articles compare: exact containment and Jaccard, days apart, the verdict."""

    containment: float
    jaccard: float
    days_apart: float | None
    reprint: bool


def figures(text: str) -> set[str]:
    """The numbers written in a text ("1,000", "2024", "18.5"), as written."""
    return set(_FIGURE.findall(text))


def compare(
    a: set[str],
    a_published: datetime | None,
    b: set[str],
    b_published: datetime | None,
    *,
    a_figures: set[str] | None = None,
    b_figures: set[str] | None = None,
) -> Comparison:
    """Whether two articles (as shingle sets with publication times) are one story.

    ``a_figures``/``b_figures`` are the articles' numbers (``figures``); without them the
    figures check is skipped.
    """
    if not a or not b:
        return Comparison(0.0, 0.0, None, False)
    overlap = len(a & b)
    containment = overlap / min(len(a), len(b))
    jaccard = overlap / (len(a) + len(b) - overlap)
    days: float | None = None
    if a_published is not None and b_published is not None:
        days = abs((a_published - b_published).total_seconds()) / 86_400
        reprint = containment >= MIN_CONTAINMENT and days <= MAX_DAYS_APART
    else:
        reprint = containment >= MIN_CONTAINMENT_UNDATED
    if reprint and containment < FIGURES_CHECKED_BELOW and a_figures is not None:
        shorter, longer = (a_figures, b_figures) if len(a) <= len(b) else (b_figures, a_figures)
        if longer is not None and len(shorter) >= MIN_FIGURES:
            reprint = len(shorter & longer) / len(shorter) >= MIN_FIGURES_SHARED
    return Comparison(containment, jaccard, days, reprint)
