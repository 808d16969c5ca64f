"""Button state shared by replicas: a button sent by one bot works when another gets the press.

Two ``StateStore`` objects stand for two replicas' ``bot_data.states``; each shares through
its own ``Archive`` on one PostgreSQL database (as ``BotData.attach`` wires them).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from bot.state import QueryState, StateStore
from index import IndexSettings, open_archive

STATE = QueryState(
    question="How much water did the Kakhovka reservoir hold?",
    next_offset=3,
    cited=((12, 345), (13, -1)),
    user_id=-1001234567890,
    asked_at=datetime(2024, 8, 4, 12, 30, tzinfo=UTC),
)


def _archive(data_dir: Path, url: str | None):  # type: ignore[no-untyped-def]
    return open_archive(IndexSettings(data_dir=data_dir, database_url=url, _env_file=None))


def test_a_button_put_on_one_replica_is_found_on_another(pg_url: str, tmp_path: Path) -> None:
    with _archive(tmp_path / "a", pg_url) as a, _archive(tmp_path / "b", pg_url) as b:
        assert a.shares_state and b.shares_state
        replica_a, replica_b = StateStore(shared=a), StateStore(shared=b)
        state_id = replica_a.put(STATE)
        assert replica_b.get(state_id) == STATE
        assert replica_b.get("unknown-id") is None
        short = StateStore(ttl_s=0.3, shared=a)
        gone = short.put(STATE)
        time.sleep(0.5)
        assert replica_b.get(gone) is None  # expired everywhere


def test_on_sqlite_button_state_stays_in_memory(tmp_path: Path) -> None:
    with _archive(tmp_path / "a", None) as archive:
        assert archive.shares_state is False
        assert archive.get_shared("button:x") is None
