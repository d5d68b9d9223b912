"""No import cycle among the project's modules.

A cycle makes the import order decide which module sees a half-initialised other one, and it ties
packages together that should depend one way only. The graph holds the imports a module runs when it
is imported: its top level (class bodies and `try` blocks included), not function bodies (deferred
until called) and not `if TYPE_CHECKING:` blocks (never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler", "storage")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations" not in path.relative_to(REPO).parts
    }


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def run_at_import(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements among `body` that run when the module is imported."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        elif isinstance(node, ast.If):
            if not _type_checking_only(node):
                found += run_at_import(node.body)
            found += run_at_import(node.orelse)
        elif isinstance(node, ast.ClassDef):
            found += run_at_import(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                found += run_at_import(block)
        elif isinstance(node, ast.With | ast.AsyncWith | ast.For | ast.AsyncFor | ast.While):
            found += run_at_import(node.body)
    return found


def resolve(importer: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The project modules one import statement loads (outside modules are left out)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        anchor = importer.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    targets = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in known:
            targets.add(submodule)  # `from package import module`
        elif base in known:
            targets.add(base)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in run_at_import(tree.body):
            edges |= resolve(name, is_package, node, known)
        graph[name] = edges - {name}
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot hit the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [cycle_within(graph, group) for group in groups]


def cycle_within(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A concrete path a -> b -> ... -> a inside one strongly connected group."""
    members = set(group)
    start = group[0]
    path, seen = [start], {start}
    while True:
        following = sorted(graph[path[-1]] & members)
        if start in following and len(path) > 1:
            return [*path, start]
        unseen = [m for m in following if m not in seen]
        if not unseen:
            # The shortest way back exists (the group is strongly connected): breadth-first from here.
            return [*path, *shortest(graph, members, path[-1], start)[1:]]
        path.append(unseen[0])
        seen.add(unseen[0])


def shortest(graph: dict[str, set[str]], members: set[str], source: str, target: str) -> list[str]:
    previous: dict[str, str] = {}
    frontier = [source]
    while frontier:
        following = []
        for node in frontier:
            for step in sorted(graph[node] & members):
                if step not in previous and step != source:
                    previous[step] = node
                    following.append(step)
        if target in previous:
            break
        frontier = following
    path = [target]
    while path[-1] != source:
        path.append(previous[path[-1]])
    return path[::-1]


def test_the_project_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "bot.composition" in graph and graph["bot.composition"], "the walk found no imports at all"
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_check_finds_a_cycle_and_skips_what_never_runs_at_import() -> None:
    source = """
from typing import TYPE_CHECKING
import a
if TYPE_CHECKING:
    import b
def later():
    import c
class Holder:
    import d
try:
    import e
except ImportError:
    import f
"""
    imported = run_at_import(ast.parse(source).body)
    names = {alias.name for node in imported for alias in node.names}
    assert names == {"TYPE_CHECKING", "a", "d", "e", "f"}
    assert find_cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}, "w": {"x"}}) == [["x", "y", "z", "x"]]
    assert find_cycles({"x": {"y"}, "y": set()}) == []


def test_relative_and_package_imports_resolve_to_modules() -> None:
    known = {"bot", "bot.alerts", "bot.alerts.service", "bot.alerts.delivery"}
    relative = ast.parse("from .service import AlertCard").body[0]
    assert resolve("bot.alerts.delivery", False, relative, known) == {"bot.alerts.service"}  # type: ignore[arg-type]
    submodule = ast.parse("from bot.alerts import service").body[0]
    assert resolve("bot.x", False, submodule, known) == {"bot.alerts.service"}  # type: ignore[arg-type]
    name = ast.parse("from bot.alerts import AlertThing").body[0]
    assert resolve("bot.x", False, name, known) == {"bot.alerts"}  # type: ignore[arg-type]
