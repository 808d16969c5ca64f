"""Test support, not tests: the fake Bot API server (``python -m bot.bench`` drives it too)
and the local HTTP server the fetch tests serve pages from.

Kept under ``tests/`` so it never ships in the wheel (``pyproject.toml`` packages only
``index*`` and ``bot*``), as python-telegram-bot keeps its helpers in ``tests/auxil``.
"""
