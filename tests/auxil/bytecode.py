"""The project's bytecode, compiled once per run when Python is told not to write it.

With ``PYTHONDONTWRITEBYTECODE`` set (as on the machine these figures come from),
every Python process recompiles each project module it imports: both xdist workers, and
each of the interpreters the suite starts (``newsdesk``/``python -m bot`` subprocesses,
spawned answer workers and bot processes, build workers), dozens of them. Importing the
bot and the archive stack cost ~0.15-0.2 s of CPU more without the project's ``.pyc``
files than with them (``python -c "import bot.app, bot.workers, index.archive"``, four
pairs alternated at load ~6: 1.85-2.12 s of user time against 1.75-1.93 s, 2026-12-07);
compiling both packages once costs ~0.9 s.

So the controller (the only process, or xdist's controller before its workers start)
compiles ``bot/`` and ``index/`` into their ``__pycache__`` folders (git-ignored), as
``pip install`` does for installed packages. Python still checks each ``.pyc`` against its
source's size and modification time, so an edited module is never run stale. Test modules
are not compiled: pytest rewrites their asserts on import (and caches that itself when
bytecode may be written). Without ``PYTHONDONTWRITEBYTECODE`` nothing is done: the first
import writes the files anyway.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "index")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not sys.dont_write_bytecode or hasattr(config, "workerinput"):
        return  # bytecode is written as modules are imported; or a worker: the controller did
    for package in PACKAGES:
        # quiet=2: no listing, no errors (a read-only checkout just runs as before).
        compileall.compile_dir(PROJECT_ROOT / package, quiet=2)
