"""The BM25 engine: rank_bm25's BM25Okapi scores from memory-mapped postings, with deltas.

``SearchIndex`` is the one entry point (see ``engine``); ``ranking`` (owned by the answer
stage) layers title, date and proximity signals on top of it.

Both names are imported on first use (PEP 562): a build worker imports only ``runs`` and
``workers`` of this package, not the engine, its segments and kernels (~5 MiB less in each
worker; docs/performance.md, "Issue 16: build peak at 1M, second round").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.search.engine import SearchIndex
    from index.search.scoring import BM25Params

__all__ = ["BM25Params", "SearchIndex"]


def __getattr__(name: str) -> Any:
    if name == "SearchIndex":
        from index.search.engine import SearchIndex

        return SearchIndex
    if name == "BM25Params":
        from index.search.scoring import BM25Params

        return BM25Params
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
