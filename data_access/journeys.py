"""Journey counts and unit costs: reading, writing, importing and the illustrative demo.

Journey counts are aggregate flows between steps for monthly cohorts (no child-level
record is ever stored: see the README for how an authority makes them from its own case
system). Unit costs belong to an organisation; analysts keep them up to date.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from analysis.journeys import EARLY_HELP, TOTAL
from data_access.models import ImportBatch, JourneyCount, Organisation, UnitCost
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
    from data_access.importers.journeys import (
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
            "period_label": "2021-22",
            "period_start": date(2021, 4, 1),
            "breakdown": TOTAL,
            "breakdown_value": TOTAL,
            "numerator": numerator.to_numpy(),
            "denominator": denominator.to_numpy(),
            "value": (100 * numerator / denominator).round(1).to_numpy(),
            "status": None,
        }
    ).reset_index(drop=True)


# --- the illustrative demo ----------------------------------------------------------------

DEMO_UNIT_COSTS: tuple[tuple[str, str, float, str], ...] = (
    (
        "eh_request",
        "Handling a request for Early Help: screening, gathering information, deciding "
        "the response",
        180.0,
        "2024-25",
    ),
    ("eh_assessment", "An Early Help assessment by a lead practitioner", 650.0, "2024-25"),
    (
        "eh_plan_episode",
        "An episode of Early Help support with a plan (about six months, team around the family)",
        3400.0,
        "2024-25",
    ),
    ("csc_assessment", "A children's social care assessment", 1900.0, "2024-25"),
    ("care_placement_week", "One week of an independent fostering placement", 1100.0, "2023-24"),
)
DEMO_COST_SOURCE = (
    "Illustrative figure made up for the demo, not a published unit cost. Replace it with "
    "your own costing or a published source (for example the PSSRU Unit Costs of Health and "
    "Social Care), stating its year."
)
DEMO_SITES = ("E08000004", "E08000005", "E10000014", "E06000065")
FOLLOW_UP_MONTHS = 12

# Path probabilities for the demo: (next steps, base probabilities).
_ASSESSED = 0.78
_PLAN = 0.70
_CLOSURE_STEPS = (
    "needs_met",
    "stepped_down_universal",
    "declined_disengaged",
    "stepped_up_csc",
    "still_open",
)
_CLOSURE_PROBS = {
    "plan": (0.74, 0.06, 0.07, 0.07, 0.06),
    "no_plan": (0.70, 0.18, 0.05, 0.04, 0.03),
    "no_assessment": (0.25, 0.45, 0.18, 0.10, 0.02),
}
_RETURN_STEPS = ("back_within_3m", "back_4_6m", "back_7_12m", "not_back_12m")
_RETURN_PROBS = {
    "needs_met": (0.04, 0.04, 0.06),
    "stepped_down_universal": (0.06, 0.05, 0.07),
    "declined_disengaged": (0.10, 0.07, 0.08),
    "stepped_up_csc": (0.08, 0.05, 0.07),
}
# Higher means a harder journey (less engagement, more step-up, more coming back).
_RISK = {
    "imd_quintile": {"1 (most deprived)": 0.45, "2": 0.25, "3": 0.1, "4": 0.0},
    "ethnicity": {"unknown": 0.2, "black": 0.12, "other": 0.1},
    "disability": {"disabled": 0.3, "unknown": 0.1},
    "age_band": {"11-15": 0.15, "16-17": 0.3},
}


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row of ``probs`` (rows sum to 1)."""
    cumulative = np.cumsum(probs, axis=1)
    draws = rng.random((len(probs), 1)) * cumulative[:, -1:]
    return (draws > cumulative).sum(axis=1)


def _tilted(base: tuple[float, ...], risk: np.ndarray, harder: tuple[int, ...]) -> np.ndarray:
    """Base probabilities per person, with the ``harder`` outcomes made likelier by risk."""
    probs = np.tile(np.asarray(base, dtype=float), (len(risk), 1))
    for k in harder:
        probs[:, k] *= np.exp(1.2 * risk)
    return probs / probs.sum(axis=1, keepdims=True)


_STEP_CODE = {step: k for k, step in enumerate(EARLY_HELP.step_names)}
_NONE = -1


def _codes(steps: tuple[str, ...]) -> np.ndarray:
    return np.array([_STEP_CODE[s] for s in steps])


def _simulate_paths(rng: np.random.Generator, risk: np.ndarray) -> list[np.ndarray]:
    """Four arrays of step codes (one per layer after the request; -1 where a person skips
    the layer or stops), one entry per person."""
    n = len(risk)
    assessed = rng.random(n) < _expit(_logit(_ASSESSED) - 0.8 * risk)
    planned = assessed & (rng.random(n) < _PLAN)
    code = _STEP_CODE
    layer1 = np.where(assessed, code["assessment_started"], code["no_assessment"])
    layer2 = np.where(planned, code["plan"], np.where(assessed, code["no_plan"], _NONE))
    layer3 = np.full(n, _NONE)
    for source, probs in _CLOSURE_PROBS.items():
        rows = layer2 == code[source] if source != "no_assessment" else ~assessed
        if rows.any():
            picks = _choose(rng, _tilted(probs, risk[rows], harder=(2, 3)))
            layer3[rows] = _codes(_CLOSURE_STEPS)[picks]
    layer4 = np.full(n, _NONE)
    for source, back in _RETURN_PROBS.items():
        rows = layer3 == code[source]
        if rows.any():
            base = (*back, 1.0 - sum(back))
            picks = _choose(rng, _tilted(base, risk[rows], harder=(0, 1, 2)))
            layer4[rows] = _codes(_RETURN_STEPS)[picks]
    return [layer1, layer2, layer3, layer4]


def _flows_of(paths: list[np.ndarray], labels: np.ndarray, names: np.ndarray) -> pd.DataFrame:
    """Aggregate (value, step, next_step, count) from per-person step codes.

    ``labels`` are per-person value codes into ``names``. A person who skips a layer (no
    assessment, so no plan) flows from their last step straight to the next one they reach.
    """
    n_steps = len(EARLY_HELP.steps)
    keys = []
    previous = np.full(len(labels), _STEP_CODE["request"])
    for layer in paths:
        keep = layer != _NONE
        keys.append((labels[keep] * n_steps + previous[keep]) * n_steps + layer[keep])
        previous = np.where(keep, layer, previous)
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    steps = np.asarray(EARLY_HELP.step_names, dtype=object)
    return pd.DataFrame(
        {
            "breakdown_value": names[unique // (n_steps * n_steps)],
            "step": steps[(unique // n_steps) % n_steps],
            "next_step": steps[unique % n_steps],
            "count": counts,
        }
    )


def generate_demo_journeys(
    local_monthly: pd.DataFrame, seed: int = 20261128, follow_up_months: int = FOLLOW_UP_MONTHS
) -> pd.DataFrame:
    """Illustrative Early Help journey counts, consistent with the monthly request figures.

    Takes the illustrative monthly observations (``demo_local.generate_local_monthly``);
    for every site and every month whose ``follow_up_months`` have passed by the last
    month of data, each request of ``eh_requests`` (total and every breakdown value) is
    walked through the journey. People are made up inside this function and only their
    counts leave it. Returns journey_counts rows: journey, area_code, cohort_label,
    cohort_start, step, next_step, breakdown, breakdown_value, count (non-zero flows only).
    The flows out of "request" add up to eh_requests for each breakdown value.
    """
    rng = np.random.default_rng(seed)
    requests = local_monthly[local_monthly["indicator"] == "eh_requests"]
    last = max(requests["period_start"])
    # The last cohort whose follow-up has fully passed by the last month of data.
    months_back = last.year * 12 + last.month - 1 - follow_up_months
    cutoff = date(months_back // 12, months_back % 12 + 1, 1)
    frames = []
    for (area, start), cohort in requests[requests["period_start"] <= cutoff].groupby(
        ["area_code", "period_start"]
    ):
        frames.append(_one_cohort(rng, area, start, cohort))
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "journey", EARLY_HELP.name)
    return out


def _one_cohort(
    rng: np.random.Generator, area: str, start: date, cohort: pd.DataFrame
) -> pd.DataFrame:
    total = int(cohort.loc[cohort["breakdown"] == TOTAL, "numerator"].iloc[0])
    attributes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    risk = np.zeros(total)
    for dimension, cells in cohort[cohort["breakdown"] != TOTAL].groupby("breakdown"):
        names = cells["breakdown_value"].to_numpy(dtype=object)
        # Each breakdown adds up to the total, so every person gets one value per dimension.
        labels = rng.permutation(np.repeat(np.arange(len(names)), cells["numerator"].astype(int)))
        attributes[str(dimension)] = (labels, names)
        weights = _RISK.get(str(dimension), {})
        risk += np.array([weights.get(v, 0.0) for v in names])[labels]
    paths = _simulate_paths(rng, risk)
    total_names = np.array([TOTAL], dtype=object)
    frames = [_flows_of(paths, np.zeros(total, dtype=int), total_names).assign(breakdown=TOTAL)]
    for dimension, (labels, names) in attributes.items():
        frames.append(_flows_of(paths, labels, names).assign(breakdown=dimension))
    flows = pd.concat(frames, ignore_index=True)
    flows["area_code"] = area
    flows["cohort_start"] = start
    flows["cohort_label"] = start.strftime("%b %Y")
    return flows[
        [
            "area_code",
            "cohort_label",
            "cohort_start",
            "step",
            "next_step",
            "breakdown",
            "breakdown_value",
            "count",
        ]
    ]


def seed_demo_unit_costs(session: Session, organisation_id: int) -> int:
    """The illustrative unit cost table for one organisation."""
    records = [
        {
            "organisation_id": organisation_id,
            "item": item,
            "description": description,
            "cost_gbp": cost,
            "price_year": year,
            "source": DEMO_COST_SOURCE,
        }
        for item, description, cost, year in DEMO_UNIT_COSTS
    ]
    session.execute(insert(UnitCost), records)
    return len(records)


@functools.lru_cache(maxsize=1)
def _demo_journeys_cached() -> pd.DataFrame:
    from data_access.demo_local import generate_local_monthly

    return generate_demo_journeys(generate_local_monthly())


def seed_demo_journeys(session: Session, areas: list[str] | None = None) -> int:
    """Store the illustrative journey counts (all four sites, or only ``areas``)."""
    journeys = _demo_journeys_cached()
    if areas is not None:
        journeys = journeys[journeys["area_code"].isin(areas)]
    batch = ImportBatch(
        filename="illustrative Early Help journey counts",
        format="journeys",
        rows_total=len(journeys),
        rows_loaded=len(journeys),
        status="committed",
        created_by="seed-demo",
    )
    session.add(batch)
    session.flush()
    return replace_journey_counts(session, journeys, batch.id)


def seed_demo_extra(session: Session, data_dir: Path = DATA_DIR) -> None:
    """Illustrative journey counts and unit cost tables for the four demo sites."""
    seed_demo_journeys(session)
    for organisation_id in session.scalars(
        select(Organisation.id).where(Organisation.code.in_(DEMO_SITES))
    ):
        seed_demo_unit_costs(session, organisation_id)
