"""Revision-aware commit of a prepared import, and rollback of a whole batch.

Every observation is identified by (indicator, area, breakdown, breakdown value, period
start, period end). Committing a row that:

- does not exist yet inserts it (``new``);
- exists with the same figures changes nothing (``unchanged``): importing the same file
  twice is a no-op apart from the batch record;
- exists with different figures (a publisher's revision) copies the old figures to
  ``observation_history`` (with the batch that replaces them) and updates the row
  (``changed``).

A row from another source is first weighed by ``provenance.classify``: a value-only row
that agrees with a stored row holding counts only *confirms* it (recorded in
``observation_confirmations``), and a figure that disagrees with another source's is a
conflict, listed with both values, that the analyst's precedence for the indicator settles
(without one, the stored figure stays).

The global data version is bumped once per batch that inserts or changes anything, so
annotations written on the old figures can be flagged. Rolling a batch back deletes the
rows it inserted and restores the rows it changed from history; it refuses while a later
batch has revised the same rows (roll that one back first).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from data_access.importing.canonical import OBSERVATION_COLUMNS
from data_access.importing.distinct import map_distinct
from data_access.importing.pipeline import PreparedImport
from data_access.importing.provenance import (
    CONFIRMED,
    CONFLICT_KEPT,
    CONFLICT_REPLACED,
    WRITES,
    Precedence,
    classify,
    precedence,
)
from data_access.models import (
    ImportBatch,
    Indicator,
    Observation,
    ObservationConfirmation,
    ObservationHistory,
    utcnow,
)
from data_access.observations import bump_data_version, current_data_version
from data_access.users import UserRecord, write_audit
from rules.ownership import REFUSED_AREA_MESSAGE, may_write_figure

VALID_ONLY, ALL_OR_NOTHING = "valid_only", "all_or_nothing"
MODES = (VALID_ONLY, ALL_OR_NOTHING)
FIGURES = ["numerator", "denominator", "value", "lower_ci", "upper_ci"]
KEY = ["indicator", "area_code", "breakdown", "breakdown_value", "period_start", "period_end"]
MAX_CHANGES_LISTED = 500


class RollbackRefused(RuntimeError):
    """A batch cannot be rolled back yet (already rolled back, or revised by a later one)."""


@dataclass
class CommitResult:
    batch_id: int
    status: str  # committed, partial, rejected, unchanged
    rows_read: int = 0  # figures: see ``counts``
    rows_skipped: int = 0
    rows_inserted: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    rows_confirmed: int = 0  # unchanged rows another source confirmed
    rows_conflicting: int = 0  # rows whose figure another source gave differently
    rows_conflicts_replaced: int = 0  # ... of which the precedence let this source replace
    data_version: int = 0
    source: str = ""
    changes: list[dict] = field(default_factory=list)
    confirmations: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        """The summary, in figures: read = committed + unchanged + skipped + rejected.

        ``committed`` is new plus revised figures; ``unchanged`` includes the figures
        another source confirmed and the conflicts that kept the stored figure.
        """
        return {
            "read": self.rows_read,
            "committed": self.rows_inserted + self.rows_changed,
            "unchanged": self.rows_unchanged,
            "skipped": self.rows_skipped,
            "rejected": self.rows_rejected,
            "new": self.rows_inserted,
            "revised": self.rows_changed,
            "confirmed": self.rows_confirmed,
            "conflicts": self.rows_conflicting,
            "conflicts_replaced": self.rows_conflicts_replaced,
        }

    def summary_text(self) -> str:
        """One sentence of the counts, for the command line and the page."""
        c = self.counts()
        return (
            f"Figures read {c['read']:,}: committed {c['committed']:,} (new {c['new']:,}, "
            f"revised {c['revised']:,}), unchanged {c['unchanged']:,}, skipped "
            f"{c['skipped']:,}, rejected {c['rejected']:,}."
        )


def _same_number(a: object, b: object) -> bool:
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _status(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


_STORED = ["id", "indicator_id", "area_code", "breakdown", "breakdown_value", "period_start",
          "period_end", "period_label", *FIGURES, "status", "batch_id", "data_version",
          "source"]  # fmt: skip
# One query per breakdown cell over the chunk's areas and periods, in plain SQL: the lists
# travel as one parameter each (a JSON array on SQLite, an array on PostgreSQL), so the
# statement text stays the same and the driver can reuse it.
_EXISTING_SQLITE = f"""
SELECT {", ".join(_STORED)} FROM observations
WHERE indicator_id = ? AND breakdown = ? AND breakdown_value = ?
  AND area_code IN (SELECT value FROM json_each(?))
  AND period_start IN (SELECT value FROM json_each(?))
"""  # noqa: S608 - fixed names
_EXISTING_POSTGRESQL = f"""
SELECT {", ".join(_STORED)} FROM observations
WHERE indicator_id = %s AND breakdown = %s AND breakdown_value = %s
  AND area_code = ANY(%s::text[]) AND period_start = ANY(%s::date[])
"""  # noqa: S608 - fixed names


def _existing(session: Session, rows: pd.DataFrame) -> pd.DataFrame:
    """Stored observations that share a key with ``rows``.

    Takes canonical rows; returns columns id, ``KEY``, period_label, ``FIGURES``, status,
    batch_id, data_version, source. One query per breakdown cell (indicator, breakdown, breakdown
    value) over the chunk's areas and periods: per indicator alone, a chunk would read
    back every other cell of the indicator that earlier chunks had just written.
    """
    connection = session.connection()
    postgresql = session.get_bind().dialect.name == "postgresql"
    found = []
    cells = ["indicator", "breakdown", "breakdown_value"]
    for (indicator, breakdown, breakdown_value), part in rows.groupby(cells, sort=False):
        areas = sorted(part["area_code"].unique())
        starts = sorted(part["period_start"].unique())
        if postgresql:
            parameters = (indicator, breakdown, breakdown_value, areas, starts)
            result = connection.exec_driver_sql(_EXISTING_POSTGRESQL, parameters)
        else:  # SQLite keeps dates as ISO text
            iso = json.dumps([d.isoformat() for d in starts])
            parameters = (indicator, breakdown, breakdown_value, json.dumps(areas), iso)
            result = connection.exec_driver_sql(_EXISTING_SQLITE, parameters)
        found.extend(result.all())
    names = ["id", *KEY, "period_label", *FIGURES, "status", "batch_id", "data_version", "source"]
    frame = pd.DataFrame(found, columns=names)
    if not postgresql:
        for column in ("period_start", "period_end"):
            frame[column] = map_distinct(frame[column], date.fromisoformat)
    for column in FIGURES:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _changed(merged: pd.DataFrame) -> pd.Series:
    """True where a stored row's figures, symbol or label differ from the file's."""
    mask = pd.Series(False, index=merged.index)
    for name in FIGURES:
        new = merged[name].astype(float).to_numpy()
        old = merged[name + "_old"].astype(float).to_numpy()
        same = np.isclose(new, old, rtol=1e-9, atol=1e-9, equal_nan=True)
        mask |= ~pd.Series(same, index=merged.index)
    status_new = merged["status"].map(_status).fillna("")
    status_old = merged["status_old"].map(_status).fillna("")
    mask |= status_new != status_old
    mask |= merged["period_label"].astype(str) != merged["period_label_old"].astype(str)
    return mask


def commit_prepared(
    session: Session,
    prepared: PreparedImport,
    mode: str = VALID_ONLY,
    *,
    user: UserRecord | None = None,
    created_by: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    organisation_code: str | None = None,
) -> CommitResult:
    """Write the valid rows of ``prepared`` (or nothing) and record the batch either way.

    ``mode``: VALID_ONLY commits the valid rows even when other rows had errors;
    ALL_OR_NOTHING commits nothing when the file had any error. Returns what changed.
    Rows the importing organisation (the user's, or ``organisation_code`` from the command
    line) may not write are refused by :func:`rules.ownership.may_write_figure`.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    report = progress or (lambda fraction, text: None)
    acting = user.organisation_code if user else organisation_code
    allowed = _ownership_filter(session, acting)
    refused = _count_refused(prepared, allowed) if mode == ALL_OR_NOTHING else 0
    has_errors = prepared.problems.has_errors or prepared.rejected or refused > 0
    batch = ImportBatch(
        filename=prepared.filename[:300],
        format=prepared.format,
        sha256=prepared.sha256 or None,
        rows_total=prepared.rows_read,
        rows_rejected=prepared.rows_rejected,
        organisation_id=user.organisation_id if user else None,
        created_by=(user.username if user else created_by) or "unknown",
        status="pending",
        source=prepared.source or None,
        publication=prepared.publication,
        release=prepared.release,
    )
    session.add(batch)
    session.flush()
    # Counted in figures: a line of a wide file holding three indicators is three figures;
    # a line the mapping skips is one. read = committed + unchanged + skipped + rejected.
    read = prepared.rows_valid + prepared.rows_rejected + prepared.rows_skipped
    result = CommitResult(batch.id, "pending", rows_read=read, source=prepared.source)
    result.rows_skipped = prepared.rows_skipped
    result.rows_rejected = prepared.rows_rejected
    if prepared.rejected or (has_errors and mode == ALL_OR_NOTHING) or prepared.rows_valid == 0:
        result.status = "rejected"
        # Nothing is written: every figure that was not skipped is rejected with the file.
        result.rows_rejected = prepared.rows_valid + prepared.rows_rejected
        result.message = (
            "Nothing was written: the file was refused."
            if prepared.rejected
            else "Nothing was written. " + REFUSED_AREA_MESSAGE.format(count=refused)
            if refused
            else "Nothing was written: the file has errors and you chose all or nothing."
            if has_errors and mode == ALL_OR_NOTHING
            else "Nothing was written: no row was valid."
        )
    else:
        refused = _upsert_all(session, prepared, batch.id, result, report, allowed)
        result.rows_rejected += refused
        has_errors = has_errors or refused > 0
        changed = result.rows_inserted + result.rows_changed
        if changed == 0 and refused:
            result.status = "rejected"
            result.message = "Nothing was written."
        elif changed == 0:
            result.status = "unchanged"
            result.message = "Every row matched the figures already stored: nothing changed."
        else:
            result.status = "partial" if has_errors else "committed"
            result.message = (
                f"{result.rows_inserted:,} new and {result.rows_changed:,} revised figures "
                f"written; {result.rows_unchanged:,} unchanged."
            )
        result.message += _provenance_message(result)
        if refused:
            result.message += " " + REFUSED_AREA_MESSAGE.format(count=refused)
    result.data_version = current_data_version(session)
    batch.status = result.status
    batch.rows_loaded = result.rows_inserted + result.rows_changed
    batch.rows_changed = result.rows_changed
    batch.report = json.dumps(
        {
            "summary": prepared.summary(),
            "result": {
                k: v
                for k, v in result.as_dict().items()
                if k not in ("changes", "confirmations", "conflicts")
            },
            "counts": result.counts(),
            "changes": result.changes,
            "confirmations": result.confirmations,
            "conflicts": result.conflicts,
            "problem_counts": dict(prepared.problems.counts),
            "problems": [p.as_dict() for p in prepared.problems.problems[:1000]],
        },
        default=str,
    )
    write_audit(
        session,
        "data.import",
        user=user,
        username=created_by,
        object_type="import_batch",
        object_id=batch.id,
        outcome="success" if result.status != "rejected" else "rejected",
        detail={
            "file": prepared.filename,
            "format": prepared.format,
            "status": result.status,
            "inserted": result.rows_inserted,
            "changed": result.rows_changed,
            "rejected": result.rows_rejected,
            "confirmed": result.rows_confirmed,
            "conflicts": result.rows_conflicting,
        },
    )
    session.flush()
    report(1.0, "Done")
    return result


def _upsert_all(
    session: Session,
    prepared: PreparedImport,
    batch_id: int,
    result: CommitResult,
    report: Callable[[float, str], None],
    allowed: Callable[[pd.DataFrame], pd.Series] | None = None,
) -> int:
    """Write every chunk; returns how many rows the ownership rule refused."""
    version: int | None = None
    done = 0
    refused = 0
    ranks: Precedence | None = None
    for rows in prepared.valid_chunks():
        done += len(rows)
        if allowed is not None:
            keep = allowed(rows)
            refused += int((~keep).sum())
            rows = rows[keep]
            if rows.empty:
                continue
        existing = _existing(session, rows)
        merged = rows.merge(
            existing.rename(columns={c: c + "_old" for c in existing.columns if c not in KEY}),
            on=KEY,
            how="left",
        )
        is_new = merged["id_old"].isna()
        new_rows = merged[is_new]
        old_rows = merged[~is_new]
        if ranks is None and len(old_rows):
            ranks = precedence(session)
        outcome = classify(old_rows, _changed(old_rows), prepared.source, ranks or {})
        changed = old_rows[outcome.isin(WRITES)]
        result.rows_unchanged += len(old_rows) - len(changed)
        _record_provenance(session, old_rows, outcome, prepared.source, batch_id, result)
        if (len(new_rows) or len(changed)) and version is None:
            version = bump_data_version(session)
        if len(new_rows):
            _insert(session, new_rows, batch_id, version, prepared.source or None)  # type: ignore[arg-type]
            result.rows_inserted += len(new_rows)
        if len(changed):
            _revise(session, changed, batch_id, version, result, prepared.source or None)  # type: ignore[arg-type]
            result.rows_changed += len(changed)
        report(
            min(done / max(prepared.rows_valid, 1), 0.99),
            f"Written {done:,} of {prepared.rows_valid:,} rows",
        )
    return refused


def _place(r: dict) -> dict[str, object]:
    return {
        "indicator": r["indicator"],
        "area_code": r["area_code"],
        "period": r["period_label"],
        "breakdown": r["breakdown"],
        "breakdown_value": r["breakdown_value"],
    }


def _figure(r: dict, suffix: str = "") -> dict[str, object]:
    return {
        "value": _clean(r["value" + suffix]),
        "numerator": _clean(r["numerator" + suffix]),
        "denominator": _clean(r["denominator" + suffix]),
        "lower_ci": _clean(r["lower_ci" + suffix]),
        "upper_ci": _clean(r["upper_ci" + suffix]),
        "status": _status(r["status" + suffix]),
    }


def _record_provenance(
    session: Session,
    old_rows: pd.DataFrame,
    outcome: pd.Series,
    source: str,
    batch_id: int,
    result: CommitResult,
) -> None:
    """Count and list the confirmations and conflicts of a chunk; store the confirmations
    (once per observation and source, so importing the same file again adds nothing)."""
    confirmed = old_rows[outcome == CONFIRMED]
    conflicts = old_rows[outcome.isin([CONFLICT_KEPT, CONFLICT_REPLACED])]
    result.rows_confirmed += len(confirmed)
    result.rows_conflicting += len(conflicts)
    result.rows_conflicts_replaced += int((outcome == CONFLICT_REPLACED).sum())
    room = max(MAX_CHANGES_LISTED - len(result.confirmations), 0)
    for r in confirmed.head(room).to_dict("records"):
        result.confirmations.append(
            {
                **_place(r),
                "outcome": "confirmed",
                "value": _clean(r["value"]),
                "status": _status(r["status"]),
                "source": source,
                "stored_value": _clean(r["value_old"]),
                "stored_source": r["source_old"] if isinstance(r["source_old"], str) else None,
            }
        )
    room = max(MAX_CHANGES_LISTED - len(result.conflicts), 0)
    kinds = outcome[conflicts.index]
    for r, kind in zip(conflicts.head(room).to_dict("records"), kinds, strict=False):
        result.conflicts.append(
            {
                **_place(r),
                "outcome": "replaced" if kind == CONFLICT_REPLACED else "kept",
                "stored": _figure(r, "_old"),
                "stored_source": r["source_old"] if isinstance(r["source_old"], str) else None,
                "file": _figure(r),
                "file_source": source,
                "message": _conflict_message(r, source, kind),
            }
        )
    if confirmed.empty:
        return
    _store_confirmations(session, confirmed, source, batch_id)


def _store_confirmations(
    session: Session, confirmed: pd.DataFrame, source: str, batch_id: int
) -> None:
    """Insert a confirmation per row not yet confirmed by ``source`` (plain DBAPI
    executemany, as ``_insert``: hundreds of thousands of rows when a whole publication
    confirms another)."""
    table = ObservationConfirmation.__table__
    known = set(
        session.execute(select(table.c.observation_id).where(table.c.source == source)).scalars()
    )
    ids = confirmed["id_old"].astype(np.int64).to_numpy()
    fresh = ~np.isin(ids, np.fromiter(known, dtype=np.int64, count=len(known)))
    if not fresh.any():
        return
    rows = confirmed[fresh]
    dialect = session.get_bind().dialect
    stamp = table.c.confirmed_at.type.bind_processor(dialect)
    now = stamp(utcnow()) if stamp else utcnow()
    records = list(
        zip(
            ids[fresh].tolist(),
            _column_values(rows, "value"),
            _column_values(rows, "status"),
            strict=True,
        )
    )
    marker = "?" if dialect.name == "sqlite" else "%s"
    statement = (
        "INSERT INTO observation_confirmations "  # noqa: S608 - fixed names and an integer
        "(observation_id, value, status, source, batch_id, confirmed_at) "
        f"VALUES ({marker}, {marker}, {marker}, {marker}, {int(batch_id)}, {marker})"
    )
    connection = session.connection()
    for start in range(0, len(records), 10_000):
        part = [(*r, source, now) for r in records[start : start + 10_000]]
        connection.exec_driver_sql(statement, part)


def _shown(r: dict, suffix: str = "") -> str:
    status = _status(r["status" + suffix])
    if status:
        return f"'{status}'"
    value = _clean(r["value" + suffix])
    text = "blank" if value is None else f"{float(value):g}"  # type: ignore[arg-type]
    numerator, denominator = _clean(r["numerator" + suffix]), _clean(r["denominator" + suffix])
    if numerator is not None and denominator is not None:
        text += f" ({float(numerator):g} of {float(denominator):g})"  # type: ignore[arg-type]
    return text


def _conflict_message(r: dict, source: str, kind: str) -> str:
    stored_source = r["source_old"] if isinstance(r["source_old"], str) else "an unknown source"
    where = f"{r['indicator']}, {r['area_code']}, {r['period_label']}" + (
        "" if r["breakdown"] == "total" else f", {r['breakdown']} {r['breakdown_value']}"
    )
    said = f"{where}: {stored_source} gives {_shown(r, '_old')}, {source} gives {_shown(r)}."
    if kind == CONFLICT_REPLACED:
        return said + f" {source} comes first for this indicator: its figure replaced the other."
    return said + f" The {stored_source} figure stays (no precedence puts {source} first)."


def _provenance_message(result: CommitResult) -> str:
    parts = []
    if result.rows_confirmed:
        parts.append(
            f" {result.rows_confirmed:,} stored figure"
            f"{'s' if result.rows_confirmed != 1 else ''} confirmed by {result.source}."
        )
    if result.rows_conflicting:
        kept = result.rows_conflicting - result.rows_conflicts_replaced
        parts.append(
            f" {result.rows_conflicting:,} conflict{'s' if result.rows_conflicting != 1 else ''}"
            f" with another source: {kept:,} kept the stored figure, "
            f"{result.rows_conflicts_replaced:,} replaced it by precedence."
        )
    return "".join(parts)


def _ownership_filter(
    session: Session, organisation_code: str | None
) -> Callable[[pd.DataFrame], pd.Series] | None:
    """A function marking the rows the organisation may write, or None when it may write all.

    Takes canonical rows (indicator, area_code); the rule itself is
    :func:`rules.ownership.may_write_figure`, asked once per distinct (indicator, area).
    """
    if organisation_code is None:
        return None
    published = {
        indicator
        for indicator, url in session.execute(select(Indicator.id, Indicator.publisher_url))
        if url and url.strip()
    }

    def allowed(rows: pd.DataFrame) -> pd.Series:
        pairs = rows[["indicator", "area_code"]].drop_duplicates()
        verdict = {
            (i, a): may_write_figure(organisation_code, a, published=i in published)
            for i, a in pairs.itertuples(index=False)
        }
        keys = zip(rows["indicator"], rows["area_code"], strict=True)
        return pd.Series([verdict[k] for k in keys], index=rows.index, dtype=bool)

    return allowed


def _count_refused(
    prepared: PreparedImport, allowed: Callable[[pd.DataFrame], pd.Series] | None
) -> int:
    if allowed is None:
        return 0
    return sum(int((~allowed(rows)).sum()) for rows in prepared.valid_chunks())


def _column_values(rows: pd.DataFrame, name: str) -> list[object]:
    """One column as Python values for the driver: NaN figures and blank symbols None."""
    if name == "status":
        return map_distinct(rows[name], _status).tolist()
    if name in FIGURES and rows[name].dtype == np.float64:
        numbers = rows[name].to_numpy()
        values = numbers.astype(object)
        values[np.isnan(numbers)] = None  # NaN -> NULL
        return values.tolist()
    values = rows[name].tolist()
    if name in FIGURES:
        return [None if v != v else v for v in values]
    return values


def _insert(
    session: Session, rows: pd.DataFrame, batch_id: int, version: int, source: str | None
) -> None:
    """New observations: COPY on PostgreSQL, one DBAPI executemany on SQLite."""
    # Plain DBAPI with one tuple per row: SQLAlchemy's per-row parameter processing (and
    # the ORM's grouping by NULL pattern) cost several times the insert.
    dialect = session.get_bind().dialect
    names = {"indicator": "indicator_id"}
    columns = [_column_values(rows, c) for c in OBSERVATION_COLUMNS]
    targets = [names.get(c, c) for c in OBSERVATION_COLUMNS]
    connection = session.connection()
    columns.append([source] * len(rows))
    targets.append("source")
    if dialect.name == "postgresql" and dialect.driver == "psycopg":  # psycopg 3 has COPY
        count = len(rows)
        records = zip(*columns, [batch_id] * count, [version] * count, strict=True)
        driver = connection.connection.driver_connection
        statement = (
            f"COPY observations ({', '.join([*targets, 'batch_id', 'data_version'])}) FROM STDIN"
        )
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for record in records:
                copy.write_row(record)
        return
    sqlite = dialect.name == "sqlite"
    if sqlite:  # SQLAlchemy stores dates in SQLite as ISO text
        for name in ("period_start", "period_end"):
            position = OBSERVATION_COLUMNS.index(name)
            iso = map_distinct(rows[name], lambda d: d.isoformat())
            columns[position] = iso.tolist()
    records = list(zip(*columns, strict=True))
    marker = "?" if sqlite else "%s"
    # batch and version are the same for every row: integers written into the statement.
    statement = (
        f"INSERT INTO observations ({', '.join([*targets, 'batch_id', 'data_version'])}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join([marker] * len(targets))}, {int(batch_id)}, {int(version)})"
    )
    for start in range(0, len(records), 10_000):
        connection.exec_driver_sql(statement, records[start : start + 10_000])


def _revise(
    session: Session,
    rows: pd.DataFrame,
    batch_id: int,
    version: int,
    result: CommitResult,
    source: str | None,
) -> None:
    now = utcnow()
    history = []
    updates = []
    for r in rows.to_dict("records"):
        history.append(
            {
                "observation_id": int(r["id_old"]),
                **{f: _clean(r[f + "_old"]) for f in FIGURES},
                "status": _status(r["status_old"]),
                "batch_id": None if pd.isna(r["batch_id_old"]) else int(r["batch_id_old"]),
                "data_version": int(r["data_version_old"]),
                "source": r["source_old"] if isinstance(r["source_old"], str) else None,
                "replaced_by_batch_id": batch_id,
                "replaced_at": now,
            }
        )
        updates.append(
            {
                "id": int(r["id_old"]),
                "period_label": r["period_label"],
                **{f: _clean(r[f]) for f in FIGURES},
                "status": _status(r["status"]),
                "batch_id": batch_id,
                "data_version": version,
                "source": source,
            }
        )
        if len(result.changes) < MAX_CHANGES_LISTED:
            result.changes.append(
                {
                    "indicator": r["indicator"],
                    "area_code": r["area_code"],
                    "period": r["period_label"],
                    "breakdown": r["breakdown"],
                    "breakdown_value": r["breakdown_value"],
                    "old_value": _clean(r["value_old"]),
                    "new_value": _clean(r["value"]),
                    "old_status": _status(r["status_old"]),
                    "new_status": _status(r["status"]),
                    "old_source": r["source_old"] if isinstance(r["source_old"], str) else None,
                    "new_source": source,
                }
            )
    for start in range(0, len(history), 5_000):
        session.execute(ObservationHistory.__table__.insert(), history[start : start + 5_000])
        _update_by_id(session, updates[start : start + 5_000])


def _update_by_id(session: Session, records: list[dict]) -> None:
    """Core executemany UPDATE of observations by id (same keys in every record)."""
    if not records:
        return
    table = Observation.__table__
    fields = [k for k in records[0] if k != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({f: bindparam(f) for f in fields})
    )
    session.execute(statement, [{"_id": r["id"], **{f: r[f] for f in fields}} for r in records])


@dataclass
class RollbackResult:
    batch_id: int
    deleted: int
    restored: int
    data_version: int


def rollback_batch(
    session: Session,
    batch_id: int,
    *,
    user: UserRecord | None = None,
    username: str | None = None,
    organisation_id: int | None = None,
    area_code: str | None = None,
) -> RollbackResult:
    """Undo a committed batch: delete what it inserted, restore what it revised.

    With ``organisation_id`` (the page passes the user's), only that organisation's own
    batches may be rolled back; the command line passes None and may undo any batch.
    With ``area_code`` too (the user's own area), a batch another organisation imported
    that revised figures of that area can be rolled back for that area only.
    """
    batch = session.get(ImportBatch, batch_id)
    if (
        batch is not None
        and organisation_id is not None
        and batch.organisation_id != organisation_id
        and area_code
        and batch_id in _batches_revising_area(session, area_code)
    ):
        return _rollback_area(session, batch, area_code, user=user, username=username)
    if batch is None or (organisation_id is not None and batch.organisation_id != organisation_id):
        raise RollbackRefused(f"There is no batch {batch_id} imported by your organisation.")
    if batch.status in ("rolled_back", "rejected", "pending"):
        raise RollbackRefused(
            f"Batch {batch_id} is {batch.status.replace('_', ' ')}: nothing to undo."
        )
    later = session.execute(
        select(ObservationHistory.replaced_by_batch_id)
        .where(ObservationHistory.batch_id == batch_id)
        .limit(1)
    ).scalar()
    if later is not None:
        raise RollbackRefused(
            f"Batch {later} later revised figures from batch {batch_id}; roll back {later} first."
        )
    history = (
        session.execute(
            select(ObservationHistory).where(ObservationHistory.replaced_by_batch_id == batch_id)
        )
        .scalars()
        .all()
    )
    restored_ids = {h.observation_id for h in history}
    restores = [
        {
            "id": h.observation_id,
            **{f: getattr(h, f) for f in FIGURES},
            "status": h.status,
            "batch_id": h.batch_id,
            "data_version": h.data_version,
            "source": h.source,
        }
        for h in history
    ]
    for start in range(0, len(restores), 5_000):
        _update_by_id(session, restores[start : start + 5_000])
    session.execute(
        delete(ObservationHistory).where(ObservationHistory.replaced_by_batch_id == batch_id)
    )
    inserted = select(Observation.id).where(Observation.batch_id == batch_id)
    if restored_ids:
        inserted = inserted.where(Observation.id.not_in(restored_ids))
    ids = list(session.execute(inserted).scalars())
    confirmations = ObservationConfirmation.__table__
    session.execute(delete(confirmations).where(confirmations.c.batch_id == batch_id))
    for start in range(0, len(ids), 5_000):
        part = ids[start : start + 5_000]
        session.execute(delete(confirmations).where(confirmations.c.observation_id.in_(part)))
        session.execute(delete(Observation).where(Observation.id.in_(part)))
    version = bump_data_version(session)
    batch.status = "rolled_back"
    write_audit(
        session,
        "data.rollback",
        user=user,
        username=username,
        object_type="import_batch",
        object_id=batch_id,
        detail={"deleted": len(ids), "restored": len(restores)},
    )
    session.flush()
    return RollbackResult(batch_id, len(ids), len(restores), version)


def recent_batches(
    session: Session,
    limit: int = 20,
    organisation_id: int | None = None,
    area_code: str | None = None,
) -> pd.DataFrame:
    """Latest batches (of one organisation when given, and with ``area_code`` the batches
    of others that revised that area's figures): id, created_at, filename, format,
    status, rows_total, rows_loaded, rows_changed, rows_rejected, created_by."""
    columns = [
        "id", "created_at", "filename", "format", "status", "rows_total", "rows_loaded",
        "rows_changed", "rows_rejected", "created_by",
    ]  # fmt: skip
    query = select(*[getattr(ImportBatch, c) for c in columns]).order_by(ImportBatch.id.desc())
    if organisation_id is not None:
        mine = ImportBatch.organisation_id == organisation_id
        if area_code:  # and other organisations' batches that revised this area's figures
            mine = mine | ImportBatch.id.in_(_revising_area_query(area_code))
        query = query.where(mine)
    return pd.DataFrame(session.execute(query.limit(limit)).all(), columns=columns)


def _revising_area_query(area_code: str):  # type: ignore[no-untyped-def]
    """Ids of batches whose revisions of ``area_code``'s figures can still be undone."""
    return (
        select(ObservationHistory.replaced_by_batch_id)
        .join(Observation, Observation.id == ObservationHistory.observation_id)
        .where(Observation.area_code == area_code)
        .distinct()
    )


def _batches_revising_area(session: Session, area_code: str) -> set[int]:
    return set(session.execute(_revising_area_query(area_code)).scalars())


def _rollback_area(
    session: Session,
    batch: ImportBatch,
    area_code: str,
    *,
    user: UserRecord | None,
    username: str | None,
) -> RollbackResult:
    """Restore the figures of one area that another organisation's batch revised.

    The rest of the batch stays; the batch's own organisation can still roll it back.
    """
    in_area = select(Observation.id).where(Observation.area_code == area_code)
    later = session.execute(
        select(ObservationHistory.replaced_by_batch_id)
        .where(ObservationHistory.batch_id == batch.id)
        .where(ObservationHistory.observation_id.in_(in_area))
        .limit(1)
    ).scalar()
    if later is not None:
        raise RollbackRefused(
            f"Batch {later} later revised figures from batch {batch.id}; roll back {later} first."
        )
    history = (
        session.execute(
            select(ObservationHistory)
            .where(ObservationHistory.replaced_by_batch_id == batch.id)
            .where(ObservationHistory.observation_id.in_(in_area))
        )
        .scalars()
        .all()
    )
    restores = [
        {
            "id": h.observation_id,
            **{f: getattr(h, f) for f in FIGURES},
            "status": h.status,
            "batch_id": h.batch_id,
            "data_version": h.data_version,
            "source": h.source,
        }
        for h in history
    ]
    _update_by_id(session, restores)
    ids = [h.id for h in history]
    if ids:
        session.execute(delete(ObservationHistory).where(ObservationHistory.id.in_(ids)))
    version = bump_data_version(session)
    write_audit(
        session,
        "data.rollback",
        user=user,
        username=username,
        object_type="import_batch",
        object_id=batch.id,
        detail={"area": area_code, "deleted": 0, "restored": len(restores)},
    )
    session.flush()
    return RollbackResult(batch.id, 0, len(restores), version)


def batch_report(session: Session, batch_id: int) -> dict:
    """The stored report of a batch (summary, result, changes, problems)."""
    batch = session.get(ImportBatch, batch_id)
    return json.loads(batch.report) if batch and batch.report else {}
