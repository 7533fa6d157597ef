"""Voice library: search and filter quotes, theme counts over time, provenance and consent.

The indicator panel's "What people say" slot is filled with its notes, in one round trip,
by ``pages.annotation_callbacks.fill_panel_slots``.
"""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.current import current_record
from auth.permissions import guarded
from components.charts import GRAPH_CONFIG
from components.controls import checkbox_menu, date_input
from components.voice import (
    METHOD_TEXT,
    SCOPE_TEXT,
    quote_card,
    theme_counts_figure,
)
from data_access.db import get_database
from data_access.voice import (
    AGE_BANDS,
    CONSENT_SCOPES,
    METHODS,
    ROLE_LABELS,
    SERVICE_LABELS,
    SERVICES,
    SPEAKER_ROLES,
    indicator_titles,
    theme_counts_by_year,
    visible_voice_items,
    voice_export_csv,
    voice_filter_options,
)

dash.register_page(
    __name__,
    path="/voice",
    name="Voice library",
    title="Voice library - Chorus",
    order=20,
    nav_group="Voice",
)

PAGE_SIZE = 20
FILTERS = (
    ("search", "Search the text"),
    ("service", "Service"),
    ("role", "Speaker"),
    ("age", "Age band"),
    ("method", "Method"),
    ("theme", "Theme"),
    ("area", "Area"),
    ("indicator", "Linked indicator"),
    ("scope", "Consent scope"),
)


def _options(values: tuple[str, ...], labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": labels.get(v, v).capitalize(), "value": v} for v in values]


def _query_list(value: object) -> list[str]:
    if not value:
        return []
    return [v for v in str(value).split(",") if v]


def _dropdown(key: str, label: str, options: list, value: list[str]) -> html.Div:
    control_id = f"voice-{key}"
    return html.Div(
        [checkbox_menu(control_id, options, value, legend=label)],
        className="voice-filter",
    )


def layout(**kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Voice library"))
    with get_database().read() as session:
        choices = voice_filter_options(session)
    filters = [
        html.Div(
            [
                html.Label(
                    "Search the text", htmlFor="voice-search", className="voice-filter-label"
                ),
                dcc.Input(
                    id="voice-search",
                    type="text",
                    autoComplete="on",
                    value=str(kwargs.get("q") or ""),
                    debounce=True,
                    placeholder="for example: waiting",
                    className="form-control",
                ),
            ],
            className="voice-filter voice-filter-wide",
        ),
        _dropdown(
            "service",
            "Service",
            _options(SERVICES, SERVICE_LABELS),
            _query_list(kwargs.get("service")),
        ),
        _dropdown(
            "role", "Speaker", _options(SPEAKER_ROLES, ROLE_LABELS), _query_list(kwargs.get("role"))
        ),
        _dropdown(
            "age",
            "Age band",
            [{"label": a, "value": a} for a in AGE_BANDS],
            _query_list(kwargs.get("age_band")),
        ),
        _dropdown(
            "method", "Method", _options(METHODS, METHOD_TEXT), _query_list(kwargs.get("method"))
        ),
        _dropdown("theme", "Theme", choices["themes"], _query_list(kwargs.get("theme"))),
        _dropdown("area", "Area", choices["areas"], _query_list(kwargs.get("area"))),
        _dropdown(
            "indicator",
            "Linked indicator",
            choices["indicators"],
            _query_list(kwargs.get("indicator"))[:1],
        ),
        _dropdown(
            "scope",
            "Consent scope",
            _options(CONSENT_SCOPES, SCOPE_TEXT),
            _query_list(kwargs.get("consent_scope")),
        ),
        html.Div(
            [
                html.Label(
                    "Collected from", htmlFor="voice-date-from", className="voice-filter-label"
                ),
                date_input("voice-date-from"),
                html.Label("to", htmlFor="voice-date-to", className="voice-filter-label"),
                date_input("voice-date-to"),
            ],
            className="voice-filter voice-filter-wide",
        ),
    ]
    return html.Div(
        [
            html.H1("Voice library"),
            html.P(
                "What children, young people, parents and carers and practitioners have said, "
                "linked to the indicators they speak to. You see each quote only where its "
                "consent allows. Demo quotes are illustrative and describe no real person.",
                className="lead-text",
            ),
            html.Section(filters, className="voice-filters", **{"aria-label": "Filter the quotes"}),
            html.P(id="voice-summary", role="status", className="voice-summary"),
            html.Section(
                [
                    html.H2("Themes over time", className="h4"),
                    dcc.Graph(
                        id="voice-theme-chart",
                        config=GRAPH_CONFIG,
                        className="voice-chart",
                    ),
                    html.P(
                        "Quotes per theme by the year they were collected (the six most "
                        "frequent themes among the quotes shown).",
                        className="voice-note",
                    ),
                ],
                className="voice-chart-section",
            ),
            html.Div(
                [
                    html.Button(
                        "Download quotes that may be published (CSV)",
                        id="voice-download-button",
                        className="btn btn-outline-primary",
                    ),
                    dcc.Download(id="voice-download"),
                    dcc.Link("Add a quote", href="/voice/add", className="btn btn-link"),
                    dcc.Link("Voice coverage", href="/voice/coverage", className="btn btn-link"),
                ],
                className="voice-toolbar",
            ),
            html.Section(id="voice-results", className="voice-results", **{"aria-label": "Quotes"}),
            html.Button("Show more quotes", id="voice-more", className="btn btn-secondary"),
        ],
        className="voice-page",
    )


def _filter_arguments(
    search, service, role, age, method, theme, area, indicator, scope, start, end
):  # type: ignore[no-untyped-def]
    return {
        "search": search or None,
        "services": service or None,
        "speaker_roles": role or None,
        "age_bands": age or None,
        "methods": method or None,
        "themes": theme or None,
        "area_codes": area or None,
        "indicator": (indicator or [None])[0],
        "consent_scopes": scope or None,
        "date_from": start or None,
        "date_to": end or None,
    }


FILTER_INPUTS = [
    Input("voice-search", "value"),
    Input("voice-service", "value"),
    Input("voice-role", "value"),
    Input("voice-age", "value"),
    Input("voice-method", "value"),
    Input("voice-theme", "value"),
    Input("voice-area", "value"),
    Input("voice-indicator", "value"),
    Input("voice-scope", "value"),
    Input("voice-date-from", "value"),
    Input("voice-date-to", "value"),
]


@callback(
    Output("voice-results", "children"),
    Output("voice-summary", "children"),
    Output("voice-theme-chart", "figure"),
    Output("voice-more", "hidden"),
    *FILTER_INPUTS,
    Input("voice-more", "n_clicks"),
)
@guarded("read")
def show_library(*values):  # type: ignore[no-untyped-def]
    """Quotes matching the filters (newest first), a summary and the theme chart."""
    *filters, more_clicks = values
    limit = PAGE_SIZE * (1 + (more_clicks or 0))
    user = current_record()
    with get_database().write() as session:
        everything = visible_voice_items(
            session, user, purpose="library-counts", audit=False, **_filter_arguments(*filters)
        )
        shown = visible_voice_items(
            session, user, purpose="library", limit=limit, **_filter_arguments(*filters)
        )
        titles = indicator_titles(session)
    total = len(everything)
    cards = [quote_card(item, indicator_titles=titles) for item in shown.to_dict("records")]
    if not cards:
        cards = [html.P("No quotes you can see match these filters.", className="voice-empty")]
    summary = (
        f"{total} quote{'s' if total != 1 else ''} match; showing the newest {len(shown)}."
        if total
        else "No quotes match."
    )
    figure = theme_counts_figure(theme_counts_by_year(everything))
    return cards, summary, figure, len(shown) >= total


@callback(
    Output("voice-download", "data"),
    Input("voice-download-button", "n_clicks"),
    *[State(i.component_id, i.component_property) for i in FILTER_INPUTS],
    prevent_initial_call=True,
)
@guarded("data.export")
def download_quotes(n_clicks, *filters):  # type: ignore[no-untyped-def]
    """The filtered quotes whose consent allows publication, as CSV."""
    if not n_clicks:
        return no_update
    with get_database().write() as session:
        frame = visible_voice_items(
            session, current_record(), purpose="export", **_filter_arguments(*filters)
        )
    stamp = date.today().isoformat()
    return dcc.send_string(voice_export_csv(frame), filename=f"chorus-voice-{stamp}.csv")
