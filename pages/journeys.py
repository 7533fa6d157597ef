"""Journeys: Early Help cohorts followed for 12 months, a birth cohort through the early
years, and care leavers from 17-18 to 19-21."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from analysis.journeys import (
    CARE_LEAVER_STEPS,
    EARLY_HELP,
    EARLY_YEARS_STEPS,
    TOTAL,
    align_cohorts,
    care_leaver_cohorts,
    cohort_choices,
)
from auth.current import current_record
from auth.permissions import guarded
from components.charts import GRAPH_CONFIG, group_label
from components.controls import select
from components.downloads import csv_download
from components.journeys import (
    aligned_table,
    flows_table,
    journey_csv_frame,
    sankey_figure,
    step_bars_figure,
    steps_table,
)
from data_access import indicators_query as iq
from data_access.db import get_database
from data_access.journeys import (
    asq3_communication,
    default_cohort_value,
    early_help_page_view,
    journey_breakdowns,
    journey_cohorts,
)
from data_access.observations import CANONICAL_COLUMNS
from pages._panel_support import disclosure_threshold
from rules.labels import breakdown_name

dash.register_page(
    __name__,
    path="/journeys",
    name="Journeys",
    title="Journeys - Chorus",
    order=6,
    nav_group="Indicators",
)

EARLY_YEARS_FIRST_YEARS = (2016, 2017, 2018, 2019, 2020)
CARE_LEAVER_FIRST_YEARS = (2019, 2020, 2021, 2022)


def _own_area() -> tuple[str | None, str]:
    user = current_record()
    if user is None or user.organisation_kind != "local_authority":
        return None, user.organisation_name if user else ""
    return user.organisation_code, user.organisation_name


def _controls(cohorts: list[date], breakdowns: dict[str, list[str]]) -> html.Div:
    choices = cohort_choices(cohorts)
    default = default_cohort_value(cohorts)
    breakdown_options = [{"label": "Everyone", "value": TOTAL}] + [
        {"label": breakdown_name(b), "value": b} for b in breakdowns
    ]
    return html.Div(
        className="journey-controls",
        children=[
            html.Label(
                className="journey-control",
                children=[
                    html.Span("Requests received in", className="journey-control-label"),
                    select(
                        id="journeys-cohort",
                        options=[{"label": c["label"], "value": c["value"]} for c in choices],
                        value=default,
                        clearable=False,
                    ),
                ],
            ),
            html.Label(
                className="journey-control",
                children=[
                    html.Span("Equality breakdown", className="journey-control-label"),
                    select(
                        id="journeys-breakdown",
                        options=breakdown_options,
                        value=TOTAL,
                        clearable=False,
                    ),
                ],
            ),
            html.Label(
                className="journey-control",
                children=[
                    html.Span("Group", className="journey-control-label"),
                    select(
                        id="journeys-value",
                        options=[],
                        value=None,
                        disabled=True,
                        placeholder="Everyone (choose a breakdown first)",
                    ),
                ],
            ),
        ],
    )


def _early_help_section(area_code: str | None) -> html.Section:
    heading = html.H2("Early Help journey", id="early-help-journey")
    intro = html.P(
        "What happened to the families who asked for Early Help: whether an assessment "
        "started, whether there was a plan, why the episode closed, and whether they came "
        "back (a new request or a referral to children's social care) within 3, 6 and 12 "
        "months of the request. Counts from 1 to the disclosure threshold are shown as c, "
        "together with any other number they could be worked out from. Illustrative "
        "figures in this demo."
    )
    if area_code is None:
        return html.Section(
            [heading, html.P("Journeys are kept by each local authority for its own families.")]
        )
    with get_database().read() as session:
        cohorts = journey_cohorts(session, EARLY_HELP.name, area_code)
        breakdowns = journey_breakdowns(session, EARLY_HELP.name, area_code)
    if not cohorts:
        return html.Section(
            [
                heading,
                html.P(
                    "No journey counts have been loaded for your authority yet. An analyst "
                    "can load them with the journey import template (see the README)."
                ),
            ]
        )
    return html.Section(
        className="journey-section",
        children=[
            heading,
            intro,
            _controls(cohorts, breakdowns),
            html.P(
                "Equality breakdowns are shown for a whole season (three months of requests) "
                "as the number of each group reaching each step: a single month's groups are "
                "too small to show without suppressing most of them.",
                className="journey-note",
            ),
            dcc.Loading(html.Div(id="journeys-eh")),
            html.Button("Download CSV", id="journeys-download-button", className="btn-secondary"),
            dcc.Download(id="journeys-download"),
        ],
    )


def shown_rows(session, indicator: str, area_code: str, breakdown: str | None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The area's rows of ``indicator`` as its panel shows them: canonical columns plus
    area_name, after disclosure control over every breakdown (a total can be hidden because
    of a cell in one of them); ``breakdown`` then keeps one dimension, None keeps all."""
    record = iq.indicator_record(session, indicator)
    if record is None:
        return pd.DataFrame(columns=[*CANONICAL_COLUMNS, "area_name"])
    rows = iq.suppressed_rows(session, record, [area_code], disclosure_threshold())
    return rows if breakdown is None else rows[rows["breakdown"] == breakdown]


def _early_years_section(area_code: str | None, area_name: str) -> html.Section:
    heading = html.H2("Early years journey", id="early-years-journey")
    if area_code is None:
        return html.Section([heading, html.P("Choose an authority to see its cohorts.")])
    with get_database().read() as session:
        frames = [
            shown_rows(session, "gld", area_code, None),
            shown_rows(session, "two_year_takeup", area_code, TOTAL),
        ]
    asq = asq3_communication()
    frames.append(asq[asq["area_code"] == area_code])
    observations = pd.concat(frames, ignore_index=True)
    table = align_cohorts(observations, EARLY_YEARS_FIRST_YEARS, EARLY_YEARS_STEPS)
    return html.Section(
        className="journey-section",
        children=[
            heading,
            html.P(
                "Children born in the same school year (September to August), followed from "
                "the 2 to 2½ year review through funded early education at two to the end of "
                "Reception, with the gap for disadvantaged children at each step. The figures "
                "are published for all children of each age, not linked child by child."
            ),
            aligned_table(
                table, f"Birth cohorts in {area_name}: where children fall behind", gap=True
            ),
        ],
    )


def _care_leavers_section(area_code: str | None, area_name: str) -> html.Section:
    heading = html.H2("Care leavers journey", id="care-leavers-journey")
    if area_code is None:
        return html.Section([heading, html.P("Choose an authority to see its cohorts.")])
    with get_database().read() as session:
        observations = pd.concat(
            [shown_rows(session, step.indicator, area_code, TOTAL) for step in CARE_LEAVER_STEPS],
            ignore_index=True,
        )
    table = care_leaver_cohorts(observations, CARE_LEAVER_FIRST_YEARS)
    return html.Section(
        className="journey-section",
        children=[
            heading,
            html.P(
                "Young people who were 17 or 18 in a year, seen again two years later at 19 to "
                "21: education, employment or training, accommodation, staying put and whether "
                "the authority is in touch. Published figures are not linked person by person: "
                "the later figures cover most of the same young people, and some others."
            ),
            aligned_table(table, f"Care leaver cohorts in {area_name}", gap=False),
        ],
    )


def layout(**_kwargs: object) -> html.Div:
    area_code, area_name = _own_area()
    return html.Div(
        className="journeys-page",
        children=[
            html.H1(f"Journeys: {area_name}" if area_name else "Journeys"),
            html.P(
                "Cohorts of children and families followed through services over time, from "
                "aggregate counts only: no child-level record is held.",
                className="lead-text",
            ),
            _early_help_section(area_code),
            _early_years_section(area_code, area_name),
            _care_leavers_section(area_code, area_name),
        ],
    )


# --- callbacks ----------------------------------------------------------------------------


@callback(
    Output("journeys-value", "options"),
    Output("journeys-value", "value"),
    Output("journeys-value", "disabled"),
    Input("journeys-breakdown", "value"),
)
@guarded("read")
def choose_breakdown(breakdown):  # type: ignore[no-untyped-def]
    """The groups of the chosen breakdown (none for everyone)."""
    area_code, _ = _own_area()
    if not breakdown or breakdown == TOTAL or area_code is None:
        return [], None, True
    with get_database().read() as session:
        values = journey_breakdowns(session, EARLY_HELP.name, area_code).get(breakdown, [])
    options = [{"label": group_label(v), "value": v} for v in values]
    return options, (values[0] if values else None), False


def build_view(area_code: str, cohort_value: str, breakdown: str, value: str | None):  # type: ignore[no-untyped-def]
    """(view, everyone's view or None, cohort label) for the chosen cohort and group: the
    one builder the page, its download and /api/v1/journeys share."""
    with get_database().read() as session:
        shown = early_help_page_view(
            session, area_code, cohort_value, breakdown, value, disclosure_threshold()
        )
    return shown.view, shown.everyone, shown.label


def _render(view, everyone, label: str, breakdown: str | None, value: str | None):  # type: ignore[no-untyped-def]
    if view is None:
        return html.P(
            "Choose a season to see a breakdown: one month's groups are too small to show.",
            className="journey-note",
            role="status",
        )
    if everyone is None:
        title = f"Early Help requests received in {label}"
        return html.Div(
            className="journey-body",
            children=[
                dcc.Graph(
                    figure=sankey_figure(view.flows, view.steps, title, disclosure_threshold()),
                    config=GRAPH_CONFIG,
                    className="journey-figure",
                ),
                html.Div(
                    className="journey-tables",
                    children=[
                        steps_table(view.steps, f"{title}: families at each step"),
                        flows_table(view.flows, f"{title}: flows between steps"),
                    ],
                ),
            ],
        )
    group = f"{breakdown_name(breakdown or '')}: {group_label(value or '')}"
    title = f"Requests received in {label}, {group}"
    return html.Div(
        className="journey-body",
        children=[
            dcc.Graph(
                figure=step_bars_figure(view.steps, everyone, title, group_label(value or "")),
                config=GRAPH_CONFIG,
                className="journey-figure",
            ),
            html.Div(
                className="journey-tables",
                children=[steps_table(view.steps, f"{title}: families at each step")],
            ),
        ],
    )


@callback(
    Output("journeys-eh", "children"),
    Input("journeys-cohort", "value"),
    Input("journeys-breakdown", "value"),
    Input("journeys-value", "value"),
)
@guarded("read")
def show_early_help_journey(cohort_value, breakdown, value):  # type: ignore[no-untyped-def]
    """The protected journey of the chosen cohort and group: figure and tables."""
    area_code, _ = _own_area()
    if area_code is None or not cohort_value:
        raise dash.exceptions.PreventUpdate
    if breakdown not in (None, TOTAL) and not value:
        raise dash.exceptions.PreventUpdate
    view, everyone, label = build_view(area_code, cohort_value, breakdown, value)
    return _render(view, everyone, label, breakdown, value)


@callback(
    Output("journeys-download", "data"),
    Input("journeys-download-button", "n_clicks"),
    State("journeys-cohort", "value"),
    State("journeys-breakdown", "value"),
    State("journeys-value", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_journey_csv(n_clicks, cohort_value, breakdown, value):  # type: ignore[no-untyped-def]
    """CSV of exactly the numbers in the journey table (suppressed cells stay c)."""
    area_code, _ = _own_area()
    if not n_clicks or area_code is None or not cohort_value:
        raise dash.exceptions.PreventUpdate
    view, _everyone, label = build_view(area_code, cohort_value, breakdown, value)
    if view is None:
        raise dash.exceptions.PreventUpdate
    frame = journey_csv_frame(
        view.flows, view.steps, area_code, label, breakdown or TOTAL, value or TOTAL
    )
    slug = label.split(" (")[0].lower().replace(" ", "-").replace("/", "-")
    return csv_download(frame, f"early-help-journey-{area_code}-{slug}.csv")
