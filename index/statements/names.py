"""Speaker names to the nominative: "за словами Єнса Столтенберга" → Єнс Столтенберг.

Ukrainian and Russian put a speaker in an oblique case after "за словами" / "по словам",
and a surname-only mention is resolved to the article's fullest mention, which may itself
be oblique ("зустріч Володимира Зеленського"). The stored ``speaker`` (and its key) is the
nominative, so the citation line reads "Єнс Столтенберг" and one speaker is one key.

Libraries measured against hand rules on our own hand-written set of 85 names in cases
(``tests/fixtures/statements/speaker_cases.tsv``: 46 Ukrainian, 39 Russian; nominatives
included, which must stay unchanged), whole name right or wrong, with ``python -m
index.eval speaker-names tests/fixtures/statements/speaker_cases.tsv`` (docs/quality.md):

=====================================  =====  =====  =============
method                                 uk     ru     µs per name
=====================================  =====  =====  =============
pymorphy3 + dicts, rules for unknowns  0.978  0.974  528 (uncached)
hand suffix rules alone                0.652  0.846  12
natasha NER + normalize (ru only)      —      0.821  67,794
=====================================  =====  =====  =============

pymorphy3 with pymorphy3-dicts-uk / -ru wins: its dictionaries know which first names and
surnames decline and how (Дмитра → Дмитро but Туска → Туск; Верещук is a feminine
indeclinable; Кулеби is Кулеба's genitive), which suffix rules cannot tell apart. Its raw
``normal_form`` is not enough (it gives Захаров for Захаровой): the words of a name are
parsed together, one case and one gender chosen for the whole name, and each word
inflected to the nominative of that gender. Only dictionary parses are used: the
analyser's guesses for unknown words (Шольца → Шолец, Кулебой kept as a nominative) lost to
the suffix rules, which therefore handle the words the dictionaries lack. natasha has no
Ukrainian, missed the same unknown surnames (Кулебы, Пескову) and costs ~68 ms per name for
its NER pass; it was not kept. The two misses left are Кирила → Кирил (the dictionary's
name, not Кирило) and Каи → Каи.

The dictionaries ship inside the wheels (nothing is fetched at run time); the analysers
load once per process (~0.2 s, lazily, at the first Cyrillic speaker).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from index.analysis.stemming import morph_analyzer

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

_CYRILLIC_RE = re.compile(r"[а-яіїєґё]", re.IGNORECASE)
_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъё")
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_GENDERS = ("masc", "femn")
_NAME_TAGS = frozenset(("Name", "Surn", "Patr"))


@lru_cache(maxsize=2)
def _analyzer(lang: str) -> MorphAnalyzer | None:
    try:
        return morph_analyzer(lang)  # the analyzer's own instance: one copy of each dictionary
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    except (ValueError, OSError):  # dictionaries missing: names stay as written
        return None


def name_language(text: str, hint: str | None = None) -> str | None:
    """uk or ru for Cyrillic text (by its own letters, else ``hint``), None otherwise."""
    letters = set(text.casefold())
    if letters & _UK_LETTERS:
        return "uk"
    if letters & _RU_LETTERS:
        return "ru"
    if not _CYRILLIC_RE.search(text):
        return None
    return hint if hint in ("uk", "ru") else "uk"


#: (suffix, replacement) of oblique name endings, longest first: the fallback for words the
#: dictionaries do not know, and on their own the baseline the libraries were measured
#: against (``index.eval.speaker_names``). They cannot tell Дмитра (→ Дмитро) from Туска
#: (→ Туск), which the dictionaries can.
_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "uk": (
        ("ського", "ський"), ("ському", "ський"), ("ським", "ський"), ("ської", "ська"),
        ("ській", "ська"), ("цького", "цький"), ("ного", "ний"), ("ним", "ний"),
        ("ової", "ова"), ("овій", "ова"),
        ("ії", "ія"), ("нка", "нко"), ("нком", "нко"), ("ька", "ько"), ("ця", "ець"),
        ("цем", "ець"), ("ою", "а"), ("ом", ""), ("ові", ""), ("и", "а"), ("я", "й"),
        ("а", ""), ("у", ""),
    ),
    "ru": (
        ("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("цкого", "цкий"),
        ("цкому", "цкий"), ("цким", "цкий"), ("иной", "ина"),
        ("ной", "ная"), ("ного", "ный"), ("ным", "ный"), ("овой", "ова"), ("евой", "ева"),
        ("ии", "ия"), ("ея", "ей"), ("ия", "ий"), ("ом", ""), ("ым", ""), ("ой", "а"),
        ("ы", "а"), ("и", "а"), ("а", ""), ("у", ""), ("ю", "ь"), ("я", "ь"),
    ),
}  # fmt: skip


def suffix_rule(word: str, lang: str) -> str:
    """A capitalised word's first matching oblique ending replaced (stems of ≥ 3 letters)."""
    if not word[:1].isupper():
        return word
    low = word.casefold()
    for suffix, repl in _RULES.get(lang, ()):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


def _candidates(analyzer: MorphAnalyzer, word: str) -> list[Any]:
    """Singular, animate noun/adjective parses of a word found in the dictionary.

    Guesses for unknown words (the analyser's suffix predictor) are left out: measured,
    they were wrong more often than the suffix rules (Шольца → Шолец, Кулебой → Кулебой).
    """
    out = []
    for parse in analyzer.parse(word.casefold()):
        tag = parse.tag
        if tag.POS not in ("NOUN", "ADJF") or "plur" in tag.grammemes:
            continue
        if tag.POS == "NOUN" and "inan" in tag.grammemes:
            continue
        if [type(step[0]).__name__ for step in parse.methods_stack] != ["DictionaryAnalyzer"]:
            continue
        out.append(parse)
    return out


def _fits(parse: Any, case: str, gender: str) -> bool:
    tag = parse.tag
    if tag.case != case:
        return False
    return tag.gender in (gender, None) or bool({"ms-f", "Fixd"} & tag.grammemes)


def _pick(parses: list[Any], case: str, gender: str) -> Any | None:
    """The best parse of one word for the name's case and gender (names over other nouns)."""
    fitting = [p for p in parses if _fits(p, case, gender)]
    if not fitting:
        return None
    return max(fitting, key=lambda p: (bool(_NAME_TAGS & p.tag.grammemes), p.score))


def _restyle(word: str, like: str) -> str:
    """``word`` written in the capitalisation of ``like`` (each hyphen part)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


def _without_leading_things(words: list[str], analyzer: MorphAnalyzer) -> list[str]:
    """Drop leading words that can only be inanimate nouns: "Польщі Радослав Сікорський".

    The speaker parser takes a capitalised run, and Ukrainian/Russian titles put the
    country or body in the genitive between the role and the name ("міністр закордонних
    справ Польщі Радослав Сікорський", "пресс-секретарь Кремля Дмитрий Песков"). A word
    is dropped only when every parse of it is an inanimate noun and two words stay.
    """
    while len(words) > 2 and words[0][:1].isupper():
        parses = analyzer.parse(words[0].casefold())
        if not parses or not all(
            p.tag.POS == "NOUN" and "inan" in p.tag.grammemes for p in parses
        ):
            break
        words = words[1:]
    return words


@lru_cache(maxsize=8192)
def nominative(name: str, hint: str | None = None) -> str:
    """The nominative of a Ukrainian or Russian name; anything else comes back unchanged.

    Leading words that can only be things (a country or body in the genitive, "Польщі")
    are dropped first (``_without_leading_things``).

    Only capitalised Cyrillic words are inflected: particles (фон дер), acronyms (МЗС) and
    Latin words stay as written. The case and gender are chosen for the whole name (the one
    most of its words fit, names counted first, the nominative on ties), so a feminine
    indeclinable surname stays (Ірина Верещук) and a first name's gender carries to the
    surname (Марії Захарової → Марія Захарова).

    Args:
        name: a name as written ("Єнса Столтенберга").
        hint: the article's language (uk/ru), used when the name's letters do not tell.
    """
    lang = name_language(name, hint)
    analyzer = _analyzer(lang) if lang else None
    if analyzer is None:
        return name
    words = _without_leading_things(name.split(" "), analyzer)
    slots = [
        i
        for i, w in enumerate(words)
        if w[:1].isupper() and not (w.isupper() and len(w) > 1) and _CYRILLIC_RE.search(w)
    ]
    if not slots:
        return name
    parses = {i: _candidates(analyzer, words[i]) for i in slots}
    best: tuple[tuple[int, int, int, float], str, str] | None = None
    for rank, case in enumerate(_CASES):
        for gender in _GENDERS:
            picked = [_pick(parses[i], case, gender) for i in slots]
            fitted = [p for p in picked if p is not None]
            named = sum(1 for p in fitted if _NAME_TAGS & p.tag.grammemes)
            # A word the dictionary does not know votes by its ending: oblique when a
            # rule would change it (Байдена), nominative otherwise (Каллас).
            guessed = sum(
                1
                for i in slots
                if not parses[i] and (suffix_rule(words[i], lang) != words[i]) == (rank > 0)
            )
            score = (len(fitted) + guessed, named, -rank, sum(p.score for p in fitted))
            if best is None or score > best[0]:
                best = (score, case, gender)
    if best is None or not any(parses.values()):
        # No word of the name is in the dictionary: the suffix rules alone.
        return " ".join(suffix_rule(w, lang) if i in slots else w for i, w in enumerate(words))
    _, case, gender = best
    out = list(words)
    for i in slots:
        parse = _pick(parses[i], case, gender)
        if parse is None and case != "nomn":
            out[i] = suffix_rule(words[i], lang)  # an unknown word in an oblique name
            continue
        if parse is None or case == "nomn" or "Fixd" in parse.tag.grammemes:
            continue
        wanted = {"nomn"} if parse.tag.POS == "NOUN" else {"nomn", gender}
        if "sing" in parse.tag.grammemes:
            wanted.add("sing")
        inflected = parse.inflect(wanted)
        if inflected is not None:
            out[i] = _restyle(inflected.word, words[i])
    return " ".join(out)
