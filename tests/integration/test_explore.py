"""Explore: the URL holds the view; one callback keeps URL and controls in step."""

from __future__ import annotations

import json

from dash_requests import callback_body, dependency, post_callback


def _explore_call(client, trigger: str, values: dict):  # type: ignore[no-untyped-def]
    dep = dependency(
        client,
        # The view callback: other callbacks (the session link) also listen to the URL.
        lambda d: (
            any(i["id"] == "explore-url" for i in d["inputs"]) and "explore-panel" in d["output"]
        ),
    )
    body = callback_body(dep, values, trigger)
    response = post_callback(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_json()["response"]


BASE = {
    "explore-url": "?indicator=gld&area=E08000004&compare=england%2Cregion%2Cneighbours",
    "explore-indicator": "gld",
    "explore-area": "E08000004",
    "explore-compare": ["england", "region", "neighbours"],
    "explore-named": [],
    "explore-breakdown": "total",
    "explore-from": None,
    "explore-to": None,
}


def test_explore001_query_string_round_trip(app):
    from pages.explore import parse_view, view_query

    view = {
        "indicator": "gld",
        "area": "E08000004",
        "compare": ["england", "E08000005"],
        "breakdown": "fsm",
        "from": "2018-09-01",
        "to": None,
    }
    query = view_query(view)
    assert query == (
        "?indicator=gld&area=E08000004&compare=england%2CE08000005&breakdown=fsm&from=2018-09-01"
    )
    from urllib.parse import parse_qs

    assert parse_view(parse_qs(query[1:]), "E92000001") == view


def test_explore002_changing_a_control_writes_the_url(client, auth):
    auth.login("oldham_viewer")
    values = {**BASE, "explore-named": ["E08000005"], "explore-breakdown": "total"}
    response = _explore_call(client, "explore-named", values)
    search = response["explore-url"]["search"]
    assert "compare=england%2Cregion%2Cneighbours%2CE08000005" in search
    panel = json.dumps(response["explore-panel"])
    assert "Rochdale" in panel
    assert "Map of 2024/25. Oldham ranks" in response["explore-rank"]["children"]
    # Keep default views small (the map's boundaries come from a cached URL).
    assert len(json.dumps(response)) < 300_000


def test_explore003_back_button_url_rebuilds_controls(client, auth):
    auth.login("oldham_viewer")
    values = {
        **BASE,
        "explore-url": "?indicator=care_leavers_eet_19_21&area=E06000065&compare=england",
    }
    response = _explore_call(client, "explore-url", values)
    assert "explore-url" not in response  # the URL is the source: not rewritten
    controls = json.dumps(response["explore-controls"])
    assert '"value": "care_leavers_eet_19_21"' in controls
    assert '"value": "E06000065"' in controls
    panel = json.dumps(response["explore-panel"])
    assert "North Yorkshire" in panel and "2024/25" in panel


def test_explore004_page_layout_reads_the_query_string(server, users):
    from flask_login import login_user
    from plotly.utils import PlotlyJSONEncoder

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_with_hash
    from pages import explore

    with server.test_request_context():
        with get_database().read() as session:
            record, _hash = user_with_hash(session, users["oldham_viewer"].username)
        login_user(CurrentUser(record))
        page = explore.layout(indicator="cin_rereferral", area="E08000005", breakdown="total")
    text = json.dumps(page, cls=PlotlyJSONEncoder)
    assert "Rochdale" in text and "Re-referrals to children" in text
    assert "Explore indicators" in text
