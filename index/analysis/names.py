"""Transliteration fold keys for names, and an alias table for renamed places.

A name is spelt many ways across scripts and transliteration schemes: Zelenskyy, Zelensky,
Zelenskiy, Зеленський, Зеленский, Зеленського. The fold key maps them all to one skeleton,
indexed as an extra term ``~zelensk`` beside the stem:

1. Cyrillic → Latin with a simplified scheme (х → kh, ц → ts, и/ы → y, г → h, ...), Latin
   diacritics stripped (Władysław → wladyslaw), English possessive 's dropped.
2. Spelling variants folded: sh/sch/sz/ш → S, ch/cz/ч → C, c → k, ts/tz → c, kh → h,
   zh → z, g → h (Ukrainian г is h, Russian г is g), w → v, ph → f, x → ks, q → k, y/j → i,
   ie → e (Ukrainian є against Russian е: Бєлгород, Белгород).
3. Doubled letters squashed (Zelenskyy → zelenskii → zelenski, Odessa → odesa).
4. One Ukrainian/Russian case ending stripped (-oho/-omu/-oiu/-im/-om/-ah, ...), then
   trailing vowels, keeping at least ``MIN_STEM`` letters: Зеленського → zelensk.

Places whose names changed or differ by more than spelling (Kyiv/Kiev, Kharkiv/Kharkov,
Mykolaiv/Nikolaev) go through ``PLACE_ALIASES``: every listed spelling's skeleton maps to
one canonical key. This is hand-written rather than a transliteration library
(transliterate, unidecode) because those produce one romanisation per script and do not fold
the *variants* (Zelenskyy vs Zelensky vs Zelenskiy) into one key, which is the point here.
"""

from __future__ import annotations

import re
import unicodedata

FOLD_PREFIX = "~"
MIN_STEM = 3

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ъ": "",
    "ы": "y", "э": "e", "ю": "iu", "я": "ia", "ё": "e", "'": "", "-": "",
}  # fmt: skip
_LATIN_EXTRA = {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d"}
_TRANSLIT = str.maketrans({**_CYRILLIC, **_LATIN_EXTRA})

# Order matters: longer digraphs first, and native Latin c becomes k before ts becomes c.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "S"), ("sch", "S"), ("sh", "S"), ("sz", "S"),
    ("ch", "C"), ("cz", "C"), ("ck", "k"), ("c", "k"),
    ("ts", "c"), ("tz", "c"), ("kh", "h"), ("zh", "z"), ("ph", "f"),
    ("g", "h"), ("w", "v"), ("x", "ks"), ("q", "k"), ("y", "i"), ("j", "i"), ("ie", "e"),
)  # fmt: skip
_DOUBLES_RE = re.compile(r"(.)\1+")
# Case endings of Ukrainian/Russian nouns, adjectives and surnames, in skeleton spelling.
# -ові (dative) is left out: it would cut genitive -ови of -ова names (Молдови → mold).
_ENDINGS_RE = re.compile(r"(?:oho|ovo|omu|oiu|oi|ami|ah|ih|im|om|em|am|ei|ou)$")
_TRAILING_VOWELS_RE = re.compile(r"[aeiou]+$")

#: Renamed places, and names whose spellings differ beyond folding (vowels, і/о alternation,
#: country names): canonical key → spellings, inflected forms included.
PLACE_ALIASES: dict[str, tuple[str, ...]] = {
    "kyiv": ("Kyiv", "Kiev", "Київ", "Києва", "Києві", "Киев", "Киева", "Киеве", "Kijów"),
    "kharkiv": ("Kharkiv", "Kharkov", "Харків", "Харкова", "Харкові", "Харьков", "Харькове"),
    "odesa": ("Odesa", "Odessa", "Одеса", "Одесі", "Одесса", "Одессе"),
    "lviv": ("Lviv", "Lvov", "Lwów", "Lemberg", "Львів", "Львова", "Львові", "Львов"),
    "mykolaiv": (
        "Mykolaiv", "Nikolaev", "Nikolayev", "Миколаїв", "Миколаєва", "Миколаєві",
        "Николаев", "Николаева", "Николаеве",
    ),
    "zaporizhzhia": (
        "Zaporizhzhia", "Zaporizhia", "Zaporozhye", "Zaporizhzhya", "Запоріжжя",
        "Запоріжжі", "Запорожье", "Запорожья",
    ),
    "dnipro": ("Dnipro", "Dnepr", "Dnipropetrovsk", "Dnepropetrovsk", "Дніпро", "Днепр"),
    "chernihiv": ("Chernihiv", "Chernigov", "Чернігів", "Чернігова", "Чернигов"),
    "bakhmut": ("Bakhmut", "Artemivsk", "Artyomovsk", "Бахмут", "Артемівськ", "Артемовск"),
    "kropyvnytskyi": ("Kropyvnytskyi", "Kirovohrad", "Kirovograd", "Кропивницький"),
    "horlivka": ("Horlivka", "Gorlovka", "Горлівка", "Горловка"),
    "rivne": ("Rivne", "Rovno", "Рівне", "Ровно"),
    "vinnytsia": ("Vinnytsia", "Vinnitsa", "Вінниця", "Винница"),
    "mariupol": ("Mariupol", "Маріуполь", "Мариуполь"),
    "kryvyi": ("Kryvyi", "Krivoy", "Krivyi", "Кривий", "Кривой"),
    "ukraine": ("Ukraine", "Україна", "України", "Україні", "Украина", "Украины", "Украине"),
    "russia": ("Russia", "Росія", "Росії", "Россия", "России"),
    "moscow": ("Moscow", "Moskva", "Москва", "Москви", "Москві", "Москве", "Москву", "Москвы"),
    "kakhovka": (
        "Kakhovka", "Каховка", "Каховки", "Каховської", "Каховська", "Каховской", "Каховская",
    ),
    "avdiivka": ("Avdiivka", "Avdeevka", "Авдіївка", "Авдеевка"),
    "brussels": ("Brussels", "Bruxelles", "Брюссель", "Брюсселі", "Брюсселе"),
    "kremlin": ("Kremlin", "Кремль", "Кремля", "Кремлі", "Кремле"),
    "crimea": ("Crimea", "Крим", "Криму", "Крым", "Крыма"),
    "turkey": ("Turkey", "Türkiye", "Туреччина", "Туреччини", "Турція", "Турция", "Турции"),
    "poland": ("Poland", "Польща", "Польщі", "Польша", "Польши"),
    "germany": ("Germany", "Німеччина", "Німеччини", "Германия", "Германии"),
    "france": ("France", "Франція", "Франції", "Франция", "Франции"),
    "belarus": ("Belarus", "Білорусь", "Білорусі", "Беларусь", "Беларуси", "Белоруссия"),
    "georgia": ("Georgia", "Грузія", "Грузії", "Грузия", "Грузии"),
    "hungary": ("Hungary", "Угорщина", "Угорщини", "Венгрия", "Венгрии"),
    "sweden": ("Sweden", "Швеція", "Швеції", "Швеция", "Швеции"),
    "finland": ("Finland", "Фінляндія", "Финляндия"),
    "switzerland": ("Switzerland", "Швейцарія", "Швейцарії", "Швейцария", "Швейцарии"),
    "china": ("China", "Китай", "Китаю", "Китая"),
    "europe": ("Europe", "Європа", "Європи", "Європі", "Европа", "Европы", "Европе"),
    "biden": ("Biden", "Байден", "Байдена"),
    "trump": ("Trump", "Трамп", "Трампа"),
}  # fmt: skip


def _strip_diacritics(text: str) -> str:
    """Drop combining marks after NFKD (é → e); callers protect й and ї, letters of their own."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [c for c in decomposed if not unicodedata.combining(c)]
    return unicodedata.normalize("NFC", "".join(kept))


def transliterate(token: str) -> str:
    """Cyrillic → Latin with the simplified scheme above; Latin diacritics stripped."""
    token = token.casefold().replace("й", "\0").replace("ї", "\1").replace("ё", "е")
    token = _strip_diacritics(token).replace("\0", "й").replace("\1", "ї")
    return token.translate(_TRANSLIT)


def _folded(token: str) -> str:
    """Steps 1–3 of the module docstring: transliterated, variant-folded, doubles squashed."""
    text = token.casefold()
    for suffix in ("'s", "’s", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if not (text.isascii() and text.isalpha()):
        # ASCII letters are their own transliteration (no diacritics, nothing in
        # ``_TRANSLIT``) and all kept, so both steps are skipped for them: half of this
        # function for the Latin names most fold keys are made of (15.6 → 7.3 µs
        # for "Washington" at load ~8; tests/index/analysis/test_fold_ascii_path.py).
        text = transliterate(text)
        text = "".join(c for c in text if c.isalpha())
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLES_RE.sub(r"\1", text).lower()


def _strip_endings(text: str) -> str:
    """Step 4: one case ending, then trailing vowels, keeping ``MIN_STEM`` letters."""
    stripped = _ENDINGS_RE.sub("", text)
    if len(stripped) >= MIN_STEM:
        text = stripped
    stripped = _TRAILING_VOWELS_RE.sub("", text)
    if len(stripped) >= MIN_STEM:
        text = stripped
    return text


def skeleton(token: str) -> str:
    """The fold skeleton of one word (no prefix, no alias lookup); may be shorter than 3."""
    return _strip_endings(_folded(token))


#: Upper-case abbreviations across scripts, matched only when written in capitals: as
#: words they would collide (ЄС and "Yes" transliterate alike, US and "us").
ABBREVIATIONS: dict[str, str] = {
    "EU": "eu", "ЄС": "eu", "ЕС": "eu",
    "US": "usa", "USA": "usa", "США": "usa",
    "NATO": "nato", "НАТО": "nato",
    "UN": "un", "ООН": "un",
    "AFU": "afu", "ЗСУ": "afu", "ВСУ": "afu",
    "IAEA": "iaea", "МАГАТЕ": "iaea", "МАГАТЭ": "iaea",
    "UAE": "uae", "ОАЕ": "uae", "ОАЭ": "uae",
    "UK": "uk", "ВБ": "uk",
}  # fmt: skip

_POSSESSIVES = frozenset(("'s", "’s", "'S", "’S", "ʼs"))

#: Stripped skeletons shorter than this reach an alias only through a listed spelling:
#: short ones collide with common words (City → kit ← Китай, Rose → ros ← Росія,
#: Crime → krim ← Крим), measured on the words of our eval corpora.
MIN_ALIAS_SKELETON = 6

_ALIAS_EXACT: dict[str, str] = {
    _folded(spelling): canonical
    for canonical, spellings in PLACE_ALIASES.items()
    for spelling in spellings
}
_ALIAS_BY_SKELETON: dict[str, str] = {
    skeleton(spelling): canonical
    for canonical, spellings in PLACE_ALIASES.items()
    for spelling in spellings
    if len(skeleton(spelling)) >= MIN_ALIAS_SKELETON
}


def fold_key(token: str) -> str | None:
    """The ``~``-prefixed fold term for a name-like word, or None when too short to be safe.

    Args:
        token: one word (any case, any script); hyphenated compounds are split by the caller.

    Returns:
        ``"~" + canonical`` for a listed spelling of an aliased name (or another inflection of
        a long one), ``"~" + skeleton`` otherwise; None when the skeleton has fewer than
        ``MIN_STEM`` letters (short keys collide too often).
    """
    bare = token[:-2] if token[-2:] in _POSSESSIVES else token
    if bare.isupper():
        abbreviation = ABBREVIATIONS.get(bare)
        if abbreviation is not None:
            return FOLD_PREFIX + abbreviation
    folded = _folded(token)
    alias = _ALIAS_EXACT.get(folded)
    if alias is not None:
        return FOLD_PREFIX + alias
    key = _strip_endings(folded)
    alias = _ALIAS_BY_SKELETON.get(key)
    if alias is not None:
        return FOLD_PREFIX + alias
    if len(key) < MIN_STEM:
        return None
    return FOLD_PREFIX + key


_PLACE_KEYS = frozenset(FOLD_PREFIX + canonical for canonical in PLACE_ALIASES)


def is_place_key(key: str) -> bool:
    """Whether a fold key is one of the alias table's canonical places."""
    return key in _PLACE_KEYS
