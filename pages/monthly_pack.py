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
from dash import Input, Output, State, callback, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from components.controls import checkboxes
from components.ethics_check import ethics_check_panel, notes_list
from components.ln_export import export_html
from data_access import indicators_query as iq
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
                    "figure": payload["figure"],
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
    month = datetime.now(UTC).strftime("%B %Y")
    return {
        "title": f"Monthly pack: {area_name}, {month}",
        "lines": [
            f"{len(sections)} indicators, each compared with England, the region and "
            "statistical neighbours, with 95% intervals where the publisher gives counts.",
            "Notes are those visible to the person who made the pack. Quotes are only those "
            "whose consent allows publication.",
        ],
        "generated_at": datetime.now(UTC),
        "sections": sections,
        "footer": ILLUSTRATIVE_FOOTER,
    }


def layout(**_kwargs: Any) -> html.Div:
    user = current_record()
    area_code, area_name = _area(user)
    with get_database().read() as session:
        options = iq.indicator_options(session)
    default = [i for i, _ in KEY_INDICATORS][:6]
    return html.Div(
        className="pack-page",
        children=[
            html.H1(f"Monthly pack: {area_name}"),
            html.P(
                "Choose the indicator panels for this month's management meeting. The pack is "
                "one HTML file: it opens offline, draws the charts, and prints to PDF.",
                className="lead-text",
            ),
            dcc.Store(id="pack-area", data=area_code),
            checkboxes(
                "pack-indicators",
                options,
                default,
                legend="Indicators in the pack",
                className="chorus-scroll-group",
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
            dcc.Download(id="pack-download"),
            html.P(id="pack-message", className="sessions-message", **{"aria-live": "polite"}),
        ],
    )


@callback(
    Output("pack-download", "data"),
    Output("pack-message", "children"),
    Input("pack-button", "n_clicks"),
    State("pack-indicators", "value"),
    State("pack-area", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_pack(n_clicks, indicator_ids, area_code):  # type: ignore[no-untyped-def]
    """Build and download the pack for the user's own area."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    own_code, area_name = _area(user)  # never another authority's pack: the area is the user's
    chosen = _chosen(indicator_ids)
    if not chosen:
        return dash.no_update, "Choose at least one indicator."
    with get_database().read() as session:
        check = recent_check(session, user, "monthly_pack", _subject(own_code, chosen))
    if check is None:
        return dash.no_update, (
            "Before the pack can leave, read what readers should know and confirm with "
            "your name (above)."
        )
    document = pack_document(user, own_code, area_name, chosen)
    document["ethics"] = ethics_section(check)
    content = export_html(document)
    return (
        {
            "content": content,
            "filename": export_filename(document["title"], "html"),
            "type": "text/html",
            "base64": False,
        },
        f"The pack has {len(document['sections'])} indicators.",
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
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    own_code, _ = _area(user)
    chosen = _chosen(indicator_ids)
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
