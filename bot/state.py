"""Short callback ids ↔ query state kept on our side, with an expiry.

Telegram allows 64 bytes of callback_data, too little for a question. A button therefore
carries only a short random id; the question, the next offset and the cited passages stay
here. Entries expire after ``ttl_s`` and the oldest are dropped beyond ``max_entries``, so a
busy bot's memory stays bounded; an expired id is a stale button and gets a polite answer.
PTB's ``arbitrary_callback_data`` would do similar, but it needs cachetools and pickles whole
objects into a persistence; this is the few lines we need, with an explicit expiry.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QueryState:
    """What a More / Full article button needs to continue a conversation."""

    question: str
    next_offset: int
    cited: tuple[tuple[int, int], ...]  # (article_id, passage_id) per answer article
    user_id: int | None
    # When the question was asked (the message date): "More" pages answer as of then.
    asked_at: datetime | None = None


class StateStore:
    """An in-memory, thread-safe, expiring map from short ids to ``QueryState``."""

    def __init__(
        self,
        ttl_s: float = 3600.0,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, QueryState]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, state: QueryState) -> str:
        """Store ``state`` and return its id (8 URL-safe characters)."""
        state_id = secrets.token_urlsafe(6)
        now = self._clock()
        with self._lock:
            self._entries[state_id] = (now + self._ttl_s, state)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            self._drop_expired(now)
        return state_id

    def get(self, state_id: str) -> QueryState | None:
        """The state for ``state_id``, or None when unknown or expired."""
        with self._lock:
            entry = self._entries.get(state_id)
            if entry is None:
                return None
            expires_at, state = entry
            if expires_at <= self._clock():
                del self._entries[state_id]
                return None
            return state

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _drop_expired(self, now: float) -> None:
        # Entries are in insertion order with one TTL, so expired ones are at the front.
        while self._entries:
            state_id, (expires_at, _) = next(iter(self._entries.items()))
            if expires_at > now:
                break
            del self._entries[state_id]
