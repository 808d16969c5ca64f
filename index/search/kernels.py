"""Compiled inner loops of the MaxScore evaluation (``maxscore``): a small C extension.

Why compiled: at a million passages a question's evaluation was a few hundred numpy calls,
each sweeping or gathering a whole run with a temporary array (``marks``, lengths, masks),
and per-call overhead and those extra passes were most of its time (docs/performance.md,
"Block bounds"). These loops read each posting once and stop at what decides it: −34% CPU
at p50 and −29% at p99 against numpy at 1M (docs/performance.md, "Compiled kernels").

Why hand-written C and not numba, which compiled them first: importing numba and llvmlite
and loading the kernels added ~120 MB to every query process's resident memory (the 1M
bench's query RSS 243 → 380 MB; 1,486 → 1,613 MiB at 10M, over the 1.5 GiB bar), and the
first query of each process paid numba's import and cache load (~0.5 s; 2.3 s compiling
with an empty cache), as did every test process. The same loops in C (``_kernels.c``, ~830
lines with their argument checks) cost nothing to load. Measured (docs/performance.md, "The
kernels in C"): a fresh process's first query 476-539 ms of CPU with numba, 0.8 ms in C,
and +122 MiB of resident memory against +1.1; the bench's query RSS 359 → 243 MB at 1M
and 1,382 MiB at 10M (a loaded run); the maxscore tests 5.9-8.8 → 3.6 s of CPU. In one
process on one 1M index, the 500 bench questions gave the same top-10 ids and score bits
with both, and the C kernels took ~7% less CPU at p50 (C / numba 0.92-0.93; 0.84-1.02 at
p99, least of 4-8 rounds).

The extension is built at install time (``setup.py``; ``pip install -e .``, or
``python setup.py build_ext --inplace`` in a checkout) with ``-O2 -fno-fast-math
-ffp-contract=off``: each kernel does, row by row, the float64 operations of the numpy code
it replaced in the same order (a product rounded, then a sum rounded; nothing fused into an
FMA or reassociated), so every score is the same bits; ``tests/index/search/test_maxscore.py``
checks each path against brute force. It takes numpy arrays through numpy's C API (a type
and a pointer per array, ~10 ns) rather than the buffer protocol (a ``memoryview`` of each
of a merge's ten arrays took ~5 µs, more than numba's whole call); the loops run without
the GIL and allocate nothing.

Every kernel that walks or searches a run takes its rows as an int32 array or, for a format-5
segment, as a packed run (``packed``): it then decodes a block of 128 rows at a time into a
buffer on the stack, and a lookup decodes only the block its key falls in, found through the
run's skip entries (``_packed_rows.h``). ``pack_rows`` and ``unpack_rows`` are the codec.

One kernel is of another kind: ``chunk_spans``, the word spans of the answer stage's
``Analyzer.span_columns``, works on Python objects (the text's chunks, the analyzer's term
cache, lists of terms and offsets), so it holds the GIL and allocates; it checks every token
span it shifts against its chunk. It replaced a Python loop that was the answer stage's
costliest call on passages met for the first time: 52.4 → 26.4 µs a 60-word bench passage with
warm caches (least of 7 rounds over 2,000 passages; docs/performance.md, "Archive.ask CPU,
second cut"). ``chunk_terms`` is its sibling for ``Analyzer.document_terms``: each chunk's
cached terms, flattened; both analyse a lowercase ASCII word met for the first time (most new
words of a passage) as the term cache's ``_analyze_plain`` would, without a ``__missing__``
call and two Python frames per word: 54.2 → 44.8 µs a 60-word bench passage met for the first
time, 25.8 against 26.5 µs warm (least of 5 rounds over 20,000 passages, a fresh analyzer
each; docs/performance.md, "Archive.ask CPU, third cut").

Four more hold the GIL for the answer stage's Python objects (docs/performance.md,
"Archive.ask CPU, fourth cut"): ``term_shares``, ``add_votes`` and ``strongest_votes`` are
RM3's ``TermShares.of``, its vote loop and its choice of the strongest votes
(``ranking.shares_expansion``): the same counts, divisions, products and sums in the same
order, and the head of the same stable sort; ``span_tuples`` builds a text's ``TermSpan``
objects from the ``PassageCache``'s columns without a zip tuple and a ``partial`` call per
span. One is numpy arithmetic: ``add_weighted_rows`` is the ranking layer's
``out += weight * row`` over a question's words and expansion terms, per element the same
rounded product and sum in the same order (``-ffp-contract=off``), without a temporary array
and two ufunc calls per row.

The walks ask for the random reads of the row 16 positions ahead (``__builtin_prefetch`` of
its bit, its length and, in ``merge_first``, its mark): a run's rows are spread over the
segment, and at 10M rows ``lengths`` (10 MB) and ``marks`` (20 MB) are past the L2 cache, so
each row waited on a miss. At 10M, ``merge_unit`` went from 2.61 to 1.15 ms a question (45 →
20 ns a posting) and the bench's CPU p50 from 4.6-5.5 to 3.6 ms; prefetching the marks in
``merge_unit`` too was slower (docs/performance.md, "Issue 16: 10M latency").

A row out of the segment's range (postings damaged after the load's checks, which do not
read every posting) makes a merge stop and say so (-1 or False; the caller raises
``IndexError``, as numpy's gathers did) before it reads or writes anything at that row; the
kernels check every index they use, and their arguments' types and sizes (``TypeError``,
``ValueError``) before any loop.
"""

from __future__ import annotations

try:
    from index.search._kernels import (
        add_unit_marked,
        add_unit_sorted,
        add_votes,
        add_weighted_rows,
        chunk_spans,
        chunk_terms,
        find_in_runs,
        keep_reaching,
        mark,
        merge_first,
        merge_unit,
        merge_unit_all,
        pack_rows,
        prefix_at,
        prefix_checkpoints,
        run_checkpoints,
        run_starts,
        score_in_runs,
        span_tuples,
        strongest_votes,
        term_checkpoints,
        term_shares,
        term_starts,
        unmark,
        unpack_rows,
    )
except ImportError as exc:  # a checkout whose extension was never built
    raise ImportError(
        "index.search._kernels is not built: run `pip install -e .` or "
        "`python setup.py build_ext --inplace` in the checkout"
    ) from exc

__all__ = [
    "add_unit_marked",
    "add_unit_sorted",
    "add_votes",
    "add_weighted_rows",
    "chunk_spans",
    "chunk_terms",
    "find_in_runs",
    "keep_reaching",
    "mark",
    "merge_first",
    "merge_unit",
    "merge_unit_all",
    "pack_rows",
    "prefix_at",
    "prefix_checkpoints",
    "run_checkpoints",
    "run_starts",
    "score_in_runs",
    "span_tuples",
    "strongest_votes",
    "term_checkpoints",
    "term_shares",
    "term_starts",
    "unmark",
    "unpack_rows",
]
