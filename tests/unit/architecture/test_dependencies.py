"""The package dependency graph (ARCHITECTURE.md): ``faultline -> api -> agent -> (collectors, diagnosis)``
and ``faultline -> lab``; diagnosis, collectors and lab import none of the others. Imports are read from
the source (every ``import`` anywhere in a module, also inside functions), not from what happens to load."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGES = ("faultline", "api", "agent", "collectors", "diagnosis", "lab")
ALLOWED = {
    "faultline": {"api", "agent", "collectors", "diagnosis", "lab"},
    "api": {"agent", "diagnosis"},  # diagnosis enums and value types in response models; never collectors
    "agent": {"collectors", "diagnosis"},
    "collectors": set(),
    "diagnosis": set(),
    "lab": set(),
}


CYCLE_CHECKED = PACKAGES


def _imports(path: Path) -> set[str]:
    """The faultline packages a module imports (relative imports resolve to the module's own package)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_the_architecture_allows(package: str) -> None:
    wrong = []
    for path in sorted((REPO / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for imported in _imports(path) - ALLOWED[package] - {package}:
            wrong.append(f"{path.relative_to(REPO)} imports {imported}")
    assert not wrong, "\n".join(wrong)


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never imported at run time)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def test_no_function_level_import_hides_a_cycle() -> None:
    """Every in-function import of a faultline module could be a module-level one: moving them all to
    the top would create no import cycle among the product's modules."""
    modules: dict[str, Path] = {}
    for package in CYCLE_CHECKED:
        for path in (REPO / package).rglob("*.py"):
            rel = path.relative_to(REPO).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            modules[name] = path
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            targets |= {n for n in names if n in modules and n != name}
        edges[name] = targets
    # Tarjan-free check: depth-first search for a back edge.
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if nxt.startswith(node + "."):  # a package importing its own submodule is not a cycle
                continue
            if state.get(nxt) == 1 and not node.startswith(nxt + "."):
                cycle.extend(stack[stack.index(nxt):] + [node, nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, node]):
                return True
        state[node] = 2
        return False

    for name in sorted(edges):
        if state.get(name) is None and visit(name, []):
            break
    assert not cycle, "import cycle: " + " -> ".join(cycle)
