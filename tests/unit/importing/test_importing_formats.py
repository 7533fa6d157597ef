"""Each format from the real public files (matching the demo's own importers) and made files."""

from __future__ import annotations

import pandas as pd
import pytest
from importing_files import PUBLIC, lait_layout_file

from data_access.importing import ees_generic, lait, template
from data_access.importing import ees_publications as ees
from data_access.importing.pipeline import prepare_import
from data_access.reference import code_aliases, la_number_to_code

KEY = ["indicator", "area_code", "period_label", "breakdown", "breakdown_value"]


def _valid(prepared) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.concat(list(prepared.valid_chunks()), ignore_index=True)


def _same_figures(
    ours: pd.DataFrame, theirs: pd.DataFrame, columns=("value", "numerator", "denominator")
):  # type: ignore[no-untyped-def]
    merged = ours.merge(theirs, on=KEY, suffixes=("", "_ref"), validate="one_to_one")
    assert len(merged) == len(theirs) == len(ours)
    for column in columns:
        pd.testing.assert_series_equal(
            merged[column], merged[column + "_ref"], check_names=False, check_dtype=False
        )
    assert (merged["status"].fillna("") == merged["status_ref"].fillna("")).all()


def test_fmt001_lait_real_file_matches_the_demo_importer(tmp_path, reference):
    path = PUBLIC / "lait" / "lait_bds_long_childrens_services_subset.csv"
    prepared = prepare_import(path, "lait", None, reference, tmp_path)
    assert not prepared.problems.has_errors
    ours = _valid(prepared)
    theirs = lait.lait_to_canonical(
        lait.read_lait_long(path), lait.DEMO_LAIT_MAPPING, code_aliases(), la_number_to_code()
    )
    _same_figures(ours, theirs, ("value",))
    oldham = ours[
        (ours["indicator"] == "gld")
        & (ours["area_code"] == "E08000004")
        & (ours["breakdown"] == "total")
    ]
    assert oldham.set_index("period_label").loc["2024/25", "value"] == pytest.approx(63.1)
    skipped = prepared.problems.to_frame()
    assert (skipped["code"] == "not_mapped").all()
    assert skipped["message"].str.contains("London \\(Inner\\)").any()


def test_fmt002_ees_wide_file_through_a_mapping_matches_the_specific_extractor(tmp_path, reference):
    path = PUBLIC / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    mapping = ees_generic.BUILT_IN_MAPPINGS[
        "EES children in need C1 (re-referrals, no further action)"
    ]
    prepared = prepare_import(path, "ees", mapping, reference, tmp_path)
    assert not prepared.problems.has_errors, prepared.problems.grouped()
    theirs = ees.cin_referrals(path, None, code_aliases())
    _same_figures(_valid(prepared), theirs)
    recoded = prepared.problems.to_frame().query("code == 'area_recoded'")
    assert recoded["value"].isin(["E10000023", "E10000027", "E10000002"]).all() and len(recoded)


def test_fmt003_ees_long_file_with_denominator_rows(tmp_path, reference):
    path = PUBLIC / "ees" / "la_care_leavers_activity.csv"
    mapping = ees_generic.BUILT_IN_MAPPINGS["EES care leavers activity (EET)"]
    prepared = prepare_import(path, "ees", mapping, reference, tmp_path)
    assert not prepared.problems.has_errors, prepared.problems.grouped()
    _same_figures(_valid(prepared), ees.care_leavers_activity(path, code_aliases()))


def test_fmt004_ees_characteristic_columns_become_breakdowns(tmp_path, reference):
    path = PUBLIC / "ees" / "1_eyfsp_headline_measures_2022.csv"
    mapping = ees_generic.BUILT_IN_MAPPINGS["EES EYFSP headline measures by characteristic"]
    prepared = prepare_import(path, "ees", mapping, reference, tmp_path)
    assert not prepared.problems.has_errors, prepared.problems.grouped()
    ours = _valid(prepared)
    theirs = ees.eyfsp_2022(path, code_aliases())
    theirs = theirs[theirs["breakdown"].isin(["total", "sex", "fsm"])]
    _same_figures(ours, theirs)
    assert set(ours["breakdown"]) == {"total", "sex", "fsm"}
    assert prepared.problems.counts["not_mapped"] > 0  # other characteristics reported


def test_fmt005_fingertips_keeps_published_intervals_counts_and_denominators(tmp_path, reference):
    path = PUBLIC / "fingertips" / "format_example_ons_sdg_unmet_alcohol.csv"
    mapping = {"indicators": {"93532": "breastfeeding_6_8wk"}}
    prepared = prepare_import(path, "fingertips", mapping, reference, tmp_path)
    assert not prepared.problems.has_errors
    rows = _valid(prepared).set_index(["area_code", "period_label"])
    warwickshire = rows.loc[("E10000031", "2018-19")]
    assert warwickshire["value"] == pytest.approx(79.89793213)
    assert warwickshire["lower_ci"] == pytest.approx(74.64258841)
    assert warwickshire["upper_ci"] == pytest.approx(84.57822749)
    assert warwickshire["numerator"] == pytest.approx(4018.333333)
    assert warwickshire["denominator"] == pytest.approx(5029.333333)
    unmapped = prepare_import(path, "fingertips", {"indicators": {}}, reference, tmp_path / "b")
    assert unmapped.rows_valid == 0 and unmapped.rows_skipped == 17


def test_fmt006_template_csv_and_xlsx_examples_import_cleanly(tmp_path, reference):
    csv_path = tmp_path / "example.csv"
    csv_path.write_text(template.template_csv(example=True))
    xlsx_path = tmp_path / "example.xlsx"
    xlsx_path.write_bytes(template.template_xlsx(example=True))
    from_csv = prepare_import(csv_path, "template", None, reference, tmp_path / "a")
    from_xlsx = prepare_import(xlsx_path, "template", None, reference, tmp_path / "b")
    assert not from_csv.problems.counts and not from_xlsx.problems.counts
    assert from_csv.rows_valid == len(template.EXAMPLE_ROWS)
    pd.testing.assert_frame_equal(_valid(from_csv), _valid(from_xlsx))
    blank = tmp_path / "blank.csv"
    blank.write_text(template.template_csv())
    assert prepare_import(blank, "template", None, reference, tmp_path / "c").rejected


def test_fmt007_xlsx_template_errors_have_sheet_row_numbers(tmp_path, reference):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(template.EXPORT_COLUMNS)
    sheet.append(["eh_requests", "E08000004", "Mar 2026", "total", "total", None, None, 10, None])
    sheet.append(["eh_requests", "E08000004", "Mar 2026", "total", "total", None, None, -1, None])
    path = tmp_path / "book.xlsx"
    book.save(path)
    prepared = prepare_import(path, "template", None, reference, tmp_path / "w")
    codes = prepared.problems.to_frame()[["line", "code"]].values.tolist()
    assert [3, "negative_value"] in codes and [3, "duplicate_row"] not in codes


def test_fmt008_unseen_ees_file_gets_a_suggested_mapping(tmp_path, reference):
    rows = pd.DataFrame(
        {
            "time_period": ["202324", "202324", "202324"],
            "time_identifier": "Academic year",
            "geographic_level": "Local authority",
            "country_code": "E92000001",
            "new_la_code": ["E08000004", "E08000004", "E08000005"],
            "la_name": ["Oldham", "Oldham", "Rochdale"],
            "characteristic": ["Total", "Girls", "Total"],
            "pupils_number": ["100", "48", "90"],
            "readiness_number": ["60", "30", "c"],
            "readiness_percent": ["60.0", "62.5", "c"],
        }
    )
    suggestion = ees_generic.suggest_mapping(rows)
    assert suggestion["breakdown_columns"] == ["characteristic"]
    assert suggestion["breakdown_values"] == {
        "Total": ["total", "total"],
        "Girls": ["sex", "female"],
    }
    spec = suggestion["indicators"][0]
    assert spec["value"] == "readiness_percent" and spec["numerator"] == "readiness_number"
    mapping = {
        **suggestion,
        "indicators": [{**spec, "indicator": "gld", "denominator": "pupils_number"}],
    }
    path = tmp_path / "new_publication.csv"
    rows.to_csv(path, index=False)
    prepared = prepare_import(path, "ees", mapping, reference, tmp_path / "w")
    assert not prepared.problems.has_errors, prepared.problems.grouped()
    valid = _valid(prepared).set_index(["area_code", "breakdown_value"])
    assert valid.loc[("E08000004", "female"), "value"] == 62.5
    assert valid.loc[("E08000005", "total"), "status"] == "c"
    assert valid.loc[("E08000005", "total"), "period_label"] == "2023/24"


def test_fmt009_sixty_thousand_lait_rows_validate_in_chunks(tmp_path, reference):
    path = lait_layout_file(tmp_path / "lait60k.csv", 60_000)
    prepared = prepare_import(path, "lait", None, reference, tmp_path / "w", chunk_rows=20_000)
    assert prepared.rows_read == 60_000
    assert prepared.rows_valid == 60_000, prepared.problems.grouped()
    assert len(prepared.chunk_files) == 3


def test_fmt010_a_lait_la_number_that_is_not_a_whole_number_is_reported_on_its_line(
    tmp_path, reference
):
    path = lait_layout_file(tmp_path / "lait.csv", 6)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    # Lines 2-4 of the file: three kinds of bad LA number; the other rows are fine.
    frame.loc[0, "LA Number"] = "inf"
    frame.loc[1, "LA Number"] = "353.5"
    frame.loc[2, "LA Number"] = "Oldham"
    frame.to_csv(path, index=False)
    prepared = prepare_import(path, "lait", None, reference, tmp_path / "w")
    assert prepared.rows_read == 6
    assert prepared.rows_valid == 3
    problems = prepared.problems.to_frame()
    bad = problems[problems["severity"] == "error"]
    assert sorted(bad["line"].astype(int)) == [2, 3, 4]
    assert set(bad["value"].astype(str)) == {"INF", "353.5", "OLDHAM"}
