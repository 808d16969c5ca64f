"""Command menus per scope for setMyCommands, built in one place so they cannot drift.

Everyone gets ``USER_COMMANDS``; each admin's private chat gets the user list plus
``ADMIN_COMMANDS`` through ``BotCommandScopeChat``. Descriptions are registered in every
language we speak (``language_code``), English being the default.
"""

from __future__ import annotations

import logging
from typing import Literal

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from index import LANGS, Lang

logger = logging.getLogger(__name__)

Scope = Literal["user", "admin"]

USER_COMMANDS: dict[str, dict[Lang, str]] = {
    "start": {"en": "What I know", "uk": "Що я знаю", "ru": "Что я знаю"},
    "help": {"en": "How to ask", "uk": "Як питати", "ru": "Как спрашивать"},
    "ask": {
        "en": "Ask a question (in groups)",
        "uk": "Поставити запитання (у групах)",
        "ru": "Задать вопрос (в группах)",
    },
    "quotes": {
        "en": "What a person said: /quotes NAME",
        "uk": "Що сказала людина: /quotes ІМ'Я",
        "ru": "Что сказал человек: /quotes ИМЯ",
    },
    "follow": {
        "en": "Follow a topic: new articles come here",
        "uk": "Стежити за темою: нові статті сюди",
        "ru": "Следить за темой: новые статьи сюда",
    },
    "following": {
        "en": "Topics followed here",
        "uk": "Теми, за якими стежу",
        "ru": "Темы, за которыми слежу",
    },
    "unfollow": {
        "en": "Stop following a topic",
        "uk": "Не стежити за темою",
        "ru": "Не следить за темой",
    },
}
# Admin commands; every one is wrapped in guards.admin_only. The feeds helper (issue 6) adds
# sources, addsource, removesource and poll here together with their handlers.
ADMIN_COMMANDS: dict[str, dict[Lang, str]] = {
    "ingest": {"en": "Ingest URLs", "uk": "Додати URL", "ru": "Добавить URL"},
    "reindex": {
        "en": "Rebuild the index",
        "uk": "Перебудувати індекс",
        "ru": "Перестроить индекс",
    },
    "stats": {"en": "Archive statistics", "uk": "Статистика архіву", "ru": "Статистика архива"},
    "delete": {"en": "Delete an article", "uk": "Видалити статтю", "ru": "Удалить статью"},
    "sources": {"en": "News sources", "uk": "Джерела новин", "ru": "Источники новостей"},
    "addsource": {
        "en": "Add a feed, sitemap or @channel",
        "uk": "Додати стрічку, sitemap чи @канал",
        "ru": "Добавить ленту, sitemap или @канал",
    },
    "removesource": {"en": "Remove a source", "uk": "Видалити джерело", "ru": "Удалить источник"},
    "poll": {"en": "Poll sources now", "uk": "Опитати джерела", "ru": "Опросить источники"},
}


def build_command_list(scope: Scope, lang: Lang) -> list[BotCommand]:
    """The menu for ``scope`` in ``lang``: user commands, plus admin ones for admins."""
    tables = [USER_COMMANDS] if scope == "user" else [USER_COMMANDS, ADMIN_COMMANDS]
    return [
        BotCommand(name, descriptions[lang])
        for table in tables
        for name, descriptions in table.items()
    ]


async def register_commands(bot: Bot, admin_ids: list[int]) -> None:
    """setMyCommands for everyone and for each admin chat, in en (default), uk and ru.

    An admin who never opened a chat with the bot makes Telegram answer "chat not found";
    that is logged and skipped, it must not stop the bot from starting.
    """
    for lang in LANGS:
        code = None if lang == "en" else lang
        await bot.set_my_commands(
            build_command_list("user", lang), scope=BotCommandScopeDefault(), language_code=code
        )
        for admin_id in admin_ids:
            try:
                await bot.set_my_commands(
                    build_command_list("admin", lang),
                    scope=BotCommandScopeChat(admin_id),
                    language_code=code,
                )
            except TelegramError as exc:
                logger.warning("cannot set admin commands for chat %s: %s", admin_id, exc)
