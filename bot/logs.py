"""Logging for the bot process: the token never reaches a log line.

Request URLs contain the bot token (``.../bot<token>/sendMessage``), so ``httpx`` and
``httpcore`` are raised to WARNING, and every log record is scrubbed when it is created.
Scrubbing happens in the record factory rather than in a handler filter because a logger
filter misses records from child loggers and a handler filter misses handlers added later
(pytest's caplog, an operator's file handler); the factory sees every record exactly once.

Libraries put the token into exception text too: PTB's ``InvalidToken`` quotes it, and HTTP
errors quote the request URL. Records carrying such an exception get a scrubbed ``exc_text``,
and ``sys.excepthook`` / ``threading.excepthook`` print an uncaught exception scrubbed, so not
even a crash at exit shows the token. The placeholder replaces the token wherever it appears,
so a URL reads ``.../bot[REDACTED]/getMe``.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

REDACTED = "[REDACTED]"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")

_secrets: tuple[str, ...] = ()  # longest first (see redact)
_lock = threading.Lock()
_installed = False


def redact(value: str) -> str:
    """``value`` with every registered secret replaced by ``[REDACTED]``.

    Longest first: the whole token goes before its secret half, so ``bot<token>`` reads
    ``bot[REDACTED]`` rather than keeping the bot id.
    """
    for secret in _secrets:
        if secret in value:
            value = value.replace(secret, REDACTED)
    return value


def protect_token(token: str) -> None:
    """Register ``token`` (and its secret half) for redaction and quiet the URL loggers."""
    global _installed, _secrets
    with _lock:
        new = {token, token.split(":", 1)[1]} if ":" in token else {token}
        _secrets = tuple(sorted(set(_secrets) | new, key=len, reverse=True))
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: object, **kwargs: object) -> logging.LogRecord:
                record = previous(*args, **kwargs)  # type: ignore[arg-type]
                _scrub(record)
                return record

            logging.setLogRecordFactory(factory)
            _install_excepthooks()
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


def _install_excepthooks() -> None:
    """Print uncaught exceptions (main thread and other threads) with secrets redacted."""
    previous = sys.excepthook

    def excepthook(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        clean = redact(text)
        if clean == text:
            previous(kind, exc, tb)
        else:
            sys.stderr.write(clean)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(f"Exception in thread {name}:\n{redact(text)}")

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def configure_logging(level: int = logging.INFO) -> None:
    """One stderr handler for the bot process (entry points only)."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
