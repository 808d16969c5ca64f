"""`.env.example` documents every setting, and only settings that exist, with valid values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from index.settings import ENV_PREFIX, IndexSettings
from tests.conftest import PROJECT_ROOT

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
# "NAME=value" or "# NAME=value": the documented (possibly commented-out) assignments.
ASSIGNMENT = re.compile(rf"^#?\s*({ENV_PREFIX}[A-Z0-9_]+)=(.*)$")


def _documented(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            assert match.group(1) not in found, f"{match.group(1)} documented twice"
            found[match.group(1)] = match.group(2)
    return found


def _settings_classes() -> list[type[BaseSettings]]:
    classes: list[type[BaseSettings]] = [IndexSettings]
    try:
        from bot.settings import BotSettings
    except ImportError:
        return classes
    classes.append(BotSettings)
    return classes


def _variables(cls: type[BaseSettings]) -> set[str]:
    return {ENV_PREFIX + name.upper() for name in cls.model_fields}


def test_every_setting_is_documented() -> None:
    documented = set(_documented(ENV_EXAMPLE))
    for cls in _settings_classes():
        missing = _variables(cls) - documented
        assert not missing, f"{cls.__name__} fields missing from .env.example: {sorted(missing)}"


def test_every_documented_variable_is_a_setting() -> None:
    known = set().union(*(_variables(cls) for cls in _settings_classes()))
    unknown = set(_documented(ENV_EXAMPLE)) - known
    assert not unknown, f".env.example documents unknown variables: {sorted(unknown)}"


def test_documented_values_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommenting every line of the example gives settings that load."""
    for name, value in _documented(ENV_EXAMPLE).items():
        monkeypatch.setenv(name, value)
    for cls in _settings_classes():
        cls(_env_file=None)


def test_the_bot_variables_of_the_issue_are_documented() -> None:
    documented = set(_documented(ENV_EXAMPLE))
    assert {
        "NEWSDESK_DATA_DIR",
        "NEWSDESK_BOT_TOKEN",
        "NEWSDESK_ADMIN_IDS",
        "NEWSDESK_BOT_API_URL",
        "NEWSDESK_WEBHOOK_URL",
        "NEWSDESK_WEBHOOK_SECRET",
        "NEWSDESK_WEBHOOK_LISTEN",
        "NEWSDESK_WEBHOOK_PORT",
    } <= documented


def _shown_defaults(path: Path) -> dict[str, str]:
    """Assignments whose comment block does not mark them "(example)": they show defaults."""
    shown: dict[str, str] = {}
    comment: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = ASSIGNMENT.match(line)
        if match:
            if "example" not in " ".join(comment).lower():
                shown[match.group(1)] = match.group(2)
            continue
        comment = [*comment, line] if line.startswith("#") else []
    return shown


def _as_env(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_values_not_marked_as_examples_are_the_defaults() -> None:
    defaults = {}
    for cls in _settings_classes():
        for name, field in cls.model_fields.items():
            if not field.is_required() and field.default_factory is None:
                defaults[ENV_PREFIX + name.upper()] = field.default
    shown = _shown_defaults(ENV_EXAMPLE)
    assert shown, "no defaults found in .env.example"
    for variable, value in shown.items():
        assert variable in defaults, f"{variable} is shown as a default but has none"
        expected = defaults[variable]
        if isinstance(expected, Path):
            assert Path(value) == expected, variable
        else:
            assert value == _as_env(expected), f"{variable}: {value} != {expected!r}"
