"""The layout holds: no import cycles among the project's modules, the core never imports the loaders,
pages hold no SQL, and the page table names files that exist."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kpi import navigation

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kpi", "etl")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every project module ``path`` imports, at the top or inside a function (lazy imports count)."""
    out = set()
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(pkg.split(".")[: len(pkg.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in known:
                n = n.rpartition(".")[0]
            if n and n != name:
                out.add(n)
    return out


def graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(p, m, set(mods)) for m, p in mods.items()}


def test_the_core_never_imports_the_loaders():
    bad = sorted((m, d) for m, deps in graph().items() if m.startswith("kpi") for d in deps if d.startswith("etl"))
    assert bad == []


def test_no_import_cycles():
    g = graph()
    # a package's __init__ importing its own modules is not a cycle of design
    for m in g:
        g[m] = {d for d in g[m] if not (m.startswith(d + ".") or d.startswith(m + "."))}
    cycles, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(g.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)
    assert cycles == []


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_hold_no_sql(page):
    text = page.read_text(encoding="utf-8")
    for word in ("SELECT ", "INSERT ", "UPDATE ", "con.execute", "duckdb"):
        assert word not in text, f"{page.name}: {word.strip()} belongs in a kpi/ module"


def test_every_page_in_the_table_exists_and_every_page_file_is_in_the_table():
    files = {p.name for p in (ROOT / "pages").glob("*.py")}
    listed = {Path(p.file).name for p in navigation.PAGES} | {Path(navigation.SIGN_IN.file).name}
    assert listed == files
    from kpi.permissions import PERMISSIONS
    assert all(p.action in PERMISSIONS for p in navigation.PAGES)
