"""The Monthly pack page's pieces: the page body, the preview frame, the list of kept packs,
and one indicator's section of the pack document (see components.ln_export for the export).

Pure layout: the page (pages.monthly_pack) reads the database and passes plain values in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from dash import dcc, html

from components.aria import aria
from components.controls import checkboxes
from components.ethics_check import ethics_check_panel
from components.pack import svg_chart


class KeptPack(Protocol):
    """What the history list reads of a kept pack (data_access.packs.PackSummary)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def has_pdf(self) -> bool: ...
    @property
    def indicators(self) -> tuple[str, ...]: ...


def _long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"


def preview_frame(content: str | None) -> html.Iframe | html.P:
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


def _open_button(pack: KeptPack, file_format: str) -> html.Button:
    return html.Button(
        file_format.upper(),
        id={"type": "pack-open", "pack": pack.id, "format": file_format},
        n_clicks=0,
        className="btn btn-link",
        **aria(label=f"Download the {file_format.upper()} of {pack.title}"),
    )


def history_table(kept: Sequence[KeptPack]) -> html.Table | html.P:
    """The organisation's kept packs, newest first, each openable as HTML and PDF."""
    if not kept:
        return html.P("No pack has been made for your organisation yet.")
    rows = [
        html.Tr(
            [
                html.Td(_long_date(pack.created_at)),
                html.Td(pack.title),
                html.Td(f"{len(pack.indicators):,}", className="num"),
                html.Td(
                    [_open_button(pack, "html")]
                    + ([_open_button(pack, "pdf")] if pack.has_pdf else [])
                ),
            ]
        )
        for pack in kept
    ]
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


def indicator_section(
    indicator_id: str,
    payload: dict[str, Any],
    quotes: list[dict[str, Any]],
    notes: Sequence[Any],
) -> dict[str, Any]:
    """One indicator's section of the pack document: its chart, caption and table (from the
    Learning Network step payload), the notes the reader may see and publishable quotes.

    ``quotes`` are Voice library rows (columns ``text``, ``attribution``,
    ``consent_scope``); ``notes`` are annotation records (author, organisation_name, body,
    kind, status, created_at)."""
    title = payload["indicator_title"]
    return {
        "heading": title,
        "kind": "indicator",
        "indicator": indicator_id,
        "svg": svg_chart(payload["series"], payload["unit"], f"Chart: {title}"),
        "caption": payload["caption"],
        "table": payload["series"],
        "unit": payload["unit"],
        "quotes": [
            {
                "text": q["text"],
                "attribution": q["attribution"],
                "consent_scope": q["consent_scope"],
            }
            for q in quotes
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


def pack_lines(indicator_count: int) -> list[str]:
    """The sentences under the pack's title."""
    return [
        f"{indicator_count} indicators, each compared with England, the region and "
        "statistical neighbours, with 95% intervals where the publisher gives counts.",
        "Notes are those visible to the person who made the pack. Quotes are only those "
        "whose consent allows publication.",
    ]


def html_download(content: str, filename: str) -> dict[str, Any]:
    """A ``dcc.Download``'s data for an HTML file."""
    return {"content": content, "filename": filename, "type": "text/html", "base64": False}


def pack_page(
    *,
    area_code: str,
    area_name: str,
    options: list[Any],
    chosen: list[str],
    notes: list[str],
    history: html.Table | html.P,
    can_print_pdf: bool,
) -> html.Div:
    """The Monthly pack page: the choice of indicators, the ethics check, the buttons, the
    preview and the earlier packs."""
    pdf_note = (
        "Each pack is kept as HTML and PDF."
        if can_print_pdf
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
                chosen,
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
            ethics_check_panel("pack", notes),
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
                **aria(live="polite"),
            ),
            html.H2("Preview"),
            html.Div(id="pack-preview", children=preview_frame(None)),
            html.H2("Earlier packs"),
            html.Div(id="pack-history", children=history),
            dcc.Download(id="pack-history-download"),
            html.P(id="pack-history-message", role="status", **aria(live="polite")),
        ],
    )
