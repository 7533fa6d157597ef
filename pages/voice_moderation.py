"""Voice moderation for analysts: approve, mark false alarms, withdraw, import, codebook."""

from __future__ import annotations

import base64

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from analysis.personal_details import highlight_spans
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import checkboxes, select
from components.shell import refused_page
from components.tabs import register_tabs, tab_list
from components.voice import quote_card
from data_access.db import get_database
from data_access.voice import (
    IMPORT_OPTIONAL,
    IMPORT_REQUIRED,
    VoiceError,
    VoiceNotAllowed,
    approve_voice_item,
    delete_theme,
    hide_past_review_default,
    hide_past_review_overrides,
    import_voice_csv,
    indicator_titles,
    list_themes,
    mark_false_alarm,
    moderation_queue,
    save_theme,
    set_hide_past_review,
    tombstones,
    withdraw_voice_item,
)
from data_access.withdrawals import confirm_withdrawal, pending_withdrawals

PERMISSION = "voice.approve"  # the nav and this page's guard both follow it
dash.register_page(
    __name__,
    path="/voice/moderation",
    name="Voice moderation",
    title="Voice moderation - Chorus",
    order=22,
    nav_group="Voice",
    permission=PERMISSION,
)

ACTIONS = {
    "voice-mod-approve": (approve_voice_item, "approved"),
    "voice-mod-false-alarm": (mark_false_alarm, "marked a false alarm"),
    "voice-mod-withdraw": (withdraw_voice_item, "withdrawn; only a tombstone is kept"),
    "voice-mod-take-back": (confirm_withdrawal, "withdrawn as its speaker asked"),
}


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, PERMISSION):
        return refused_page("Voice moderation", PERMISSION, user.role if user else None)
    tabs = [
        ("pending", "Waiting for approval"),
        ("approved", "Approved (withdraw)"),
        ("take_back", "Asked to take back"),
        ("withdrawn", "Withdrawn"),
        ("import", "Import from CSV"),
        ("codebook", "Codebook"),
    ]
    if allowed(user, "settings.edit"):
        tabs.append(("settings", "Settings"))
    return html.Div(
        [
            html.H1("Voice moderation"),
            html.P(
                f"Quotes entered or imported for {user.organisation_name}. Only approved "
                "quotes appear beside indicators; withdrawing a quote hides it everywhere at "
                "once and keeps a tombstone (no text) for audit.",
                className="lead-text",
            ),
            dcc.Store(id="voice-mod-version", data=0),
            *tab_list(
                "voice-mod",
                "moderation",
                "voice-mod-tab",
                tabs,
                "pending",
                label="Moderation",
                controls={value: "voice-mod-body" for value, _label in tabs},
            ),
            html.P(id="voice-mod-message", role="status", className="voice-result"),
            html.Div(
                id="voice-mod-body",
                className="voice-mod-body",
                role="tabpanel",
                tabIndex=0,
                **{"aria-label": "Quotes and settings for the chosen tab"},
            ),
        ],
        className="voice-page",
    )


def _item_actions(item: dict, status: str) -> list:
    buttons = []
    if status == "pending":
        if not item["deidentified"]:
            buttons.append(
                html.Button(
                    "Mark false alarm",
                    id={"type": "voice-mod-false-alarm", "index": int(item["id"])},
                    className="btn btn-outline-primary",
                )
            )
        buttons.append(
            html.Button(
                "Approve",
                id={"type": "voice-mod-approve", "index": int(item["id"])},
                className="btn btn-primary",
                disabled=not item["deidentified"],
            )
        )
    buttons.append(
        html.Button(
            "Withdraw",
            id={"type": "voice-mod-withdraw", "index": int(item["id"])},
            className="btn btn-outline-danger",
        )
    )
    return buttons


def _queue_view(status: str) -> list:
    user = current_record()
    with get_database().write() as session:
        frame = moderation_queue(session, user, status)
        titles = indicator_titles(session)
    if frame.empty:
        return [html.P("Nothing here.", className="voice-empty")]
    cards = []
    for item in frame.to_dict("records"):
        segments = highlight_spans(item["text"], item["findings"]) if item["findings"] else None
        extra = []
        if item["findings_summary"]:
            state = "confirmed false alarm" if item["deidentified"] else "not yet cleared"
            extra.append(
                html.P(
                    f"Checker found: {item['findings_summary']} ({state}).",
                    className="voice-check-summary voice-check-bad",
                )
            )
        cards.append(
            html.Div(
                [
                    *extra,
                    quote_card(
                        item,
                        segments=segments,
                        indicator_titles=titles,
                        actions=_item_actions(item, status),
                    ),
                ]
            )
        )
    return [html.P(f"{len(frame)} quotes.", className="voice-summary"), *cards]


def _take_back_view() -> list:
    """Quotes whose speaker asked (with their reference) to take them back: hidden
    everywhere already; confirming withdraws them for good."""
    with get_database().read() as session:
        requests = pending_withdrawals(session, current_record())
    if not requests:
        return [html.P("Nobody has asked to take words back.", className="voice-empty")]
    cards = [
        html.Div(
            [
                html.Blockquote(request.text, className="voice-quote-text"),
                html.P(
                    f"Asked on {request.requested_at:%d %B %Y at %H:%M}. "
                    f"{request.speaker_role.replace('_', ' ').capitalize()}, "
                    f"{request.service.replace('_', ' ')}. Hidden everywhere until you confirm.",
                    className="voice-meta",
                ),
                html.Button(
                    "Confirm: withdraw this quote",
                    id={"type": "voice-mod-take-back", "index": request.voice_item_id},
                    className="btn btn-danger",
                ),
            ],
            className="voice-card",
            id=f"voice-take-back-{request.voice_item_id}",
        )
        for request in requests
    ]
    return [html.P(f"{len(requests)} requests.", className="voice-summary"), *cards]


def _tombstone_view() -> list:
    with get_database().read() as session:
        frame = tombstones(session, current_record())
    if frame.empty:
        return [html.P("No quotes have been withdrawn.", className="voice-empty")]
    rows = [
        html.Tr(
            [
                html.Td(str(r["id"])),
                html.Td(str(r["speaker_role"]).replace("_", " ")),
                html.Td(str(r["service"]).replace("_", " ")),
                html.Td(str(r["collected_on"] or "")),
                html.Td(str(r["withdrawn_at"])[:16]),
            ]
        )
        for r in frame.to_dict("records")
    ]
    header = html.Tr(
        [html.Th(h, scope="col") for h in ("Id", "Speaker", "Service", "Collected", "Withdrawn")]
    )
    return [
        html.Table(
            [
                html.Caption("Withdrawn quotes (tombstones: the text has been deleted)"),
                html.Thead(header),
                html.Tbody(rows),
            ],
            className="table",
        )
    ]


def _import_view() -> list:
    return [
        html.P(
            "Upload a CSV of survey free text or participation group notes. Required columns: "
            f"{', '.join(IMPORT_REQUIRED)}. Optional: {', '.join(IMPORT_OPTIONAL)} (themes and "
            "indicators separated by semicolons). Rows are checked like the form; rows with "
            "problems or personal details are listed with their line number and not loaded. "
            "Loaded quotes wait for approval here."
        ),
        dcc.Upload(
            id="voice-import-upload",
            children=html.Div(["Drop a CSV file here or ", html.U("choose a file")]),
            className="voice-upload",
            accept=".csv,text/csv",
        ),
        html.Div(id="voice-import-report", role="status"),
    ]


def _codebook_view() -> list:
    with get_database().read() as session:
        themes = list_themes(session)
    rows = [
        html.Tr(
            [
                html.Th(t["label"], scope="row"),
                html.Td(t["description"]),
                html.Td(t["examples"]),
                html.Td(str(t["items"])),
            ]
        )
        for t in themes.to_dict("records")
    ]
    options = [{"label": "A new theme", "value": ""}] + [
        {"label": t["label"], "value": t["id"]} for t in themes.to_dict("records")
    ]
    return [
        html.Div(
            [
                html.H2("Add or change a theme", className="h4"),
                html.Label("Theme", htmlFor="voice-theme-pick", className="voice-filter-label"),
                select(id="voice-theme-pick", options=options, value="", clearable=False),
                html.Label("Label", htmlFor="voice-theme-label", className="voice-filter-label"),
                dcc.Input(id="voice-theme-label", value="", className="form-control"),
                html.Label(
                    "Description", htmlFor="voice-theme-description", className="voice-filter-label"
                ),
                dcc.Textarea(id="voice-theme-description", value="", className="form-control"),
                html.Label(
                    "Examples", htmlFor="voice-theme-examples", className="voice-filter-label"
                ),
                dcc.Textarea(id="voice-theme-examples", value="", className="form-control"),
                html.Div(
                    [
                        html.Button(
                            "Save theme", id="voice-theme-save", className="btn btn-primary"
                        ),
                        html.Button(
                            "Delete theme",
                            id="voice-theme-delete",
                            className="btn btn-outline-danger",
                        ),
                    ],
                    className="voice-actions",
                ),
            ],
            className="voice-form",
        ),
        html.Table(
            [
                html.Caption("The codebook"),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h, scope="col")
                            for h in ("Theme", "Description", "Examples", "Quotes")
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            className="table voice-codebook",
        ),
    ]


def _settings_view() -> list:
    user = current_record()
    with get_database().read() as session:
        hide = hide_past_review_overrides(session).get(
            user.organisation_id, hide_past_review_default()
        )
    return [
        checkboxes(
            "voice-settings-hide",
            [
                {
                    "label": f"Hide {user.organisation_name}'s quotes once past their review date",
                    "value": "hide",
                }
            ],
            ["hide"] if hide else [],
            legend="Quotes past their review date",
        ),
        html.P(
            "When unticked, quotes past review stay visible with a 'past its review date' flag.",
            className="voice-note",
        ),
    ]


# Choosing a tab is done in the browser (assets/tabs.js): no request, reads no data.
register_tabs("voice-mod", None, [], plain_store="voice-mod-tab")


@callback(
    Output("voice-mod-body", "children"),
    Input("voice-mod-tab", "data"),
    Input("voice-mod-version", "data"),
)
@guarded("voice.approve")
def show_tab(tab, _version):  # type: ignore[no-untyped-def]
    """The chosen tab's content."""
    if tab in ("pending", "approved"):
        return _queue_view(tab)
    if tab == "take_back":
        return _take_back_view()
    if tab == "withdrawn":
        return _tombstone_view()
    if tab == "import":
        return _import_view()
    if tab == "codebook":
        return _codebook_view()
    if tab == "settings" and allowed(current_record(), "settings.edit"):
        return _settings_view()
    return html.P("Nothing here.")


@callback(
    Output("voice-mod-message", "children"),
    Output("voice-mod-version", "data"),
    Input({"type": "voice-mod-approve", "index": ALL}, "n_clicks"),
    Input({"type": "voice-mod-false-alarm", "index": ALL}, "n_clicks"),
    Input({"type": "voice-mod-withdraw", "index": ALL}, "n_clicks"),
    Input({"type": "voice-mod-take-back", "index": ALL}, "n_clicks"),
    State("voice-mod-version", "data"),
    prevent_initial_call=True,
)
@guarded("voice.approve")
def moderate(_approve, _false_alarm, _withdraw, _take_back, version):  # type: ignore[no-untyped-def]
    """Approve, mark a false alarm or withdraw the item whose button was pressed."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update  # buttons re-rendered, not pressed
    action, outcome = ACTIONS[trigger["type"]]
    try:
        with get_database().write() as session:
            action(session, current_record(), int(trigger["index"]))
    except (VoiceError, VoiceNotAllowed) as exc:
        return f"Not done: {exc}", no_update
    return f"Quote {trigger['index']} {outcome}.", (version or 0) + 1


@callback(
    Output("voice-import-report", "children"),
    Output("voice-mod-version", "data", allow_duplicate=True),
    Input("voice-import-upload", "contents"),
    State("voice-import-upload", "filename"),
    State("voice-mod-version", "data"),
    prevent_initial_call=True,
)
@guarded("data.import")
def import_csv(contents, filename, version):  # type: ignore[no-untyped-def]
    """Load an uploaded CSV and report rejected rows with their line numbers."""
    if not contents:
        return no_update, no_update
    try:
        payload = base64.b64decode(contents.split(",", 1)[1])
        with get_database().write() as session:
            report = import_voice_csv(session, current_record(), payload, filename or "voice.csv")
    except (ValueError, UnicodeDecodeError) as exc:
        return html.P(f"Could not read the file: {exc}", className="voice-result-bad"), no_update
    rejected = [html.Tr([html.Td(str(r["line"])), html.Td(r["reason"])]) for r in report.rejected]
    children: list = [
        html.P(
            f"{report.rows_loaded} of {report.rows_total} rows loaded as pending; "
            f"{len(report.rejected)} rejected.",
            className="voice-result-ok" if not report.rejected else "voice-result-bad",
        )
    ]
    if rejected:
        children.append(
            html.Table(
                [
                    html.Caption("Rejected rows"),
                    html.Thead(
                        html.Tr([html.Th("Line", scope="col"), html.Th("Why", scope="col")])
                    ),
                    html.Tbody(rejected),
                ],
                className="table voice-import-report",
            )
        )
    return children, no_update


@callback(
    Output("voice-theme-label", "value"),
    Output("voice-theme-description", "value"),
    Output("voice-theme-examples", "value"),
    Input("voice-theme-pick", "value"),
)
@guarded("codebook.edit")
def pick_theme(theme_id):  # type: ignore[no-untyped-def]
    """Fill the theme form with the chosen theme (or clear it for a new one)."""
    if not theme_id:
        return "", "", ""
    with get_database().read() as session:
        themes = list_themes(session).set_index("id")
    if theme_id not in themes.index:
        return "", "", ""
    row = themes.loc[theme_id]
    return row["label"], row["description"], row["examples"]


@callback(
    Output("voice-mod-message", "children", allow_duplicate=True),
    Output("voice-mod-version", "data", allow_duplicate=True),
    Input("voice-theme-save", "n_clicks"),
    Input("voice-theme-delete", "n_clicks"),
    State("voice-theme-pick", "value"),
    State("voice-theme-label", "value"),
    State("voice-theme-description", "value"),
    State("voice-theme-examples", "value"),
    State("voice-mod-version", "data"),
    prevent_initial_call=True,
)
@guarded("codebook.edit")
def change_theme(_save, _delete, theme_id, label, description, examples, version):  # type: ignore[no-untyped-def]
    """Save or delete a codebook theme."""
    try:
        with get_database().write() as session:
            if ctx.triggered_id == "voice-theme-delete":
                if not theme_id:
                    return "Choose a theme to delete.", no_update
                delete_theme(session, current_record(), theme_id)
                message = "Theme deleted."
            else:
                theme = save_theme(
                    session, current_record(), label, description, examples, theme_id or None
                )
                message = f"Theme '{theme.label}' saved."
    except (VoiceError, VoiceNotAllowed) as exc:
        return f"Not done: {exc}", no_update
    return message, (version or 0) + 1


@callback(
    Output("voice-mod-message", "children", allow_duplicate=True),
    Input("voice-settings-hide", "value"),
    prevent_initial_call=True,
)
@guarded("settings.edit")
def change_hide_setting(value):  # type: ignore[no-untyped-def]
    """Admin: hide the organisation's quotes past their review date, or flag them only."""
    hide = "hide" in (value or [])
    with get_database().write() as session:
        set_hide_past_review(session, current_record(), hide)
    return "Quotes past review are now hidden." if hide else "Quotes past review are now flagged."
