"""Issue 10: bytes that are not UTF-8 are never stored as mojibake without a warning.

The measurements behind the constants in ``index/extract/sniff.py`` are tests here, on
random word snippets of the uk/ru fixtures (seeded, so each run measures the same):
``python -m pytest -q tests/index/extract/test_encoding_guess.py``.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from index.extract import extract_bytes
from index.extract.sniff import _DAMAGED_UTF8_SHARE, decode_text
from tests.index.extract.conftest import fixture_path

CYRILLIC_FIXTURES = (
    "plain-uk-eu-accession-talks.txt",
    "up-ru-peace-summit.txt",
    "up-uk-nato-summit.txt",
)
# KOI8 has no typographic dashes, quotes or bullets: an archive in it uses ASCII ones.
KOI8_MISSING = str.maketrans(
    {"–": "-", "—": "-", "•": "*", "’": "'", "«": '"', "»": '"', "“": '"', "”": '"', "…": "..."}
)
SNIPPETS_PER_LENGTH = 300


def snippets(words_per_snippet: int) -> list[str]:
    words = [
        word
        for name in CYRILLIC_FIXTURES
        for word in fixture_path(name).read_text(encoding="utf-8").translate(KOI8_MISSING).split()
    ]
    rng = random.Random(words_per_snippet)
    found = []
    while len(found) < SNIPPETS_PER_LENGTH:
        start = rng.randrange(len(words) - words_per_snippet)
        text = " ".join(words[start : start + words_per_snippet])
        if re.search("[а-яіїєґ]", text, re.IGNORECASE):
            found.append(text)
    return found


def legacy_encodings(text: str) -> list[str]:
    koi8 = "koi8-u" if re.search("[іїєґ]", text, re.IGNORECASE) else "koi8-r"
    return [enc for enc in ("cp1251", koi8) if _encodes(text, enc)]


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("words", [1, 2, 3, 5, 8])
def test_every_wrong_8bit_guess_comes_with_a_warning(words: int) -> None:
    wrong = unwarned_wrong = warned = total = 0
    for text in snippets(words):
        for encoding in legacy_encodings(text):
            decoded = decode_text(text.encode(encoding))
            total += 1
            warned += decoded.warning is not None
            if decoded.text != text:
                wrong += 1
                unwarned_wrong += decoded.warning is None
    assert unwarned_wrong == 0, f"{unwarned_wrong} of {wrong} wrong guesses had no warning"
    if words >= 5:  # longer texts are decided clearly: few needless warnings
        assert warned / total < 0.03


@pytest.mark.parametrize("words", [1, 2, 3, 5, 50])
def test_8bit_text_is_never_taken_for_damaged_utf8(words: int) -> None:
    for text in snippets(words):
        for encoding in legacy_encodings(text):
            decoded = decode_text(text.encode(encoding))
            assert decoded.encoding != "utf-8", (text, encoding)


@pytest.mark.parametrize(("words", "floor"), [(2, 0.95), (5, 1.0), (50, 1.0)])
def test_utf8_with_a_dropped_byte_stays_utf8_with_a_warning(words: int, floor: float) -> None:
    rng = random.Random(words)
    kept = 0
    texts = snippets(words)
    for text in texts:
        data = bytearray(text.encode("utf-8"))
        del data[rng.choice([i for i, byte in enumerate(data) if byte >= 0x80])]
        decoded = decode_text(bytes(data))
        assert decoded.warning is not None  # damaged UTF-8 or a weak 8-bit guess
        kept += decoded.encoding == "utf-8"
    assert kept / len(texts) >= floor
    assert _DAMAGED_UTF8_SHARE == 0.7  # the figure the measurement above is for


def test_clean_utf8_and_whole_8bit_articles_have_no_warning(read_fixture) -> None:
    text = fixture_path("up-uk-nato-summit.txt").read_text(encoding="utf-8")
    assert decode_text(text.encode("utf-8")).warning is None
    for encoding in ("cp1251", "koi8-u"):
        decoded = decode_text(text.translate(KOI8_MISSING).encode(encoding))
        assert decoded.encoding == encoding and decoded.warning is None


def test_damaged_utf8_article_is_stored_as_utf8_with_a_warning() -> None:
    body = fixture_path("up-uk-nato-summit.txt").read_bytes()
    cut = body.index("Лідери держав".encode()) + 1  # inside the body's first letter
    damaged = body[:cut] + body[cut + 1 :]
    [article] = extract_bytes(damaged, "damaged.txt")
    assert "Р" not in article.title  # no "РџС–РІ..." cp1251 mojibake
    assert "\ufffd" in article.title + article.body
    assert article.warning is not None and "invalid byte" in article.warning


def test_ingest_reports_the_warning_per_item(tmp_path: Path) -> None:
    from bot.cli import main

    latin1 = tmp_path / "cafe.txt"
    latin1.write_bytes(
        "Café owners in Lyon\n\nThe café owners of the old town met the mayor on Tuesday "
        "to discuss the terrace rules, déjà vu for many of them, said René Dubois.\n".encode(
            "latin-1"
        )
    )
    short = tmp_path / "short.txt"
    short.write_bytes("ЦВК\n\nПро це\n".encode("cp1251"))
    clean = tmp_path / "clean.txt"
    clean.write_bytes("Саміт НАТО у Вашингтоні\n\nЛідери країн НАТО зібралися.\n".encode())
    data_dir = tmp_path / "data"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["ingest", str(latin1), str(short), str(clean), "--data-dir", str(data_dir)])
    assert code == 0  # stored, with caveats: warnings are not failures
    lines = out.getvalue().splitlines()
    assert (
        f"  warning: {latin1}: the text is not UTF-8 and does not read as Cyrillic"
        in "\n".join(lines)
    )
    assert any(
        line.startswith(f"  warning: {short}: the text is not UTF-8; read as") for line in lines
    )
    assert not any(str(clean) in line for line in lines)
