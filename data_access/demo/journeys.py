"""The illustrative Early Help journeys and unit costs of the demo's four sites.

Made-up journey counts, simulated from the illustrative monthly figures
(``data_access.demo.local``) so the journeys agree with them.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from analysis.journeys import EARLY_HELP, TOTAL
from data_access.demo.local import generate_local_monthly
from data_access.journeys import DATA_DIR, replace_journey_counts
from data_access.models import ImportBatch, Organisation, UnitCost

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

    Takes the illustrative monthly observations (``data_access.demo.local.generate_local_monthly``);
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
