"""State shared by replicas: a button sent by one bot works when another gets the press, and
the flood guard counts a user's questions wherever they land.

Two ``StateStore`` objects stand for two replicas' ``bot_data.states``; each shares through
its own ``Archive`` on one PostgreSQL database (as ``BotData.attach`` wires them).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import SecretStr

from bot.app import build_application, webhook_options
from bot.guards import FloodGuard, Verdict
from bot.state import QueryState, StateStore
from index import IndexSettings, open_archive
from tests.auxil.fake_bot_api import FakeBotApi, parse_html
from tests.bot.conftest import USER, make_settings
from tests.bot.corpus import write_corpus
from tests.bot.test_webhook import free_port

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


async def test_flood_checks_and_buttons_sent_from_the_event_loop_are_shared(
    pg_url: str, tmp_path: Path
) -> None:
    """``admit`` and ``keep`` (the handlers' calls) go over each archive's own connection on
    the event loop (``index.store.pg_loop``) and count and share as the threads' path does."""
    with _archive(tmp_path / "a", pg_url) as a, _archive(tmp_path / "b", pg_url) as b:
        guard_a, guard_b = FloodGuard(2, 10.0, shared=a), FloodGuard(2, 10.0, shared=b)
        user = 55501
        verdicts = [
            await guard_a.admit(user),
            await guard_b.admit(user),
            await guard_a.admit(user),
            await guard_b.admit(user),
        ]
        assert verdicts == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN, Verdict.DROP]
        state_id = await StateStore(shared=a).keep(STATE)
        assert StateStore(shared=b).get(state_id) == STATE
        assert guard_a.check(user) is Verdict.DROP  # the threads' path sees the same window
        assert a._on_loop is not None and a._on_loop._conn is not None  # the loop served


async def test_a_lost_loop_connection_hands_the_question_to_the_pool(
    pg_url: str, tmp_path: Path
) -> None:
    """The server drops the loop's connection (a restart, an admin's kill): the next check
    is still counted once, through the pool, and the loop connection waits before it is
    made again."""
    import psycopg

    with _archive(tmp_path / "a", pg_url) as a:
        guard = FloodGuard(2, 10.0, shared=a)
        user = 55502
        assert await guard.admit(user) is Verdict.ALLOW
        assert a._on_loop is not None
        backend = a._on_loop._conn.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        assert await guard.admit(user) is Verdict.ALLOW  # through the pool
        assert a._on_loop._conn is None
        assert await guard.admit(user) is Verdict.WARN  # still the pool, still counted
        state_id = await StateStore(shared=a).keep(STATE)
        assert StateStore(shared=a).get(state_id) == STATE
        assert a._on_loop._conn is None


def test_each_event_loop_gets_its_own_loop_connection(pg_url: str, tmp_path: Path) -> None:
    """An archive used from one event loop and then another (tests, a restarted bot) makes a
    new loop connection rather than using one bound to a closed loop."""
    import asyncio

    with _archive(tmp_path / "a", pg_url) as a:
        guard = FloodGuard(3, 10.0, shared=a)
        first = asyncio.run(guard.admit(55503))
        second = asyncio.run(guard.admit(55503))
        assert [first, second, guard.check(55503)] == [Verdict.ALLOW] * 3
        assert asyncio.run(guard.admit(55503)) is Verdict.WARN


def test_replica_state_tables_of_an_older_store_become_unlogged_and_keep_working(
    pg_url: str, tmp_path: Path
) -> None:
    """A store made before the ephemeral tables were UNLOGGED (before the flood table kept
    the verdict, and the change log took ``story`` entries) is switched over when a replica
    opens it, and the guard still counts."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE flood (user_id BIGINT PRIMARY KEY, times DOUBLE PRECISION[] NOT NULL, "
            "warned_until DOUBLE PRECISION NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE shared_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
            "expires_at DOUBLE PRECISION NOT NULL)"
        )
        conn.execute(
            "INSERT INTO flood VALUES (5, ARRAY[%s]::double precision[], 0)", (time.time(),)
        )
        conn.execute(  # the change log as it was before ``story`` entries
            "CREATE TABLE changes (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "passage_id BIGINT NOT NULL, op TEXT NOT NULL CHECK (op IN ('add', 'remove')), "
            "origin TEXT NOT NULL, logged_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
    with _archive(tmp_path / "a", pg_url) as a:
        guard = FloodGuard(2, 10.0, shared=a)
        assert [guard.check(5), guard.check(5), guard.check(5)] == [
            Verdict.ALLOW,  # the question recorded before the upgrade still counts
            Verdict.WARN,
            Verdict.DROP,
        ]
        state_id = StateStore(shared=a).put(STATE)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        persistence = dict(
            conn.execute(
                "SELECT relname, relpersistence FROM pg_class "
                "WHERE relname IN ('flood', 'shared_state')"
            ).fetchall()
        )
        conn.execute("INSERT INTO changes (passage_id, op, origin) VALUES (1, 'story', 'x')")
    assert persistence == {"flood": "u", "shared_state": "u"}
    with _archive(tmp_path / "b", pg_url) as b:
        assert StateStore(shared=b).get(state_id) == STATE


# -- end to end: two bot replicas in webhook mode on one PostgreSQL store ---------------------


async def test_more_pressed_on_replica_b_continues_an_answer_of_replica_a(
    fake_api: FakeBotApi, pg_url: str, tmp_path: Path
) -> None:
    secret = "replica-secret_1"
    apps, archives, ports = [], [], []
    for name in ("a", "b"):
        port = free_port()
        settings = make_settings(
            tmp_path / name,
            fake_api,
            database_url=pg_url,
            webhook_url=f"http://127.0.0.1:{port}/hook",
            webhook_port=port,
            webhook_secret=SecretStr(secret),
        )
        archive = open_archive(settings)
        if name == "a":
            assert archive.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
        else:
            assert archive.follow_changes()  # builds b's index from the store
        app = build_application(settings, archive, close_archive=False)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(**webhook_options(settings))
        apps.append(app)
        archives.append(archive)
        ports.append(port)

    async def post(port: int, update: dict[str, object]) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/hook",
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                },
            )
        assert response.status_code == 200

    try:
        question = fake_api.private_message(USER, "farmers report the wheat harvest yield")
        await post(ports[0], {"update_id": 1, **question})
        (answer,) = await fake_api.wait_for("sendMessage")
        keyboard = answer.params["reply_markup"]["inline_keyboard"]
        more = next(
            b["callback_data"] for row in keyboard for b in row if b["callback_data"][:2] == "m:"
        )
        press = fake_api.callback_query(USER, USER.id, answer.result["message_id"], more)
        await post(ports[1], {"update_id": 2, **press})  # the load balancer picked b
        (_, page2) = await fake_api.wait_for("sendMessage", count=2)
        assert parse_html(page2.params["text"]).startswith("4. ")
        (pressed,) = await fake_api.wait_for("answerCallbackQuery")
        assert "text" not in pressed.params  # not the "stale button" answer
    finally:
        for app in apps:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            await app.shutdown()
        for archive in archives:
            archive.close()
