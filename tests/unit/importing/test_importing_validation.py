"""Every validation error the issue names, each with its line number and column."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from importing_files import write_template

from data_access.importing.periods import parse_period_label
from data_access.importing.pipeline import prepare_import
from data_access.importing.template import TEMPLATE_COLUMNS

OLDHAM, NORTH_YORKSHIRE_OLD, NORTH_YORKSHIRE = "E08000004", "E10000023", "E06000065"

GOOD = ["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", 30, 40, "", ""]


def _prepare(tmp_path, reference, rows, fmt="template"):  # type: ignore[no-untyped-def]
    path = write_template(tmp_path / "in.csv", rows)
    return prepare_import(path, fmt, None, reference, tmp_path / "work")


def _problems(prepared) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return prepared.problems.to_frame()


def _only(prepared, code):  # type: ignore[no-untyped-def]
    frame = _problems(prepared)
    return frame[frame["code"] == code]


@pytest.mark.parametrize(
    ("row", "code", "column", "text"),
    [
        (["eh_assessments_timely", "E08000044", "Mar 2026", "total", "total", 1, 2, "", ""],
         "unknown_area", "area_code", "Did you mean E080000"),
        (["eh_assessments_timelly", OLDHAM, "Mar 2026", "total", "total", 1, 2, "", ""],
         "unknown_indicator", "indicator", "Did you mean eh_assessments_timely?"),
        (["eh_assessments_timely", OLDHAM, "2025/26", "total", "total", 1, 2, "", ""],
         "bad_period", "period", "a month such as"),
        (["gld", OLDHAM, "Mar 2025", "total", "total", 1, 2, "", ""],
         "bad_period", "period", "school year"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", 50, 40, "", ""],
         "numerator_gt_denominator", "numerator", "(50) is greater than the denominator (40)"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", -3, 40, "", ""],
         "negative_count", "numerator", "cannot be negative"),
        (["eh_requests", OLDHAM, "Mar 2026", "total", "total", "", "", -5, ""],
         "negative_value", "value", "count cannot be negative"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "", "", 140, ""],
         "percent_out_of_range", "value", "140 is not a percentage"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "", "", "n/a", ""],
         "unknown_symbol", "value", "not a published symbol"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "", "", "", "s"],
         "unknown_symbol", "status", "not a published symbol"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "ten", 40, "", ""],
         "not_a_number", "numerator", "'ten' is not a number"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "gender", "female", 1, 2, "", ""],
         "unknown_breakdown", "breakdown", "'gender' is not one of"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "", "", "", ""],
         "no_figure", "value", "no value"),
        (["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "", "", 50, "c"],
         "status_with_value", "status", "leave the value blank"),
        (["=HYPERLINK(\"http://evil\")", OLDHAM, "Mar 2026", "total", "total", 1, 2, "", ""],
         "formula", "indicator", "formulas"),
    ],
)  # fmt: skip
def test_val001_each_error_is_reported_on_its_line_and_column(
    tmp_path, reference, row, code, column, text
):
    prepared = _prepare(tmp_path, reference, [GOOD, row, GOOD[:2] + ["Feb 2026"] + GOOD[3:]])
    found = _only(prepared, code)
    assert len(found) == 1, _problems(prepared)
    assert found.iloc[0]["line"] == 3
    assert found.iloc[0]["column"] == column
    assert text in found.iloc[0]["message"]
    assert prepared.rows_valid == 2 and prepared.rows_rejected == 1
    assert prepared.problems.has_errors


def test_val002_known_code_changes_are_mapped_with_a_warning(tmp_path, reference):
    row = ["eh_requests", NORTH_YORKSHIRE_OLD, "Mar 2026", "total", "total", "", "", 12, ""]
    prepared = _prepare(tmp_path, reference, [row])
    warning = _only(prepared, "area_recoded")
    assert warning.iloc[0]["severity"] == "warning"
    assert "E06000065" in warning.iloc[0]["message"]
    assert not prepared.problems.has_errors
    valid = next(prepared.valid_chunks())
    assert valid["area_code"].tolist() == [NORTH_YORKSHIRE]


def test_val011_area_names_give_a_precise_suggestion(tmp_path, reference):
    columns = ["area_name", *TEMPLATE_COLUMNS]
    path = write_template(
        tmp_path / "n.csv", [["Oldham", *GOOD[:1], "E08000044", *GOOD[2:]]], columns
    )
    prepared = prepare_import(path, "template", None, reference, tmp_path / "w")
    message = _only(prepared, "unknown_area").iloc[0]["message"]
    assert message.endswith("Did you mean E08000004 (Oldham)?")


def test_val003_duplicate_rows_point_at_the_first_line(tmp_path, reference):
    prepared = _prepare(tmp_path, reference, [GOOD, GOOD[:2] + ["Feb 2026"] + GOOD[3:], GOOD])
    found = _only(prepared, "duplicate_row")
    assert found["line"].tolist() == [4]
    assert "line 2" in found.iloc[0]["message"]
    assert prepared.rows_valid == 2


def test_val004_duplicates_are_found_across_chunks(tmp_path, reference):
    rows = [GOOD[:2] + [f"{m} 2025"] + GOOD[3:] for m in ("Jan", "Feb", "Mar", "Apr", "May")]
    path = write_template(tmp_path / "in.csv", rows + [rows[1]])
    prepared = prepare_import(path, "template", None, reference, tmp_path / "w", chunk_rows=2)
    found = _only(prepared, "duplicate_row")
    assert found["line"].tolist() == [7] and "line 3" in found.iloc[0]["message"]


def test_val005_values_are_worked_out_from_counts_and_symbols_kept(tmp_path, reference):
    rows = [
        GOOD,
        ["eh_assessments_timely", OLDHAM, "Feb 2026", "sex", "Female", "", "", "", "c"],
        ["eh_requests", OLDHAM, "Feb 2026", "total", "total", "1,204", "", "", ""],
    ]
    prepared = _prepare(tmp_path, reference, rows)
    assert not prepared.problems.counts
    valid = next(prepared.valid_chunks()).set_index("line")
    assert valid.loc[2, "value"] == pytest.approx(75.0)
    assert valid.loc[2, "lower_ci"] < 75 < valid.loc[2, "upper_ci"]  # Wilson from counts
    assert valid.loc[3, "status"] == "c" and pd.isna(valid.loc[3, "value"])
    assert valid.loc[3, "breakdown_value"] == "female"
    assert valid.loc[4, "value"] == 1204


def test_val006_report_groups_problems_and_downloads_as_csv(tmp_path, reference):
    bad_area = GOOD[:1] + ["E99999999"] + GOOD[2:]
    rows = [bad_area, bad_area[:2] + ["Feb 2026"] + bad_area[3:], GOOD[:5] + [9, 4, "", ""]]
    prepared = _prepare(tmp_path, reference, rows)
    grouped = prepared.problems.grouped().set_index("code")
    assert grouped.loc["unknown_area", "count"] == 2
    assert grouped.loc["unknown_area", "first_lines"] == "2, 3"
    assert (
        grouped.loc["numerator_gt_denominator", "problem"] == "Numerator greater than denominator"
    )
    report = pd.read_csv(io.StringIO(prepared.problems.csv_report()))
    assert list(report.columns) == [
        "line",
        "indicator",
        "column",
        "value",
        "code",
        "problem",
        "severity",
        "message",
    ]
    assert sorted(report["line"]) == [2, 3, 4, 4]  # 9 of 4 is also 225%


def test_val007_formula_values_are_neutralised_in_the_report(tmp_path, reference):
    row = GOOD[:5] + ["=1+1", 4, "", ""]
    prepared = _prepare(tmp_path, reference, [row])
    text = prepared.problems.csv_report()
    assert "'=1+1" in text and ",=1+1" not in text


def test_val008_a_refused_file_gives_one_file_problem(tmp_path, reference):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    prepared = prepare_import(path, "template", None, reference, tmp_path / "w")
    assert prepared.rejected
    assert _problems(prepared)["code"].tolist() == ["file"]
    wrong = write_template(tmp_path / "y.csv", [[1, 2]], columns=["a", "b"])
    prepared = prepare_import(wrong, "template", None, reference, tmp_path / "w2")
    assert prepared.rejected and "Chorus template" in _problems(prepared).iloc[0]["message"]


@pytest.mark.parametrize(
    ("text", "frequency", "label"),
    [
        ("Mar 2026", "monthly", "Mar 2026"),
        ("March 2026", "monthly", "Mar 2026"),
        ("2026-03", "monthly", "Mar 2026"),
        ("Q1 2026", "quarterly", "Q1 2026"),
        ("2024/25", "annual_academic", "2024/25"),
        ("202425", "annual_academic", "2024/25"),
        ("2024/25", "annual_reporting", "2024-25"),
        ("2024-2025", "annual_financial", "2024-25"),
        ("2025", "annual_census", "Jan 2025"),
        ("Jan 2025", "annual_census", "Jan 2025"),
        ("2023", "annual_calendar", "2023"),
    ],
)
def test_val009_periods_in_accepted_forms(text, frequency, label):
    assert parse_period_label(text, frequency)[0] == label


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("2024/26", "annual_academic"), ("13/2026", "monthly"), ("Mar 2026", "annual_academic"),
     ("Q5 2026", "quarterly"), ("Feb 2025", "annual_census"), ("1850", "annual_calendar"),
     ("", "monthly")],
)  # fmt: skip
def test_val010_periods_in_the_wrong_form(text, frequency):
    assert parse_period_label(text, frequency) is None


def test_val_range001_a_count_in_a_rate_column_names_indicator_line_column_value_and_bound(
    tmp_path, reference
):
    rows = [
        ["cin_rate", "E92000001", "2024-25", "total", "total", "", "", "333.3", ""],
        ["cin_rate", "E92000001", "2023-24", "total", "total", "", "", "402,400", ""],
    ]
    prepared = _prepare(tmp_path, reference, rows)
    found = _only(prepared, "rate_looks_like_count")
    assert len(found) == 1, _problems(prepared)
    problem = found.iloc[0]
    assert (problem["line"], problem["column"], problem["value"]) == (3, "value", "402,400")
    assert "cin_rate" in problem["message"]
    assert "402,400" in problem["message"] and "above 10,000" in problem["message"]
    assert prepared.rows_valid == 1 and prepared.rows_rejected == 1


def test_val_range002_value_disagreeing_with_its_counts_is_refused(tmp_path, reference):
    rows = [
        ["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", 30, 40, "75", ""],
        ["eh_assessments_timely", OLDHAM, "Feb 2026", "total", "total", 30, 40, "0.75", ""],
        ["eh_requests", OLDHAM, "Feb 2026", "total", "total", "", "", "41.5", ""],
    ]
    prepared = _prepare(tmp_path, reference, rows)
    disagree = _only(prepared, "counts_disagree")
    assert disagree["line"].tolist() == [3]
    assert "= 75 (within rounding)" in disagree.iloc[0]["message"]
    assert _only(prepared, "not_whole")["line"].tolist() == [4]
    assert prepared.rows_valid == 1


@pytest.mark.parametrize("column", ["numerator", "denominator", "value"])
@pytest.mark.parametrize("symbol", ["c", "x", "z", "u", "low", "k"])
def test_val_symbol001_a_symbol_in_any_mapped_column_is_kept_as_its_status(
    tmp_path, reference, column, symbol
):
    cells = {"numerator": "", "denominator": "40", "value": ""}
    if column == "denominator":
        cells["numerator"] = "12"
    cells[column] = symbol
    row = ["eh_assessments_timely", OLDHAM, "Jan 2026", "total", "total",
           cells["numerator"], cells["denominator"], cells["value"], ""]  # fmt: skip
    prepared = _prepare(tmp_path, reference, [GOOD, row])
    assert not prepared.problems.has_errors, _problems(prepared)
    assert prepared.rows_valid == 2 and prepared.rows_rejected == 0
    valid = pd.concat(list(prepared.valid_chunks()))
    stored = valid[valid["period_label"] == "Jan 2026"].iloc[0]
    assert stored["status"] == symbol and pd.isna(stored["value"])


def test_val_symbol002_a_suppressed_count_beside_a_published_value_keeps_the_value(
    tmp_path, reference
):
    row = ["eh_assessments_timely", OLDHAM, "Jan 2026", "total", "total", "c", "40", "75", ""]
    prepared = _prepare(tmp_path, reference, [row])
    assert not prepared.problems.has_errors, _problems(prepared)
    stored = next(iter(prepared.valid_chunks())).iloc[0]
    assert stored["value"] == 75.0 and stored["status"] is None and pd.isna(stored["numerator"])


def test_val_names001_every_problem_names_indicator_line_column_and_value(tmp_path, reference):
    rows = [
        ["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", "ten", 40, "", ""],
        ["eh_requests", OLDHAM, "Mar 2026", "total", "total", "", "", "-5", ""],
        ["gld", OLDHAM, "Mar 2025", "total", "total", 1, 2, "", ""],
    ]
    frame = _problems(_prepare(tmp_path, reference, rows))
    assert list(frame.columns[:4]) == ["line", "indicator", "column", "value"]
    assert frame["line"].notna().all() and frame["indicator"].notna().all()
    assert frame["column"].notna().all()
    named = {(r.line, r.indicator, r.column, r.value) for r in frame.itertuples()}
    assert named >= {
        (2, "eh_assessments_timely", "numerator", "ten"),
        (3, "eh_requests", "value", "-5"),
        (4, "gld", "period", "Mar 2025"),
    }
