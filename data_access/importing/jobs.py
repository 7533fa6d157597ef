"""Work folders for imports started in the browser: one per upload, owned by one user.

The folder (under CACHE_DIR/imports) holds the uploaded file, the prepared import and a
``status.json`` the background job keeps up to date, so the page can be left and come
back (it polls the status) and any worker can answer for it.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE_SECONDS = 7 * 24 * 3600


def new_job(base: Path, user_id: int, filename: str) -> str:
    """Create a folder for a new upload; returns its token."""
    token = secrets.token_hex(16)
    folder = Path(base) / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / "owner.json").write_text(json.dumps({"user_id": user_id, "filename": filename}))
    write_status(folder, {"stage": "uploaded", "fraction": 0.0, "text": "Uploaded"})
    _remove_old_jobs(Path(base))
    return token


def job_folder(base: Path, token: object, user_id: int) -> Path | None:
    """The folder for ``token`` if it exists and belongs to ``user_id``, else None."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = Path(base) / token
    try:
        owner = json.loads((folder / "owner.json").read_text())
    except (OSError, ValueError):
        return None
    return folder if owner.get("user_id") == user_id else None


def upload_path(folder: Path) -> Path:
    matches = sorted(folder.glob("upload.*"))
    return matches[0] if matches else folder / "upload.csv"


def write_status(folder: Path, status: dict) -> None:
    """Replace status.json atomically (readers never see half a file)."""
    temporary = folder / "status.json.tmp"
    temporary.write_text(json.dumps({**status, "updated": time.time()}, default=str))
    temporary.replace(folder / "status.json")


def read_status(folder: Path) -> dict:
    try:
        return json.loads((folder / "status.json").read_text())
    except (OSError, ValueError):
        return {}


def _remove_old_jobs(base: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in base.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
