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
    "explore-neighbours": [],
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


def _trace_names(tree: object) -> list[str]:
    """The names of every chart trace in a rendered component tree (JSON)."""
    names: list[str] = []
    if isinstance(tree, dict):
        data = tree.get("data")
        if isinstance(data, list) and "layout" in tree:
            names += [t["name"] for t in data if isinstance(t, dict) and t.get("name")]
        for value in tree.values():
            names += _trace_names(value)
    elif isinstance(tree, list):
        for value in tree:
            names += _trace_names(value)
    return names


def _neighbours_and_stranger(server, area: str):  # type: ignore[no-untyped-def]
    """The area's neighbour options and an authority that is not among them."""
    from data_access import indicators_query as iq
    from data_access import views
    from data_access.db import get_database

    with server.test_request_context(), get_database().read() as session:
        options = views.neighbour_options(session, area)
        las = iq.local_authorities(session)
    codes = {o["value"] for o in options}
    stranger = next(r for r in las.itertuples(index=False) if r.code not in {*codes, area})
    return options, stranger


def test_explore005_url_with_neighbour_codes_draws_them_by_name(server, client, auth):
    auth.login("oldham_viewer")
    options, stranger = _neighbours_and_stranger(server, "E08000004")
    assert len(options) >= 3
    first, second, third = options[:3]
    values = {
        **BASE,
        "explore-url": (
            f"?indicator=gld&area=E08000004&compare=england%2Cneighbours%2C{first['value']}"
            f"%2C{second['value']}"
        ),
    }
    response = _explore_call(client, "explore-url", values)
    names = _trace_names(response["explore-panel"])
    assert first["label"] in names and second["label"] in names
    assert "Statistical neighbours (mean)" in names  # beside the mean
    assert third["label"] not in names
    # The neighbours menu lists every neighbour by name, the two chosen (the others wait
    # in the folded menu's attribute until it opens: components/controls.py LAZY_OPTIONS).
    controls = json.dumps(response["explore-controls"])
    assert "Individual neighbours" in controls
    assert all(o["label"] in controls for o in options)
    menu = _find_id(response["explore-controls"], "explore-neighbours")
    assert menu["props"]["value"] == [first["value"], second["value"]]
    named = _find_id(response["explore-controls"], "explore-named")
    assert named["props"]["value"] == []


def test_explore006_neighbour_menu_ignores_codes_not_among_the_neighbours(server, client, auth):
    auth.login("oldham_viewer")
    options, stranger = _neighbours_and_stranger(server, "E08000004")
    first = options[0]
    values = {**BASE, "explore-neighbours": [first["value"], stranger.code, "E99999999"]}
    response = _explore_call(client, "explore-neighbours", values)
    search = response["explore-url"]["search"]
    assert f"compare=england%2Cregion%2Cneighbours%2C{first['value']}&" in search
    names = _trace_names(response["explore-panel"])
    assert first["label"] in names
    assert stranger.name not in names


def _find_id(tree: object, id_: str) -> dict:
    """The component with ``id_`` in a rendered component tree (JSON)."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == id_:
            return tree
        children = list(tree.values())
    elif isinstance(tree, list):
        children = tree
    else:
        children = []
    for child in children:
        try:
            return _find_id(child, id_)
        except LookupError:
            continue
    raise LookupError(id_)
