"""Imports started in the browser: one job per upload, owned by one user, kept in the database.

The job's row (``import_jobs``) holds its status and heartbeat; its files
(``import_job_files``) hold the upload and the checked (prepared) import. Any web server or
worker, on any machine, can carry a job on: :func:`job_folder` copies the files into a
local work folder (under that machine's CACHE_DIR) when they are missing or out of date, and
:func:`save_files` stores what a step produced. The local folder is only a cache.

A running step (checking, committing) records the host and process running it and beats
every ``HEARTBEAT_SECONDS``. :func:`is_stale` says when it has stopped: its process is gone
(same host), or it has not beaten for ``stale_seconds`` (another host). On SQLite (one
machine) the commit holds the only write lock, so its progress and beats are not written
and the process check alone decides.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from data_access.db import Database
from data_access.models import ImportJob, ImportJobFile

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE_SECONDS = 7 * 24 * 3600
HEARTBEAT_SECONDS = 5
RUNNING = ("validating", "committing")
VERSION_FILE = ".files_version"
STOPPED_TEXT = "Stopped: nothing was written; try again."
# An upload not yet read by the Import page is forgotten (with its file) after this long.
UPLOAD_TTL_SECONDS = 3600
# A stored file is kept in parts of this size, so no step holds a whole upload in memory.
PART_BYTES = 8 * 1024 * 1024
_PART = re.compile(r"^(?P<name>.+)\.part(?P<number>\d{5})$")


def _job_row(
    token: str, user_id: int, filename: str, status: dict[str, Any], now: float
) -> ImportJob:
    """A new job's row: its status as JSON, first files version, created and alive now."""
    return ImportJob(
        token=token,
        user_id=user_id,
        filename=filename[:300],
        status=json.dumps(status),
        files_version=1,
        created_at=now,
        heartbeat_at=now,
    )


def new_job(db: Database, user_id: int, filename: str, upload_name: str, content: bytes) -> str:
    """Store a new upload as a job; returns its token."""
    token = secrets.token_hex(16)
    now = time.time()
    status = {"stage": "uploaded", "fraction": 0.0, "text": "Uploaded", "updated": now}
    with db.write() as session:
        session.add(_job_row(token, user_id, filename, status, now))
        session.flush()
        session.add(ImportJobFile(job_token=token, name=upload_name, content=content))
    remove_old_jobs(db)
    return token


def new_upload_job(
    db: Database,
    user_id: int,
    organisation_id: int,
    filename: str,
    upload_name: str,
    path: Path,
    now: float | None = None,
    base: Path | None = None,
) -> str:
    """Store an upload (streamed to ``path`` and checked) as a job, in parts; returns its
    token. The job waits for the Import page of the same user and organisation to take it
    (:func:`take_upload`) within UPLOAD_TTL_SECONDS."""
    token = secrets.token_hex(16)
    now = time.time() if now is None else now
    status = {
        "stage": "uploaded",
        "fraction": 0.0,
        "text": "Uploaded",
        "updated": now,
        "organisation_id": organisation_id,
        "expires": now + UPLOAD_TTL_SECONDS,
    }
    with db.write() as session:
        session.add(_job_row(token, user_id, filename, status, now))
        session.flush()
        with open(path, "rb") as handle:
            number = 0
            while part := handle.read(PART_BYTES):
                stored = ImportJobFile(
                    job_token=token, name=f"{upload_name}.part{number:05d}", content=part
                )
                session.add(stored)
                session.flush()
                session.expunge(stored)
                number += 1
                del part
    remove_old_jobs(db, base=base)
    return token


def take_upload(
    db: Database, token: object, user_id: int, organisation_id: int, now: float | None = None
) -> bool:
    """Hand an upload to the Import page once: True when ``token`` names an upload of this
    user and organisation, not yet taken and not expired (it is then marked as taken)."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return False
    now = time.time() if now is None else now
    with db.write() as session:
        row = session.execute(
            select(ImportJob.user_id, ImportJob.status)
            .where(ImportJob.token == token)
            .with_for_update()
        ).first()
        if row is None or row.user_id != user_id:
            return False
        status = json.loads(row.status or "{}")
        if (
            status.get("stage") != "uploaded"
            or status.get("organisation_id") != organisation_id
            or float(status.get("expires") or 0) < now
        ):
            return False
        status.update({"stage": "received", "text": "Received", "updated": now})
        session.execute(
            update(ImportJob).where(ImportJob.token == token).values(status=json.dumps(status))
        )
    return True


def drop_upload(db: Database, token: str, base: Path | None = None) -> None:
    """Delete the job's uploaded file (after a commit), keeping its status and report."""
    with db.write() as session:
        session.execute(
            delete(ImportJobFile).where(
                ImportJobFile.job_token == token, ImportJobFile.name.like("upload.%")
            )
        )
    if base is not None:
        for path in (Path(base) / token).glob("upload.*"):
            path.unlink(missing_ok=True)


def owns(db: Database, token: object, user_id: int) -> bool:
    """True when ``token`` names a job of ``user_id``."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return False
    with db.read() as session:
        owner = session.scalar(select(ImportJob.user_id).where(ImportJob.token == token))
    return owner is not None and owner == user_id


def job_folder(db: Database, base: Path, token: object, user_id: int) -> Path | None:
    """A local folder holding the job's files if ``token`` belongs to ``user_id``, else None.

    The files are copied from the database when this machine's copy is missing or older.
    """
    if not owns(db, token, user_id):
        return None
    assert isinstance(token, str)
    folder = Path(base) / token
    with db.read() as session:
        version = session.scalar(select(ImportJob.files_version).where(ImportJob.token == token))
        if _local_version(folder) == version:
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, mode=0o700)
        names = session.scalars(
            select(ImportJobFile.name).where(ImportJobFile.job_token == token)
        ).all()
        # One stored file (or one part of one) in memory at a time.
        for name in sorted(names):
            content = session.scalar(
                select(ImportJobFile.content).where(
                    ImportJobFile.job_token == token, ImportJobFile.name == name
                )
            )
            part = _PART.match(name)
            target = folder / (part.group("name") if part else name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "ab" if part else "wb") as handle:
                handle.write(content or b"")
            del content
    (folder / VERSION_FILE).write_text(str(version))
    return folder


def _local_version(folder: Path) -> int | None:
    try:
        return int((folder / VERSION_FILE).read_text())
    except (OSError, ValueError):
        return None


def upload_path(folder: Path) -> Path:
    matches = sorted(folder.glob("upload.*"))
    return matches[0] if matches else folder / "upload.csv"


def save_files(db: Database, token: str, folder: Path, prefix: str) -> None:
    """Replace the job's stored files under ``prefix/`` with those in ``folder/prefix``."""
    root = Path(folder)
    files = sorted(p for p in (root / prefix).rglob("*") if p.is_file())
    with db.write() as session:
        session.execute(
            delete(ImportJobFile).where(
                ImportJobFile.job_token == token, ImportJobFile.name.like(f"{prefix}/%")
            )
        )
        for path in files:
            # One file in memory at a time (a checked import may be hundreds of MB).
            stored = ImportJobFile(
                job_token=token, name=path.relative_to(root).as_posix(), content=path.read_bytes()
            )
            session.add(stored)
            session.flush()
            session.expunge(stored)
        session.execute(
            update(ImportJob)
            .where(ImportJob.token == token)
            .values(files_version=ImportJob.files_version + 1)
        )
        version = session.scalar(select(ImportJob.files_version).where(ImportJob.token == token))
    (root / VERSION_FILE).write_text(str(version))


def has_file(db: Database, token: str, name: str) -> bool:
    with db.read() as session:
        found = session.scalar(
            select(ImportJobFile.name).where(
                ImportJobFile.job_token == token, ImportJobFile.name == name
            )
        )
    return found is not None


def write_status(db: Database, token: str, status: dict) -> None:
    """Replace the job's status (and count it as a heartbeat)."""
    now = time.time()
    with db.write() as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.token == token)
            .values(status=json.dumps({**status, "updated": now}, default=str), heartbeat_at=now)
        )


def read_status(db: Database, token: str) -> dict:
    """The job's status, with ``heartbeat`` (seconds since the epoch); {} for no job."""
    with db.read() as session:
        row = session.execute(
            select(ImportJob.status, ImportJob.heartbeat_at).where(ImportJob.token == token)
        ).first()
    if row is None:
        return {}
    try:
        status = json.loads(row.status)
    except ValueError:
        status = {}
    return {**status, "heartbeat": row.heartbeat_at}


def beat(db: Database, token: str) -> None:
    with db.write() as session:
        session.execute(
            update(ImportJob).where(ImportJob.token == token).values(heartbeat_at=time.time())
        )


def runner() -> dict:
    """Who is running a step: this host and process."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(status: dict, stale_seconds: float, now: float | None = None) -> bool:
    """True when a running step has lost its process (see the module docstring)."""
    if status.get("stage") not in RUNNING:
        return False
    now = time.time() if now is None else now
    if status.get("host") == socket.gethostname() and isinstance(status.get("pid"), int):
        return not _process_alive(status["pid"])
    return now - float(status.get("heartbeat") or 0) > stale_seconds


def claim(db: Database, token: str, stage: str, text: str, stale_seconds: float) -> dict | None:
    """Mark the job as running ``stage`` here, unless a live step already runs it.

    Returns None when claimed, else the status that stands in the way (so one commit per
    job runs at a time, however many clicks or machines). Row-locked on PostgreSQL; the
    write transaction is exclusive on SQLite.
    """
    with db.write() as session:
        row = session.execute(
            select(ImportJob.status, ImportJob.heartbeat_at)
            .where(ImportJob.token == token)
            .with_for_update()
        ).first()
        if row is None:
            return {}
        current = {**json.loads(row.status or "{}"), "heartbeat": row.heartbeat_at}
        if current.get("stage") in RUNNING and not is_stale(current, stale_seconds):
            return current
        now = time.time()
        status = {"stage": stage, "fraction": 0.0, "text": text, "updated": now, **runner()}
        session.execute(
            update(ImportJob)
            .where(ImportJob.token == token)
            .values(status=json.dumps(status), heartbeat_at=now)
        )
    return None


@contextlib.contextmanager
def heartbeat(db: Database, token: str, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Beat for the job every ``every`` seconds while the block runs (not on SQLite)."""
    if db.is_sqlite:
        yield
        return
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                beat(db, token)
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried next time
                log.warning("import heartbeat failed: %s", exc.__class__.__name__)

    thread = threading.Thread(target=run, name="chorus-import-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 1)


def discard_job(db: Database, token: str, base: Path | None = None) -> None:
    """Delete a job and its files at once (a refused upload is not kept anywhere)."""
    with db.write() as session:
        session.execute(delete(ImportJobFile).where(ImportJobFile.job_token == token))
        session.execute(delete(ImportJob).where(ImportJob.token == token))
    if base is not None:
        shutil.rmtree(Path(base) / token, ignore_errors=True)


def remove_old_jobs(db: Database, now: float | None = None, base: Path | None = None) -> int:
    """Delete jobs (and their files) older than MAX_AGE_SECONDS, and uploads the Import page
    never took within UPLOAD_TTL_SECONDS; returns how many. With ``base``, their local
    folders go too."""
    now = time.time() if now is None else now
    cutoff = now - MAX_AGE_SECONDS
    with db.write() as session:
        old = list(
            session.scalars(select(ImportJob.token).where(ImportJob.created_at < cutoff)).all()
        )
        waiting = session.execute(
            select(ImportJob.token, ImportJob.status).where(
                ImportJob.created_at < now - UPLOAD_TTL_SECONDS,
                ImportJob.created_at >= cutoff,
                ImportJob.status.like('%"uploaded"%'),
            )
        ).all()
        for row in waiting:
            status = json.loads(row.status)
            # An upload the Import page never took (only those carry an expiry).
            if status.get("stage") == "uploaded" and float(status.get("expires") or now) < now:
                old.append(row.token)
        if old:
            session.execute(delete(ImportJobFile).where(ImportJobFile.job_token.in_(old)))
            session.execute(delete(ImportJob).where(ImportJob.token.in_(old)))
    if base is not None:
        for token in old:
            shutil.rmtree(Path(base) / token, ignore_errors=True)
    return len(old)
