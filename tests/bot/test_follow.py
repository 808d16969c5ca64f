"""Following topics end to end: /follow, alerts from the outbox, buttons, limits, failures.

Each test has its own archive (alerts write to the store). Articles arrive the ways users add
them: `newsdesk ingest` in another process on the same data dir, or the archive's own ingest.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.alerts import daily_digest_due
from index import Archive, IndexSettings, Topic, open_archive
from index.store import UNBUILT
from tests.auxil.fake_bot_api import ApiCall, FakeBotApi, parse_html
from tests.bot.conftest import ADMIN, GROUP_ID, TOKEN, USER, make_settings, running_bot
from tests.bot.corpus import write_corpus
from tests.conftest import PROJECT_ROOT

TOPIC = "lithium deposit near Zhytomyr"
INTERVAL_S = 0.1  # the outbox drain; the tests wait 10 rounds to see nothing more comes


# What each report adds: distinct news, so that the reports are different stories (near-
# copies a day apart would be one story, grouped as reprints, and alert once).
LITHIUM_NEWS = {
    1: "Drilling starts next spring.\n\nThe deposit could supply battery makers in Europe.",
    2: "The regional council wants a processing plant built in the city.\n\nEnvironmental "
    "groups asked for a public hearing before any licence is granted.",
    3: "Investors from three countries have applied for licences.\n\nThe ministry will "
    "auction the first plot in November, with a reserve price still to be set.",
}


def lithium_article(number: int) -> dict[str, str]:
    return {
        "url": f"https://news.example.org/lithium-{number}",
        "title": f"Geologists confirm a lithium deposit near Zhytomyr ({number})",
        "text": (
            f"Geologists confirmed a large lithium deposit near Zhytomyr, report {number} says. "
            + LITHIUM_NEWS[number]
        ),
        "published": f"2024-09-{number + 1:02d}T09:00:00Z",
        "source": "Example News",
        "language": "en",
    }


OTHER_ARTICLE = {
    "url": "https://news.example.org/football",
    "title": "Dynamo Kyiv wins the derby",
    "text": "Dynamo Kyiv won the derby on Sunday in front of thirty thousand fans.",
    "published": "2024-09-02T18:00:00Z",
    "source": "Sport Daily",
    "language": "en",
}


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A fresh archive over the bot corpus (alerts write to it)."""
    opened = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    assert opened.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
    yield opened
    opened.close()


def to(chat_id: int, marker: str = "") -> Any:
    def matches(call: ApiCall) -> bool:
        return call.params.get("chat_id") == chat_id and marker in call.params.get("text", "")

    return matches


def alerts_to(chat_id: int) -> Any:
    return to(chat_id, "🔔")


@pytest.fixture
async def follow_bot(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> AsyncIterator[FakeBotApi]:
    fake_api.add_chat(fake_api.private_chat(USER))
    settings = make_settings(tmp_path, fake_api, alerts_interval_s=INTERVAL_S)
    async with running_bot(settings, archive, fake_api):
        yield fake_api


def cli_ingest(data_dir: Path, path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")},
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "index", "ingest", str(path), "--data-dir", str(data_dir)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


async def test_follow_then_cli_ingest_sends_exactly_one_alert_with_buttons(
    follow_bot: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    api = follow_bot
    api.offer(api.private_message(USER, f"/follow {TOPIC}"))
    (reply,) = await api.wait_for("sendMessage", to(USER.id, "#1"))
    assert TOPIC in reply.params["text"]

    new = write_jsonl(tmp_path / "new.jsonl", [lithium_article(1), OTHER_ARTICLE])
    await asyncio.to_thread(cli_ingest, archive.settings.data_dir, new)

    (alert,) = await api.wait_for("sendMessage", alerts_to(USER.id), timeout=30)
    html = alert.params["text"]
    shown = parse_html(html)  # raises on markup Telegram would refuse
    snippet_html = html.split("\n\n", 1)[1]  # after the topic line
    assert re.search(r"<b>[^<]*lithium[^<]*</b>", snippet_html) and "Zhytomyr" in shown
    assert "Geologists confirm a lithium deposit near Zhytomyr (1)" in shown
    assert "Example News" in shown and "2024-09-02" in shown
    assert 'href="https://news.example.org/lithium-1"' in html
    assert "Dynamo" not in shown
    buttons = [b["callback_data"] for row in alert.params["reply_markup"]["inline_keyboard"]
               for b in row]  # fmt: skip
    assert [b.split(":")[0] for b in buttons] == ["ma", "fa", "u"]
    # Several more rounds of the job: the alert is not sent again.
    await asyncio.sleep(10 * INTERVAL_S)
    assert len(api.find("sendMessage", alerts_to(USER.id))) == 1
    (topic,) = archive.following(USER.id)
    assert topic.last_alert_at is not None

    # Full article and More under the alert work; Unfollow removes the topic.
    message_id = alert.result["message_id"]
    cursor = api.cursor()
    api.offer(api.callback_query(USER, USER.id, message_id, buttons[1]))
    (full,) = await api.wait_for("sendMessage", to(USER.id, "▶"), after=cursor)
    assert "Drilling starts next spring" in parse_html(full.params["text"])
    api.offer(api.callback_query(USER, USER.id, message_id, buttons[0]))
    (more,) = await api.wait_for("sendMessage", to(USER.id, "Zhytomyr"), after=full_index(api))
    assert "lithium" in more.params["text"].lower()
    cursor = api.cursor()
    api.offer(api.callback_query(USER, USER.id, message_id, buttons[2]))
    (gone,) = await api.wait_for("sendMessage", to(USER.id, "#1"), after=cursor)
    assert TOPIC in gone.params["text"]
    assert archive.following(USER.id) == []


def full_index(api: FakeBotApi) -> int:
    """The call index just after the last "Full article" message."""
    for index in range(len(api.calls) - 1, -1, -1):
        if "▶" in api.calls[index].params.get("text", ""):
            return index + 1
    return 0


async def test_a_chat_that_blocked_the_bot_has_its_topics_paused_and_logged_once(
    follow_bot: FakeBotApi, archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    api = follow_bot
    archive.follow(USER.id, TOPIC)
    api.blocked_chats.add(USER.id)
    caplog.set_level(logging.WARNING, logger="bot.alerts")
    await asyncio.to_thread(archive.ingest_bytes, "new.jsonl", _jsonl([lithium_article(1)]))
    await api.wait_for("sendMessage", lambda c: not c.ok and c.params["chat_id"] == USER.id)
    await asyncio.sleep(10 * INTERVAL_S)
    (topic,) = archive.following(USER.id)
    assert topic.paused_at is not None
    assert len(api.find("sendMessage", lambda c: c.params["chat_id"] == USER.id)) == 1
    paused_lines = [r for r in caplog.records if "paused" in r.getMessage()]
    assert len(paused_lines) == 1

    # The user unblocks the bot and writes /follow again: the waiting alert is delivered.
    api.blocked_chats.clear()
    api.offer(api.private_message(USER, "/follow Dynamo Kyiv derby"))
    (alert,) = await api.wait_for("sendMessage", alerts_to(USER.id), timeout=30)
    assert "lithium" in alert.params["text"].lower()


def _jsonl(records: list[dict[str, str]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def lithium_elsewhere(source: str, language: str, title: str, body: str) -> dict[str, str]:
    """The lithium story as another outlet (or in another language) tells it."""
    return {
        "url": f"https://other.example.org/lithium-{abs(hash(source)) % 10_000}-{language}",
        "title": title,
        "text": body,
        "published": "2024-09-03T09:00:00Z",
        "source": source,
        "language": language,
    }


async def test_a_topic_with_filters_alerts_only_on_what_passes_them(
    follow_bot: FakeBotApi, archive: Archive
) -> None:
    api = follow_bot
    steps = [
        (f"/follow {TOPIC} from:Exmaple", "Example News"),  # unknown outlet: the closest
        (f"/follow {TOPIC} since:2024-9-1", "YYYY-MM-DD"),  # a bad date: as /ask says it
        (f"/follow {TOPIC} from:example", "#1"),
        ("/follow родовище літію біля Житомира lang:uk", "#2"),
        ("/following", "фільтри: from:example"),
    ]
    for command, expected in steps:
        cursor = api.cursor()
        api.offer(api.private_message(USER, command))
        (reply,) = await api.wait_for("sendMessage", to(USER.id), after=cursor)
        assert expected in parse_html(reply.params["text"]), (command, reply.params["text"])
    listing = parse_html(reply.params["text"])
    assert "фільтри: lang:uk" in listing and f"{TOPIC}\n" in listing
    assert [t.text for t in archive.following(USER.id)] == [
        f"{TOPIC} from:example",
        "родовище літію біля Житомира lang:uk",
    ]

    cursor = api.cursor()
    new = [
        lithium_elsewhere(
            "Sport Desk",
            "en",
            "Geologists confirm a lithium deposit near Zhytomyr",
            "Geologists confirmed a large lithium deposit near Zhytomyr, Sport Desk hears.",
        ),
        lithium_article(1),
        lithium_elsewhere(
            "Пример",
            "ru",
            "Геологи подтвердили месторождение лития под Житомиром",
            "Геологи подтвердили большое месторождение лития под Житомиром. Бурение весной.",
        ),
        lithium_elsewhere(
            "Приклад",
            "uk",
            "Геологи підтвердили родовище літію біля Житомира",
            "Геологи підтвердили велике родовище літію біля Житомира. Буріння навесні.",
        ),
    ]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in new).encode()
    await asyncio.to_thread(archive.ingest_bytes, "new.jsonl", body)
    await api.wait_for("sendMessage", alerts_to(USER.id), after=cursor, timeout=30, count=2)
    await asyncio.sleep(10 * INTERVAL_S)  # several more rounds: nothing else comes
    shown = [parse_html(a.params["text"]) for a in api.find("sendMessage", alerts_to(USER.id))]
    assert len(shown) == 2, shown
    (english,) = [s for s in shown if "lithium deposit" in s]
    assert "Example News" in english and "Sport Desk" not in english
    (ukrainian,) = [s for s in shown if "Житомир" in s and "lithium" not in s]
    assert "Приклад" in ukrainian and "Пример" not in ukrainian


async def test_over_the_hourly_cap_the_rest_comes_as_one_digest(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    fake_api.add_chat(fake_api.private_chat(USER))
    archive.follow(USER.id, TOPIC, lang="uk")
    settings = make_settings(tmp_path, fake_api, alerts_interval_s=INTERVAL_S, alerts_per_hour=1)
    articles = [lithium_article(n) for n in (1, 2, 3)]
    archive.ingest_bytes("new.jsonl", _jsonl(articles))
    async with running_bot(settings, archive, fake_api):
        (digest,) = await fake_api.wait_for("sendMessage", to(USER.id, "🗞"), timeout=30)
        await asyncio.sleep(10 * INTERVAL_S)
    alerts = fake_api.find("sendMessage", alerts_to(USER.id))
    assert len(alerts) == 1
    shown = parse_html(digest.params["text"])
    assert "2 статті" in shown  # Ukrainian, the follower's language, with plural agreement
    assert "Zhytomyr (2)" in shown and "Zhytomyr (3)" in shown and "Zhytomyr (1)" not in shown
    keyboard = digest.params["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["callback_data"].startswith("u:")
    assert archive.pending_alerts() == []


async def test_follow_in_a_group_takes_an_admin(follow_bot: FakeBotApi, archive: Archive) -> None:
    api = follow_bot
    api.chat_admins[GROUP_ID] = {ADMIN.id}
    api.offer(api.group_message(USER, GROUP_ID, f"/follow {TOPIC}"))
    (refused,) = await api.wait_for("sendMessage", to(GROUP_ID))
    assert "адміністратори" in refused.params["text"]
    assert archive.following(GROUP_ID) == []
    cursor = api.cursor()
    api.offer(api.group_message(ADMIN, GROUP_ID, f"/follow {TOPIC}"))
    await api.wait_for("sendMessage", to(GROUP_ID, "#1"), after=cursor)
    assert [t.text for t in archive.following(GROUP_ID)] == [TOPIC]
    # A non-admin cannot unfollow either.
    cursor = api.cursor()
    api.offer(api.group_message(USER, GROUP_ID, "/unfollow 1"))
    await api.wait_for("sendMessage", to(GROUP_ID, "адміністратори"), after=cursor)
    assert len(archive.following(GROUP_ID)) == 1


async def test_a_group_migrated_to_a_supergroup_keeps_its_topics(
    follow_bot: FakeBotApi, archive: Archive
) -> None:
    api = follow_bot
    old, new = -4242, -100_4242
    archive.follow(old, TOPIC)
    chat = {"id": old, "type": "group", "title": "Old group"}
    api.add_chat({"id": new, "type": "supergroup", "title": "New group"})
    api.offer({"message": api._message(ADMIN, chat, None, migrate_to_chat_id=new)})
    for _ in range(100):
        if archive.following(new):
            break
        await asyncio.sleep(0.05)
    assert [t.text for t in archive.following(new)] == [TOPIC]
    assert archive.following(old) == []
    await asyncio.to_thread(archive.ingest_bytes, "new.jsonl", _jsonl([lithium_article(1)]))
    await api.wait_for("sendMessage", alerts_to(new), timeout=30)


async def test_bad_topics_and_limits_get_clear_replies(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    fake_api.add_chat(fake_api.private_chat(USER))
    settings = make_settings(
        tmp_path, fake_api, follow_max_topics=2, follow_max_chars=30, alerts_interval_s=60
    )
    cases = [
        ("/follow", "/follow"),  # usage
        ("/follow daily", "порожня"),  # empty topic
        ("/follow the of and", "службові"),  # only stopwords
        ("/follow " + "Zhytomyr lithium " * 3, "межа — 30"),  # 51 characters
        ("/follow Zhytomyr lithium", "#1"),
        ("/follow daily 7 Kherson harvest", "07:00 UTC"),
        ("/follow Odesa port", "2 темами"),  # the chat's limit
        ("/unfollow 99", "#99"),  # unknown id
        ("/unfollow abc", "/unfollow 3"),  # usage
        ("/following", "щоденний дайджест о 07:00 UTC"),
    ]
    async with running_bot(settings, archive, fake_api):
        for command, expected in cases:
            cursor = fake_api.cursor()
            fake_api.offer(fake_api.private_message(USER, command))
            (reply,) = await fake_api.wait_for("sendMessage", to(USER.id), after=cursor)
            assert expected in parse_html(reply.params["text"]), (command, reply.params["text"])
            assert "помилк" not in reply.params["text"].lower()
    assert [t.text for t in archive.following(USER.id)] == ["Zhytomyr lithium", "Kherson harvest"]


@pytest.mark.slow
async def test_a_bot_killed_between_outbox_and_send_sends_the_alert_once_after_restart(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    fake_api.add_chat(fake_api.private_chat(USER))
    archive.follow(USER.id, TOPIC)
    archive.ingest_bytes("new.jsonl", _jsonl([lithium_article(1)]))
    # Written to the outbox by the ingest as a decision; the bot builds its text at delivery.
    assert [row.payload for row in archive.topics.pending()] == [UNBUILT]
    fake_api.stalled_chats.add(USER.id)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")},
        "NEWSDESK_BOT_TOKEN": TOKEN,
        "NEWSDESK_BOT_API_URL": fake_api.base_url,
        "NEWSDESK_DATA_DIR": str(archive.settings.data_dir),
        "NEWSDESK_ANSWER_POOL": "threads",
        "NEWSDESK_ALERTS_INTERVAL_S": str(INTERVAL_S),
        "NEWSDESK_WARM_UP_LANGUAGES": "",  # no question is asked: only the index is opened
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        await fake_api.wait_for("sendMessage(stalled)", to(USER.id, "🔔"), timeout=90)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait, 30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert fake_api.find("sendMessage", alerts_to(USER.id)) == []
    (row,) = archive.topics.pending()  # never marked sent; its text was built and kept
    assert row.payload != UNBUILT
    kept = archive.pending_alerts()

    fake_api.stalled_chats.clear()
    restarted = open_archive(archive.settings)
    settings = make_settings(tmp_path, fake_api, alerts_interval_s=INTERVAL_S)
    try:
        async with running_bot(settings, restarted, fake_api):
            (sent,) = await fake_api.wait_for("sendMessage", alerts_to(USER.id), timeout=30)
            await asyncio.sleep(10 * INTERVAL_S)
    finally:
        restarted.close()
    assert kept[0].answer.snippets[0].text.split()[0] in parse_html(sent.params["text"])
    assert len(fake_api.find("sendMessage", alerts_to(USER.id))) == 1
    assert archive.pending_alerts() == []


async def test_a_daily_topic_gets_one_digest_at_its_hour_and_no_single_alerts(
    fake_api: FakeBotApi, archive: Archive, tmp_path: Path
) -> None:
    fake_api.add_chat(fake_api.private_chat(USER))
    now = datetime.now(UTC)
    hour = (now - timedelta(hours=1)).hour  # today's digest hour has passed
    archive.follow(USER.id, TOPIC, daily=True, daily_hour=hour, now=now - timedelta(days=2))
    archive.ingest_bytes("new.jsonl", _jsonl([lithium_article(n) for n in (1, 2)]))
    settings = make_settings(tmp_path, fake_api, alerts_interval_s=INTERVAL_S)
    async with running_bot(settings, archive, fake_api):
        (digest,) = await fake_api.wait_for("sendMessage", to(USER.id, "🗞"), timeout=30)
        await asyncio.sleep(10 * INTERVAL_S)
    assert "2 articles" in parse_html(digest.params["text"])
    assert fake_api.find("sendMessage", alerts_to(USER.id)) == []
    assert len(fake_api.find("sendMessage", to(USER.id, "🗞"))) == 1
    (topic,) = archive.following(USER.id)
    assert topic.last_digest_at is not None


def test_the_daily_digest_is_due_once_its_hour_passed_since_the_last_one() -> None:
    created = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)
    topic = Topic(1, USER.id, TOPIC, "daily", 8, created)
    assert not daily_digest_due(topic, datetime(2024, 9, 2, 7, 59, tzinfo=UTC))
    assert daily_digest_due(topic, datetime(2024, 9, 2, 8, 0, tzinfo=UTC))
    sent = Topic(1, USER.id, TOPIC, "daily", 8, created, last_digest_at=datetime(
        2024, 9, 2, 8, 0, 5, tzinfo=UTC))  # fmt: skip
    assert not daily_digest_due(sent, datetime(2024, 9, 2, 23, 0, tzinfo=UTC))
    assert daily_digest_due(sent, datetime(2024, 9, 3, 8, 0, tzinfo=UTC))


async def test_a_reprint_does_not_alert_again_and_the_answer_shows_it(
    follow_bot: FakeBotApi, archive: Archive
) -> None:
    api = follow_bot
    archive.follow(USER.id, TOPIC)
    await asyncio.to_thread(archive.ingest_bytes, "new.jsonl", _jsonl([lithium_article(1)]))
    await api.wait_for("sendMessage", alerts_to(USER.id), timeout=30)
    reprint = {
        **lithium_article(1),
        "url": "https://regional.example.org/lithium-zhytomyr",
        "source": "Regional Courier",
        "published": "2024-09-02T15:00:00Z",
    }
    await asyncio.to_thread(archive.ingest_bytes, "reprint.jsonl", _jsonl([reprint]))
    await asyncio.sleep(10 * INTERVAL_S)  # the outbox job ran several times meanwhile
    assert len(api.find("sendMessage", alerts_to(USER.id))) == 1
    assert archive.pending_alerts() == []

    cursor = api.cursor()
    api.offer(api.private_message(USER, "lithium deposit near Zhytomyr"))
    (answer,) = await api.wait_for("sendMessage", to(USER.id, "Zhytomyr"), after=cursor)
    shown = parse_html(answer.params["text"])
    assert shown.count("+1 reprint: Regional Courier") == 1
    assert shown.count("Geologists confirm a lithium deposit near Zhytomyr (1)") == 1
