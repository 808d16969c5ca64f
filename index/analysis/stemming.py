"""Word terms: Snowball stems (PyStemmer) for English, of lemmas for Russian and Ukrainian.

Snowball has no Ukrainian stemmer; simplemma's Ukrainian dictionary maps inflected forms to
lemmas (липня → липень, Зеленського → Зеленський) and leaves unknown words as they are.
simplemma costs ~10 µs per call, which the analyzer's per-surface cache makes a one-off.

The Ukrainian term is then the Russian Snowball stem of the lemma with і/ї → и, є → е,
ґ → г and ь dropped (ракети → ракета → ракет, the same term as Russian ракеты; спікеру →
спікер → спикер as Russian спикеру). Questions in one of the two languages then meet
passages in the other through shared vocabulary, not only names and dates. Measured on our
QA set (94 questions): answer@1 0.873 → 0.886 and answer@3 0.937 → 0.962 with the ranking
layer, 0.823 → 0.848 and 0.937 → 0.962 without; Ukrainian questions 0.846 → 0.885.

Russian words are lemmatised by pymorphy3 (its likeliest parse) before the Snowball stem:
Snowball alone leaves вырос / выросли / вырасти and шел / шла / идти apart, and it met
Ukrainian lemmas only through surface stems. Measured on xquad-ru-dev (docs/quality.md,
"Russian lemmas"): nDCG@10 0.934 → 0.944 with the ranking layer, 0.938 → 0.948 without, and
rank_bm25 over the analyzer's tokens 0.935 → 0.943; the other sets unchanged. The lemma alone
as the term (no stem) gave 0.942, simplemma's Russian lemmas 0.940 (rank_bm25). Ukrainian
through pymorphy3's uk dictionary instead of simplemma changed nothing on our QA set, so
simplemma stays there (it is the cheaper). Cost: ~12 µs per first sight of a Russian word
with DAWG2, the C dictionary reader ``pymorphy3[fast]`` brings (~60 µs with the pure-Python
one; the analyzer caches per surface, and ``ru_lemma`` keeps the recent lemmas), so a fresh
analyzer over Russian Wikipedia passages went from ~200 to ~850 µs a passage; warm lookups
are unchanged.

The stemmer follows the token's script, not only the passage's language: a Latin word in a
Ukrainian passage ("NATO", "F-16") gets the English stemmer, and a Cyrillic word in an English
passage the Ukrainian or Russian one according to its letters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import simplemma
import Stemmer

from index.analysis.normalize import strip_apostrophes
from index.models import Lang

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pymorphy3 import MorphAnalyzer

_UK_LETTERS = frozenset("іїєґ")
_UK_TO_RU = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "ь": ""})
_RU_LETTERS = frozenset("ыэъ")
_SNOWBALL_NAMES = {"en": "english", "ru": "russian"}


# PyStemmer's own cache is off (size 0): the analyzer caches per surface already, and
# PyStemmer's purge of a full cache made each stem ~13 µs on a 500k-word vocabulary
# instead of ~0.4 µs.
_STEMMERS = {lang: Stemmer.Stemmer(name, 0) for lang, name in _SNOWBALL_NAMES.items()}


#: British → American spellings whose Snowball stems differ (defence/defense,
#: kilometres/kilometers, mobilise/mobilize): news in English comes from both sides of the
#: Atlantic, and a question's spelling should not decide which outlet answers. Folded at the
#: stem level, so every inflection follows. Data, not rules: "-our" → "-or" as a rule would
#: turn "four" into "for". Left out on measurement: programme/program (a broadcast is not
#: software; CISI −0.001 nDCG@10) and analyse/analyze (merges "analys" into "analyz",
#: CISI −0.001); with them out, cran/med/cisi are unchanged.
UK_US_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("defence", "defense"), ("offence", "offense"), ("licence", "license"),
    ("neighbour", "neighbor"), ("honour", "honor"), ("favour", "favor"), ("labour", "labor"),
    ("colour", "color"), ("behaviour", "behavior"), ("harbour", "harbor"),
    ("armour", "armor"), ("centre", "center"), ("theatre", "theater"), ("metre", "meter"),
    ("kilometre", "kilometer"), ("organise", "organize"), ("recognise", "recognize"),
    ("criticise", "criticize"), ("mobilise", "mobilize"), ("authorise", "authorize"),
    ("apologise", "apologize"), ("realise", "realize"), ("emphasise", "emphasize"),
    ("catalogue", "catalog"), ("fuelled", "fueled"),
    ("paralyse", "paralyze"), ("jewellery", "jewelry"),
    ("grey", "gray"), ("tyre", "tire"), ("sceptical", "skeptical"),
    ("manoeuvre", "maneuver"), ("aluminium", "aluminum"), ("counsellor", "counselor"),
    ("endeavour", "endeavor"), ("rumour", "rumor"), ("vapour", "vapor"), ("fibre", "fiber"),
    ("litre", "liter"), ("oestrogen", "estrogen"), ("haemorrhage", "hemorrhage"),
    ("anaemia", "anemia"), ("paediatric", "pediatric"), ("oedema", "edema"),
    ("foetal", "fetal"), ("leukaemia", "leukemia"), ("tumour", "tumor"),
    ("privatise", "privatize"), ("stabilise", "stabilize"), ("normalise", "normalize"),
    ("legalise", "legalize"), ("minimise", "minimize"), ("maximise", "maximize"),
    ("utilise", "utilize"), ("characterise", "characterize"), ("summarise", "summarize"),
)  # fmt: skip
_EN_STEM = _STEMMERS["en"].stemWord
_EN_SPELLING: dict[str, str] = {
    _STEMMERS["en"].stemWord(uk): _STEMMERS["en"].stemWord(us) for uk, us in UK_US_SPELLINGS
}


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


#: Distinct words whose lemma is kept (~150 bytes each): beyond the analyzer's own per-surface
#: cache, because the same word reaches it from document and question caches of each language.
_LEMMA_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=2)
def morph_analyzer(lang: str) -> MorphAnalyzer:
    """pymorphy3's analyzer for "ru" or "uk", loaded on first use (~0.3 s, ~20 MB each).

    One per process: speaker names (``index.statements.names``) use the same instances.
    """
    from pymorphy3 import MorphAnalyzer

    return MorphAnalyzer(lang=lang)


@lru_cache(maxsize=_LEMMA_CACHE_SIZE)
def ru_lemma(token: str) -> str:
    """The Russian lemma of a normalised word: pymorphy3's likeliest parse's normal form.

    The first parse is the likeliest by pymorphy3's corpus frequencies (стали → стать, not
    сталь); unknown words (names) get its suffix guess (Симансом → симанс). ``ё`` → ``е``
    as everywhere in the analyzer.
    """
    return morph_analyzer("ru").parse(token)[0].normal_form.replace("ё", "е")


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
        lemma = strip_apostrophes(lemma) if "'" in lemma else lemma
        return _STEMMERS["ru"].stemWord(lemma.translate(_UK_TO_RU))
    if lang == "ru":
        token = ru_lemma(token)
    stem = _STEMMERS[lang].stemWord(token)
    if lang == "en":
        stem = _EN_SPELLING.get(stem, stem)
    return strip_apostrophes(stem) if "'" in stem else stem


def ascii_word_stemming() -> tuple[Callable[[str], str], Mapping[str, str]]:
    """``stem_ascii_word``'s parts, the English stemmer and the respellings of its stems
    (``stem = spellings.get(stem, stem)``), for a caller that stems in C
    (``kernels.chunk_terms``)."""
    return _EN_STEM, _EN_SPELLING


def stem_ascii_word(token: str) -> str:
    """``stem_token`` of a lowercase ASCII-letters-only word, without its checks.

    Such a word is English by script and holds no apostrophe, so the script test and the
    apostrophe strip of ``stem_token`` are no-ops; skipping them (and the call layers of the
    general path) is what the analyzer's first sight of a plain word costs least with.
    """
    stem = _EN_STEM(token)
    return _EN_SPELLING.get(stem, stem)


#: pymorphy3 grammemes of proper names: first names, surnames, patronymics, places,
#: organisations, trademarks and abbreviations.
_NAME_GRAMMEMES = frozenset(("Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"))


@lru_cache(maxsize=65536)
def is_russian_name(token: str) -> bool:
    """Whether a normalised Russian word may be a name: pymorphy3 does not know it, or one
    of its parses is a name, place, organisation or abbreviation (Путин, Ирана, НАТО), not
    only a common word (Штатов, Соединенных)."""
    morph = morph_analyzer("ru")
    if not morph.word_is_known(token):
        return True
    return any(not _NAME_GRAMMEMES.isdisjoint(p.tag.grammemes) for p in morph.parse(token))


@lru_cache(maxsize=65536)
def is_known_word(token: str, lang: Lang) -> bool:
    """Whether simplemma's dictionary for ``lang`` knows ``token`` (names mostly are not)."""
    return bool(simplemma.is_known(token, lang=lang))


#: Prefixes that make the perfective of a Russian verb without adding a meaning of their own
#: in the common pairs (делать / сделать, писать / написать, страдать / пострадать, платить /
#: заплатить, видеть / увидеть, требовать / потребовать); others (пере-, при-, от-, раз-)
#: mostly make a new verb.
ASPECT_PREFIXES = ("по", "с", "на", "за", "о", "у", "вы", "про")
_VERB_POS = frozenset(("VERB", "INFN", "PRTF", "PRTS", "GRND"))
# A stem's last consonant before the suffix of a derived imperfective (заплатить →
# заплачивать, выставить → выставлять).
_IMPERFECTIVE_MUTATIONS = {
    "т": ("ч", "щ"),
    "д": ("ж", "жд"),
    "с": ("ш",),
    "з": ("ж",),
    "ст": ("щ",),
    "б": ("бл",),
    "п": ("пл",),
    "в": ("вл",),
    "м": ("мл",),
    "ф": ("фл",),
}
_IMPERFECTIVE_SUFFIXES = ("ывать", "ивать", "евать", "ать", "ять")


@lru_cache(maxsize=8192)
def ru_aspect_partners(token: str) -> tuple[str, ...]:
    """The infinitives that pair with a Russian verb form in aspect by a prefix alone.

    A translated question and its paragraph often tell one event in the two aspects
    ("начал страдать" / "пострадал", "сделал" / "делают"), which lemmas keep apart and
    pymorphy3 does not link. For an imperfective verb: each ``ASPECT_PREFIXES`` prefix + its
    infinitive that pymorphy3 knows as a perfective infinitive; for a perfective one, its
    infinitive less such a prefix when that is an imperfective infinitive. A prefixed
    perfective that has an imperfective of its own (записать / записывать, выставить /
    выставлять: the prefix made a new verb) pairs with nothing: the pair is only the
    "empty" prefix's. Verbs whose infinitive does not end in -ть (вести, идти) are left
    alone, as are words whose likeliest parse is not a verb form. ``token`` is a normalised
    word; the result lemmas, ``ё`` → ``е``.
    """
    morph = morph_analyzer("ru")
    parse = morph.parse(token)[0]
    if parse.tag.POS not in _VERB_POS or parse.tag.aspect is None:
        return ()
    lemma = parse.normal_form.replace("ё", "е")
    if parse.tag.aspect == "impf":
        found = [
            prefix + lemma
            for prefix in ASPECT_PREFIXES
            if _is_infinitive(prefix + lemma, "perf") and not _has_own_imperfective(prefix + lemma)
        ]
    else:
        found = [
            lemma[len(prefix) :]
            for prefix in ASPECT_PREFIXES
            if lemma.startswith(prefix)
            and _is_infinitive(lemma[len(prefix) :], "impf")
            and not _has_own_imperfective(lemma)
        ]
    return tuple(found) if _ends_in_t(lemma) else ()


def _ends_in_t(lemma: str) -> bool:
    return lemma.removesuffix("ся").removesuffix("сь").endswith("ть")


def _is_infinitive(word: str, aspect: str) -> bool:
    """Whether pymorphy3's dictionary holds ``word`` as an infinitive of that aspect."""
    morph = morph_analyzer("ru")
    return morph.word_is_known(word) and any(
        p.normal_form == word and p.tag.POS == "INFN" and p.tag.aspect == aspect
        for p in morph.parse(word)
    )


def _has_own_imperfective(perfective: str) -> bool:
    """Whether a perfective infinitive has a derived imperfective pymorphy3 knows: its stem
    (less the vowel before -ть, its last consonant alternating, a root о as а) with -ывать,
    -ивать, -евать, -ать or -ять (записать → записывать, устроить → устраивать)."""
    reflexive = perfective.endswith(("ся", "сь"))
    base = perfective[:-2] if reflexive else perfective
    if not base.endswith("ть") or len(base) < 4:
        return False
    stem = base[:-3]
    stems = {stem}
    for k in (2, 1):
        stems.update(stem[:-k] + m for m in _IMPERFECTIVE_MUTATIONS.get(stem[-k:], ()))
    stems.update(s[:i] + "а" + s[i + 1 :] for s in list(stems) if (i := s.rfind("о")) > 0)
    ending = "ся" if reflexive else ""
    candidates = {s + suffix for s in stems for suffix in _IMPERFECTIVE_SUFFIXES}
    candidates.add(base[:-2] + "вать")
    candidates.discard(base)
    return any(_is_infinitive(c + ending, "impf") for c in candidates)
