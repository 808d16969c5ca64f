"""Stems for English and Russian (Snowball via PyStemmer), lemmas for Ukrainian (simplemma).

Snowball has no Ukrainian stemmer; simplemma's Ukrainian dictionary maps inflected forms to
lemmas (липня → липень, Зеленського → Зеленський) and leaves unknown words as they are.
simplemma costs ~10 µs per call, which the analyzer's per-surface cache makes a one-off.

The stemmer follows the token's script, not only the passage's language: a Latin word in a
Ukrainian passage ("NATO", "F-16") gets the English stemmer, and a Cyrillic word in an English
passage the Ukrainian or Russian one according to its letters.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma
import Stemmer

from index.analysis.normalize import strip_apostrophes
from index.models import Lang

_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъ")
_SNOWBALL_NAMES = {"en": "english", "ru": "russian"}


# PyStemmer's own cache is off (size 0): the analyzer caches per surface already, and
# PyStemmer's purge of a full cache made each stem ~13 µs on a 500k-word vocabulary
# instead of ~0.4 µs.
_STEMMERS = {lang: Stemmer.Stemmer(name, 0) for lang, name in _SNOWBALL_NAMES.items()}


def script_language(token: str, lang: Lang) -> Lang:
    """The language whose stemmer suits ``token``: its script overrides the passage's language."""
    first = token[0]
    if first.isascii() or "a" <= first <= "ɏ":
        return "en"
    if lang != "en":
        return lang
    if not _UK_LETTERS.isdisjoint(token):
        return "uk"
    if not _RU_LETTERS.isdisjoint(token):
        return "ru"
    return "uk"


def stem_token(token: str, lang: Lang) -> str:
    """Stem or lemmatise one normalised (casefolded) word token.

    Args:
        token: a normalised word (see ``normalize_token``); apostrophes folded to ``'``.
        lang: the passage's (or question's) language.

    Returns:
        The stem (en, ru) or lowercase lemma (uk), without apostrophes.
    """
    lang = script_language(token, lang)
    if lang == "uk":
        lemma = simplemma.lemmatize(token, lang="uk").casefold()
        return strip_apostrophes(lemma) if "'" in lemma else lemma
    stem = _STEMMERS[lang].stemWord(token)
    return strip_apostrophes(stem) if "'" in stem else stem


@lru_cache(maxsize=65536)
def is_known_word(token: str, lang: Lang) -> bool:
    """Whether simplemma's dictionary for ``lang`` knows ``token`` (names mostly are not)."""
    return bool(simplemma.is_known(token, lang=lang))
