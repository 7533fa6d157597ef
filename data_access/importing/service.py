"""One call for a whole import (the CLI and the page's background job use it)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from data_access.db import Database
from data_access.importing.commit import VALID_ONLY, CommitResult, commit_prepared
from data_access.importing.pipeline import PreparedImport, Progress, prepare_import
from data_access.importing.validation import Reference
from data_access.users import UserRecord


def load_reference(db: Database) -> Reference:
    with db.read() as session:
        return Reference.from_session(session)


def validate_file(
    db: Database,
    path: Path | str,
    fmt: str,
    mapping: dict | None,
    workdir: Path | str,
    *,
    filename: str | None = None,
    mapping_name: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    source: str | None = None,
    release: str | None = None,
) -> PreparedImport:
    """Check and validate a file into ``workdir`` (nothing is written to the database).

    ``source`` names where the figures come from (by default the format's source, such
    as LAIT); ``release`` is recorded with the batch.
    """
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    return prepare_import(
        path,
        fmt,
        mapping,
        load_reference(db),
        workdir,
        filename=filename,
        mapping_name=mapping_name,
        progress=progress,
        source=source,
        release=release,
        **kwargs,  # type: ignore[arg-type]
    )


def commit_file(
    db: Database,
    prepared: PreparedImport,
    mode: str = VALID_ONLY,
    *,
    user: UserRecord | None = None,
    created_by: str | None = None,
    progress: Progress | None = None,
    organisation_code: str | None = None,
) -> CommitResult:
    """Commit a prepared import in one transaction (all of it is written, or none)."""
    with db.write() as session:
        return commit_prepared(
            session,
            prepared,
            mode,
            user=user,
            created_by=created_by,
            progress=progress,
            organisation_code=organisation_code,
        )


def import_file(
    db: Database,
    path: Path | str,
    fmt: str,
    mapping: dict | None = None,
    mode: str = VALID_ONLY,
    *,
    mapping_name: str | None = None,
    user: UserRecord | None = None,
    created_by: str | None = None,
    max_bytes: int | None = None,
    organisation_code: str | None = None,
    source: str | None = None,
    release: str | None = None,
) -> tuple[PreparedImport, CommitResult]:
    """Validate then commit in a scratch folder that is removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="chorus-import-"))
    try:
        prepared = validate_file(
            db,
            path,
            fmt,
            mapping,
            workdir,
            mapping_name=mapping_name,
            max_bytes=max_bytes,
            source=source,
            release=release,
        )
        result = commit_file(
            db,
            prepared,
            mode,
            user=user,
            created_by=created_by,
            organisation_code=organisation_code,
        )
        return prepared, result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
