"""An EES file with its .meta.csv, for a publication the catalogue does not know, imports
from the command line with --create-indicators and no hand-written mapping; the mapping is
saved for the next edition; the new indicators stay unpublished until an admin publishes
them (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from data_access.models import (
    AuditEvent,
    ImportBatch,
    ImportMapping,
    Indicator,
    Observation,
    ObservationConfirmation,
    ObservationHistory,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ees"
NAME = "children_registered_for_funded_early_education"
PERCENT_ID = "children_registered_for_percentage_eligible_children"


@pytest.fixture
def clean_catalogue(db):  # type: ignore[no-untyped-def]
    """Indicators and figures are shared by the whole test session: take ours out after."""
    yield db
    with db.write() as session:
        ids = list(session.scalars(select(Indicator.id).where(Indicator.id.like(f"{NAME[:23]}%"))))
        observation_ids = select(Observation.id).where(Observation.indicator_id.in_(ids))
        session.execute(
            delete(ObservationConfirmation).where(
                ObservationConfirmation.observation_id.in_(observation_ids)
            )
        )
        session.execute(
            delete(ObservationHistory).where(ObservationHistory.observation_id.in_(observation_ids))
        )
        session.execute(delete(Observation).where(Observation.indicator_id.in_(ids)))
        session.execute(delete(ImportBatch).where(ImportBatch.filename.like(f"{NAME}%")))
        session.execute(delete(ImportMapping).where(ImportMapping.name.like(f"EES {NAME}%")))
        session.execute(delete(Indicator).where(Indicator.id.in_(ids)))


def test_eescreate001_cli_creates_indicators_imports_and_reuses_the_mapping(
    server, clean_catalogue, tmp_path, client, auth
):
    db = clean_catalogue
    data = tmp_path / f"{NAME}_2022_to_2023.csv"
    shutil.copy(FIXTURES / data.name, data)
    shutil.copy(FIXTURES / f"{NAME}_2022_to_2023.meta.csv", tmp_path)
    runner = server.test_cli_runner()

    refused = runner.invoke(args=["import-data", str(data), "--no-warm"])
    assert refused.exit_code != 0
    assert PERCENT_ID in refused.output and "--create-indicators" in refused.output

    result = runner.invoke(args=["import-data", str(data), "--create-indicators", "--no-warm"])
    assert result.exit_code == 0, result.output
    assert f"Created indicator {PERCENT_ID}" in result.output
    with db.read() as session:
        created = session.get(Indicator, PERCENT_ID)
        assert created is not None and not created.published
        assert (created.title, created.unit, created.polarity, created.theme) == (
            "Percentage of eligible children registered",
            "percent",
            "no_judgement",
            "early_years",
        )
        oldham = session.scalars(
            select(Observation).where(
                Observation.indicator_id == PERCENT_ID, Observation.area_code == "E08000004"
            )
        ).all()
        assert sorted((o.numerator, o.denominator, o.value) for o in oldham) == [
            (7265.0, 7758.0, 93.6),
            (7393.0, 8149.0, 90.7),
        ]
        audited = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "indicator.add")
        ).all()
        assert PERCENT_ID in audited

    # The next edition: the saved mapping, no proposal, nothing new.
    later = tmp_path / "next" / f"{NAME}_2022_to_2024.csv"
    later.parent.mkdir()
    shutil.copy(data, later)
    again = runner.invoke(args=["import-data", str(later), "--format", "ees", "--no-warm"])
    assert again.exit_code == 0, again.output
    assert "Using the mapping saved for this publication" in again.output
    assert "new 0" in again.output

    # Unpublished: no list shows it; published by an admin: every authority sees it.
    auth.login("rochdale_viewer")
    listed = {r["id"] for r in client.get("/api/v1/indicators?limit=5000").get_json()["data"]}
    assert PERCENT_ID not in listed
    assert client.get(f"/api/v1/observations?indicator={PERCENT_ID}").status_code == 404
    published = runner.invoke(args=["publish-indicator", PERCENT_ID])
    assert published.exit_code == 0, published.output
    listed = {r["id"] for r in client.get("/api/v1/indicators?limit=5000").get_json()["data"]}
    assert PERCENT_ID in listed
    rows = client.get(f"/api/v1/observations?indicator={PERCENT_ID}&area=E08000004").get_json()
    assert {r["value"] for r in rows["data"]} == {93.6, 90.7}
