"""Answers show a story once: collapse reprints, cite the original, name the reprints.

A story (``index.models.Story``) is an original and its reprints. When an answer would cite
several members of one story, it cites the story once, at the rank of its best member:
the earliest original when that article carries the answer too (the snippet must come from
the article the citation names, so a reprint stays cited when only it answers), with a line
"+N reprints: outlet, outlet" in the question's language, as ``Answer.note`` is.

Stories are looked up only for accepted articles (at most ``k + offset`` per question, one
indexed query each), never for the many rejected candidates, so ``Archive.ask`` stays
cheap (``docs/quality.md``, "Reprints", has the measured cost).
"""

from __future__ import annotations

from index.models import Lang, Story

# The noun after the count, by CLDR plural category (en: one/other; uk, ru: one/few/many).
_REPRINT_NOUN: dict[Lang, dict[str, str]] = {
    "en": {"one": "reprint", "other": "reprints"},
    "uk": {"one": "передрук", "few": "передруки", "many": "передруків"},
    "ru": {"one": "перепечатка", "few": "перепечатки", "many": "перепечаток"},
}
# Most outlets named on the line; the count says how many there are in all.
MAX_OUTLETS_NAMED = 5


def plural_category(count: int, lang: Lang) -> str:
    """The CLDR cardinal category of a whole number: en one/other; uk and ru one/few/many."""
    if lang == "en":
        return "one" if count == 1 else "other"
    if count % 10 == 1 and count % 100 != 11:
        return "one"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "few"
    return "many"


def reprints_note(story: Story, shown_id: int, lang: Lang) -> str | None:
    """ "+2 reprints: Outlet A, Outlet B" for the members other than ``shown_id``; None if none.

    Outlets are named once each, in the members' order (earliest first); members with no
    outlet are counted but not named.
    """
    others = [member for member in story.members if member.article_id != shown_id]
    if not others:
        return None
    noun = _REPRINT_NOUN[lang][plural_category(len(others), lang)]
    outlets = list(
        dict.fromkeys(m.source.strip() for m in others if m.source and m.source.strip())
    )
    line = f"+{len(others)} {noun}"
    if outlets:
        named = outlets[:MAX_OUTLETS_NAMED]
        more = ", …" if len(outlets) > MAX_OUTLETS_NAMED else ""
        line += ": " + ", ".join(named) + more
    return line
