"""Word shingles, their MinHash signature (``datasketch``) and the LSH band keys.

An article's text is cut into overlapping runs of ``SHINGLE_WORDS`` words (casefolded,
Unicode ``\\w+`` words, so en/uk/ru alike). Two articles' MinHash signatures agree in a
share of their ``NUM_PERM`` values that estimates the Jaccard similarity of their shingle
sets; LSH turns that into candidates without comparing against every stored article: the
signature is cut into ``BANDS`` bands of ``ROWS_PER_BAND`` values, and two articles become
candidates when any band is equal.

Why banding is done here rather than with ``datasketch.MinHashLSH``: the LSH state must
survive restarts and be shared by every process that ingests (the bot, ``newsdesk ingest``
from cron), so the band keys live in the store as indexed rows (``index.store.stories``)
instead of in one process's memory (an in-memory ``MinHashLSH`` of 100,000 articles holds
12.8 million Python band entries). The keys are exactly ``MinHashLSH``'s: consecutive slices
of the signature.

Band parameters: a wire item contained whole in an article five times its length has a
Jaccard similarity of 0.2, so candidates must be found well below the usual 0.5, and a
missed candidate is a missed reprint while a spurious one costs only a prefilter check.
Bands of 2 rows give the chance 1 - (1 - J²)^b that a pair becomes a candidate; finding
J = 0.2 with 99% takes b ≥ 113, so 128 bands of 2 rows over 256 permutations: 0.99 at
J = 0.2, 0.9997 at 0.25, 0.97 at 1/6, and 1.3% at J = 0.01 (unrelated articles sharing a
few stock phrases), which the signature prefilter (``estimate_containment``) drops before
any text is read. (With datasketch's own parameter search for 128 permutations,
``MinHashLSH(threshold=0.2, weights=(0.2, 0.8))`` gives 56 bands of 2 rows: 0.97 at
J = 0.25; the team set lost one of its 22 contained wire items to it.)
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass

import numpy as np

# Words per shingle: three keeps a lightly edited sentence mostly intact (one changed word
# costs three shingles) while stock two-word phrases ("the president", "said on") do not
# make unrelated articles look alike.
SHINGLE_WORDS = 3
NUM_PERM = 256
BANDS = 128
ROWS_PER_BAND = 2
# datasketch's default seed; every process must use the same permutations.
_SEED = 1
# datasketch 2's default permutation scheme (32-bit values); named because permutations
# passed in must say which scheme drew them.
_SCHEME = "affine32"
_WORD = re.compile(r"\w+")
# Band keys are stored as SQLite INTEGERs (signed 64-bit): two 32-bit values fill 64 bits,
# so the key is shifted into the signed range.
_KEY_OFFSET = 1 << 63


@dataclass(frozen=True, slots=True)
class Signature:
    """An article's MinHash signature and the size of its shingle set.

    ``values`` are ``NUM_PERM`` unsigned 32-bit hash minima (datasketch's ``affine32``
    scheme); ``size`` is the exact number of distinct shingles, which turns the Jaccard
    estimate into a containment estimate.
    """

    values: np.ndarray  # uint32, shape (NUM_PERM,)
    size: int

    def to_bytes(self) -> bytes:
        """Little-endian uint32 bytes, as the store keeps them."""
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, size: int) -> Signature:
        """The inverse of ``to_bytes``."""
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32), size)


def shingles(title: str, body: str) -> set[str]:
    """The distinct word shingles of an article (title and body, casefolded).

    A text shorter than ``SHINGLE_WORDS`` words is one shingle of all its words.
    """
    words = _WORD.findall(f"{title}\n{body}".casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def sign(shingle_set: set[str]) -> Signature:
    """The MinHash signature of a shingle set (``datasketch.MinHash``, ``NUM_PERM`` values).

    Shingles are hashed with CRC-32 (``zlib.crc32``, C code) rather than datasketch's
    default SHA-1 prefix: the signature's quality comes from the ``NUM_PERM`` random affine
    permutations applied after the hash, CRC-32 only has to spread distinct shingles over
    32 bits, and it is ~10× cheaper per shingle. The permutations are drawn once per
    process from the fixed seed (datasketch redraws them for every MinHash otherwise).
    """
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=_SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme=_SCHEME,
    )
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return Signature(np.asarray(minhash.hashvalues, dtype=np.uint32), len(shingle_set))


@functools.cache
def _permutations() -> object:
    """The seed's permutations, drawn once (the same in every process: a fixed seed)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations


def band_keys(signature: Signature) -> list[int]:
    """One key per band (``BANDS``), each the band's two values packed into a signed int64."""
    values = signature.values.astype(np.uint64)
    keys = (values[0 : 2 * BANDS : 2] << np.uint64(32)) | values[1 : 2 * BANDS : 2]
    return [int(key) - _KEY_OFFSET for key in keys.tolist()]


def estimate_containment(a: Signature, b: Signature) -> float:
    """Containment of the smaller shingle set in the larger, estimated from the signatures.

    With J the share of equal signature values (the Jaccard estimate), the overlap is
    J·(|A| + |B|)/(1 + J); divided by the smaller set's size it is the containment.
    """
    if not a.size or not b.size:
        return 0.0
    jaccard = float(np.mean(a.values == b.values))
    overlap = jaccard * (a.size + b.size) / (1.0 + jaccard)
    return min(1.0, overlap / min(a.size, b.size))
