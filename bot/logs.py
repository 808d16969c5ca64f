"""Logging for the bot process: the token never reaches a log line.

Request URLs contain the bot token (``.../bot<token>/sendMessage``), so ``httpx`` and
``httpcore`` are raised to WARNING, and every log record is scrubbed when it is created.
Scrubbing happens in the record factory rather than in a handler filter because a logger
filter misses records from child loggers and a handler filter misses handlers added later
(pytest's caplog, an operator's file handler); the factory sees every record exactly once.
"""

from __future__ import annotations

import logging
import threading

REDACTED = "[REDACTED]"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(value: str) -> str:
    """``value`` with every registered secret replaced by ``[REDACTED]``."""
    for secret in _secrets:
        if secret in value:
            value = value.replace(secret, REDACTED)
    return value


def protect_token(token: str) -> None:
    """Register ``token`` (and its secret half) for redaction and quiet the URL loggers."""
    global _installed
    with _lock:
        _secrets.add(token)
        if ":" in token:
            _secrets.add(token.split(":", 1)[1])
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: object, **kwargs: object) -> logging.LogRecord:
                record = previous(*args, **kwargs)  # type: ignore[arg-type]
                _scrub(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _scrub(record: logging.LogRecord) -> None:
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging module's to report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        clean_text = redact(text)
        if clean_text != text:
            record.exc_text = clean_text


def configure_logging(level: int = logging.INFO) -> None:
    """One stderr handler for the bot process (entry points only)."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
