"""Monthly pack: the Overview's key figures and chosen indicator panels, with their notes
and quotes, as one self-contained HTML file for a management meeting.

Built with the same export machinery as a Learning Network session record
(``components.ln_export``). Notes are those the reader may see (annotation visibility
rules). Quotes follow the Voice library's rule for anything downloaded: only quotes whose
consent allows publication leave the app in a file.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.current import signed_in_record
from auth.permissions import guarded
from components.ethics_check import notes_list
from components.ln_export import export_html
from components.pack import chromium_path
from components.pack_page import (
    html_download,
    pack_page,
    preview_frame,
)
from data_access import indicators_query as iq
from data_access import packs
from data_access.db import get_database
from data_access.ethics_check import (
    EthicsCheckError,
    recent_check,
    record_ethics_check,
)
from pages._ln_support import export_filename
from pages._monthly_pack_support import (
    chosen_indicators,
    history_list,
    make_pack,
    needs_check,
    pack_area,
    pack_document,
    pack_notes,
    pack_request,
    pack_subject,
)
from pages.overview import KEY_INDICATORS

dash.register_page(
    __name__,
    path="/monthly-pack",
    name="Monthly pack",
    title="Monthly pack - Chorus",
    order=31,
)


def layout(**_kwargs: Any) -> html.Div:
    user = signed_in_record()
    area_code, area_name = pack_area(user)
    with get_database().read() as session:
        options = iq.indicator_options(session)
    default = [i for i, _ in KEY_INDICATORS][:6]
    return pack_page(
        area_code=area_code,
        area_name=area_name,
        options=options,
        chosen=default,
        notes=pack_notes(user, area_code, default),
        history=history_list(user),
        can_print_pdf=bool(chromium_path()),
    )


@callback(
    Output("pack-preview", "children"),
    Output("pack-message", "children", allow_duplicate=True),
    Input("pack-preview-button", "n_clicks"),
    State("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def preview_pack(n_clicks: int | None, indicator_ids: list[Any] | None) -> tuple[Any, str]:
    """Show the file the download would give now (it stays on the page: no check needed)."""
    user, own_code, area_name, chosen = pack_request(n_clicks, indicator_ids)
    if not chosen:
        return dash.no_update, "Choose at least one indicator."
    document = pack_document(user, own_code, area_name, chosen)
    return preview_frame(export_html(document)), "This is the pack as it would download now."


@callback(
    Output("pack-download", "data"),
    Output("pack-message", "children"),
    Output("pack-preview", "children", allow_duplicate=True),
    Output("pack-history", "children"),
    Output("pack-current", "data"),
    Input("pack-button", "n_clicks"),
    State("pack-indicators", "value"),
    State("pack-area", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_pack(
    n_clicks: int | None, indicator_ids: list[Any] | None, area_code: str | None
) -> tuple[Any, ...]:
    """Make, keep and download the pack for the user's own area (after the ethics check)."""
    user, own_code, area_name, chosen = pack_request(n_clicks, indicator_ids)
    skip = (dash.no_update, dash.no_update, dash.no_update)
    if not chosen:
        return dash.no_update, "Choose at least one indicator.", *skip
    with get_database().read() as session:
        check = recent_check(session, user, "monthly_pack", pack_subject(own_code, chosen))
    if check is None:
        return dash.no_update, needs_check(), *skip
    pack_id, content, pdf, document = make_pack(user, own_code, area_name, chosen, check)
    pdf_word = (
        "Its PDF is ready too."
        if pdf
        else "There is no PDF: Chromium is not installed on this server or could not print."
    )
    return (
        html_download(content, export_filename(document["title"], "html")),
        f"The pack has {len(document['sections']) - 1} indicators and is kept below. {pdf_word}",
        preview_frame(content),
        history_list(user),
        {"id": pack_id, "subject": pack_subject(own_code, chosen)},
    )


@callback(
    Output("pack-pdf-download", "data"),
    Output("pack-message", "children", allow_duplicate=True),
    Output("pack-preview", "children", allow_duplicate=True),
    Output("pack-history", "children", allow_duplicate=True),
    Output("pack-current", "data", allow_duplicate=True),
    Input("pack-pdf-button", "n_clicks"),
    State("pack-indicators", "value"),
    State("pack-current", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_pack_pdf(
    n_clicks: int | None, indicator_ids: list[Any] | None, current: dict[str, Any] | None
) -> tuple[Any, ...]:
    """The PDF of the pack just made, or of a new one (after the ethics check)."""
    user, own_code, area_name, chosen = pack_request(n_clicks, indicator_ids)
    skip = (dash.no_update, dash.no_update, dash.no_update)
    if not chosen:
        return dash.no_update, "Choose at least one indicator.", *skip
    subject = pack_subject(own_code, chosen)
    with get_database().read() as session:
        check = recent_check(session, user, "monthly_pack", subject)
    if check is None:
        return dash.no_update, needs_check(), *skip
    if chromium_path() is None:
        return dash.no_update, "There is no PDF: Chromium is not installed on this server.", *skip
    pdf: bytes | None = None
    title = ""
    made: Any = dash.no_update
    if isinstance(current, dict) and current.get("subject") == subject:
        try:
            with get_database().read() as session:
                kept = packs.open_pack(session, user, current.get("id"))
                pdf, title, content = kept.pdf, kept.title, kept.html
        except packs.PackNotFound:
            pdf = None
    if pdf is None:
        pack_id, content, pdf, document = make_pack(user, own_code, area_name, chosen, check)
        title = document["title"]
        made = {"id": pack_id, "subject": subject}
    if pdf is None:
        return dash.no_update, "Chromium could not print the pack; the HTML is kept below.", *skip
    return (
        dcc.send_bytes(pdf, export_filename(title, "pdf")),
        "The PDF of the pack is downloading.",
        preview_frame(content),
        history_list(user),
        made,
    )


@callback(
    Output("pack-history-download", "data"),
    Output("pack-history-message", "children"),
    Input({"type": "pack-open", "pack": ALL, "format": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@guarded("data.export")
def open_kept_pack(_clicks: list[int | None] | None) -> tuple[Any, str]:
    """Download an earlier pack of the user's organisation as it was made (checked here)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(_clicks or []):
        raise dash.exceptions.PreventUpdate
    user = signed_in_record()
    try:
        with get_database().read() as session:
            kept = packs.open_pack(session, user, trigger.get("pack"))
            title, content, pdf = kept.title, kept.html, kept.pdf
    except packs.PackNotFound as exc:
        return dash.no_update, str(exc)
    if trigger.get("format") == "pdf":
        if pdf is None:
            return dash.no_update, "That pack has no PDF."
        return dcc.send_bytes(pdf, export_filename(title, "pdf")), f"Downloading {title} (PDF)."
    return (
        html_download(content, export_filename(title, "html")),
        f"Downloading {title} (HTML).",
    )


@callback(
    Output("pack-ethics-notes", "children"),
    Output("pack-ethics-status", "children"),
    Input("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def refresh_pack_notes(indicator_ids: list[Any] | None) -> tuple[Any, str]:
    """A changed choice of indicators needs a fresh review."""
    user = signed_in_record()
    own_code, _ = pack_area(user)
    return notes_list(pack_notes(user, own_code, chosen_indicators(indicator_ids))), ""


@callback(
    Output("pack-ethics-status", "children", allow_duplicate=True),
    Input("pack-ethics-confirm", "n_clicks"),
    State("pack-ethics-name", "value"),
    State("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def confirm_pack_check(
    n_clicks: int | None, name: str | None, indicator_ids: list[Any] | None
) -> str:
    """Record the named review of exactly this pack (audited)."""
    user, own_code, _, chosen = pack_request(n_clicks, indicator_ids)
    if not chosen:
        return "Choose at least one indicator."
    notes = pack_notes(user, own_code, chosen)
    try:
        with get_database().write() as session:
            check = record_ethics_check(
                session, user, "monthly_pack", pack_subject(own_code, chosen), name or "", notes
            )
            reviewer = check.reviewer_name
    except EthicsCheckError as exc:
        return str(exc)
    return f"Reviewed by {reviewer}. You can download the pack now."
