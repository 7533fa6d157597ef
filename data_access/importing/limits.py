"""Bounds on an upload, enforced before anything large is held in memory.

- The request: Flask refuses a body over :func:`request_limit_bytes` before reading it
  (the Import page's upload arrives as the raw body of ``POST /import/upload``; any other
  request, a Dash callback above all, is held to :data:`OTHER_REQUEST_LIMIT_BYTES`).
- The file: ``uploads.stream_to_file`` copies the body to disk in blocks, stopping (and
  deleting what it wrote) as soon as the size passes the limit (:func:`too_large`).
- A workbook: :func:`check_xlsx_archive` reads only the zip's directory and refuses a
  file whose parts would decompress past the limits (a few hundred KB can hold a
  300 MB cell of repeated text), before openpyxl parses anything.
- A Parquet file: :func:`check_parquet_file` reads only its footer (whose length is
  checked first) and refuses a file whose row groups would decompress past the limits, or
  with too many columns or cells, before a row is read; :func:`check_parquet_batch` bounds
  the text of each batch while it is still dictionary-encoded (a short file can repeat one
  very long text a million times).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

from data_access.importing.errors import FileRejected

# openpyxl holds the shared strings (every text cell's text) in memory: bounded alone.
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# Everything in the workbook, decompressed: a few times the upload limit.
UNCOMPRESSED_FACTOR = 4
# A worksheet or shared-strings part this many times smaller than its content is a bomb.
MAX_RATIO = 200
# Parquet: the footer (the file's metadata) is read whole, so it is bounded first.
PARQUET_MAGIC = b"PAR1"
MAX_PARQUET_FOOTER_BYTES = 8 * 1024 * 1024
# One column of one row group, decompressed: what the reader may hold for one page.
MAX_PARQUET_CHUNK_BYTES = 32 * 1024 * 1024
# The longest cell Chorus reads from a Parquet file (Excel's own limit for a cell).
MAX_CELL_CHARS = 32_767
# The text of one batch of rows once decoded (what pandas then holds as strings).
MAX_BATCH_TEXT_BYTES = 64 * 1024 * 1024


# Any request but the Import page's upload: a callback with a Voice CSV of up to about
# 15 MB (base64-encoded), and far more than any form or other callback sends.
OTHER_REQUEST_LIMIT_BYTES = 20 * 1024 * 1024


def request_limit_bytes(import_max_mb: int) -> int:
    """Largest request body to accept (Flask's MAX_CONTENT_LENGTH): the upload limit, sent
    as the raw body, with room for the request's own overhead. The upload route itself
    refuses a file one byte over the upload limit."""
    return import_max_mb * 1024 * 1024 + 64 * 1024


def body_limit_bytes(path: str, import_max_mb: int, upload_path: str) -> int:
    """The largest body for a request to ``path``: the upload limit on the upload route,
    :data:`OTHER_REQUEST_LIMIT_BYTES` (or the upload limit, if smaller) anywhere else."""
    whole = request_limit_bytes(import_max_mb)
    return whole if path == upload_path else min(whole, OTHER_REQUEST_LIMIT_BYTES)


class UploadTooLarge(FileRejected):
    """The upload itself passed the limit (HTTP 413), as opposed to a file within the limit
    whose contents are too large once unpacked."""


def too_large(max_bytes: int) -> UploadTooLarge:
    """The refusal of an upload over ``max_bytes`` (the one wording, wherever it is met)."""
    return UploadTooLarge(
        "too_large",
        f"The file is larger than the limit of {max_bytes / 1_048_576:,.0f} MB. Split it "
        "(for example by year) and import the parts.",
    )


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


def _unreadable_parquet() -> FileRejected:
    return FileRejected(
        "binary",
        "This Parquet file cannot be read: it may be damaged or incomplete. Export it again, "
        "or save the table as 'CSV UTF-8'.",
    )


def _parquet_too_large() -> FileRejected:
    return FileRejected(
        "too_large",
        "The Parquet file's contents are too large once unpacked. Split it (for example by "
        "year) and import the parts.",
    )


def _parquet_cell_too_large() -> FileRejected:
    return FileRejected(
        "cell_too_large",
        "The Parquet file holds a very long text (a cell far larger than a figure needs, "
        f"over {MAX_CELL_CHARS:,} characters) or more text than Chorus reads at once. Check "
        "the columns and export it again.",
    )


def check_parquet_file(path: Path, max_bytes: int, max_columns: int) -> Any:
    """Refuse a Parquet file from its footer alone; returns its metadata when it may be read.

    Checked before any row is read: the footer's length (from the last eight bytes), then
    from the footer the number of columns (at most ``max_columns``), the number of cells
    (at most one per byte of the upload limit, as a CSV within the limit holds), the size
    of each column of each row group once decompressed (at most 32 MB, and no more than
    the longest cell allows on average) and of all of them (a few times the limit).
    """
    import pyarrow.parquet as pq

    size = path.stat().st_size
    with open(path, "rb") as handle:
        if size < 12 or handle.read(4) != PARQUET_MAGIC:
            raise _unreadable_parquet()
        handle.seek(size - 8)
        tail = handle.read(8)
    footer = struct.unpack("<i", tail[:4])[0]
    if tail[4:] != PARQUET_MAGIC or footer <= 0 or footer > size - 12:
        raise _unreadable_parquet()
    if footer > MAX_PARQUET_FOOTER_BYTES:
        raise _parquet_too_large()
    try:
        metadata = pq.read_metadata(path)
    except Exception as exc:  # pyarrow's text can name the path or its internals
        raise _unreadable_parquet() from exc
    if metadata.num_columns > max_columns:
        raise FileRejected(
            "too_many_columns",
            f"The file has {metadata.num_columns:,} columns; Chorus reads at most "
            f"{max_columns}. Is this a table turned on its side?",
        )
    if metadata.num_rows * max(metadata.num_columns, 1) > max_bytes:
        raise _parquet_too_large()
    unpacked = 0
    for number in range(metadata.num_row_groups):
        group = metadata.row_group(number)
        for column in range(group.num_columns):
            chunk = group.column(column)
            size = max(chunk.total_uncompressed_size, 0)
            unpacked += size
            if size > MAX_PARQUET_CHUNK_BYTES:
                raise FileRejected(
                    "too_large",
                    "A part of the Parquet file is too large once unpacked. Export it again "
                    "in smaller parts (row groups of about 100,000 rows), or split it.",
                )
            if size > MAX_CELL_CHARS * 4 * max(chunk.num_values, 1):
                raise _parquet_cell_too_large()
    if unpacked > max_bytes * UNCOMPRESSED_FACTOR:
        raise _parquet_too_large()
    return metadata


def check_parquet_batch(batch: Any) -> None:
    """Refuse a batch (a pyarrow RecordBatch read with its text dictionary-encoded) whose
    longest cell or whose decoded text would pass the limits, before it is decoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = 0
    for column in batch.columns:
        dictionary = pa.types.is_dictionary(column.type)
        values = column.dictionary if dictionary else column
        kind = values.type
        is_text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
        if not (is_text or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
            continue
        if len(values) == 0:
            continue
        lengths = pc.binary_length(values)  # bytes: what memory will hold
        cells = pc.utf8_length(values) if is_text else lengths
        if (pc.max(cells).as_py() or 0) > MAX_CELL_CHARS:
            raise _parquet_cell_too_large()
        per_row = pc.take(lengths, column.indices) if dictionary else lengths
        text += pc.sum(per_row).as_py() or 0
        if text > MAX_BATCH_TEXT_BYTES:
            raise _parquet_cell_too_large()
