"""``POST /import/upload``: the Import page's file, streamed to disk outside Dash.

The page's script (assets/import.js) sends the chosen file as the raw body of one request,
its name in the ``X-Filename`` header (URL-encoded) and the CSRF token in ``X-CSRFToken``.
The login guard (401), the CSRF check (403: this path takes the token from the header
only, so the body is never parsed as a form) and the role (``data.import``, 403) come
first. A body declared larger than the limit is refused (413) before a byte is read; any
other is copied to disk block by block and refused (413) as soon as it passes the limit
(``data_access.importing.uploads``). The answer is JSON: the token of the job the Import
page then takes (bound to this user and organisation, single use, expiring), or a plain
message.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from flask import Blueprint, Response, current_app, jsonify, request

import settings as chorus_settings
from auth.current import current_record
from auth.permissions import guarded
from data_access.db import get_database
from data_access.importing.errors import FileRejected
from data_access.importing.limits import UploadTooLarge, too_large
from data_access.importing.uploads import receive_upload, safe_filename
from data_access.users import write_audit
from pages._import_files import jobs_base

UPLOAD_PATH = "/import/upload"
RAW_BODY = "application/octet-stream"
FILENAME_HEADER = "X-Filename"
blueprint = Blueprint("import_upload", __name__)


def max_upload_bytes() -> int:
    """The largest file the Import page takes (CHORUS_IMPORT_MAX_MB)."""
    return chorus_settings.current().import_max_mb * 1024 * 1024


def staging_folder() -> Path:
    """Where uploads are written while they arrive: a private folder in the instance folder."""
    return Path(current_app.instance_path) / "uploads"


def _answer(status: int, **body: object) -> tuple[Response, int]:
    return jsonify(body), status


@blueprint.post(UPLOAD_PATH)
@guarded("data.import")
def upload() -> tuple[Response, int]:
    """Stream the body to disk, check it and keep it as an import job; JSON either way."""
    user = current_record()
    assert user is not None  # guarded: signed in with the role
    filename = safe_filename(unquote(request.headers.get(FILENAME_HEADER, "")))
    max_bytes = max_upload_bytes()
    if request.mimetype != RAW_BODY:
        return _answer(415, error="Choose the file again: it did not arrive as a file.")
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        # Refused on the declared size alone: nothing of the body is read.
        return _refused(filename, too_large(max_bytes), 413)
    try:
        received = receive_upload(
            get_database(),
            request.stream,
            filename=filename,
            user_id=user.id,
            organisation_id=user.organisation_id,
            allow_xlsx=request.args.get("format", "template") == "template",
            max_bytes=max_bytes,
            staging_base=staging_folder(),
            jobs_base=jobs_base(),
        )
    except FileRejected as exc:
        return _refused(filename, exc, 413 if isinstance(exc, UploadTooLarge) else 422)
    with get_database().write() as session:
        write_audit(
            session,
            "import.upload",
            user=user,
            object_type="import_job",
            object_id=received.token,
            address=request.remote_addr,
            detail={"bytes": received.size},
        )
    return _answer(201, token=received.token, filename=received.filename)


def _refused(filename: str, problem: FileRejected, status: int) -> tuple[Response, int]:
    return _answer(status, error=f"{filename}: {problem.message}", filename=filename)
