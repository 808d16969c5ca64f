"""Test and benchmark support that must be importable outside ``tests/`` (``bot.bench``)."""
