"""axe-core in the browser tests: the vendored current release, the WCAG 2.2 AA rule set.

``check(driver, label)`` injects axe (once per document), runs the wcag2a, wcag2aa, wcag21a,
wcag21aa, wcag22aa and best-practice rules with none disabled, and fails with a readable
list of every critical, serious or moderate finding. ``findings`` returns them instead, for
tests that compare with the accessibility statement's known issues.
"""

from __future__ import annotations

from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
RULE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
FAILING_IMPACTS = ("critical", "serious", "moderate")

_RUN = """
const done = arguments[arguments.length - 1];
const tags = arguments[0];
axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target, impact: n.impact,
                                summary: n.failureSummary, html: n.html.slice(0, 160)}))}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def _inject(driver) -> None:  # type: ignore[no-untyped-def]
    loaded = driver.execute_script(
        "return typeof window.axe !== 'undefined' && window.axe.version;"
    )
    if loaded != AXE_VERSION:
        driver.execute_script(VENDOR.read_text(encoding="utf-8"))


def findings(driver, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:  # type: ignore[no-untyped-def]
    """Violations of the WCAG 2.2 AA and best-practice rules with one of ``impacts``."""
    _inject(driver)
    driver.set_script_timeout(120)
    result = driver.execute_async_script(_RUN, list(RULE_TAGS))
    return [v for v in result if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    """One block per rule: id, impact, what it means, and up to five offending elements."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} elements]")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
            summary = (node.get("summary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def check(driver, label: str) -> None:  # type: ignore[no-untyped-def]
    """Fail if axe finds any critical, serious or moderate violation on the current state."""
    found = findings(driver)
    if found:
        raise AssertionError(
            f"axe-core {AXE_VERSION} found violations on {label} "
            f"({driver.current_url}):\n{describe(found)}"
        )
