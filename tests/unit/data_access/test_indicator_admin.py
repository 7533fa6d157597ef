"""New indicators from a file: every problem named, units with their base, defaults."""

from __future__ import annotations

import json

import pytest

from data_access.indicator_admin import (
    IndicatorProblem,
    check_new_indicators,
    read_indicator_file,
)
from rules.disclosure import indicator_denominator_counts_people

GOOD = {
    "id": "assessment_factor_dv",
    "title": "Assessments with domestic abuse as a factor",
    "definition": "Episodes of need whose assessment recorded domestic abuse.",
    "unit": "rate",
    "base": "10,000",
    "frequency": "annual_reporting",
    "service_area": "Early Help",
    "source": "DfE, Characteristics of children in need",
    "denominator_counts_people": "no",
}


def test_indadm001_a_good_row_becomes_an_unpublished_catalogue_row():
    (row,) = check_new_indicators([GOOD], {"gld"})
    assert (row["unit"], row["theme"], row["polarity"], row["ci_method"]) == (
        "rate_per_10k",
        "early_help",
        "no_judgement",
        "byar",
    )
    assert row["published"] is False and row["denominator_counts_people"] is False
    assert not indicator_denominator_counts_people(row)


def test_indadm002_denominator_counts_people_overrides_the_unit():
    (row,) = check_new_indicators([{**GOOD, "denominator_counts_people": "yes"}], set())
    assert indicator_denominator_counts_people(row)
    (default,) = check_new_indicators(
        [{**GOOD, "unit": "percent", "base": "", "denominator_counts_people": ""}], set()
    )
    assert default["denominator_counts_people"] is None
    assert indicator_denominator_counts_people(default)  # a percentage's, by its unit


def test_indadm003_every_problem_is_named_and_nothing_is_half_added():
    rows = [
        {**GOOD, "id": "gld"},
        {**GOOD, "id": "Bad Id", "unit": "rate", "base": "7"},
        {**GOOD, "id": "x_ok", "polarity": "up", "frequency": "weekly", "service_area": "Moon"},
        {"id": "missing_bits"},
    ]
    with pytest.raises(IndicatorProblem) as caught:
        check_new_indicators(rows, {"gld"})
    text = " ".join(caught.value.problems)
    assert "Indicator 1 (gld): the catalogue already has this id" in text
    assert "Indicator 2 (Bad Id): the id must be" in text and "base 7 is not" in text
    assert "polarity 'up'" in text and "frequency 'weekly'" in text and "'Moon'" in text
    assert "Indicator 4: title, unit, frequency, service_area missing." in text


def test_indadm004_csv_and_json_files_read_alike(tmp_path):
    csv_path = tmp_path / "new.csv"
    csv_path.write_text(",".join(GOOD) + "\n" + ",".join(f'"{v}"' for v in GOOD.values()) + "\n")
    json_path = tmp_path / "new.json"
    json_path.write_text(json.dumps({"indicators": [GOOD]}))
    assert read_indicator_file(csv_path) == read_indicator_file(json_path) == [GOOD]
