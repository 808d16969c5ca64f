"""Sniffing raw bytes: gzip wrapping, binary content, text encoding and the kind of item.

Everything here works on bytes and names only, so an upload, a file and a download are
treated alike. Rejections raise ExtractionError naming the item and the reason.
"""

from __future__ import annotations

import codecs
import logging
import math
import re
import zlib
from dataclasses import dataclass, replace
from typing import Literal

from index.errors import ExtractionError

logger = logging.getLogger(__name__)

Kind = Literal["html", "text", "json", "jsonl"]

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_CHUNK = 1 << 16
# How much of the start of a file the binary check looks at (enough for any header).
_BINARY_PROBE_BYTES = 8192
# Share of control bytes above which data is not text; real text has tabs and newlines only.
_MAX_CONTROL_RATIO = 0.05
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)

_EXTENSION_KINDS: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_CONTENT_TYPE_KINDS: dict[str, Kind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
}
_HTML_START = re.compile(
    r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p)\b",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, with the encoding that was chosen (for logs and tests).

    ``warning`` is set when the choice is a weak guess or bytes were replaced: the ingest
    report shows it for the item, so mojibake is never stored without a word.
    """

    text: str
    encoding: str
    warning: str | None = None


def strip_gz_suffix(name: str) -> str:
    """``"a.html.gz"`` → ``"a.html"``: the inner name decides the kind of a gzip item."""
    return name[:-3] if name.lower().endswith(".gz") else name


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic number."""
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes, name: str, *, max_bytes: int) -> bytes:
    """Decompress gzip data without ever holding more than ``max_bytes`` of output.

    A few kilobytes of gzip can expand to gigabytes (a "gzip bomb"), so the output is
    produced in bounded chunks and the item is rejected as soon as it passes the cap.
    Concatenated gzip members (as ``cat a.gz b.gz`` makes) are all decompressed.
    Hand-written over ``zlib`` because ``gzip.decompress`` has no output limit and
    ``GzipFile.read(n)`` gives no clean way to tell truncated data from a finished stream.

    Raises:
        ExtractionError: corrupt or truncated data, or output over ``max_bytes``.
    """
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        pending = rest
        try:
            while pending and not inflater.eof:
                out += inflater.decompress(pending, _GZIP_CHUNK)
                pending = inflater.unconsumed_tail
                _check_size(out, name, max_bytes)
            while not inflater.eof:
                chunk = inflater.decompress(b"", _GZIP_CHUNK)
                if not chunk:
                    break
                out += chunk
                _check_size(out, name, max_bytes)
        except zlib.error as exc:
            raise ExtractionError(f"corrupt gzip data ({exc})", item=name) from None
        if not inflater.eof:
            raise ExtractionError("truncated gzip data", item=name)
        rest = inflater.unused_data
        if rest and not is_gzip(rest):
            break  # trailing garbage after the last member: gzip(1) ignores it too
    return bytes(out)


def _check_size(out: bytearray, name: str, max_bytes: int) -> None:
    if len(out) > max_bytes:
        raise ExtractionError(
            f"decompressed data is over the size limit of {max_bytes} bytes", item=name
        )


def check_not_binary(data: bytes, name: str) -> None:
    """Reject data that is not text: a known binary signature, NUL bytes, or many controls.

    UTF-16 text is not expected in news archives; it would be rejected here for its NULs.

    Raises:
        ExtractionError: "binary file" (naming the format when it is recognised).
    """
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ExtractionError(f"binary file ({what}), not an article", item=name)
    probe = data[:_BINARY_PROBE_BYTES]
    if b"\x00" in probe:
        raise ExtractionError("binary file (contains NUL bytes), not text", item=name)
    controls = sum(1 for byte in probe if byte < 0x20 and byte not in _TEXT_CONTROLS)
    if probe and controls / len(probe) > _MAX_CONTROL_RATIO:
        raise ExtractionError("binary file (control bytes), not text", item=name)


# Letter frequencies (per mille) of running Russian and Ukrainian news text, averaged over
# the two languages: only their relative size matters for the scoring below.
_CYRILLIC_FREQ: dict[str, float] = {
    "о": 102, "а": 76, "е": 68, "и": 67, "н": 66, "т": 60, "в": 50, "р": 47, "с": 48,
    "л": 40, "к": 36, "і": 30, "м": 31, "д": 31, "у": 30, "п": 28, "я": 21, "з": 20,
    "ь": 17, "г": 15, "б": 16, "ч": 13, "ы": 10, "й": 11, "х": 10, "ж": 9, "ц": 8, "ш": 7,
    "ю": 7, "ї": 3, "щ": 4, "є": 2, "ф": 2, "э": 2, "ъ": 0.5, "ё": 0.5, "ґ": 0.2,
}  # fmt: skip
_LOG_FREQ = {letter: math.log(freq) for letter, freq in _CYRILLIC_FREQ.items()}
_RARE_LETTER = math.log(0.1)
_UPPER_INSIDE_WORD = -2.0  # "аБв": rare in prose, everywhere in misdecoded text
_UNLIKELY_CHAR = -8.0  # box drawing, math signs: what a wrong 8-bit table produces
# Bytes where KOI8-U has Ukrainian letters and KOI8-R has box drawing.
_KOI8_U_ONLY = frozenset(b"\xa4\xa6\xa7\xad\xb4\xb6\xb7\xbd")
# Scoring is a Python loop per character; the first 64k characters decide as well as all.
_SCORE_CHARS = 65_536
# Share of non-ASCII characters that must decode as valid UTF-8 for bytes that are not clean
# UTF-8 to be read as damaged UTF-8 (invalid sequences replaced) rather than cp1251/KOI8.
# Measured on 300 random snippets per length of the uk/ru fixtures, each in cp1251 and
# KOI8 (the snippets of tests/index/extract/test_encoding_guess.py): no 8-bit snippet of
# any length is above 0.7 (one one-word snippet in 600 is above 0.6); UTF-8 with one
# byte dropped is above 0.7 in 80% of one-word, 96% of two-word, 99.7% of three-word and
# all snippets of five words or more. The rest falls to the 8-bit guess and its warnings.
_DAMAGED_UTF8_SHARE = 0.7
# Plausibility margin (log-frequency units) below which cp1251 vs KOI8 is a weak guess.
# Measured likewise: every wrong choice had a margin under 6.1 (one/two-word snippets);
# below 8 flags about 1% of five-word and 0.2% of eight-word snippets, no whole article.
_WEAK_MARGIN = 8.0
# Share of Cyrillic-bearing words that also hold Latin letters above which an 8-bit text
# is not Cyrillic at all (Latin-1 "Café" read as cp1251 is "Cafй").
_MIXED_WORDS_SHARE = 0.3
# In Ukrainian and Russian prose capital Р and С are under 1% of letters; in UTF-8 read as
# cp1251 they are the lead byte of every letter, about half of all.
_UTF8_LEAD_SHARE = 0.4
_WORD = re.compile(r"\w+")


def _plausibility(text: str) -> float:
    """How much ``text`` looks like Cyrillic prose: letter frequencies plus case pattern.

    The case rule penalises a capital right after a small letter ("лНЯЙБЮ"), which is what
    a wrong table makes of ordinary text; all-caps words stay unpenalised.
    """
    score = 0.0
    previous_is_lower = False
    for char in text:
        if char.isalpha():
            lower = char.lower()
            if "\u0400" <= lower <= "\u04ff":
                score += _LOG_FREQ.get(lower, _RARE_LETTER)
            if char.isupper() and previous_is_lower:
                score += _UPPER_INSIDE_WORD
            previous_is_lower = char.islower()
            continue
        previous_is_lower = False
        if ord(char) >= 0x80 and not _is_common_symbol(char):
            score += _UNLIKELY_CHAR
    return score


def _is_common_symbol(char: str) -> bool:
    return char in "«»„“”‘’–—…№€•·°±§©®™\u00a0" or char.isspace()


def decode_text(data: bytes, *, declared: str | None = None) -> DecodedText:
    """Decode news text: UTF-8 (with or without BOM), else cp1251 or KOI8 (-R / -U).

    Non-UTF-8 Ukrainian and Russian archives use cp1251 or KOI8. Both map every byte
    0xC0-0xFF to a Cyrillic letter, so both always "decode"; the right one is chosen by
    scoring each decoding for Cyrillic plausibility (letter frequencies, and lowercase
    letters inside words: the wrong table swaps case almost everywhere). Bytes that are
    mostly valid UTF-8 with a few broken sequences are damaged UTF-8, not cp1251: they are
    decoded as UTF-8 with the broken sequences replaced (U+FFFD), with a warning.

    Why hand-written: charset-normalizer, even restricted with ``cp_isolation`` to these
    three tables, is unreliable on short texts. On random 2/3/5/8-word snippets of our uk/ru
    fixtures in both encodings (about 580 per length) it was wrong on 33%/22%/5%/0.5%;
    this scorer on 2%/0.5%/0%/0% (misses: two-word snippets such as "НАТО з"), and every
    miss has a plausibility margin under ``_WEAK_MARGIN``, so it comes with a warning.

    Args:
        data: the raw bytes (already gunzipped).
        declared: an encoding the container declared (HTML ``<meta charset>``); trusted
            when Python knows it and the bytes decode cleanly with it.

    Returns:
        The text (BOM removed, newlines as found), the encoding used and, for a weak
        guess or replaced bytes, a warning for the ingest report.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        return DecodedText(text, "utf-8-sig", _replaced_warning(text))
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            codec = codecs.lookup(declared).name
            return DecodedText(data.decode(codec), codec)
        except (LookupError, UnicodeDecodeError):
            logger.debug("declared charset %s is unknown or does not decode; sniffing", declared)
    lenient = data.decode("utf-8", errors="replace")
    if _valid_utf8_share(lenient[:_SCORE_CHARS]) > _DAMAGED_UTF8_SHARE:
        return DecodedText(lenient, "utf-8", _replaced_warning(lenient))
    candidates: list[tuple[float, DecodedText]] = []
    koi8 = "koi8-u" if _KOI8_U_ONLY.intersection(data) else "koi8-r"
    for encoding in ("cp1251", koi8):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text[:_SCORE_CHARS]), DecodedText(text, encoding)))
    if not candidates:  # cp1251 leaves 0x98 undefined, KOI8 decodes everything
        return DecodedText(lenient, "utf-8", _replaced_warning(lenient))
    candidates.sort(key=lambda pair: pair[0], reverse=True)
    best_score, best = candidates[0]
    warning = None
    if not _reads_as_cyrillic(best.text[:_SCORE_CHARS]):
        warning = (
            f"the text is not UTF-8 and does not read as Cyrillic in {best.encoding} either "
            "(mixed with symbols or Latin letters): it may be stored garbled; "
            "convert it to UTF-8 and ingest it again"
        )
    elif len(candidates) > 1 and best_score - candidates[1][0] < _WEAK_MARGIN:
        other = candidates[1][1].encoding
        warning = (
            f"the text is not UTF-8; read as {best.encoding}, a weak guess over {other} "
            "(too little text to tell): check it, or convert it to UTF-8 and ingest it again"
        )
    return replace(best, warning=warning)


def _valid_utf8_share(lenient: str) -> float:
    """Of the non-ASCII characters of a lenient UTF-8 decoding, the share that is valid."""
    replaced = lenient.count("\ufffd")
    valid = sum(1 for char in lenient if char >= "\x80") - replaced
    return valid / (valid + replaced) if valid + replaced else 0.0


def _replaced_warning(text: str) -> str | None:
    replaced = text.count("\ufffd")
    if not replaced:
        return None
    return (
        f"the text is UTF-8 with {replaced} invalid byte sequence(s), stored as \ufffd: "
        "the file may be damaged or mix encodings"
    )


def _reads_as_cyrillic(text: str) -> bool:
    """Whether an 8-bit decoding looks like Cyrillic text at all.

    Not when its non-ASCII characters are mostly symbols rather than Cyrillic letters
    (a stray byte of damaged UTF-8), nor when "Р" and "С" make 40% of its letters
    (UTF-8 Cyrillic read as cp1251: every letter's lead byte 0xD0/0xD1 becomes one), nor
    when many Cyrillic words hold Latin letters too (Latin-1 "Café" as cp1251 is "Cafй").
    """
    letters = sum(1 for char in text if "\u0400" <= char <= "\u04ff")
    if letters >= 2 and text.count("Р") + text.count("С") >= _UTF8_LEAD_SHARE * letters:
        return False
    symbols = sum(
        1
        for char in text
        if char >= "\x80" and not "\u0400" <= char <= "\u04ff" and not _is_common_symbol(char)
    )
    if letters <= symbols:
        return False
    cyrillic = mixed = 0
    for word in _WORD.findall(text):
        if not any("\u0400" <= char <= "\u04ff" for char in word):
            continue
        cyrillic += 1
        mixed += any("a" <= char.lower() <= "z" for char in word)
    return mixed <= _MIXED_WORDS_SHARE * cyrillic


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` near its start, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", errors="replace") if match else None


def sniff_kind(text: str, name: str, content_type: str | None = None) -> Kind:
    """Decide how to read an item: by extension, then content type, then content.

    Args:
        text: the decoded text (only its start is looked at for content sniffing).
        name: the item's name; a ``.gz`` suffix is ignored.
        content_type: an HTTP ``Content-Type`` header value, when the item was fetched.
    """
    lowered = strip_gz_suffix(name).lower()
    for extension, kind in _EXTENSION_KINDS.items():
        if lowered.endswith(extension):
            return kind
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type in _CONTENT_TYPE_KINDS:
            return _CONTENT_TYPE_KINDS[media_type]
    head = text[:2048].lstrip()
    if _HTML_START.match(head):
        return "html"
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0].strip()
        return "jsonl" if first_line.endswith("}") and "\n" in head.strip() else "json"
    return "text"
