"""The BM25 engine: rank_bm25's BM25Okapi scores from memory-mapped postings, with deltas.

``SearchIndex`` is the one entry point (see ``engine``); ``ranking`` (owned by the answer
stage) layers title, date and proximity signals on top of it.
"""

from index.search.engine import SearchIndex
from index.search.scoring import BM25Params

__all__ = ["BM25Params", "SearchIndex"]
