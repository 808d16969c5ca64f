"""Near-duplicate articles (reprints): MinHash signatures, LSH band keys, the reprint verdict.

Pure computation over texts and dates; the store keeps what this computes (signatures and
band keys, ``index.store.stories``) and the facade joins the two at ingest.
"""

from index.dedup.signature import (
    BANDS,
    NUM_PERM,
    ROWS_PER_BAND,
    SHINGLE_WORDS,
    Signature,
    band_keys,
    estimate_containment,
    shingles,
    sign,
)
from index.dedup.verdict import (
    MAX_DAYS_APART,
    MIN_CONTAINMENT,
    MIN_CONTAINMENT_UNDATED,
    PREFILTER_CONTAINMENT,
    Comparison,
    compare,
    figures,
)

__all__ = [
    "BANDS",
    "MAX_DAYS_APART",
    "MIN_CONTAINMENT",
    "MIN_CONTAINMENT_UNDATED",
    "NUM_PERM",
    "PREFILTER_CONTAINMENT",
    "ROWS_PER_BAND",
    "SHINGLE_WORDS",
    "Comparison",
    "Signature",
    "band_keys",
    "compare",
    "estimate_containment",
    "figures",
    "shingles",
    "sign",
]
