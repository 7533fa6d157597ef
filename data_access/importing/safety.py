"""Checks a file must pass before any parser sees it, and formula-injection helpers.

Why: uploaded files come from anywhere. A workbook renamed .csv, a UTF-16 export, an empty
file, a 200 MB dump or a 10,000-column sheet must each get a clear message, not a crash or
a worker that swaps. Everything here streams the file in blocks, so memory stays bounded
whatever the size. Cells such as ``=HYPERLINK(...)`` are flagged on the way in and
neutralised on the way out (every CSV Chorus writes goes through ``neutralise_formula``).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data_access.importing.distinct import map_distinct
from data_access.importing.errors import FileRejected
from data_access.importing.limits import (
    PARQUET_MAGIC,
    check_parquet_batch,
    check_parquet_file,
    check_xlsx_archive,
)
from rules.files import (  # noqa: F401 - is_formula and neutralise_frame re-exported here
    FORMULA_PATTERN,
    is_formula,
    neutralise_cell,
    neutralise_frame,
)

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
MAX_COLUMNS = 500
BLOCK_BYTES = 1 << 20
MAX_HEADER_BYTES = 1 << 20
PARQUET_BATCH_ROWS = 50_000
ENCODINGS = ("utf-8-sig", "cp1252")

# Magic numbers of files people upload by mistake, with a hint for each.
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook or zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)

# A cell a spreadsheet would run as a formula: starts with = or @ (or a tab or carriage
# return that hides one), or + / - followed by anything that is not a plain number.
# A bare "-" is LAIT's symbol for "not available" and "-5.2" is a number: both are fine.
_FORMULA = FORMULA_PATTERN


@dataclass(frozen=True)
class FileFacts:
    """What the safety checks learnt about a file."""

    path: Path
    size: int
    kind: str  # "csv", "xlsx" or "parquet"
    encoding: str | None  # None for xlsx and parquet
    columns: list[str]
    line_count: int  # physical lines including the header (csv), rows (xlsx)
    notes: list[str] = field(default_factory=list)


def neutralise_formula(value: object) -> object:
    """Make a cell safe to open in a spreadsheet (the rule is ``rules.files``)."""
    return neutralise_cell(value)


def formula_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame: True where a text cell looks like a formula."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for column in frame.columns:
        if _is_text(frame[column]):
            mask[column] = _formula_flags(frame[column])
    return mask


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def _formula_flags(series: pd.Series) -> np.ndarray:
    # Checked once per distinct cell: a column holds few distinct values.
    flags = map_distinct(series, lambda v: bool(_FORMULA.match(str(v))), False)
    return flags.to_numpy(dtype=bool)


def _stripped(value: object) -> str | None:
    return str(value).strip() or None


def _reject_signatures(head: bytes, allow_xlsx: bool) -> None:
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            if allow_xlsx and signature == b"PK\x03\x04":
                return
            hint = (
                " Save it as 'CSV UTF-8' first (or choose the Chorus template format for .xlsx)."
                if "Excel" in what
                else ""
            )
            raise FileRejected("binary", f"This file looks like {what}, not a CSV.{hint}")
    if b"\x00" in head:
        raise FileRejected(
            "binary", "This file contains binary data (NUL bytes), so it is not a CSV."
        )


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, read block by block.

    Raises FileRejected when the bytes are neither.
    """
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with open(path, "rb") as handle:
                while block := handle.read(BLOCK_BYTES):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        "encoding",
        "The file is not text in UTF-8 or Windows-1252. In Excel choose 'Save as' and "
        "'CSV UTF-8 (comma delimited)', then upload it again.",
    )


def count_lines(path: Path) -> int:
    """Physical lines in the file (a last line without a newline counts)."""
    lines, last = 0, b""
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (1 if last and last != b"\n" else 0)


def _read_header(path: Path, encoding: str) -> list[str]:
    with open(path, "rb") as handle:
        head = handle.read(MAX_HEADER_BYTES)
    text = head.decode(encoding, errors="replace")
    if "\n" not in text and len(head) == MAX_HEADER_BYTES:
        raise FileRejected(
            "header_too_long", "The first line is longer than 1 MB: this is not a table."
        )
    first = text.splitlines()[0] if text.splitlines() else ""
    return next(csv.reader(io.StringIO(first)), [])


def _check_columns(columns: list[str], max_columns: int) -> list[str]:
    columns = [c.strip() for c in columns]
    if len(columns) > max_columns:
        raise FileRejected(
            "too_many_columns",
            f"The file has {len(columns):,} columns; Chorus reads at most {max_columns}. "
            "Is this a table turned on its side?",
        )
    named = [c for c in columns if c]
    duplicates = sorted({c for c in named if named.count(c) > 1})
    if duplicates:
        raise FileRejected(
            "duplicate_columns", f"Column names appear more than once: {', '.join(duplicates)}."
        )
    return columns


def inspect_file(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    allow_xlsx: bool = False,
) -> FileFacts:
    """Run every safety check on ``path`` and describe the file; raises FileRejected.

    Checks, in order: size (empty, over ``max_bytes``), binary signatures and NUL bytes,
    encoding (UTF-8, then Windows-1252 with a note), the header (at most ``max_columns``
    columns, no repeated names) and that there is at least one data row. An .xlsx is
    allowed only when ``allow_xlsx`` (the Chorus template). A Parquet file (known by its
    content; a file named .parquet that is not one is refused) is read for every format,
    checked from its footer and then batch by batch before any row is parsed.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("empty", "The file is empty.")
    if size > max_bytes:
        raise FileRejected(
            "too_large",
            f"The file is {size / 1_048_576:,.0f} MB; the limit is {max_bytes / 1_048_576:,.0f} "
            "MB. Split it (for example by year) and import the parts.",
        )
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith(PARQUET_MAGIC):
        return _inspect_parquet(path, size, max_bytes, max_columns)
    if path.suffix.lower() == ".parquet":
        raise FileRejected(
            "binary",
            "This file is named .parquet but is not a Parquet file. Export the table as "
            "Parquet again, or save it as 'CSV UTF-8' and upload that.",
        )
    _reject_signatures(head, allow_xlsx)
    if allow_xlsx and head.startswith(b"PK\x03\x04"):
        check_xlsx_archive(path, max_bytes)  # from the zip directory, before parsing
        return _inspect_xlsx(path, size, max_columns)
    encoding = detect_encoding(path)
    notes = []
    if encoding == "cp1252":
        notes.append(
            "The file is not UTF-8; it was read as Windows-1252 (Excel's 'CSV'). Check that "
            "names with accents look right, or save as 'CSV UTF-8' next time."
        )
    if not head.decode(encoding, errors="replace").strip():
        raise FileRejected("empty", "The file holds only blank space.")
    columns = _check_columns(_read_header(path, encoding), max_columns)
    lines = count_lines(path)
    if lines < 2:
        raise FileRejected("empty", "The file has column names but no rows.")
    return FileFacts(path, size, "csv", encoding, columns, lines, notes)


def _inspect_xlsx(path: Path, size: int, max_columns: int) -> FileFacts:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a broken zip or a workbook openpyxl cannot read
        # The library's text can hold a server path or class names: say it plainly.
        raise FileRejected(
            "binary",
            "This workbook cannot be read: it may be damaged or not really an Excel file. "
            "Open it in Excel and save it again as .xlsx, or save it as 'CSV UTF-8'.",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileRejected("empty", "The workbook's first sheet is empty.")
        columns = _check_columns(["" if c is None else str(c) for c in header], max_columns)
        while columns and not columns[-1]:
            columns.pop()
        has_row = any(any(v not in (None, "") for v in row) for row in rows)
        if not has_row:
            raise FileRejected("empty", "The workbook has column names but no rows.")
        count = sheet.max_row or 0
    finally:
        workbook.close()
    return FileFacts(path, size, "xlsx", None, columns, count, [])


def _parquet_batches(facts: FileFacts, batch_rows: int) -> Iterator[Any]:
    """The file's record batches with text and binary columns dictionary-encoded, each
    checked against the cell and text limits before anyone decodes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(facts.path)
        textual = [
            f.name
            for f in schema
            if pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)
            or pa.types.is_binary(f.type)
            or pa.types.is_large_binary(f.type)
        ]
        parquet = pq.ParquetFile(facts.path, read_dictionary=textual)
        batches = parquet.iter_batches(batch_size=batch_rows)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            check_parquet_batch(batch)
            yield batch
    except FileRejected:
        raise
    except Exception as exc:  # pyarrow's text can name the path or its internals
        raise FileRejected(
            "binary",
            "This Parquet file cannot be read: it may be damaged or incomplete. Export it "
            "again, or save the table as 'CSV UTF-8'.",
        ) from exc


def _inspect_parquet(path: Path, size: int, max_bytes: int, max_columns: int) -> FileFacts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    metadata = check_parquet_file(path, max_bytes, max_columns)
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # checked above; a footer pyarrow still cannot turn into a schema
        raise FileRejected(
            "binary", "This Parquet file cannot be read: it may be damaged or incomplete."
        ) from exc
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise FileRejected(
            "nested_columns",
            "Some columns hold lists or groups of values rather than one value a cell ("
            + ", ".join(nested[:5])
            + "). Export a flat table, one value in each cell.",
        )
    columns = _check_columns([str(name) for name in schema.names], max_columns)
    if metadata.num_rows == 0:
        raise FileRejected("empty", "The Parquet file has column names but no rows.")
    facts = FileFacts(path, size, "parquet", None, columns, metadata.num_rows + 1, [])
    for _ in _parquet_batches(facts, PARQUET_BATCH_ROWS):
        pass  # every batch within the limits, before any row is parsed
    return facts


@dataclass
class RawChunk:
    """Rows of a file as text, with ``line`` (1-based line of the file) and formula flags."""

    frame: pd.DataFrame
    formula_cells: list[tuple[int, str, str]]  # (line, column, value)


def read_csv_chunks(
    facts: FileFacts, chunk_rows: int = 50_000, usecols: list[str] | None = None
) -> Iterator[RawChunk]:
    """Stream a checked CSV as text chunks of ``chunk_rows`` rows.

    Every cell is a string with surrounding spaces removed (blank cells are NaN), so
    symbols survive. ``line`` assumes one physical line per row, which holds for the
    published formats; a quoted field spanning lines shifts later line numbers.
    """
    reader = pd.read_csv(
        facts.path,
        dtype=str,
        encoding=facts.encoding,
        keep_default_na=False,
        na_values=[""],
        chunksize=chunk_rows,
        skipinitialspace=False,
        usecols=usecols,
    )
    offset = 2  # line 1 is the header
    for frame in reader:
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        yield _as_chunk(frame)


def read_xlsx_chunks(facts: FileFacts, chunk_rows: int = 50_000) -> Iterator[RawChunk]:
    """Stream the first sheet of a checked workbook as text chunks (openpyxl read-only)."""
    from openpyxl import load_workbook

    workbook = load_workbook(facts.path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        next(rows, None)
        width = len(facts.columns)
        buffer: list[list[object]] = []
        line = 2
        start = line
        for row in rows:
            values = [_cell_text(v) for v in list(row)[:width]]
            values += [None] * (width - len(values))
            buffer.append(values)
            line += 1
            if len(buffer) >= chunk_rows:
                yield _xlsx_chunk(buffer, facts.columns, start)
                buffer, start = [], line
        if buffer:
            yield _xlsx_chunk(buffer, facts.columns, start)
    finally:
        workbook.close()


def read_parquet_chunks(facts: FileFacts, chunk_rows: int = 50_000) -> Iterator[RawChunk]:
    """Stream a checked Parquet file as text chunks, as a CSV is read: every cell a
    string with surrounding spaces removed (numbers as written, whole numbers without
    ".0"), blank cells None; ``line`` counts the column names as line 1."""
    line = 2
    for batch in _parquet_batches(facts, chunk_rows):
        frame = pd.DataFrame(
            {
                position: map_distinct(
                    pd.Series(column.to_pandas(), dtype=object), _cell_text, None
                ).to_numpy(dtype=object)
                for position, column in enumerate(batch.columns)
            },
            dtype=object,
        )
        frame.columns = facts.columns
        frame.index = pd.RangeIndex(line, line + len(frame))
        line += len(frame)
        blank = frame.isna().all(axis=1)
        yield _as_chunk(frame[~blank])


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _xlsx_chunk(rows: list[list[object]], columns: list[str], start: int) -> RawChunk:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.index = pd.RangeIndex(start, start + len(frame))
    blank = frame.isna().all(axis=1)
    return _as_chunk(frame[~blank])


def _as_chunk(frame: pd.DataFrame) -> RawChunk:
    """Formula cells (row by row, then column by column) and every cell stripped, blank
    cells None, each worked out once per distinct value of a column."""
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    for position, column in enumerate(frame.columns):
        if _is_text(frame[column]):
            hits = np.flatnonzero(_formula_flags(frame[column]))
            rows.append(hits)
            columns.append(np.full(len(hits), position))
    cells: list[tuple[int, str, str]] = []
    if rows and sum(len(r) for r in rows):
        row_of, column_of = np.concatenate(rows), np.concatenate(columns)
        for i in np.lexsort((column_of, row_of)):
            r, c = int(row_of[i]), int(column_of[i])
            cells.append((int(frame.index[r]), str(frame.columns[c]), str(frame.iat[r, c])))
    for column in frame.columns:
        frame[column] = map_distinct(frame[column], _stripped)
    return RawChunk(frame, cells)


def read_chunks(facts: FileFacts, chunk_rows: int = 50_000) -> Iterator[RawChunk]:
    """CSV, workbook or Parquet, whichever ``facts`` describes."""
    if facts.kind == "xlsx":
        return read_xlsx_chunks(facts, chunk_rows)
    if facts.kind == "parquet":
        return read_parquet_chunks(facts, chunk_rows)
    return read_csv_chunks(facts, chunk_rows)
