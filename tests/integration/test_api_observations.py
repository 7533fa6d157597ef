"""/api/v1/indicators and /api/v1/observations: JSON, CSV, paging, suppression, login."""

from __future__ import annotations

import csv
import io

STABLE_COLUMNS = {
    "indicator",
    "area_code",
    "area_name",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "england_value",
    "comparison_england",
}


def test_apiobs001_needs_login(client):
    response = client.get("/api/v1/observations?indicator=gld")
    assert response.status_code in (302, 401)


def test_apiobs002_gld_fsm_2021_22_has_counts_intervals_and_verdicts(client, auth):
    auth.login("oldham_viewer")
    response = client.get(
        "/api/v1/observations?indicator=gld&area=E08000004&breakdown=fsm"
        "&from=2021-09-01&to=2022-08-31"
    )
    body = response.get_json()
    assert body["next"] is None
    rows = {r["breakdown_value"]: r for r in body["data"]}
    assert set(body["data"][0]) == STABLE_COLUMNS
    eligible = rows["eligible"]
    assert (eligible["numerator"], eligible["denominator"]) == (401, 852)
    assert (eligible["value"], eligible["lower_ci"], eligible["upper_ci"]) == (47.1, 43.7, 50.4)
    assert eligible["england_value"] == 49.1 and eligible["comparison_england"] == "similar"
    assert rows["not_eligible"]["comparison_england"] == "worse"


def test_apiobs003_lait_figures_are_not_compared(client, auth):
    auth.login("oldham_viewer")
    rows = client.get(
        "/api/v1/observations?indicator=gld&area=E08000004&breakdown=total&from=2024-09-01"
    ).get_json()["data"]
    assert len(rows) == 1
    assert rows[0]["value"] == 63.1 and rows[0]["lower_ci"] is None
    assert rows[0]["comparison_england"] == "not compared"


def test_apiobs004_csv_has_the_same_columns_and_rows(client, auth):
    auth.login("oldham_viewer")
    query = "indicator=care_leavers_eet_19_21&area=E06000065"
    json_rows = client.get(f"/api/v1/observations?{query}").get_json()["data"]
    response = client.get(f"/api/v1/observations?{query}&format=csv")
    assert response.mimetype == "text/csv"
    csv_rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert set(csv_rows[0]) == STABLE_COLUMNS
    assert [r["period"] for r in csv_rows] == [r["period"] for r in json_rows]
    assert csv_rows[-1]["numerator"] == "121" and csv_rows[-1]["value"] == "62.0"


def test_apiobs005_old_north_yorkshire_code_reads_as_the_new_one(client, auth):
    auth.login("oldham_viewer")
    rows = client.get(
        "/api/v1/observations?indicator=care_leavers_eet_19_21&area=E10000023"
    ).get_json()["data"]
    assert {r["area_code"] for r in rows} == {"E06000065"}
    assert [r["period"] for r in rows][0] == "2015/16" and rows[-1]["period"] == "2024/25"


def test_apiobs006_pages_follow_next_links(client, auth):
    auth.login("oldham_viewer")
    url = "/api/v1/observations?indicator=gld&area=E08000004&limit=40"
    seen = []
    pages = 0
    while url:
        body = client.get(url).get_json()
        seen += body["data"]
        url = body["next"]
        pages += 1
    everything = client.get("/api/v1/observations?indicator=gld&area=E08000004").get_json()
    assert pages > 1
    assert seen == everything["data"]


def test_apiobs007_small_counts_never_leave_the_server(client, auth):
    auth.login("oldham_viewer")
    rows = client.get(
        "/api/v1/observations?indicator=eh_closed_needs_met&area=E08000004&breakdown=ethnicity"
    ).get_json()["data"]
    assert any(r["status"] == "c" for r in rows)
    for row in rows:
        for count in (row["numerator"], row["denominator"]):
            assert count is None or count == 0 or count > 5
        if row["status"] == "c":
            assert row["value"] is None and row["lower_ci"] is None


def test_apiobs008_bad_requests_are_explained(client, auth):
    auth.login("oldham_viewer")
    assert client.get("/api/v1/observations").status_code == 400
    assert client.get("/api/v1/observations?indicator=nope").status_code == 404
    assert client.get("/api/v1/observations?indicator=gld&from=soon").status_code == 400
    assert client.get("/api/v1/observations?indicator=gld&limit=0").status_code == 400


def test_apiobs009_indicator_catalogue(client, auth):
    auth.login("oldham_viewer")
    body = client.get("/api/v1/indicators?limit=100").get_json()
    ids = {row["id"]: row for row in body["data"]}
    assert ids["gld"]["polarity"] == "high_is_good"
    assert ids["eh_requests"]["illustrative"] is True
    assert body["next"] is None


def test_apiobs010_boundaries_carry_current_codes(client, auth):
    auth.login("oldham_viewer")
    data = client.get("/api/v1/boundaries/utla.geojson").get_json()
    codes = {f["properties"]["code"] for f in data["features"]}
    assert "E06000065" in codes and "E10000023" not in codes
    assert "E06000066" in codes


def test_apiobs011_boundaries_are_wound_as_the_map_draws_them(client, auth):
    """Outer rings clockwise, holes counter-clockwise: the other way round, plotly draws
    each authority as the whole world outside it and the map is one colour."""
    from api.observations import _signed_area, wound_for_plotly

    auth.login("oldham_viewer")
    data = client.get("/api/v1/boundaries/utla.geojson").get_json()
    rings = 0
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        polygons = polygons if geometry["type"] == "MultiPolygon" else [polygons]
        for polygon in polygons:
            assert _signed_area(polygon[0]) < 0, feature["properties"]["code"]
            assert all(_signed_area(hole) > 0 for hole in polygon[1:])
            rings += len(polygon)
    assert rings > 152
    # A GeoJSON (RFC 7946) square with a hole is turned round, and turned round only once.
    outer = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]
    wound = wound_for_plotly({"type": "Polygon", "coordinates": [outer, hole]})
    assert wound["coordinates"] == [outer[::-1], hole[::-1]]
    assert wound_for_plotly(wound) == wound
