"""The record of processing and the public page's publication, for an authority's admin."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from test_sessions import _layout_as
from test_voice_integration import call

from data_access.processing_record import LAWFUL_BASES, RECORD_COLUMNS


@pytest.fixture(autouse=True)
def _fresh_public_pages():  # type: ignore[no-untyped-def]
    from pages._public_site import page_cache

    page_cache.clear()
    yield
    page_cache.clear()


def _csv_rows(client) -> list[dict]:  # type: ignore[no-untyped-def]
    response = call(
        client,
        "ropa-download.data",
        {"ropa-download-button.n_clicks": 1},
        "ropa-download-button.n_clicks",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["response"]["ropa-download"]["data"]
    assert data["filename"] == "record_of_processing_e08000004.csv"
    return list(csv.DictReader(io.StringIO(data["content"])))


def test_inf001_every_consent_scope_has_its_reach_described():
    from data_access.processing_record import SCOPE_REACH
    from rules.consent import CONSENT_SCOPES

    assert set(SCOPE_REACH) == set(CONSENT_SCOPES)


def test_inf002_record_of_processing_as_csv_from_the_live_settings(client, auth, server):
    auth.login("oldham_admin")
    rows = _csv_rows(client)
    assert list(rows[0]) == RECORD_COLUMNS
    information = [r["information"] for r in rows]
    from data_access.voice import SCOPE_LABELS

    for label in SCOPE_LABELS.values():
        assert any(f"'{label}'" in i for i in information), label
    assert any(i.startswith("Audit log") for i in information)
    audit = next(r for r in rows if r["information"].startswith("Audit log"))
    assert audit["retention"].startswith("2190 days")
    assert all(r["lawful_basis"].startswith("Not chosen yet") for r in rows)
    original = server.extensions["chorus_settings"]
    server.extensions["chorus_settings"] = dataclasses.replace(
        original, audit_retention_days=400, disclosure_threshold=8
    )
    try:
        changed = _csv_rows(client)
    finally:
        server.extensions["chorus_settings"] = original
    audit = next(r for r in changed if r["information"].startswith("Audit log"))
    assert audit["retention"].startswith("400 days")
    assert any("counts under 8 are suppressed" in r["who_can_see"] for r in changed)


def test_inf003_admin_chooses_lawful_bases(client, auth):
    auth.login("oldham_admin")
    ids = [{"type": "ropa-basis", "index": "audit_log"}, {"type": "ropa-basis", "index": "notes"}]
    values = [LAWFUL_BASES[0], None]
    response = call(
        client,
        "ropa-status.children",
        {
            "ropa-save.n_clicks": 1,
            "ropa-basis.value": [
                {"id": i, "property": "value", "value": v} for i, v in zip(ids, values, strict=True)
            ],
            "ropa-basis.id": [{"id": i, "property": "id", "value": i} for i in ids],
        },
        "ropa-save.n_clicks",
    )
    assert "Saved." in response.get_data(as_text=True), response.get_data(as_text=True)
    rows = {r["information"].split(" (")[0]: r["lawful_basis"] for r in _csv_rows(client)}
    assert rows["Audit log"] == LAWFUL_BASES[0]
    assert rows["Notes and actions by staff on the figures"].startswith("Not chosen yet")


def test_inf004_only_admins_see_or_download_the_record(client, auth, server, db):
    auth.login("oldham_analyst")
    response = call(
        client,
        "ropa-download.data",
        {"ropa-download-button.n_clicks": 1},
        "ropa-download-button.n_clicks",
    )
    assert response.status_code == 403
    assert "needs an administrator" in _layout_as(server, db, "oldham_analyst", "ethics_admin")
    page = _layout_as(server, db, "oldham_admin", "ethics_admin")
    assert "Record of processing" in page and "/public/E08000004" in page


def test_inf005_publishing_the_public_page_needs_a_named_admin(client, auth, db):
    auth.login("oldham_admin")

    def publish(name: str) -> str:
        response = call(
            client,
            "public-ethics-status.children",
            {"public-ethics-confirm.n_clicks": 1, "public-ethics-name.value": name},
            "public-ethics-confirm.n_clicks",
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return json.dumps(response.get_json())

    assert "has not shared anything here yet" in client.get(
        "/public/E08000004/you-said-we-did"
    ).get_data(as_text=True)
    assert "Type your name" in publish("")
    assert "is published" in publish("Mary Seacole")
    page = client.get("/public/E08000004/you-said-we-did").get_data(as_text=True)
    assert "has not shared anything here yet" not in page
