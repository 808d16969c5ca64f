"""Imports inside ``index/`` go one way: down the layers below, never up, never to bot/.

Data flows extract → store → analysis → search → answer, but the imports are layered a little
differently, because analysis is a leaf that two stages need (extract detects each article's
language with it, answer analyses the question with it). Read from the bottom:

1. ``errors``, then ``models``, then ``settings``: imported by everything.
2. ``analysis``: text → terms; imports only models.
3. ``fetch``, ``reading`` (local files within limits), ``extract``, ``store``, ``search``,
   ``channels`` (Telegram posts → articles), ``charts`` (the stats chart), ``dedup``:
   siblings; none imports another. The store holds no analysis (the facade passes it rows)
   and the engine takes term ids, not text; ``dedup`` signs texts and judges reprints, and
   the store keeps what it computes.
4. ``statements`` (who said what: extraction from analysis's fold keys and dates, reads
   from the store's statements table).
5. ``answer`` (needs search and analysis), ``feeds`` (needs fetch, extract and store),
   ``indexing`` (the index keeper: store rows → analysis → search segments), ``upkeep``
   (``newsdesk check``: the store's integrity, the index against the store) and
   ``reprints`` (the story keeper: store rows → dedup → stories): siblings.
6. ``archive``: the facade, the only module that knows every stage.
7. ``cli``, ``eval``, ``bench``: tools on top of the facade; siblings.
8. ``__init__`` (the public surface) and ``__main__``.

A module may import its own unit and any unit of a lower layer. One import goes up, named in
``ALLOWED_UPWARD`` with its reason next to it in the code.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

INDEX_DIR = Path(__file__).resolve().parents[2] / "index"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("models",),
    ("settings",),
    ("analysis",),
    ("fetch", "reading", "extract", "store", "search", "channels", "charts", "dedup"),
    ("statements",),
    ("answer", "feeds", "indexing", "upkeep", "reprints"),
    ("archive",),
    ("cli", "eval", "bench"),
    ("__init__", "__main__"),
)
LAYER_OF = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
ALLOWED_UPWARD = {
    ("settings.py", "index.feeds.specs"),
    ("settings.py", "index.channels"),
    # One compiled extension holds every C kernel (index/search/_kernels.c). The analyzer's
    # word-span loop is one of them (``chunk_spans``), imported on first use only, so
    # analysing text without its spans still loads neither the search stage nor numpy.
    ("analysis/analyzer.py", "index.search.kernels"),
    # The same extension holds the build's term table: the passage encoder (which build
    # workers run) interns its terms there, with no Python object a term (term_table.py).
    ("analysis/encoding.py", "index.search.term_table"),
}


def _unit(module: str) -> str:
    """The layer unit of a dotted ``index...`` module: its top package or module under index/."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(INDEX_DIR.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def _import_nodes(path: Path) -> tuple[ast.Import | ast.ImportFrom, ...]:
    """Every import statement in ``path``, lazy ones too; parsed once for all the tests here
    (parsing every module of index/ three times cost ~3 s of the file's ~4.5 s of CPU)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return tuple(node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom))


def _imported_modules(path: Path) -> list[str]:
    """Every ``index...`` module ``path`` imports, relative imports resolved, lazy ones too."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = []
    for node in _import_nodes(path):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append(module)
    return [name for name in found if name == "index" or name.startswith("index.")]


def _upward_imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted(INDEX_DIR.rglob("*.py")):
        unit = _unit(_module_name(path))
        for module in _imported_modules(path):
            target = _unit(module)
            if target != unit and LAYER_OF[target] >= LAYER_OF[unit]:
                found.append((path.relative_to(INDEX_DIR).as_posix(), module))
    return found


def test_index_package_never_imports_bot_or_telegram() -> None:
    offenders = []
    for path in INDEX_DIR.rglob("*.py"):
        for node in _import_nodes(path):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("bot", "telegram"):
                    offenders.append(f"{path.relative_to(INDEX_DIR)} imports {name}")
    assert offenders == []


def test_every_unit_of_index_has_a_layer() -> None:
    units = {path.stem for path in INDEX_DIR.glob("*.py")}
    units |= {path.parent.name for path in INDEX_DIR.glob("*/__init__.py")}
    assert units == set(LAYER_OF)


def test_no_module_imports_a_later_stage_or_a_sibling() -> None:
    upward = [found for found in _upward_imports() if found not in ALLOWED_UPWARD]
    assert upward == []


def test_the_allowed_upward_imports_still_exist_and_say_why() -> None:
    assert set(_upward_imports()) >= ALLOWED_UPWARD
    for relative, module in ALLOWED_UPWARD:
        source = (INDEX_DIR / relative).read_text(encoding="utf-8")
        before = source[: source.index(f"from {module} import")].rstrip().splitlines()[-1]
        assert before.lstrip().startswith("#"), f"index/{relative}: say why {module} is imported"
