"""Receiving an upload: the request body streamed to disk with the limit enforced while
reading, the safety checks run on the file, and the file stored as an import job.

The browser sends the file itself as the body of one request (not base64 inside a Dash
callback), so a worker holds one block of it at a time: :func:`stream_to_file` copies
the body in blocks and stops, deleting what it wrote, as soon as the file passes the
limit. A file that passes the checks (``safety.inspect_file``: type, size, columns,
workbook and Parquet limits) becomes a job waiting for the Import page
(``jobs.new_upload_job``); a refused file is deleted at once.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from data_access.db import Database
from data_access.importing import jobs
from data_access.importing.errors import FileRejected
from data_access.importing.limits import too_large
from data_access.importing.safety import inspect_file

BLOCK_BYTES = 1024 * 1024
SUFFIXES = (".xlsx", ".parquet")
UNREADABLE = "could not be read as a table. Check it opens in a spreadsheet."


def safe_filename(name: str | None) -> str:
    """The file's own name (no folders), at most 200 characters."""
    cleaned = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return cleaned[:200] or "upload.csv"


def upload_name(filename: str) -> str:
    """The stored name of the upload: ``upload`` with the file's kind as its suffix."""
    suffix = next((s for s in SUFFIXES if filename.lower().endswith(s)), ".csv")
    return f"upload{suffix}"


def stream_to_file(stream: IO[bytes], path: Path, max_bytes: int) -> int:
    """Copy ``stream`` into ``path`` block by block; returns the size written.

    Raises FileRejected (and removes the partial file) as soon as more than ``max_bytes``
    has arrived: at most one block past the limit is ever read, none of it written.
    """
    written = 0
    try:
        with open(path, "wb") as handle:
            while block := stream.read(BLOCK_BYTES):
                written += len(block)
                if written > max_bytes:
                    raise too_large(max_bytes)
                handle.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return written


@dataclass(frozen=True)
class Received:
    """An upload kept as a job: its token (for the Import page) and what was checked."""

    token: str
    filename: str
    size: int


def receive_upload(
    database: Database,
    stream: IO[bytes],
    *,
    filename: str | None,
    user_id: int,
    organisation_id: int,
    allow_xlsx: bool,
    max_bytes: int,
    staging_base: Path,
    jobs_base: Path | None = None,
) -> Received:
    """Stream, check and store an upload; raises FileRejected with a plain message.

    The file is written to a private folder under ``staging_base`` (the instance folder),
    which is removed whatever happens: stored as a job, or refused. Expired jobs go at the
    same time, with their folders under ``jobs_base`` (this machine's copies).
    """
    name = safe_filename(filename)
    staging_base.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(dir=staging_base))
    try:
        path = staging / upload_name(name)
        size = stream_to_file(stream, path, max_bytes)
        try:
            inspect_file(path, max_bytes=max_bytes, allow_xlsx=allow_xlsx)
        except FileRejected:
            raise
        except ValueError as exc:
            # Never the exception's text: it can name a server path or a library's internals.
            raise FileRejected("unreadable", f"{name} {UNREADABLE}") from exc
        token = jobs.new_upload_job(database, user_id, organisation_id, name, path.name, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Received(token, name, size)
