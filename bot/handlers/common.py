"""What every question path shares: the user's language, the flood guard, typing, replying.

Private messages, /ask, group mentions and the More button all end in ``answer_in_chat`` or
``send_answer``; the archive answers in worker processes or threads (``bot.workers``), so the
event loop keeps serving others.

The typing indicator is sent only when the answer is not ready after ``typing_delay_s``:
a reply that arrives within a fraction of a second needs no "typing…" (Telegram clears it
when the message lands anyway), and the indicator is a whole Bot API request. Measured under
load at 100k passages, sending it for every question took ~17% of the bot process's CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.context import BotData, Context
from bot.guards import Verdict
from bot.render import answer_keyboard, escape, render_answer, render_nothing_found
from bot.replies import JSONDict, reply_text, send_text
from bot.state import QueryState
from bot.texts import lang_of, text
from bot.workers import AnswerTimeoutError, WorkerCrashedError
from index import Answer, Lang, NewsdeskError, is_store_unavailable

logger = logging.getLogger(__name__)

ANSWER_K = 3  # articles per answer message; "More" pages through the rest


def lost_answer_text(exc: WorkerCrashedError, lang: Lang) -> str:
    """What to tell a user whose answer was lost: the worker crashed, or it took too long."""
    key = "answer_timeout" if isinstance(exc, AnswerTimeoutError) else "worker_crashed"
    return text(key, lang)


def user_lang(update: Update) -> Lang:
    """The language of the fixed texts for this update's user."""
    user = update.effective_user
    return lang_of(user.language_code if user else None)


async def answer_in_chat(update: Update, context: Context, question: str) -> None:
    """Answer ``question`` as a reply to the update's message (flood guard, typing, answer)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update)
    data = context.bot_data
    user_id = update.effective_user.id if update.effective_user else None
    if user_id is not None:
        verdict = await data.flood.admit(user_id)
        if verdict is Verdict.DROP:
            logger.info("flood guard: dropped a question from user %s", user_id)
            return
        if verdict is Verdict.WARN:
            logger.info("flood guard: user %s is over the limit", user_id)
            await reply_text(message, text("flood", lang))
            return
    answer: Answer | None = None
    async with Typing(message, data.settings.typing_delay_s):  # replies come after "typing…"
        try:
            # The asking time is the message's date: "this week", "yesterday" and "recently"
            # mean the user's week, even when the answer comes later (a queue, a replay).
            answer = await data.answers.ask(question, k=ANSWER_K, now=message.date)
        except WorkerCrashedError as exc:
            logger.error("answer lost on a question from user %s: %s", user_id, exc)
            refusal = lost_answer_text(exc, lang)
        except NewsdeskError as exc:
            logger.warning("question refused for user %s: %s", user_id, exc.reason)
            refusal = describe_error(exc, lang)
    if answer is None:
        await reply_text(message, refusal)
        return
    await send_answer(
        message, data, answer, lang, user_id=user_id, offset=0, reply=True, asked_at=message.date
    )


class Typing:
    """``async with Typing(message, delay_s):`` shows "typing…" if the block takes long.

    The indicator is sent ``delay_s`` after entering (at once when 0) unless the block has
    finished by then; leaving the block waits for an indicator already on its way, so it
    never lands after the reply. A failure to send it never costs the answer itself.
    """

    def __init__(self, message: Message, delay_s: float) -> None:
        self._message = message
        self._delay_s = delay_s
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Typing:
        if self._delay_s <= 0:
            self._start()
        else:
            self._timer = asyncio.get_running_loop().call_later(self._delay_s, self._start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None:
            await self._task

    def _start(self) -> None:
        self._task = asyncio.create_task(self._send())

    async def _send(self) -> None:
        try:
            await self._message.chat.send_action(ChatAction.TYPING)
        except TelegramError as exc:
            logger.warning("typing indicator failed in chat %s: %s", self._message.chat_id, exc)


async def send_answer(
    message: Message,
    data: BotData,
    answer: Answer,
    lang: Lang,
    *,
    user_id: int | None,
    offset: int,
    reply: bool,
    asked_at: datetime | None = None,
) -> None:
    """Send an answer page (or "nothing found") with its buttons, split to Telegram's limit.

    Args:
        message: the user's message to reply to, or the bot's message whose chat gets the page.
        data: bot services (state store for the buttons, stats for "nothing found").
        answer: what the archive answered.
        lang: language of the fixed texts.
        user_id: who asked (kept with the button state).
        offset: how many articles earlier pages showed (numbering and the next page).
        reply: reply to ``message`` (quotes it in groups) instead of just posting in its chat.
        asked_at: when the question was asked (kept for "More": later pages answer as of
            then).
    """
    keyboard: JSONDict | None = None
    if answer.found and answer.articles:
        shown = len(answer.articles)
        state = QueryState(
            question=answer.question,
            next_offset=offset + shown,
            cited=tuple(
                (item.citation.article_id, item.snippets[0].passage_id if item.snippets else -1)
                for item in answer.articles
            ),
            user_id=user_id,
            asked_at=asked_at,
        )
        state_id = await data.states.keep(state)
        parts = render_answer(answer, lang, first_number=offset + 1)
        keyboard = answer_keyboard(state_id, shown, shown >= ANSWER_K, lang, offset + 1)
    elif offset:
        parts = [text("no_more", lang)]
    else:
        stats = await data.stats()
        parts = render_nothing_found(answer, lang, stats.first_published, stats.last_published)
    # Sent as plain JSON (``bot.replies``): nothing here reads the sent messages back.
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        if reply:
            await reply_text(message, part, markup)
        else:
            await send_text(message.get_bot(), message.chat_id, part, markup)


def describe_error(error: NewsdeskError, lang: Lang) -> str:
    """A NewsdeskError as a polite HTML text naming the item and the (user-safe) reason."""
    if is_store_unavailable(error):
        return text("store_unavailable", lang)
    reason = f"{error.item}: {error.reason}" if error.item else error.reason
    return text("bad_request", lang, reason=escape(reason))


async def reply_error(message: Message | None, lang: Lang, error: NewsdeskError) -> None:
    """Turn a NewsdeskError into a polite reply naming the item and the reason."""
    if message is not None:
        with contextlib.suppress(TelegramError):
            await message.reply_text(describe_error(error, lang))
