"""The `newsdesk` console script: every archive command of ``index.cli`` plus ``run``.

``run`` starts the Telegram bot. PTB is imported only inside it, so ``newsdesk ingest`` and
friends start fast and work even where the bot's dependencies are missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# The one import below the package surface: this script *is* the archive CLI plus ``run``,
# built through the parser's documented extension hook (``build_parser(extend=...)``), so
# every archive subcommand, option and exit code stays defined once, in ``index.cli``.
from index.cli import EXIT_USAGE, Subcommands, build_parser, run


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot (long polling, or a webhook when NEWSDESK_WEBHOOK_URL is set)."""
    try:
        from bot import app
    except ImportError as exc:
        if exc.name not in ("bot.app", "telegram"):
            raise
        sys.stderr.write(f"error: the Telegram bot is not available ({exc.name} is missing)\n")
        return EXIT_USAGE
    from bot.settings import load_bot_settings
    from bot.startup import BotStartError

    settings = load_bot_settings(data_dir=args.data_dir)
    try:
        return int(app.run_bot(settings) or 0)
    except BotStartError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE


def _add_run(subcommands: Subcommands) -> None:
    subcommands.add("run", "start the Telegram bot", cmd_run, needs_archive=False)


def build_bot_parser() -> argparse.ArgumentParser:
    """The archive parser with the ``run`` subcommand."""
    return build_parser(extend=_add_run)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsdesk` script; returns the exit code."""
    return run(build_bot_parser(), argv)


def run_bot_main() -> int:
    """`python -m bot`: the same as `newsdesk run` (options such as --data-dir allowed)."""
    return main(["run", *sys.argv[1:]])
