"""Import data: upload a file, map it, check it, then commit the valid rows (analysts only).

Checking and committing run as Dash background callbacks (a subprocess with the disk
cache on one machine, Celery when REDIS_URL is set) with a progress bar. Each upload is a
job kept in the database (``data_access.importing.jobs``): its files and status reach
every web server and worker, whatever machine took the upload. The page remembers the job
in session storage, so an analyst can leave the page and come back to the same import, and
it notices when the worker running a step has died and says so.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dash_table, dcc, html, no_update

import settings
from auth.background import in_caller_request
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import radios, scroll_region, select
from components.shell import refused_page
from data_access.db import get_database
from data_access.importing import ees_generic, jobs, lait, template
from data_access.importing.canonical import BREAKDOWNS
from data_access.importing.commit import (
    ALL_OR_NOTHING,
    VALID_ONLY,
    RollbackRefused,
    recent_batches,
    rollback_batch,
)
from data_access.importing.limits import write_base64_limited
from data_access.importing.mappings import json_problem, list_mappings, load_mapping, save_mapping
from data_access.importing.pipeline import PreparedImport
from data_access.importing.safety import FileRejected, inspect_file, read_chunks
from data_access.importing.service import commit_file, validate_file
from data_access.observations import indicator_catalogue
from data_access.users import write_audit

PERMISSION = "data.import"  # the nav and this page's guard both follow it
dash.register_page(
    __name__,
    path="/import",
    name="Import data",
    title="Import data - Chorus",
    order=80,
    nav_group="Data",
    permission=PERMISSION,
)

FORMATS = {
    "template": "Chorus template (CSV, Excel or Parquet)",
    "ees": "Explore Education Statistics (any publication)",
    "lait": "LAIT long format",
    "fingertips": "Fingertips export",
}
PREVIEW_ROWS = 10
SHOWN_PROBLEMS = 200
MAX_BREAKDOWN_COMBINATIONS = 200
SKIP = "(skip these rows)"
BUTTON = "btn btn-outline-primary"


# --- small helpers -------------------------------------------------------------------------


def _refused(filename: str, reason: str) -> html.Div:
    """The message for an upload that is not kept."""
    return _message(f"{filename}: {reason}", "error")


def _jobs_base() -> Path:
    """This machine's copies of import jobs' files (a cache; the database holds them)."""
    base = Path(settings.current().cache_dir) / "imports"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base


def _folder(job: dict | None) -> Path | None:
    """The job's local work folder (copied from the database) if it is the user's."""
    user = current_record()
    if not job or user is None:
        return None
    return jobs.job_folder(get_database(), _jobs_base(), job.get("token"), user.id)


def _has_prepared(job: dict) -> bool:
    return jobs.has_file(get_database(), job["token"], "prepared/summary.json")


def _stopped(status: dict) -> bool:
    return jobs.is_stale(status, settings.current().job_stale_seconds)


BUSY = "This file is already being checked or committed. Wait for that to finish."
STOPPED = (
    "Stopped: nothing was written; try again. The background worker running this step "
    "stopped before it finished."
)


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


def _table(frame: pd.DataFrame, caption: str, page_size: int = 10) -> html.Div:
    return scroll_region(html_table(frame, caption), caption)


def _message(text: str, kind: str = "info") -> html.Div:
    role = "alert" if kind == "error" else "status"
    return html.Div(text, className=f"import-message import-{kind}", role=role)


# --- layout ---------------------------------------------------------------------------------


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, PERMISSION):
        return refused_page("Import data", PERMISSION, user.role if user else None)
    with get_database().read() as session:
        indicators = indicator_catalogue(session)["id"].tolist()
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
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
            _templates_section(),
            html.Div(id="imp-restored"),
            _upload_section(),
            _mapping_section(indicators),
            _check_section(),
            _commit_section(),
            html.Section(
                className="import-step",
                children=[
                    html.H2("Recent imports"),
                    html.Div(_batches_table(batches), id="imp-batches"),
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


def _templates_section() -> html.Section:
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


def _upload_section() -> html.Section:
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
            html.P(
                "CSV or Parquet for every kind of file; Excel (.xlsx) for the Chorus template.",
                className="import-hint",
            ),
            dcc.Upload(
                id="imp-upload",
                className="import-upload",
                children=html.Div(
                    ["Drag a file here, or ", html.Span("choose a file", className="import-link")]
                ),
                multiple=False,
                max_size=settings.current().import_max_mb * 1024 * 1024,
            ),
            html.Div(id="imp-file-info"),
            html.Div(id="imp-preview"),
        ],
    )


def _mapping_section(indicators: list[str]) -> html.Section:
    column_dropdown = {"options": []}
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
                    dash_table.DataTable(
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
                    dash_table.DataTable(
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
                                "options": [
                                    {"label": b, "value": b} for b in [SKIP, *sorted(BREAKDOWNS)]
                                ]
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


def _check_section() -> html.Section:
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
                    html.Span(id="imp-progress-text", role="status", **{"aria-live": "polite"}),
                ],
            ),
            html.Div(id="imp-report"),
            html.Button("Download the report (CSV)", id="imp-download-report", className=BUTTON),
            dcc.Download(id="imp-report-download"),
        ],
    )


def _commit_section() -> html.Section:
    return html.Section(
        className="import-step",
        children=[
            html.H2("4. Commit"),
            html.Fieldset(
                [
                    html.Legend("If some rows have errors"),
                    radios(
                        "imp-mode",
                        [
                            {"label": "Commit only the valid rows", "value": VALID_ONLY},
                            {"label": "Commit nothing", "value": ALL_OR_NOTHING},
                        ],
                        VALID_ONLY,
                        legend="",
                        bare=True,
                    ),
                ]
            ),
            html.Button("Commit", id="imp-commit", className="btn btn-primary"),
            html.Div(id="imp-result"),
        ],
    )


def _batches_table(batches: pd.DataFrame) -> Any:
    if batches.empty:
        return html.P("No imports yet.")
    shown = batches.copy()
    shown["created_at"] = shown["created_at"].astype(str).str[:16]
    return _table(shown, "Latest import batches")


# --- rendering reports ------------------------------------------------------------------------


def render_report(prepared: PreparedImport) -> html.Div:
    """Summary, problems grouped by type and the first problems with their lines."""
    summary = prepared.summary()
    errors = int(summary["errors"])
    headline = (
        f"{prepared.filename}: {summary['rows_read']:,} rows read; "
        f"{summary['rows_valid']:,} figures ready, {summary['rows_rejected']:,} with errors, "
        f"{summary['rows_skipped']:,} rows skipped by the mapping."
    )
    children: list[Any] = [
        _message(headline, "error" if errors else "success"),
        *[_message(note) for note in prepared.notes],
    ]
    if prepared.problems.counts:
        children += [
            html.H3("Problems by type"),
            _table(prepared.problems.grouped(), "Problems grouped by type"),
            html.H3(f"Problems line by line (first {SHOWN_PROBLEMS})"),
            _table(
                prepared.problems.to_frame().drop(columns=["code"]).head(SHOWN_PROBLEMS),
                "Each problem with its line and column",
            ),
        ]
    if prepared.preview:
        children += [
            html.H3("First rows as Chorus read them"),
            _table(
                pd.DataFrame(prepared.preview).drop(columns=["lower_ci", "upper_ci"]), "imp-parsed"
            ),
        ]
    return html.Div(children, className="import-report")


def render_result(result: dict) -> html.Div:
    kind = "error" if result["status"] == "rejected" else "success"
    children: list[Any] = [
        _message(f"Batch {result['batch_id']} {result['status']}. {result['message']}", kind)
    ]
    if result.get("changes"):
        children += [
            html.H3("Revised figures"),
            _table(pd.DataFrame(result["changes"]), "Figures revised by this import"),
        ]
    if result.get("conflicts"):
        conflicts = pd.DataFrame(result["conflicts"])
        children += [
            html.H3("Figures another source gives differently"),
            _table(
                conflicts[["message", "outcome"]].rename(
                    columns={"message": "Conflict", "outcome": "Stored figure"}
                ),
                "Conflicts between sources, with both values",
            ),
        ]
    return html.Div(children, className="import-result")


# --- callbacks ----------------------------------------------------------------------------


@callback(
    Output("imp-template-download", "data"),
    Input("imp-tpl-csv", "n_clicks"),
    Input("imp-tpl-xlsx", "n_clicks"),
    Input("imp-tpl-example", "n_clicks"),
    prevent_initial_call=True,
)
@guarded("data.import")
def download_template(_csv: int | None, _xlsx: int | None, _example: int | None) -> dict:
    if ctx.triggered_id == "imp-tpl-xlsx":
        return dcc.send_bytes(template.template_xlsx(), "chorus_template.xlsx")
    example = ctx.triggered_id == "imp-tpl-example"
    name = "chorus_template_example.csv" if example else "chorus_template.csv"
    return dcc.send_string(template.template_csv(example=example), name)


def default_mapping(fmt: str, sample: pd.DataFrame) -> dict | None:
    """A first mapping for a newly uploaded file (EES: suggested from its columns)."""
    if fmt == "ees":
        return ees_generic.suggest_mapping(sample)
    if fmt == "lait":
        return lait.default_mapping()
    if fmt == "fingertips" and "Indicator ID" in sample.columns:
        ids = sorted(sample["Indicator ID"].dropna().astype(str).unique())
        return {"format": "fingertips", "indicators": {i: "" for i in ids}}
    return None


def _breakdown_rows(sample: pd.DataFrame, suggestion: dict) -> list[dict]:
    columns = suggestion.get("breakdown_columns") or []
    if not columns:
        return []
    combos = (
        sample[columns].fillna("").astype(str).drop_duplicates().head(MAX_BREAKDOWN_COMBINATIONS)
    )
    values = suggestion.get("breakdown_values", {})
    rows = []
    for combo in combos.itertuples(index=False):
        key = ees_generic.SEPARATOR.join(combo)
        cell = values.get(key)
        rows.append(
            {
                "combination": key,
                "breakdown": cell[0] if cell else SKIP,
                "value": cell[1] if cell else "",
            }
        )
    return rows


@callback(
    Output("imp-job", "data"),
    Output("imp-file-info", "children"),
    Output("imp-preview", "children"),
    Output("imp-mapping-json", "value"),
    Output("imp-saved-mapping", "options"),
    Output("imp-ees-builder", "style"),
    Output("imp-indicator-table", "data"),
    Output("imp-indicator-table", "dropdown"),
    Output("imp-breakdown-table", "data"),
    Output("imp-breakdown-columns", "children"),
    Output("imp-restored", "children", allow_duplicate=True),
    Input("imp-upload", "contents"),
    State("imp-upload", "filename"),
    State("imp-format", "value"),
    State("imp-indicators", "data"),
    prevent_initial_call=True,
)
@guarded("data.import")
def receive_upload(contents: str | None, filename: str | None, fmt: str, indicators: list[str]):  # type: ignore[no-untyped-def]
    """Save the upload to a new work folder, run the safety checks and preview it."""
    user = current_record()
    nothing = (no_update,) * 9 + ("",)
    if not contents or user is None:
        return (no_update, *nothing)
    filename = Path(filename or "upload.csv").name[:200]
    suffix = next((s for s in (".xlsx", ".parquet") if filename.lower().endswith(s)), ".csv")
    _, _, encoded = contents.partition(",")
    database = get_database()
    max_bytes = settings.current().import_max_mb * 1024 * 1024
    # Decoded to a private staging folder with the limit enforced while writing; only a
    # file within the limit is stored as a job (in the database, for every machine).
    staging = Path(tempfile.mkdtemp(dir=_jobs_base()))
    staged = staging / f"upload{suffix}"
    try:
        write_base64_limited(encoded, staged, max_bytes)
        content = staged.read_bytes()
    except FileRejected as exc:
        return (
            {"filename": filename, "format": fmt},
            _refused(filename, exc.message),
            *nothing[1:],
        )
    except ValueError:
        text = "is not a complete upload. Try uploading it again."
        return ({"filename": filename, "format": fmt}, _refused(filename, text), *nothing[1:])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    token = jobs.new_job(database, user.id, filename, f"upload{suffix}", content)
    del content
    folder = jobs.job_folder(database, _jobs_base(), token, user.id)
    assert folder is not None
    path = jobs.upload_path(folder)
    job = {"token": token, "filename": filename, "format": fmt}
    try:
        facts = inspect_file(path, max_bytes=max_bytes, allow_xlsx=fmt == "template")
        sample = next(read_chunks(facts, 5_000)).frame
    except FileRejected as exc:
        jobs.discard_job(database, token, _jobs_base())  # a refused file is not kept
        return (job, _refused(filename, exc.message), *nothing[1:])
    except (ValueError, StopIteration):
        jobs.discard_job(database, token, _jobs_base())
        # Never the exception's text: it can name a server path or a library's internals.
        text = f"{filename} could not be read as a table. Check it opens in a spreadsheet."
        return (job, _message(text, "error"), *nothing[1:])
    info = _message(
        f"{filename}: {facts.size / 1024:,.0f} KB, {len(facts.columns)} columns, about "
        f"{max(facts.line_count - 1, 0):,} rows. " + " ".join(facts.notes)
    )
    preview = html.Div(
        [
            html.H3("First rows of the file"),
            _table(sample.head(PREVIEW_ROWS), "First rows of the file"),
        ]
    )
    mapping = default_mapping(fmt, sample)
    with get_database().read() as session:
        saved = list_mappings(session, user.organisation_id, fmt)
    options = [
        {
            "label": name + (" (built in)" if built_in else ""),
            "value": name if built_in else str(mid),
        }
        for mid, name, built_in in zip(saved["id"], saved["name"], saved["built_in"], strict=True)
    ]
    columns = [{"label": c, "value": c} for c in facts.columns]
    dropdown = {
        "indicator": {"options": [{"label": i, "value": i} for i in indicators]},
        "value": {"options": columns},
        "numerator": {"options": columns},
        "denominator": {"options": columns},
    }
    is_ees = fmt == "ees"
    indicator_rows = (mapping or {}).get("indicators", []) if is_ees else []
    breakdown_rows = _breakdown_rows(sample, mapping or {}) if is_ees else []
    breakdown_text = (
        "Breakdown columns: " + ", ".join(mapping["breakdown_columns"])
        if is_ees and mapping and mapping.get("breakdown_columns")
        else "No breakdown column found: every row is the whole population (total)."
    )
    return (
        job,
        info,
        preview,
        json.dumps(mapping, indent=2) if mapping else "",
        options,
        {"display": "block"} if is_ees else {"display": "none"},
        indicator_rows,
        dropdown,
        breakdown_rows,
        breakdown_text,
        "",
    )


@callback(
    Output("imp-mapping-json", "value", allow_duplicate=True),
    Input("imp-saved-mapping", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def choose_saved_mapping(choice: str | None) -> str:
    user = current_record()
    if not choice or user is None:
        return no_update
    with get_database().read() as session:
        mapping = load_mapping(session, choice, user.organisation_id)
    return json.dumps(mapping, indent=2) if mapping else no_update


@callback(
    Output("imp-indicator-table", "data", allow_duplicate=True),
    Input("imp-add-indicator", "n_clicks"),
    State("imp-indicator-table", "data"),
    prevent_initial_call=True,
)
@guarded(None, reason="adds an empty row to the form; reads and writes nothing")
def add_indicator_row(_clicks: int | None, rows: list[dict] | None) -> list[dict]:
    return [*(rows or []), {"indicator": "", "value": None, "numerator": None, "denominator": None}]


def mapping_from_tables(
    current: dict, indicator_rows: list[dict], breakdown_rows: list[dict]
) -> dict:
    """The EES mapping the tables describe (filters and other keys kept from ``current``)."""
    indicators = []
    for row in indicator_rows or []:
        spec = {
            k: row.get(k) for k in ("indicator", "value", "numerator", "denominator") if row.get(k)
        }
        if spec.get("indicator"):
            indicators.append(spec)
    values = {
        row["combination"]: [row["breakdown"], (row.get("value") or "").strip() or "total"]
        for row in breakdown_rows or []
        if row.get("breakdown") and row["breakdown"] != SKIP
    }
    mapping = {k: v for k, v in current.items() if k not in ("measure_columns", "filter_columns")}
    mapping.update({"format": "ees", "indicators": indicators, "breakdown_values": values})
    mapping.setdefault("filters", {})
    return mapping


@callback(
    Output("imp-mapping-json", "value", allow_duplicate=True),
    Input("imp-build-mapping", "n_clicks"),
    State("imp-mapping-json", "value"),
    State("imp-indicator-table", "data"),
    State("imp-breakdown-table", "data"),
    prevent_initial_call=True,
)
@guarded(None, reason="turns the form's tables into mapping text; reads and writes nothing")
def build_mapping(
    _clicks: int | None, text: str, indicator_rows: list, breakdown_rows: list
) -> str:
    try:
        current = json.loads(text) if text else {}
    except json.JSONDecodeError:
        current = {}
    return json.dumps(mapping_from_tables(current, indicator_rows, breakdown_rows), indent=2)


@callback(
    Output("imp-mapping-message", "children"),
    Input("imp-save-mapping", "n_clicks"),
    State("imp-mapping-name", "value"),
    State("imp-mapping-json", "value"),
    State("imp-format", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def save_mapping_clicked(_clicks: int | None, name: str | None, text: str, fmt: str) -> html.Div:
    user = current_record()
    try:
        mapping = json.loads(text or "")
    except json.JSONDecodeError as exc:
        return _message(json_problem(exc), "error")
    if not (name or "").strip():
        return _message("Give the mapping a name first.", "error")
    with get_database().write() as session:
        mapping_id = save_mapping(
            session,
            name,
            fmt,
            mapping,
            organisation_id=user.organisation_id,
            created_by=user.username,
        )
        write_audit(
            session, "mapping.save", user=user, object_type="import_mapping", object_id=mapping_id
        )
    return _message(f"Saved the mapping '{name.strip()}'.", "success")


def _mapping_from_text(text: str | None) -> dict | None:
    if not text or not text.strip():
        return None
    return json.loads(text)


def _progress_writer(token: str, stage: str, set_progress, stored: bool = True):  # type: ignore[no-untyped-def]
    """Progress to the page and (when ``stored``) to the job's status for other pages.

    A commit on SQLite holds the only write lock, so its progress is not stored.
    """
    here = jobs.runner()

    def report(fraction: float, text: str) -> None:
        if stored:
            status = {"stage": stage, "fraction": fraction, "text": text, **here}
            jobs.write_status(get_database(), token, status)
        set_progress((str(round(fraction * 100)), text))

    return report


def _watch_running(*outputs: tuple) -> list[tuple]:
    """Running outputs: the buttons off, and the dead-worker watch on, while a job runs."""
    return [
        (Output("imp-validate", "disabled"), True, False),
        (Output("imp-commit", "disabled"), True, False),
        (Output("imp-watch", "disabled"), False, True),
        *outputs,
    ]


def _record_job(name: str, started: float, outcome: str) -> None:
    import metrics

    metrics.observe("chorus_job_seconds", time.monotonic() - started, job=name, outcome=outcome)


@callback(
    Output("imp-report", "children"),
    Input("imp-validate", "n_clicks"),
    State("imp-job", "data"),
    State("imp-mapping-json", "value"),
    State("imp-format", "value"),
    background=True,
    progress=[Output("imp-progress", "value"), Output("imp-progress-text", "children")],
    running=_watch_running(),
    prevent_initial_call=True,
)
@in_caller_request
@guarded("data.import")
def check_file(set_progress, _clicks: int | None, job: dict | None, text: str, fmt: str):  # type: ignore[no-untyped-def]
    """Background job: validate the uploaded file into its work folder."""
    folder = _folder(job)
    if folder is None:
        return _message("Upload a file first.", "error")
    try:
        mapping = _mapping_from_text(text)
    except json.JSONDecodeError as exc:
        return _message(json_problem(exc), "error")
    if fmt == "ees" and not (mapping or {}).get("indicators"):
        return _message("Choose at least one indicator column in step 2 first.", "error")
    database, token = get_database(), job["token"]
    if jobs.claim(database, token, "validating", "Checking", settings.current().job_stale_seconds):
        return _message(BUSY, "error")
    workdir = folder / "prepared"
    shutil.rmtree(workdir, ignore_errors=True)
    started = time.monotonic()
    try:
        with jobs.heartbeat(database, token):
            prepared = validate_file(
                database,
                jobs.upload_path(folder),
                fmt,
                mapping,
                workdir,
                filename=job.get("filename"),
                mapping_name=None,
                max_bytes=settings.current().import_max_mb * 1024 * 1024,
                progress=_progress_writer(token, "validating", set_progress),
            )
            jobs.save_files(database, token, folder, "prepared")
    except BaseException:
        jobs.write_status(database, token, {"stage": "failed", "text": "Checking failed"})
        _record_job("check", started, "failed")
        raise
    jobs.write_status(database, token, {"stage": "validated", "fraction": 1.0, "text": "Checked"})
    _record_job("check", started, "done")
    return render_report(prepared)


@callback(
    Output("imp-result", "children"),
    Output("imp-batches", "children"),
    Input("imp-commit", "n_clicks"),
    State("imp-job", "data"),
    State("imp-mode", "value"),
    background=True,
    progress=[Output("imp-progress", "value"), Output("imp-progress-text", "children")],
    running=_watch_running(),
    prevent_initial_call=True,
)
@in_caller_request
@guarded("data.import")
def commit_import(set_progress, _clicks: int | None, job: dict | None, mode: str):  # type: ignore[no-untyped-def]
    """Background job: commit the checked file (valid rows only, or nothing)."""
    user = current_record()
    folder = _folder(job)
    if folder is None or not (folder / "prepared" / "summary.json").exists():
        return _message("Check the file before committing it.", "error"), no_update
    database, token = get_database(), job["token"]
    status = jobs.read_status(database, token)
    if status.get("stage") == "committed":
        return render_result(status["result"]), no_update
    # One commit per job at a time, whichever machine or click started it.
    stale_after = settings.current().job_stale_seconds
    if jobs.claim(database, token, "committing", "Committing", stale_after):
        return _message(BUSY, "error"), no_update
    prepared = PreparedImport.load(folder / "prepared")
    started = time.monotonic()
    try:
        with jobs.heartbeat(database, token):
            result = commit_file(
                database,
                prepared,
                mode if mode in (VALID_ONLY, ALL_OR_NOTHING) else VALID_ONLY,
                user=user,
                progress=_progress_writer(
                    token, "committing", set_progress, stored=not database.is_sqlite
                ),
            )
    except BaseException:
        text = "Committing failed: nothing was written"
        jobs.write_status(database, token, {"stage": "failed", "text": text})
        _record_job("commit", started, "failed")
        raise
    jobs.write_status(
        database,
        token,
        {"stage": "committed", "fraction": 1.0, "text": "Committed", "result": result.as_dict()},
    )
    _record_job("commit", started, "done")
    if result.rows_inserted + result.rows_changed:
        # New figures: the default panels are rendered by a job of their own, so this
        # import reports now and nobody waits for the charts later.
        _start_cache_warm_up()
    with database.read() as session:
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
    return render_result(result.as_dict()), _batches_table(batches)


def _start_cache_warm_up() -> None:
    from data_access.cache import describe_cache

    if describe_cache() == "off":
        return
    from worker import start_cache_warm_up

    manager = dash.get_app()._background_manager
    celery = manager.handle if isinstance(manager, dash.CeleryManager) else None
    try:
        start_cache_warm_up(settings.current(), celery)
    except Exception:  # noqa: BLE001 - the import is done; a cold cache only costs time
        logging.getLogger("chorus.import").warning("could not start the warm-up", exc_info=True)


def _stopped_notice(name: str) -> html.Div:
    return html.Div(
        [html.H2(f"Your import: {name}"), _message(STOPPED, "error")], className="import-step"
    )


@callback(
    Output("imp-restored", "children", allow_duplicate=True),
    Output("imp-validate", "disabled", allow_duplicate=True),
    Output("imp-commit", "disabled", allow_duplicate=True),
    Output("imp-watch", "disabled", allow_duplicate=True),
    Input("imp-watch", "n_intervals"),
    State("imp-job", "data"),
    prevent_initial_call=True,
)
@guarded("data.import")
def watch_job(_ticks: int | None, job: dict | None):  # type: ignore[no-untyped-def]
    """While a step runs: if its worker has died, say so and give the buttons back."""
    user = current_record()
    if not job or user is None or not jobs.owns(get_database(), job.get("token"), user.id):
        return no_update, no_update, no_update, no_update
    status = jobs.read_status(get_database(), job["token"])
    if not _stopped(status):
        return no_update, no_update, no_update, no_update
    return _stopped_notice(job.get("filename", "your file")), False, False, True


@callback(
    Output("imp-restored", "children"),
    Output("imp-poll", "disabled"),
    Input("imp-job", "data"),
    Input("imp-poll", "n_intervals"),
)
@guarded("data.import")
def restore_job(job: dict | None, _ticks: int | None):  # type: ignore[no-untyped-def]
    """On return to the page: show the last import's progress, report or result, or that
    its worker stopped."""
    user = current_record()
    if not job or user is None or not jobs.owns(get_database(), job.get("token"), user.id):
        return "", True
    status = jobs.read_status(get_database(), job["token"])
    stage = status.get("stage")
    name = job.get("filename", "your file")
    if _stopped(status):
        return _stopped_notice(name), True
    if stage in ("validating", "committing"):
        percent = round(100 * float(status.get("fraction", 0)))
        verb = "Checking" if stage == "validating" else "Committing"
        return (
            html.Div(
                [
                    html.H2("Your import"),
                    _message(f"{verb} {name}: {percent}% ({status.get('text', '')})"),
                    html.Progress(
                        value=str(percent), max="100", **{"aria-label": f"{verb} {name}"}
                    ),
                ],
                className="import-step",
            ),
            False,
        )
    if stage == "committed":
        body = render_result(status["result"])
    elif stage == "validated" and _has_prepared(job):
        folder = _folder(job)
        assert folder is not None
        body = render_report(PreparedImport.load(folder / "prepared"))
    else:
        return "", True
    return html.Div([html.H2(f"Your last import: {name}"), body], className="import-step"), True


@callback(
    Output("imp-report-download", "data"),
    Input("imp-download-report", "n_clicks"),
    State("imp-job", "data"),
    prevent_initial_call=True,
)
@guarded("data.import")
def download_report(_clicks: int | None, job: dict | None):  # type: ignore[no-untyped-def]
    folder = _folder(job)
    if folder is None or not (folder / "prepared" / "summary.json").exists():
        return no_update
    prepared = PreparedImport.load(folder / "prepared")
    stem = Path(prepared.filename).stem[:80] or "import"
    return dcc.send_string(prepared.problems.csv_report(), f"{stem}_report.csv")


@callback(
    Output("imp-rollback-message", "children"),
    Output("imp-batches", "children", allow_duplicate=True),
    Input("imp-rollback", "n_clicks"),
    State("imp-rollback-id", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def roll_back(_clicks: int | None, batch_id: int | str | None):  # type: ignore[no-untyped-def]
    user = current_record()
    text = str(batch_id or "").strip()
    if not text.isdigit():
        return _message("Give the number of the batch to roll back.", "error"), no_update
    try:
        with get_database().write() as session:
            result = rollback_batch(
                session,
                int(text),
                user=user,
                organisation_id=user.organisation_id,
                area_code=user.organisation_code,
            )
    except RollbackRefused as exc:
        return _message(str(exc), "error"), no_update
    with get_database().read() as session:
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
    text = (
        f"Batch {result.batch_id} rolled back: {result.deleted:,} figures removed, "
        f"{result.restored:,} restored to their previous values."
    )
    return _message(text, "success"), _batches_table(batches)
