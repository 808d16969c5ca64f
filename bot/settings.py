"""BotSettings: the archive's settings plus what the Telegram adapter needs.

Read once by the entry point (``newsdesk run`` / ``python -m bot``) through
``load_bot_settings`` and passed down. The token is a ``SecretStr`` so it never shows in a
repr, a validation error or a log line.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import NoDecode

from index import LANGS, IndexSettings, SettingsError, load_settings

# Telegram bot tokens look like "123456789:AAE...": a numeric bot id, a colon, and a secret of
# URL-safe characters (35 today; we accept 30+ so a future longer secret still passes).
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
# setWebhook's secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and - (Bot API docs).
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# getFile downloads at most 20 MB from the public Bot API (Bot API docs, getFile).
BOT_API_DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
# What a first run without a token says instead of pydantic's "Field required".
TOKEN_MISSING = (
    "NEWSDESK_BOT_TOKEN is not set: "  # noqa: S105 - a message, not a token
    "create a bot with @BotFather (README, 'Create the bot')"
)


class BotSettings(IndexSettings):
    """Everything the bot process needs; ``NEWSDESK_*`` variables or ``.env``."""

    bot_token: SecretStr = Field(description="Token from @BotFather (NEWSDESK_BOT_TOKEN).")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Admin Telegram user ids, comma-separated."
    )
    bot_api_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL; the token is appended (self-hosted servers, tests).",
    )
    bot_file_api_url: str | None = Field(
        default=None,
        description="Bot API file base URL; derived from bot_api_url when unset.",
    )
    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL Telegram posts to; unset means polling."
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="secret_token Telegram sends back; generated when unset."
    )
    webhook_listen: str = Field(default="127.0.0.1", description="Address the webhook binds.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Webhook port.")
    flood_max_questions: int = Field(
        default=5, ge=1, description="Questions one user may ask per flood window."
    )
    flood_window_s: float = Field(default=10.0, gt=0, description="Flood guard window.")
    rate_limit_per_s: float = Field(
        default=30.0,
        ge=0,
        description="Bot-wide message rate for AIORateLimiter (Telegram: 30/s); 0 disables.",
    )
    concurrent_updates: int = Field(
        default=64,
        ge=1,
        le=256,
        description="Updates processed at the same time (most of them wait for an answer "
        "worker; enough keeps the workers and the HTTP replies busy at once).",
    )
    bot_http: Literal["aiohttp", "httpx"] = Field(
        default="aiohttp",
        description="HTTP client for Bot API calls: aiohttp (bot.transport, ~1 ms less CPU per "
        "call) or python-telegram-bot's own httpx client.",
    )
    answer_pool: Literal["processes", "threads"] = Field(
        default="processes",
        description="Where questions are answered: worker processes (every core answers) or "
        "threads in the bot process (one core, through the GIL).",
    )
    answer_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Answer worker processes with answer_pool=processes: one per core (2 suits "
        "a 2-core machine; each holds its own analyzer and caches, ~450 MB at 100k passages). "
        "Replicas sharing one machine split its cores: cores // replicas each (README, "
        "Deployment). With answer_pool=threads: the answer threads (questions in arrival "
        "order; more than the process's one core of Python only interleaves them).",
    )
    answer_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Give up on an answer after this long: the user is told, and a worker "
        "process is killed and replaced (a thread cannot be killed and finishes unheard).",
    )
    answer_start_method: Literal["spawn", "forkserver"] = Field(
        default="spawn",
        description="How answer worker processes start: spawn (each a fresh interpreter "
        "importing the archive stack, ~1.2 s of CPU) or forkserver (one server imports it "
        "once; each worker and replacement is a fork of it). See bot.workers.",
    )
    warm_up_languages: Annotated[list[Literal["en", "uk", "ru"]], NoDecode] = Field(
        default_factory=lambda: list(LANGS),
        description="Languages the bot and every answer worker warm up for before they answer "
        "(bot.warmup), comma-separated; fewer start faster and leaner (Russian alone is ~1 s "
        "of a worker's start); empty: only the index is opened.",
    )
    typing_delay_s: float = Field(
        default=0.3,
        ge=0,
        description="Show 'typing…' only when an answer takes longer than this (0: always).",
    )
    upload_max_bytes: int = Field(
        default=BOT_API_DOWNLOAD_MAX_BYTES, ge=1024, description="Largest document accepted."
    )
    inline_page_size: int = Field(
        default=10, ge=1, le=50, description="Inline results per page (Telegram allows 50)."
    )
    inline_cache_s: int = Field(default=10, ge=0, description="Inline results cache_time.")
    state_ttl_s: float = Field(
        default=3600.0, gt=0, description="How long More/Full article buttons keep working."
    )
    progress_interval_s: float = Field(
        default=2.0, ge=1.0, description="Minimum time between two progress message edits."
    )
    alerts_per_hour: int = Field(
        default=5, ge=1, le=1000, description="Alerts per topic per hour before a digest."
    )
    alerts_interval_s: float = Field(
        default=10.0, gt=0, le=3600, description="How often the outbox is drained."
    )
    start_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries when the Bot API is unreachable at start (1 s, 2 s, 4 s… apart); "
        "then `newsdesk run` exits 2 with one line.",
    )

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("malformed token: expected <bot id>:<secret> as given by @BotFather")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("warm_up_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        """Accept "en,uk" (and "en uk") from the environment, not only JSON lists."""
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept "1,2,3" (and "[1, 2]") from the environment, not only JSON lists."""
        if isinstance(value, str):
            parts = value.strip().strip("[]").replace(";", ",").split(",")
            return [part.strip() for part in parts if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("bot_api_url", "bot_file_api_url", "webhook_url")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value

    @property
    def file_api_url(self) -> str:
        """Where documents are downloaded: set explicitly, or ``.../bot`` → ``.../file/bot``."""
        if self.bot_file_api_url:
            return self.bot_file_api_url
        base = self.bot_api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    def is_admin(self, user_id: int | None) -> bool:
        """Whether ``user_id`` is listed in NEWSDESK_ADMIN_IDS."""
        return user_id is not None and user_id in self.admin_ids


def load_bot_settings(**overrides: object) -> BotSettings:
    """``load_settings(BotSettings)``, with a first-run hint when the token is not set.

    Raises:
        SettingsError: one line; ``TOKEN_MISSING`` when NEWSDESK_BOT_TOKEN is absent (from
            the environment and ``.env`` alike), else the bad variable as ``load_settings``
            names it.
    """
    try:
        return load_settings(BotSettings, **overrides)
    except SettingsError as exc:
        # load_settings raises inside its ``except ValidationError``, so Python keeps that
        # error as the context (even with ``from None``): read which fields were missing.
        cause = exc.__context__
        if isinstance(cause, ValidationError) and any(
            error["type"] == "missing" and error["loc"] == ("bot_token",)
            for error in cause.errors()
        ):
            raise SettingsError(TOKEN_MISSING) from None
        raise
