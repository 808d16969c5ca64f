"""Who may do what, and how fast: the admin check and the per-user flood guard."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from telegram import Update

from bot.texts import lang_of, text
from index import NewsdeskError

if TYPE_CHECKING:
    from bot.context import Context

logger = logging.getLogger(__name__)

Handler = Callable[[Update, "Context"], Awaitable[None]]

PRUNE_EVERY_S = 60.0  # how often idle users are dropped from the flood guard


class Verdict(Enum):
    """The flood guard's decision for one question."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the user once per window
    DROP = "drop"  # still over the limit, already told: stay quiet


@dataclass(slots=True)
class _UserWindow:
    times: deque[float]
    warned_until: float = 0.0


class SharedFlood(Protocol):
    """The replicas' shared flood guard (``index.Archive`` on PostgreSQL)."""

    def flood_check(self, user_id: int, max_events: int, window_s: float) -> str: ...

    async def flood_check_async(self, user_id: int, max_events: int, window_s: float) -> str: ...


class FloodGuard:
    """At most ``max_events`` questions per ``window_s`` per user (a sliding window).

    The first question over the limit gets a friendly message; further ones in the same
    window are dropped silently, so a burst cannot make the bot flood the chat in return.
    With ``shared`` (replicas behind one webhook) the window lives in the store, so a user
    cannot get around it by landing on several replicas; when the store cannot be reached
    the process's own window decides.
    """

    def __init__(
        self,
        max_events: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedFlood | None = None,
    ) -> None:
        self._shared = shared
        self._max_events = max_events
        self._window_s = window_s
        self._clock = clock
        self._users: dict[int, _UserWindow] = {}
        self._lock = threading.Lock()
        self._next_prune = clock() + PRUNE_EVERY_S

    def check(self, user_id: int) -> Verdict:
        """Record one question from ``user_id`` and say whether to answer it."""
        if self._shared is not None:
            try:
                return Verdict(self._shared.flood_check(user_id, self._max_events, self._window_s))
            except NewsdeskError as exc:
                logger.warning("shared flood guard unavailable, this replica's decides: %s", exc)
        return self._check_here(user_id)

    def _check_here(self, user_id: int) -> Verdict:
        """``check`` on this process's own window."""
        now = self._clock()
        with self._lock:
            if now >= self._next_prune:
                self._prune(now)
            window = self._users.setdefault(user_id, _UserWindow(deque()))
            while window.times and window.times[0] <= now - self._window_s:
                window.times.popleft()
            if len(window.times) < self._max_events:
                window.times.append(now)
                return Verdict.ALLOW
            if window.warned_until > now:
                return Verdict.DROP
            window.warned_until = window.times[0] + self._window_s
            return Verdict.WARN

    async def admit(self, user_id: int) -> Verdict:
        """``check`` for the event loop: with a shared window the check is a round trip to
        the store, awaited so that other updates are served meanwhile (sent from the loop
        itself, ``Archive.flood_check_async``: a thread hop cost more CPU than the statement);
        alone it is a few dict operations."""
        if self._shared is None:
            return self.check(user_id)
        try:
            return Verdict(
                await self._shared.flood_check_async(user_id, self._max_events, self._window_s)
            )
        except NewsdeskError as exc:
            logger.warning("shared flood guard unavailable, this replica's decides: %s", exc)
        return self._check_here(user_id)

    def _prune(self, now: float) -> None:
        """Forget users with nothing left in their window, so memory follows active users."""
        horizon = now - self._window_s
        self._users = {
            user_id: window
            for user_id, window in self._users.items()
            if (window.times and window.times[-1] > horizon) or window.warned_until > now
        }
        self._next_prune = now + PRUNE_EVERY_S

    def __len__(self) -> int:
        with self._lock:
            return len(self._users)


def admin_only(handler: Handler) -> Handler:
    """Run ``handler`` only for NEWSDESK_ADMIN_IDS; everyone else gets a polite refusal.

    Every admin action is logged with the user id, refused ones at WARNING.
    """

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user = update.effective_user
        user_id = user.id if user else None
        action = _describe(update)
        if not context.bot_data.settings.is_admin(user_id):
            logger.warning("admin action refused for user %s: %s", user_id, action)
            if update.effective_message:
                lang = lang_of(user.language_code if user else None)
                await update.effective_message.reply_text(text("refused", lang))
            return
        logger.info("admin action by user %s: %s", user_id, action)
        await handler(update, context)

    return guarded


def _describe(update: Update) -> str:
    message = update.effective_message
    if message is None:
        return "?"
    if message.document:
        return f"upload {message.document.file_name!r} ({message.document.file_size} bytes)"
    return (message.text or "?")[:200]
