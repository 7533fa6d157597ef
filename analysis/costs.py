"""Costs: spend per child, unit costs of journey pathways, and spend beside outcomes.

Money from different years is not added up unless it has been converted to one price
year with a documented deflator table (HM Treasury's GDP deflators are the usual choice).
Without such a table, figures keep their own price year and sums across years are refused
(``PriceYearMismatch``): a cost in 2019-20 pounds plus one in 2024-25 pounds is not a
number anyone should act on.

Correlation between spend and an outcome is an association across authorities, not a
cause: authorities that spend more may serve families with more need, classify spending
differently, or differ in a hundred other ways. ``correlation_summary`` says so in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

# Which unit cost applies when a family reaches a step of the Early Help journey.
EARLY_HELP_COST_ITEMS: dict[str, str] = {
    "request": "eh_request",
    "assessment_started": "eh_assessment",
    "plan": "eh_plan_episode",
    "stepped_up_csc": "csc_assessment",
    "back_within_3m": "eh_request",
    "back_4_6m": "eh_request",
    "back_7_12m": "eh_request",
}


class PriceYearMismatch(ValueError):
    """Costs from different price years, and no deflator to bring them to one year."""


# --- price years --------------------------------------------------------------------------


def to_price_year(
    costs: pd.DataFrame,
    base_year: str,
    deflators: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Express costs in ``base_year`` prices.

    Takes columns cost_gbp and price_year (labels such as "2024-25"); ``deflators`` maps a
    price year to its GDP deflator index (any base). Returns a copy with cost_gbp converted
    (cost x deflator[base] / deflator[year]) and price_year set to ``base_year``. Raises
    PriceYearMismatch when a year other than the base has no deflator.
    """
    out = costs.copy()
    years = set(out["price_year"].astype(str))
    foreign = years - {base_year}
    if not foreign:
        return out
    deflators = dict(deflators or {})
    missing = sorted(y for y in foreign | {base_year} if y not in deflators)
    if missing:
        raise PriceYearMismatch(
            f"costs are in {', '.join(sorted(years))} prices and there is no deflator for "
            f"{', '.join(missing)}: they are shown separately, not added up"
        )
    factor = out["price_year"].astype(str).map(lambda y: deflators[base_year] / deflators[y])
    out["cost_gbp"] = out["cost_gbp"].astype(float) * factor
    out["price_year"] = base_year
    return out


def common_price_year(price_years: Sequence[str]) -> str:
    """The one price year shared by all costs; PriceYearMismatch when they differ."""
    years = sorted({str(y) for y in price_years})
    if not years:
        raise ValueError("no costs given")
    if len(years) > 1:
        raise PriceYearMismatch(
            f"costs are in {' and '.join(years)} prices: not added up without a deflator"
        )
    return years[0]


# --- pathway and step costs ---------------------------------------------------------------


def _unit_cost_lookup(unit_costs: pd.DataFrame) -> dict[str, tuple[float, str]]:
    return {
        str(item): (float(cost), str(year))
        for item, cost, year in zip(
            unit_costs["item"], unit_costs["cost_gbp"], unit_costs["price_year"], strict=True
        )
    }


def pathway_costs(
    routes: Sequence[Sequence[str]],
    unit_costs: pd.DataFrame,
    step_items: Mapping[str, str] = EARLY_HELP_COST_ITEMS,
    step_labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Cost per family of each route through a journey, from the unit cost table.

    Takes routes (tuples of steps), unit costs (columns item, cost_gbp, price_year; in one
    price year, or converted with :func:`to_price_year` first) and which item each step
    costs. Returns one row per route: pathway (labels joined by " → "), steps (the tuple),
    items (comma-separated), cost_gbp (NaN when an item has no unit cost or the price years
    differ), price_year, note.
    """
    lookup = _unit_cost_lookup(unit_costs)
    labels = dict(step_labels or {})
    rows = []
    for route in routes:
        items = [step_items[s] for s in route if s in step_items]
        missing = sorted({i for i in items if i not in lookup})
        years = {lookup[i][1] for i in items if i in lookup}
        row = {
            "pathway": " → ".join(labels.get(s, s) for s in route),
            "steps": tuple(route),
            "items": ", ".join(items),
            "cost_gbp": np.nan,
            "price_year": None,
            "note": "",
        }
        if missing:
            row["note"] = f"no unit cost for {', '.join(missing)}"
        elif len(years) > 1:
            row["note"] = f"not added up: prices from {' and '.join(sorted(years))}"
        else:
            row["cost_gbp"] = float(sum(lookup[i][0] for i in items))
            row["price_year"] = next(iter(years), None)
        rows.append(row)
    return pd.DataFrame(rows)


def step_costs(
    steps: pd.DataFrame,
    unit_costs: pd.DataFrame,
    step_items: Mapping[str, str] = EARLY_HELP_COST_ITEMS,
) -> pd.DataFrame:
    """What each step of a cohort's journey cost: people at the step x the unit cost.

    Takes steps (columns step, label, count, status: hidden counts are NaN with status
    "c") and unit costs (item, cost_gbp, price_year). Returns one row per costed step:
    step, label, count, status, item, unit_cost_gbp, price_year, cost_gbp (NaN when the
    count is hidden or the item has no unit cost).
    """
    lookup = _unit_cost_lookup(unit_costs)
    rows = []
    for row in steps.itertuples(index=False):
        item = step_items.get(row.step)
        if item is None:
            continue
        unit, year = lookup.get(item, (np.nan, None))
        count = float(row.count) if row.count is not None else np.nan
        rows.append(
            {
                "step": row.step,
                "label": row.label,
                "count": count,
                "status": row.status if isinstance(row.status, str) else None,
                "item": item,
                "unit_cost_gbp": unit,
                "price_year": year,
                "cost_gbp": count * unit,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "step",
            "label",
            "count",
            "status",
            "item",
            "unit_cost_gbp",
            "price_year",
            "cost_gbp",
        ],
    )


@dataclass(frozen=True)
class CostTotal:
    """The sum of the step costs that can be shown, and what was left out."""

    total_gbp: float
    price_year: str | None
    steps_left_out: int  # hidden counts (a total including them would reveal them)
    note: str


def total_of_shown_steps(costs: pd.DataFrame) -> CostTotal:
    """Add up the step costs whose counts are shown, in one price year.

    A total that included hidden counts would let anyone work them out (total minus the
    shown steps, divided by the unit cost), so those steps are left out and counted.
    Raises PriceYearMismatch when the shown steps are priced in different years.
    """
    shown = costs[costs["cost_gbp"].notna()]
    left_out = int(costs["cost_gbp"].isna().sum())
    if shown.empty:
        return CostTotal(math.nan, None, left_out, "no step can be costed")
    year = common_price_year(shown["price_year"].tolist())
    note = (
        f"{left_out} step(s) left out: their counts are suppressed or have no unit cost"
        if left_out
        else ""
    )
    return CostTotal(float(shown["cost_gbp"].sum()), year, left_out, note)


# --- spend per child ----------------------------------------------------------------------


def spend_per_child(spend: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Spend in each financial year divided by the children aged 0 to 17 that year.

    Takes spend rows (area_code, period_label such as "2024-25", period_start, value in
    pounds, cash terms) and population (area_code, year, population: ONS mid-year
    estimates). The mid-year estimate inside the financial year is used (mid-2024 for
    2024-25). Returns area_code, period_label, period_start, spend_gbp, population,
    population_year, spend_per_child (NaN without a population or spend), price_year
    (the financial year: cash terms are that year's prices).
    """
    out = spend[["area_code", "period_label", "period_start", "value"]].copy()
    out = out.rename(columns={"value": "spend_gbp"})
    out["population_year"] = pd.to_datetime(out["period_start"]).dt.year
    pop = population.rename(columns={"year": "population_year"})[
        ["area_code", "population_year", "population"]
    ]
    out = out.merge(pop, on=["area_code", "population_year"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = out["population"].astype(float) > 0
        out["spend_per_child"] = np.where(
            valid, out["spend_gbp"].astype(float) / out["population"].astype(float), np.nan
        )
    out["price_year"] = out["period_label"]
    return out


# --- spend beside outcomes ----------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationSummary:
    n: int
    pearson_r: float
    pearson_p: float
    spearman_rho: float
    spearman_p: float
    statement: str


MIN_AREAS_FOR_CORRELATION = 10


def _strength(r: float) -> str:
    size = abs(r)
    if size < 0.1:
        return "no clear"
    if size < 0.3:
        return "a weak"
    if size < 0.5:
        return "a moderate"
    return "a strong"


def correlation_summary(
    x: Sequence[float] | pd.Series,
    y: Sequence[float] | pd.Series,
    x_name: str = "spend per child",
    y_name: str = "the outcome",
) -> CorrelationSummary:
    """Pearson and Spearman correlation of paired values, with a plain statement.

    Pairs with a missing value are dropped; n counts the pairs used. With fewer than
    ``MIN_AREAS_FOR_CORRELATION`` pairs, or no variation, the coefficients are NaN and the
    statement says so. The statement always says it is an association, not a cause.
    """
    xs = pd.to_numeric(pd.Series(list(x)), errors="coerce")
    ys = pd.to_numeric(pd.Series(list(y)), errors="coerce")
    keep = xs.notna() & ys.notna()
    xs, ys = xs[keep].to_numpy(float), ys[keep].to_numpy(float)
    n = len(xs)
    caution = (
        "This is an association across authorities, not a cause: authorities differ in need, "
        "in how they record spending and in much else."
    )
    if n < MIN_AREAS_FOR_CORRELATION or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return CorrelationSummary(
            n,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            f"Too few authorities with both figures (n = {n}) to describe a relationship. "
            + caution,
        )
    pearson = stats.pearsonr(xs, ys)
    spearman = stats.spearmanr(xs, ys)
    r, rho = float(pearson.statistic), float(spearman.statistic)
    direction = "higher" if rho > 0 else "lower"
    if _strength(rho) == "no clear":
        finding = f"There is no clear relationship between {x_name} and {y_name}"
    else:
        finding = (
            f"There is {_strength(rho)} tendency for authorities with higher {x_name} to have "
            f"{direction} {y_name}"
        )
    statement = (
        f"{finding} across {n} authorities (Spearman's rho = {rho:.2f}, "
        f"Pearson's r = {r:.2f}). {caution}"
    )
    return CorrelationSummary(n, r, float(pearson.pvalue), rho, float(spearman.pvalue), statement)


# Too few children for a per-child figure to compare with anyone else's.
EXCLUDED_AREAS = {"E09000001": "City of London", "E06000053": "Isles of Scilly"}
# GSS prefixes of upper-tier local authorities: unitaries, metropolitan districts, London
# boroughs and counties.
AUTHORITY_PREFIXES = ("E06", "E08", "E09", "E10")


def is_comparable_authority(code: str) -> bool:
    """An upper-tier local authority whose spend per child can be compared with others'."""
    return code[:3] in AUTHORITY_PREFIXES and code not in EXCLUDED_AREAS


def financial_year_start(label: str) -> date:
    """1 April of a financial year labelled like "2024-25"."""
    return date(int(label[:4]), 4, 1)


def financial_year_end(start: date) -> date:
    """31 March after a financial year's ``start``."""
    return date(start.year + 1, 3, 31)
