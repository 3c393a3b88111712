"""The package's layout keeps its promises (DESIGN.md §1, issue 9): data flows one way, so no
module imports one that imports it back, not even inside a function; only cli.py speaks
typer."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "linkcheck"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Every module of the package → the package modules it imports, anywhere in it
    (top level, inside functions, under TYPE_CHECKING: a lazy import is still an arrow)."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    path: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in seen:
            return None
        seen.add(node)
        path.append(node)
        for target in sorted(graph[node]):
            found = visit(target)
            if found is not None:
                return found
        path.pop()
        return None

    return visit(start)


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = imports()
    for module in sorted(graph):
        cycle = _cycle_from(module, graph)
        assert cycle is None, " → ".join(cycle or [])


def test_the_walker_sees_lazy_imports() -> None:
    graph = imports()
    assert "linkcheck.report.json_report" in graph["linkcheck.report"]  # inside reporter_for
    assert "linkcheck.rules" in graph["linkcheck.engine.classify"]  # inside classify()
    assert "linkcheck.commands.check" in graph["linkcheck"]  # inside the API's check()


def test_only_the_cli_speaks_typer() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "cli.py":
            assert "import typer" not in text, path
            assert "from typer" not in text, path


def _component(module: str) -> str:
    """linkcheck.fetch.fetcher → fetch, linkcheck.commands → commands, linkcheck → __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _readme_rows() -> list[tuple[set[str], set[str]]]:
    """(modules of the row, what they may import) from the README's layout table."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("### How the code is laid out", 1)[1].split("\n### ", 1)[0]
    rows = []
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = {re.sub(r"(\.py|/)$", "", n) for n in re.findall(r"`([^`]+)`", cells[0])}
        rows.append((names, set(re.findall(r"`([^`]+)`", cells[2]))))
    return rows


def test_the_readme_s_layout_table_is_true() -> None:
    graph = imports()
    components = {_component(module) for module in graph}
    rows = _readme_rows()
    listed = set().union(*(names for names, _ in rows))
    assert components - listed == set(), "modules missing from the README's table"
    assert listed - components == set(), "the README's table names modules that do not exist"
    for names, allowed in rows:
        assert allowed <= components, f"{sorted(names)} may import unknown {allowed - components}"
        for module, targets in graph.items():
            if _component(module) not in names:
                continue
            for target in targets:
                assert _component(target) in names | allowed, f"{module} imports {target}"
