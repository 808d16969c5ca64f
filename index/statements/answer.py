"""Answering from statements: "what did X say [about Y] [on D]" and ``quotes X``.

A question of that form names a speaker; it is answered from the speaker's stored
statements (matched by the cross-script speaker key, so Столтенберг finds Stoltenberg),
filtered by the question's date or period, and ranked by BM25 over the statement text for
the "about" part (``rank_bm25`` over the analyzer's terms; a handful of statements per
speaker, so no index is needed). When the speaker has no statements, ``Archive.ask`` falls
back to ordinary search with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from index.models import Answer, Article, ArticleAnswer, Attribution, Citation, Quote, Snippet
from index.statements.extract import speaker_key
from index.store.statements import StoredStatement

_NAME = r"(?P<who>[^\W\d_][\w'’\-]*(?:\s+[^\W\d_][\w'’\-]*){0,3}?)"
_TAIL = r"(?:\s+(?:about|on|regarding)\s+(?P<about>.+?))?\s*[?.!]*\s*$"
_QUESTION_RES = (
    re.compile(
        rf"^\s*what\s+(?:did|has|have|does)\s+{_NAME}\s+"
        rf"(?P<verb>say|said|tell|told|state|stated)"
        rf"(?P<rest>.*)$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^\s*що\s+(?:сказав|сказала|заявив|заявила|говорив|говорила|казав|казала)\s+{_NAME}"
        rf"(?P<rest>(?:\s|[?.!,]|$).*)$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^\s*что\s+(?:сказал|сказала|заявил|заявила|говорил|говорила)\s+{_NAME}"
        rf"(?P<rest>(?:\s|[?.!,]|$).*)$",
        re.IGNORECASE,
    ),
)
_ABOUT_RE = re.compile(
    r"(?:^|\s)(?:about|regarding|про|щодо|о|об|обо)\s+(?P<about>.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_TELL = frozenset({"tell", "told"})
_DATE_TAIL_RE = re.compile(r"\s+(?:on|in|у|в)\s+\d.*$|\s+\d.*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """What a who-said-what question asks: a speaker, and maybe a subject."""

    speaker: str
    about: str | None


def parse_quote_question(text: str) -> QuoteRequest | None:
    """The speaker and subject of "what did X say about Y", or None for other questions.

    The speaker must be capitalised (a name or an acronym): "what did they say" is not a
    speaker question.
    """
    for regex in _QUESTION_RES:
        match = regex.match(text)
        if match is None:
            continue
        words = match["who"].split()
        rest = match["rest"]
        if regex is not _QUESTION_RES[0]:
            # Ukrainian/Russian put the speaker last: extend over the capitalised run.
            tail = re.match(r"(?:\s+[^\W\d_][\w'’\-]*)*", rest)
            run = tail.group().split() if tail else []
            for word in run:
                if not word[:1].isupper():
                    break
                words.append(word)
            rest = rest[len(" ".join(words[1:])) + 1 :] if len(words) > 1 else rest
        # Keep the capitalised run: "Stoltenberg" of "what did NATO chief Stoltenberg say".
        names = [w for w in words if w[:1].isupper()]
        if not names or not words[-1][:1].isupper():
            return None
        about_match = _ABOUT_RE.search(rest)
        about = about_match["about"] if about_match else None
        if about is None and "verb" in regex.groupindex and match["verb"].lower() in _TELL:
            # "what did Zelensky tell Congress": the addressee is what the answer must be
            # about; without it every statement of the speaker would do.
            about = rest.strip(" \t?.!,") or None
        if about:
            about = _DATE_TAIL_RE.sub("", about).strip() or None
        return QuoteRequest(speaker=" ".join(names), about=about)
    return None


def speaker_keys(speaker: str) -> tuple[str, ...]:
    """The keys a speaker query matches (its last word's fold key)."""
    key = speaker_key(speaker)
    return (key,) if key else ()


def _sentence_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    cut = max(body.rfind("\n", 0, start), *(body.rfind(p, 0, start) for p in (". ", "! ", "? ")))
    left = cut + 1 if cut >= 0 else 0
    while left < end and (body[left].isspace() or body[left] in "•·*–—-"):
        left += 1
    stop = len(body)
    for mark in ("\n",):
        found = body.find(mark, end)
        if found != -1:
            stop = min(stop, found)
    return left, stop


def build_quote(stored: StoredStatement, article: Article, score: float) -> Quote:
    """A ``Quote`` of a stored statement: verbatim text and its attribution sentence."""
    body = article.body
    lo = min(stored.start, stored.cue_start)
    hi = max(stored.end, stored.cue_end)
    left, right = _sentence_bounds(body, lo, hi)
    right = max(hi, min(right, hi + 2))
    context = body[left:right].rstrip()
    return Quote(
        speaker=stored.speaker,
        speaker_as_written=stored.speaker_as_written,
        text=body[stored.start : stored.end],
        kind=stored.kind,
        said_on=stored.said_on,
        date_source=stored.date_source,
        citation=Citation.of(article),
        start=stored.start,
        end=stored.end,
        score=score,
        context=context,
        context_start=left,
    )


def rank_about(texts: Sequence[list[str]], query_terms: Sequence[str]) -> list[float]:
    """BM25 scores of each statement's terms for the "about" terms (0 when none match)."""
    if not texts or not query_terms:
        return [0.0] * len(texts)
    from rank_bm25 import BM25Plus

    bm25 = BM25Plus(list(texts))
    scores = bm25.get_scores(list(query_terms))
    wanted = set(query_terms)
    return [
        float(score) if wanted & set(terms) else 0.0
        for score, terms in zip(scores, texts, strict=True)
    ]


def date_filter(date_terms: Sequence[str]) -> tuple[set[date], set[tuple[int, int]]]:
    """Days (``@dYYYY-MM-DD``) and year-less days (``@mMM-DD``) a question names."""
    days: set[date] = set()
    month_days: set[tuple[int, int]] = set()
    for term in date_terms:
        if term.startswith("@d"):
            try:
                days.add(date.fromisoformat(term[2:]))
            except ValueError:
                continue
        elif term.startswith("@m"):
            month, _, day = term[2:].partition("-")
            if month.isdigit() and day.isdigit():
                month_days.add((int(month), int(day)))
    return days, month_days


_NOTES = {
    "found": {
        "en": "From what {who} said, by the archive's statements.",
        "uk": "Із заяв {who} в архіві.",
        "ru": "Из заявлений {who} в архиве.",
    },
    "none": {
        "en": "No statements by {who} in the archive; these are ordinary search results.",
        "uk": "Заяв {who} в архіві немає; це звичайні результати пошуку.",
        "ru": "Заявлений {who} в архиве нет; это обычные результаты поиска.",
    },
}


def quotes_as_answer(
    question: str, lang: str, speaker: str, quotes: Sequence[Quote], archive: object
) -> Answer:
    """An ``Answer`` whose snippets are the statements' sentences, verbatim.

    Each snippet is the statement with its attribution clause (the sentence that names the
    speaker and the date), placed in the passage that holds the statement's start.
    """
    lang = lang if lang in ("en", "uk", "ru") else "en"
    if not quotes:
        note = _NOTES["none"][lang].format(who=speaker)
        return Answer(question=question, found=False, language=lang, note=note)  # type: ignore[arg-type]
    by_article: dict[int, list[Snippet]] = {}
    said_by: dict[int, list[Attribution]] = {}
    citations: dict[int, Citation] = {}
    scores: dict[int, float] = {}
    for quote in quotes:
        passages = archive.get_passages(quote.citation.article_id)  # type: ignore[attr-defined]
        passage = next(
            (p for p in passages if p.start <= quote.context_start < p.end),
            passages[0] if passages else None,
        )
        offset = quote.context_start - (passage.start if passage else 0)
        snippet = Snippet(
            text=quote.context,
            highlights=quote.highlights,
            passage_id=passage.passage_id if passage else 0,
            passage_ordinal=passage.ordinal if passage else 0,
            score=quote.score,
            start=max(offset, 0),
            end=max(offset, 0) + len(quote.context),
        )
        # One entry per article (readers and inline result ids expect that), its
        # statements as snippets in the order they were ranked.
        article_id = quote.citation.article_id
        by_article.setdefault(article_id, []).append(snippet)
        attribution = Attribution(speaker=quote.speaker, said_on=quote.said_on)
        if attribution not in said_by.setdefault(article_id, []):
            said_by[article_id].append(attribution)
        citations.setdefault(article_id, quote.citation)
        scores.setdefault(article_id, quote.score)
    items = [
        ArticleAnswer(
            citation=citations[a],
            snippets=tuple(snips),
            score=scores[a],
            said_by=tuple(said_by[a]),
        )
        for a, snips in by_article.items()
    ]
    who = quotes[0].speaker
    days = {q.said_on for q in quotes}
    if len(days) == 1 and None not in days:
        who = f"{who} ({next(iter(days))})"  # type: ignore[union-attr]
    return Answer(
        question=question,
        found=True,
        articles=tuple(items),
        language=lang,  # type: ignore[arg-type]
        note=_NOTES["found"][lang].format(who=who),
    )


_ABOUT_SPLIT_RE = re.compile(r"\s+(?:about|про|щодо|о|об|обо)\s+", re.IGNORECASE)
_QUESTION_FORMS = {
    "en": ("what did {who} say", "what did {who} say about {about}"),
    "uk": ("що сказав {who}", "що сказав {who} про {about}"),
    "ru": ("что сказал {who}", "что сказал {who} о {about}"),
}


def quote_question(request: str, lang: str = "en") -> str | None:
    """The who-said-what question of the bot's ``/quotes X [about Y]`` (None when empty).

    The speaker's words are capitalised (``/quotes tusk``), which is what routes the
    question to the statements in ``Archive.ask``.
    """
    parts = _ABOUT_SPLIT_RE.split(request.strip(), maxsplit=1)
    who = parts[0].strip()
    about = parts[1].strip() if len(parts) > 1 else ""
    if not who:
        return None
    who = " ".join(w[:1].upper() + w[1:] for w in who.split())
    plain, with_about = _QUESTION_FORMS.get(lang, _QUESTION_FORMS["en"])
    return with_about.format(who=who, about=about) if about else plain.format(who=who)
