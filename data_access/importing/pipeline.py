"""Prepare an import: check, stage, validate and spool a file without writing to the database.

``prepare_import`` streams the file chunk by chunk; valid canonical rows are written to
pickled chunk files in a work directory (one per input chunk), so memory stays bounded by
the chunk size whatever the file size. The work directory also keeps ``summary.json`` and
``problems.json``, so a web worker, a background job and a later request can all pick up
the same prepared import (``PreparedImport.load``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import ModuleType

import pandas as pd

from data_access.importing import ees_generic, fingertips, lait, template
from data_access.importing.provenance import clean_source, default_source
from data_access.importing.safety import DEFAULT_MAX_BYTES, FileRejected, inspect_file
from data_access.importing.validation import (
    DuplicateTracker,
    Problem,
    ProblemLog,
    Reference,
    problem,
    validate_staged,
)

FORMATS: dict[str, ModuleType] = {
    "ees": ees_generic,
    "lait": lait,
    "fingertips": fingertips,
    "template": template,
}
DEFAULT_CHUNK_ROWS = 50_000
PREVIEW_ROWS = 10

Progress = Callable[[float, str], None]


@dataclass
class PreparedImport:
    """A validated file waiting for the analyst's decision (see ``commit``)."""

    directory: str
    filename: str
    format: str
    mapping_name: str | None = None
    sha256: str = ""
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    chunk_files: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    rejected: bool = False  # the whole file was refused before parsing
    # Provenance: the source whose figures these are (see ``provenance``), and the
    # publication and release when known.
    source: str = ""
    publication: str | None = None
    release: str | None = None
    problems: ProblemLog = field(default_factory=ProblemLog)

    def save(self) -> None:
        folder = Path(self.directory)
        folder.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data.pop("problems")
        (folder / "summary.json").write_text(json.dumps(data, default=str))
        (folder / "problems.json").write_text(self.problems.to_json())

    @classmethod
    def load(cls, directory: Path | str) -> PreparedImport:
        folder = Path(directory)
        data = json.loads((folder / "summary.json").read_text())
        prepared = cls(**data)
        # The folder may have been copied from another machine: read the chunks from here.
        prepared.directory = str(folder)
        prepared.problems = ProblemLog.from_json((folder / "problems.json").read_text())
        return prepared

    def valid_chunks(self):  # type: ignore[no-untyped-def]
        """Yield the spooled valid rows chunk by chunk (canonical columns plus ``line``)."""
        for name in self.chunk_files:
            yield pd.read_pickle(Path(self.directory) / name)  # noqa: S301 - our own spool

    def summary(self) -> dict[str, object]:
        return {
            "filename": self.filename,
            "format": self.format,
            "mapping": self.mapping_name,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "source": self.source,
            "publication": self.publication,
            "release": self.release,
            "errors": self.problems.count("error"),
            "warnings": self.problems.count("warning"),
            "notes": self.notes,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _catalogue(reference: Reference) -> pd.DataFrame:
    return pd.DataFrame(
        [(i, m[2]) for i, m in reference.indicators.items()], columns=["id", "ci_method"]
    )


def prepare_import(
    path: Path | str,
    fmt: str,
    mapping: dict | None,
    reference: Reference,
    workdir: Path | str,
    *,
    filename: str | None = None,
    mapping_name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
    source: str | None = None,
    publication: str | None = None,
    release: str | None = None,
) -> PreparedImport:
    """Check, stage and validate ``path`` as ``fmt``; spool valid rows under ``workdir``.

    ``source`` names where the figures come from (``provenance.default_source(fmt)``
    when not given); ``publication`` (the mapping's name when not given) and ``release``
    are recorded with the batch.

    A file refused by the safety checks (or whose columns do not fit the format or
    mapping) gives a PreparedImport with ``rejected`` set and one "file" problem.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    path = Path(path)
    prepared = PreparedImport(
        directory=str(workdir),
        filename=filename or path.name,
        format=fmt,
        mapping_name=mapping_name,
        source=clean_source(source) or default_source(fmt),
        publication=(publication or mapping_name or "").strip()[:300] or None,
        release=(release or "").strip()[:100] or None,
    )
    report = progress or (lambda fraction, text: None)
    try:
        facts = inspect_file(path, max_bytes=max_bytes, allow_xlsx=fmt == "template")
        prepared.notes = list(facts.notes)
        prepared.sha256 = file_sha256(path)
        total_rows = max(facts.line_count - 1, 1)
        report(0.02, "File checked; reading rows")
        duplicates = DuplicateTracker()
        catalogue = _catalogue(reference)
        stages = FORMATS[fmt].stage(facts, mapping, reference, chunk_rows)
        for number, chunk in enumerate(stages):
            prepared.rows_read += chunk.rows_read
            prepared.rows_skipped += chunk.skipped
            prepared.problems.extend(_with_indicators(chunk.problems, chunk.staged))
            if chunk.staged.empty:
                continue
            valid, found, overflow = validate_staged(
                chunk.staged,
                reference,
                chunk.source_columns,
                duplicates,
                chunk.error_lines,
                cap=prepared.problems.cap_per_code,
            )
            prepared.problems.extend(found)
            for code, extra in overflow.items():
                prepared.problems.counts[code] += extra
            if not prepared.preview:
                prepared.preview = _preview(valid)
            valid = _with_intervals(valid, catalogue)
            prepared.rows_valid += len(valid)
            prepared.rows_rejected += len(chunk.staged) - len(valid)
            if not valid.empty:
                name = f"valid_{number:05d}.pkl"
                Path(workdir).mkdir(parents=True, exist_ok=True)
                valid.to_pickle(Path(workdir) / name)
                prepared.chunk_files.append(name)
            report(
                min(0.02 + 0.96 * prepared.rows_read / total_rows, 0.98),
                f"Checked {prepared.rows_read:,} of about {total_rows:,} rows",
            )
        # Formula cells in rows no format staged (skipped rows) still count as rejected.
    except FileRejected as exc:
        prepared.rejected = True
        prepared.problems.add(problem("file", None, None, exc.message))
    report(1.0, "Checked")
    prepared.save()
    return prepared


def _with_indicators(problems: list[Problem], staged: pd.DataFrame) -> list[Problem]:
    """The format's problems (formula cells) with the indicator of their line, when staged."""
    if not problems or staged.empty or "indicator" not in staged.columns:
        return problems
    first = staged["indicator"][~staged.index.duplicated()]
    named = []
    for item in problems:
        indicator = first.get(item.line) if item.indicator is None else item.indicator
        text = indicator if isinstance(indicator, str) and indicator.strip() else None
        named.append(replace(item, indicator=text) if text else item)
    return named


def _with_intervals(valid: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """``demo.with_intervals`` for chunks where it can change something, else ``valid``.

    Takes canonical rows and the catalogue (id, ci_method). An interval is worked out only
    for a row whose indicator has a method and that lacks published bounds; without both
    counts it comes out blank, so a row with no counts and no bound is left as it is. Most
    files (LAIT publishes no counts) skip the call, and with it loading the statistics
    modules.
    """
    methods = dict(zip(catalogue["id"], catalogue["ci_method"], strict=True))
    has_method = valid["indicator"].map(methods).isin(["wilson", "byar"])
    lower, upper = valid["lower_ci"].notna(), valid["upper_ci"].notna()
    counts = valid["numerator"].notna() & valid["denominator"].notna()
    if not (has_method & ~(lower & upper) & (counts | lower | upper)).any():
        return valid
    from data_access.importing.intervals import with_intervals

    return with_intervals(valid, catalogue)


def _preview(valid: pd.DataFrame) -> list[dict]:
    head = valid.head(PREVIEW_ROWS).copy()
    for column in ("period_start", "period_end"):
        head[column] = head[column].astype(str)
    return json.loads(head.to_json(orient="records"))
