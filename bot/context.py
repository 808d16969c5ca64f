"""Typed ``bot_data``: the long-lived services every handler needs.

PTB builds ``bot_data`` by calling its class with no arguments, so ``BotData`` starts empty
and ``build_application`` attaches the settings and the archive before the bot starts.
Handlers are typed with ``Context`` and read ``context.bot_data.archive`` without casts.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.guards import FloodGuard
from bot.settings import BotSettings
from bot.state import StateStore
from bot.workers import AnswerWorkers
from index import Archive, StoreStats

STATS_TTL_S = 30.0  # /start and "nothing found" show the date range; it changes only on ingest


class BotData:
    """Services shared by all handlers: settings, archive, answers, button state, flood guard."""

    def __init__(self) -> None:
        self._settings: BotSettings | None = None
        self._archive: Archive | None = None
        self._answers: AnswerWorkers | None = None
        self.states = StateStore()
        self.flood = FloodGuard(5, 10.0)
        self.reindex_running = False
        # Channels whose posts were dropped as not allowed, so each is logged once.
        self.ignored_channels: set[int] = set()
        self._stats: StoreStats | None = None
        self._stats_at = 0.0
        self._stats_lock = asyncio.Lock()

    def attach(self, settings: BotSettings, archive: Archive, answers: AnswerWorkers) -> None:
        """Wire in the settings, the archive and the answer workers (``build_application``)."""
        self._settings = settings
        self._archive = archive
        self._answers = answers
        # Replicas on PostgreSQL share button state and the flood guard through the store.
        shared = archive if getattr(archive, "shares_state", False) is True else None
        self.states = StateStore(ttl_s=settings.state_ttl_s, shared=shared)
        self.flood = FloodGuard(
            settings.flood_max_questions, settings.flood_window_s, shared=shared
        )

    @property
    def settings(self) -> BotSettings:
        """The bot's settings."""
        if self._settings is None:
            raise RuntimeError("BotData used before build_application attached settings")
        return self._settings

    @property
    def archive(self) -> Archive:
        """The news archive (thread-safe: handlers call it from worker threads)."""
        if self._archive is None:
            raise RuntimeError("BotData used before build_application attached an archive")
        return self._archive

    @property
    def answers(self) -> AnswerWorkers:
        """Where questions are answered: worker processes or threads (``bot.workers``)."""
        if self._answers is None:
            raise RuntimeError("BotData used before build_application attached answer workers")
        return self._answers

    async def stats(self) -> StoreStats:
        """Archive stats, cached for a few seconds so every "nothing found" stays cheap."""
        async with self._stats_lock:
            now = time.monotonic()
            if self._stats is None or now - self._stats_at > STATS_TTL_S:
                self._stats = await asyncio.to_thread(self.archive.stats)
                self._stats_at = now
            return self._stats

    def forget_stats(self) -> None:
        """Drop cached stats after the archive changed (ingest, delete, reindex)."""
        self._stats = None


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
