"""Issue 2 item 7 at the extraction level: each bad input is a clear per-item error.

One table, readable ids: the error names the item (``file#N`` for an archive line) and says
why in plain words, so the ingest report can show it and go on with the other items.
"""

from __future__ import annotations

import gzip

import pytest

from index.errors import ExtractionError
from index.extract import ExtractOptions, extract_bytes

SMALL = ExtractOptions(max_bytes=4096)
ONE_MB = ExtractOptions(max_bytes=1_000_000)  # 20 MB of spaces gzip to about 20 KB
GOOD_HTML = (
    b"<html><body><article><p>A paragraph with enough words in it to be an article body."
    b"</p></article></body></html>"
)

BAD_INPUTS = [
    pytest.param(b"", "empty.txt", SMALL, "empty.txt", "empty file", id="empty-file"),
    pytest.param(b" \r\n\t\n", "blank.txt", SMALL, "blank.txt", "empty file", id="blank-file"),
    pytest.param(b"\x00\x01\x02\x03binary", "a.txt", SMALL, "a.txt", "binary file",
                 id="nul-bytes"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3", "doc.html", SMALL, "doc.html", "binary file (PDF)",
                 id="pdf-named-html"),
    pytest.param(b"<html><head><title>T</title></head><body><nav>Home News</nav", "cut.html",
                 SMALL, "cut.html", "looks truncated", id="truncated-html"),
    pytest.param(b"<html><<<>>><</\xff\xfe>>", "junk.html", SMALL, "junk.html",
                 "no article text found in the HTML", id="malformed-html"),
    pytest.param(b"this is not json\n", "a.jsonl", SMALL, "a.jsonl#1", "line is not JSON",
                 id="jsonl-line-not-json"),
    pytest.param(b'{"title": "x", "text": ', "a.json", SMALL, "a.json", "not valid JSON",
                 id="json-not-json"),
    pytest.param(b"42", "a.json", SMALL, "a.json", "neither an object nor a list",
                 id="json-scalar"),
    pytest.param(GOOD_HTML + b" " * 5000, "big.html", SMALL, "big.html", "over the size limit",
                 id="oversized-file"),
    pytest.param(gzip.compress(b" " * 20_000_000), "bomb.html.gz", ONE_MB, "bomb.html.gz",
                 "decompressed data is over the size limit", id="gzip-bomb"),
    pytest.param(b"\x1f\x8b\x08\x00garbage-not-deflate", "bad.gz", SMALL, "bad.gz",
                 "corrupt gzip", id="corrupt-gzip"),
    pytest.param(gzip.compress(GOOD_HTML)[:-12], "cut.html.gz", SMALL, "cut.html.gz",
                 "truncated gzip", id="truncated-gzip"),
    pytest.param(b"Advertisement:\n\nSupport UP or become our patron!\n", "ads.txt", SMALL,
                 "ads.txt", "no article text", id="text-with-only-boilerplate"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "name", "options", "item", "reason"), BAD_INPUTS)
def test_bad_input_is_a_clear_error_naming_the_item(
    data: bytes, name: str, options: ExtractOptions, item: str, reason: str
) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_bytes(data, name, options=options)
    assert caught.value.item == item
    assert reason in caught.value.reason
    assert "Traceback" not in str(caught.value)


def test_the_same_html_within_the_limit_is_fine() -> None:
    [article] = extract_bytes(GOOD_HTML, "ok.html", options=SMALL)
    assert article.body.startswith("A paragraph")
