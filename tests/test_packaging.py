"""The wheel ships the product without test helpers; the bot benchmark says what it needs."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages, find_packages

from tests.conftest import PROJECT_ROOT


def _shipped_packages() -> list[str]:
    """What ``[tool.setuptools.packages.find]`` in pyproject.toml puts into the wheel."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    find = config["tool"]["setuptools"]["packages"]["find"]
    finder = find_namespace_packages if find.get("namespaces", True) else find_packages
    return finder(
        where=str(PROJECT_ROOT),
        include=find.get("include", ["*"]),
        exclude=find.get("exclude", ()),
    )


def test_the_wheel_ships_no_test_helpers() -> None:
    # Modules, not package names: a stale __pycache__ folder is a namespace package to
    # setuptools but ships no code.
    modules = [
        f"{package}.{path.stem}"
        for package in _shipped_packages()
        for path in PROJECT_ROOT.joinpath(*package.split(".")).glob("*.py")
    ]
    assert "bot.app" in modules and "index.archive" in modules
    assert [name for name in modules if name.split(".")[0] == "tests"] == []
    assert [name for name in modules if "testing" in name.split(".")] == []
    assert [name for name in modules if name.endswith(".fake_bot_api")] == []


def test_the_bot_bench_outside_a_checkout_says_what_it_needs(tmp_path: Path) -> None:
    # An installed layout: the two packages importable, tests/ not (as from the wheel).
    site = tmp_path / "site"
    site.mkdir()
    for package in ("bot", "index"):
        (site / package).symlink_to(PROJECT_ROOT / package, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.bench", "--users", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: python -m bot.bench runs from a source checkout")
    assert "tests/auxil/fake_bot_api.py" in line
