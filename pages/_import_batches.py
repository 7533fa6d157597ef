"""The Import page's report download and roll back of a batch. Registered by the app
factory (``batch_callbacks.register``)."""

from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, dcc, no_update

from auth.current import current_record
from auth.permissions import guarded
from components.callbacks import CallbackSet
from components.import_forms import batches_table, message
from data_access.db import get_database
from data_access.importing.commit import RollbackRefused, recent_batches, rollback_batch
from data_access.importing.pipeline import PreparedImport
from pages._import_files import job_folder as _folder

batch_callbacks = CallbackSet("import-batches")


@batch_callbacks.callback(
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


@batch_callbacks.callback(
    Output("imp-rollback-message", "children"),
    Output("imp-batches", "children", allow_duplicate=True),
    Input("imp-rollback", "n_clicks"),
    State("imp-rollback-id", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def roll_back(_clicks: int | None, batch_id: int | str | None):  # type: ignore[no-untyped-def]
    user = current_record()
    assert user is not None  # guarded: signed in with the role
    text = str(batch_id or "").strip()
    if not text.isdigit():
        return message("Give the number of the batch to roll back.", "error"), no_update
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
        return message(str(exc), "error"), no_update
    with get_database().read() as session:
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
    text = (
        f"Batch {result.batch_id} rolled back: {result.deleted:,} figures removed, "
        f"{result.restored:,} restored to their previous values."
    )
    return message(text, "success"), batches_table(batches)
