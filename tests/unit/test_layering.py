"""Import rules from DESIGN.md's Architecture section, each checked on the source.

Imports flow one way: pages -> components -> analysis, and pages -> data_access ->
analysis. Never: analysis -> anything of ours or Dash/Flask/SQLAlchemy; data_access ->
dash, flask or auth; components -> data_access, flask or auth; cli -> pages; pages ->
sqlalchemy; and no import cycle between files.

Each rule scans the source with ``ast`` (nothing is imported), so a forbidden import fails
here even if the module is never loaded by another test. Imports inside functions count:
a lazy import is still an edge. Folders that do not exist yet are simply empty.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_ALLOWED = {"pandas", "numpy", "scipy", "math", "analysis"}
# Our top-level packages and modules (what "anything of ours" means).
OURS = {
    "analysis",
    "api",
    "app",
    "auth",
    "bench",
    "cli",
    "components",
    "data_access",
    "pages",
    "rules",
    "settings",
    "tools",
}
# Source folders and top-level modules whose files take part in the cycle check.
SOURCE = ["analysis", "api", "auth", "components", "data_access", "pages", "rules"]
TOP_MODULES = ["app.py", "cli.py", "settings.py"]
# Files that still break a rule while their module is being reshaped elsewhere. The test
# fails when one of them no longer breaks it, so the entry is removed as soon as it can be.
PENDING: dict[str, set[str]] = {}


def _python_files(folder: str) -> list[Path]:
    base = ROOT / folder
    return sorted(base.rglob("*.py")) if base.is_dir() else []


def _imports(path: Path) -> list[tuple[int, int, str, list[str]]]:
    """(line, level, module, imported names) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, 0, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            found.append((node.lineno, node.level, node.module or "", names))
    return found


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for every import; relative imports give ".relative"."""
    return [
        (line, ".relative" if level else module.split(".")[0])
        for line, level, module, _names in _imports(path)
    ]


def _violations(folder: str, is_forbidden: Callable[[str], bool]) -> list[str]:
    paths = [ROOT / folder] if folder.endswith(".py") else _python_files(folder)
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        if path.is_file()
        for line, module in _imported_modules(path)
        if is_forbidden(module)
    ]


def _breaking_files(violations: list[str]) -> set[str]:
    return {v.split(":")[0] for v in violations}


def _check(rule: str, violations: list[str]) -> None:
    """No violations except the rule's pending files, each of which must still break it."""
    pending = PENDING.get(rule, set())
    unexpected = [v for v in violations if v.split(":")[0] not in pending]
    assert unexpected == [], rule
    fixed = pending - _breaking_files(violations)
    assert fixed == set(), f"{rule}: remove {sorted(fixed)} from PENDING"


def _one_of(*modules: str) -> Callable[[str], bool]:
    return lambda module: module in modules


def test_lay001_analysis_imports_only_stdlib_and_scientific_stack():
    def forbidden(module: str) -> bool:
        allowed = module in ANALYSIS_ALLOWED or module in sys.stdlib_module_names
        return not (allowed or module == ".relative")

    assert _python_files("analysis"), "analysis/ should contain modules"
    assert _violations("analysis", forbidden) == []


def test_lay002_data_access_does_not_import_dash():
    assert _violations("data_access", lambda m: m == "dash" or m.startswith("dash_")) == []


def test_lay003_components_do_not_import_data_access():
    assert _violations("components", lambda m: m == "data_access") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask\n", ["flask"]),
        ("from sqlalchemy.orm import Session\n", ["sqlalchemy"]),
        ("from data_access import repo\nimport math\n", ["data_access", "math"]),
        ("from . import intervals\n", [".relative"]),
        ("def f():\n    import dash\n", ["dash"]),
    ],
)
def test_lay004_scanner_sees_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert [module for _, module in _imported_modules(path)] == expected


def test_lay005_analysis_imports_nothing_of_ours_but_itself():
    assert _violations("analysis", lambda m: m in OURS - {"analysis"}) == []


def test_lay006_data_access_imports_neither_flask_nor_auth():
    rule = "data_access imports neither flask nor auth"
    _check(rule, _violations("data_access", _one_of("flask", "flask_login", "auth")))


def test_lay007_components_import_neither_flask_nor_auth():
    assert _violations("components", _one_of("flask", "flask_login", "auth")) == []


def test_lay008_cli_does_not_import_pages():
    assert _violations("cli.py", _one_of("pages")) == []


def test_lay009_pages_do_not_import_sqlalchemy():
    assert _violations("pages", _one_of("sqlalchemy")) == []


def test_lay010_imports_flow_one_way():
    """Lower layers never import higher ones: data_access and auth know nothing of the
    web pages, components nothing of pages or the API."""
    assert _violations("data_access", _one_of("pages", "components", "api", "app", "cli")) == []
    assert _violations("components", _one_of("pages", "api", "app", "cli")) == []
    assert _violations("auth", _one_of("pages", "components", "api", "app", "cli")) == []
    assert _violations("api", _one_of("pages", "app", "cli")) == []


# --- cycles between files ----------------------------------------------------------------------


def _module_file(dotted: str) -> Path | None:
    """The file of a module of ours (``pkg/mod.py`` or ``pkg/__init__.py``), else None."""
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def _targets(path: Path) -> set[Path]:
    """The files of ours that ``path`` imports (a submodule named in ``from pkg import
    mod`` is that module's file; a name defined in a package is its ``__init__``)."""
    found: set[Path] = set()
    for _line, level, module, names in _imports(path):
        if level:
            package = _package_of(path)
            package = package[: len(package) - level + 1]
            dotted = ".".join([*package, *([module] if module else [])])
        else:
            dotted = module
        if dotted.split(".")[0] not in OURS:
            continue
        submodules = [_module_file(f"{dotted}.{name}") for name in names]
        found.update(f for f in submodules if f is not None)
        if not names or any(f is None for f in submodules):
            target = _module_file(dotted)
            if target is not None:
                found.add(target)
    found.discard(path)
    return found


def _graph() -> dict[Path, set[Path]]:
    files = [p for folder in SOURCE for p in _python_files(folder)]
    files += [ROOT / name for name in TOP_MODULES if (ROOT / name).is_file()]
    files = [p for p in files if "migrations" not in p.parts]
    return {path: _targets(path) & set(files) for path in files}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _cycles(graph: dict[Path, set[Path]]) -> list[list[str]]:
    """Strongly connected groups of more than one file (Tarjan's algorithm)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    groups: list[list[str]] = []

    def visit(node: Path) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(_name(p) for p in group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


# Cycles in modules being reshaped elsewhere; the test fails once one is gone, so the entry
# is removed with it.
PENDING_CYCLES: list[list[str]] = [
    ["auth/csrf.py", "auth/setup.py", "auth/views.py"],
]


def test_lay011_no_import_cycle_between_files():
    cycles = _cycles(_graph())
    assert [c for c in cycles if c not in PENDING_CYCLES] == []
    gone = [c for c in PENDING_CYCLES if c not in cycles]
    assert gone == [], f"remove {gone} from PENDING_CYCLES"


def test_lay012_cycle_finder_sees_a_cycle_and_its_absence(tmp_path):
    a, b, c = (tmp_path / name for name in ("a.py", "b.py", "c.py"))
    assert _cycles({a: {b}, b: {c}, c: {a}}) != []
    assert _cycles({a: {b}, b: {c}, c: set()}) == []


# --- thin pages ---------------------------------------------------------------------------------

PAGE_LINE_LIMIT = 300
# Page modules still over the limit while they are split elsewhere. Each entry names a page
# being thinned on another branch; the test fails once one fits, so it is removed then.
PAGES_BEING_SPLIT = {
    "pages/explore.py",
    "pages/sessions.py",
    "pages/journeys.py",
    # Also edited on another branch (the panel's support code), 318 lines.
    "pages/_panel_support.py",
}


def _page_lengths() -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in _python_files("pages")
    }


def test_lay013_no_page_module_is_over_300_lines():
    """Pages are thin: layout and callbacks only, their logic in components/ and data_access/
    (DESIGN.md). Every module in pages/, support and callback modules included, counts."""
    lengths = _page_lengths()
    assert lengths, "pages/ should contain modules"
    too_long = {
        name: n
        for name, n in lengths.items()
        if n > PAGE_LINE_LIMIT and name not in PAGES_BEING_SPLIT
    }
    assert too_long == {}, f"split these page modules (at most {PAGE_LINE_LIMIT} lines)"
    fitted = sorted(name for name in PAGES_BEING_SPLIT if lengths.get(name, 0) <= PAGE_LINE_LIMIT)
    assert fitted == [], f"remove {fitted} from PAGES_BEING_SPLIT"
