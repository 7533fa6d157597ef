"""Journeys and costs on screen: Sankey and bar figures with tables carrying the same numbers.

No database here: every function takes DataFrames already protected on the server (hidden
counts are NaN with status "c"). Colour is never the only carrier: node labels carry the
counts, suppressed flows say "c" in their label and hover, and the scatter marks the
user's authority and its neighbours by marker shape (the authority also by its name).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from analysis.periods import period_text
from components.charts import FONT, GREY, NAVY, ORANGE, PLUM, TEAL, TEXT
from components.figure_text import plot_text, plot_texts
from components.tables import NUMERIC_CELL
from rules.disclosure import DEFAULT_THRESHOLD

SUPPRESSED_TEXT = "c (suppressed: a small number)"
# Closure and outcome colours; the labels say the same thing in words.
STEP_COLOURS = {
    0: NAVY,
    1: TEAL,
    2: PLUM,
    3: ORANGE,
    4: GREY,
}
SUPPRESSED_LINK = "rgba(61, 61, 61, 0.25)"


def count_text(count: float, status: object) -> str:
    if isinstance(status, str) and status:
        return "c"
    if count is None or pd.isna(count):
        return "–"
    return f"{count:,.0f}"


def share_text(share: float, status: object) -> str:
    if isinstance(status, str) and status:
        return "c"
    if share is None or pd.isna(share):
        return "–"
    return f"{share:.1f}%"


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": plot_text(title), "font": {"size": 16, "color": TEXT}},
        font={"family": FONT, "size": 13, "color": TEXT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def sankey_figure(
    flows: pd.DataFrame, steps: pd.DataFrame, title: str, threshold: int = DEFAULT_THRESHOLD
) -> go.Figure:
    """A Sankey of protected flows.

    Takes flows (step, next_step, count, status) and steps (step, label, layer, count,
    status). A suppressed flow is drawn at a nominal width (the threshold) in grey, its
    label and hover say "c"; no hidden number reaches the browser.
    """
    drawn = steps[steps["layer"] >= 0].reset_index(drop=True)
    position = {s: k for k, s in enumerate(drawn["step"])}
    layers = max(int(drawn["layer"].max()), 1)
    node_labels = [
        f"{plot_text(row.label)} ({count_text(row.count, row.status)})"
        for row in drawn.itertuples()
    ]
    # Labels are wrapped to narrow lines so neighbouring columns' labels do not meet, and
    # the padding between nodes is the height of the tallest wrapped label, so labels in
    # one column do not meet either (the figure grows with the busiest column).
    wrapped = [_wrap(label) for label in node_labels]
    lines = max(label.count("<br>") + 1 for label in wrapped)
    pad = 16 * lines + 8
    busiest = int(drawn["layer"].value_counts().max())
    height = max(520, busiest * (pad + 18) + 90)
    links = flows[flows["step"].isin(position) & flows["next_step"].isin(position)]
    hidden = links["status"].notna().to_numpy()
    values = np.where(hidden, float(threshold), links["count"].fillna(0).to_numpy(float))
    link_text = [
        f"{plot_text(a)} → {plot_text(b)}: {count_text(c, s)}"
        for a, b, c, s in zip(
            links["step_label"], links["next_label"], links["count"], links["status"], strict=True
        )
    ]
    colours = [STEP_COLOURS.get(int(layer), GREY) for layer in drawn["layer"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": wrapped,
                "color": colours,
                "pad": pad,
                "thickness": 16,
                "x": [0.01 + 0.98 * int(layer) / layers for layer in drawn["layer"]],
                "customdata": node_labels,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": [position[s] for s in links["step"]],
                "target": [position[s] for s in links["next_step"]],
                "value": values,
                "label": link_text,
                "customdata": link_text,
                "hovertemplate": "%{customdata}<extra></extra>",
                "color": [SUPPRESSED_LINK if h else "rgba(18, 67, 109, 0.22)" for h in hidden],
            },
        )
    )
    return _layout(fig, title, height)


def _wrap(text: str, width: int = 18) -> str:
    """``text`` broken into lines of about ``width`` characters with ``<br>`` (plotly's
    line break), at spaces only."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def step_bars_figure(
    group: pd.DataFrame, everyone: pd.DataFrame, title: str, group_name: str
) -> go.Figure:
    """Share of requests reaching each step: one group beside everyone.

    Takes two step frames (step, label, count, status, share). Bars carry their values as
    text and the two series differ in pattern as well as colour.
    """
    fig = go.Figure()
    for frame, name, colour, pattern in (
        (group, group_name, NAVY, ""),
        (everyone, "Everyone", TEAL, "/"),
    ):
        fig.add_bar(
            y=plot_texts(frame["label"]),
            x=frame["share"].fillna(0),
            orientation="h",
            name=plot_text(name),
            marker={"color": colour, "pattern": {"shape": pattern}},
            text=[share_text(v, s) for v, s in zip(frame["share"], frame["status"], strict=True)],
            textposition="outside",
            hovertemplate="%{y}: %{text}<extra>" + plot_text(name) + "</extra>",
        )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.12})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Percentage of the group's requests", rangemode="tozero")
    return _layout(fig, title, 560)


def _table(
    caption: str,
    headers: Sequence[str],
    rows: list[list[str]],
    cls: str,
    numeric: Sequence[int] = (),
) -> html.Table:
    """A table whose columns at the ``numeric`` positions are right-aligned numbers
    (class ``num``, one CSS rule in chorus.css)."""

    def cell_class(k: int) -> str | None:
        return NUMERIC_CELL if k in numeric else None

    return html.Table(
        className=f"chorus-table {cls}",
        children=[
            html.Caption(caption),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className=cell_class(k))
                        for k, h in enumerate(headers)
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Th(r[0], scope="row"),
                            *[html.Td(c, className=cell_class(k)) for k, c in enumerate(r) if k],
                        ]
                    )
                    for r in rows
                ]
            ),
        ],
    )


def steps_table(steps: pd.DataFrame, caption: str) -> html.Table:
    """People at each step, with the share of the cohort (the Sankey's node numbers)."""
    rows = [
        [row.label, count_text(row.count, row.status), share_text(row.share, row.status)]
        for row in steps.itertuples()
    ]
    return _table(
        caption, ["Step", "Children or families", "Share of requests"], rows, "steps", (1, 2)
    )


def flows_table(flows: pd.DataFrame, caption: str) -> html.Table:
    """Every flow between two steps (the Sankey's links)."""
    rows = [
        [
            row.step_label,
            row.next_label,
            count_text(row.count, row.status),
            share_text(row.share, row.status),
        ]
        for row in flows.itertuples()
    ]
    return _table(caption, ["From", "To", "Number", "Share of requests"], rows, "flows", (2, 3))


def _csv_numbers(frame: pd.DataFrame) -> dict[str, list[str]]:
    """``count`` and ``share_percent`` as CSV text ("c" where protected) for a frame with
    columns count, share and status."""
    return {
        "count": [
            count_text(c, s).replace(",", "")
            for c, s in zip(frame["count"], frame["status"], strict=True)
        ],
        "share_percent": [
            share_text(v, s).rstrip("%")
            for v, s in zip(frame["share"], frame["status"], strict=True)
        ],
    }


def step_csv_rows(steps: pd.DataFrame, kind: str = "step") -> pd.DataFrame:
    """Steps (columns step, label, count, share, status) as CSV rows: kind, step,
    next_step (empty), label, count, share_percent."""
    return pd.DataFrame(
        {
            "kind": kind,
            "step": steps["step"],
            "next_step": "",
            "label": steps["label"],
            **_csv_numbers(steps),
        }
    )


def journey_csv_frame(
    flows: pd.DataFrame,
    steps: pd.DataFrame,
    area_code: str,
    cohort: str,
    breakdown: str,
    value: str,
) -> pd.DataFrame:
    """The table's numbers as CSV rows: steps then flows, "c" where suppressed."""
    step_rows = step_csv_rows(steps)
    flow_rows = pd.DataFrame(
        {
            "kind": "flow",
            "step": flows["step"],
            "next_step": flows["next_step"],
            "label": [
                f"{a} → {b}" for a, b in zip(flows["step_label"], flows["next_label"], strict=True)
            ],
            **_csv_numbers(flows),
        }
    )
    out = pd.concat([step_rows, flow_rows], ignore_index=True)
    out.insert(0, "breakdown_value", value)
    out.insert(0, "breakdown", breakdown)
    out.insert(0, "cohort", cohort)
    out.insert(0, "area_code", area_code)
    out["illustrative"] = True
    return out


def aligned_table(frame: pd.DataFrame, caption: str, gap: bool = True) -> html.Table:
    """A cohort journey lined up by cohort year: one row per cohort and step.

    Takes ``analysis.journeys.align_cohorts`` rows (cohort, step_label, period_label,
    value, numerator, denominator, status, gap, gap_lower, gap_upper, gap_note).
    """
    headers = ["Cohort", "Step", "Measured in", "Figure"]
    if gap:
        headers += ["Gap for disadvantaged children"]
    rows = []
    for row in frame.itertuples():
        figure = "no figure yet"
        if isinstance(row.status, str) and row.status:
            figure = row.status
        elif pd.notna(row.value):
            figure = f"{row.value:.1f}%"
            if pd.notna(row.numerator) and pd.notna(row.denominator):
                figure += f" ({row.numerator:,.0f} of {row.denominator:,.0f})"
        cells = [row.cohort, row.step_label, row.period_label or "not yet", figure]
        if gap:
            cells.append(_gap_text(row))
        rows.append(cells)
    return _table(caption, headers, rows, "aligned", (3,))


def _gap_text(row: Any) -> str:
    if pd.isna(row.gap):
        return row.gap_note or "–"
    text = f"{row.gap:+.1f} percentage points"
    if pd.notna(row.gap_lower) and pd.notna(row.gap_upper):
        text += f" (95% interval {row.gap_lower:+.1f} to {row.gap_upper:+.1f})"
    return f"{text}. {row.gap_note}".strip()


# --- costs --------------------------------------------------------------------------------


def money(value: float) -> str:
    return "–" if value is None or pd.isna(value) else f"£{value:,.0f}"


def unit_cost_table(costs: pd.DataFrame, caption: str) -> html.Table:
    rows = [
        [row.item, row.description, money(row.cost_gbp), period_text(row.price_year), row.source]
        for row in costs.itertuples()
    ]
    return _table(
        caption, ["Item", "What it covers", "Cost", "Price year", "Source"], rows, "costs", (2,)
    )


def pathway_cost_table(pathways: pd.DataFrame, caption: str) -> html.Table:
    rows = [
        [
            row.pathway,
            money(row.cost_gbp),
            period_text(row.price_year) or "–",
            row.note or "",
        ]
        for row in pathways.itertuples()
    ]
    return _table(
        caption, ["Pathway", "Cost per family", "Price year", "Note"], rows, "paths", (1,)
    )


def step_cost_table(costs: pd.DataFrame, caption: str) -> html.Table:
    rows = [
        [
            row.label,
            count_text(row.count, row.status),
            money(row.unit_cost_gbp),
            "c" if isinstance(row.status, str) and row.status else money(row.cost_gbp),
            period_text(row.price_year) or "–",
        ]
        for row in costs.itertuples()
    ]
    headers = ["Step", "Number", "Unit cost", "Cost", "Price year"]
    return _table(caption, headers, rows, "step-costs", (1, 2, 3))


def spend_scatter(
    frame: pd.DataFrame,
    own_code: str,
    neighbour_codes: Sequence[str],
    x_title: str,
    y_title: str,
    title: str,
) -> go.Figure:
    """Spend per child against an outcome across authorities.

    Takes rows (area_code, area_name, x, y). Other authorities are small grey circles;
    the statistical neighbours are diamonds (named in the table under the chart, and on
    hover); the user's authority is a large star with its name. Shape and label carry
    the meaning, colour repeats it.
    """
    fig = go.Figure()
    groups = (
        (
            ~frame["area_code"].isin([own_code, *neighbour_codes]),
            "Other authorities",
            "circle",
            "rgba(61, 61, 61, 0.45)",
            8,
            False,
        ),
        (
            frame["area_code"].isin(neighbour_codes),
            "Statistical neighbours",
            "diamond",
            TEAL,
            12,
            True,
        ),
        (frame["area_code"] == own_code, "Your authority", "star", PLUM, 20, True),
    )
    for mask, name, symbol, colour, size, labelled in groups:
        part = frame[mask]
        # Only the user's authority is named on the chart: ten neighbour names printed
        # beside close points overlap, so the neighbours are named in the legend group,
        # on hover and in the table under the chart.
        own = labelled and name == "Your authority"
        fig.add_scatter(
            x=part["x"],
            y=part["y"],
            mode="markers+text" if own else "markers",
            name=name,
            text=plot_texts(part["area_name"]) if own else None,
            textposition=_label_position(frame, part) if own else None,
            cliponaxis=False,
            marker={
                "symbol": symbol,
                "color": colour,
                "size": size,
                "line": {"color": TEXT, "width": 1},
            },
            customdata=plot_texts(part["area_name"]),
            hovertemplate="%{customdata}<br>"
            + x_title
            + ": £%{x:,.0f}<br>"
            + y_title
            + ": %{y:.1f}%<extra></extra>",
        )
    fig.update_xaxes(
        title={"text": x_title, "standoff": 12},
        tickprefix="£",
        gridcolor="#e5e5e5",
        automargin=True,
    )
    # A long outcome name is wrapped, and the margins grow to hold it (never cut off).
    fig.update_yaxes(
        title={"text": _wrap(y_title, 34), "standoff": 8},
        ticksuffix="%",
        gridcolor="#e5e5e5",
        automargin=True,
    )
    fig = _layout(fig, title, 600)
    fig.update_layout(
        legend={"orientation": "h", "y": -0.22, "x": 0},
        margin={"l": 20, "r": 30, "t": 60, "b": 40},
    )
    return fig


def _label_position(frame: pd.DataFrame, own: pd.DataFrame) -> str:
    """Where the authority's name goes: away from the nearer plot edges, so it stays
    inside the chart."""
    if own.empty or frame.empty:
        return "top center"
    x, y = float(own["x"].iloc[0]), float(own["y"].iloc[0])
    x_mid = (frame["x"].min() + frame["x"].max()) / 2
    y_high = y > frame["y"].quantile(0.8)
    vertical = "bottom" if y_high else "top"
    horizontal = "left" if x > x_mid else "right"
    return f"{vertical} {horizontal}"


def scatter_table(
    frame: pd.DataFrame, own_code: str, neighbour_codes: Sequence[str], caption: str
) -> html.Table:
    """The scatter's highlighted points (the user's authority and its neighbours)."""
    wanted = frame[frame["area_code"].isin([own_code, *neighbour_codes])]
    rows = [
        [
            row.area_name + (" (your authority)" if row.area_code == own_code else ""),
            money(row.x),
            "–" if pd.isna(row.y) else f"{row.y:.1f}%",
        ]
        for row in wanted.sort_values("x").itertuples()
    ]
    return _table(caption, ["Authority", "Spend per child", "Outcome"], rows, "scatter", (1, 2))
