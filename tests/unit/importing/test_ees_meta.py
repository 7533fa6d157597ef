"""Indicators and filters proposed from an EES file's .meta.csv, or from EES column
naming conventions when there is none (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_access.importing.ees_meta import (
    known_value_columns,
    meta_path_for,
    propose,
    publication_key,
    read_meta,
)
from data_access.importing.mappings import built_in_mappings
from data_access.importing.safety import FileRejected

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ees"
PROVISION = FIXTURES / "children_registered_for_funded_early_education_2022_to_2023.csv"
CATALOGUE = {"gld", "comm_lang_lit", "cin_rereferral", "cin_nfa", "two_year_takeup"}


def _by_value(proposal) -> dict:  # type: ignore[no-untyped-def]
    return {p.value: p for p in proposal.indicators}


def test_eesmeta001_indicators_come_from_the_metadata_with_counts_that_reproduce_them():
    assert meta_path_for(PROVISION) == PROVISION.with_name(
        "children_registered_for_funded_early_education_2022_to_2023.meta.csv"
    )
    proposal = propose(PROVISION, CATALOGUE)
    assert proposal.source == "meta" and proposal.frequency == "annual_reporting"
    found = _by_value(proposal)
    percent = found["percentage_eligible_children"]
    # 1128 / 1391 = 81.1%: registered over eligible, whatever the names suggest.
    assert (percent.unit, percent.numerator, percent.denominator) == (
        "percent",
        "number_children",
        "number_eligible_children",
    )
    assert percent.title == "Percentage of eligible children registered" and not percent.exists
    assert found["number_eligible_children"].unit == "count"
    assert "number_children" not in found  # the numerator belongs to the percentage
    assert proposal.mapping["filters"] == {"age": ["Total"]}
    uses = dict(zip(proposal.filters["col_name"], proposal.filters["use"], strict=True))
    assert uses == {"entitlement_type": "one value", "age": "kept at Total"}
    new = proposal.new_indicators("DfE")
    assert {r["polarity"] for r in new} == {"no_judgement"}
    assert {r["service_area"] for r in new} == {"early_years"}


def test_eesmeta002_real_publications_map_onto_the_catalogue_and_breakdowns():
    public = Path(__file__).resolve().parents[3] / "data" / "public" / "ees"
    eyfsp = public / "1_eyfsp_headline_measures_2022.csv"  # tracked in the repository
    known = known_value_columns(list(built_in_mappings().values()))
    meta = FIXTURES / "1_eyfsp_headline_measures_2022.meta.csv"
    proposal = propose(eyfsp, CATALOGUE, known, meta_path=meta)
    found = _by_value(proposal)
    assert found["gld_percentage"].indicator == "gld" and found["gld_percentage"].exists
    assert (found["gld_percentage"].numerator, found["gld_percentage"].denominator) == (
        "gld_number",
        "children_number",
    )
    assert "average_elgs" not in found  # an average is no count: left for the analyst
    values = proposal.mapping["breakdown_values"]
    fsm = "Known to be eligible for free school meals | Free school meal eligibility | Total"
    assert values[fsm] == ["fsm", "eligible"]
    assert values["Total | Total | Girls"] == ["sex", "female"]
    assert not any("White British" in key for key in values)  # not a Chorus group


def test_eesmeta003_without_metadata_the_column_names_say_what_is_what(tmp_path):
    bare = tmp_path / "referrals_2024.csv"
    pd.DataFrame(
        {
            "time_period": ["2024"] * 4,
            "time_identifier": ["Reporting year"] * 4,
            "geographic_level": ["Local authority"] * 4,
            "new_la_code": ["E08000004", "E08000005", "E10000014", "E06000065"],
            "sex": ["Total"] * 4,
            "t_referrals": ["4196", "3000", "12000", "5000"],
            "t_rereferrals": ["887", "516", "4920", "990"],
            "pt_rereferrals": ["21.1", "17.2", "41.0", "19.8"],
            "cin_rate_per_10000": ["402.4", "380.0", "250.1", "300.2"],
            "child_population": ["64069", "58087", "288730", "115721"],
        }
    ).to_csv(bare, index=False)
    assert meta_path_for(bare) is None
    proposal = propose(bare, CATALOGUE)
    assert proposal.source == "conventions" and "No metadata file" in proposal.notes[0]
    found = _by_value(proposal)
    assert (found["pt_rereferrals"].unit, found["pt_rereferrals"].numerator) == (
        "percent",
        "t_rereferrals",
    )
    assert found["pt_rereferrals"].denominator == "t_referrals"
    assert found["cin_rate_per_10000"].unit == "rate_per_10k"
    assert found["child_population"].unit == "count"
    assert proposal.mapping["filters"] == {"sex": ["Total"]}


def test_eesmeta004_a_file_that_is_not_metadata_is_refused_by_name(tmp_path):
    bad = tmp_path / "x.meta.csv"
    bad.write_text("name,type\na,b\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="no col_name or col_type column"):
        read_meta(bad)


def test_eesmeta005_the_next_edition_shares_the_saved_mapping_name(tmp_path):
    later = tmp_path / "children_registered_for_funded_early_education_2022_to_2024.csv"
    shutil.copy(PROVISION, later)
    assert publication_key(later) == publication_key(PROVISION)
    assert publication_key(PROVISION) == "EES children_registered_for_funded_early_education"


def test_eesmeta006_the_import_pages_suggestion_knows_ees_conventions():
    from data_access.importing.ees_generic import suggest_mapping

    sample = pd.DataFrame(
        {
            "time_period": ["2025"],
            "geographic_level": ["National"],
            "t_rereferrals": ["142900"],
            "pt_rereferrals": ["22.6"],
            "cin_rate_per_10000": ["332.9"],
        }
    )
    suggested = {s["value"]: s for s in suggest_mapping(sample)["indicators"]}
    assert set(suggested) == {"pt_rereferrals", "cin_rate_per_10000"}
    assert suggested["pt_rereferrals"]["numerator"] == "t_rereferrals"
