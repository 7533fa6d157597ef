"""Journey counts in and out of the database (SQLite and PostgreSQL): import with
validation and line numbers, unit costs, and the illustrative demo's consistency."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.importing.journeys import JourneyImportError
from data_access.journeys import (
    delete_unit_cost,
    import_journey_file,
    journey_breakdowns,
    journey_cohorts,
    journey_counts_frame,
    save_unit_cost,
    unit_costs_frame,
)
from data_access.models import ImportBatch
from data_access.users import get_or_create_organisation, user_by_id

HAMPSHIRE = "E10000014"
GOOD = """cohort,step,next_step,breakdown,breakdown_value,count
Apr 2025,request,assessment_started,total,total,80
Apr 2025,request,no_assessment,total,total,20
Apr 2025,assessment_started,plan,total,total,50
Apr 2025,assessment_started,no_plan,total,total,30
2025-04,plan,needs_met,total,total,40
April 2025,plan,still_open,total,total,10
Apr 2025,request,assessment_started,sex,female,44
Apr 2025,request,assessment_started,sex,male,36
"""


def _write(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "journeys.csv"
    path.write_text(text)
    return path


def test_jdb001_valid_file_loads_and_reads_back(any_db, tmp_path):
    with any_db.write() as session:
        loaded = import_journey_file(session, _write(tmp_path, GOOD), HAMPSHIRE, username="t")
    assert loaded == 8
    with any_db.read() as session:
        frame = journey_counts_frame(session, "early_help", HAMPSHIRE)
        assert journey_cohorts(session, "early_help", HAMPSHIRE) == [date(2025, 4, 1)]
        assert journey_breakdowns(session, "early_help", HAMPSHIRE) == {"sex": ["female", "male"]}
    plan = frame[(frame["step"] == "plan") & (frame["next_step"] == "needs_met")]
    assert plan["count"].tolist() == [40]
    assert set(frame["cohort_label"]) == {"Apr 2025"}


def test_jdb002_flows_exceeding_their_source_step_are_refused_with_line_numbers(any_db, tmp_path):
    text = GOOD.replace(
        "2025-04,plan,needs_met,total,total,40", "2025-04,plan,needs_met,total,total,45"
    )
    with any_db.write() as session:
        with pytest.raises(JourneyImportError) as caught:
            import_journey_file(session, _write(tmp_path, text), HAMPSHIRE, username="t")
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 1
    assert messages[0].startswith("line 6:")
    assert "add up to 55, more than the 50" in messages[0]
    assert "lines 6, 7" in messages[0]
    with any_db.read() as session:
        assert journey_counts_frame(session, "early_help", HAMPSHIRE).empty


def test_jdb003_negative_counts_unknown_steps_and_bad_transitions_are_refused(any_db, tmp_path):
    text = (
        "cohort,step,next_step,breakdown,breakdown_value,count\n"
        "Apr 2025,request,assessment_started,total,total,-3\n"
        "Apr 2025,request,holiday,total,total,4\n"
        "Apr 2025,request,plan,total,total,4\n"
        "Apr 2025,request,no_assessment,colour,blue,4\n"
        "Someday,request,no_assessment,total,total,2.5\n"
    )
    with any_db.write() as session:
        with pytest.raises(JourneyImportError) as caught:
            import_journey_file(session, _write(tmp_path, text), HAMPSHIRE, username="t")
    by_line = {p.line: p.message for p in caught.value.problems}
    assert "negative" in by_line[2]
    assert "unknown next_step 'holiday'" in by_line[3]
    assert "no transition from 'request' to 'plan'" in by_line[4]
    assert "unknown breakdown 'colour'" in by_line[5]
    assert {p.line for p in caught.value.problems} >= {2, 3, 4, 5, 6}


def test_jdb004_refused_file_leaves_a_refused_batch(any_db, tmp_path):
    text = GOOD + "Apr 2025,request,no_assessment,total,total,20\n"  # a repeated row
    with any_db.write() as session:
        with pytest.raises(JourneyImportError, match="repeats line 3"):
            import_journey_file(session, _write(tmp_path, text), HAMPSHIRE, username="t")
        # The caller decides whether to keep the refused batch; here the session commits.
    with any_db.read() as session:
        batch = session.query(ImportBatch).filter_by(format="journeys").one()
        assert batch.status == "refused"
        assert "repeats line 3" in batch.report


def test_jdb005_reimport_replaces_the_same_cohort(any_db, tmp_path):
    with any_db.write() as session:
        import_journey_file(session, _write(tmp_path, GOOD), HAMPSHIRE, username="t")
    smaller = "\n".join(GOOD.splitlines()[:3]) + "\n"
    with any_db.write() as session:
        import_journey_file(session, _write(tmp_path, smaller), HAMPSHIRE, username="t")
    with any_db.read() as session:
        frame = journey_counts_frame(session, "early_help", HAMPSHIRE)
    # The total rows of the cohort are replaced by the two new ones; sex rows are untouched.
    assert sorted(frame["breakdown"]) == ["sex", "sex", "total", "total"]
    assert not ((frame["step"] == "plan") & (frame["breakdown"] == "total")).any()


def test_jdb006_unit_costs_belong_to_one_organisation_and_are_validated(any_db):
    from auth.passwords import hash_password
    from data_access.users import create_user

    with any_db.write() as session:
        org = get_or_create_organisation(session, HAMPSHIRE, "Hampshire", "local_authority", True)
        other = get_or_create_organisation(session, "E08000004", "Oldham", "local_authority", True)
        analyst = create_user(session, "h.analyst", hash_password("x" * 20), org, "analyst")
        stranger = create_user(session, "o.analyst", hash_password("x" * 20), other, "analyst")
        user = user_by_id(session, analyst.id)
        cost_id = save_unit_cost(
            session, user, "eh_assessment", "An assessment", 650, "2024-25", "Our costing 2024"
        )
        save_unit_cost(session, user, "eh_assessment", "An assessment", 700, "2024-25", "Revised")
        with pytest.raises(ValueError, match="Price year"):
            save_unit_cost(session, user, "eh_plan", "A plan", 10, "2024", "x")
        assert not delete_unit_cost(session, user_by_id(session, stranger.id), cost_id)
    with any_db.read() as session:
        costs = unit_costs_frame(session, org.id)
    assert costs[["item", "cost_gbp", "source"]].values.tolist() == [
        ["eh_assessment", 700.0, "Revised"]
    ]
