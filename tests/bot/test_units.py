"""Unit tests: settings, flood guard, button state, texts, commands, progress formatting."""

from __future__ import annotations

import re
import string

import pytest

from bot.cli import main as newsdesk_main
from bot.commands import ADMIN_COMMANDS, USER_COMMANDS, build_command_list
from bot.guards import FloodGuard, Verdict
from bot.progress import format_duration, format_progress
from bot.settings import BotSettings
from bot.state import QueryState, StateStore
from bot.texts import TEXTS, lang_of
from index import LANGS, Progress, SettingsError, load_settings

GOOD_TOKEN = "123456:" + "A" * 35


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_admin_ids_accept_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("NEWSDESK_ADMIN_IDS", " 11, 22,33 ")
    settings = load_settings(BotSettings, _env_file=None)
    assert settings.admin_ids == [11, 22, 33]
    assert settings.is_admin(22) and not settings.is_admin(44) and not settings.is_admin(None)
    monkeypatch.setenv("NEWSDESK_ADMIN_IDS", "[5]")
    assert load_settings(BotSettings, _env_file=None).admin_ids == [5]


def test_file_url_is_derived_from_the_bot_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("NEWSDESK_BOT_API_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings(BotSettings, _env_file=None)
    assert settings.file_api_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "NEWSDESK_BOT_TOKEN: Field required"),
        ({"NEWSDESK_BOT_TOKEN": "not-a-token"}, "NEWSDESK_BOT_TOKEN"),
        ({"NEWSDESK_BOT_TOKEN": "123:short"}, "malformed token"),
        ({"NEWSDESK_BOT_TOKEN": GOOD_TOKEN, "NEWSDESK_ADMIN_IDS": "1,x"}, "NEWSDESK_ADMIN_IDS"),
        ({"NEWSDESK_BOT_TOKEN": GOOD_TOKEN, "NEWSDESK_BOT_API_URL": "ftp://x"}, "BOT_API_URL"),
        ({"NEWSDESK_BOT_TOKEN": GOOD_TOKEN, "NEWSDESK_WEBHOOK_SECRET": "a b"}, "WEBHOOK_SECRET"),
    ],
    ids=["missing", "garbage", "short-secret", "bad-admin", "bad-url", "bad-webhook-secret"],
)
def test_bad_settings_are_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=re.escape(expected)) as info:
        load_settings(BotSettings, _env_file=None)
    assert "\n" not in str(info.value)
    assert "short" not in str(info.value).replace("short-secret", "")  # value never echoed


@pytest.mark.parametrize("token", [None, "123:bad"])
def test_newsdesk_run_without_a_good_token_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], token: str | None
) -> None:
    if token:
        monkeypatch.setenv("NEWSDESK_BOT_TOKEN", token)
    assert newsdesk_main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "NEWSDESK_BOT_TOKEN" in err
    assert "Traceback" not in err and (token is None or token not in err)


def test_flood_guard_allows_five_then_warns_once_then_drops() -> None:
    clock = FakeClock()
    guard = FloodGuard(5, 10.0, clock=clock)
    verdicts = [guard.check(1) for _ in range(8)]
    assert verdicts == [Verdict.ALLOW] * 5 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert guard.check(2) is Verdict.ALLOW  # per user
    clock.now += 10.01
    assert guard.check(1) is Verdict.ALLOW


def test_flood_guard_window_slides() -> None:
    clock = FakeClock()
    guard = FloodGuard(2, 10.0, clock=clock)
    assert guard.check(1) is Verdict.ALLOW
    clock.now += 6
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN
    clock.now += 4.5  # the first question left the window
    assert guard.check(1) is Verdict.ALLOW


def test_flood_guard_forgets_idle_users() -> None:
    clock = FakeClock()
    guard = FloodGuard(5, 10.0, clock=clock)
    for user_id in range(100):
        guard.check(user_id)
    assert len(guard) == 100
    clock.now += 61
    guard.check(7)
    assert len(guard) == 1


def test_state_store_expires_and_stays_bounded() -> None:
    clock = FakeClock()
    store = StateStore(ttl_s=60, max_entries=3, clock=clock)
    state = QueryState("q", 3, ((1, 2),), 7)
    first = store.put(state)
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", first)
    assert store.get(first) == state
    clock.now += 61
    assert store.get(first) is None
    ids = [store.put(state) for _ in range(5)]
    assert len(store) == 3 and store.get(ids[0]) is None and store.get(ids[-1]) == state
    assert store.get("never-issued") is None


@pytest.mark.parametrize(
    ("code", "lang"),
    [("uk", "uk"), ("ru-RU", "ru"), ("en-GB", "en"), ("de", "en"), (None, "en"), ("UK", "uk")],
)
def test_language_code_picks_the_texts(code: str | None, lang: str) -> None:
    assert lang_of(code) == lang


def test_every_text_exists_in_every_language_with_the_same_placeholders() -> None:
    formatter = string.Formatter()
    for key, versions in TEXTS.items():
        assert set(versions) == set(LANGS), key
        fields = {lang: {f[1] for f in formatter.parse(t) if f[1]} for lang, t in versions.items()}
        assert fields["uk"] == fields["en"] == fields["ru"], key


def test_command_menus_share_the_user_list() -> None:
    for lang in LANGS:
        user = [c.command for c in build_command_list("user", lang)]
        admin = [c.command for c in build_command_list("admin", lang)]
        assert user == list(USER_COMMANDS)
        assert admin == list(USER_COMMANDS) + list(ADMIN_COMMANDS)
        assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in admin)


def test_progress_shows_stage_percent_rate_and_eta() -> None:
    tick = Progress(stage="build", done=25_000, total=100_000, unit="passages", elapsed_s=2.0)
    assert format_progress(tick, "en") == ("Reindexing: build 25% · 12,500 passages/s · ETA 0:06")
    unknown = Progress(stage="analyse", done=10, total=None, elapsed_s=0.0)
    assert "?" in format_progress(unknown, "uk")
    assert format_duration(3725) == "1:02:05" and format_duration(65.4) == "1:05"
