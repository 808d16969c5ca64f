"""Sniffing: gzip (bounded), binary rejection, encodings (UTF-8/BOM, cp1251, KOI8), kinds."""

from __future__ import annotations

import gzip

import pytest

from index.errors import ExtractionError
from index.extract import extract_bytes
from index.extract.sniff import check_not_binary, decode_text, gunzip, sniff_kind

UK_SHORT = "Київ, неділя. Сили ППО збили ракети над областю."
RU_SHORT = "Москва, воскресенье. Сбиты ракеты над областью."
UK_TINY = "Ціна: п'ять гривень"
RU_TINY = "Всё ещё жарко"
KOI8_MISSING = str.maketrans({"–": "-", "•": "*", "’": "'"})


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param(UK_SHORT, "cp1251", id="uk-cp1251"),
        pytest.param(UK_SHORT, "koi8-u", id="uk-koi8u"),
        pytest.param(RU_SHORT, "cp1251", id="ru-cp1251"),
        pytest.param(RU_SHORT, "koi8-r", id="ru-koi8r"),
        pytest.param(UK_TINY, "cp1251", id="uk-tiny-cp1251"),
        pytest.param(UK_TINY, "koi8-u", id="uk-tiny-koi8u"),
        pytest.param(RU_TINY, "cp1251", id="ru-tiny-cp1251"),
        pytest.param(RU_TINY, "koi8-r", id="ru-tiny-koi8r"),
        pytest.param(UK_SHORT.upper(), "cp1251", id="uk-all-caps-cp1251"),
        pytest.param(RU_SHORT.upper(), "koi8-r", id="ru-all-caps-koi8r"),
    ],
)
def test_short_cyrillic_texts_decode_in_both_8bit_encodings(text: str, encoding: str) -> None:
    decoded = decode_text(text.encode(encoding))
    assert decoded.text == text
    assert decoded.encoding == encoding


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("up-uk-nato-summit.txt", "cp1251"),
        ("up-uk-nato-summit.txt", "koi8-u"),
        ("up-ru-peace-summit.txt", "cp1251"),
        ("up-ru-peace-summit.txt", "koi8-r"),
    ],
)
def test_whole_dumps_in_8bit_encodings_extract_like_utf8(read_fixture, name, encoding) -> None:
    # KOI8 has no dashes or bullets: an archive in it would use ASCII ones.
    text = read_fixture(name).decode("utf-8").translate(KOI8_MISSING)
    utf8 = extract_bytes(text.encode("utf-8"), name)[0]
    legacy = extract_bytes(text.encode(encoding), name)[0]
    assert legacy == utf8
    assert legacy.body.count("\n• ") == 3  # the three background bullets survived


def test_utf8_with_and_without_bom_decode_the_same() -> None:
    text = "Зеленський і Туск — “угода”"
    assert decode_text(b"\xef\xbb\xbf" + text.encode()).text == text
    assert decode_text(text.encode()).encoding == "utf-8"


def test_declared_html_charset_is_used_when_it_decodes() -> None:
    assert decode_text(RU_SHORT.encode("koi8-r"), declared="KOI8-R").text == RU_SHORT


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "iso-8859-1"])
def test_html_meta_charset_is_honoured(charset: str) -> None:
    text = "Café au lait" if charset == "iso-8859-1" else RU_SHORT
    html = (
        f'<html><head><meta charset="{charset}"><title>T</title></head><body><article>'
        f"<p>{text} {text} {text}</p></article></body></html>"
    )
    [article] = extract_bytes(html.encode(charset), "page.html")
    assert text in article.body


def test_gunzip_reads_concatenated_members() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    assert gunzip(data, "a.gz", max_bytes=100) == b"first second"


def test_gunzip_stops_a_bomb_at_the_cap_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(ExtractionError, match="over the size limit"):
        gunzip(bomb, "bomb.gz", max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        pytest.param(b"abc\x00def", "NUL", id="nul-byte"),
        pytest.param(b"\x89PNG\r\n\x1a\n....", "PNG", id="png"),
        pytest.param(bytes(range(1, 32)) * 10, "control", id="control-bytes"),
    ],
)
def test_binary_data_is_rejected_naming_why(data: bytes, what: str) -> None:
    with pytest.raises(ExtractionError, match=what):
        check_not_binary(data, "x.bin")


def test_text_with_tabs_and_newlines_is_not_binary() -> None:
    check_not_binary(b"a\tb\r\nc\n" * 100, "x.txt")


@pytest.mark.parametrize(
    ("text", "name", "content_type", "kind"),
    [
        ("anything", "a.HTML", None, "html"),
        ("anything", "a.htm.gz", None, "html"),
        ("anything", "a.jsonl", None, "jsonl"),
        ("anything", "a.json", None, "json"),
        ("<p>x</p>", "a.txt", None, "text"),
        ("anything", "upload", "text/html; charset=utf-8", "html"),
        ("anything", "upload", "application/json", "json"),
        ("<!-- c --><!DOCTYPE html><html>", "upload", None, "html"),
        ('{"a": 1}\n{"a": 2}\n', "upload", None, "jsonl"),
        ('{\n "a": 1\n}', "upload", None, "json"),
        ("[{}]", "upload", None, "json"),
        ("Title\n\nBody text.", "upload", None, "text"),
    ],
)
def test_kind_comes_from_extension_then_content_type_then_content(
    text: str, name: str, content_type: str | None, kind: str
) -> None:
    assert sniff_kind(text, name, content_type) == kind
