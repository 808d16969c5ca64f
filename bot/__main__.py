"""`python -m bot`: start the Telegram bot, the same as `newsdesk run`."""

import sys

from bot.cli import run_bot_main

sys.exit(run_bot_main())
