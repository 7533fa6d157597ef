"""The Costs page's pieces: spend per child, the spend-beside-outcomes section and its result,
the pathway costs, and the unit cost table with its form.

Pure layout: pages.costs reads the database and works out the figures (analysis.costs), then
passes plain values and DataFrames in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd
from dash import dcc, html

from analysis.periods import period_text
from components.aria import aria
from components.charts import GRAPH_CONFIG
from components.controls import select
from components.journeys import (
    money,
    pathway_cost_table,
    scatter_table,
    step_cost_table,
    unit_cost_table,
)
from components.tables import NUMERIC_CELL
from rules.areas import ENGLAND

UNIT_COSTS_CAPTION = "Unit costs used for journey pathways"
_GRAPH_CONFIG = cast("dcc.Graph.Config", GRAPH_CONFIG)
# The decimal keypad on phones: a valid inputMode that Dash's type hints leave out.
_DECIMAL: dict[str, Any] = {"inputMode": "decimal"}


def own_spend_table(
    spend: Mapping[str, pd.DataFrame], area_code: str, area_name: str
) -> html.Table:
    """The last four years of each spending line for the area, beside England's per child.

    ``spend`` maps a line's name to its spend frame (columns area_code, period_start,
    period_label, spend_gbp, spend_per_child, price_year)."""
    rows = []
    for name, table in spend.items():
        own = table[table["area_code"] == area_code].sort_values("period_start")
        england = table[table["area_code"] == ENGLAND].set_index("period_label")
        for row in own.tail(4).itertuples():
            england_value = (
                england.loc[row.period_label, "spend_per_child"]
                if row.period_label in england.index
                else float("nan")
            )
            rows.append(
                html.Tr(
                    [
                        html.Th(f"{name}, {row.period_label}", scope="row"),
                        html.Td(money(row.spend_gbp), className=NUMERIC_CELL),
                        html.Td(money(row.spend_per_child), className=NUMERIC_CELL),
                        html.Td(money(england_value), className=NUMERIC_CELL),
                        html.Td(f"{period_text(row.price_year)} prices (cash)"),
                    ]
                )
            )
    headers = ["Line and year", "Gross spend", "Per child aged 0-17", "England per child"]
    return html.Table(
        className="chorus-table costs",
        children=[
            html.Caption(f"Spend per child in {area_name} (cash terms, each year's own prices)"),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className=NUMERIC_CELL if k else None)
                        for k, h in enumerate(headers)
                    ]
                    + [html.Th("Price base", scope="col")]
                )
            ),
            html.Tbody(rows),
        ],
    )


def spend_section(table: html.Table) -> html.Section:
    """ "Spend per child": the explanation and the area's table."""
    return html.Section(
        className="costs-section",
        children=[
            html.H2("Spend per child"),
            html.P(
                "Gross spending from the published section 251 outturn divided by "
                "the ONS estimate of children aged 0 to 17. Cash terms: each year "
                "is in its own prices, so years are not added together."
            ),
            table,
        ],
    )


def _choice(label: str, control: Any) -> html.Label:
    return html.Label(
        className="journey-control",
        children=[html.Span(label, className="journey-control-label"), control],
    )


def scatter_section(
    spend_lines: Mapping[str, str], outcomes: Mapping[str, str], years: Sequence[str]
) -> html.Section:
    """ "Spend beside outcomes": the choice of line, outcome and year, and the chart's slot."""
    return html.Section(
        className="costs-section",
        children=[
            html.H2("Spend beside outcomes"),
            html.P(
                "Each point is one local authority: spend per child in a financial year "
                "against an outcome measured in the same year. Your authority is the star and "
                "its statistical neighbours are diamonds, named in the table under the chart."
            ),
            html.Div(
                className="journey-controls",
                children=[
                    _choice(
                        "Spending line",
                        select(
                            id="costs-spend-line",
                            options=[{"label": v, "value": k} for k, v in spend_lines.items()],
                            value="family_support_spend",
                            clearable=False,
                        ),
                    ),
                    _choice(
                        "Outcome",
                        select(
                            id="costs-outcome",
                            options=[{"label": v, "value": k} for k, v in outcomes.items()],
                            value="care_leavers_eet_19_21",
                            clearable=False,
                        ),
                    ),
                    _choice(
                        "Financial year",
                        select(
                            id="costs-year",
                            options=[{"label": y, "value": y} for y in years],
                            value=years[0] if years else None,
                            clearable=False,
                        ),
                    ),
                ],
            ),
            dcc.Loading(html.Div(id="costs-scatter")),
            html.P(
                "City of London and the Isles of Scilly are left out: they have too few "
                "children for a figure per child to compare.",
                className="journey-note",
            ),
        ],
    )


def scatter_result(
    figure: Any,
    summary: Any,
    data: pd.DataFrame,
    area_code: str,
    neighbours: list[str],
    caption: str,
) -> list[Any]:
    """The chart, the correlation in words (``summary``: statement, n, pearson_r,
    spearman_rho) and the table naming the area and its neighbours (``data`` as
    components.journeys.scatter_table reads it)."""
    return [
        dcc.Graph(figure=figure, config=_GRAPH_CONFIG, className="journey-figure"),
        html.P(summary.statement, className="correlation-statement"),
        html.P(
            f"n = {summary.n} authorities with both figures. Pearson's r = "
            f"{summary.pearson_r:.2f}, Spearman's rho = {summary.spearman_rho:.2f}."
            if summary.n
            else "No authority has both figures for this year.",
            className="journey-note",
        ),
        scatter_table(data, area_code, neighbours, caption),
    ]


def pathway_section(
    per_path: pd.DataFrame, steps: tuple[pd.DataFrame, str, str] | None
) -> html.Section:
    """What the Early Help pathways cost (``per_path`` from analysis.costs.pathway_costs) and,
    when there is a season, ``(step costs, season label, the total's sentence)``."""
    children: list[Any] = [
        html.H2("What the Early Help pathways cost"),
        html.P(
            "The cost per family of each route through Early Help, from the unit cost table "
            "(routes that use the same services are shown once)."
        ),
        pathway_cost_table(per_path, "Cost per family of each Early Help pathway"),
    ]
    if steps is not None:
        by_step, season_label, total_text = steps
        children += [
            step_cost_table(by_step, f"What the requests received in {season_label} cost"),
            html.P(total_text.strip(), className="journey-note"),
        ]
    return html.Section(className="costs-section", children=children)


def unit_costs_section(costs: pd.DataFrame, can_edit: bool) -> html.Section:
    """The organisation's unit costs (columns id, item, ... as unit_cost_table reads them),
    with the form to change them for those who may."""
    children: list[Any] = [
        html.H2("Unit costs"),
        html.P(
            "The cost of one unit of each service, with its source and price year, kept by "
            "your analysts. Costs in different price years are never added together."
        ),
        html.Div(id="costs-unit-table", children=unit_cost_table(costs, UNIT_COSTS_CAPTION)),
    ]
    if can_edit:
        children.append(unit_cost_form(costs))
    return html.Section(className="costs-section", children=children)


def _field(label: str, component: Any) -> html.Label:
    return html.Label(
        className="cost-field",
        children=[html.Span(label, className="journey-control-label"), component],
    )


def unit_cost_form(costs: pd.DataFrame) -> html.Div:
    """Add, change or remove a unit cost."""
    return html.Div(
        className="cost-form",
        children=[
            html.H3("Add or change a unit cost"),
            _field(
                "Item (for example eh_assessment)",
                dcc.Input(id="cost-item", type="text", autoComplete="off"),
            ),
            _field(
                "What it covers", dcc.Input(id="cost-description", type="text", autoComplete="off")
            ),
            _field(
                "Cost in pounds",
                dcc.Input(id="cost-gbp", type="text", autoComplete="off", **_DECIMAL),
            ),
            _field(
                "Price year (for example 2024-25)",
                dcc.Input(id="cost-year", type="text", autoComplete="off"),
            ),
            _field("Source", dcc.Input(id="cost-source", type="text", autoComplete="off")),
            html.Button("Save unit cost", id="cost-save", className="btn-primary"),
            _field(
                "Remove an item",
                select(
                    id="cost-remove-item",
                    placeholder="Choose an item",
                    options=[
                        {"label": i, "value": int(k)}
                        for k, i in zip(costs["id"], costs["item"], strict=True)
                    ],
                ),
            ),
            html.Button("Remove", id="cost-remove", className="btn-secondary"),
            html.P(id="cost-message", role="status", **aria(live="polite")),
        ],
    )


def costs_page(area_name: str, sections: list[Any]) -> html.Div:
    """The Costs page: its heading, lead text and sections."""
    return html.Div(
        className="costs-page",
        children=[
            html.H1(f"Costs: {area_name}" if area_name else "Costs"),
            html.P(
                "Spend beside outcomes, and what journeys cost. Figures from different price "
                "years are shown with their year and not combined.",
                className="lead-text",
            ),
            *sections,
        ],
    )
