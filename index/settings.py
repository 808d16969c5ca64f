"""IndexSettings: everything `index` can be configured with, read once at the entry point.

pydantic-settings reads ``NEWSDESK_*`` variables and ``.env``; no other module reads
``os.environ``. ``load_settings`` turns a validation error into one line naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.errors import NewsdeskError

ENV_PREFIX = "NEWSDESK_"


class SettingsError(NewsdeskError):
    """A setting has an invalid value; the message names the variable."""


class IndexSettings(BaseSettings):
    """Settings of the archive: where it lives, how passages are cut, how answers rank."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    data_dir: Path = Field(default=Path("./data"), description="Where the store and index live.")
    # A SecretStr: the URL carries the password, and must not appear in reprs or logs.
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:5432/db puts the store on PostgreSQL "
        "(the index stays local, under data_dir); unset: SQLite under data_dir.",
    )
    passage_words: int = Field(
        default=80, ge=20, le=1000, description="Target words per passage window."
    )
    max_item_bytes: int = Field(
        default=20_000_000, ge=1024, description="Largest file or download accepted, in bytes."
    )
    fetch_timeout_s: float = Field(default=15.0, gt=0, le=300, description="HTTP timeout.")
    ranking_layer: bool = Field(
        default=True, description="Title/date/proximity layer on top of pure BM25Okapi."
    )
    feeds: str = Field(
        default="", description="Sources to preseed, comma-separated URLs (optionally name=URL)."
    )
    channels: str = Field(
        default="",
        description="Telegram channels allowed as sources, comma-separated @names or -100 ids.",
    )
    poll_interval_s: int = Field(
        default=900, ge=30, description="Default interval between polls of one source."
    )
    host_delay_s: float = Field(
        default=1.0, ge=0, description="Minimum delay between two requests to one host."
    )
    follow_max_topics: int = Field(
        default=20, ge=1, le=1000, description="Topics one chat may follow."
    )
    follow_max_chars: int = Field(
        default=200, ge=10, le=2000, description="Longest topic text, in characters."
    )
    follow_daily_hour: int = Field(
        default=8, ge=0, le=23, description="Default UTC hour of /follow daily digests."
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Only PostgreSQL URLs; the message never repeats the value (it holds a password)."""
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("expected a postgresql://user:password@host:port/dbname URL")
        return value

    @field_validator("feeds")
    @classmethod
    def _check_feeds(cls, value: str) -> str:
        """Reject a bad ``NEWSDESK_FEEDS`` at startup, as one line, not at the first poll.

        Parsed by the feeds code's own parser, so what passes here is exactly what the
        poller will preseed.
        """
        # The one import up the layers (tests/index/test_layering.py): the poller's own parser,
        # imported lazily because index.feeds imports settings.
        from index.feeds.specs import parse_feeds_setting

        try:
            parse_feeds_setting(value)
        except NewsdeskError as exc:
            reason = exc.reason.removeprefix("NEWSDESK_FEEDS: ")
            raise ValueError(
                f"entry {exc.item!r}: {reason} (expected comma-separated URL or name=URL)"
            ) from None
        return value

    @field_validator("channels")
    @classmethod
    def _check_channels(cls, value: str) -> str:
        """Reject a bad ``NEWSDESK_CHANNELS`` at startup, with the parser that preseeds it."""
        # Up the layers, as for feeds: the channels' own parser, imported lazily.
        from index.channels import parse_channels_setting

        try:
            parse_channels_setting(value)
        except NewsdeskError as exc:
            reason = exc.reason.removeprefix("NEWSDESK_CHANNELS: ")
            raise ValueError(f"entry {exc.item!r}: {reason}") from None
        return value


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT], **overrides: object) -> SettingsT:
    """Build settings, raising SettingsError with one line naming the bad variable.

    Args:
        cls: the settings class (IndexSettings or a subclass).
        **overrides: values that win over the environment (command-line options).

    Raises:
        SettingsError: a variable holds an invalid value.
    """
    try:
        return cls(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ENV_PREFIX + str(first["loc"][0]).upper() if first["loc"] else ENV_PREFIX
        message = first["msg"].removeprefix("Value error, ")  # pydantic's ValueError prefix
        raise SettingsError(f"invalid value for {name}: {message}") from None
