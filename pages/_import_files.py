"""The Import page's file callbacks: the blank templates, and taking an upload.

The file itself never passes through a callback: the page's script streams it to
``POST /import/upload`` (pages/_import_upload.py), which checks it, keeps it as a job and
answers with the job's token; the script puts ``{"token", "filename"}`` in the
``imp-upload`` store and :func:`receive_upload` takes the job (once, by its own user and
organisation, before it expires), reads the file from disk and shows the preview.
Registered on the app by the app factory (``file_callbacks.register``).
"""

from __future__ import annotations

import json
from pathlib import Path

from dash import Input, Output, State, ctx, dcc, html, no_update

import settings
from auth.current import current_record
from auth.permissions import guarded
from components.callbacks import CallbackSet
from components.import_forms import PREVIEW_ROWS, message, refused, table
from data_access.db import get_database
from data_access.importing import jobs, template
from data_access.importing.forms import breakdown_rows, default_mapping
from data_access.importing.mappings import list_mappings
from data_access.importing.safety import FileRejected, inspect_file, read_chunks
from data_access.importing.uploads import UNREADABLE, safe_filename

file_callbacks = CallbackSet("import-files")
NOT_YOURS = "This upload has expired or was not made here. Choose the file again."


def jobs_base() -> Path:
    """This machine's copies of import jobs' files (a cache; the database holds them)."""
    base = Path(settings.current().cache_dir) / "imports"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base


def job_folder(job: dict | None) -> Path | None:
    """The job's local work folder (copied from the database) if it is the user's."""
    user = current_record()
    if not job or user is None:
        return None
    return jobs.job_folder(get_database(), jobs_base(), job.get("token"), user.id)


@file_callbacks.callback(
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


@file_callbacks.callback(
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
    Input("imp-upload", "data"),
    State("imp-format", "value"),
    State("imp-indicators", "data"),
    prevent_initial_call=True,
)
@guarded("data.import")
def receive_upload(upload: dict | None, fmt: str, indicators: list[str]):  # type: ignore[no-untyped-def]
    """Take the streamed upload's job (this user's and organisation's, once, unexpired),
    check the file on disk again and preview it."""
    user = current_record()
    nothing = (no_update,) * 9 + ("",)
    if not isinstance(upload, dict) or user is None:
        return (no_update, *nothing)
    filename = safe_filename(str(upload.get("filename") or ""))
    token = upload.get("token")
    database = get_database()
    if not jobs.take_upload(database, token, user.id, user.organisation_id):
        return (no_update, refused(filename, NOT_YOURS), *nothing[1:])
    assert isinstance(token, str)
    max_bytes = settings.current().import_max_mb * 1024 * 1024
    folder = jobs.job_folder(database, jobs_base(), token, user.id)
    assert folder is not None
    path = jobs.upload_path(folder)
    job = {"token": token, "filename": filename, "format": fmt}
    try:
        facts = inspect_file(path, max_bytes=max_bytes, allow_xlsx=fmt == "template")
        sample = next(read_chunks(facts, 5_000)).frame
    except FileRejected as exc:
        jobs.discard_job(database, token, jobs_base())  # a refused file is not kept
        return (job, refused(filename, exc.message), *nothing[1:])
    except (ValueError, StopIteration):
        jobs.discard_job(database, token, jobs_base())
        # Never the exception's text: it can name a server path or a library's internals.
        return (job, message(f"{filename} {UNREADABLE}", "error"), *nothing[1:])
    info = message(
        f"{filename}: {facts.size / 1024:,.0f} KB, {len(facts.columns)} columns, about "
        f"{max(facts.line_count - 1, 0):,} rows. " + " ".join(facts.notes)
    )
    preview = html.Div(
        [
            html.H3("First rows of the file"),
            table(sample.head(PREVIEW_ROWS), "First rows of the file"),
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
    breakdown_table = breakdown_rows(sample, mapping or {}) if is_ees else []
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
        breakdown_table,
        breakdown_text,
        "",
    )
