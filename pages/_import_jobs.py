"""The Import page's job callbacks: check and commit (background jobs with progress), the
watch for a worker that died, the last import shown again, the report, and roll back.
Registered by the app factory (``job_callbacks.register``)."""

from __future__ import annotations

import json
import logging
import shutil
import time

import dash
from dash import Input, Output, State, html, no_update

import settings
from auth.background import in_caller_request
from auth.current import current_record
from auth.permissions import guarded
from components.aria import aria
from components.callbacks import CallbackSet
from components.import_forms import batches_table, message, render_report, render_result
from components.import_forms import stopped_notice as _stopped_notice
from data_access.db import get_database
from data_access.importing import jobs
from data_access.importing.commit import (
    ALL_OR_NOTHING,
    VALID_ONLY,
    recent_batches,
)
from data_access.importing.mappings import json_problem
from data_access.importing.pipeline import PreparedImport
from data_access.importing.service import commit_file, validate_file
from pages._import_files import job_folder as _folder
from pages._import_files import jobs_base

job_callbacks = CallbackSet("import-jobs")
BUSY = "This file is already being checked or committed. Wait for that to finish."


def _has_prepared(job: dict) -> bool:
    return jobs.has_file(get_database(), job["token"], "prepared/summary.json")


def _stopped(status: dict) -> bool:
    return jobs.is_stale(status, settings.current().job_stale_seconds)


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


@job_callbacks.callback(
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
    if job is None or folder is None or not jobs.upload_path(folder).exists():
        return message("Upload a file first.", "error")
    try:
        mapping = _mapping_from_text(text)
    except json.JSONDecodeError as exc:
        return message(json_problem(exc), "error")
    if fmt == "ees" and not (mapping or {}).get("indicators"):
        return message("Choose at least one indicator column in step 2 first.", "error")
    database, token = get_database(), job["token"]
    if jobs.claim(database, token, "validating", "Checking", settings.current().job_stale_seconds):
        return message(BUSY, "error")
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


@job_callbacks.callback(
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
    assert user is not None  # guarded: signed in with the role
    folder = _folder(job)
    if job is None or folder is None or not (folder / "prepared" / "summary.json").exists():
        return message("Check the file before committing it.", "error"), no_update
    database, token = get_database(), job["token"]
    status = jobs.read_status(database, token)
    if status.get("stage") == "committed":
        return render_result(status["result"]), no_update
    # One commit per job at a time, whichever machine or click started it.
    stale_after = settings.current().job_stale_seconds
    if jobs.claim(database, token, "committing", "Committing", stale_after):
        return message(BUSY, "error"), no_update
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
    jobs.drop_upload(database, token, jobs_base())  # the uploaded file is not kept
    if result.rows_inserted + result.rows_changed:
        # New figures: the default panels are rendered by a job of their own, so this
        # import reports now and nobody waits for the charts later.
        _start_cache_warm_up()
    with database.read() as session:
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
    return render_result(result.as_dict()), batches_table(batches)


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


@job_callbacks.callback(
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
    assert user is not None  # guarded: signed in with the role
    if not job or user is None or not jobs.owns(get_database(), job.get("token"), user.id):
        return no_update, no_update, no_update, no_update
    status = jobs.read_status(get_database(), job["token"])
    if not _stopped(status):
        return no_update, no_update, no_update, no_update
    return _stopped_notice(job.get("filename", "your file")), False, False, True


@job_callbacks.callback(
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
    assert user is not None  # guarded: signed in with the role
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
                    message(f"{verb} {name}: {percent}% ({status.get('text', '')})"),
                    html.Progress(value=str(percent), max="100", **aria(label=f"{verb} {name}")),
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
