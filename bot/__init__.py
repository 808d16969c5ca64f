"""newsdesk's Telegram adapter: python-telegram-bot handlers over the ``index`` archive.

It imports only the ``index`` package's public surface; ``bot.app`` wires everything.
"""
