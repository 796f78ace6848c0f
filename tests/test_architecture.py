"""The package layout: no import cycles, no private names across modules, small modules.

The import graph is read with ``ast`` from the source (module-level and function-level
imports; ``if TYPE_CHECKING:`` blocks are left out, as they never run). Importing
``a.b.c`` also imports the packages ``a.b`` and ``a`` first, so an import adds an edge
to the module and to each package above it that does not already contain the importer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sim"
MAX_MODULE_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str) -> list[tuple[str, list[str], int]]:
    """``(module imported, names taken from it, line)`` for every import that runs."""
    found: list[tuple[str, list[str], int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, [], child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:  # relative import
                    base = module.split(".")
                    is_package = MODULES[module].name == "__init__.py"
                    base = base[: len(base) - child.level + (1 if is_package else 0)]
                    name = ".".join(base + ([child.module] if child.module else []))
                else:
                    name = child.module or ""
                found.append((name, [a.name for a in child.names], child.lineno))
            visit(child)

    visit(tree)
    return found


def _targets(imported: str, names: list[str]) -> list[str]:
    """Modules of ``sim`` that an import runs: the module (or submodules named) and parents."""
    modules = []
    for name in names or [""]:
        full = f"{imported}.{name}" if name else imported
        modules.append(full if full in MODULES else imported)
    out = []
    for target in modules:
        parts = target.split(".")
        out.extend(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    return [m for m in dict.fromkeys(out) if m in MODULES]


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        tree = ast.parse(path.read_text(), filename=str(path))
        ancestors = {".".join(module.split(".")[:k]) for k in range(1, module.count(".") + 1)}
        if path.name == "__init__.py":
            ancestors.add(module)
        for imported, names, _ in _imports(tree, module):
            if not imported.startswith("sim"):
                continue
            for target in _targets(imported, names):
                if target != module and target not in ancestors:
                    graph.add_edge(module, target)
    return graph


def test_the_import_graph_has_no_cycles() -> None:
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_a_cycle_is_found_when_there_is_one() -> None:
    # the checker itself: a back edge from the network to the engine would be a cycle
    graph = import_graph()
    graph.add_edge("sim.network.compiled", "sim.engine.model")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(graph))


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for imported, names, line in _imports(tree, module):
            if imported.startswith("sim"):
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                private += [p for p in imported.split(".") if p.startswith("_") and p != "__init__"]
                if private and not imported.startswith(module.rsplit(".", 1)[0] + "._"):
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {private}")
    assert not offenders, "\n".join(offenders)


def test_modules_are_small() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in MODULES.values()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_every_package_names_its_public_api() -> None:
    for folder in sorted({p.parent for p in PACKAGE.rglob("*.py")}):
        if folder.name == "__pycache__":
            continue
        init = folder / "__init__.py"
        assert init.is_file(), f"{folder.relative_to(ROOT)} has no __init__.py"
        tree = ast.parse(init.read_text())
        names = [
            name.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            for name in (target.elts if isinstance(target, ast.Tuple) else [target])
            if isinstance(name, ast.Name)
        ]
        assert "__all__" in names, f"{init.relative_to(ROOT)} has no __all__"


def test_no_flat_prefix_families_remain() -> None:
    flat = [p.stem for p in PACKAGE.glob("*_*.py") if not p.stem.startswith("__")]
    assert not flat, f"prefixed modules left at the top of sim/: {flat}"


@pytest.mark.parametrize(
    "code",
    [
        "import sim.errors",
        "import sim",
        "from sim.cli.app import build_parser; build_parser().format_help()",
    ],
)
def test_light_entry_points_load_no_heavy_library(code: str) -> None:
    probe = (
        f"{code}\nimport sys\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'mesa', 'pandas', 'scipy', 'numpy', 'matplotlib', 'simpy', 'osmnx', 'networkx'})\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{code!r} imports {out}"
