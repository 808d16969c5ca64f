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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MIN_CONTAINMENT = 0.5
MAX_DAYS_APART = 7.0
MIN_CONTAINMENT_UNDATED = 0.8
# Candidates whose signature-estimated containment is below this are dropped before their
# text is read: the estimate's standard error at 128 permutations is about 0.05 near the
# threshold, so 0.3 loses no true reprint to the estimate.
PREFILTER_CONTAINMENT = 0.3


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two articles compare: exact containment and Jaccard, days apart, the verdict."""

    containment: float
    jaccard: float
    days_apart: float | None
    reprint: bool


def compare(
    a: set[str],
    a_published: datetime | None,
    b: set[str],
    b_published: datetime | None,
) -> Comparison:
    """Whether two articles (as shingle sets with publication times) are one story."""
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
    return Comparison(containment, jaccard, days, reprint)
