"""Python layering: no import cycles; implementation modules never import a façade back."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import Dict, List, Set

import pytest

import maskkit

PACKAGE = Path(maskkit.__file__).parent
PUBLIC = {"maskkit.coco", "maskkit.rle", "maskkit.polygon", "maskkit.cc", "maskkit.panoptic", "maskkit.iou", "maskkit.boxes", "maskkit.sam"}


def module_names() -> List[str]:
    names = ["maskkit"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="maskkit."):
        names.append(info.name)
    return sorted(names)


def source_of(name: str) -> Path:
    relative = Path(*name.split(".")[1:])
    package = PACKAGE / relative / "__init__.py"
    return package if package.exists() else (PACKAGE / relative).with_suffix(".py")


def imports_of(name: str) -> Set[str]:
    """The maskkit modules ``name`` imports, at module level or inside functions."""
    path = source_of(name)
    if not path.exists():  # the compiled module
        return set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("maskkit"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("maskkit"):
                continue
            for alias in node.names:  # `from . import rle` imports the module maskkit.rle
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in ALL_MODULES else module)
    found.discard(name)
    return {m for m in found if m in ALL_MODULES}


ALL_MODULES = set(module_names())
GRAPH: Dict[str, Set[str]] = {name: imports_of(name) for name in sorted(ALL_MODULES)}


def test_every_module_imports():
    for name in sorted(ALL_MODULES - {"maskkit.__main__"}):  # __main__ runs the CLI
        importlib.import_module(name)


def test_import_graph_has_no_cycle():
    state: Dict[str, int] = {}
    path: List[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(GRAPH[node]):
            # the package __init__ re-exports the façades; a module importing `maskkit` itself
            # for a runtime control is not a layering edge back into a façade
            if target == "maskkit":
                continue
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)


def test_implementation_modules_never_import_a_facade():
    offenders = {
        name: sorted(GRAPH[name] & PUBLIC)
        for name in GRAPH
        if name.rsplit(".", 1)[-1].startswith("_") and not name.startswith("maskkit._bench") and GRAPH[name] & PUBLIC
    }
    assert offenders == {}


@pytest.mark.parametrize("name", sorted(PUBLIC | {"maskkit"}))
def test_all_lists_only_defined_names(name):
    module = importlib.import_module(name)
    assert module.__all__, f"{name} has an empty __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []
