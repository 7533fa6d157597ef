"""The demo is seeded from its own package, through explicit imports only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_dem001_no_module_is_loaded_by_name_string():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "data_access").rglob("*.py"))
        if {"importlib", "importlib.import_module"} & _imports(path)
        or "__import__(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_dem002_repository_modules_do_not_import_the_demo():
    # The demo imports the repositories it fills; never the other way round (no cycle).
    demo = ROOT / "data_access" / "demo"
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "data_access").rglob("*.py"))
        if demo not in path.parents
        and any(name.startswith("data_access.demo") for name in _imports(path))
    ]
    assert offenders == []


def test_dem003_seed_demo_runs_every_part_in_order():
    from data_access.demo import annotations, journeys, learning_network, seed, voice

    assert seed.DEMO_EXTRAS == (
        voice.seed_demo_extra,
        annotations.seed_demo_extra,
        learning_network.seed_demo_extra,
        journeys.seed_demo_extra,
    )
