"""Alerts for followed topics: rendering, and the JobQueue job that drains the outbox.

The archive writes alerts to its outbox (``index.store.topics``) whatever stored the article:
the CLI, a URL, an upload, a feed poll. This job first matches articles no process matched
yet (one killed mid-ingest), then sends what is pending through ``context.bot`` and so
through the application's ``AIORateLimiter``, and marks each alert sent only after Telegram
accepted it: a bot killed between the two sends it again after a restart (at-least-once),
and the outbox's unique key keeps a topic from being alerted twice about one story.

Per topic: at most ``alerts_per_hour`` alerts on their own; the rest go out as one digest
(at most one digest an hour). A daily topic gets everything as one digest at its hour.
A chat that blocked the bot (403) has its topics paused, logged once; a group that became a
supergroup keeps its topics under the new id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application

from bot.context import Context
from bot.render import Run, article_runs, format_date, render_parts, trim
from bot.texts import counted, text
from index import Alert, Archive, NewsdeskError, Topic

logger = logging.getLogger(__name__)

ALERTS_JOB_NAME = "alerts-outbox"
FIRST_RUN_DELAY_S = 1.0
TOPIC_ECHO_CHARS = 200
DIGEST_SNIPPET_CHARS = 200
HOUR = timedelta(hours=1)

UNFOLLOW_PATTERN = r"^u:\d+$"
ALERT_FULL_PATTERN = r"^fa:\d+$"
ALERT_MORE_PATTERN = r"^ma:\d+$"


def schedule_alerts(application: Application, *, first_s: float | None = None) -> None:  # type: ignore[type-arg]
    """Start the outbox job (from ``post_init``); warns when there is no JobQueue."""
    job_queue = application.job_queue
    if job_queue is None:
        logger.warning("no JobQueue (python-telegram-bot[job-queue]): alerts are not sent")
        return
    interval = application.bot_data.settings.alerts_interval_s
    job_queue.run_repeating(
        alerts_job,
        interval=interval,
        first=FIRST_RUN_DELAY_S if first_s is None else first_s,
        name=ALERTS_JOB_NAME,
    )


async def alerts_job(context: Context) -> None:
    """Match what no process matched yet, then send the pending alerts."""
    data = context.bot_data
    archive = data.archive
    try:
        # Replicas on PostgreSQL: only the one holding the lead lock sends (Archive.is_leader).
        if not await asyncio.to_thread(archive.is_leader):
            return
        await asyncio.to_thread(archive.match_new_articles)
        pending = await asyncio.to_thread(archive.pending_alerts)
    except NewsdeskError as exc:
        logger.warning("alerts: could not read the outbox: %s", exc)
        return
    await deliver(context.bot, archive, pending, data.settings.alerts_per_hour)


async def deliver(
    bot: Bot,
    archive: Archive,
    pending: Sequence[Alert],
    per_hour: int,
    now: datetime | None = None,
) -> None:
    """Send pending alerts topic by topic; a chat that fails is skipped for this round."""
    moment = now or datetime.now(UTC)
    by_topic: dict[int, list[Alert]] = {}
    for alert in pending:
        by_topic.setdefault(alert.topic.topic_id, []).append(alert)
    skipped: set[int] = set()
    for alerts in by_topic.values():
        topic = alerts[0].topic
        if topic.chat_id in skipped:
            continue
        try:
            await _deliver_topic(bot, archive, topic, alerts, per_hour, moment)
        except Forbidden as exc:
            skipped.add(topic.chat_id)
            paused = await asyncio.to_thread(archive.pause_chat, topic.chat_id)
            if paused:
                logger.warning(
                    "alerts: chat %s refused messages (%s); its %d topics are paused",
                    topic.chat_id,
                    exc.message,
                    paused,
                )
        except ChatMigrated as exc:
            skipped.add(topic.chat_id)
            moved = await asyncio.to_thread(archive.migrate_chat, topic.chat_id, exc.new_chat_id)
            logger.info(
                "alerts: chat %s is now %s; %d topics moved", topic.chat_id, exc.new_chat_id, moved
            )
        except BadRequest as exc:
            skipped.add(topic.chat_id)
            if "chat not found" in exc.message.lower():
                paused = await asyncio.to_thread(archive.pause_chat, topic.chat_id)
                if paused:
                    logger.warning("alerts: chat %s not found; topics paused", topic.chat_id)
            else:
                logger.error("alerts: Telegram refused topic %s: %s", topic.topic_id, exc)
        except TelegramError as exc:
            # Network trouble or a server error: everything stays pending for the next round.
            logger.warning("alerts: sending failed, retrying later: %s", exc)
            return


async def _deliver_topic(
    bot: Bot,
    archive: Archive,
    topic: Topic,
    alerts: list[Alert],
    per_hour: int,
    now: datetime,
) -> None:
    if topic.mode == "daily":
        if daily_digest_due(topic, now):
            await _send_digest(bot, archive, topic, alerts)
        return
    sent = await asyncio.to_thread(archive.alerts_sent_alone_since, topic.topic_id, now - HOUR)
    allowed = max(0, per_hour - sent)
    for alert in alerts[:allowed]:
        await bot.send_message(
            topic.chat_id, render_alert(alert), reply_markup=alert_keyboard(alert)
        )
        await asyncio.to_thread(archive.alerts_sent, [alert.alert_id])
    rest = alerts[allowed:]
    if rest and (topic.last_digest_at is None or topic.last_digest_at <= now - HOUR):
        await _send_digest(bot, archive, topic, rest)


async def _send_digest(bot: Bot, archive: Archive, topic: Topic, alerts: list[Alert]) -> None:
    parts = render_digest(topic, alerts)
    for number, part in enumerate(parts):
        markup = unfollow_keyboard(topic) if number == len(parts) - 1 else None
        await bot.send_message(topic.chat_id, part, reply_markup=markup)
    await asyncio.to_thread(archive.alerts_sent, [a.alert_id for a in alerts], digest=True)


def daily_digest_due(topic: Topic, now: datetime) -> bool:
    """Whether the daily digest's hour has come since the last digest (or the topic's start)."""
    mark = now.replace(hour=topic.daily_hour, minute=0, second=0, microsecond=0)
    if now < mark:
        mark -= timedelta(days=1)
    last = topic.last_digest_at or topic.created_at
    return last < mark


# -- rendering ----------------------------------------------------------------------------------


def _topic_runs(topic: Topic, icon: str) -> list[Run]:
    return [Run(f"{icon} "), Run(trim(topic.text, TOPIC_ECHO_CHARS), bold=True)]


def render_alert(alert: Alert) -> str:
    """One alert: the topic, the cited snippet(s) and the citation line, in one message."""
    runs = [
        *_topic_runs(alert.topic, "🔔"),
        Run("\n\n"),
        *article_runs(alert.answer, alert.topic.lang),
    ]
    return render_parts(runs)[0]


def render_digest(topic: Topic, alerts: Sequence[Alert]) -> list[str]:
    """Several alerts as one digest: each article's title (linked), outlet, date, snippet."""
    lang = topic.lang
    runs = [
        *_topic_runs(topic, "🗞"),
        Run("\n" + text("digest_head", lang, articles=counted("article", len(alerts), lang))),
    ]
    for number, alert in enumerate(alerts, 1):
        citation = alert.answer.citation
        runs.append(Run(f"\n\n{number}. "))
        title = citation.title.strip() or text("untitled", lang)
        href = citation.url if citation.url and citation.url.startswith("http") else None
        runs.append(Run(title, href=href))
        meta = [p for p in (citation.source, format_date(citation.published_at)) if p]
        if meta:
            runs.append(Run(" · " + " · ".join(meta), italic=True))
        if alert.answer.snippets:
            runs.append(Run("\n" + trim(alert.answer.snippets[0].text, DIGEST_SNIPPET_CHARS)))
    return render_parts(runs)


def alert_keyboard(alert: Alert) -> InlineKeyboardMarkup:
    """More (the topic's answer), Full article (around the cited passage), Unfollow."""
    lang = alert.topic.lang
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("more_button", lang), callback_data=f"ma:{alert.alert_id}"
                ),
                InlineKeyboardButton(
                    text("alert_full_button", lang), callback_data=f"fa:{alert.alert_id}"
                ),
            ],
            [
                InlineKeyboardButton(
                    text("unfollow_button", lang), callback_data=f"u:{alert.topic.topic_id}"
                )
            ],
        ]
    )


def unfollow_keyboard(topic: Topic) -> InlineKeyboardMarkup:
    """The Unfollow button alone (under a digest)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("unfollow_button", topic.lang), callback_data=f"u:{topic.topic_id}"
                )
            ]
        ]
    )
