"""Imports only go down the layers: sources -> stores -> capabilities -> pages/site -> web -> cli.

Every import of every module of the package counts, those inside functions too: a lazy import is
still a dependency. docs/architecture.md says what each layer owns.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "csei_graph"

# Each module or package of csei_graph and its layer; a module not named is in its package's layer.
LAYERS: dict[str, int] = {
    # 0, sources: reading files, settings, names, terms, atomic writes, kept results. The package
    # itself imports nothing when imported (its public names are looked up on first use), so any
    # module may read its version from it.
    "csei_graph": 0,
    "csei_graph.settings": 0,
    "csei_graph.namespaces": 0,
    "csei_graph.files": 0,
    "csei_graph.leftovers": 0,
    "csei_graph.cache": 0,
    "csei_graph.terms": 0,
    "csei_graph.progress": 0,
    "csei_graph.sparql_syntax": 0,
    "csei_graph.admission": 0,
    "csei_graph.sources": 0,
    # 1, stores: the one store interface and its adapters.
    "csei_graph.stores": 1,
    # 2, where the graph lives.
    "csei_graph.workspace": 2,
    # 3, capabilities: what the graph is used for.
    "csei_graph.api": 3,
    "csei_graph.validation": 3,
    "csei_graph.queries": 3,
    "csei_graph.export": 3,
    "csei_graph.contributions": 3,
    "csei_graph.releases": 3,
    "csei_graph.reconcile": 3,
    "csei_graph.transfer": 3,
    "csei_graph.synth": 3,
    # 4, the pages (shared by publish and serve) and the static publisher.
    "csei_graph.pages": 4,
    "csei_graph.site": 4,
    # 5, the server.
    "csei_graph.web": 5,
    # 6, the command line and what is written from it.
    "csei_graph.cli": 6,
    "csei_graph.docs": 6,
    "csei_graph.__main__": 6,
}
NAMES = ("sources", "stores", "workspace", "capabilities", "pages/site", "web", "cli")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer of a module of the package: its own, else its nearest package's."""
    name = module
    while name not in LAYERS or (name == "csei_graph" and module != name):
        # A module at the top of the package is named itself: the package's own layer is not its.
        if "." not in name:
            raise KeyError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")
        name = name.rsplit(".", 1)[0]
    return LAYERS[name]


def imported(module: str, *, when_imported: bool = False) -> set[str]:
    """The modules of the package `module` imports, anywhere in it (or only as it is imported)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Imports at the top of the module run when it is imported; those in functions, when called.
    for node in tree.body if when_imported else ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                # `from a import b` imports the module a.b when there is one, else a name of a.
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name == "csei_graph" or name.startswith("csei_graph.")}


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_are_resolved() -> None:
    # A test that resolved nothing would find no import going up.
    assert "csei_graph.stores.base" in imported("csei_graph.stores.embedded")
    assert "csei_graph.export" in imported("csei_graph.web.pages")
    assert imported("csei_graph.leftovers") == set()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down(module: str) -> None:
    own = layer_of(module)
    upward = [
        f"{target} ({NAMES[layer_of(target)]})"
        for target in sorted(imported(module))
        if layer_of(target) > own
    ]
    assert not upward, f"{module} ({NAMES[own]}) imports from a higher layer: {', '.join(upward)}"


def test_no_import_cycle() -> None:
    # A cycle of imports run at import time breaks whichever module of it is imported first.
    graph = {module: imported(module, when_imported=True) - {module} for module in MODULES}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
