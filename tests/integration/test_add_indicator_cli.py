"""flask add-indicator FILE and publish-indicator ID: audited; unpublished until an admin
publishes, then visible to every authority (issue 17)."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import delete, select

from data_access.models import AuditEvent, Indicator

NEW = {
    "id": "cin_assessment_factor_dv",
    "title": "Assessments with domestic abuse as a factor",
    "definition": "Episodes of need whose assessment recorded domestic abuse.",
    "unit": "percent",
    "polarity": "no_judgement",
    "frequency": "annual_reporting",
    "service_area": "early_help",
    "source": "DfE, Characteristics of children in need",
    "denominator_counts_people": "yes",
}


@pytest.fixture
def own_indicator(db):  # type: ignore[no-untyped-def]
    yield db
    with db.write() as session:
        session.execute(delete(Indicator).where(Indicator.id == NEW["id"]))


def test_addind001_added_unpublished_audited_then_published_for_everyone(
    server, own_indicator, tmp_path, client, auth
):
    db = own_indicator
    path = tmp_path / "indicators.json"
    path.write_text(json.dumps([NEW]), encoding="utf-8")
    runner = server.test_cli_runner()
    result = runner.invoke(args=["add-indicator", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Added {NEW['id']} (unpublished" in result.output
    with db.read() as session:
        row = session.get(Indicator, NEW["id"])
        assert row is not None and not row.published and row.denominator_counts_people
        assert row.added_by == "cli"
        assert (
            session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == NEW["id"]))
            == "indicator.add"
        )

    # The same id again is refused with its reason, and nothing changes.
    again = runner.invoke(args=["add-indicator", str(path)])
    assert again.exit_code != 0 and "already has this id" in again.output

    for user in ("oldham_viewer", "rochdale_analyst"):
        auth.login(user)
        ids = {r["id"] for r in client.get("/api/v1/indicators?limit=5000").get_json()["data"]}
        assert NEW["id"] not in ids
        auth.logout()

    assert runner.invoke(args=["publish-indicator", NEW["id"]]).exit_code == 0
    assert runner.invoke(args=["publish-indicator", NEW["id"]]).exit_code == 0
    assert runner.invoke(args=["publish-indicator", "no_such_thing"]).exit_code != 0
    with db.read() as session:
        published = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_id == NEW["id"], AuditEvent.action == "indicator.publish"
            )
        ).all()
        assert len(published) == 1  # publishing twice is audited once
    for user in ("oldham_viewer", "rochdale_analyst"):
        auth.login(user)
        ids = {r["id"] for r in client.get("/api/v1/indicators?limit=5000").get_json()["data"]}
        assert NEW["id"] in ids
        auth.logout()


def test_addind002_a_file_with_problems_adds_nothing(server, own_indicator, tmp_path):
    path = tmp_path / "indicators.csv"
    bad = {**NEW, "unit": "furlongs"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(bad))
        writer.writeheader()
        writer.writerow(bad)
    result = server.test_cli_runner().invoke(args=["add-indicator", str(path)])
    assert result.exit_code != 0
    assert "unit 'furlongs' is not one of" in result.output and "Nothing added" in result.output
    with own_indicator.read() as session:
        assert session.get(Indicator, NEW["id"]) is None
