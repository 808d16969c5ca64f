"""Give the C heap's free pages back to the system between the phases of a build.

A streamed build's merging process frees most of what it held while the workers ran (the
text of the jobs in flight, ``str`` objects of ~500 bytes, too large for Python's small-object
allocator; the joined term dict) and then allocates arrays of other sizes, which glibc
serves from fresh pages, mostly not from the holes the freed objects left. Those holes stay
resident until ``malloc_trim`` returns them. Measured at 1M passages, in the merging
process: −28 MiB after the workers finish, −24 MiB after the vocabulary is sorted, −18 MiB
after the merge (docs/performance.md, "Issue 16: build peak and query RSS at 1M"); each call
takes a few milliseconds. Elsewhere than glibc (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # no glibc
        return None


def release_free_memory() -> None:
    """Return the heap's free pages to the system (glibc only; objects are freed by their
    reference counts already, so no garbage collection is run)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
