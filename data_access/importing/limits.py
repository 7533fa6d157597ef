"""Bounds on an upload, enforced before anything large is held in memory.

- The request: Flask refuses a body over :func:`request_limit_bytes` before reading it
  (an upload arrives base64-encoded inside a callback request, a third larger).
- The file: :func:`write_base64_limited` decodes the upload to disk in slices, stopping
  (and deleting what it wrote) as soon as the decoded size passes the limit.
- A workbook: :func:`check_xlsx_archive` reads only the zip's directory and refuses a
  file whose parts would decompress past the limits (a few hundred KB can hold a
  300 MB cell of repeated text), before openpyxl parses anything.
"""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

from data_access.importing.errors import FileRejected

# openpyxl holds the shared strings (every text cell's text) in memory: bounded alone.
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# Everything in the workbook, decompressed: a few times the upload limit.
UNCOMPRESSED_FACTOR = 4
# A worksheet or shared-strings part this many times smaller than its content is a bomb.
MAX_RATIO = 200
_SLICE = 4 * 1024 * 1024  # base64 characters decoded at a time (a multiple of 4)


def request_limit_bytes(import_max_mb: int) -> int:
    """Largest request body to accept: the upload limit, base64-encoded, plus the form."""
    return import_max_mb * 1024 * 1024 * 4 // 3 + 1024 * 1024


def _too_large(max_bytes: int) -> FileRejected:
    return FileRejected(
        "too_large",
        f"The file is larger than the limit of {max_bytes / 1_048_576:,.0f} MB. Split it "
        "(for example by year) and import the parts.",
    )


def write_base64_limited(encoded: str, path: Path, max_bytes: int) -> int:
    """Decode ``encoded`` into ``path`` slice by slice; returns the size written.

    Raises FileRejected (and removes the partial file) once the size passes ``max_bytes``.
    """
    written = 0
    try:
        if len(encoded) * 3 // 4 > max_bytes + 3:  # known too large before decoding anything
            raise _too_large(max_bytes)
        with open(path, "wb") as handle:
            for start in range(0, len(encoded), _SLICE):
                chunk = base64.b64decode(encoded[start : start + _SLICE])
                written += len(chunk)
                if written > max_bytes:
                    raise _too_large(max_bytes)
                handle.write(chunk)
    except (FileRejected, ValueError):
        path.unlink(missing_ok=True)
        raise
    return written


def check_xlsx_archive(path: Path, max_bytes: int) -> None:
    """Refuse a workbook whose zip directory promises more than Chorus will decompress."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(
            "binary",
            "This workbook cannot be read: it may be damaged or not really an Excel file.",
        ) from exc
    total = sum(m.file_size for m in members)
    if total > max_bytes * UNCOMPRESSED_FACTOR:
        raise FileRejected(
            "too_large",
            "The workbook's contents are too large once unpacked. Save it as 'CSV UTF-8' and "
            "import that, or split it into smaller files.",
        )
    for member in members:
        shared = member.filename.endswith("sharedStrings.xml")
        if shared and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise FileRejected(
                "cell_too_large",
                "The workbook holds more text than Chorus reads (a cell may hold a very long "
                "text). Check the cells and save it again, or save it as 'CSV UTF-8'.",
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise FileRejected(
                "cell_too_large",
                "The workbook holds a very long repeated text (a cell far larger than a "
                "figure needs). Check the cells and save it again.",
            )
