"""The indicator panel: one reusable view of an indicator for an area.

Contract used by other features (do not change without telling them):

- ``dcc.Graph(id={"type": "panel-graph", "index": panel_id})``: the trend chart. Its x
  axis is a **date** axis of ``period_start`` (ticks are labelled with period labels), so
  annotation markers go at the ``period_start`` date of the period they describe.
- ``dcc.Store(id={"type": "panel-state", "index": panel_id})`` with ``{"indicator",
  "area_code", "breakdown", "comparators": [...], "period_from": iso or None,
  "period_to": iso or None, "periods": [{"label", "start", "end"}] (periods drawn on the
  chart), "x_axis": "date"}``. The panel's callbacks rewrite it whenever the view changes.
- ``html.Div(id={"type": "annotation-slot", "index": panel_id})``: empty, below the chart.
- ``html.Div(id={"type": "voice-slot", "index": panel_id})``: empty, under a "What people
  say" heading.

The panel receives its data (an ``analysis.panel_view.PanelView`` built by the view
service, ``data_access.views.build_panel_view``, and the ``IndicatorRecord`` inside it);
it never queries the database.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from analysis import describe_trend
from analysis.panel_view import IndicatorRecord, PanelView
from components.charts import breakdown_figure, group_label, trend_figure
from components.controls import checkbox_menu, checkboxes, lazy_select
from components.formatting import clean_status, format_value, short_value
from components.summary_table import panel_headline
from components.tables import groups_table, series_table
from components.tabs import tab_list, tab_panel
from rules.labels import breakdown_name

TABS = (("chart", "Chart"), ("breakdown", "Breakdown"), ("table", "Table"), ("about", "About"))
POLARITY_TEXT = {
    "high_is_good": "Higher is better",
    "low_is_good": "Lower is better",
    "no_judgement": "No judgement: higher or lower is neither better nor worse",
}
SIGNIFICANT_WORDS = {"better", "worse", "higher", "lower"}
TABLE_PLACEHOLDER = "The table loads when this tab opens."
# The Breakdown and About tabs are drawn when opened too: they hold more than half of a
# panel's components, and every component on a page costs the browser time to draw.
BREAKDOWN_PLACEHOLDER = "The breakdown loads when this tab opens."
ABOUT_PLACEHOLDER = "The notes on this indicator load when this tab opens."


def pid(kind: str, panel_id: str) -> dict[str, str]:
    """A pattern-matching id such as ``{"type": "panel-graph", "index": "gld"}``."""
    return {"type": kind, "index": panel_id}


def _value_text(value: float | None, unit: str) -> str:
    return short_value(value, unit)


# --- words ------------------------------------------------------------------------------


def _benchmark_text(comparison: dict[str, Any], unit: str) -> str:
    bench = comparison["benchmark"]
    return _value_text(bench, unit) if bench is not None else "no figure"


def comparison_phrase(comparison: dict[str, Any], unit: str) -> str:
    """One comparison in words, direction and judgement both stated."""
    name = comparison["name"]
    bench = comparison["benchmark"]
    bench_text = _benchmark_text(comparison, unit)
    verdict = comparison["verdict"]
    if verdict == "not compared":
        return f"{name} {bench_text} (not compared: {comparison['reason']})"
    if verdict == "similar":
        return f"not significantly different from {name} ({bench_text})"
    side = "above" if comparison["value"] > bench else "below"
    phrase = f"significantly {side} {name} ({bench_text})"
    if verdict in ("better", "worse"):
        phrase += f", which is {verdict}"
    return phrase


def comparison_phrases(comparisons: list[dict[str, Any]], unit: str) -> list[str]:
    """Each comparison in words; neighbouring ones not compared for the same reason share
    one reason ("England 68.3%, North West 65.0% (not compared: ...)") rather than repeat it."""
    phrases: list[str] = []
    run: list[dict[str, Any]] = []

    def close_run() -> None:
        if len(run) == 1:
            phrases.append(comparison_phrase(run[0], unit))
        elif run:
            figures = [f"{c['name']} {_benchmark_text(c, unit)}" for c in run]
            phrases.append(f"{_join(figures)} (not compared: {run[0]['reason']})")
        run.clear()

    for comparison in comparisons:
        same_reason = run and comparison.get("reason") == run[0].get("reason")
        if comparison["verdict"] == "not compared" and (not run or same_reason):
            run.append(comparison)
            continue
        close_run()
        if comparison["verdict"] == "not compared":
            run.append(comparison)
        else:
            phrases.append(comparison_phrase(comparison, unit))
    close_run()
    return phrases


def panel_caption(indicator: IndicatorRecord, area_name: str, view: PanelView) -> str:
    """What the chart shows, in words: the latest figure, its comparisons and the trend."""
    series = view.series
    unit, polarity = indicator.unit, indicator.polarity
    title = indicator.title
    area = series[(series["series_key"] == "area") & series["value"].notna()]
    if area.empty:
        return f"There are no figures for {area_name} for {title.lower()} in the chosen period."
    first, last = area["period_label"].iloc[0], area["period_label"].iloc[-1]
    grouped = series["breakdown_value"].nunique() > 1
    if grouped:
        return _breakdown_caption(indicator, area_name, view, first, last)
    others = [n for n in series["series_name"].drop_duplicates() if n != area_name]
    shown = f" with {_join(others)}" if others else ""
    sentences = [
        f"The chart shows {title[0].lower() + title[1:]} in {area_name}{shown}, {first} to {last}."
    ]
    latest = area.sort_values("period_start").iloc[-1]
    sentence = f"In {latest['period_label']}, {area_name}: {_value_text(latest['value'], unit)}"
    if pd.notna(latest["lower_ci"]):
        sentence += f" (95% interval {latest['lower_ci']:.1f} to {latest['upper_ci']:.1f})"
    comparisons = view.comparisons
    if comparisons:
        sentence += "; " + "; ".join(comparison_phrases(comparisons, unit))
    sentences.append(sentence + ".")
    counted = view.counted_point
    if counted and counted["period_label"] != latest["period_label"]:
        sentences.append(_counted_sentence(counted, area_name, unit))
    trend = view.trend or "cannot be calculated"
    sentences.append(f"Recent trend: {describe_trend(trend, polarity)}.")
    return " ".join(sentences)


def _counted_sentence(counted: dict[str, Any], area_name: str, unit: str) -> str:
    text = (
        f"In {counted['period_label']}, the latest period with counts, {area_name} was "
        f"{_value_text(counted['value'], unit)} (95% interval {counted['lower_ci']:.1f} to "
        f"{counted['upper_ci']:.1f})"
    )
    if counted.get("england_value") is not None:
        comparison = {
            "name": "England",
            "benchmark": counted["england_value"],
            "verdict": counted["comparison"],
            "value": counted["value"],
            "reason": "no interval",
        }
        text += ", " + comparison_phrase(comparison, unit)
    return text + "."


def _breakdown_caption(
    indicator: IndicatorRecord, area_name: str, view: PanelView, first: str, last: str
) -> str:
    series = view.series
    dimension = series["breakdown"].iloc[0]
    groups = [
        group_label(g)
        for g in series.loc[series["series_key"] == "area", "breakdown_value"].unique()
    ]
    name = breakdown_name(dimension).lower()
    text = (
        f"The chart shows {indicator.title[0].lower() + indicator.title[1:]} in "
        f"{area_name} by {name} ({_join(groups)}), {first} to {last}"
    )
    if (series["series_key"] == "england").any():
        text += ", with England's groups as dotted lines"
    text += "."
    summary = view.breakdown_summary
    if summary is not None and summary.gap:
        text += " " + gap_sentence(summary.gap, summary.period_label)
    return text


def gap_sentence(gap: dict[str, Any], period_label: str | None) -> str:
    """The gap between two groups in words, with its interval when there is one."""
    points = f"{gap['gap']:+.1f} percentage points"
    a, b = group_label(gap["group_a"]), group_label(gap["group_b"])
    text = f"In {gap.get('period_label', period_label)}, {a} minus {b}: "
    text += points
    if gap["lower_ci"] is None:
        return text + " (no interval: the publisher gives no counts)."
    text += f" (95% interval {gap['lower_ci']:.1f} to {gap['upper_ci']:.1f}), "
    return text + ("a significant gap." if gap["significant"] else "not a significant gap.")


def _join(words: list[str]) -> str:
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- parts that callbacks rebuild -------------------------------------------------------


def panel_state(
    indicator_id: str,
    area_code: str,
    breakdown: str,
    comparators: list[str],
    period_from: str | None,
    period_to: str | None,
    series: pd.DataFrame,
) -> dict[str, Any]:
    """The panel-state Store's data (see the module docstring)."""
    periods = (
        series.drop_duplicates("period_start").sort_values("period_start")
        if not series.empty
        else series
    )
    return {
        "indicator": indicator_id,
        "area_code": area_code,
        "breakdown": breakdown,
        "comparators": list(comparators),
        "period_from": _iso(period_from),
        "period_to": _iso(period_to),
        "periods": [
            {"label": r.period_label, "start": _iso(r.period_start), "end": _iso(r.period_end)}
            for r in periods.itertuples(index=False)
        ],
        "x_axis": "date",
    }


def _iso(value: object) -> str | None:
    if value in (None, "") or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)[:10]


def breakdown_children(
    indicator: IndicatorRecord, view: PanelView, with_chart: bool = True
) -> list[Any]:
    """Breakdown tab: groups with intervals, the gap, suppressed groups, who is missing.

    ``with_chart=False`` leaves the dot chart out (pages draw it when the tab is opened,
    so a page of panels does not draw charts nobody has looked at yet).
    """
    summary = view.breakdown_summary
    groups = None if summary is None else summary.groups
    unit = indicator.unit
    if summary is None or groups is None or len(groups) == 0:
        return [
            html.P(
                "Choose a breakdown above (for example free school meals or ethnicity) to see "
                "the groups. This indicator has: "
                + ", ".join(breakdown_name(b) for b in view.breakdown_options if b != "total")
                if len(view.breakdown_options) > 1
                else "This indicator is not published by group."
            )
        ]
    dimension = breakdown_name(summary.breakdown)
    period = summary.period_label
    children: list[Any] = [html.H3(f"{dimension}, {period}", className="panel-subheading")]
    if with_chart:
        children.append(
            dcc.Graph(
                figure=breakdown_figure(groups, unit, height=80 + 34 * len(groups)),
                config={"displayModeBar": False},
                className="panel-breakdown-graph",
            )
        )
    for gap in (summary.gap, summary.counted_gap):
        if gap:
            children.append(html.P(gap_sentence(gap, period), className="panel-gap"))
    suppressed = [
        group_label(row.breakdown_value)
        for row in groups.itertuples(index=False)
        if clean_status(row.status) == "c"
    ]
    if suppressed:
        children.append(
            html.P(
                f"Suppressed to protect privacy (c): {_join(suppressed)}. Groups with counts "
                "from 1 to the disclosure threshold are hidden, with one more where needed so "
                "that they cannot be worked out from the total.",
                className="panel-suppressed",
            )
        )
    share = summary.unknown_share
    if share is not None:
        children.append(
            html.P(
                f"Who is missing: {share:.1f}% are recorded as unknown or unclassified.",
                className="panel-missing",
            )
        )
    else:
        children.append(
            html.P(
                "Who is missing: the share recorded as unknown cannot be stated (no counts, "
                "or the unknown group is suppressed).",
                className="panel-missing",
            )
        )
    children.append(groups_table(groups, unit, f"{dimension} groups, {period}"))
    return children


def about_children(indicator: IndicatorRecord) -> list[Any]:
    """About tab: definition, source, publisher, polarity, frequency, caveats, methods."""

    def item(term: str, text: object) -> list:
        return [html.Dt(term), html.Dd(str(text) if text not in (None, "") else "Not stated")]

    publisher = indicator.publisher_url
    source: Any = indicator.source or "Not stated"
    entries = [
        *item("Definition", indicator.definition),
        html.Dt("Source"),
        html.Dd(
            [source, " ", html.A("Publisher's page", href=publisher, rel="noopener")]
            if publisher
            else source
        ),
        *item("Polarity", POLARITY_TEXT.get(indicator.polarity, indicator.polarity)),
        *item("Frequency", str(indicator.frequency or "").replace("_", " ")),
        *item("Caveats", indicator.caveats),
        *item("Who is missing", indicator.who_is_missing),
        *item("Last update", indicator.last_update),
        *item("Next update", indicator.next_update),
        *item(
            "Method",
            f"Intervals: {indicator.ci_method or 'none'} (95%). Comparisons test the "
            "benchmark against the area's interval; without counts there is no interval and "
            "the figure is not compared. Recent trend: chi-squared test for trend over the "
            "last five periods with counts, at 99.8%. Statistical neighbours: mean of the "
            "neighbours with a figure. Groups of authorities: numerators and denominators "
            "summed.",
        ),
        *item("Disclosure control", indicator.disclosure_rule),
    ]
    children: list = [html.Dl(entries, className="panel-about")]
    if indicator.illustrative:
        children.insert(
            0,
            html.P(
                "Illustrative: these local figures are made up for the demo.",
                className="panel-illustrative",
            ),
        )
    return children


def table_children(indicator: IndicatorRecord, area_name: str, view: PanelView) -> list[Any]:
    """Table tab: the chart's numbers (the CSV download holds exactly these rows)."""
    series = view.series
    if series.empty:
        return [html.P("No figures to show.")]
    return [
        series_table(series, indicator.unit, f"{indicator.title}: {area_name}"),
        html.P(
            "c: suppressed to protect privacy; x: not available; z: not applicable; "
            "k or low: rounds to zero; u: low reliability.",
            className="panel-symbols",
        ),
    ]


def figure_for(indicator: IndicatorRecord, view: PanelView) -> go.Figure:
    return trend_figure(view.series, indicator.unit)


def symbol_notes(series: pd.DataFrame) -> str:
    """Short note on published symbols present in the area's series (empty if none)."""
    area = series[series["series_key"] == "area"]
    found = sorted({s for s in (clean_status(v) for v in area["status"]) if s})
    if not found:
        return ""
    return " Gaps in the line: " + "; ".join(format_value(None, "", s) for s in found) + "."


# --- the component ----------------------------------------------------------------------


def _controls(
    panel_id: str,
    breakdown: str,
    comparators: list[str],
    period_from: str | None,
    period_to: str | None,
    view: PanelView,
) -> html.Div:
    periods = view.period_options
    from_options = [{"label": p.label, "value": p.start} for p in periods]
    to_options = [{"label": p.label, "value": p.end} for p in periods]
    breakdowns = view.breakdown_options or ["total"]
    neighbours = {o["value"] for o in view.neighbour_options}
    return html.Div(
        className="panel-controls",
        children=[
            html.Fieldset(
                className="panel-control panel-comparators",
                children=[
                    html.Legend("Compare with"),
                    checkboxes(
                        pid("panel-comparators", panel_id),
                        [o for o in view.comparator_options if o["value"] not in neighbours],
                        [c for c in comparators if c not in neighbours],
                        legend="Compare with",
                        inline=True,
                        bare=True,
                    ),
                ],
            ),
            *neighbour_picker(panel_id, view, comparators),
            _labelled_dropdown(
                "Breakdown",
                pid("panel-breakdown-choice", panel_id),
                [{"label": breakdown_name(b), "value": b} for b in breakdowns],
                breakdown,
            ),
            _labelled_dropdown("From", pid("panel-from", panel_id), from_options, period_from),
            _labelled_dropdown("To", pid("panel-to", panel_id), to_options, period_to),
        ],
    )


def neighbour_picker(panel_id: str, view: PanelView, comparators: list[str]) -> list[Any]:
    """The statistical neighbours, each named, to draw beside their mean (folded away)."""
    if not view.neighbour_options:
        # The panel callback listens to this control on every panel: keep an empty one.
        return [dcc.Input(id=pid("panel-neighbour-choice", panel_id), type="hidden", value="")]
    chosen = {o["value"] for o in view.neighbour_options} & set(comparators)
    return [
        checkbox_menu(
            pid("panel-neighbour-choice", panel_id),
            view.neighbour_options,
            [c for c in comparators if c in chosen],
            legend="Individual neighbours",
            className="panel-control panel-neighbours",
        )
    ]


def _labelled_dropdown(label: str, id_: dict, options: list, value: object) -> html.Label:
    # Periods can run to a hundred months: the list waits until someone reaches it.
    control, lazy = lazy_select(
        id_,
        options,
        value,
        clearable=label != "Breakdown",
        placeholder="All" if label in ("From", "To") else None,
        className="panel-dropdown",
    )
    return html.Label(
        className="panel-control",
        children=[html.Span(label, className="panel-control-label"), control],
        **lazy,
    )


def indicator_panel(
    panel_id: str,
    indicator: IndicatorRecord,
    area_code: str,
    area_name: str,
    breakdown: str = "total",
    comparators: list[str] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    view: PanelView,
    description: str | None = None,
    show_controls: bool = True,
    heading_level: int = 2,
) -> html.Section:
    """The indicator panel (see the module docstring for its ids and Store contract).

    ``indicator`` is the catalogue row; ``view`` holds the data (``PanelView``).
    ``show_controls=False`` leaves the comparator, breakdown and period controls out (the
    Explore page has its own, held in the URL).
    """
    comparators = list(comparators or [])
    heading = html.H2 if heading_level == 2 else html.H3
    title_children: list[Any] = [indicator.title]
    if indicator.illustrative:
        title_children.append(html.Span("illustrative", className="badge-illustrative"))
    caption = panel_caption(indicator, area_name, view) + symbol_notes(view.series)
    state = panel_state(
        indicator.id, area_code, breakdown, comparators, period_from, period_to, view.series
    )
    chart = tab_panel(
        "panel",
        panel_id,
        "chart",
        pid("panel-tab-chart", panel_id),
        hidden=False,
        className="panel-tabpanel",
        # The chart with its notes and quotes beside it on wide screens (below on narrow
        # ones), so a panel fits one 1280 x 800 screen.
        children=html.Div(
            className="panel-chart-row",
            children=[
                html.Figure(
                    className="panel-figure",
                    children=[
                        html.Div(
                            tabIndex="0",
                            className="panel-graph-wrap",
                            role="group",
                            **{"aria-label": f"Chart: {indicator.title}, {area_name}"},
                            children=dcc.Graph(
                                id=pid("panel-graph", panel_id),
                                figure=figure_for(indicator, view),
                                config={
                                    "displayModeBar": False,
                                    "scrollZoom": False,
                                    "doubleClick": False,
                                },
                                className="panel-graph",
                            ),
                        ),
                        html.Figcaption(
                            caption,
                            id=pid("panel-caption", panel_id),
                            className="panel-caption",
                            **{"aria-live": "polite"},
                        ),
                    ],
                ),
                html.Div(
                    className="panel-aside",
                    children=[
                        html.Div(id=pid("annotation-slot", panel_id), className="annotation-slot"),
                        html.Div(
                            className="voice-slot-wrap",
                            children=[
                                html.H3("What people say", className="panel-subheading"),
                                html.Div(id=pid("voice-slot", panel_id), className="voice-slot"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
    )
    contents = [
        chart,
        tab_panel(
            "panel",
            panel_id,
            "breakdown",
            pid("panel-tab-breakdown", panel_id),
            hidden=True,
            className="panel-tabpanel",
            children=html.Div(id=pid("panel-breakdown", panel_id), children=BREAKDOWN_PLACEHOLDER),
        ),
        tab_panel(
            "panel",
            panel_id,
            "table",
            pid("panel-tab-table", panel_id),
            hidden=True,
            className="panel-tabpanel",
            children=[
                html.Div(
                    id=pid("panel-table", panel_id),
                    # Filled when the tab opens: a page of panels stays light.
                    children=TABLE_PLACEHOLDER,
                ),
                html.Button(
                    "Download these figures (CSV)",
                    id=pid("panel-download-button", panel_id),
                    className="btn btn-outline-primary panel-download-button",
                    n_clicks=0,
                ),
                dcc.Download(id=pid("panel-download", panel_id)),
            ],
        ),
        tab_panel(
            "panel",
            panel_id,
            "about",
            pid("panel-tab-about", panel_id),
            hidden=True,
            className="panel-tabpanel",
            children=html.Div(id=pid("panel-about", panel_id), children=ABOUT_PLACEHOLDER),
        ),
    ]
    children: list = [heading(title_children, className="panel-title", id=f"title-{panel_id}")]
    if description:
        children.append(html.P(description, className="panel-description"))
    # The verdict heads the panel: significance with counts, rank and band without.
    children.append(
        html.Div(
            panel_headline(view),
            id=pid("panel-verdict", panel_id),
            className="panel-verdict",
            **{"aria-live": "polite"},
        )
    )
    if show_controls:
        children.append(_controls(panel_id, breakdown, comparators, period_from, period_to, view))
    children += [
        *tab_list(
            "panel",
            panel_id,
            pid("panel-tabs", panel_id),
            TABS,
            "chart",
            label=f"Views of {indicator.title}",
            controls={value: pid(f"panel-tab-{value}", panel_id) for value, _label in TABS},
            className="panel-tabs",
        ),
        *contents,
        dcc.Store(id=pid("panel-state", panel_id), data=state),
    ]
    return html.Section(
        className="indicator-panel",
        id=f"panel-{panel_id}",
        children=children,
        # A page's summary links here: the panel takes the focus (not in the tab order).
        tabIndex="-1",
        **{"aria-labelledby": f"title-{panel_id}"},
    )
