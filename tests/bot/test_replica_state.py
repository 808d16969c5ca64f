"""State shared by replicas: a button sent by one bot works when another gets the press, and
the flood guard counts a user's questions wherever they land.

Two ``StateStore`` objects stand for two replicas' ``bot_data.states``; each shares through
its own ``Archive`` on one PostgreSQL database (as ``BotData.attach`` wires them).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from bot.guards import FloodGuard, Verdict
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


def test_the_flood_guard_counts_a_users_questions_on_every_replica(
    pg_url: str, tmp_path: Path
) -> None:
    with _archive(tmp_path / "a", pg_url) as a, _archive(tmp_path / "b", pg_url) as b:
        guard_a = FloodGuard(2, 10.0, shared=a)
        guard_b = FloodGuard(2, 10.0, shared=b)
        user = 987654321
        assert [
            guard_a.check(user),
            guard_b.check(user),
            guard_a.check(user),  # the third in the window, wherever it lands
            guard_b.check(user),
        ] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN, Verdict.DROP]
        assert guard_b.check(user + 1) is Verdict.ALLOW  # other users are not affected
        short = FloodGuard(1, 0.3, shared=a)
        assert short.check(user + 2) is Verdict.ALLOW
        time.sleep(0.4)
        assert FloodGuard(1, 0.3, shared=b).check(user + 2) is Verdict.ALLOW  # window slid
