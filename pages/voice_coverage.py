"""Voice coverage (who is speaking compared with who is served) and "You said, we did"."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from components.charts import GRAPH_CONFIG
from components.controls import select
from components.voice import coverage_figure, coverage_table, you_said_we_did_list
from data_access.db import get_database
from data_access.voice import (
    COVERAGE_DIMENSIONS,
    SERVICE_LABELS,
    SERVICE_POPULATION,
    coverage_for,
    disclosure_threshold,
    indicator_titles,
    you_said_we_did,
)
from pages._ln_action_callbacks import you_said_we_did_section

dash.register_page(
    __name__,
    path="/voice/coverage",
    name="Voice coverage",
    title="Voice coverage - Chorus",
    order=23,
    nav_group="Voice",
)


def layout(**kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Voice coverage"))
    service = str(kwargs.get("service") or "early_help")
    if service not in SERVICE_POPULATION:
        service = "early_help"
    return html.Div(
        [
            html.H1(f"Voice coverage: {user.organisation_name}"),
            html.P(
                "Whose voices are in the library, set against the people each service "
                "works with, so that missing voices are visible. Characteristics count "
                "children, young people, parents and carers (not practitioners); age bands "
                "count children and young people only. Counts from 1 to "
                f"{disclosure_threshold()} are shown as c.",
                className="lead-text",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(
                                "Service",
                                htmlFor="coverage-service",
                                className="voice-filter-label",
                            ),
                            select(
                                id="coverage-service",
                                options=[
                                    {"label": SERVICE_LABELS[s].capitalize(), "value": s}
                                    for s in SERVICE_POPULATION
                                ],
                                value=service,
                                clearable=False,
                            ),
                        ],
                        className="voice-filter",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Compare by",
                                htmlFor="coverage-dimension",
                                className="voice-filter-label",
                            ),
                            select(
                                id="coverage-dimension",
                                options=[
                                    {"label": label, "value": key}
                                    for key, label in COVERAGE_DIMENSIONS.items()
                                ],
                                value="ethnicity_group",
                                clearable=False,
                            ),
                        ],
                        className="voice-filter",
                    ),
                ],
                className="voice-filters",
            ),
            html.P(id="coverage-summary", role="status", className="voice-summary"),
            html.Div(id="coverage-table"),
            dcc.Graph(id="coverage-chart", config=GRAPH_CONFIG),
            html.P(
                "Service population: the last 12 months of Early Help requests, Family Hub "
                "registrations of under-fives, or care leavers due a pathway plan "
                "(illustrative local figures). Under-represented means the group's share of "
                "quotes is below four-fifths of its share of the people served.",
                className="voice-note",
            ),
            html.Section(
                [
                    html.H2("You said, we did"),
                    html.P(
                        "Actions recorded against what people told us, with the quotes they "
                        "answer. Only quotes you may see are shown.",
                        className="voice-note",
                    ),
                    html.Div(id="you-said-we-did"),
                ],
                className="ysw-section",
            ),
        ],
        className="voice-page",
    )


@callback(
    Output("coverage-table", "children"),
    Output("coverage-chart", "figure"),
    Output("coverage-summary", "children"),
    Input("coverage-service", "value"),
    Input("coverage-dimension", "value"),
)
@guarded("read")
def show_coverage(service, dimension):  # type: ignore[no-untyped-def]
    """Coverage table and chart for the user's own area."""
    user = current_record()
    with get_database().read() as session:
        coverage = coverage_for(session, user, user.organisation_code, service, dimension)
    label = COVERAGE_DIMENSIONS.get(dimension, dimension).lower()
    under = coverage.loc[coverage["under_represented"].astype(bool), "group"].astype(str).tolist()
    if coverage.empty:
        summary = "No quotes you can see for this service yet."
    elif under:
        summary = f"Under-represented by {label}: {', '.join(under)}."
    elif coverage["population_share"].notna().any():
        summary = f"No group is under-represented by {label}."
    else:
        summary = f"There is no service figure by {label} to compare with."
    return coverage_table(coverage, label), coverage_figure(coverage, label), summary


@callback(
    Output("you-said-we-did", "children"),
    Input("coverage-service", "value"),
)
@guarded("read")
def show_actions(_service):  # type: ignore[no-untyped-def]
    """Actions linked to quotes, for the user's area."""
    user = current_record()
    with get_database().write() as session:
        entries = you_said_we_did(session, user, user.organisation_code)
        titles = indicator_titles(session)
    return html.Div([you_said_we_did_list(entries, titles), you_said_we_did_section()])
