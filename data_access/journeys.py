"""Journey counts and unit costs: reading, writing, importing and the illustrative demo.

Journey counts are aggregate flows between steps for monthly cohorts (no child-level
record is ever stored: see the README for how an authority makes them from its own case
system). Unit costs belong to an organisation; analysts keep them up to date.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from analysis.journeys import EARLY_HELP, TOTAL, JourneyView, cohort_choices, journey_view
from data_access.models import ImportBatch, JourneyCount, UnitCost
from data_access.users import UserRecord, write_audit
from rules.areas import ENGLAND

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COUNT_COLUMNS = [
    "cohort_label",
    "cohort_start",
    "step",
    "next_step",
    "breakdown",
    "breakdown_value",
    "count",
]
UNIT_COST_COLUMNS = ["id", "item", "description", "cost_gbp", "price_year", "source"]
INSERT_CHUNK = 5_000

# --- journey counts -----------------------------------------------------------------------


def journey_counts_frame(
    session: Session, journey: str, area_code: str, breakdowns: list[str] | None = None
) -> pd.DataFrame:
    """Flows of every cohort of one journey and area: columns ``COUNT_COLUMNS``.

    ``breakdowns`` limits the dimensions read (for example ["total", "sex"]).
    """
    query = select(*[getattr(JourneyCount, c) for c in COUNT_COLUMNS]).where(
        JourneyCount.journey == journey, JourneyCount.area_code == area_code
    )
    if breakdowns is not None:
        query = query.where(JourneyCount.breakdown.in_(breakdowns))
    frame = pd.DataFrame(session.execute(query).all(), columns=COUNT_COLUMNS)
    frame["count"] = frame["count"].astype(int)
    return frame


def journey_cohorts(session: Session, journey: str, area_code: str) -> list[date]:
    """First days of the monthly cohorts held for a journey and area, oldest first."""
    query = (
        select(JourneyCount.cohort_start)
        .where(JourneyCount.journey == journey, JourneyCount.area_code == area_code)
        .distinct()
        .order_by(JourneyCount.cohort_start)
    )
    return list(session.scalars(query))


def journey_breakdowns(session: Session, journey: str, area_code: str) -> dict[str, list[str]]:
    """Breakdown dimensions held for a journey and area, each with its values."""
    query = (
        select(JourneyCount.breakdown, JourneyCount.breakdown_value)
        .where(
            JourneyCount.journey == journey,
            JourneyCount.area_code == area_code,
            JourneyCount.breakdown != TOTAL,
        )
        .distinct()
    )
    found: dict[str, list[str]] = {}
    for breakdown, value in session.execute(query).all():
        found.setdefault(breakdown, []).append(value)
    return {k: sorted(v) for k, v in sorted(found.items())}


@dataclass(frozen=True)
class EarlyHelpPageView:
    """What the Journeys page shows of the Early Help journey, after protection.

    ``view`` is the chosen group's (or everyone's) protected table, None when a breakdown is
    asked for a single month (groups are shown a season at a time); ``everyone`` holds, for
    a group, everyone's protected summary steps beside it (columns step, label, layer,
    count, status, share), else None; ``label`` names the cohort as the picker does.
    """

    view: JourneyView | None
    everyone: pd.DataFrame | None
    label: str
    cohort_value: str


def default_cohort_value(cohorts: list[date]) -> str | None:
    """The cohort the page opens on: the newest whole season, else the newest month."""
    choices = cohort_choices(cohorts)
    if not choices:
        return None
    return str(next((c["value"] for c in choices if c["kind"] == "season"), choices[0]["value"]))


def cohort_months(value: str | None) -> list[date]:
    """The months of a cohort picker value ("2025-06-01,2025-07-01,2025-08-01")."""
    if not value:
        return []
    return [date.fromisoformat(part) for part in str(value).split(",") if part]


def early_help_page_view(
    session: Session,
    area_code: str,
    cohort_value: str,
    breakdown: str | None,
    value: str | None,
    threshold: int,
) -> EarlyHelpPageView:
    """The protected Early Help journey of one authority, cohort and group, as the Journeys
    page, its download and ``/api/v1/journeys`` all show it (one builder for all three).

    Raises ValueError for a cohort that is neither a month nor a whole season, or a group
    that is not held.
    """
    months = cohort_months(cohort_value)
    wanted = [TOTAL] if breakdown in (None, TOTAL) else [TOTAL, str(breakdown)]
    counts = journey_counts_frame(session, EARLY_HELP.name, area_code, wanted)
    choices = {c["value"]: c["label"] for c in cohort_choices(sorted(set(counts["cohort_start"])))}
    label = str(choices.get(cohort_value, cohort_value))
    if breakdown in (None, TOTAL) or not value:
        return EarlyHelpPageView(
            journey_view(counts, months, threshold=threshold), None, label, cohort_value
        )
    if len(months) == 1:
        return EarlyHelpPageView(None, None, label, cohort_value)
    group_view = journey_view(counts, months, str(breakdown), value, threshold)
    # Everyone on the same summary steps, for comparison: the season's whole table, whose
    # "came back" is the 12-month figure.
    everyone = journey_view(counts, months, threshold=threshold).steps.set_index("step")
    everyone = everyone.rename(index={"back_within_12m": "came_back_12m"})
    everyone = everyone.reindex(group_view.steps["step"]).reset_index()
    everyone["label"] = group_view.steps["label"].to_numpy()
    return EarlyHelpPageView(group_view, everyone, label, cohort_value)


def replace_journey_counts(session: Session, frame: pd.DataFrame, batch_id: int | None) -> int:
    """Store checked counts (columns journey, area_code, cohort_label, cohort_start, step,
    next_step, breakdown, breakdown_value, count), replacing what is held for the same
    journey, area, cohort and breakdown. Returns rows written."""
    if frame.empty:
        return 0
    for (journey, area, cohort, breakdown), _ in frame.groupby(
        ["journey", "area_code", "cohort_start", "breakdown"]
    ):
        session.execute(
            delete(JourneyCount).where(
                JourneyCount.journey == journey,
                JourneyCount.area_code == area,
                JourneyCount.cohort_start == cohort,
                JourneyCount.breakdown == breakdown,
            )
        )
    columns = [
        "journey",
        "area_code",
        "cohort_label",
        "cohort_start",
        "step",
        "next_step",
        "breakdown",
        "breakdown_value",
        "count",
    ]
    records = [
        {**dict(zip(columns, row, strict=True)), "count": int(row[-1]), "batch_id": batch_id}
        for row in frame[columns].itertuples(index=False, name=None)
    ]
    for start in range(0, len(records), INSERT_CHUNK):
        session.execute(insert(JourneyCount), records[start : start + INSERT_CHUNK])
    return len(records)


def import_journey_file(
    session: Session,
    path: str | Path,
    area_code: str | None = None,
    journey: str | None = None,
    user: UserRecord | None = None,
    username: str | None = None,
) -> int:
    """Check and load a journey-format CSV; returns rows loaded.

    Raises JourneyImportError (with every problem and its line number) and records the
    refused batch when any row is wrong; nothing is loaded then.
    """
    from data_access.importing.journeys import (
        JourneyImportError,
        read_journey_csv,
        validate_journey_rows,
    )

    path = Path(path)
    content = path.read_bytes()
    raw = read_journey_csv(content)
    batch = ImportBatch(
        filename=path.name,
        format="journeys",
        sha256=hashlib.sha256(content).hexdigest(),
        rows_total=len(raw),
        organisation_id=user.organisation_id if user else None,
        created_by=user.username if user else username,
    )
    session.add(batch)
    try:
        frame = validate_journey_rows(raw, area_code, journey)
    except JourneyImportError as exc:
        batch.status = "refused"
        batch.rows_rejected = len({p.line for p in exc.problems})
        batch.report = json.dumps([str(p) for p in exc.problems])
        session.flush()
        _audit_import(session, batch, user, username, "refused")
        raise
    session.flush()
    loaded = replace_journey_counts(session, frame, batch.id)
    batch.rows_loaded = loaded
    batch.status = "committed"
    _audit_import(session, batch, user, username, "success")
    return loaded


def _audit_import(
    session: Session,
    batch: ImportBatch,
    user: UserRecord | None,
    username: str | None,
    outcome: str,
) -> None:
    write_audit(
        session,
        "journeys.import",
        user=user,
        username=None if user else username,
        object_type="import_batch",
        object_id=batch.id,
        outcome=outcome,
        detail={"file": batch.filename, "rows": batch.rows_total, "loaded": batch.rows_loaded},
    )


# --- unit costs ---------------------------------------------------------------------------


def unit_costs_frame(session: Session, organisation_id: int) -> pd.DataFrame:
    """An organisation's unit cost table: columns ``UNIT_COST_COLUMNS``, sorted by item."""
    query = (
        select(*[getattr(UnitCost, c) for c in UNIT_COST_COLUMNS])
        .where(UnitCost.organisation_id == organisation_id)
        .order_by(UnitCost.item)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=UNIT_COST_COLUMNS)
    frame["cost_gbp"] = frame["cost_gbp"].astype(float)
    return frame


def validate_unit_cost(
    item: str, description: str, cost_gbp: object, price_year: str, source: str
) -> list[str]:
    """Problems with a unit cost an analyst typed in (empty when it is fine)."""
    import re

    problems = []
    if not re.fullmatch(r"[a-z0-9_]{2,64}", item or ""):
        problems.append("Item: 2 to 64 lower-case letters, digits or underscores.")
    if not (description or "").strip():
        problems.append("Description: say what the cost covers.")
    try:
        value = float(cost_gbp)  # type: ignore[arg-type]
        if not np.isfinite(value) or value < 0:
            problems.append("Cost: a number of pounds, zero or more.")
    except (TypeError, ValueError):
        problems.append("Cost: a number of pounds, zero or more.")
    if not re.fullmatch(r"\d{4}-\d{2}", price_year or ""):
        problems.append("Price year: a financial year such as 2024-25.")
    if not (source or "").strip():
        problems.append("Source: where the figure comes from, and its year.")
    return problems


def save_unit_cost(
    session: Session,
    user: UserRecord,
    item: str,
    description: str,
    cost_gbp: float,
    price_year: str,
    source: str,
) -> int:
    """Add or update (by item) a unit cost of the user's organisation; audited."""
    problems = validate_unit_cost(item, description, cost_gbp, price_year, source)
    if problems:
        raise ValueError(" ".join(problems))
    existing = session.scalar(
        select(UnitCost).where(
            UnitCost.organisation_id == user.organisation_id, UnitCost.item == item
        )
    )
    row = existing or UnitCost(organisation_id=user.organisation_id, item=item)
    row.description = description.strip()
    row.cost_gbp = float(cost_gbp)
    row.price_year = price_year
    row.source = source.strip()
    if existing is None:
        session.add(row)
    session.flush()
    write_audit(
        session,
        "costs.update" if existing else "costs.create",
        user=user,
        object_type="unit_cost",
        object_id=row.id,
        detail={"item": item, "cost_gbp": float(cost_gbp), "price_year": price_year},
    )
    return row.id


def delete_unit_cost(session: Session, user: UserRecord, cost_id: int) -> bool:
    """Remove one of the user's organisation's unit costs; False when it is not theirs."""
    row = session.get(UnitCost, cost_id)
    if row is None or row.organisation_id != user.organisation_id:
        return False
    session.delete(row)
    write_audit(
        session,
        "costs.delete",
        user=user,
        object_type="unit_cost",
        object_id=cost_id,
        detail={"item": row.item},
    )
    return True


# --- published figures the journeys and costs pages need ------------------------------------


@functools.lru_cache(maxsize=4)
def child_population(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0 to 17: area_code (today's code, so North
    Yorkshire is E06000065 in every year), year, population. England and every LA."""
    from data_access.reference import la_number_to_code

    path = data_dir / "public" / "lookups" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    number_to_code = la_number_to_code(data_dir)
    las = raw[raw["geographic_level"] == "Local authority"].copy()
    las["area_code"] = [
        number_to_code.get(int(n), code) if str(n).isdigit() else code
        for n, code in zip(las["old_la_code"], las["new_la_code"], strict=True)
    ]
    england = raw[raw["geographic_level"] == "National"].assign(area_code=ENGLAND)
    out = pd.concat([las, england])
    out = pd.DataFrame(
        {
            "area_code": out["area_code"],
            "year": out["time_period"].astype(int),
            "population": pd.to_numeric(out["population_estimate"], errors="coerce"),
        }
    )
    # Where an old and a new code map to one authority in the same year, keep one row.
    return out.drop_duplicates(["area_code", "year"]).reset_index(drop=True)


@functools.lru_cache(maxsize=4)
def asq3_communication(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Children at or above the expected level in ASQ-3 communication at the 2 to 2½ year
    review, by upper-tier LA, financial year 2021-22 (the file's annual rows).

    Returns observation-shaped rows: indicator ("asq3_communication"), area_code (today's
    code), period_label, period_start, breakdown, breakdown_value, numerator, denominator,
    value (percent), status.
    """
    from data_access.reference import code_aliases

    path = data_dir / "public" / "fingertips" / "nesta_afs_asq3_child_development_2021_22_DATA.csv"
    raw = pd.read_csv(path, dtype=str)
    annual = raw[raw["date"].str.strip() == "Annual"]
    aliases = code_aliases(data_dir)
    numerator = pd.to_numeric(annual["n_above_avg_comms"], errors="coerce")
    denominator = pd.to_numeric(annual["total_comms"], errors="coerce")
    return pd.DataFrame(
        {
            "indicator": "asq3_communication",
            "area_code": [aliases.get(c, c) for c in annual["ONS code"].str.strip()],
            "period_label": "2021/22",
            "period_start": date(2021, 4, 1),
            "breakdown": TOTAL,
            "breakdown_value": TOTAL,
            "numerator": numerator.to_numpy(),
            "denominator": denominator.to_numpy(),
            "value": (100 * numerator / denominator).round(1).to_numpy(),
            "status": None,
        }
    ).reset_index(drop=True)
