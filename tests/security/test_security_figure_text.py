"""User text reaching a chart is escaped: no <a>, <b>, <br> or <img> from a user in any
figure's JSON (plotly would render them as a link, bold, a line break or an image)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from plotly.utils import PlotlyJSONEncoder

PLANTS = [
    '<a href="https://evil.example">link</a>',
    "<b>bold</b>",
    "two<br>lines",
    '<img src="x" onerror="alert(1)">',
]


def _json(figure) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(figure, cls=PlotlyJSONEncoder)


def _assert_clean(figure) -> None:  # type: ignore[no-untyped-def]
    text = _json(figure)
    for plant in PLANTS:
        assert plant not in text
        assert json.dumps(plant)[1:-1] not in text  # as JSON escapes it
    for tag in ("<a ", "<a>", "<b>", "<img", "two<br>"):
        assert tag not in text, tag


def _series(name: str, group: str, period: str) -> pd.DataFrame:
    rows = []
    for key, value in (("area", 10.0), ("england", 12.0)):
        for n, (start, label) in enumerate(((date(2030, 1, 1), period), (date(2031, 1, 1), "x"))):
            rows.append(
                {
                    "series_key": key,
                    "series_name": name if key == "area" else "England",
                    "area_code": "E08000004",
                    "breakdown": "sex",
                    "breakdown_value": group,
                    "period_label": label,
                    "period_start": start,
                    "period_end": start,
                    "value": value + n,
                    "lower_ci": None,
                    "upper_ci": None,
                    "status": None,
                    "numerator": None,
                    "denominator": None,
                }
            )
    frame = pd.DataFrame(rows)
    other = frame[frame["series_key"] == "area"].assign(breakdown_value="girls")
    return pd.concat([frame, other], ignore_index=True)


def test_fig001_trend_breakdown_and_map_escape_names_groups_and_periods():
    from components.charts import breakdown_figure, choropleth_figure, trend_figure

    for plant in PLANTS:
        series = _series(plant, plant, plant)
        _assert_clean(trend_figure(series, "percent"))
        _assert_clean(trend_figure(series[series["breakdown_value"] == plant], "percent"))
        groups = pd.DataFrame(
            {
                "breakdown_value": [plant],
                "value": [1.0],
                "lower_ci": [None],
                "upper_ci": [None],
                "status": [None],
            }
        )
        _assert_clean(breakdown_figure(groups, "percent"))
        areas = pd.DataFrame(
            {
                "area_code": ["E1"],
                "area_name": [plant],
                "value": [1.0],
                "status": [None],
                "band": ["A"],
            }
        )
        every = pd.DataFrame({"code": ["E1"], "name": [plant]})
        _assert_clean(choropleth_figure(areas, {}, "percent", every_area=every))


def test_fig002_voice_theme_labels_and_groups_are_escaped():
    from components.voice import coverage_figure, theme_counts_figure

    for plant in PLANTS:
        counts = pd.DataFrame(
            {"year": [2025, 2026], "theme_label": [plant, plant], "items": [3, 4]}
        )
        _assert_clean(theme_counts_figure(counts).to_plotly_json())
        coverage = pd.DataFrame(
            {"group": [plant], "voice_share": [10.0], "population_share": [20.0]}
        )
        _assert_clean(coverage_figure(coverage, "ethnicity").to_plotly_json())


def test_fig003_journey_step_labels_area_names_and_titles_are_escaped():
    from components.journeys import sankey_figure, spend_scatter, step_bars_figure

    for plant in PLANTS:
        steps = pd.DataFrame(
            {
                "step": ["a", "b"],
                "label": [plant, "B"],
                "layer": [0, 1],
                "count": [10, 8],
                "status": [None, None],
                "share": [1.0, 0.8],
            }
        )
        flows = pd.DataFrame(
            {
                "step": ["a"],
                "next_step": ["b"],
                "count": [8],
                "status": [None],
                "step_label": [plant],
                "next_label": ["B"],
            }
        )
        _assert_clean(sankey_figure(flows, steps, plant).to_plotly_json())
        _assert_clean(step_bars_figure(steps, steps, plant, plant).to_plotly_json())
        frame = pd.DataFrame(
            {
                "area_code": ["E1", "E2"],
                "area_name": [plant, plant],
                "x": [1.0, 2.0],
                "y": [3.0, 4.0],
            }
        )
        _assert_clean(
            spend_scatter(frame, "E1", ["E2"], "Spend", "Outcome", plant).to_plotly_json()
        )


def test_fig004_note_markers_escape_bodies_and_authors():
    from components.annotations import annotation_overlay

    periods = [{"label": "2024/25", "start": "2024-09-01", "end": "2025-08-31"}]
    for plant in PLANTS:
        for scope in ("point", "range"):
            note = {
                "id": 1,
                "kind": "question",
                "body": plant,
                "author": plant,
                "scope": scope,
                "period_label": "2024/25",
                "period_start": "2024-09-01",
                "period_end": "2025-08-31",
            }
            _assert_clean(annotation_overlay([note], periods))


def test_fig005_every_figure_builder_in_components_uses_the_one_helper():
    """A builder module that draws plotly figures imports components.figure_text."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "components"
    missing = []
    for path in sorted(root.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        draws = any(
            k in source
            for k in (
                '"hovertext"',
                "hovertemplate",
                "add_trace(",
                "add_bar(",
                "add_scatter(",
                "ticktext",
            )
        )
        if not draws or path.name == "figure_text.py":
            continue
        imports = {
            node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)
        }
        if "components.figure_text" not in imports:
            missing.append(path.name)
    assert missing == []


def test_fig006_escaped_text_uses_only_entities_plotly_shows_as_characters():
    """Plotly turns &lt; &gt; &amp; back into characters but shows &quot; as typed (a
    planted link read <a href=&quot;...&quot;> on a chart in Chromium)."""
    from components.figure_text import plot_text

    assert plot_text('<a href="x">it\'s & <b>') == '&lt;a href="x"&gt;it\'s &amp; &lt;b&gt;'
