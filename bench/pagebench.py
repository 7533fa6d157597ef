"""Every navigation page drawn in Chromium, and the warm panel callback against /health.

``python -m bench.pagebench --database-url URL`` (the demo database by default) starts a
real gunicorn (2 workers x 4 threads, 127.0.0.1 only, gunicorn.conf.py as in production),
logs an analyst in and, for each page in the navigation:

- time from navigation until the page is drawn (an h1, Dash idle, every chart's SVG
  present), ``--loads`` times with an empty browser cache (cold) and as many with the
  cache kept (warm): median and p95;
- the number of elements once drawn (the issue's budget is 2,000);
- bytes on the wire (transferSize of the document and every resource, from the
  browser's performance entries) for the cold and the warm load.

Then the panel update callback the first panel of Early years makes, answered warm, at
concurrency 8 for ``--seconds`` against /health on the same workers (requests/s), and
the machine's load average at the start and the end. ``--root`` serves another checkout
(for a before/after on the same machine and data). Results: a Markdown table on stdout
and bench/results/pages-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import (
    Client,
    browser_login,
    chromium,
    create_bench_users,
    gunicorn,
    summary,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# When the page is drawn: an h1, nothing loading, Dash idle, every chart's SVG present.
DRAWN_JS = r"""
(function () {
  window.__pageDrawnAt = null;
  let quietSince = null;
  const timer = setInterval(function () {
    const store = window.store && window.store.getState && window.store.getState();
    const idle = document.readyState === 'complete' && document.querySelector('h1')
      && !document.querySelector('[data-dash-is-loading="true"]')
      && store && !store.isLoading
      && Array.prototype.every.call(document.querySelectorAll('.js-plotly-plot'),
        function (p) { return p.querySelector('.main-svg'); });
    if (!idle) { quietSince = null; return; }
    // Idle for 100 ms: the callbacks that follow a page's first answer have had time to start.
    if (quietSince === null) { quietSince = performance.now(); return; }
    if (performance.now() - quietSince >= 100) {
      window.__pageDrawnAt = quietSince;
      clearInterval(timer);
    }
  }, 10);
})();
"""

BYTES_JS = """
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return entries.reduce((total, e) => total + (e.transferSize || 0), 0);
"""


def _nav_paths(driver: Any) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('nav.chorus-nav a')].map(a => a.getAttribute('href'))"
    )


def _load(driver: Any, url: str, cold: bool, timeout: float = 120) -> dict[str, Any]:
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(url)
    deadline = time.monotonic() + timeout
    drawn = None
    while time.monotonic() < deadline and drawn is None:
        drawn = driver.execute_script("return window.__pageDrawnAt")
        if drawn is None:
            time.sleep(0.02)
    return {
        "ms": None if drawn is None else round(float(drawn), 1),
        "elements": driver.execute_script("return document.getElementsByTagName('*').length"),
        "bytes": driver.execute_script(BYTES_JS),
    }


def page_draws(
    base_url: str, user: Any, loads: int, only: list[str] | None = None
) -> tuple[dict[str, dict], list[dict]]:
    """Cold then warm loads of every navigation page (see the module docstring), and the
    callbacks the browser made drawing Early years the first time."""
    out: dict[str, dict] = {}
    calls: list[dict] = []
    with chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DRAWN_JS})
        browser_login(driver, base_url, user)
        driver.get(base_url + "/")
        paths = [p for p in _nav_paths(driver) if not only or p in only]
        for path in paths:
            cold = [_load(driver, base_url + path, cold=True) for _ in range(loads)]
            if path == "/early-years":
                calls = driver.execute_script("return window.__benchCalls") or []
            warm = [_load(driver, base_url + path, cold=False) for _ in range(loads)]
            out[path] = {
                "cold_ms": summary([c["ms"] for c in cold if c["ms"] is not None]),
                "warm_ms": summary([w["ms"] for w in warm if w["ms"] is not None]),
                "elements": max(c["elements"] for c in cold),
                "cold_bytes": cold[-1]["bytes"],
                "warm_bytes": warm[-1]["bytes"],
            }
    return out, calls


def panel_body(calls: list[dict], dependencies: list[dict]) -> dict | None:
    """The redraw of Early years' first panel (a comparator change), as the renderer sends
    it, from the callbacks the browser recorded while drawing the page."""
    from bench.run import classify_calls, page_layout, panel_update_body

    found = classify_calls(calls)
    return panel_update_body(dependencies, page_layout(found.get("page")))


def throughput(work: Any, concurrency: int, seconds: float) -> dict[str, Any]:
    """``work()`` (returns True when answered) from ``concurrency`` threads for ``seconds``."""
    deadline = time.monotonic() + seconds
    counts, errors, times = [0] * concurrency, [0] * concurrency, []
    lock = threading.Lock()

    def loop(n: int) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            ok = work(n)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
            counts[n] += 1 if ok else 0
            errors[n] += 0 if ok else 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {
        "per_s": round(sum(counts) / wall, 1),
        "errors": sum(errors),
        "latency_ms": summary(times),
    }


def callback_against_health(
    base_url: str, users: list[Any], calls: list[dict], seconds: float
) -> dict[str, Any]:
    clients = [Client(base_url, users[n % len(users)]) for n in range(8)]
    dependencies = clients[0].get("/_dash-dependencies")[1].json()
    found = panel_body(calls, dependencies)
    if found is None:
        return {"error": "no panel redraw recorded on /early-years"}
    body = json.dumps(found)
    for client in clients:  # each worker and each user's answer warm
        for _ in range(4):
            client.callback(body, "/early-years")

    def panel(n: int) -> bool:
        return clients[n].callback(body, "/early-years")[1].status_code == 200

    def health(n: int) -> bool:
        return clients[n].get("/health")[1].status_code == 200

    result = {
        "panel": throughput(panel, 8, seconds),
        "health": throughput(health, 8, seconds),
    }
    result["ratio"] = round(result["panel"]["per_s"] / max(result["health"]["per_s"], 0.1), 2)
    return result


def render(report: dict[str, Any]) -> str:
    lines = [
        f"Page draws, {report['started']} ({report['label']}): median / p95 ms of "
        f"{report['loads']} loads; load average {report['load_start']} -> {report['load_end']}",
        "",
        "| page | cold | warm | elements | KB on the wire cold / warm |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]

    def ms(stat: dict) -> str:
        return "-" if stat.get("median") is None else f"{stat['median']:.0f} / {stat['p95']:.0f}"

    for path, page in report["pages"].items():
        lines.append(
            f"| {path} | {ms(page['cold_ms'])} | {ms(page['warm_ms'])} | {page['elements']:,} | "
            f"{page['cold_bytes'] / 1024:,.0f} / {page['warm_bytes'] / 1024:,.0f} |"
        )
    if report.get("callbacks", {}).get("error"):
        lines += ["", f"Panel callback against /health: failed ({report['callbacks']['error']})."]
    elif report.get("callbacks"):
        c = report["callbacks"]
        lines += [
            "",
            f"Warm panel callback at concurrency 8: {c['panel']['per_s']}/s "
            f"(p95 {c['panel']['latency_ms']['p95']:.0f} ms, {c['panel']['errors']} errors); "
            f"/health {c['health']['per_s']}/s; ratio {c['ratio']}.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Page draws in Chromium (bench/pagebench.py)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--root", default="", help="serve this checkout instead")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--paths", default="", help="comma-separated: only these pages")
    parser.add_argument("--out", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{Path('instance').resolve() / 'chorus.db'}"
    users = create_bench_users(url, 4)
    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "label": args.label,
        "loads": args.loads,
        "load_start": [round(x, 1) for x in os.getloadavg()],
    }
    extra = {"CHORUS_WARM_SECONDS": "20"}
    with gunicorn(url, 2, 4, cache="on", env_extra=extra, root=args.root or None) as server:
        report["pages"], calls = page_draws(
            server.base_url, users[0], args.loads, [p for p in args.paths.split(",") if p]
        )
        if args.seconds > 0:
            try:
                report["callbacks"] = callback_against_health(
                    server.base_url, users, calls, args.seconds
                )
            except Exception as exc:  # noqa: BLE001 - the page figures are kept
                report["callbacks"] = {"error": repr(exc)[:500]}
    report["load_end"] = [round(x, 1) for x in os.getloadavg()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"pages-{started.strftime('%Y-%m-%dT%H%M')}-{args.label.replace(' ', '-')}.json"
    (out / name).write_text(json.dumps(report, indent=2))
    print(render(report))


if __name__ == "__main__":
    main()
