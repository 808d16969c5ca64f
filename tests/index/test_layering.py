"""index/ never imports bot/ or telegram: the import direction is bot → index only."""

from __future__ import annotations

import ast
from pathlib import Path

INDEX_DIR = Path(__file__).resolve().parents[2] / "index"


def test_index_package_never_imports_bot_or_telegram() -> None:
    offenders = []
    for path in INDEX_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("bot", "telegram"):
                    offenders.append(f"{path.relative_to(INDEX_DIR)} imports {name}")
    assert offenders == []
