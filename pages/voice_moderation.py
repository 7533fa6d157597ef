"""Voice moderation for analysts: approve, mark false alarms, withdraw, import, codebook."""

from __future__ import annotations

import base64
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from auth.current import current_record, signed_in_record
from auth.permissions import allowed, guarded
from components.shell import refused_page
from components.tabs import register_tabs
from components.voice_moderation import (
    codebook_view,
    import_report,
    import_view,
    moderation_page,
    queue_view,
    settings_view,
    take_back_view,
    tombstone_view,
)
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
    return moderation_page(user.organisation_name, allowed(user, "settings.edit"))


def _queue_view(status: str) -> list[Any]:
    with get_database().write() as session:
        frame = moderation_queue(session, signed_in_record(), status)
        titles = indicator_titles(session)
    return queue_view(frame, titles, status)


def _take_back_view() -> list[Any]:
    with get_database().read() as session:
        return take_back_view(pending_withdrawals(session, signed_in_record()))


def _tombstone_view() -> list[Any]:
    with get_database().read() as session:
        return tombstone_view(tombstones(session, signed_in_record()))


def _codebook_view() -> list[Any]:
    with get_database().read() as session:
        return codebook_view(list_themes(session))


def _settings_view() -> list[Any]:
    user = signed_in_record()
    with get_database().read() as session:
        hide = hide_past_review_overrides(session).get(
            user.organisation_id, hide_past_review_default()
        )
    return settings_view(user.organisation_name, hide)


# Choosing a tab is done in the browser (assets/tabs.js): no request, reads no data.
register_tabs("voice-mod", None, [], plain_store="voice-mod-tab")


@callback(
    Output("voice-mod-body", "children"),
    Input("voice-mod-tab", "data"),
    Input("voice-mod-version", "data"),
)
@guarded("voice.approve")
def show_tab(tab: str | None, _version: int | None) -> Any:
    """The chosen tab's content."""
    if tab in ("pending", "approved"):
        return _queue_view(tab)
    if tab == "take_back":
        return _take_back_view()
    if tab == "withdrawn":
        return _tombstone_view()
    if tab == "import":
        return import_view(IMPORT_REQUIRED, IMPORT_OPTIONAL)
    if tab == "codebook":
        return _codebook_view()
    if tab == "settings" and allowed(signed_in_record(), "settings.edit"):
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
def moderate(
    _approve: list[int | None],
    _false_alarm: list[int | None],
    _withdraw: list[int | None],
    _take_back: list[int | None],
    version: int | None,
) -> tuple[Any, Any]:
    """Approve, mark a false alarm or withdraw the item whose button was pressed."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update  # buttons re-rendered, not pressed
    action, outcome = ACTIONS[trigger["type"]]
    try:
        with get_database().write() as session:
            action(session, signed_in_record(), int(trigger["index"]))
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
def import_csv(contents: str | None, filename: str | None, version: int | None) -> tuple[Any, Any]:
    """Load an uploaded CSV and report rejected rows with their line numbers."""
    if not contents:
        return no_update, no_update
    try:
        payload = base64.b64decode(contents.split(",", 1)[1])
        with get_database().write() as session:
            report = import_voice_csv(session, signed_in_record(), payload, filename or "voice.csv")
    except (ValueError, UnicodeDecodeError) as exc:
        return html.P(f"Could not read the file: {exc}", className="voice-result-bad"), no_update
    return import_report(report), no_update


@callback(
    Output("voice-theme-label", "value"),
    Output("voice-theme-description", "value"),
    Output("voice-theme-examples", "value"),
    Input("voice-theme-pick", "value"),
)
@guarded("codebook.edit")
def pick_theme(theme_id: str | None) -> tuple[str, str, str]:
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
def change_theme(
    _save: int | None,
    _delete: int | None,
    theme_id: str | None,
    label: str | None,
    description: str | None,
    examples: str | None,
    version: int | None,
) -> tuple[Any, Any]:
    """Save or delete a codebook theme."""
    try:
        with get_database().write() as session:
            if ctx.triggered_id == "voice-theme-delete":
                if not theme_id:
                    return "Choose a theme to delete.", no_update
                delete_theme(session, signed_in_record(), theme_id)
                message = "Theme deleted."
            else:
                theme = save_theme(
                    session,
                    signed_in_record(),
                    label or "",
                    description or "",
                    examples or "",
                    theme_id or None,
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
def change_hide_setting(value: list[str] | None) -> str:
    """Admin: hide the organisation's quotes past their review date, or flag them only."""
    hide = "hide" in (value or [])
    with get_database().write() as session:
        set_hide_past_review(session, signed_in_record(), hide)
    return "Quotes past review are now hidden." if hide else "Quotes past review are now flagged."
