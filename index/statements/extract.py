"""Statements in an article body: direct quotes and reported speech, with speaker and date.

Rules, not a model, in three languages (en/uk/ru):

- **Direct quotes.** Quote spans are paired first (“…”, «…», „…“, and straight "…" within a
  paragraph, or across paragraphs after a ``Quote:`` label); a span is attributed by the
  words right after it (``"…," X said`` / ``"…", said X`` / ``«…», — заявив X``), right
  before it (``X said: "…"`` / ``X заявив: «…»``), or by the ``Source:`` line of a
  ``Quote:`` block. A quote directly continuing an attributed one (``«A», — сказав X.
  «B»``) takes X's name.
- **Reported speech**, per sentence outside quotes: ``X said (that) …``, ``X stressed /
  noted / warned / made it clear that …``, ``according to X, …`` and ``…, according to X``,
  ``…, X said.``; ``за словами X, …``, ``X заявив/сказав/…, що …``; ``по словам X, …``,
  ``X заявил/сказал/…, что …``.
- **Joint statements** ("Tusk, Macron and Scholz said …", "Зеленський і Туск заявили"):
  one statement per speaker, all with the same span and kind. We chose this over one
  joint speaker because "what did Macron say" must find it by Macron's key, and the
  eval's gold marks one statement per speaker. Every conjunct must be a whole name filling
  its comma segment ("In Kyiv, Zelensky and Tusk said": not Kyiv); a pronoun right after
  a joint statement is ambiguous and dropped.
- **The bare** ``Name: "…"`` **form** (interview lines, "Olaf Scholz: “…”"): only when the
  line or sentence before the colon is all speaker, with a name of two words or more (a
  one-word lead is as often a label, "Update:") and no label word ("Читайте також:").

The speaker is the run of capitalised words (with any role words before it) next to the
verb. Its name part is resolved to the fullest mention of the same surname in the article
(fold key of the last word, ``index.analysis.names``, so Столтенберга meets Stoltenberg),
then put in the nominative (``index.statements.names``: Єнса Столтенберга → Єнс Столтенберг);
a speaker that is only a role ("the defence minister", "речник МЗС") stays a role; a pronoun
is resolved only to the speaker of the statement just before it when no other name came in
between, otherwise the statement is dropped (precision first). The statement's date is the
first date in its attribution clause, content excluded (``index.analysis.dates``: "On 14
July", "on Monday" against the publication date), else the publication date.

Libraries measured against these rules (docs/quality.md, "Who said what"; ten minutes'
budget): razdel's sentence boundaries in place of the regex cut give the same scores on
``index/eval/statements_sample.jsonl`` and the same seven statements on the seed page, and
razdel cuts inside a quote ("«Так. Ні»" is two sentences), so it was not added. For
matching, the fold key already folds case endings (Столтенберга, Столтенбергом →
``~stoltenberh``); for the displayed speaker, pymorphy3 with its uk/ru dictionaries was
measured against hand rules and natasha and kept (``index.statements.names``). natasha
finds persons but not the attribution, which is the hard part.

Bad input never raises: unbalanced quote marks pair nothing, a quote longer than
``MAX_QUOTE_CHARS`` is skipped, a statement without a speaker is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from index.analysis.dates import MONTHS, TRIGGER_WORDS, WEEKDAYS, find_dates
from index.analysis.names import fold_key
from index.statements.names import name_language, nominative

Kind = Literal["direct", "reported"]
DateSource = Literal["text", "published"]

#: Quotes longer than this are skipped (a runaway pairing, not a statement).
MAX_QUOTE_CHARS = 2000
#: Reported content shorter than this many words is not a statement ("he said so").
MIN_CONTENT_WORDS = 3
#: How far back a pronoun looks for the statement whose speaker it continues.
PRONOUN_REACH = 400


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: ``body[start:end]`` is its content, verbatim, without quote marks."""

    speaker: str
    speaker_as_written: str
    speaker_key: str
    text: str
    start: int
    end: int
    kind: Kind
    said_on: date | None
    date_source: DateSource
    cue_start: int
    cue_end: int


_SAY_EN = (
    r"said|says|added|told|stated|noted|stressed|warned|wrote|explained|insisted|declared|"
    r"announced|replied|continued|emphasi[sz]ed|claimed|argued|confirmed|underlined|"
    r"repeated|reiterated|acknowledged|admitted"
)
_SAY_UK = (
    r"заяви(?:в|ла|ли)|сказа(?:в|ла|ли)|наголоси(?:в|ла|ли)|зазначи(?:в|ла|ли)|"
    r"повідоми(?:в|ла|ли)|дода(?:в|ла|ли)|підкресли(?:в|ла|ли)|поясни(?:в|ла|ли)|"
    r"написа(?:в|ла|ли)|каже|говорить|попереди(?:в|ла)|розпові(?:в|ла|ли)|пригрози(?:в|ла|ли)"
)
_SAY_RU = (
    r"заяви(?:л|ла|ли)|сказа(?:л|ла|ли)|отмети(?:л|ла|ли)|подчеркну(?:л|ла|ли)|"
    r"сообщи(?:л|ла|ли)|добави(?:л|ла|ли)|поясни(?:л|ла|ли)|написа(?:л|ла|ли)|"
    r"говорит|предупреди(?:л|ла)|рассказа(?:л|ла|ли)|пригрози(?:л|ла|ли)"
)
_SAY = f"(?:{_SAY_EN}|{_SAY_UK}|{_SAY_RU})"
_SAY_RE = re.compile(rf"(?<![\w-])(?P<verb>{_SAY})(?![\w-])", re.IGNORECASE)

_EN_REPORTED = (
    r"said|says|stressed|noted|warned|added|stated|announced|insisted|argued|"
    r"emphasi[sz]ed|confirmed|believes|claimed|told [\w ]{1,30}?|made it clear|"
    r"underlined|explained|repeated|reiterated|acknowledged|admitted"
)
_REPORTED_EN_RE = re.compile(
    rf"(?<![\w-])(?:(?:has|have|had)\s+)?(?P<verb>{_EN_REPORTED})"
    rf"(?:\s+(?:on|last|this)\s+[\w ]{{1,20}}?)?"
    rf"(?:,?\s+that\s+|\s+(?=[\w]))"
)
_REPORTED_UKRU_RE = re.compile(
    rf"(?<![\w-])(?P<verb>{_SAY_UK}|{_SAY_RU})[^,.!?:«»\"]{{0,40}},\s+(?:що|что)\s+"
)
_ACCORDING_RE = re.compile(
    r"(?<![\w-])(?:according to|за словами|по словам|по мнению|на думку|"
    rf"(?:як|как)\s+(?:{_SAY_UK}|{_SAY_RU}))"
    r"\s+(?P<who>[^,.;:!?]{2,80}?),\s*",
    re.IGNORECASE,
)
#: "За його словами, …" / "По его словам, …": the speaker is the pronoun's antecedent.
_ACCORDING_PRONOUN_RE = re.compile(
    r"(?<![\w-])(?:за\s+(?P<uk>його|її)\s+словами|по\s+(?P<ru>его|ее|её)\s+словам),\s*",
    re.IGNORECASE,
)
_ACCORDING_TAIL_RE = re.compile(
    r",\s+(?:according to|за словами|по словам)\s+(?P<who>[^,.;:!?]{2,80}?)\s*[.!?]?\s*$",
    re.IGNORECASE,
)
_TAIL_SAID_RE = re.compile(
    rf",\s+(?:(?P<who1>[^,.;:!?\"“”«»]{{2,80}}?)\s+(?:{_SAY})|(?:{_SAY})\s+(?P<who2>[^,.;:!?\"“”«»]{{2,80}}?))"
    r"(?:\s+(?:on|last|this|in)\s+[\w ]{1,20})?\s*[.!?]?\s*$",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Word starts of every attribution cue (verbs, "according", словами/словам...); sentences
#: without one are skipped before the patterns run (a regex alternation of all the verb
#: forms costs ten times more per sentence).
_CUE_STEMS = (
    "said", "say", "stress", "note", "warn", "add", "state", "announc", "insist", "argu",
    "emphasi", "confirm", "believ", "claim", "told", "made", "underlin", "explain", "wrote",
    "declar", "repli", "continu", "according", "заяв", "сказа", "наголос", "зазнач",
    "повідом", "дода", "підкресл", "поясн", "напис", "каж", "говор", "попере", "отмет",
    "подчеркн", "сообщ", "добав", "предупред", "словам", "мнени", "думку", "repeat",
    "reiterat", "acknowledg", "admit", "розпов", "расска", "пригроз",
)  # fmt: skip
_CUE_HEADS = frozenset(stem[:3] for stem in _CUE_STEMS)
_PUNCT_TO_SPACE = str.maketrans(dict.fromkeys('«»“”„"—–-,.:;!?()', " "))


def _has_cue(text: str) -> bool:
    """Whether any word of ``text`` starts like an attribution cue.

    A set lookup of each word's first three letters, then ``startswith`` on the few that
    pass: half the cost of ``startswith`` on every word (measured on the bench's articles).
    """
    words = text.lower().translate(_PUNCT_TO_SPACE).split()
    return any(w.startswith(_CUE_STEMS) for w in words if w[:3] in _CUE_HEADS)


#: An attribution inside a quote: "A, — сказал X, — B" / "A, — X сказал. — B".
_INTERRUPTED_RE = re.compile(
    rf",?\s+[—–]\s+(?:(?:{_SAY})\s+(?P<who1>[^,.—–«»]{{1,60}}?)|"
    rf"(?P<who2>[^,.—–«»]{{1,60}}?)\s+(?:{_SAY}))[,.]\s+[—–]\s+",
    re.IGNORECASE,
)
_QUOTE_OPEN_RE = re.compile(r'["“«„]')
_CYRILLIC_RE = re.compile(r"[а-яіїєґё]", re.IGNORECASE)


#: Pronouns a speaker may be: "he said", and "за його словами" / "по его словам".
_PRONOUNS = frozenset(("he", "she", "він", "вона", "он", "она", "його", "її", "его", "её", "ее"))
_ROLE_HEADS = _words(
    """minister ministry spokesperson spokesman spokeswoman president secretary general
    chancellor official officials governor mayor commander chief head envoy ambassador
    adviser advisor spokesperson analyst prosecutor premier chairman chairwoman speaker
    director representative office commissioner ombudsman operator
    міністр міністерство речник речниця президент прем'єр прем’єр-міністр прем'єр-міністр
    секретар генсек канцлер посадовець губернатор мер командувач голова посол радник
    речник представник директор офіс уповноважений омбудсмен держсекретар
    віцепрем'єр віцепрем’єр віцепрем'єр-міністр віцепрем’єр-міністр віце-прем'єр
    віце-прем’єр віце-прем'єр-міністр віце-прем’єр-міністр
    прем'єр-міністерка прем’єр-міністерка президентка міністерка очільниця речниця
    министр министерство представитель президент премьер премьер-министр секретарь генсек
    канцлер губернатор мэр командующий глава посол советник директор пресс-секретарь
    спикер офис уполномоченный омбудсмен госсекретарь вице-премьер вице-премьер-министр"""
)
_ROLE_WORDS = _ROLE_HEADS | _words(
    """prime foreign defence defense deputy interior national state nato un eu us uk
    polish ukrainian russian german french american british the a an its his her
    first vice senior former security presidential staff"""
)
_STOP_WORDS = _words(
    """the a an on in at after before but and then also however meanwhile later earlier
    when while this that it we they i you our their в у на після але і та а потім коли
    після также после но и затем когда"""
)

_WORD_RE = re.compile(r"[^\W\d_][\w'’\-]*|[^\w\s]", re.UNICODE)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”»]?\s+(?=[\"“«„A-ZÀ-ÞА-ЯІЇЄҐЁ0-9])|\n+")
_OPEN_CLOSE = {"“": "”", "«": "»", "„": "“"}


@dataclass(frozen=True, slots=True)
class _Who:
    as_written: str
    name: str  # the name part ("" for a role or pronoun)
    role: bool
    pronoun: bool
    start: int
    end: int


#: Words inside a speaker phrase: particles of names (von der Leyen) and the lowercase words
#: of Ukrainian/Russian role titles (міністр закордонних справ).
_CONNECTORS = _words(
    """of for von van der den de da di al bin ibn закордонних справ внутрішніх оборони
    іноземних иностранных дел внутренних обороны"""
)
_ADVERBS = _words(
    """also later earlier again further then separately meanwhile reportedly
    також вже уже згодом раніше окремо потім тоже также позже ранее отдельно затем"""
)


_CALENDAR_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)
#: A capitalised run right after one of these is a place or an organisation, not a speaker.
_PLACE_PREPOSITIONS = _words("in at from near across inside outside у в з із зі из во під под")


_DIGIT_RE = re.compile(r"\d")
_WORD_ONLY_RE = re.compile(r"[^\W\d_]+(?:['’ʼ‘`][^\W\d_]+)*")
_APOSTROPHES = str.maketrans(dict.fromkeys("’ʼ‘`", "'"))


def _may_name_a_date(text: str) -> bool:
    """A digit or a month, weekday or relative-day word: else ``find_dates`` finds nothing.

    Most attribution clauses name no date; this check skips the date scan for them (it was
    a quarter of extraction's time on the eval units).
    """
    if _DIGIT_RE.search(text):
        return True
    lowered = text.lower()
    if "’" in lowered or "ʼ" in lowered or "‘" in lowered or "`" in lowered:
        lowered = lowered.translate(_APOSTROPHES)
    words = _WORD_ONLY_RE.findall(lowered)
    return any(word in TRIGGER_WORDS for word in words)


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _parse_who(text: str, offset: int, *, anchor_end: bool) -> _Who | None:
    """A speaker in ``text`` (at its end if ``anchor_end`` else at its start), or None."""
    if anchor_end and text.rstrip().endswith(","):
        return _before_clause(text, offset)
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    if anchor_end:
        tokens.reverse()
    picked: list[tuple[str, int, int]] = []
    if anchor_end:
        # "Zelensky also said", "Зеленський також заявив": adverbs between name and verb.
        while tokens and tokens[0][0].casefold() in _ADVERBS:
            tokens.pop(0)
    stop = ""
    for word, start, end in tokens[:8]:
        if not word[0].isalpha() and word not in "-'’":
            break
        low = word.casefold()
        if low in _PRONOUNS and not picked:
            return _Who(word, "", False, True, offset + start, offset + end)
        connector = low in _CONNECTORS and (picked or not anchor_end)
        if _is_cap(word) or low in _ROLE_WORDS or connector:
            if low in _STOP_WORDS and low not in _ROLE_WORDS:
                stop = low
                break
            picked.append((word, start, end))
            continue
        stop = low
        break
    if anchor_end and stop in _PLACE_PREPOSITIONS:
        return None  # "Diplomats in Brussels said": a place, not the speaker
    # A name never ends in a connector: "Ursula von der" → drop the dangling particles.
    while picked and picked[-1][0].casefold() in _CONNECTORS:
        picked.pop()
    if not picked:
        return None
    if anchor_end:
        picked.reverse()
    # Trim leading/trailing function words (the, of).
    while picked and picked[0][0].casefold() in {"the", "a", "an", "of", "for"}:
        picked.pop(0)
    while picked and picked[-1][0].casefold() in {"the", "a", "an", "of", "for"}:
        picked.pop()
    if not picked:
        return None
    start, end = picked[0][1], picked[-1][2]
    written = text[start:end]
    words = [w for w, _, _ in picked]
    name_words: list[str] = []
    for word in reversed(words):
        if word.casefold() in _ROLE_WORDS or word.isupper():
            break
        name_words.insert(0, word)
    if name_words and name_words[-1].casefold() in _CALENDAR_WORDS:
        return None  # "The measure, passed on Monday, said": a day is nobody
    if not name_words:
        if not any(w.casefold() in _ROLE_HEADS for w in words):
            return None
        return _Who(written, "", True, False, offset + start, offset + end)
    if len(name_words) == len(words) and len(words) == 1 and words[0].casefold() in _STOP_WORDS:
        return None
    return _Who(written, " ".join(name_words), False, False, offset + start, offset + end)


def _before_clause(text: str, offset: int) -> _Who | None:
    """The speaker of "X, speaking in Y, said" or "The spokesman, Dmitry Peskov, said".

    A lowercase clause between commas (a participle, "who …") is skipped and the speaker
    sought before it; a capitalised one is an appositive name, taken when a role precedes.
    """
    inner = text.rstrip()[:-1]
    cut = inner.rfind(",")
    if cut == -1:
        return None
    clause = inner[cut + 1 :].lstrip()
    if not clause:
        return None
    if clause[0].islower():
        return _parse_who(inner[:cut], offset, anchor_end=True)
    head = _parse_who(inner[:cut], offset, anchor_end=True)
    if head is not None and head.name and not head.pronoun:
        # "Dmytro Lubinets, Ukraine's human rights commissioner, said": a role after a name.
        clause_words = {w.casefold().strip("'’") for w in clause.split()}
        if clause_words & _ROLE_HEADS:
            return head
    if head is None or not head.role:
        return None
    name = _parse_who(clause, offset + len(inner) - len(clause), anchor_end=True)
    return name if name is not None and name.name else None


_AND_RE = re.compile(r"(?:,\s*)?\s(?:and|і|й|та|и)\s+$", re.IGNORECASE)
_COMMA_RE = re.compile(r",\s+$")
_SEGMENT_START_RE = re.compile(r"(?:^|[,;:.!?\n\"“”«»—–(])\s*(?=[^,;:.!?\n\"“”«»—–(]*$)")
#: Words before a colon that label a line rather than name a speaker ("Update: «…»").
_LABELS = _words(
    """quote source update photo video read also note editor's оновлено цитата джерело фото
    відео читайте також примітка обновлено источник читайте также примечание"""
)


def _partners(body: str, who: _Who, floor: int) -> list[_Who]:
    """The other speakers of a joint statement: "Tusk, Macron and Scholz said" → Tusk, Macron.

    Each conjunct must be a whole name (a role with a name, or a name) filling its segment
    between commas; the one right before ``who`` must be joined by and/і/та/и. Anything
    else ("In Kyiv, Tusk and Macron said": "In Kyiv" is not a name) stops the walk, and
    the statement keeps the speakers found so far (precision first).
    """
    if who.pronoun or not who.name:
        return []
    found: list[_Who] = []
    pos = who.start
    first = True
    while pos > floor:
        tail = body[max(floor, pos - 12) : pos]
        sep = _AND_RE.search(tail) if first else (_AND_RE.search(tail) or _COMMA_RE.search(tail))
        if sep is None:
            break
        sep_start = pos - (len(tail) - sep.start())
        segment_from = max(floor, sep_start - 100)
        segment = body[segment_from:sep_start]
        bound = _SEGMENT_START_RE.search(segment)
        lead = segment[bound.end() :] if bound else segment
        lead_at = sep_start - len(lead)
        partner = _parse_who(lead, lead_at, anchor_end=True)
        if partner is None or not partner.name or partner.pronoun or partner.start != lead_at:
            break
        if partner.name.split()[-1].casefold() in _CALENDAR_WORDS:
            break
        found.insert(0, partner)
        pos, first = lead_at, False
    return found


@lru_cache(maxsize=4096)
def speaker_key(name: str) -> str | None:
    """The cross-script key of a speaker: the fold key of its last word (``~stoltenberh``)."""
    words = re.findall(r"[^\W\d_][\w'’\-]*", name)
    if not words:
        return None
    return fold_key(words[-1].split("-")[-1]) or words[-1].casefold()


def _sentences(body: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for match in _SENTENCE_END_RE.finditer(body):
        if match.start() > pos:
            yield pos, match.start()
        pos = match.end()
    if pos < len(body):
        yield pos, len(body)


def _closing(body: str, at: int, opening: str, close: str, limit: int) -> int:
    """The offset of the mark closing the quote opened at ``at`` (nesting counted), or -1."""
    depth, j = 0, at + 1
    while j < limit:
        found = body.find(close, j, limit)
        if found == -1:
            return -1
        if opening != close:
            depth += body.count(opening, j, found)
        if depth == 0:
            return found
        depth -= 1
        j = found + 1
    return -1


def _quote_spans(body: str) -> list[tuple[int, int, int, int]]:
    """(open mark, content start, content end, close mark end) of each balanced quote."""
    spans: list[tuple[int, int, int, int]] = []
    i, n = 0, len(body)
    while i < n:
        opening = _QUOTE_OPEN_RE.search(body, i)
        if opening is None:
            break
        i = opening.start()
        ch = body[i]
        close = _OPEN_CLOSE.get(ch, '"')
        para_end = body.find("\n\n", i)
        label = body[max(0, i - 8) : i].strip().casefold()
        limit = n if label.endswith("quote:") else (para_end if para_end != -1 else n)
        found = _closing(body, i, ch, close, min(limit, i + 1 + MAX_QUOTE_CHARS))
        if found == -1:
            i += 1
            continue
        start, end = i + 1, found
        while start < end and body[start].isspace():
            start += 1
        stripped_end = end
        while stripped_end > start and body[stripped_end - 1] in " \n,.":
            stripped_end -= 1
        if body[end - 1 : end] == "." and stripped_end < end:
            stripped_end = end - 1
        spans.append((i, start, stripped_end, found + 1))
        i = found + 1
    return spans


class _Extractor:
    def __init__(self, body: str, published: date | None) -> None:
        self.body = body
        self.published = published
        self.found: list[tuple[_Who, int, int, Kind, int, int]] = []
        self._lang: str | None = None
        self.pending: list[tuple[_Who, int, int, tuple[int, int], int]] = []

    @property
    def lang(self) -> str | None:
        """uk or ru for a Cyrillic body (the hint for names whose letters do not tell)."""
        if self._lang is None:
            self._lang = name_language(self.body[:4000]) or ""
        return self._lang or None

    def _date_in(self, start: int, end: int, skip: tuple[int, int]) -> date | None:
        if self.published is None and start >= end:
            return None
        text = self.body[start:end]
        lo, hi = max(skip[0] - start, 0), max(min(skip[1] - start, len(text)), 0)
        if lo < hi:
            text = text[:lo] + " " * (hi - lo) + text[hi:]
        if not _may_name_a_date(text):
            return None
        for mention in find_dates(text, self.published):
            if mention.year is not None:
                try:
                    return date(mention.year, mention.month, mention.day)
                except ValueError:
                    continue
        return None

    def add(
        self,
        who: _Who | None,
        start: int,
        end: int,
        kind: Kind,
        cue: tuple[int, int],
        partners: list[_Who] | None = None,
    ) -> None:
        """Record a statement; a joint one ("X and Y said") once per speaker, same span."""
        if who is None or end - start < 2:
            return
        if any(s < end and start < e for _, s, e, _, _, _ in self.found):
            return
        for speaker in [*(partners or ()), who]:
            self.found.append((speaker, start, end, kind, *cue))

    def direct(self) -> list[tuple[int, int]]:
        body = self.body
        spans = _quote_spans(body)
        last_who: _Who | None = None
        last_end = -1
        for open_at, start, end, close_end in spans:
            if len(re.findall(r"\w+", body[start:end])) < 3:
                continue
            inner = _INTERRUPTED_RE.search(body, start, end)
            if inner is not None:
                # «A, — говорит X, — B»: one statement per part, both X's.
                who = _parse_who(
                    inner["who1"] or inner["who2"],
                    inner.start("who1") if inner["who1"] else inner.start("who2"),
                    anchor_end=not inner["who1"],
                )
                if who is not None:
                    cue = (inner.start(), inner.end())
                    a_end = inner.start()
                    while a_end > start and body[a_end - 1] in " ,":
                        a_end -= 1
                    self._direct(who, start, a_end, cue, open_at)
                    self._direct(who, inner.end(), end, cue, open_at)
                    last_who, last_end = who, close_end
                    continue
            after = body[close_end : close_end + 120]
            line_end = re.search(r"[.!?\n]|[\"“«]", after)
            clause = after[: line_end.start() if line_end else len(after)]
            who: _Who | None = None
            partners: list[_Who] = []
            cue = (close_end, close_end + len(clause))
            m = re.match(
                rf"^\s*,?\s*[—–-]?\s*(?P<verb>{_SAY})\s+(?P<rest>.+)$", clause, re.I | re.S
            )
            if m:
                who = _parse_who(m["rest"], close_end + m.start("rest"), anchor_end=False)
            else:
                m = re.match(
                    rf"^\s*,?\s*[—–-]?\s*(?P<who>[^,]{{1,80}}?)\s+(?:{_SAY})(?![\w-])",
                    clause,
                    re.I,
                )
                if m:
                    who = _parse_who(m["who"], close_end + m.start("who"), anchor_end=True)
                    if who is not None:
                        partners = _partners(body, who, close_end)
            before = body[max(0, open_at - 160) : open_at]
            if who is None and before.rstrip().endswith(":"):
                b = re.search(
                    rf"(?P<lead>[^.!?\n\"“”«»]*?)(?<![\w-])(?:{_SAY})(?![\w-])[^.!?\n:\"“”«»]{{0,60}}:\s*$",
                    before,
                    re.I,
                )
                if b:
                    lead_start = max(0, open_at - 160) + b.start("lead")
                    who = _parse_who(b["lead"], lead_start, anchor_end=True)
                    if who is not None:
                        partners = _partners(body, who, lead_start)
                    cue = (lead_start, open_at)
                elif before.rstrip().casefold().endswith("quote:"):
                    src = body.rfind("Source:", 0, open_at)
                    if src != -1 and open_at - src < 1500:
                        line = body[
                            src + 7 : body.find("\n", src)
                            if body.find("\n", src) != -1
                            else open_at
                        ]
                        who = _parse_who(
                            line.strip(),
                            src + 7 + (len(line) - len(line.lstrip())),
                            anchor_end=False,
                        )
                        cue = (src, src + 7 + len(line))
                else:
                    who = self._colon_speaker(before, open_at)
                    if who is not None:
                        cue = (who.start, open_at)
            # A quote right after an attributed one continues it: «A», — сказав X. «B»
            if (
                who is None
                and last_who is not None
                and 0 <= open_at - last_end < 40
                and re.fullmatch(r"[\s.,—–-]*", body[last_end:open_at])
            ):
                who = last_who
                cue = (open_at, open_at)
            if who is not None:
                self._direct(who, start, end, cue, open_at, partners)
                last_who, last_end = who, max(cue[1], close_end)
        # Quotes of fewer than three words (a name in quotes, «Укренерго») do not stop
        # reported speech in their sentence; statements do.
        return [(s[1], s[2]) for s in spans if len(re.findall(r"\w+", body[s[1] : s[2]])) >= 3]

    def _direct(
        self,
        who: _Who,
        start: int,
        end: int,
        cue: tuple[int, int],
        at: int,
        partners: list[_Who] | None = None,
    ) -> None:
        """Record a direct quote; one whose speaker is a pronoun waits for reported speech.

        ``"…," he said`` after "X said that …" is X's: the pronoun is resolved once the
        reported statements are known too (``resolve_pronouns``).
        """
        if who.pronoun:
            self.pending.append((who, start, end, cue, at))
        else:
            self.add(who, start, end, "direct", cue, partners)

    def resolve_pronouns(self) -> None:
        """The direct quotes attributed to he/she/він/он, in text order (see ``_direct``)."""
        resolved: dict[int, _Who | None] = {}
        for who, start, end, cue, at in sorted(self.pending, key=lambda p: p[1]):
            if id(who) not in resolved:
                resolved[id(who)] = self._pronoun(who, at)
            self.add(resolved[id(who)], start, end, "direct", cue)

    def _colon_speaker(self, before: str, open_at: int) -> _Who | None:
        """The bare ``Name: "…"`` form: a line or sentence that is only a name, then a colon.

        Precision first: the lead must be all speaker (a role may precede the name), with a
        name of at least two words (a one-word lead is more often a label, "Update:"),
        and no label word.
        """
        m = re.search(r"(?:^|\n|[.!?]\s+)(?P<lead>[^.!?\n:\"“”«»]{3,80}?):\s*$", before)
        if m is None:
            return None
        lead = m["lead"].strip()
        lead_at = (
            open_at - len(before) + m.start("lead") + (len(m["lead"]) - len(m["lead"].lstrip()))
        )
        if any(word.casefold().strip("'’") in _LABELS for word in lead.split()):
            return None
        who = _parse_who(lead, lead_at, anchor_end=True)
        if who is None or who.pronoun or who.start != lead_at or len(who.name.split()) < 2:
            return None
        return who

    def _pronoun(self, who: _Who, at: int) -> _Who | None:
        if not self.found:
            return None
        before = [f for f in self.found if f[2] <= at]
        if not before:
            return None
        prev = max(before, key=lambda f: f[2])
        if at - prev[2] > PRONOUN_REACH or prev[0].pronoun:
            return None
        if sum(1 for f in self.found if f[1:3] == prev[1:3]) > 1:
            return None  # after "X and Y said", "he" is either of them
        between = self.body[prev[2] : at]
        names = re.findall(
            r"(?<![.!?]\s)(?<!^)\b[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ']+\s+[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ']+", between
        )
        # The previous statement's own attribution ("», — сказав Олексій Кулеба.") is no
        # other name.
        own = speaker_key(prev[0].name) if prev[0].name else None
        if any(speaker_key(name) != own for name in names):
            return None
        return (
            _Who(who.as_written, prev[0].name, prev[0].role, False, who.start, who.end)
            if prev[0].name or prev[0].role
            else None
        )

    def reported(self, quotes: list[tuple[int, int]]) -> None:
        body = self.body
        if not _has_cue(body):
            return  # no attribution word anywhere: no sentence to look at
        for s_start, s_end in _sentences(body):
            sentence = body[s_start:s_end]
            if any(q0 - 1 <= s_start < q1 or s_start <= q0 - 1 < s_end for q0, q1 in quotes):
                continue
            content_end = s_end
            while content_end > s_start and body[content_end - 1] in " .!?;\n":
                content_end -= 1
            self._reported_sentence(sentence, s_start, content_end)

    def _reported_sentence(self, sentence: str, s_start: int, content_end: int) -> None:
        if not _has_cue(sentence):
            return  # most sentences report nobody: a cheap word scan instead of five patterns
        for m in _ACCORDING_RE.finditer(sentence):
            who = _parse_who(m["who"], s_start + m.start("who"), anchor_end=True)
            start = s_start + m.end()
            if who and who.pronoun:  # "За його словами, …" after X's quote: X's
                who = self._pronoun(who, s_start + m.start())
            if who and self._content_ok(start, content_end):
                self._add_reported(who, start, content_end, (s_start + m.start(), start))
                return
        m = _ACCORDING_PRONOUN_RE.search(sentence)
        if m:
            group = "uk" if m["uk"] else "ru"
            who = _Who(m[group], "", False, True, s_start + m.start(group), s_start + m.end(group))
            resolved = self._pronoun(who, s_start + m.start())
            start = s_start + m.end()
            if resolved and self._content_ok(start, content_end):
                self._add_reported(resolved, start, content_end, (s_start + m.start(), start))
                return
        # Tail patterns only look at the sentence's end (their speaker is at most 80 chars).
        tail_from = max(0, len(sentence) - 200)
        m = _ACCORDING_TAIL_RE.search(sentence, tail_from)
        if m:
            who = _parse_who(m["who"], s_start + m.start("who"), anchor_end=True)
            start = self._content_start(s_start)
            if who and self._content_ok(start, s_start + m.start()):
                self._add_reported(
                    who, start, s_start + m.start(), (s_start + m.start(), content_end)
                )
                return
        for regex in (_REPORTED_UKRU_RE, _REPORTED_EN_RE):
            for m in regex.finditer(sentence):
                head = sentence[: m.start()]
                who = _parse_who(head, s_start, anchor_end=True)
                if who is None or not head.strip():
                    continue
                start = s_start + m.end()
                if sentence[m.end() : m.end() + 1] in {'"', "“", "«", ":"}:
                    continue
                partners = _partners(self.body, who, s_start)
                if who.pronoun:
                    who = self._pronoun(who, s_start + m.start())
                if who and self._content_ok(start, content_end):
                    self._add_reported(who, start, content_end, (s_start, start), partners)
                    return
        m = _TAIL_SAID_RE.search(sentence, tail_from)
        if m:
            raw = m["who1"] or m["who2"]
            at = m.start("who1") if m["who1"] else m.start("who2")
            who = _parse_who(raw, s_start + at, anchor_end=bool(m["who1"]))
            partners = _partners(self.body, who, s_start + at) if who and m["who1"] else []
            first = partners[0] if partners else who
            if first is not None and m["who1"] and first.start != s_start + at:
                who = None  # "traders in Chicago noted": the speaker is not the whole subject
            if who and who.pronoun:
                who = self._pronoun(who, s_start + m.start())
            start = self._content_start(s_start)
            if who and self._content_ok(start, s_start + m.start()):
                self._add_reported(
                    who, start, s_start + m.start(), (s_start + m.start(), content_end), partners
                )

    def _content_start(self, start: int) -> int:
        while start < len(self.body) and not self.body[start].isalnum():
            start += 1
        return start

    def _content_ok(self, start: int, end: int) -> bool:
        if not 0 < end - start <= MAX_QUOTE_CHARS:
            return False
        return len(re.findall(r"\w+", self.body[start:end])) >= MIN_CONTENT_WORDS

    def _add_reported(
        self,
        who: _Who,
        start: int,
        end: int,
        cue: tuple[int, int],
        partners: list[_Who] | None = None,
    ) -> None:
        self.add(who, start, end, "reported", cue, partners)

    def statements(self) -> list[Statement]:
        quotes = self.direct()
        self.reported(quotes)
        self.resolve_pronouns()
        out: list[Statement] = []
        fullest = self._fullest_names(
            {speaker_key(who.name) or "" for who, *_ in self.found if who.name}
        )
        for who, start, end, kind, cue_start, cue_end in sorted(self.found, key=lambda f: f[1]):
            if who.role:
                speaker = who.as_written
            else:
                key = speaker_key(who.name)
                # "за словами Єнса Столтенберга" → Єнс Столтенберг (index.statements.names).
                speaker = fullest.get(key or "", who.name)
                if _CYRILLIC_RE.search(speaker):
                    speaker = nominative(speaker, self.lang)
            key = speaker_key(speaker)
            if key is None:
                continue
            ctx_start = self._sentence_start(min(cue_start, start))
            ctx_end = max(cue_end, end)
            said_on = self._date_in(ctx_start, ctx_end, (start, end))
            prev = out[-1] if out else None
            if (
                said_on is None
                and prev is not None
                and prev.speaker_key == key
                and prev.date_source == "text"
                and "\n" not in self.body[prev.end : start]
            ):
                # "On 8 July, Tusk said … Tusk stated that …": the same speaker, same paragraph.
                said_on = prev.said_on
            out.append(
                Statement(
                    speaker=speaker,
                    speaker_as_written=who.as_written,
                    speaker_key=key,
                    text=self.body[start:end],
                    start=start,
                    end=end,
                    kind=kind,
                    said_on=said_on or self.published,
                    date_source="text" if said_on else "published",
                    cue_start=cue_start,
                    cue_end=cue_end,
                )
            )
        return out

    def _sentence_start(self, pos: int) -> int:
        cut = max(
            self.body.rfind("\n", 0, pos),
            *(self.body.rfind(p, 0, pos) for p in (". ", "! ", "? ")),
        )
        return cut + 1 if cut >= 0 else 0

    def _fullest_names(self, wanted: set[str]) -> dict[str, str]:
        """Surname key → the longest name run of the article ending in that surname."""
        best: dict[str, str] = {}
        if not wanted:
            return best
        for m in re.finditer(
            r"(?:[A-ZÀ-ÞА-ЯІЇЄҐЁŁ][\w'’\-]+[ \t]+){1,6}[A-ZÀ-ÞА-ЯІЇЄҐЁŁ][\w'’\-]+", self.body
        ):
            if speaker_key(m.group().rsplit(None, 1)[-1]) not in wanted:
                continue
            who = _parse_who(m.group(), m.start(), anchor_end=True)
            if who is None or not who.name:
                continue
            words = who.name.split()
            if len(words) < 2:
                continue
            key = speaker_key(words[-1])
            if key and len(who.name) > len(best.get(key, "")):
                best[key] = who.name
        return best


def extract_statements(body: str, published: date | None = None) -> list[Statement]:
    """The statements of an article body, in order; never raises on odd text.

    Args:
        body: the article body (offsets index into it).
        published: the publication date, for "on Monday" and for undated statements.
    """
    try:
        return _Extractor(body, published).statements()
    except (ValueError, IndexError, RecursionError):  # odd input drops statements, not ingest
        return []
