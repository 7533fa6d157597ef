"""Monthly pack: the Overview's key figures and chosen indicator panels, with their notes
and quotes, as one self-contained HTML file for a management meeting.

Built with the same export machinery as a Learning Network session record
(``components.ln_export``). Notes are those the reader may see (annotation visibility
rules). Quotes follow the Voice library's rule for anything downloaded: only quotes whose
consent allows publication leave the app in a file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from components.controls import checkboxes
from components.ethics_check import ethics_check_panel, notes_list
from components.ln_export import export_html
from components.pack import (
    chromium_path,
    latest_figures,
    render_pdf,
    since_last_month_section,
    svg_chart,
)
from data_access import indicators_query as iq
from data_access import packs
from data_access.annotations import AnnotationFilters, list_annotations
from data_access.db import get_database
from data_access.ethics_check import (
    EthicsCheckError,
    ethics_section,
    reader_notes,
    recent_check,
    record_ethics_check,
)
from data_access.voice import visible_voice_items
from pages._ln_support import ILLUSTRATIVE_FOOTER, export_filename, indicator_payload
from pages.overview import KEY_INDICATORS

dash.register_page(
    __name__,
    path="/monthly-pack",
    name="Monthly pack",
    title="Monthly pack - Chorus",
    order=31,
)

PACK_COMPARATORS = ["england", "region", "neighbours"]
QUOTES_PER_INDICATOR = 3


def _area(user) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with get_database().read() as session:
        code = user.organisation_code if user else iq.ENGLAND
        area = iq.area_record(session, code) or iq.area_record(session, iq.ENGLAND)
    return area["code"], area["name"]


def _chosen(indicator_ids) -> list[str]:  # type: ignore[no-untyped-def]
    return [i for i in (indicator_ids or []) if isinstance(i, str)][:15]


def _pack_request(n_clicks, indicator_ids):  # type: ignore[no-untyped-def]
    """What every pack button starts from: the signed-in user, their own area (never another
    authority's: the area is the user's) and the chosen indicators. No click, no update."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    own_code, area_name = _area(user)
    return user, own_code, area_name, _chosen(indicator_ids)


def _subject(area_code: str, indicator_ids: list[str]) -> str:
    """What one ethics check covers: this area and exactly these indicators."""
    return f"{area_code}:" + ",".join(sorted(indicator_ids))


def pack_notes(user, area_code: str, indicator_ids: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """What readers of the pack should know (see data_access.ethics_check)."""
    with get_database().read() as session:
        return reader_notes(session, user, [(i, area_code) for i in indicator_ids])


def pack_document(user, area_code: str, area_name: str, indicator_ids: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """The pack as an export document: one section per chosen indicator, with its chart,
    caption, table, the notes the user may see and up to three publishable quotes."""
    from data_access.learning_network import StepRecord

    sections = []
    with get_database().write() as session:  # voice reads may audit (ids only)
        for indicator_id in indicator_ids:
            step = StepRecord(
                id=0,
                session_id=0,
                position=len(sections) + 1,
                kind="indicator",
                title="",
                config={"indicator": indicator_id, "area": area_code, "compare": PACK_COMPARATORS},
            )
            payload = indicator_payload(session, step, None)
            if payload.get("missing"):
                continue
            notes = list_annotations(
                session,
                user,
                AnnotationFilters(indicator=indicator_id, area_code=area_code),
                limit=8,
            )
            quotes = visible_voice_items(
                session, user, indicator=indicator_id, purpose="export", limit=QUOTES_PER_INDICATOR
            )
            sections.append(
                {
                    "heading": payload["indicator_title"],
                    "kind": "indicator",
                    "indicator": indicator_id,
                    "svg": svg_chart(
                        payload["series"], payload["unit"], f"Chart: {payload['indicator_title']}"
                    ),
                    "caption": payload["caption"],
                    "table": payload["series"],
                    "unit": payload["unit"],
                    "quotes": [
                        {
                            "text": q["text"],
                            "attribution": q["attribution"],
                            "consent_scope": q["consent_scope"],
                        }
                        for q in quotes.to_dict("records")
                    ],
                    "contributions": [
                        {
                            "said_by": f"{n.author} ({n.organisation_name})",
                            "body": n.body,
                            "kind": n.kind,
                            "status": n.status,
                            "when": n.created_at.date().isoformat(),
                        }
                        for n in notes
                    ],
                    "contributions_heading": f"Notes on the chart ({len(notes)})",
                }
            )
        figures = latest_figures(sections, area_code)
        earlier = packs.previous_pack(session, user) if user is not None else None
        since = packs.pack_created_at(earlier) if earlier is not None else None
        activity = (
            packs.activity_since(session, user, area_code, indicator_ids, since)
            if since is not None and user is not None
            else {"notes": [], "resolved": [], "quotes": []}
        )
    since_section = since_last_month_section(
        since=since,
        previous_figures=packs.pack_figures(earlier) if earlier is not None else {},
        current_figures=figures,
        new_notes=activity["notes"],
        resolved=activity["resolved"],
        new_quotes=activity["quotes"],
    )
    month = datetime.now(UTC).strftime("%B %Y")
    return {
        "figures": figures,
        "title": f"Monthly pack: {area_name}, {month}",
        "lines": [
            f"{len(sections)} indicators, each compared with England, the region and "
            "statistical neighbours, with 95% intervals where the publisher gives counts.",
            "Notes are those visible to the person who made the pack. Quotes are only those "
            "whose consent allows publication.",
        ],
        "generated_at": datetime.now(UTC),
        "sections": [since_section, *sections],
        "footer": ILLUSTRATIVE_FOOTER,
    }


def _long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"


def preview_frame(content: str | None) -> html.Div | html.P:
    """The exported HTML itself, shown in a sandboxed frame (no script, no navigation)."""
    if not content:
        return html.P("Choose the indicators, then preview the pack.", className="meta")
    return html.Iframe(
        srcDoc=content,
        sandbox="",
        title="Preview of the pack, exactly as exported",
        className="pack-preview-frame",
        style={"width": "100%", "height": "900px", "border": "1px solid #b1b4b6"},
    )


def history_list(user) -> html.Div:  # type: ignore[no-untyped-def]
    """The organisation's kept packs, newest first, each openable as HTML and PDF."""
    with get_database().read() as session:
        kept = packs.list_packs(session, user)
    if not kept:
        return html.P("No pack has been made for your organisation yet.")
    rows = []
    for pack in kept:
        buttons = [
            html.Button(
                "HTML",
                id={"type": "pack-open", "pack": pack.id, "format": "html"},
                n_clicks=0,
                className="btn btn-link",
                **{"aria-label": f"Download the HTML of {pack.title}"},
            )
        ]
        if pack.has_pdf:
            buttons.append(
                html.Button(
                    "PDF",
                    id={"type": "pack-open", "pack": pack.id, "format": "pdf"},
                    n_clicks=0,
                    className="btn btn-link",
                    **{"aria-label": f"Download the PDF of {pack.title}"},
                )
            )
        rows.append(
            html.Tr(
                [
                    html.Td(_long_date(pack.created_at)),
                    html.Td(pack.title),
                    html.Td(f"{len(pack.indicators):,}", className="num"),
                    html.Td(buttons),
                ]
            )
        )
    return html.Table(
        className="chorus-table",
        children=[
            html.Caption("Packs made for your organisation"),
            html.Thead(
                html.Tr(
                    [
                        html.Th("Made", scope="col"),
                        html.Th("Title", scope="col"),
                        html.Th("Indicators", scope="col", className="num"),
                        html.Th("Download", scope="col"),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
    )


def layout(**_kwargs: Any) -> html.Div:
    user = current_record()
    area_code, area_name = _area(user)
    with get_database().read() as session:
        options = iq.indicator_options(session)
    default = [i for i, _ in KEY_INDICATORS][:6]
    pdf_note = (
        "Each pack is kept as HTML and PDF."
        if chromium_path()
        else "Chromium is not installed on this server, so packs are kept as HTML only."
    )
    return html.Div(
        className="pack-page",
        children=[
            html.H1(f"Monthly pack: {area_name}"),
            html.P(
                "Choose the indicator panels for this month's management meeting, preview "
                "the pack, then download it as HTML or PDF. " + pdf_note,
                className="lead-text",
            ),
            dcc.Store(id="pack-area", data=area_code),
            dcc.Store(id="pack-current"),
            checkboxes(
                "pack-indicators",
                options,
                default,
                legend="Indicators in the pack",
                className="chorus-scroll-group",
            ),
            html.P(),
            html.Button(
                "Preview the pack",
                id="pack-preview-button",
                n_clicks=0,
                className="btn btn-secondary",
            ),
            html.P(),
            ethics_check_panel("pack", pack_notes(user, area_code, default)),
            html.P(),
            html.Button(
                "Download the pack (HTML)",
                id="pack-button",
                n_clicks=0,
                className="btn btn-primary",
            ),
            " ",
            html.Button(
                "Download the pack (PDF)",
                id="pack-pdf-button",
                n_clicks=0,
                className="btn btn-primary",
            ),
            dcc.Download(id="pack-download"),
            dcc.Download(id="pack-pdf-download"),
            html.P(
                id="pack-message",
                className="sessions-message",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.H2("Preview"),
            html.Div(id="pack-preview", children=preview_frame(None)),
            html.H2("Earlier packs"),
            html.Div(id="pack-history", children=history_list(user)),
            dcc.Download(id="pack-history-download"),
            html.P(id="pack-history-message", role="status", **{"aria-live": "polite"}),
        ],
    )


def _make_pack(
    user, own_code: str, area_name: str, chosen: list[str], check
) -> tuple[int, str, bytes | None, dict]:  # type: ignore[no-untyped-def]
    """Build the pack, print its PDF, and keep both; returns (id, html, pdf, document)."""
    document = pack_document(user, own_code, area_name, chosen)
    document["ethics"] = ethics_section(check)
    content = export_html(document)
    pdf = render_pdf(content)
    with get_database().write() as session:
        pack_id = packs.save_pack(
            session,
            user,
            title=document["title"],
            indicators=chosen,
            figures=document["figures"],
            html=content,
            pdf=pdf,
        )
    return pack_id, content, pdf, document


def _needs_check() -> str:
    return (
        "Before the pack can leave, read what readers should know and confirm with "
        "your name (above)."
    )


@callback(
    Output("pack-preview", "children"),
    Output("pack-message", "children", allow_duplicate=True),
    Input("pack-preview-button", "n_clicks"),
    State("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def preview_pack(n_clicks, indicator_ids):  # type: ignore[no-untyped-def]
    """Show the file the download would give now (it stays on the page: no check needed)."""
    user, own_code, area_name, chosen = _pack_request(n_clicks, indicator_ids)
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
def download_pack(n_clicks, indicator_ids, area_code):  # type: ignore[no-untyped-def]
    """Make, keep and download the pack for the user's own area (after the ethics check)."""
    user, own_code, area_name, chosen = _pack_request(n_clicks, indicator_ids)
    skip = (dash.no_update, dash.no_update, dash.no_update)
    if not chosen:
        return dash.no_update, "Choose at least one indicator.", *skip
    with get_database().read() as session:
        check = recent_check(session, user, "monthly_pack", _subject(own_code, chosen))
    if check is None:
        return dash.no_update, _needs_check(), *skip
    pack_id, content, pdf, document = _make_pack(user, own_code, area_name, chosen, check)
    pdf_word = (
        "Its PDF is ready too."
        if pdf
        else "There is no PDF: Chromium is not installed on this server or could not print."
    )
    return (
        {
            "content": content,
            "filename": export_filename(document["title"], "html"),
            "type": "text/html",
            "base64": False,
        },
        f"The pack has {len(document['sections']) - 1} indicators and is kept below. {pdf_word}",
        preview_frame(content),
        history_list(user),
        {"id": pack_id, "subject": _subject(own_code, chosen)},
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
def download_pack_pdf(n_clicks, indicator_ids, current):  # type: ignore[no-untyped-def]
    """The PDF of the pack just made, or of a new one (after the ethics check)."""
    user, own_code, area_name, chosen = _pack_request(n_clicks, indicator_ids)
    skip = (dash.no_update, dash.no_update, dash.no_update)
    if not chosen:
        return dash.no_update, "Choose at least one indicator.", *skip
    subject = _subject(own_code, chosen)
    with get_database().read() as session:
        check = recent_check(session, user, "monthly_pack", subject)
    if check is None:
        return dash.no_update, _needs_check(), *skip
    if chromium_path() is None:
        return dash.no_update, "There is no PDF: Chromium is not installed on this server.", *skip
    pdf: bytes | None = None
    title = ""
    made = dash.no_update
    if isinstance(current, dict) and current.get("subject") == subject:
        try:
            with get_database().read() as session:
                kept = packs.open_pack(session, user, current.get("id"))
                pdf, title, content = kept.pdf, kept.title, kept.html
        except packs.PackNotFound:
            pdf = None
    if pdf is None:
        pack_id, content, pdf, document = _make_pack(user, own_code, area_name, chosen, check)
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
def open_kept_pack(_clicks):  # type: ignore[no-untyped-def]
    """Download an earlier pack of the user's organisation as it was made (checked here)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(_clicks or []):
        raise dash.exceptions.PreventUpdate
    user = current_record()
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
        {
            "content": content,
            "filename": export_filename(title, "html"),
            "type": "text/html",
            "base64": False,
        },
        f"Downloading {title} (HTML).",
    )


@callback(
    Output("pack-ethics-notes", "children"),
    Output("pack-ethics-status", "children"),
    Input("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def refresh_pack_notes(indicator_ids):  # type: ignore[no-untyped-def]
    """A changed choice of indicators needs a fresh review."""
    user = current_record()
    own_code, _ = _area(user)
    return notes_list(pack_notes(user, own_code, _chosen(indicator_ids))), ""


@callback(
    Output("pack-ethics-status", "children", allow_duplicate=True),
    Input("pack-ethics-confirm", "n_clicks"),
    State("pack-ethics-name", "value"),
    State("pack-indicators", "value"),
    prevent_initial_call=True,
)
@guarded("data.export")
def confirm_pack_check(n_clicks, name, indicator_ids):  # type: ignore[no-untyped-def]
    """Record the named review of exactly this pack (audited)."""
    user, own_code, _, chosen = _pack_request(n_clicks, indicator_ids)
    if not chosen:
        return "Choose at least one indicator."
    notes = pack_notes(user, own_code, chosen)
    try:
        with get_database().write() as session:
            check = record_ethics_check(
                session, user, "monthly_pack", _subject(own_code, chosen), name or "", notes
            )
            reviewer = check.reviewer_name
    except EthicsCheckError as exc:
        return str(exc)
    return f"Reviewed by {reviewer}. You can download the pack now."
