"""Answer → Telegram HTML: escaped pieces, bold highlights, citation lines, ≤ 4096-char parts.

Everything shown is first built as a list of ``Run`` pieces (plain text plus one style), and
only turned into markup at the very end, one run at a time with ``html.escape``. Splitting a
long message therefore cuts the *visible* text, at paragraph, sentence or word boundaries, and
every part re-opens and closes its own tags: a cut can never land inside a tag or an entity.
Lengths are counted in UTF-16 code units, the unit Telegram's entity offsets use; that is never
less than the character count Telegram limits, so a part within budget is always accepted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.replies import JSONDict, inline_keyboard
from bot.texts import format_day, text
from index import (
    Answer,
    Article,
    ArticleAnswer,
    ArticleSummary,
    Attribution,
    Citation,
    Lang,
    Passage,
    Snippet,
    Story,
)

TELEGRAM_MAX_CHARS = 4096  # sendMessage / editMessageText text limit, after entity parsing
CALLBACK_DATA_MAX_BYTES = 64  # InlineKeyboardButton.callback_data limit (Bot API docs)
INLINE_DESCRIPTION_CHARS = 200  # Telegram shows two lines; more is wasted bytes
INLINE_TITLE_CHARS = 120
QUESTION_ECHO_CHARS = 200  # how much of a question "nothing found" quotes back
FULL_ARTICLE_CONTEXT = 2  # passages shown on each side of the cited one

_SENTENCE_END = re.compile(r"(?<=[.!?…。])[\"'»”)\]]*\s+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of visible text with at most one style; ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None

    def to_html(self) -> str:
        """This run as Telegram HTML; the text is escaped, the link attribute quoted."""
        out = escape(self.text)
        if self.bold:
            out = f"<b>{out}</b>"
        if self.italic:
            out = f"<i>{out}</i>"
        if self.href:
            out = f'<a href="{html.escape(self.href, quote=True)}">{out}</a>'
        return out


def escape(value: object) -> str:
    """Escape text for Telegram HTML (``&``, ``<``, ``>``; quotes only matter in attributes)."""
    return html.escape(str(value), quote=False)


def tg_len(value: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(value.encode("utf-16-le")) // 2


def runs_to_html(runs: Sequence[Run]) -> str:
    """Join runs into one HTML string."""
    return "".join(run.to_html() for run in runs if run.text)


def split_runs(runs: Sequence[Run], max_chars: int = TELEGRAM_MAX_CHARS) -> list[list[Run]]:
    """Cut runs into parts of at most ``max_chars`` visible UTF-16 units each.

    Cuts prefer a blank line, then a line break, then a sentence end, then a space, and only
    then fall back to a hard cut. Whitespace at the edges of a part is dropped (Telegram drops
    it too), and empty parts are never returned.
    """
    full = "".join(run.text for run in runs)
    parts: list[list[Run]] = []
    start = _skip_space(full, 0)
    while start < len(full):
        limit = _prefix_end(full, start, max_chars)
        cut = limit if limit >= len(full) else _best_cut(full, start, limit)
        end = cut
        while end > start and full[end - 1].isspace():
            end -= 1
        if end > start:
            parts.append(_slice_runs(runs, start, end))
        start = _skip_space(full, cut)
    return parts


def _skip_space(full: str, pos: int) -> int:
    while pos < len(full) and full[pos].isspace():
        pos += 1
    return pos


def _prefix_end(full: str, start: int, max_chars: int) -> int:
    """The largest index such that ``full[start:index]`` fits in ``max_chars`` UTF-16 units.

    Each character is 1 or 2 units, so start from ``max_chars`` characters and drop half the
    excess at a time; ``tg_len`` runs in C, which keeps rendering off the bot's profile.
    """
    end = min(len(full), start + max_chars)
    while (excess := tg_len(full[start:end]) - max_chars) > 0:
        end -= (excess + 1) // 2
    while end < len(full) and tg_len(full[start : end + 1]) <= max_chars:
        end += 1
    return end


def _best_cut(full: str, start: int, limit: int) -> int:
    window = full[start:limit]
    floor = len(window) // 4  # a cut this early wastes a whole message; look for a later kind
    for pattern in ("\n\n", "\n"):
        found = window.rfind(pattern)
        if found > floor:
            return start + found + len(pattern)
    for regex in (_SENTENCE_END, _WHITESPACE):
        ends = [match.end() for match in regex.finditer(window) if match.start() > floor]
        if ends:
            return start + ends[-1]
    return limit


def _slice_runs(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    out: list[Run] = []
    offset = 0
    for run in runs:
        run_start, run_end = offset, offset + len(run.text)
        offset = run_end
        lo, hi = max(start, run_start), min(end, run_end)
        if lo == run_start and hi == run_end and lo < hi:
            out.append(run)  # whole (most runs): runs are frozen, so it can be shared
        elif lo < hi:
            out.append(replace(run, text=run.text[lo - run_start : hi - run_start]))
    return out


def render_parts(runs: Sequence[Run], max_chars: int = TELEGRAM_MAX_CHARS) -> list[str]:
    """Runs → HTML message texts, each within Telegram's limit."""
    return [runs_to_html(part) for part in split_runs(runs, max_chars)]


def trim(value: str, max_chars: int) -> str:
    """Shorten plain text to ``max_chars`` UTF-16 units at a word boundary, adding "…"."""
    value = " ".join(value.split())
    if tg_len(value) <= max_chars:
        return value
    end = _prefix_end(value, 0, max_chars - 1)
    space = value.rfind(" ", 0, end)
    if space > end // 2:
        end = space
    return value[:end].rstrip() + "…"


def format_date(moment: datetime | None) -> str:
    """ISO date (2024-07-14): unambiguous in every language we speak."""
    return moment.date().isoformat() if moment else ""


def snippet_runs(snippet: Snippet) -> list[Run]:
    """A snippet with its highlights in bold.

    The highlights come normalised from the answer stage (a name split by spaces is one
    span); ``Snippet.pieces`` cuts the text at them exactly as the CLI does.
    """
    return [Run(piece, bold=marked) for piece, marked in snippet.pieces()]


def _safe_href(url: str | None) -> str | None:
    """Only http(s) links: Telegram rejects other schemes in ``<a href>``."""
    if url and re.match(r"^https?://\S+$", url):
        return url
    return None


def attribution_text(said_by: Sequence[Attribution], lang: Lang) -> str:
    """Who said it and when: "Jens Stoltenberg, 14 July 2024" (dates of one speaker joined
    by "; ", speakers by " · "), plain text."""
    days: dict[str, list[str]] = {}
    for item in said_by:
        said = days.setdefault(item.speaker, [])
        if item.said_on is not None and format_day(item.said_on, lang) not in said:
            said.append(format_day(item.said_on, lang))
    return " · ".join(
        f"{speaker}, {'; '.join(said)}" if said else speaker for speaker, said in days.items()
    )


def citation_runs(
    citation: Citation, lang: Lang, said_by: Sequence[Attribution] = ()
) -> list[Run]:
    """``— Title · Outlet · 2024-07-14`` with the title linked to the article.

    A statement answer's line starts with the speaker and the statement's date:
    ``— Jens Stoltenberg, 14 July 2024 · reported in: Title · Outlet · 2024-07-18``.
    """
    title = citation.title.strip() or text("untitled", lang)
    runs = [Run("— ")]
    if said_by:
        runs.append(Run(attribution_text(said_by, lang), bold=True))
        runs.append(Run(f" · {text('reported_in', lang)} "))
    runs.append(Run(title, href=_safe_href(citation.url)))
    meta = [part for part in (citation.source, format_date(citation.published_at)) if part]
    if meta:
        runs.append(Run(" · " + " · ".join(meta), italic=True))
    return runs


def article_runs(item: ArticleAnswer, lang: Lang, number: int | None = None) -> list[Run]:
    """One cited article: its snippets (joined by " … ") and the citation line under them."""
    runs: list[Run] = [Run(f"{number}. ")] if number is not None else []
    for index, snippet in enumerate(item.snippets):
        if index:
            runs.append(Run(" … "))
        runs.extend(snippet_runs(snippet))
    runs.append(Run("\n"))
    runs.extend(citation_runs(item.citation, lang, item.said_by))
    if item.reprints_note:
        # "+1 reprint: Outlet", already in the question's language (index.answer).
        runs.append(Run("\n" + item.reprints_note, italic=True))
    return runs


def render_answer(
    answer: Answer, lang: Lang, *, first_number: int = 1, max_chars: int = TELEGRAM_MAX_CHARS
) -> list[str]:
    """A found answer as HTML parts: numbered articles, each with its citation line.

    The answer's note (a relaxed or listed publication period) heads the first page in italics,
    so the reader knows when the dates asked for were not what was matched.
    """
    runs: list[Run] = []
    if answer.note and first_number == 1:
        runs.extend([Run(trim(answer.note, 300), italic=True), Run("\n\n")])
    for index, item in enumerate(answer.articles):
        if index:
            runs.append(Run("\n\n"))
        runs.extend(article_runs(item, lang, first_number + index))
    return render_parts(runs, max_chars)


def render_nothing_found(
    answer: Answer,
    lang: Lang,
    first: datetime | None,
    last: datetime | None,
    max_chars: int = TELEGRAM_MAX_CHARS,
) -> list[str]:
    """ "Nothing found": suggest rephrasing, say which dates we cover, list the nearest titles."""
    no_dates = text("no_dates", lang)
    head = text(
        "nothing_found",
        lang,
        question=escape(trim(answer.question, QUESTION_ECHO_CHARS)),
        first=escape(format_date(first) or no_dates),
        last=escape(format_date(last) or no_dates),
    )
    if answer.nearest_titles:
        titles = "\n".join(f"• {escape(trim(title, 200))}" for title in answer.nearest_titles[:3])
        head += f"\n\n{text('nearest', lang)}\n{titles}"
    return [head] if tg_len(head) <= max_chars else [escape(trim(answer.question, 100))]


def render_full_article(
    article: Article,
    passages: Sequence[Passage],
    cited_passage_id: int,
    lang: Lang,
    story: Story | None = None,
) -> list[str]:
    """The passages around the cited one (marked ▶), under the article's citation line.

    When the article has reprints, the story's members follow (original first, each linked,
    with outlet and date; this article marked ▶).
    """
    ordered = sorted(passages, key=lambda passage: passage.ordinal)
    position = next(
        (i for i, passage in enumerate(ordered) if passage.passage_id == cited_passage_id), 0
    )
    window = ordered[max(0, position - FULL_ARTICLE_CONTEXT) : position + FULL_ARTICLE_CONTEXT + 1]
    title = article.title.strip() or text("untitled", lang)
    runs: list[Run] = [Run(title, bold=True, href=_safe_href(article.url))]
    meta = [part for part in (article.source, format_date(article.published_at)) if part]
    if meta:
        runs.append(Run("\n" + " · ".join(meta), italic=True))
    for passage in window:
        runs.append(Run("\n\n"))
        if passage.passage_id == cited_passage_id:
            runs.append(Run("▶ ", bold=True))
        runs.append(Run(passage.text))
    if story is not None and len(story.members) > 1:
        runs.append(Run("\n\n" + text("story_members", lang), bold=True))
        for member in story.members:
            marker = "▶ " if member.article_id == article.article_id else "• "
            runs.append(Run("\n" + marker))
            title = member.title.strip() or text("untitled", lang)
            runs.append(Run(trim(title, 200), href=_safe_href(member.url)))
            meta = [part for part in (member.source, format_date(member.published_at)) if part]
            if meta:
                runs.append(Run(" · " + " · ".join(meta), italic=True))
    return render_parts(runs)


def inline_title(citation_title: str, lang: Lang) -> str:
    """An inline result's title: the article title, plain text."""
    return trim(citation_title, INLINE_TITLE_CHARS) or text("untitled", lang)


def inline_description(item: ArticleAnswer, lang: Lang = "en") -> str:
    """An inline result's description: the date and the first snippet, plain text.

    For a statement, the speaker and the statement's date instead of the publication date.
    """
    snippet = item.snippets[0].text if item.snippets else ""
    if item.said_by:
        return trim(
            f"{attribution_text(item.said_by, lang)} · {snippet}", INLINE_DESCRIPTION_CHARS
        )
    date = format_date(item.citation.published_at)
    return trim(f"{date} · {snippet}" if date else snippet, INLINE_DESCRIPTION_CHARS)


def inline_message(item: ArticleAnswer, lang: Lang) -> str:
    """The message an inline result sends: the cited snippet(s) and the linked citation."""
    return render_parts(article_runs(item, lang))[0]


def summary_message(summary: ArticleSummary, lang: Lang) -> str:
    """The message sent for a "latest articles" inline result: linked title and meta."""
    title = summary.title.strip() or text("untitled", lang)
    runs = [Run(title, bold=True, href=_safe_href(summary.url))]
    meta = summary_description(summary)
    if meta:
        runs.append(Run("\n" + meta, italic=True))
    return render_parts(runs)[0]


def summary_description(summary: ArticleSummary) -> str:
    """Date and outlet of a "latest articles" inline result."""
    parts = [part for part in (format_date(summary.published_at), summary.source) if part]
    return trim(" · ".join(parts), INLINE_DESCRIPTION_CHARS)


def more_data(state_id: str) -> str:
    """callback_data of the More button."""
    return _checked(f"m:{state_id}")


def full_data(state_id: str, index: int) -> str:
    """callback_data of a Full article button (``index`` into the answer's articles)."""
    return _checked(f"f:{state_id}:{index}")


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback_data over {CALLBACK_DATA_MAX_BYTES} bytes: {data!r}")
    return data


def answer_keyboard(
    state_id: str, n_articles: int, has_more: bool, lang: Lang, first_number: int = 1
) -> JSONDict | None:
    """Full article buttons (one per cited article) and More, or None when there is nothing.

    As the Bot API's JSON (``bot.replies``), not PTB's ``InlineKeyboardMarkup``: building four
    ``InlineKeyboardButton``s and ``to_dict`` of them cost ~220 µs per answer (timeit).
    """
    rows = [
        [(text("full_button", lang, n=first_number + index), full_data(state_id, index))]
        for index in range(n_articles)
    ]
    if has_more:
        rows.append([(text("more_button", lang), more_data(state_id))])
    return inline_keyboard(rows) if rows else None
