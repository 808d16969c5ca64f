"""Short callback ids ↔ query state kept on our side, with an expiry.

Telegram allows 64 bytes of callback_data, too little for a question. A button therefore
carries only a short random id; the question, the next offset and the cited passages stay
here. Entries expire after ``ttl_s`` and the oldest are dropped beyond ``max_entries``, so a
busy bot's memory stays bounded; an expired id is a stale button and gets a polite answer.
PTB's ``arbitrary_callback_data`` would do similar, but it needs cachetools and pickles whole
objects into a persistence; this is the few lines we need, with an explicit expiry.

Replicas (the store on PostgreSQL, several bots behind one webhook): a button sent by one
replica may be pressed on another, so each state is also written, as JSON, to the store's
shared state (``Archive.put_shared``), and a replica that does not hold an id reads it there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from index import NewsdeskError

logger = logging.getLogger(__name__)
STATE_KEY_PREFIX = "button:"


class SharedState(Protocol):
    """Where replicas share short-lived state (``index.Archive`` on PostgreSQL)."""

    def put_shared(self, key: str, value: str, ttl_s: float) -> None: ...

    async def put_shared_async(self, key: str, value: str, ttl_s: float) -> None: ...

    def get_shared(self, key: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class QueryState:
    """What a More / Full article button needs to continue a conversation."""

    question: str
    next_offset: int
    cited: tuple[tuple[int, int], ...]  # (article_id, passage_id) per answer article
    user_id: int | None
    # When the question was asked (the message date): "More" pages answer as of then.
    asked_at: datetime | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "question": self.question,
                "next_offset": self.next_offset,
                "cited": [list(pair) for pair in self.cited],
                "user_id": self.user_id,
                "asked_at": self.asked_at.isoformat() if self.asked_at else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> QueryState:
        raw = json.loads(text)
        asked = raw.get("asked_at")
        return cls(
            question=str(raw["question"]),
            next_offset=int(raw["next_offset"]),
            cited=tuple((int(a), int(p)) for a, p in raw["cited"]),
            user_id=raw.get("user_id"),
            asked_at=datetime.fromisoformat(asked) if asked else None,
        )


class StateStore:
    """An in-memory, thread-safe, expiring map from short ids to ``QueryState``.

    With ``shared`` (replicas), every state is also kept there, and an id this process does
    not hold is looked up there; a store that cannot be reached costs only the sharing.
    """

    def __init__(
        self,
        ttl_s: float = 3600.0,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedState | None = None,
    ) -> None:
        self._shared = shared
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, QueryState]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, state: QueryState) -> str:
        """Store ``state`` and return its id (8 URL-safe characters)."""
        state_id = self._put_here(state)
        if self._shared is not None:
            try:
                self._shared.put_shared(STATE_KEY_PREFIX + state_id, state.to_json(), self._ttl_s)
            except NewsdeskError as exc:
                logger.warning("button state not shared with other replicas: %s", exc)
        return state_id

    def _put_here(self, state: QueryState) -> str:
        """Keep ``state`` in this process under a new id."""
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
            if entry is not None:
                expires_at, state = entry
                if expires_at <= self._clock():
                    del self._entries[state_id]
                    return None
                return state
        return self._get_shared(state_id)

    async def keep(self, state: QueryState) -> str:
        """``put`` for the event loop: sharing is a round trip to the store, awaited so that
        other updates are served meanwhile (sent from the loop itself,
        ``Archive.put_shared_async``). It completes before the caller sends the buttons, so a
        press on another replica finds the state."""
        if self._shared is None:
            return self.put(state)
        state_id = self._put_here(state)
        try:
            await self._shared.put_shared_async(
                STATE_KEY_PREFIX + state_id, state.to_json(), self._ttl_s
            )
        except NewsdeskError as exc:
            logger.warning("button state not shared with other replicas: %s", exc)
        return state_id

    async def find(self, state_id: str) -> QueryState | None:
        """``get`` for the event loop: this process's states at once, another replica's
        through the store in a thread."""
        with self._lock:
            held = state_id in self._entries
        if held or self._shared is None:
            return self.get(state_id)
        return await asyncio.to_thread(self.get, state_id)

    def _get_shared(self, state_id: str) -> QueryState | None:
        """A state another replica put (None without sharing, or when it is unknown there)."""
        if self._shared is None:
            return None
        try:
            found = self._shared.get_shared(STATE_KEY_PREFIX + state_id)
        except NewsdeskError as exc:
            logger.warning("button state of other replicas unavailable: %s", exc)
            return None
        return QueryState.from_json(found) if found is not None else None

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
