"""Costs: spend per child, spend beside outcomes across authorities, unit costs and the
cost of each Early Help pathway."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from analysis.costs import (
    PriceYearMismatch,
    correlation_summary,
    pathway_costs,
    step_costs,
    total_of_shown_steps,
)
from analysis.journeys import EARLY_HELP, cohort_choices, journey_view, pathways
from analysis.periods import period_text
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.charts import GRAPH_CONFIG
from components.controls import select
from components.journeys import (
    money,
    pathway_cost_table,
    scatter_table,
    spend_scatter,
    step_cost_table,
    unit_cost_table,
)
from components.tables import NUMERIC_CELL
from data_access import views
from data_access.catalogue import group_members, neighbour_group_code
from data_access.db import Session, get_database
from data_access.indicators_query import ENGLAND
from data_access.journeys import (
    delete_unit_cost,
    journey_cohorts,
    journey_counts_frame,
    save_unit_cost,
    unit_costs_frame,
    validate_unit_cost,
)
from data_access.users import user_by_id
from pages._panel_support import disclosure_threshold

dash.register_page(
    __name__, path="/costs", name="Costs", title="Costs - Chorus", order=7, nav_group="Indicators"
)

SPEND_LINES = {
    "family_support_spend": "Family support",
    "sure_start_spend": "Children's centres (Sure Start)",
}
OUTCOMES = {
    "care_leavers_eet_19_21": "Care leavers aged 19-21 in education, employment or training",
    "care_leavers_accommodation_19_21": "Care leavers aged 19-21 in suitable accommodation",
    "staying_put": "Care leavers staying put with former foster carers",
    "gld": "Good level of development at the end of Reception",
    "two_year_takeup": "Funded early education take-up at age two",
}


def _own_area() -> tuple[str | None, str]:
    user = current_record()
    if user is None or user.organisation_kind != "local_authority":
        return None, user.organisation_name if user else ""
    return user.organisation_code, user.organisation_name


def _own_spend_table(session: Session, area_code: str, area_name: str) -> html.Table:
    rows = []
    for indicator, name in SPEND_LINES.items():
        table = views.spend_frame(session, indicator)
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


def _scatter_section(session: Session, area_code: str | None) -> html.Section:
    years = views.spend_years(session, "family_support_spend")
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
                    html.Label(
                        className="journey-control",
                        children=[
                            html.Span("Spending line", className="journey-control-label"),
                            select(
                                id="costs-spend-line",
                                options=[{"label": v, "value": k} for k, v in SPEND_LINES.items()],
                                value="family_support_spend",
                                clearable=False,
                            ),
                        ],
                    ),
                    html.Label(
                        className="journey-control",
                        children=[
                            html.Span("Outcome", className="journey-control-label"),
                            select(
                                id="costs-outcome",
                                options=[{"label": v, "value": k} for k, v in OUTCOMES.items()],
                                value="care_leavers_eet_19_21",
                                clearable=False,
                            ),
                        ],
                    ),
                    html.Label(
                        className="journey-control",
                        children=[
                            html.Span("Financial year", className="journey-control-label"),
                            select(
                                id="costs-year",
                                options=[{"label": y, "value": y} for y in years],
                                value=years[0] if years else None,
                                clearable=False,
                            ),
                        ],
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


def _unit_costs_section(organisation_id: int, can_edit: bool) -> html.Section:
    with get_database().read() as session:
        costs = unit_costs_frame(session, organisation_id)
    children: list = [
        html.H2("Unit costs"),
        html.P(
            "The cost of one unit of each service, with its source and price year, kept by "
            "your analysts. Costs in different price years are never added together."
        ),
        html.Div(
            id="costs-unit-table",
            children=unit_cost_table(costs, "Unit costs used for journey pathways"),
        ),
    ]
    if can_edit:
        children.append(_unit_cost_form(costs))
    return html.Section(className="costs-section", children=children)


def _field(label: str, component: Any) -> html.Label:
    return html.Label(
        className="cost-field",
        children=[html.Span(label, className="journey-control-label"), component],
    )


def _unit_cost_form(costs: pd.DataFrame) -> html.Div:
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
                dcc.Input(id="cost-gbp", type="text", inputMode="decimal", autoComplete="off"),
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
            html.P(id="cost-message", role="status", **{"aria-live": "polite"}),
        ],
    )


def _pathway_section(session: Session, area_code: str, organisation_id: int) -> html.Section:
    costs = unit_costs_frame(session, organisation_id)
    routes = pathways(EARLY_HELP)
    per_path = pathway_costs(
        routes, costs, step_labels={s: EARLY_HELP.label(s) for s in EARLY_HELP.step_names}
    )
    per_path = per_path.drop_duplicates("items")  # routes costing the same items cost the same
    children: list = [
        html.H2("What the Early Help pathways cost"),
        html.P(
            "The cost per family of each route through Early Help, from the unit cost table "
            "(routes that use the same services are shown once)."
        ),
        pathway_cost_table(per_path, "Cost per family of each Early Help pathway"),
    ]
    cohorts = journey_cohorts(session, EARLY_HELP.name, area_code)
    choices = [c for c in cohort_choices(cohorts) if c["kind"] == "season"]
    if choices:
        season = choices[0]
        counts = journey_counts_frame(session, EARLY_HELP.name, area_code, ["total"])
        view = journey_view(counts, season["months"], threshold=disclosure_threshold())
        by_step = step_costs(view.steps, costs)
        try:
            total = total_of_shown_steps(by_step)
            total_text = (
                f"Total of the steps shown: {money(total.total_gbp)} in "
                f"{period_text(total.price_year)} prices. {total.note}"
            )
        except PriceYearMismatch as exc:
            total_text = f"No total: {exc}."
        children += [
            step_cost_table(by_step, f"What the requests received in {season['label']} cost"),
            html.P(total_text.strip(), className="journey-note"),
        ]
    return html.Section(className="costs-section", children=children)


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    area_code, area_name = _own_area()
    if user is None:
        return html.Div(html.H1("Costs"))
    with get_database().read() as session:
        sections: list = []
        if area_code is not None:
            sections.append(
                html.Section(
                    className="costs-section",
                    children=[
                        html.H2("Spend per child"),
                        html.P(
                            "Gross spending from the published section 251 outturn divided by "
                            "the ONS estimate of children aged 0 to 17. Cash terms: each year "
                            "is in its own prices, so years are not added together."
                        ),
                        _own_spend_table(session, area_code, area_name),
                    ],
                )
            )
        sections.append(_scatter_section(session, area_code))
        if area_code is not None:
            sections.append(_pathway_section(session, area_code, user.organisation_id))
    sections.append(_unit_costs_section(user.organisation_id, allowed(user, "costs.edit")))
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


# --- callbacks ----------------------------------------------------------------------------


@callback(
    Output("costs-scatter", "children"),
    Input("costs-spend-line", "value"),
    Input("costs-outcome", "value"),
    Input("costs-year", "value"),
)
@guarded("read")
def show_scatter(spend_line: str | None, outcome: str | None, year: str | None) -> list[Any]:
    """Scatter of spend per child against an outcome, with the correlation in words."""
    if spend_line not in SPEND_LINES or outcome not in OUTCOMES or not year:
        raise dash.exceptions.PreventUpdate
    area_code, area_name = _own_area()
    with get_database().read() as session:
        data = views.scatter_data(session, spend_line, outcome, str(year), disclosure_threshold())
        group = neighbour_group_code(session, area_code) if area_code else None
        neighbours = group_members(session, group) if group else []
    x_title = f"{SPEND_LINES[spend_line]} spend per child ({year}, cash)"
    y_title = OUTCOMES[outcome]
    summary = correlation_summary(data["x"], data["y"], "spend per child", "this outcome")
    figure = spend_scatter(
        data, area_code or "", neighbours, x_title, y_title, f"{y_title} against spend, {year}"
    )
    return [
        dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="journey-figure"),
        html.P(summary.statement, className="correlation-statement"),
        html.P(
            f"n = {summary.n} authorities with both figures. Pearson's r = "
            f"{summary.pearson_r:.2f}, Spearman's rho = {summary.spearman_rho:.2f}."
            if summary.n
            else "No authority has both figures for this year.",
            className="journey-note",
        ),
        scatter_table(
            data, area_code or "", neighbours, f"{area_name} and its statistical neighbours"
        ),
    ]


@callback(
    Output("cost-message", "children"),
    Output("costs-unit-table", "children"),
    Input("cost-save", "n_clicks"),
    State("cost-item", "value"),
    State("cost-description", "value"),
    State("cost-gbp", "value"),
    State("cost-year", "value"),
    State("cost-source", "value"),
    prevent_initial_call=True,
)
@guarded("costs.edit")
def save_cost(
    n_clicks: int | None,
    item: str | None,
    description: str | None,
    cost: object,
    year: str | None,
    source: str | None,
) -> tuple[str, Any]:
    """Add or update one unit cost of the user's organisation (audited)."""
    user = current_record()
    problems = validate_unit_cost(item or "", description or "", cost, year or "", source or "")
    if problems:
        return " ".join(problems), dash.no_update
    with get_database().write() as session:
        save_unit_cost(session, user, item, description, float(cost), year, source)
    return f"Saved {item}.", _fresh_table(user.id)


@callback(
    Output("cost-message", "children", allow_duplicate=True),
    Output("costs-unit-table", "children", allow_duplicate=True),
    Input("cost-remove", "n_clicks"),
    State("cost-remove-item", "value"),
    prevent_initial_call=True,
)
@guarded("costs.edit")
def remove_cost(n_clicks: int | None, cost_id: object) -> tuple[str, Any]:
    """Remove one unit cost of the user's organisation (audited)."""
    user = current_record()
    if not cost_id:
        return "Choose an item to remove.", dash.no_update
    with get_database().write() as session:
        removed = delete_unit_cost(session, user, int(cost_id))
    if not removed:
        return "That item is not in your organisation's table.", dash.no_update
    return "Removed.", _fresh_table(user.id)


def _fresh_table(user_id: int) -> html.Table:
    with get_database().read() as session:
        user = user_by_id(session, user_id)
        costs = unit_costs_frame(session, user.organisation_id)
    return unit_cost_table(costs, "Unit costs used for journey pathways")
