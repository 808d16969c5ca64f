"""A build's terms interned by their UTF-8 bytes in one compiled table: no object a term.

Why: a build worker kept every term it met as a ``str`` in a list and as a key of a ``dict``
giving its id (an ``int`` each), all alive until the end of the build: at 1M bench passages a
worker's 495k terms were ~27 MB of strings, a 15 MB dict and a 4 MB list, and those objects,
allocated one by one among the encoding's short-lived ones, kept the heap from shrinking
around them. ``TermTable`` (C, ``index/search/_term_table.h``) holds the bytes of all terms in
one buffer, an end offset a term and an open-addressing table of ids (~10 MB at 500k terms,
``nbytes``), and sorts ids by their terms' bytes without a Python object a term (a run's
terms, a worker's whole vocabulary at its end).

Measured (docs/performance.md, "Issue 16: build peak at 1M, third round"): interning 500k
distinct random words costs the same CPU as ``dict.setdefault`` (0.28 against 0.27 s), and
sorting them by bytes 0.24 s, where the object-array argsort it replaces took 1.4–2.2 s a
worker.

Its order is the order of ``bytes`` comparisons (UTF-8, lone surrogates encoded as
"surrogatepass" does), which is code point order for ``str``: the final vocabulary's order.
"""

from __future__ import annotations

from index.search import kernels  # noqa: F401 (raises the "not built" message if it is not)
from index.search._kernels import TermTable

__all__ = ["TermTable"]
