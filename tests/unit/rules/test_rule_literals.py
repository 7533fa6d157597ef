"""No rule's literal is copied outside its home in ``rules/``.

Scans the source with ``ast`` (nothing is imported). Each of these, found anywhere but its
home, is a second definition that can drift from the first: a tuple or list made only of
staff roles or only of consent scopes, England's area code, a list holding every
observation column, the units whose denominator counts people, and the shown labels of
consent scopes and annotation visibilities.
"""

from __future__ import annotations

import ast
from pathlib import Path

from rules.areas import ENGLAND
from rules.consent import CONSENT_SCOPES
from rules.disclosure import PEOPLE_DENOMINATOR_UNITS
from rules.labels import CONSENT_SCOPE_LABELS, VISIBILITY_LABELS
from rules.observations import OBSERVATION_COLUMNS
from rules.roles import ROLES

ROOT = Path(__file__).resolve().parents[3]
# Labels that are distinctive enough to find ("Learning Network" is also ordinary text).
LABELS = {
    label
    for label in [*CONSENT_SCOPE_LABELS.values(), *VISIBILITY_LABELS.values()]
    if label != "Learning Network"
}
SCANNED = ["analysis", "api", "auth", "bench", "components", "data_access", "pages", "tools"]
SCANNED_FILES = ["app.py", "cli.py", "settings.py"]

# Copies that stay for now, with the rules each file still copies. The first three files are
# being reworked in parallel and take the rules' homes when that work is merged.
KNOWN_REMAINING = {
    "cli.py": {"roles"},
    "data_access/indicators_query.py": {"england"},
    # analysis/ imports only the scientific stack (tests/unit/test_layering.py), so the
    # aggregated rows' schema (the observation columns plus area_name and members_present)
    # is spelled out there.
    "analysis/aggregation.py": {"observation columns"},
}


def _source_files() -> list[Path]:
    files = [p for folder in SCANNED for p in sorted((ROOT / folder).rglob("*.py"))]
    return files + [ROOT / name for name in SCANNED_FILES if (ROOT / name).exists()]


def _strings(node: ast.AST) -> list[str] | None:
    """The elements of a tuple, list or set literal when all are strings, else None."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return None
    values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if len(values) != len(node.elts) or not all(isinstance(v, str) for v in values):
        return None
    return values


def copies_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, rule) for every literal copy of a rule in a parsed module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == ENGLAND:
            found.append((node.lineno, "england"))
        if isinstance(node, ast.Constant) and node.value in LABELS:
            found.append((node.lineno, "labels"))
        values = _strings(node)
        if values is None:
            continue
        if len(values) >= 2 and set(values) <= set(ROLES):
            found.append((node.lineno, "roles"))
        if set(OBSERVATION_COLUMNS) <= set(values):
            found.append((node.lineno, "observation columns"))
        if len(values) >= 2 and set(values) <= set(CONSENT_SCOPES):
            found.append((node.lineno, "consent scopes"))
        if set(values) == set(PEOPLE_DENOMINATOR_UNITS):
            found.append((node.lineno, "people units"))
    return found


def _copies_by_file() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for _line, rule in copies_in(tree):
            out.setdefault(path.relative_to(ROOT).as_posix(), set()).add(rule)
    return out


def test_rul001_no_rule_literal_is_copied_outside_rules():
    copies = _copies_by_file()
    unexpected = {
        name: rules - KNOWN_REMAINING.get(name, set())
        for name, rules in copies.items()
        if rules - KNOWN_REMAINING.get(name, set())
    }
    assert unexpected == {}


def test_rul002_the_known_remaining_copies_are_still_there():
    # When a listed copy goes, its entry must go too, so the list never hides a new copy.
    copies = _copies_by_file()
    stale = {
        name: rules - copies.get(name, set())
        for name, rules in KNOWN_REMAINING.items()
        if rules - copies.get(name, set())
    }
    assert stale == {}


def test_rul003_the_search_finds_each_kind_of_copy():
    source = (
        'A = ("analyst", "admin")\n'
        'B = "E92000001"\n'
        f"C = {OBSERVATION_COLUMNS!r}\n"
        'D = ("child", "practitioner")\n'
        'E = ("learning_network", "publication")\n'
        'F = ("percent", "count", "days")\n'
        'G = {"x": "May be published"}\n'
    )
    found = sorted(copies_in(ast.parse(source)))
    assert found == [
        (1, "roles"),
        (2, "england"),
        (3, "observation columns"),
        (5, "consent scopes"),
        (6, "people units"),
        (7, "labels"),
    ]
