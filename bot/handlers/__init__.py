"""Handlers by chat kind and feature; ``bot.app.add_handlers`` registers them all."""
