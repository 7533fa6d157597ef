"""Costs: spend per child, spend beside outcomes across authorities, unit costs and the
cost of each Early Help pathway."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import dash
from dash import Input, Output, State, callback, html

from analysis.costs import (
    PriceYearMismatch,
    correlation_summary,
    pathway_costs,
    step_costs,
    total_of_shown_steps,
)
from analysis.journeys import EARLY_HELP, cohort_choices, journey_view, pathways
from analysis.periods import period_text
from auth.current import current_record, signed_in_record
from auth.permissions import allowed, guarded
from components.costs import (
    UNIT_COSTS_CAPTION,
    costs_page,
    own_spend_table,
    pathway_section,
    scatter_result,
    scatter_section,
    spend_section,
    unit_costs_section,
)
from components.journeys import money, spend_scatter, unit_cost_table
from data_access import views
from data_access.catalogue import group_members, neighbour_group_code
from data_access.db import Session, get_database
from data_access.journeys import (
    delete_unit_cost,
    journey_cohorts,
    journey_counts_frame,
    save_unit_cost,
    unit_costs_frame,
    validate_unit_cost,
)
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


def _pathway_section(session: Session, area_code: str, organisation_id: int) -> html.Section:
    costs = unit_costs_frame(session, organisation_id)
    routes = pathways(EARLY_HELP)
    per_path = pathway_costs(
        routes, costs, step_labels={s: EARLY_HELP.label(s) for s in EARLY_HELP.step_names}
    )
    per_path = per_path.drop_duplicates("items")  # routes costing the same items cost the same
    cohorts = journey_cohorts(session, EARLY_HELP.name, area_code)
    choices = [c for c in cohort_choices(cohorts) if c["kind"] == "season"]
    if not choices:
        return pathway_section(per_path, None)
    season = choices[0]
    counts = journey_counts_frame(session, EARLY_HELP.name, area_code, ["total"])
    months = cast("list[date]", season["months"])  # a cohort choice's months (its docstring)
    view = journey_view(counts, months, threshold=disclosure_threshold())
    by_step = step_costs(view.steps, costs)
    try:
        total = total_of_shown_steps(by_step)
        total_text = (
            f"Total of the steps shown: {money(total.total_gbp)} in "
            f"{period_text(total.price_year)} prices. {total.note}"
        )
    except PriceYearMismatch as exc:
        total_text = f"No total: {exc}."
    return pathway_section(per_path, (by_step, str(season["label"]), total_text))


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    area_code, area_name = _own_area()
    if user is None:
        return html.Div(html.H1("Costs"))
    with get_database().read() as session:
        sections: list[Any] = []
        if area_code is not None:
            spend = {name: views.spend_frame(session, i) for i, name in SPEND_LINES.items()}
            sections.append(spend_section(own_spend_table(spend, area_code, area_name)))
        years = views.spend_years(session, "family_support_spend")
        sections.append(scatter_section(SPEND_LINES, OUTCOMES, years))
        if area_code is not None:
            sections.append(_pathway_section(session, area_code, user.organisation_id))
        costs = unit_costs_frame(session, user.organisation_id)
    sections.append(unit_costs_section(costs, allowed(user, "costs.edit")))
    return costs_page(area_name, sections)


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
    caption = f"{area_name} and its statistical neighbours"
    return scatter_result(figure, summary, data, area_code or "", neighbours, caption)


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
    user = signed_in_record()
    problems = validate_unit_cost(item or "", description or "", cost, year or "", source or "")
    if problems:
        return " ".join(problems), dash.no_update
    with get_database().write() as session:
        save_unit_cost(
            session, user, item or "", description or "", float(str(cost)), year or "", source or ""
        )
    return f"Saved {item}.", _fresh_table(user.organisation_id)


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
    user = signed_in_record()
    if not cost_id:
        return "Choose an item to remove.", dash.no_update
    with get_database().write() as session:
        removed = delete_unit_cost(session, user, int(str(cost_id)))
    if not removed:
        return "That item is not in your organisation's table.", dash.no_update
    return "Removed.", _fresh_table(user.organisation_id)


def _fresh_table(organisation_id: int) -> html.Table:
    with get_database().read() as session:
        costs = unit_costs_frame(session, organisation_id)
    return unit_cost_table(costs, UNIT_COSTS_CAPTION)
