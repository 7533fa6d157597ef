"""Costs: price years, pathway and step costs, spend per child and honest correlation."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.costs import (
    PriceYearMismatch,
    common_price_year,
    correlation_summary,
    pathway_costs,
    spend_per_child,
    step_costs,
    to_price_year,
    total_of_shown_steps,
)

UNIT_COSTS = pd.DataFrame(
    {
        "item": ["eh_request", "eh_assessment", "eh_plan_episode", "csc_assessment"],
        "cost_gbp": [200.0, 600.0, 3000.0, 1800.0],
        "price_year": ["2024-25"] * 4,
    }
)


def test_cst001_pathway_cost_adds_the_items_of_its_steps():
    routes = [
        ("request", "assessment_started", "plan", "needs_met", "not_back_12m"),
        ("request", "no_assessment", "stepped_up_csc", "back_within_3m"),
    ]
    table = pathway_costs(routes, UNIT_COSTS)
    assert table["cost_gbp"].tolist() == [200 + 600 + 3000, 200 + 1800 + 200]
    assert table["price_year"].tolist() == ["2024-25", "2024-25"]


def test_cst002_mixed_price_years_are_not_added_up():
    mixed = UNIT_COSTS.assign(price_year=["2024-25", "2019-20", "2024-25", "2024-25"])
    table = pathway_costs([("request", "assessment_started")], mixed)
    assert math.isnan(table.loc[0, "cost_gbp"])
    assert "2019-20" in table.loc[0, "note"] and "2024-25" in table.loc[0, "note"]
    with pytest.raises(PriceYearMismatch):
        common_price_year(mixed["price_year"])


def test_cst003_missing_unit_cost_is_named():
    table = pathway_costs(
        [("request", "plan")], UNIT_COSTS[UNIT_COSTS["item"] != "eh_plan_episode"]
    )
    assert math.isnan(table.loc[0, "cost_gbp"])
    assert "eh_plan_episode" in table.loc[0, "note"]


def test_cst004_deflating_converts_with_the_ratio_and_refuses_without_a_deflator():
    costs = pd.DataFrame({"cost_gbp": [100.0, 100.0], "price_year": ["2019-20", "2024-25"]})
    out = to_price_year(costs, "2024-25", {"2019-20": 80.0, "2024-25": 100.0})
    assert out["cost_gbp"].tolist() == pytest.approx([125.0, 100.0])
    assert set(out["price_year"]) == {"2024-25"}
    with pytest.raises(PriceYearMismatch, match="no deflator"):
        to_price_year(costs, "2024-25")
    same = to_price_year(costs.iloc[[1]], "2024-25")
    assert same["cost_gbp"].tolist() == [100.0]


def test_cst005_step_costs_hide_suppressed_counts_and_the_total_leaves_them_out():
    steps = pd.DataFrame(
        {
            "step": ["request", "assessment_started", "plan", "stepped_up_csc", "needs_met"],
            "label": ["Request", "Assessment", "Plan", "Step-up", "Needs met"],
            "count": [100.0, 70.0, 50.0, np.nan, 40.0],
            "status": [None, None, None, "c", None],
        }
    )
    table = step_costs(steps, UNIT_COSTS).set_index("step")
    assert "needs_met" not in table.index  # no unit cost applies to a closure
    assert table.loc["plan", "cost_gbp"] == 50 * 3000
    assert math.isnan(table.loc["stepped_up_csc", "cost_gbp"])
    total = total_of_shown_steps(table.reset_index())
    assert total.total_gbp == 100 * 200 + 70 * 600 + 50 * 3000
    assert total.steps_left_out == 1
    assert total.price_year == "2024-25"


def test_cst006_spend_per_child_uses_the_mid_year_estimate_inside_the_financial_year():
    spend = pd.DataFrame(
        {
            "area_code": ["E1", "E1", "E2"],
            "period_label": ["2023-24", "2024-25", "2024-25"],
            "period_start": [date(2023, 4, 1), date(2024, 4, 1), date(2024, 4, 1)],
            "value": [1_000_000.0, 1_200_000.0, 500_000.0],
        }
    )
    population = pd.DataFrame(
        {"area_code": ["E1", "E1"], "year": [2023, 2024], "population": [10_000, 12_000]}
    )
    table = spend_per_child(spend, population)
    assert table["spend_per_child"].iloc[:2].tolist() == [100.0, 100.0]
    assert table["population_year"].tolist() == [2023, 2024, 2024]
    assert math.isnan(table["spend_per_child"].iloc[2])  # no population: no figure
    assert table["price_year"].tolist() == ["2023-24", "2024-25", "2024-25"]


def test_cst007_correlation_reports_both_coefficients_n_and_says_association_not_cause():
    x = np.arange(30, dtype=float)
    y = x**3  # monotone, not linear
    summary = correlation_summary(x, y)
    assert summary.n == 30
    assert summary.spearman_rho == pytest.approx(1.0)
    assert 0.8 < summary.pearson_r < 1.0
    assert "not a cause" in summary.statement
    assert "30 authorities" in summary.statement
    assert "strong tendency" in summary.statement


def test_cst008_too_few_or_missing_pairs_give_no_coefficient():
    summary = correlation_summary([1, 2, np.nan, 4], [2, np.nan, 3, 5])
    assert summary.n == 2
    assert math.isnan(summary.pearson_r) and math.isnan(summary.spearman_rho)
    assert "Too few" in summary.statement and "not a cause" in summary.statement


def test_cst009_no_relationship_is_said_plainly():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200)
    y = rng.normal(size=200)
    summary = correlation_summary(x, y)
    assert abs(summary.spearman_rho) < 0.1
    assert summary.statement.startswith("There is no clear relationship")


def test_cst_years_and_authorities_are_read_from_codes_and_labels():
    from datetime import date

    from analysis.costs import financial_year_end, financial_year_start, is_comparable_authority

    assert financial_year_start("2024-25") == date(2024, 4, 1)
    assert financial_year_end(date(2024, 4, 1)) == date(2025, 3, 31)
    assert is_comparable_authority("E08000004")  # Oldham, a metropolitan district
    assert not is_comparable_authority("E92000001")  # England
    assert not is_comparable_authority("E12000002")  # a region
    assert not is_comparable_authority("E06000053")  # the Isles of Scilly: too few children
