"""Import rules from the design: statistics stay pure, data access has no UI, UI has no database.

Each rule scans the source with ``ast`` (nothing is imported), so a forbidden import fails
here even if the module is never loaded by another test. Folders that do not exist yet are
simply empty.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_ALLOWED = {"pandas", "numpy", "scipy", "math", "analysis"}


def _python_files(folder: str) -> list[Path]:
    base = ROOT / folder
    return sorted(base.rglob("*.py")) if base.is_dir() else []


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for every import; relative imports give ".relative"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, ".relative"))
            else:
                found.append((node.lineno, (node.module or "").split(".")[0]))
    return found


def _violations(folder: str, is_forbidden) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _python_files(folder)
        for line, module in _imported_modules(path)
        if is_forbidden(module)
    ]


def test_lay001_analysis_imports_only_stdlib_and_scientific_stack():
    def forbidden(module):
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
