"""Surface-token normalisation: NFKC, casefold, apostrophe and hyphen folding, numbers.

The analyzer tokenizes the *original* text (so term spans are offsets into what the reader
sees) and normalises each surface token here, once per distinct surface (the analyzer caches
the result). Normalising tokens rather than the whole text is what keeps spans exact even when
NFKC changes lengths (ligatures, full-width forms, decomposed accents).
"""

from __future__ import annotations

import re
import unicodedata

#: Every apostrophe-like character seen in en/uk/ru news: ASCII, right/left single quotes,
#: modifier letter apostrophe (standard in Ukrainian orthography), backtick, prime, acute.
APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u2032\u00b4\u02b9"
#: Hyphen-like characters joining word parts: ASCII hyphen-minus, hyphen, non-breaking hyphen,
#: figure dash, minus sign. En/em dashes separate words, so they are not here.
HYPHENS = "-\u2010\u2011\u2012\u2212"
#: Removed from inside tokens: soft hyphen, combining acute/grave (stress marks in uk/ru texts),
#: zero-width joiners.
_DROP = dict.fromkeys(map(ord, "\u00ad\u0301\u0300\u200b\u200c\u200d\u2060"), None)
_FOLD = str.maketrans(
    {**{c: "'" for c in APOSTROPHES}, **{c: "-" for c in HYPHENS}, "ё": "е", **_DROP}
)

_NEEDS_FOLD_RE = re.compile(
    "[" + re.escape(APOSTROPHES + HYPHENS + "ё" + "".join(map(chr, _DROP))) + "]"
)

#: Ordinal suffixes after a number: English (14th) and uk/ru case endings (14-го, 1-й, 3-є).
_ORDINAL_RE = re.compile(
    r"^(\d+)(?:st|nd|rd|th|-(?:го|ого|му|ому|й|ий|ій|ої|ою|а|е|є|я|ї|ю|і|ше|ге|тє))$"
)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:[, ]\d{3})+$")


def normalize_token(surface: str) -> str:
    """NFKC + casefold a surface token and fold apostrophe/hyphen variants to ``'`` / ``-``.

    ``ё`` becomes ``е`` because Russian writers use them interchangeably; stress marks and soft
    hyphens are removed. Nothing is split here: splitting is the analyzer's decision.
    """
    if surface.isascii():  # NFKC is the identity and casefold is lower() on ASCII
        text = surface.lower()
        return text.replace("`", "'") if "`" in text else text
    text = unicodedata.normalize("NFKC", surface).casefold()
    if _NEEDS_FOLD_RE.search(text) is None:  # str.translate with a dict costs ~1.7 µs
        return text
    return unicodedata.normalize("NFC", text.translate(_FOLD)).translate(_DROP)


def normalize_number(token: str) -> str:
    """Canonical form of a normalised number token: ordinals lose their suffix, "8,000" → 8000.

    Leading zeros are dropped ("07" → "7") so day and month numbers match however written.
    A decimal such as "1.5" is kept whole.
    """
    match = _ORDINAL_RE.match(token)
    if match:
        token = match.group(1)
    if _THOUSANDS_RE.match(token):
        token = token.replace(",", "").replace(" ", "")
    if token.isdigit():
        return str(int(token)) if len(token) < 20 else token
    return token


def strip_apostrophes(token: str) -> str:
    """Drop apostrophes: Ukrainian writes м'ясо, мʼясо and мясо for the same word."""
    return token.replace("'", "")


# Latin letters that look like Cyrillic ones, and back: a word typed with the keyboard
# layout switched half-way ("Симанcом" with a Latin "c", "Київ" with a Latin "i") is one
# word to its reader and a different token to the index.
_LATIN_LOOKALIKES = "aceopxyiABCEHKMOPTX"
_CYRILLIC_LOOKALIKES = "асеорхуіАВСЕНКМОРТХ"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
_MIXED_WORD_RE = re.compile(
    r"\w*(?:[a-zA-Z]\w*[а-яА-ЯёЁіїєґІЇЄҐ]|[а-яА-ЯёЁіїєґІЇЄҐ]\w*[a-zA-Z])\w*"
)


def fold_mixed_script(text: str) -> str:
    """Words mixing Latin and Cyrillic letters written in one script, where the letters of
    the other script all look alike in both ("Симанcом" → "Симансом").

    A word keeps its mix when both scripts have letters of their own ("KГјlГјg", mojibake)
    or when nothing is mixed; every replacement is one character for one, so offsets into
    the text stay exact. Used on questions only: the index keeps documents' tokens as
    written (folding them would change stored terms and need a reindex).
    """
    if text.isascii():
        return text

    def fold(match: re.Match[str]) -> str:
        word = match.group()
        latin = {c for c in word if "a" <= c.lower() <= "z"}
        cyrillic = {c for c in word if c.isalpha() and c not in latin and not c.isascii()}
        if latin <= set(_LATIN_LOOKALIKES) and cyrillic - set(_CYRILLIC_LOOKALIKES):
            return word.translate(_TO_CYRILLIC)
        if cyrillic <= set(_CYRILLIC_LOOKALIKES) and latin - set(_LATIN_LOOKALIKES):
            return word.translate(_TO_LATIN)
        return word

    return _MIXED_WORD_RE.sub(fold, text)
