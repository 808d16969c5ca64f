"""The bot uses only the ``index`` package surface (``from index import ...``).

Two tools are allowed below it, each for a stated reason next to its import: the console
script extends ``index.cli``'s parser, and the bot benchmark reuses the engine benchmark's
corpus generator and archive builder. Anything else reaching into ``index.*`` couples the
bot to internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot
import index

BOT_DIR = Path(bot.__file__).parent
ALLOWED_BELOW_SURFACE = {
    ("cli.py", "index.cli"),
    ("bench.py", "index.bench.corpus"),
    ("bench.py", "index.bench.archive_corpus"),
}


def _index_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import of ``index`` or a submodule in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "index" or node.module.startswith("index."):
                found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "index" or alias.name.startswith("index."):
                    found.append((alias.name, []))
    return found


def test_bot_imports_only_the_index_surface() -> None:
    below = []
    for path in sorted(BOT_DIR.rglob("*.py")):
        relative = path.relative_to(BOT_DIR).as_posix()
        for module, names in _index_imports(path):
            if module == "index":
                missing = [name for name in names if name not in index.__all__]
                assert not missing, f"bot/{relative} imports non-public {missing} from index"
            elif (relative, module) not in ALLOWED_BELOW_SURFACE:
                below.append(f"bot/{relative}: {module}")
    assert below == []


def test_the_allowed_exceptions_still_say_why() -> None:
    for relative, module in ALLOWED_BELOW_SURFACE:
        source = (BOT_DIR / relative).read_text(encoding="utf-8")
        before = source[: source.index(f"from {module} import")].rstrip().splitlines()[-1]
        assert before.lstrip().startswith("#"), f"bot/{relative}: say why {module} is imported"
