"""The Import page's pieces: its sections (choose, match, check, commit, recent imports),
plain tables and messages, and the check report and commit result.

Layout only: the page (pages/import_data.py) fetches what they show, and its callbacks
(pages/_import_files.py, pages/_import_jobs.py) fill them in.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd
from dash import dcc, html
from dash.dash_table.DataTable import DataTable

from components.aria import aria
from components.controls import radios, scroll_region, select

FORMATS = {
    "template": "Chorus template (CSV, Excel or Parquet)",
    "ees": "Explore Education Statistics (any publication)",
    "lait": "LAIT long format",
    "fingertips": "Fingertips export",
}
PREVIEW_ROWS = 10
SHOWN_PROBLEMS = 200
BUTTON = "btn btn-outline-primary"
STOPPED = (
    "Stopped: nothing was written; try again. The background worker running this step "
    "stopped before it finished."
)
# Where the page's script sends the chosen file (pages/_import_upload.py).
UPLOAD_URL = "/import/upload"


class Report(Protocol):
    """A checked import (``pipeline.PreparedImport``): what :func:`render_report` shows."""

    filename: str
    notes: list[str]
    preview: list[dict]
    problems: Any  # a ``validation.ProblemLog``: counts, grouped(), to_frame(), csv_report()

    def summary(self) -> dict: ...


def _data(attributes: dict[str, str]) -> dict[str, Any]:
    """``data-*`` attributes as extra keyword arguments (typed for the type checker)."""
    return attributes


def message(text: str, kind: str = "info") -> html.Div:
    """A message: ``alert`` for an error, a polite ``status`` otherwise."""
    role = "alert" if kind == "error" else "status"
    return html.Div(text, className=f"import-message import-{kind}", role=role)


def refused(filename: str, reason: str) -> html.Div:
    """The message for an upload that is not kept."""
    return message(f"{filename}: {reason}", "error")


def html_table(frame: pd.DataFrame, caption: str, max_rows: int = 200) -> html.Table:
    """A plain, accessible table (caption, column headers with scope) of the first rows."""
    shown = frame.head(max_rows).astype(object).where(frame.head(max_rows).notna(), "")
    return html.Table(
        className="table table-sm import-table",
        children=[
            html.Caption(caption),
            html.Thead(
                html.Tr([html.Th(str(c).replace("_", " "), scope="col") for c in shown.columns])
            ),
            html.Tbody(
                [html.Tr([html.Td(str(v)) for v in row]) for row in shown.itertuples(index=False)]
            ),
        ],
    )


def table(frame: pd.DataFrame, caption: str, page_size: int = 10) -> html.Div:
    return scroll_region(html_table(frame, caption), caption)


def page_body(
    indicators: list[str],
    batches: pd.DataFrame,
    modes: list[dict],
    default_mode: str,
    breakdown_choices: list[str],
    max_mb: int,
) -> html.Div:
    """The whole page: ``batches`` (columns of ``recent_batches``) for the recent imports,
    ``modes`` the commit choices, ``breakdown_choices`` the breakdowns a filter value may be
    matched to (the "skip" choice first), ``max_mb`` the upload limit."""
    return html.Div(
        className="import-page",
        children=[
            dcc.Store(id="imp-job", storage_type="session"),
            dcc.Store(id="imp-indicators", data=indicators),
            dcc.Interval(id="imp-poll", interval=1500, disabled=True),
            # On while a check or commit runs: notices a worker that died (watch_job).
            dcc.Interval(id="imp-watch", interval=2000, disabled=True),
            html.H1("Import data"),
            html.P(
                "Load a national publication or your own monthly figures. Chorus checks every "
                "row first and tells you what is wrong, line by line; nothing is written until "
                "you commit.",
                className="lead-text",
            ),
            templates_section(),
            html.Div(id="imp-restored"),
            upload_section(max_mb),
            mapping_section(indicators, breakdown_choices),
            check_section(),
            commit_section(modes, default_mode),
            html.Section(
                className="import-step",
                children=[
                    html.H2("Recent imports"),
                    html.Div(batches_table(batches), id="imp-batches"),
                    html.Div(
                        className="import-row",
                        children=[
                            html.Label("Batch to roll back", htmlFor="imp-rollback-id"),
                            dcc.Input(
                                id="imp-rollback-id",
                                type="text",
                                inputMode="numeric",
                                pattern="[0-9]*",
                                autoComplete="on",
                            ),
                            html.Button(
                                "Roll back batch",
                                id="imp-rollback",
                                className="btn btn-outline-danger",
                            ),
                        ],
                    ),
                    html.Div(id="imp-rollback-message"),
                ],
            ),
        ],
    )


def templates_section() -> html.Section:
    return html.Section(
        className="import-step",
        children=[
            html.H2("Templates for your own figures"),
            html.P(
                "One row per indicator, area, period and breakdown: indicator, area_code, "
                "period, breakdown, breakdown_value, numerator, denominator, value, status."
            ),
            html.Div(
                className="import-row",
                children=[
                    html.Button("Blank template (CSV)", id="imp-tpl-csv", className=BUTTON),
                    html.Button("Blank template (Excel)", id="imp-tpl-xlsx", className=BUTTON),
                    html.Button("Filled example (CSV)", id="imp-tpl-example", className=BUTTON),
                ],
            ),
            dcc.Download(id="imp-template-download"),
        ],
    )


def upload_section(max_mb: int) -> html.Section:
    """Step 1: the kind of file, and a real file input. assets/import.js sends the chosen
    file to UPLOAD_URL (streamed to disk, not through a callback), says how it goes in the
    live region and hands the answer's token to the ``imp-upload`` store."""
    return html.Section(
        className="import-step",
        children=[
            html.H2("1. Choose the file"),
            html.Fieldset(
                [
                    html.Legend("What kind of file is it?"),
                    radios(
                        "imp-format",
                        [{"label": label, "value": key} for key, label in FORMATS.items()],
                        "template",
                        legend="",
                        bare=True,
                    ),
                ]
            ),
            html.Label("Choose a file to import", htmlFor="imp-file", className="import-label"),
            html.P(
                "CSV or Parquet for every kind of file; Excel (.xlsx) for the Chorus template. "
                f"Up to {max_mb:,} MB.",
                className="import-hint",
                id="imp-file-hint",
            ),
            # A plain input (dcc.Input has no type=file); the script reads its data-* values.
            html.Div(
                className="import-upload",
                id="imp-upload-box",
                **_data(
                    {
                        "data-upload-url": UPLOAD_URL,
                        "data-max-bytes": str(max_mb * 1024 * 1024),
                        "data-max-mb": str(max_mb),
                    }
                ),
                children=html.Div(id="imp-file-slot"),
            ),
            html.Div(
                id="imp-upload-status",
                className="import-upload-status",
                role="status",
                **aria(live="polite"),
            ),
            dcc.Store(id="imp-upload"),
            html.Div(id="imp-file-info"),
            html.Div(id="imp-preview"),
        ],
    )


def mapping_section(indicators: list[str], breakdown_choices: list[str]) -> html.Section:
    column_dropdown: Any = {"options": []}
    return html.Section(
        className="import-step",
        children=[
            html.H2("2. Match the file to Chorus"),
            html.P(
                "For a publication Chorus has not seen before, say which columns hold which "
                "indicator and which filter values are which breakdown. Save the mapping to reuse "
                "it when the next edition comes out. The template needs no mapping."
            ),
            html.Label("Saved mappings", htmlFor="imp-saved-mapping"),
            select(id="imp-saved-mapping", options=[], placeholder="Choose a saved mapping"),
            html.Div(
                id="imp-ees-builder",
                style={"display": "none"},
                children=[
                    html.H3("Indicator columns"),
                    DataTable(
                        id="imp-indicator-table",
                        columns=[
                            {
                                "name": "Chorus indicator",
                                "id": "indicator",
                                "presentation": "dropdown",
                            },
                            {"name": "Value column", "id": "value", "presentation": "dropdown"},
                            {
                                "name": "Numerator column",
                                "id": "numerator",
                                "presentation": "dropdown",
                            },
                            {
                                "name": "Denominator column",
                                "id": "denominator",
                                "presentation": "dropdown",
                            },
                        ],
                        data=[],
                        editable=True,
                        row_deletable=True,
                        dropdown={
                            "indicator": {
                                "options": [{"label": i, "value": i} for i in indicators]
                            },
                            "value": column_dropdown,
                            "numerator": column_dropdown,
                            "denominator": column_dropdown,
                        },
                        style_cell={"textAlign": "left", "fontFamily": "inherit"},
                    ),
                    html.Button(
                        "Add an indicator", id="imp-add-indicator", className="btn btn-link"
                    ),
                    html.H3("Breakdowns"),
                    html.P(id="imp-breakdown-columns"),
                    DataTable(
                        id="imp-breakdown-table",
                        columns=[
                            {"name": "Values in the file", "id": "combination", "editable": False},
                            {
                                "name": "Chorus breakdown",
                                "id": "breakdown",
                                "presentation": "dropdown",
                            },
                            {"name": "Breakdown value", "id": "value"},
                        ],
                        data=[],
                        editable=True,
                        dropdown={
                            "breakdown": {
                                "options": [{"label": b, "value": b} for b in breakdown_choices]
                            }
                        },
                        page_size=20,
                        style_cell={
                            "textAlign": "left",
                            "fontFamily": "inherit",
                            "whiteSpace": "normal",
                        },
                    ),
                    html.Button("Use these choices", id="imp-build-mapping", className=BUTTON),
                ],
            ),
            html.Label("Mapping (JSON, editable)", htmlFor="imp-mapping-json"),
            dcc.Textarea(id="imp-mapping-json", value="", className="import-json", rows=10),
            html.Div(
                className="import-row",
                children=[
                    html.Label("Save the mapping as", htmlFor="imp-mapping-name"),
                    dcc.Input(id="imp-mapping-name", type="text", maxLength=200, autoComplete="on"),
                    html.Button("Save mapping", id="imp-save-mapping", className=BUTTON),
                ],
            ),
            html.Div(id="imp-mapping-message"),
        ],
    )


def check_section() -> html.Section:
    return html.Section(
        className="import-step",
        children=[
            html.H2("3. Check the file"),
            html.Button("Check the file", id="imp-validate", className="btn btn-primary"),
            html.Div(
                className="import-progress",
                children=[
                    html.Label("Progress", htmlFor="imp-progress"),
                    html.Progress(id="imp-progress", value="0", max="100"),
                    html.Span(id="imp-progress-text", role="status", **aria(live="polite")),
                ],
            ),
            html.Div(id="imp-report"),
            html.Button("Download the report (CSV)", id="imp-download-report", className=BUTTON),
            dcc.Download(id="imp-report-download"),
        ],
    )


def commit_section(modes: list[dict], default_mode: str) -> html.Section:
    return html.Section(
        className="import-step",
        children=[
            html.H2("4. Commit"),
            html.Fieldset(
                [
                    html.Legend("If some rows have errors"),
                    radios(
                        "imp-mode",
                        modes,
                        default_mode,
                        legend="",
                        bare=True,
                    ),
                ]
            ),
            html.Button("Commit", id="imp-commit", className="btn btn-primary"),
            html.Div(id="imp-result"),
        ],
    )


def batches_table(batches: pd.DataFrame) -> Any:
    if batches.empty:
        return html.P("No imports yet.")
    shown = batches.copy()
    shown["created_at"] = shown["created_at"].astype(str).str[:16]
    return table(shown, "Latest import batches")


def render_report(prepared: Report) -> html.Div:
    """Summary, problems grouped by type and the first problems with their lines."""
    summary = prepared.summary()
    errors = int(summary["errors"])
    headline = (
        f"{prepared.filename}: {summary['rows_read']:,} rows read; "
        f"{summary['rows_valid']:,} figures ready, {summary['rows_rejected']:,} with errors, "
        f"{summary['rows_skipped']:,} rows skipped by the mapping."
    )
    children: list[Any] = [
        message(headline, "error" if errors else "success"),
        *[message(note) for note in prepared.notes],
    ]
    if prepared.problems.counts:
        children += [
            html.H3("Problems by type"),
            table(prepared.problems.grouped(), "Problems grouped by type"),
            html.H3(f"Problems line by line (first {SHOWN_PROBLEMS})"),
            table(
                prepared.problems.to_frame().drop(columns=["code"]).head(SHOWN_PROBLEMS),
                "Each problem with its line and column",
            ),
        ]
    if prepared.preview:
        children += [
            html.H3("First rows as Chorus read them"),
            table(
                pd.DataFrame(prepared.preview).drop(columns=["lower_ci", "upper_ci"]), "imp-parsed"
            ),
        ]
    return html.Div(children, className="import-report")


def render_result(result: dict) -> html.Div:
    kind = "error" if result["status"] == "rejected" else "success"
    children: list[Any] = [
        message(f"Batch {result['batch_id']} {result['status']}. {result['message']}", kind)
    ]
    if result.get("changes"):
        children += [
            html.H3("Revised figures"),
            table(pd.DataFrame(result["changes"]), "Figures revised by this import"),
        ]
    if result.get("conflicts"):
        conflicts = pd.DataFrame(result["conflicts"])
        children += [
            html.H3("Figures another source gives differently"),
            table(
                conflicts[["message", "outcome"]].rename(
                    columns={"message": "Conflict", "outcome": "Stored figure"}
                ),
                "Conflicts between sources, with both values",
            ),
        ]
    return html.Div(children, className="import-result")


def stopped_notice(name: str) -> html.Div:
    """The step's worker stopped before it finished."""
    return html.Div(
        [html.H2(f"Your import: {name}"), message(STOPPED, "error")], className="import-step"
    )
