"""The indicator panel through the real callback route: GLD in Oldham, care leavers in
North Yorkshire, breakdowns, suppression and the CSV download."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from dash_requests import callback_body, dependency, id_type, post_callback

from components.panel import pid
from pages._panel_support import render_panel


def _dependency(client, trigger_type: str) -> dict:
    return dependency(
        client, lambda dep: any(id_type(i["id"]) == trigger_type for i in dep["inputs"])
    )


def call_panel(client, trigger_type: str, values: dict, index: str, dep=None):  # type: ignore[no-untyped-def]
    """POST a pattern-matching panel callback as Dash's renderer does.

    ``values`` maps id type -> value; returns the Flask response."""
    dep = dep or _dependency(client, trigger_type)
    return post_callback(client, callback_body(dep, values, trigger_type, index))


def _props(response, type_: str) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    payload = response.get_json()["response"]
    for key, props in payload.items():
        if json.loads(key)["type"] == type_:
            return props
    raise AssertionError(f"{type_} not in response: {list(payload)}")


def _numbers(array) -> list[float]:  # type: ignore[no-untyped-def]
    """A figure array as floats (plotly sends numeric arrays as base64 typed arrays)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return [math.nan if v is None else float(v) for v in array]


def _text(component) -> str:  # type: ignore[no-untyped-def]
    """All text inside a serialised component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(_text(c) for c in component)
    if isinstance(component, dict):
        return _text(component.get("props", {}).get("children", ""))
    return ""


def _find(component, wanted: dict):  # type: ignore[no-untyped-def]
    """Props (as attributes) of the first component in a serialised layout tree whose id
    equals ``wanted`` (render_panel returns the tree Dash sends to the browser)."""
    if isinstance(component, list):
        for child in component:
            found = _find(child, wanted)
            if found is not None:
                return found
        return None
    if not isinstance(component, dict):
        return None
    props = component.get("props", {})
    if props.get("id") == wanted:
        return SimpleNamespace(**props)
    return _find(props.get("children"), wanted)


GLD_STATE = {
    "indicator": "gld",
    "area_code": "E08000004",
    "breakdown": "total",
    "comparators": ["england", "region", "neighbours"],
    "period_from": None,
    "period_to": None,
    "periods": [],
    "x_axis": "date",
}


@pytest.fixture
def panel_values() -> dict:
    return {
        "panel-comparators": ["england", "region", "neighbours"],
        "panel-breakdown-choice": "total",
        "panel-from": None,
        "panel-to": None,
        "panel-state": GLD_STATE,
    }


def test_panel001_oldham_gld_shows_england_north_west_and_neighbours(server, users):
    with server.test_request_context():
        panel = render_panel("gld", "gld", "E08000004")
    caption = _find(panel, pid("panel-caption", "gld")).children
    assert "England 68.3%" in caption
    assert "North West 65.0%" in caption
    assert "Statistical neighbours (mean)" in caption
    assert "not compared: the publisher gives no counts" in caption
    # The verdict in words for the latest year with counts (EES 2021/22).
    assert "In 2021/22, the latest period with counts, Oldham was 59.8%" in caption
    assert "significantly below England (65.2%), which is worse" in caption
    state = _find(panel, pid("panel-state", "gld")).data
    assert state["x_axis"] == "date"
    assert state["comparators"] == ["england", "region", "neighbours"]
    assert {"label": "2024/25", "start": "2024-09-01", "end": "2025-08-31"} in state["periods"]
    names = [trace["name"] for trace in _find(panel, pid("panel-graph", "gld")).figure["data"]]
    assert names == ["Oldham", "England", "North West", "Statistical neighbours (mean)"]
    assert _find(panel, pid("annotation-slot", "gld")) is not None
    assert _find(panel, pid("voice-slot", "gld")) is not None


def test_panel002_fsm_breakdown_gives_gap_with_interval(client, auth, panel_values):
    auth.login("oldham_viewer")
    values = {**panel_values, "panel-breakdown-choice": "fsm"}
    response = call_panel(client, "panel-breakdown-choice", values, "gld")
    breakdown = _text(_props(response, "panel-breakdown")["children"])
    # 2021/22 EES counts: eligible 401 of 852, not eligible 1607 of 2505.
    assert "In 2021/22, eligible minus not eligible: -17.1 percentage points" in breakdown
    assert "(95% interval -20.9 to -13.2), a significant gap." in breakdown
    state = _props(response, "panel-state")["data"]
    assert state["breakdown"] == "fsm"
    caption = _props(response, "panel-caption")["children"]
    assert "by free school meals (eligible and not eligible)" in caption


def test_panel003_comparator_and_period_change_update_state_and_chart(client, auth, panel_values):
    auth.login("oldham_viewer")
    values = {
        **panel_values,
        "panel-comparators": ["england", "gm"],
        "panel-from": "2021-09-01",
        "panel-to": "2025-08-31",
    }
    response = call_panel(client, "panel-comparators", values, "gld")
    state = _props(response, "panel-state")["data"]
    assert state["comparators"] == ["england", "gm"]
    assert state["period_from"] == "2021-09-01" and state["period_to"] == "2025-08-31"
    assert [p["label"] for p in state["periods"]] == ["2021/22", "2022/23", "2023/24", "2024/25"]
    traces = _props(response, "panel-graph")["figure"]["data"]
    assert [t["name"] for t in traces] == ["Oldham", "England", "Greater Manchester"]
    # Greater Manchester is summed from its members' counts: only 2021/22 has them.
    gm = _numbers(traces[2]["y"])
    assert sum(not math.isnan(v) for v in gm) == 1


def test_panel004_north_yorkshire_care_leavers_2016_to_2025(server, users):
    with server.test_request_context():
        panel = render_panel("eet", "care_leavers_eet_19_21", "E06000065")
    state = _find(panel, pid("panel-state", "eet")).data
    labels = [p["label"] for p in state["periods"]]
    assert labels[0] == "2015/16" and labels[-1] == "2024/25" and len(labels) == 10
    area = _find(panel, pid("panel-graph", "eet")).figure["data"][0]
    assert area["name"] == "North Yorkshire"
    assert sum(not math.isnan(v) for v in _numbers(area["y"])) == 10
    caption = _find(panel, pid("panel-caption", "eet")).children
    assert "In 2024/25, North Yorkshire: 62.0% (95% interval 55.4 to 68.9)" in caption
    assert "significantly above England (54.0%), which is better" in caption


def test_panel005_download_is_the_table_and_matches_the_api(client, auth, panel_values):
    auth.login("oldham_viewer")
    values = {**panel_values, "panel-download-button": 1}
    response = call_panel(client, "panel-download-button", values, "gld")
    data = _props(response, "panel-download")["data"]
    assert data["filename"] == "gld_oldham_total.csv"
    rows = list(csv.DictReader(io.StringIO(data["content"])))
    assert {r["series"] for r in rows} == {
        "Oldham",
        "England",
        "North West",
        "Statistical neighbours (mean)",
    }
    oldham = [r for r in rows if r["series"] == "Oldham"]
    api = client.get("/api/v1/observations?indicator=gld&area=E08000004&breakdown=total")
    api_rows = api.get_json()["data"]
    assert len(api_rows) == len(oldham) == 10
    for mine, theirs in zip(oldham, api_rows, strict=True):
        assert mine["period"] == theirs["period"]
        assert (mine["value"] or None) == (
            None if theirs["value"] is None else str(theirs["value"])
        )
        assert (mine["status"] or None) == theirs["status"]
        assert (mine["comparison_england"] or None) == theirs["comparison_england"]


def test_panel006_small_groups_are_suppressed_in_breakdown_and_download(client, auth):
    auth.login("oldham_viewer")
    state = {**GLD_STATE, "indicator": "eh_closed_needs_met", "comparators": []}
    values = {
        "panel-comparators": [],
        "panel-breakdown-choice": "ethnicity",
        "panel-from": None,
        "panel-to": None,
        "panel-state": state,
        "panel-download-button": 1,
    }
    response = call_panel(client, "panel-breakdown-choice", values, "eh")
    breakdown = _text(_props(response, "panel-breakdown")["children"])
    assert "Suppressed to protect privacy (c)" in breakdown
    download = call_panel(
        client,
        "panel-download-button",
        {**values, "panel-state": _props(response, "panel-state")["data"]},
        "eh",
    )
    rows = list(csv.DictReader(io.StringIO(_props(download, "panel-download")["data"]["content"])))
    for row in rows:
        if row["numerator"]:
            assert int(row["numerator"]) == 0 or int(row["numerator"]) > 5
        if row["status"] == "c":
            assert row["value"] == "" and row["numerator"] == ""
    assert any(row["status"] == "c" for row in rows)


def test_panel007_callbacks_need_login(client, auth, panel_values):
    auth.login("oldham_viewer")
    dep = _dependency(client, "panel-comparators")
    auth.logout()
    response = call_panel(client, "panel-comparators", panel_values, "gld", dep)
    assert response.status_code in (302, 401, 403)


def test_panel008_rendered_panel_is_memoised_until_the_data_version_moves(server, db, tmp_path):
    """A second render is served from the cache (even if a row changed behind its back);
    bumping the data version, as every import does, shows the new figure at once."""
    from sqlalchemy import update

    from data_access import cache
    from data_access.models import Observation
    from data_access.observations import bump_data_version

    oldham_2024 = (
        (Observation.indicator_id == "gld")
        & (Observation.area_code == "E08000004")
        & (Observation.breakdown == "total")
        & (Observation.period_label == "2024/25")
    )

    def caption() -> str:
        with server.test_request_context():
            panel = render_panel("gld", "gld", "E08000004")
        return _find(panel, pid("panel-caption", "gld")).children

    def set_value(value: float) -> None:
        with db.write() as session:
            session.execute(update(Observation).where(oldham_2024).values(value=value))

    cache.configure_cache(cache_dir=tmp_path / "panel-cache", enabled=True)
    try:
        assert "Oldham: 63.1%" in caption()
        set_value(71.4)
        assert "Oldham: 63.1%" in caption()  # served from the cache: same data version
        with db.write() as session:
            bump_data_version(session)
        assert "Oldham: 71.4%" in caption()
    finally:
        set_value(63.1)
        with db.write() as session:
            bump_data_version(session)
        cache.reset_cache_configuration()


def test_panel009_warm_cache_renders_default_panels_of_authorities_in_use(server, users, tmp_path):
    """`flask warm-cache` fills the view cache with the default panel view of every
    indicator for every authority that has active users, and every indicator's map, so
    the first visit after an import is served from the cache."""
    from data_access import cache, views
    from data_access import indicators_query as iq
    from data_access.db import get_database

    with server.app_context(), get_database().read() as session:
        areas = views.areas_in_use(session)
        indicators = len(iq.indicator_options(session))
    assert "E08000004" in areas and "E92000001" not in areas  # Oldham has users; no one is England
    backend = cache.configure_cache(cache_dir=tmp_path / "warm-cache", enabled=True)
    try:
        result = server.test_cli_runner().invoke(args=["warm-cache"])
        assert result.exit_code == 0, result.output
        assert (
            f"Cache warmed: {indicators * len(areas):,} panel views for {len(areas)} "
            f"authorities and the Explore maps of {indicators} indicators"
        ) in result.output
        keys = list(backend._cache.iterkeys())
        # Panels and default maps, plus the maps of the periods the panels' verdicts rank
        # the authority in (the latest and the one before, when not the default map).
        assert len([k for k in keys if k.startswith("chorus:view:")]) >= (
            indicators * len(areas) + indicators
        )
        # The Explore page's default view of any authority finds its map there, and an
        # authority in use finds its panel: nothing new is built.
        from pages import explore
        from pages.explore import parse_view

        with server.test_request_context():
            explore._render(parse_view({"indicator": "gld", "area": "E08000004"}, "E08000004"))
        after = [k for k in backend._cache.iterkeys() if k.startswith("chorus:view:")]
        assert sorted(after) == sorted(k for k in keys if k.startswith("chorus:view:"))
    finally:
        cache.reset_cache_configuration()


def test_panel010_breakdown_and_about_are_drawn_when_their_tab_opens(server, client, auth, users):
    from components.panel import ABOUT_PLACEHOLDER, BREAKDOWN_PLACEHOLDER

    with server.test_request_context():
        panel = render_panel("gld", "gld", "E08000004")
    assert _find(panel, pid("panel-breakdown", "gld")).children == BREAKDOWN_PLACEHOLDER
    assert _find(panel, pid("panel-about", "gld")).children == ABOUT_PLACEHOLDER
    auth.login("oldham_viewer")
    about = call_panel(
        client, "panel-tabs", {"panel-tabs": "about", "panel-state": GLD_STATE}, "gld"
    )
    text = _text(_props(about, "panel-about")["children"])
    assert "Definition" in text and ABOUT_PLACEHOLDER not in text
    opened = call_panel(
        client, "panel-tabs", {"panel-tabs": "breakdown", "panel-state": GLD_STATE}, "gld"
    )
    assert "eligible minus not eligible" in _text(_props(opened, "panel-breakdown")["children"])


def test_panel_headline_gives_the_rank_verdict_and_follows_the_period(client, auth, panel_values):
    # The panel heads with the verdict: no counts in 2024/25, so rank, band and gap.
    with client.application.test_request_context():
        panel = render_panel("gld", "gld", "E08000004")
    headline = _text(
        json.loads(
            json.dumps(
                _find(panel, pid("panel-verdict", "gld")).children,
                default=lambda c: c.to_plotly_json(),
            )
        )
    )
    assert "points below England; 146th of 153, bottom quartile" in headline
    assert "not tested for significance" in headline
    # Ending the range in 2021/22 (a year with counts) gives the significance verdict.
    auth.login("oldham_viewer")
    values = {**panel_values, "panel-to": "2022-08-31"}
    response = call_panel(client, "panel-to", values, "gld")
    headline = _text(_props(response, "panel-verdict")["children"])
    assert "significantly worse than England" in headline
    assert "not tested for significance" not in headline


def _folded_menu(component):  # type: ignore[no-untyped-def]
    """Props of the first folded menu (``details``) in a serialised tree."""
    if isinstance(component, list):
        return next((m for c in component if (m := _folded_menu(c)) is not None), None)
    if not isinstance(component, dict):
        return None
    props = component.get("props", {})
    if component.get("type") == "Details" and "data-chorus-options" in props:
        return props
    return _folded_menu(props.get("children"))


def test_panel_individual_neighbours_are_named_and_drawn(client, auth, panel_values):
    with client.application.test_request_context():
        panel = render_panel("gld", "gld", "E08000004")
    menu = _find(panel, pid("panel-neighbour-choice", "gld"))
    # Folded, the menu holds only the ticked boxes (none); its folded-away attribute holds
    # the whole list, drawn when it opens (components/controls.py, LAZY_OPTIONS).
    assert menu.options == []
    whole = json.loads(_folded_menu(panel)["data-chorus-options"])
    assert whole["id"] == pid("panel-neighbour-choice", "gld")
    options = whole["options"]
    labels = [o["label"] for o in options]
    assert len(labels) >= 5 and "Rochdale" in labels  # each neighbour by name
    rochdale = next(o["value"] for o in options if o["label"] == "Rochdale")
    auth.login("oldham_viewer")
    values = {**panel_values, "panel-neighbour-choice": [rochdale]}
    response = call_panel(client, "panel-neighbour-choice", values, "gld")
    names = [t["name"] for t in _props(response, "panel-graph")["figure"]["data"]]
    assert "Rochdale" in names and "Statistical neighbours (mean)" in names
    state = _props(response, "panel-state")["data"]
    assert rochdale in state["comparators"]
