"""The monthly pack's parts that are not the shared export: static SVG charts, the
"since last month" section and the PDF.

Charts are drawn here as SVG from the series rather than embedded plotly: plotly.js alone
is about 4.5 MB, and a static image needs no script, so the pack stays under 1 MB, opens
under a strict Content-Security-Policy and prints the same in Chromium's PDF. (plotly's
own image export needs a separate browser download, which Chorus does not ship.) Every
text in an SVG is escaped.

The PDF is printed from the same HTML by the system's Chromium in a bounded subprocess;
when Chromium is absent the pack is still kept and downloadable as HTML, and the page
says why there is no PDF.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.periods import period_text
from components.formatting import short_value

PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
WIDTH, HEIGHT = 860, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 16, 56
PDF_TIMEOUT_SECONDS = 90


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (a "nice numbers" step)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(int(math.ceil((high - start) / step)) + 1)]


def svg_chart(series: pd.DataFrame, unit: str, title: str) -> str:
    """A static line chart of ``series`` (SERIES_COLUMNS: series_name, period_label,
    period_start, value, lower_ci, upper_ci), one line per series, with 95% interval bars.

    Returns SVG markup; every label is escaped.
    """
    data = series.dropna(subset=["value"])
    if data.empty:
        return ""
    periods = (
        data[["period_start", "period_label"]]
        .drop_duplicates("period_start")
        .sort_values("period_start")
    )
    x_of = {start: i for i, start in enumerate(periods["period_start"])}
    values = pd.concat([data["value"], data["lower_ci"].dropna(), data["upper_ci"].dropna()])
    ticks = _ticks(float(values.min()), float(values.max()))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    span = max(len(x_of) - 1, 1)

    def px(i: int) -> float:
        return _LEFT + (plot_w * i / span if len(x_of) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return _TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 28}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="pack-chart">',
        f"<title>{escape(title)}</title>",
        '<g font-family="Arial,sans-serif" font-size="13" fill="#0b0c0c">',
    ]
    for tick in ticks:
        y = py(tick)
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e5e5e5"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(short_value(tick, unit, ''))}</text>"
        )
    every = max(1, math.ceil(len(x_of) / 8))  # at most eight period labels, never overlapping
    for i, label in enumerate(periods["period_label"]):
        if i % every == 0 or i == len(x_of) - 1:
            parts.append(
                f'<text x="{px(i):.1f}" y="{HEIGHT - _BOTTOM + 18}" text-anchor="middle">'
                f"{escape(str(label))}</text>"
            )
    legend_x = _LEFT
    for n, (name, rows) in enumerate(data.groupby("series_name", sort=False)):
        colour = PALETTE[n % len(PALETTE)]
        rows = rows.sort_values("period_start")
        points = [(px(x_of[r.period_start]), py(float(r.value))) for r in rows.itertuples()]
        for r in rows.itertuples():
            if not (pd.isna(r.lower_ci) or pd.isna(r.upper_ci)):
                x = px(x_of[r.period_start])
                parts.append(
                    f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py(float(r.lower_ci)):.1f}" '
                    f'y2="{py(float(r.upper_ci)):.1f}" stroke="{colour}" stroke-opacity=".5"/>'
                )
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        width = 3 if n == 0 else 2
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        label = escape(str(name))
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 8}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{HEIGHT - 2}">{label}</text>'
        )
        legend_x += 30 + 7 * len(str(name))
    parts.append(
        f'<line x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{HEIGHT - _BOTTOM}" stroke="#505a5f"/>'
        "</g></svg>"
    )
    return "".join(parts)


def latest_figures(sections: list[dict[str, Any]], area_code: str) -> dict[str, Any]:
    """The area's latest total figure per indicator section, kept with the pack:
    ``{indicator: {"title", "period", "value", "unit"}}``."""
    figures: dict[str, Any] = {}
    for section in sections:
        table = section.get("table")
        if table is None or table.empty or not section.get("indicator"):
            continue
        own = table[(table["area_code"] == area_code) & table["value"].notna()]
        if "breakdown_value" in own:
            total = own[own["breakdown_value"].isin(["total", "Total"])]
            own = total if not total.empty else own
        if own.empty:
            continue
        latest = own.sort_values("period_start").iloc[-1]
        figures[section["indicator"]] = {
            "title": section.get("heading") or "",
            "period": period_text(latest["period_label"]),
            "value": float(latest["value"]),
            "unit": section.get("unit") or "",
        }
    return figures


def figure_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Plain sentences for each figure that changed since the previous pack."""
    lines = []
    for indicator, now in current.items():
        before = previous.get(indicator)
        if not before:
            continue
        unit = now.get("unit") or ""
        # Packs kept from before periods were written one way may hold "2024-25".
        was = period_text(before.get("period"))
        if was == period_text(now["period"]) and before.get("value") == now["value"]:
            continue
        lines.append(
            f"{now['title']}: {short_value(now['value'], unit, '')} for "
            f"{period_text(now['period'])}, was {short_value(before.get('value'), unit, '')} "
            f"for {was}."
        )
    return lines


def since_last_month_section(
    *,
    since: datetime | None,
    previous_figures: dict[str, Any],
    current_figures: dict[str, Any],
    new_notes: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    new_quotes: list[dict[str, Any]],
) -> dict[str, Any]:
    """The "Since last month" export section (plain data for ``components.ln_export``)."""
    if since is None:
        lines = ["No earlier pack is kept for your organisation, so no figures are compared."]
    else:
        changed = figure_changes(previous_figures, current_figures)
        lines = [f"Compared with the pack of {since.day} {since:%B %Y}."]
        lines += changed or ["No figure in both packs has changed."]
    lines.append(f"New notes: {len(new_notes)}. Questions resolved: {len(resolved)}.")
    lines.append(
        f"New quotes: {len(new_quotes)} (only quotes whose consent allows publication "
        "are in the pack)."
    )
    return {
        "heading": "Since last month",
        "kind": "text",
        "lines": lines,
        "quotes": new_quotes,
        "contributions": new_notes + resolved,
        "contributions_heading": "New notes and resolved questions",
    }


def chromium_path() -> str | None:
    """The system Chromium, if installed (found on the PATH)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(html: str, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes | None:
    """Print ``html`` to PDF with headless Chromium; None when Chromium is absent or fails.

    Bounded by ``timeout`` seconds so a stuck browser cannot hold a request for ever. The
    file's own Content-Security-Policy forbids network access while it prints.
    """
    browser = chromium_path()
    if browser is None:
        return None
    with tempfile.TemporaryDirectory(prefix="chorus-pack-") as folder:
        source = Path(folder) / "pack.html"
        target = Path(folder) / "pack.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603 (fixed argv, no shell)
        except (subprocess.TimeoutExpired, OSError):
            return None
        if not target.exists():
            return None
        content = target.read_bytes()
    return content if content.startswith(b"%PDF") else None
