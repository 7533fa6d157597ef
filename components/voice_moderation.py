"""The Voice moderation page's pieces: the page and its tabs (the queue, requests to take
words back, tombstones, CSV import, the codebook, settings) and the import report.

Pure layout: pages.voice_moderation reads the database and passes the values in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import dcc, html

from analysis.personal_details import highlight_spans
from components.aria import aria
from components.controls import checkboxes, select
from components.tabs import tab_list
from components.voice import quote_card


def moderation_page(organisation_name: str, with_settings: bool) -> html.Div:
    """The moderation page: its tabs (Settings for those who may change them) and the body
    the chosen tab fills."""
    tabs = [
        ("pending", "Waiting for approval"),
        ("approved", "Approved (withdraw)"),
        ("take_back", "Asked to take back"),
        ("withdrawn", "Withdrawn"),
        ("import", "Import from CSV"),
        ("codebook", "Codebook"),
    ]
    if with_settings:
        tabs.append(("settings", "Settings"))
    return html.Div(
        [
            html.H1("Voice moderation"),
            html.P(
                f"Quotes entered or imported for {organisation_name}. Only approved "
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
                **aria(label="Quotes and settings for the chosen tab"),
            ),
        ],
        className="voice-page",
    )


def item_actions(item: dict[str, Any], status: str) -> list[Any]:
    """The buttons under a quote in the queue (approve only once it is de-identified)."""
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


def queue_view(frame: pd.DataFrame, titles: dict[str, str], status: str) -> list[Any]:
    """The moderation queue of one status as quote cards, each with its checker findings.

    ``frame`` has the queue's columns (id, text, findings, findings_summary, deidentified,
    and the quote card's own)."""
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
                        actions=item_actions(item, status),
                    ),
                ]
            )
        )
    return [html.P(f"{len(frame)} quotes.", className="voice-summary"), *cards]


def take_back_view(requests: Sequence[Any]) -> list[Any]:
    """Quotes whose speaker asked (with their reference) to take them back: hidden
    everywhere already; confirming withdraws them for good. ``requests`` are pending
    withdrawals (text, requested_at, speaker_role, service, voice_item_id)."""
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


def tombstone_view(frame: pd.DataFrame) -> list[Any]:
    """Withdrawn quotes, no text (columns id, speaker_role, service, collected_on,
    withdrawn_at)."""
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


def import_view(required: Sequence[str], optional: Sequence[str]) -> list[Any]:
    """The CSV import tab: what the file needs, and the upload."""
    return [
        html.P(
            "Upload a CSV of survey free text or participation group notes. Required columns: "
            f"{', '.join(required)}. Optional: {', '.join(optional)} (themes and "
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


def codebook_view(themes: pd.DataFrame) -> list[Any]:
    """The theme form and the codebook (columns id, label, description, examples, items)."""
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


def settings_view(organisation_name: str, hide: bool) -> list[Any]:
    """The admin's setting: hide quotes past their review date, or flag them."""
    return [
        checkboxes(
            "voice-settings-hide",
            [
                {
                    "label": f"Hide {organisation_name}'s quotes once past their review date",
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


def import_report(report: Any) -> list[Any]:
    """What an import did: rows loaded, and each rejected row with its line and reason."""
    rejected = [html.Tr([html.Td(str(r["line"])), html.Td(r["reason"])]) for r in report.rejected]
    children: list[Any] = [
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
    return children
