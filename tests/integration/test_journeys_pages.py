"""Journeys and costs pages through the app: Hampshire's spring requests and what they
cost, North Yorkshire's spend against care leaver outcomes, and who may change unit costs."""

from __future__ import annotations

import contextlib
import json

import pytest
from plotly.utils import PlotlyJSONEncoder

from data_access.demo.journeys import seed_demo_journeys, seed_demo_unit_costs
from data_access.models import AuditEvent, Organisation, UnitCost

HAMPSHIRE = "E10000014"
SPRING_2025 = "2025-03-01,2025-04-01,2025-05-01"


@contextlib.contextmanager
def logged_in(server, username: str):  # type: ignore[no-untyped-def]
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_with_hash

    with server.test_request_context():
        with get_database().read() as session:
            record, _ = user_with_hash(session, username)
        login_user(CurrentUser(record))
        yield record


def _text(component) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(component, cls=PlotlyJSONEncoder)


@pytest.fixture
def hampshire(db, users):  # type: ignore[no-untyped-def]
    with db.write() as session:
        seed_demo_journeys(session, [HAMPSHIRE])
        org = session.query(Organisation).filter_by(code=HAMPSHIRE).one()
        seed_demo_unit_costs(session, org.id)
    return users


def test_jpg001_hampshire_sees_last_springs_requests_within_12_months(server, hampshire):
    from pages import journeys

    with logged_in(server, hampshire["hampshire_viewer"].username):
        page = _text(journeys.layout())
        body = _text(journeys.show_early_help_journey(SPRING_2025, "total", None))
    assert "Journeys: Hampshire" in page
    assert "Spring 2025 (Mar 2025 to May 2025)" in page
    assert "Early years journey" in page and "Care leavers journey" in page
    assert "Came back within 12 months" in body
    assert "Stepped up to children" in body
    assert "Sankey" in body or "sankey" in body


def test_jpg002_breakdown_view_shows_steps_and_no_small_numbers(server, hampshire):
    from pages import journeys

    with logged_in(server, hampshire["hampshire_viewer"].username):
        view, everyone, label = journeys.build_view(HAMPSHIRE, SPRING_2025, "ethnicity", "black")
    shown = view.steps["count"].dropna()
    assert not shown.between(1, 5).any()
    assert everyone is not None and list(everyone["step"]) == list(view.steps["step"])
    assert label.startswith("Spring 2025")


def test_jpg003_journey_csv_matches_the_table(server, hampshire):
    from pages import journeys

    with logged_in(server, hampshire["hampshire_viewer"].username):
        download = journeys.download_journey_csv(1, SPRING_2025, "sex", "female")
    lines = download["content"].strip().splitlines()
    assert lines[0].startswith("area_code,cohort,breakdown,breakdown_value,kind,step")
    assert any(",Spring 2025" in line and ",female," in line for line in lines[1:])
    counts = [line.split(",")[8] for line in lines[1:]]
    assert all(c == "c" or c == "–" or not (1 <= int(c) <= 5) for c in counts)


def test_jpg004_pathway_costs_for_hampshire(server, hampshire):
    from pages import costs

    with logged_in(server, hampshire["hampshire_viewer"].username):
        page = _text(costs.layout())
    assert "What the Early Help pathways cost" in page
    assert "What the requests received in Spring" in page or "What the requests received in" in page
    assert "Total of the steps shown" in page
    assert "2024/25" in page and "2024-25" not in page
    # A viewer sees the table but no form to change it.
    assert "Save unit cost" not in page


def test_jpg005_north_yorkshire_sees_spend_against_care_leaver_outcomes(server, users):
    from pages import costs

    with logged_in(server, users["northyorks_viewer"].username):
        body = costs.show_scatter("family_support_spend", "care_leavers_eet_19_21", "2024/25")
    text = _text(body)
    assert "North Yorkshire" in text
    assert "not a cause" in text
    assert "n = " in text and "Spearman" in text
    assert "statistical neighbours" in text
    assert '"star"' in text and '"diamond"' in text


def test_jpg006_viewer_cannot_change_unit_costs_through_the_callback_route(client, auth, db):
    auth.login("hampshire_viewer")
    body = {
        "output": "..cost-message.children...costs-unit-table.children..",
        "outputs": [
            {"id": "cost-message", "property": "children"},
            {"id": "costs-unit-table", "property": "children"},
        ],
        "inputs": [{"id": "cost-save", "property": "n_clicks", "value": 1}],
        "state": [
            {"id": "cost-item", "property": "value", "value": "eh_request"},
            {"id": "cost-description", "property": "value", "value": "Handling"},
            {"id": "cost-gbp", "property": "value", "value": 1},
            {"id": "cost-year", "property": "value", "value": "2024-25"},
            {"id": "cost-source", "property": "value", "value": "made up"},
        ],
        "changedPropIds": ["cost-save.n_clicks"],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403
    with db.read() as session:
        assert session.query(UnitCost).count() == 0
        assert session.query(AuditEvent).filter_by(action="denied:costs.edit").count() == 1


def test_jpg007_analyst_saves_a_unit_cost_and_it_is_audited(server, hampshire, db):
    from pages import costs

    with logged_in(server, hampshire["hampshire_analyst"].username):
        message, _table = costs.save_cost(
            1, "family_hub_session", "A Family Hub group session", 95, "2024-25", "Our costing"
        )
        refused, _ = costs.save_cost(1, "x", "", "lots", "2024", "")
    assert message == "Saved family_hub_session."
    assert "Price year" in refused
    with db.read() as session:
        assert session.query(UnitCost).filter_by(item="family_hub_session").count() == 1
        assert session.query(AuditEvent).filter_by(action="costs.create").count() == 1
