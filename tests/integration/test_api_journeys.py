"""/api/v1/journeys: what the Journeys page shows, after protection, for the caller's own
authority only, as JSON and CSV; and docs/API.md names every API route (issue 17)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from data_access.demo.journeys import seed_demo_journeys

OLDHAM = "E08000004"
SUMMER_2025 = "2025-06-01,2025-07-01,2025-08-01"


@pytest.fixture
def oldham_journeys(db, users):  # type: ignore[no-untyped-def]
    with db.write() as session:
        seed_demo_journeys(session, [OLDHAM])
    return users


def _small(count: str) -> bool:
    return count not in ("c", "–", "") and 1 <= int(count) <= 5


def test_apijny001_needs_login(client, oldham_journeys):
    assert client.get("/api/v1/journeys").status_code in (302, 401)


def test_apijny002_a_season_of_896_requests_shows_three_quarters_of_its_steps(
    client, auth, oldham_journeys
):
    auth.login("oldham_viewer")
    body = client.get(f"/api/v1/journeys?cohort={SUMMER_2025}").get_json()
    assert body["cohort"].startswith("Summer 2025") and body["next"] is None
    assert {"label": body["cohort"], "value": SUMMER_2025} in body["cohorts"]
    steps = [r for r in body["data"] if r["kind"] == "step"]
    assert steps[0]["step"] == "request" and steps[0]["count"] == "896"
    shown = [r for r in steps if r["count"] != "c"]
    assert len(shown) >= 0.75 * len(steps) and len(steps) == 16
    assert not any(_small(r["count"]) for r in body["data"])
    assert {r["area_code"] for r in body["data"]} == {OLDHAM}


def test_apijny003_json_and_csv_are_the_pages_download(client, auth, server, oldham_journeys):
    from pages import journeys
    from tests.integration.test_journeys_pages import logged_in

    auth.login("oldham_viewer")
    query = f"cohort={SUMMER_2025}&breakdown=sex&value=female"
    rows = client.get(f"/api/v1/journeys?{query}").get_json()["data"]
    response = client.get(f"/api/v1/journeys?{query}&format=csv")
    assert response.mimetype == "text/csv"
    csv_rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["count"] for r in csv_rows] == [r["count"] for r in rows]
    with logged_in(server, oldham_journeys["oldham_viewer"].username):
        download = journeys.download_journey_csv(1, SUMMER_2025, "sex", "female")
    page_rows = list(csv.DictReader(io.StringIO(download["content"])))
    group = [r for r in csv_rows if r["kind"] != "everyone_step"]
    assert [(r["step"], r["count"], r["share_percent"]) for r in group] == [
        (r["step"], r["count"], r["share_percent"]) for r in page_rows
    ]
    # Everyone's steps, drawn beside the group on the page, follow the group's.
    everyone = [r for r in csv_rows if r["kind"] == "everyone_step"]
    assert [r["step"] for r in everyone] == [r["step"] for r in group]
    assert not any(_small(r["count"]) for r in csv_rows)


def test_apijny004_only_the_callers_own_authority(client, auth, oldham_journeys):
    auth.login("rochdale_analyst")
    assert client.get(f"/api/v1/journeys?area={OLDHAM}").status_code == 403
    assert client.get("/api/v1/journeys").status_code == 404  # Rochdale has none loaded here
    auth.logout()
    auth.login("research_admin")
    assert client.get("/api/v1/journeys").status_code == 403
    auth.logout()
    auth.login("oldham_viewer")
    assert client.get(f"/api/v1/journeys?area={OLDHAM}").status_code == 200
    assert client.get("/api/v1/journeys?cohort=2001-01-01").status_code == 404
    month = client.get("/api/v1/journeys?cohort=2025-06-01&breakdown=sex&value=female").status_code
    assert month == 400
    assert client.get("/api/v1/journeys?breakdown=sex&value=nobody").status_code == 400


def test_apijny005_the_api_docs_name_every_api_route(server):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(/api/v1/[^`?]+)`", docs))
    routes = {r.rule for r in server.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert "/api/v1/journeys" in routes
    assert routes <= documented, routes - documented
